"""The generic task panel: any task's settings form and result view, from its metadata alone.

A task with a panel of its own (``gui/tasks/<key>.py``) subclasses :class:`TaskPanel` and adds
only what is special about it (the intent panel's presets); every other task gets this one.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QVBoxLayout, QWidget

from engine.tasks.base import RunView, Task
from gui.tasks.form import SettingsForm, tr
from gui.tasks.view import ResultView
from storage.runs import RunInfo


class TaskPanel(QWidget):
    """One task on the Train page: its settings (this widget, in the settings column) and its
    result view (``results``, which the page puts in the results column)."""

    #: Words for a setting's special value (``Setting.special``) on this page, by field name.
    special_text: dict[str, str] = {}

    def __init__(self, task: Task, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.task = task
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 0, 0, 0)
        self.form = SettingsForm(task.config_type, special_text=self.special_text)
        v.addWidget(self.form)
        self.results = ResultView()
        #: The project's saved runs when a run is shown (the page sets them): a panel may show
        #: another task's run beside its own (the intent panel, the value run's drivers).
        self.runs: list[RunInfo] = []

    @property
    def title(self) -> str:
        """The task's name in the "What to learn" list."""
        return tr(self.task.title)

    @property
    def extra_title(self) -> str:
        """The title of the plot of the task's extra metrics while it trains ("" when it has
        none); a finished run's view may name its own."""
        return ", ".join(tr(name) for name in self.task.metric_names.values())

    @property
    def supports_warm_start(self) -> bool:
        """Whether "Start from the current model" applies to this task."""
        return bool(self.task.supports_warm_start)

    @property
    def advanced(self) -> Any:
        """The "Advanced settings" check box."""
        return self.form.advanced

    def config(self) -> Any:
        """The settings on screen as the task's config object."""
        return self.task.config_type(**self.form.values())

    def show_overview(self, first_ms: int, last_ms: int) -> None:
        """Defaults from the data: date settings range over its days and show the last, and a
        ``horizon_days`` setting starts at about a quarter of the data's span
        (``engine.dates.default_horizon_days``, at most 30): the form cannot show "from the
        data" for a number without a special word, and one day would measure almost nothing."""
        from engine.dates import default_horizon_days

        self.form.set_date_range(first_ms, last_ms)
        if "horizon_days" in self.form.widgets:
            self.form.set_value("horizon_days", default_horizon_days(first_ms, last_ms))

    def show_view(self, view: RunView) -> None:
        """Show a run as its task describes it."""
        self.results.show_view(view)

    def clear_view(self) -> None:
        """Empty the result view for a new run."""
        self.results.clear()
