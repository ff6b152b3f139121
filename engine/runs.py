"""The one run pipeline of every task: load the events up to the as-of date, warm start, train
through the task, save the run and make it active.

The GUI's Train page and the CLI's ``train <task>`` both call :func:`train`, so a click and a
command do exactly the same thing, for every task in ``engine.tasks.TASKS``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd

from engine import tasks as registry
from engine.dates import day
from engine.events import MS_PER_DAY
from engine.tasks.base import NoData, Progress, RunSaved, RunView, SignalReader, Verdict
from engine.words import tr
from storage.project import Project
from storage.queries import events_frame, overview
from storage.run_writes import save_run, set_active
from storage.runs import (
    RunInfo,
    active_run,
    get_run,
    list_runs,
    run_outputs,
    run_weights,
)


def as_of_problem(project: Project, as_of_ms: int | None) -> str | None:
    """Why an as-of date cannot be used on this project, as the end of a sentence; None if it can.

    The date must be a day of the data: a model learns from what happened up to the as-of
    date and is checked on the days just before it, so a date after the last event leaves
    nothing to check (and measures every customer's recency from a day nobody was seen).
    ``engine.dates.parse_date`` makes a bare date the end of its day, so the first and the
    last day of the data both work.
    """
    if as_of_ms is None:
        return None
    totals = overview(project)
    if totals.first_ms is None or totals.last_ms is None:
        return None  # no events: load_events says so
    if as_of_ms < totals.first_ms:
        return tr("the data starts on {0}; choose that day or a later one").format(
            day(totals.first_ms)
        )
    if as_of_ms >= (totals.last_ms // MS_PER_DAY + 1) * MS_PER_DAY:
        return tr(
            "the data ends on {0}; choose that day or an earlier one"
        ).format(day(totals.last_ms))
    return None


def load_events(project: Project, as_of_ms: int | None) -> pd.DataFrame:
    """The event frame up to the as-of date (nothing after it is even read)."""
    if overview(project).events == 0:
        raise NoData(tr("The project has no events yet: import your shop's behavior log first."))
    return events_frame(project, until_ms=as_of_ms)


#: The event frame the last data check read: (project, events, last event, as-of) -> frame.
_checked: dict[tuple[str, int, int | None, int | None], pd.DataFrame] = {}


def data_check(project: Project, key: str, config: Any) -> Verdict:
    """Whether the project's data is enough for task ``key`` with these settings: the task's
    own check (``Task.check``) with its live counts, before any training starts.

    The events read are kept for the next check of the same data and as-of date (the Train
    page checks again as settings change); an import or another as-of date reads afresh.
    """
    task = registry.get_task(key)
    as_of_ms = getattr(config, "as_of_ms", None)
    problem = as_of_problem(project, as_of_ms)
    if problem is not None:
        return Verdict(False, tr("The as-of date cannot be used: {0}.").format(problem))
    totals = overview(project)
    if totals.events == 0:
        return Verdict(False, tr("The project has no events yet: import your shop's behavior "
                                 "log first."))
    ident = (str(project.location), int(totals.events), totals.last_ms, as_of_ms)
    events = _checked.get(ident)
    if events is None:
        events = load_events(project, as_of_ms)
        _checked.clear()  # one frame at most: a big shop's log is not kept twice
        _checked[ident] = events
    try:
        return task.check(events, config)
    except (NoData, ValueError) as exc:
        return Verdict(False, str(exc))


def signal_reader(project: Project) -> SignalReader:
    """What a task reads from other tasks' active runs by signal name (e.g. the purchase
    probability per customer), whichever task provides it; None when none does."""
    return lambda signal: read_signal(project, signal)


def read_signal(project: Project, signal: str, customer_id: int | None = None
                ) -> pd.Series | None:
    """A signal by customer id from the active run of the task that provides it (None when no
    task's run does); with ``customer_id`` only that customer's value (one indexed read;
    None when the run has none for them)."""
    for task in registry.TASKS.values():
        name = task.signals.get(signal)
        run = active_run(project, task.key) if name else None
        if name is None or run is None:
            continue
        out = run_outputs(project, run.id, customer_id=customer_id, names=(name,))
        if out.empty:
            return None
        return pd.Series(
            out[name].to_numpy(dtype="float64"),
            index=out["customer_id"].to_numpy(dtype="int64"),
            name=signal,
        )
    return None


def train(
    project: Project,
    key: str,
    config: Any,
    *,
    should_stop: Callable[[], bool] = lambda: False,
    warm_start: bool = False,
    keep_on_stop: Callable[[], bool] = lambda: True,
    activate: bool = True,
) -> Iterator[Progress | RunSaved]:
    """Train task ``key`` on the project; yield its progress, save the run, end with RunSaved.

    With ``warm_start`` (where the task supports it) training begins from the active run's
    weights. When the user stops the run, what the task kept is saved if ``keep_on_stop()``
    says so (asked at that moment). Raises NoData with a sentence when the project cannot
    give the task what it needs.
    """
    task = registry.get_task(key)
    as_of_ms = getattr(config, "as_of_ms", None)
    problem = as_of_problem(project, as_of_ms)
    if problem is not None:
        raise NoData(tr("The as-of date cannot be used: {0}.").format(problem))
    _preload(task.heavy_modules)
    # The Train page's data check has usually just read these very events: training takes
    # that frame over (a second read of a big shop's log cost as long as the first).
    totals = overview(project)
    events = _checked.pop((str(project.location), int(totals.events), totals.last_ms, as_of_ms),
                          None)
    _checked.clear()
    started = time.perf_counter()
    expected = _last_prepare_seconds(project, key)

    def preparing(message: str) -> Progress:
        elapsed = time.perf_counter() - started
        return Progress(key, "prepare", elapsed_s=elapsed, message=message,
                        eta_s=max(expected - elapsed, 0.0) if expected else math.nan)

    if events is None:
        yield preparing(tr("Reading the events…"))
        events = load_events(project, as_of_ms)
    yield preparing(tr("Building each customer's history from {0:,} events…").format(
        len(events)))
    warm_state = None
    if warm_start and task.supports_warm_start:
        current = active_run(project, key)
        blob = None if current is None else run_weights(project, current.id)
        if current is not None and blob is not None:
            warm_state = task.warm_state(current, blob, config, events)
    result = None
    prepared_s: float | None = None  # until the first batch or epoch: what "preparing" took
    reports = task.train(
        events, config, should_stop=should_stop, warm_state=warm_state,
        signal=signal_reader(project),
    )
    # The task holds the frame now, as long as it needs it: a task that builds its own data
    # from it (purchase intent) lets a big shop's log go before training.
    del events
    for report in reports:
        if isinstance(report, Progress):
            if prepared_s is None and report.step in ("batch", "epoch"):
                prepared_s = time.perf_counter() - started
            yield report
        else:
            result = report
    if result is None:
        return
    seconds = time.perf_counter() - started  # the whole training, as the user waited for it
    record = task.record(result)
    if record.status == "stopped" and not keep_on_stop():
        return
    run_id = save_run(
        project,
        key,
        status=record.status,
        settings=record.settings,
        history={**record.history, "record_version": record.version,
                 **({} if prepared_s is None else {"prepare_seconds": round(prepared_s, 2)})},
        metrics=record.metrics,
        summary=record.summary,
        seconds=seconds,
        warm_started=record.warm_started,
        weights=record.weights,
        outputs=record.outputs,
        activate=activate,
    )
    run = get_run(project, run_id)
    assert run is not None
    yield RunSaved(key, run_id, result, task.describe(run))


def _preload(modules: tuple[str, ...]) -> None:
    """Import a task's heavy modules on a second thread: torch and scikit-learn take seconds to
    import, and the events read meanwhile releases the GIL while it fetches. The training's own
    imports then find them loaded (or wait for the import under way); an import that fails
    here fails again there, with its message."""
    import importlib
    import threading

    def load() -> None:
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - the training's own import reports it
                return

    if modules:
        threading.Thread(target=load, name="intentlens-preload", daemon=True).start()


def _last_prepare_seconds(project: Project, key: str) -> float:
    """How long the latest run of the task took to prepare its data on this project (0 when no
    run says): the estimate the next run shows while it prepares."""
    for run in list_runs(project, key):
        seconds = run.history.get("prepare_seconds")
        if isinstance(seconds, int | float) and math.isfinite(seconds) and seconds > 0:
            return float(seconds)
    return 0.0


def make_active(project: Project, run_id: int) -> RunInfo:
    """Make a run the active model of its task; returns the run as saved now."""
    set_active(project, run_id)
    run = get_run(project, run_id)
    if run is None:
        raise NoData(tr("There is no run {0} in this project.").format(run_id))
    return run


def describe(run: RunInfo) -> RunView | None:
    """What a saved run says, by its own task (None for a task this version does not know)."""
    task = registry.TASKS.get(run.task)
    return None if task is None else task.describe(run)


def headline(run: RunInfo) -> str:
    """The run history's one line for a run, with its flags (active, warm start, …)."""
    view = describe(run)
    text = view.headline if view is not None else run.summary
    flags = []
    if run.active:
        flags.append(tr("active"))
    if run.warm_started:
        flags.append(tr("warm start"))
    if run.status == "stopped":
        flags.append(tr("stopped"))
    if run.stale:
        flags.append(tr("out of date: a customer was forgotten"))
    return text + (f" ({', '.join(flags)})" if flags else "")


def task_title(key: str) -> str:
    """The short name of a task as the run history shows it."""
    task = registry.TASKS.get(key)
    return tr(task.short_title) if task is not None else key
