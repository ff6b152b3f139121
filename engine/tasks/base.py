"""The idea of a task: what every kind of model declares, and the data its clients render.

A task's settings are a config dataclass whose fields carry ``engine.fields.setting`` metadata.

A task (purchase intent, customer profiles, …) is a package with the model and one adapter
module ``engine/tasks/<key>.py`` holding an object that satisfies :class:`Task`. The run pipeline
(``engine.runs``), the CLI and the GUI know only this protocol and the registry
(``engine.tasks.TASKS``), never a task's internals. No Qt and no torch here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import pandas as pd

    from storage.project import Project
    from storage.runs import RunInfo


class NoData(Exception):
    """The project cannot give a task what it needs; the message says what to do."""


# -- what training yields ------------------------------------------------------------------
@dataclass(frozen=True)
class Progress:
    """The one progress report of every task.

    ``step`` says what happened: "note" (``message`` is a sentence, e.g. the data check),
    "batch" (inside an epoch: ``batch`` of ``batches``, a smoothed training loss) or "epoch"
    (``epoch`` of at most ``epochs`` finished). ``losses`` hold "train" and, when validated,
    "valid"; ``metrics`` hold the task's extra curves (intent: "valid_auc"). ``phase`` is the
    stage of the task (intent: "fit", then "refit" on all periods).
    """

    task: str
    step: str
    phase: str = "fit"
    epoch: int = 0
    epochs: int = 0
    batch: int = 0
    batches: int = 0
    losses: Mapping[str, float] = field(default_factory=dict)
    metrics: Mapping[str, float] = field(default_factory=dict)
    elapsed_s: float = math.nan
    eta_s: float = math.nan
    message: str = ""


@dataclass(frozen=True)
class Verdict:
    """Whether the data is enough for a task: ``ok``, one sentence, and the numbers behind it."""

    ok: bool
    message: str
    numbers: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class RunRecord:
    """A finished run in the form every task saves: typed and versioned (the pipeline adds the
    seconds the training took).

    ``outputs`` is a long frame (customer_id, item_id, period, name, value) or a wide one with
    a ``customer_id`` column and one column per output name (see ``storage.run_writes.save_run``).
    """

    version: int
    status: str  # "done" or "stopped"
    settings: dict[str, Any]
    history: dict[str, Any]
    metrics: dict[str, Any]
    summary: str
    warm_started: bool
    weights: bytes | None
    outputs: pd.DataFrame | None


@dataclass(frozen=True)
class RunSaved:
    """The last report of a run: saved in the project as ``run_id``; ``result`` is the task's
    own result object (what it trained), ``view`` what its clients show."""

    task: str
    run_id: int
    result: Any
    view: RunView


# -- what clients render ------------------------------------------------------------------
@dataclass(frozen=True)
class Series:
    """One line of a chart or a curve: a label and its points."""

    label: str
    x: list[float]
    y: list[float]


@dataclass(frozen=True)
class Chart:
    """A small chart of a run's result (ROC, lift, …); ``reference`` is a dashed guide line."""

    title: str
    x_label: str
    y_label: str
    series: list[Series]
    reference: Series | None = None


@dataclass(frozen=True)
class MetricTable:
    """Rows of methods against metric columns; ``None`` cells read "–".

    ``tips`` are hover texts, one list per row with one text per column (the method's column
    first; "" or a short list: no tip), e.g. the bootstrap interval behind an AUC."""

    title: str
    columns: list[str]
    rows: list[tuple[str, list[float | None]]]
    tips: list[list[str]] = field(default_factory=list)


@dataclass(frozen=True)
class RunView:
    """``describe(run)``: the verdict, the metric rows and the curves of one run, as data both
    clients render. ``headline`` is the run history's one line; ``text`` the CLI's lines;
    ``data`` the CLI's JSON object (a contract: keep its keys stable)."""

    task: str
    run_id: int | None
    headline: str
    verdict: str
    losses: list[Series] = field(default_factory=list)
    extra_curves: list[Series] = field(default_factory=list)
    extra_title: str = ""
    table: MetricTable | None = None
    charts: list[Chart] = field(default_factory=list)
    notes: str = ""
    text: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Column:
    """A column a task adds to the customer table: frame column, heading, how it reads
    ("percent", "rank", "number", "money" or "text"), and ``detail``: a frame column of text
    a cell shows on hover (e.g. the range around a number)."""

    key: str
    title: str
    kind: str
    detail: str = ""


@dataclass(frozen=True)
class CardSection:
    """What a task says on one customer's card."""

    task: str
    title: str
    headline: str
    facts: list[str] = field(default_factory=list)
    points_title: str = ""
    #: Sentences with their effect (positive: raised the prediction, negative: lowered it).
    points: list[tuple[str, float]] = field(default_factory=list)
    #: What the points block says when there are none.
    empty_points: str = ""
    as_of_ms: int | None = None


#: A task's named signal for other tasks, by name: e.g. "purchase_probability" -> customer
#: scores. Profiles describe segments with it without knowing which task provides it.
SignalReader = Callable[[str], "pd.Series | None"]


class Task(Protocol):
    """What one kind of model declares. ``train`` yields :class:`Progress` and ends with the
    task's result object; ``record`` turns that result into a :class:`RunRecord`."""

    @property
    def key(self) -> str: ...
    @property
    def title(self) -> str: ...
    #: The run history's name of the task ("Intent").
    @property
    def short_title(self) -> str: ...
    #: The CLI's help line of ``train <key>``.
    @property
    def cli_help(self) -> str: ...
    #: What the CLI prints after a saved run ({run_id} and {project} are filled in).
    @property
    def saved_hint(self) -> str: ...
    #: Words for the extra metrics of its progress reports ("valid_auc" -> "valid AUC").
    @property
    def metric_names(self) -> Mapping[str, str]: ...
    @property
    def config_type(self) -> type: ...
    #: Whether training can start from the active run's weights.
    @property
    def supports_warm_start(self) -> bool: ...
    #: Modules its training imports (torch, scikit-learn…): ``engine.runs.train`` imports them
    #: on a second thread while the events are read, so their seconds overlap the read.
    @property
    def heavy_modules(self) -> tuple[str, ...]: ...
    #: Output names per customer this task stores (also columns of ``run_outputs``).
    @property
    def output_names(self) -> tuple[str, ...]: ...
    #: Names of signals other tasks may read from this task's active run, to output names.
    @property
    def signals(self) -> Mapping[str, str]: ...

    def check(self, events: pd.DataFrame, config: Any) -> Verdict: ...

    def train(
        self,
        events: pd.DataFrame,
        config: Any,
        *,
        should_stop: Callable[[], bool],
        warm_state: Any | None,
        signal: SignalReader,
    ) -> Iterator[Any]: ...

    def warm_state(self, run: RunInfo, weights: bytes, config: Any,
                   events: pd.DataFrame) -> Any | None: ...

    def record(self, result: Any) -> RunRecord: ...

    def describe(self, run: RunInfo) -> RunView: ...

    def columns(self) -> list[Column]: ...

    def table(self, project: Project, run: RunInfo) -> pd.DataFrame: ...

    def card(self, project: Project, run: RunInfo | None, customer_id: int, *,
             explain: bool = True) -> CardSection | None: ...
