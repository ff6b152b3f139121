"""The purchase-intent panel: the generic one plus presets.

Choosing a preset fills the advanced settings with the preset's values; they reach the config
only while "Advanced settings" is checked (folded, the preset decides). The horizon defaults to
about a quarter of the data's span (the generic panel's rule).
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

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

