"""Task panels of the Train page, keyed like ``engine.tasks.TASKS``.

A task's panel (``gui/tasks/<key>.py``) is registered with one line in ``_built_in``; a task
without one gets the generic :class:`~gui.tasks.panel.TaskPanel`, built from its config's
``Setting`` metadata and its ``describe(run)``. The page itself never names a task.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from engine.tasks.base import Task
from gui.tasks.panel import TaskPanel

PanelFactory = Callable[[Task, QWidget | None], TaskPanel]

_PANELS: dict[str, PanelFactory] = {}
_loaded = False


def _built_in() -> None:
    from gui.tasks.intent import IntentPanel
    from gui.tasks.profiles import ProfilesPanel

    register_panel("intent", IntentPanel)
    register_panel("profiles", ProfilesPanel)


def panels() -> dict[str, PanelFactory]:
    """The registered panel factories by task key (``PANELS``)."""
    global _loaded
    if not _loaded:
        _loaded = True
        _built_in()
    return _PANELS


def register_panel(key: str, factory: PanelFactory) -> None:
    """Give task ``key`` its own panel: ``factory(task, parent)`` makes one."""
    _PANELS[key] = factory


def make_panel(task: Task, parent: QWidget | None = None) -> TaskPanel:
    """The panel of a task: its own when registered, else the generic one."""
    return panels().get(task.key, TaskPanel)(task, parent)


def __getattr__(name: str) -> object:
    if name == "PANELS":
        return panels()
    raise AttributeError(name)
