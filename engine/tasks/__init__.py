"""The registry of tasks: every kind of model IntentLens trains, keyed by its name.

A new task is its own package, one adapter module ``engine/tasks/<key>.py`` and one line in
``_built_in`` below (and a panel in ``gui/tasks``). The CLI's ``train`` commands, the Train page,
the run history, the customer table and card all come from here.

``TASKS`` is filled on first use, so a task's own package may import ``engine.tasks.base``
without importing every task.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.tasks.base import NoData, Task

if TYPE_CHECKING:
    TASKS: dict[str, Task]

_TASKS: dict[str, Task] = {}
_loaded = False


def _built_in() -> tuple[Task, ...]:
    from engine.tasks.forecast import FORECAST
    from engine.tasks.intent import INTENT
    from engine.tasks.profiles import PROFILES
    from engine.tasks.recommend import RECOMMEND
    from engine.tasks.value import VALUE

    return (INTENT, PROFILES, RECOMMEND, VALUE, FORECAST)


def _load() -> dict[str, Task]:
    global _loaded
    if not _loaded:
        _loaded = True
        for task in _built_in():
            _TASKS.setdefault(task.key, task)
    return _TASKS


def __getattr__(name: str) -> Any:
    if name == "TASKS":
        return _load()
    raise AttributeError(name)


def register(task: Task) -> Task:
    """Add a task to the registry (a test may register its own and remove it after)."""
    _load()[task.key] = task
    return task


def unregister(key: str) -> None:
    """Remove a task from the registry."""
    _load().pop(key, None)


def get_task(key: str) -> Task:
    """The task called ``key``; NoData in one sentence when there is none."""
    tasks = _load()
    try:
        return tasks[key]
    except KeyError:
        raise NoData(
            f"IntentLens cannot train “{key}”: choose one of {', '.join(sorted(tasks))}."
        ) from None
