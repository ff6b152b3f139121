"""A date axis whose month and weekday names follow the user's language.

pyqtgraph's ``DateAxisItem`` writes its ticks with C's ``strftime``, which names months in
English ("Jun", "Jul") on every desktop. This axis keeps pyqtgraph's choice of ticks and their
forms and writes the names through :func:`gui.formats.strftime_local`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pyqtgraph as pg

from gui.formats import strftime_local


class LocaleDateAxis(pg.DateAxisItem):
    """``pg.DateAxisItem`` with the locale's month and weekday names (times read as UTC)."""

    def __init__(self, orientation: str = "bottom", **kwargs: Any) -> None:
        super().__init__(orientation=orientation, utcOffset=0, **kwargs)

    def tickStrings(  # noqa: N802 - pyqtgraph's name
        self, values: list[float], scale: float, spacing: float
    ) -> list[str]:
        spec = next((s for s in self.zoomLevel.tickSpecs if s.spacing == spacing), None)
        if spec is None:
            return super().tickStrings(values, scale, spacing)
        pattern = str(spec.format)
        out = []
        for v in values:
            try:
                moment = datetime.fromtimestamp(float(v), UTC)
            except (OverflowError, ValueError, OSError):
                out.append("")
                continue
            text = strftime_local(moment, pattern)
            if "%f" in pattern:
                text = text[:-3]  # milliseconds, as pyqtgraph shows them
            elif "%Y" in pattern:
                text = text.lstrip("0")
            out.append(text)
        return out
