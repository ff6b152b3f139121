"""The purchase-intent panel: the generic one plus presets.

Choosing a preset fills the advanced settings with the preset's values; they reach the config
only while "Advanced settings" is checked (folded, the preset decides). The horizon defaults to
about a quarter of the data's span (``engine.dates.default_horizon_days``).
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from engine.dates import default_horizon_days
from engine.intent import PRESETS
from engine.tasks.base import Task
from gui.tasks.form import tr
from gui.tasks.panel import TaskPanel


class IntentPanel(TaskPanel):
    """Purchase intent: presets fill the advanced settings; validation AUC is the extra plot."""

    def __init__(self, task: Task, parent: QWidget | None = None) -> None:
        super().__init__(task, parent)
        self.form.widgets["preset"].currentIndexChanged.connect(self._preset_changed)
        self._preset_changed()

    @property
    def extra_title(self) -> str:
        """The validation-AUC plot's title."""
        return tr("Validation AUC (higher is better)")

    def _preset_changed(self) -> None:
        preset = PRESETS[self.form.value("preset")]
        for name in self.form.advanced_names:
            if name in preset:
                self.form.set_value(name, preset[name])

    def show_overview(self, first_ms: int, last_ms: int) -> None:
        """The as-of range, and a horizon of about a quarter of the data's span."""
        super().show_overview(first_ms, last_ms)
        self.form.set_value("horizon_days", default_horizon_days(first_ms, last_ms))
