"""The purchase-intent panel: the generic one plus presets and what makes customers buy here.

Choosing a preset fills the advanced settings with the preset's values; they reach the config
only while "Advanced settings" is checked (folded, the preset decides). The horizon defaults to
about a quarter of the data's span (the generic panel's rule).

Below a run's results, "What makes customers buy here" lists the active customer-value run's
drivers (each customer's totals) and the run's own sequence drivers (the order of their steps),
as ``engine.tasks.intent.buy_drivers`` words them.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from engine.intent import PRESETS
from engine.tasks.base import RunView, Task
from engine.tasks.intent import buy_drivers
from gui.tasks.form import tr
from gui.tasks.panel import TaskPanel
from gui.widgets import hint, title


class IntentPanel(TaskPanel):
    """Purchase intent: presets fill the advanced settings; validation AUC is the extra plot."""

    def __init__(self, task: Task, parent: QWidget | None = None) -> None:
        super().__init__(task, parent)
        self.form.widgets["preset"].currentIndexChanged.connect(self._preset_changed)
        self._preset_changed()
        self.drivers_title = title(tr("What makes customers buy here"))
        self.drivers = hint("")
        self.drivers.setTextFormat(Qt.TextFormat.RichText)
        for w in (self.drivers_title, self.drivers):
            w.setVisible(False)
            self.results.layout().addWidget(w)

    @property
    def extra_title(self) -> str:
        """The validation-AUC plot's title."""
        return tr("Validation AUC (higher is better)")

    def _preset_changed(self) -> None:
        preset = PRESETS[self.form.value("preset")]
        for name in self.form.advanced_names:
            if name in preset:
                self.form.set_value(name, preset[name])

    def show_view(self, view: RunView) -> None:
        """The run's results, then what makes customers buy here (hidden when nothing does)."""
        super().show_view(view)
        lines = buy_drivers(view.data, self.runs)
        # Each group's line (where the drivers come from) in bold, its numbered drivers below.
        self.drivers.setText("<br>".join(
            escape(line) if line[:1].isdigit() else f"<b>{escape(line)}</b>" for line in lines))
        for w in (self.drivers_title, self.drivers):
            w.setVisible(bool(lines))

    def clear_view(self) -> None:
        """Empty the result view for a new run, the drivers too."""
        super().clear_view()
        self.drivers.setText("")
        for w in (self.drivers_title, self.drivers):
            w.setVisible(False)
