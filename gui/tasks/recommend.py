"""The recommendations panel: the generic one, with the horizon taken from the data.

Like the purchase-intent panel, "Next … days" starts at about a quarter of the data's span
(``engine.dates.default_horizon_days``, at most 30): the form cannot show "from the data" for a
number without a special word, and a one-day horizon would measure almost nothing.
"""

from __future__ import annotations

from engine.dates import default_horizon_days
from gui.tasks.panel import TaskPanel


class RecommendPanel(TaskPanel):
    """Recommendations: the settings form; the horizon follows the data's span."""

    def show_overview(self, first_ms: int, last_ms: int) -> None:
        """The as-of range, and a horizon of about a quarter of the data's span."""
        super().show_overview(first_ms, last_ms)
        if "horizon_days" in self.form.widgets:
            self.form.set_value("horizon_days", default_horizon_days(first_ms, last_ms))
