"""Model runs: settings, curves, metrics and weights of every training, and their outputs.

Weights are stored as bytes written by ``torch.save(state_dict)`` and must be read with
``torch.load(weights_only=True)``: opening someone's project never runs their code.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, text

from storage import schema
from storage.project import Project
from storage.queries import read_frame

if TYPE_CHECKING:  # the frames' functions import pandas: a one-customer read needs none
    import pandas as pd


@dataclass(frozen=True)
class RunInfo:
    """One training run as saved in the project."""

    id: int
    task: str
    created_at: str
    status: str
    active: bool
    settings: dict[str, Any]
    history: dict[str, Any]
    metrics: dict[str, Any]
    summary: str
    seconds: float
    warm_started: bool
    stale: bool = False  # a customer it was trained on has been forgotten since


_RUN_COLUMNS = (
    schema.model_runs.c.id,
    schema.model_runs.c.task,
    schema.model_runs.c.created_at,
    schema.model_runs.c.status,
    schema.model_runs.c.active,
    schema.model_runs.c.settings,
    schema.model_runs.c.history,
    schema.model_runs.c.metrics,
    schema.model_runs.c.summary,
    schema.model_runs.c.seconds,
    schema.model_runs.c.warm_started,
    schema.model_runs.c.stale,
)


def _json_object(text: Any) -> dict[str, Any]:
    """A stored JSON object; damaged text reads as empty, so one damaged run never hides the
    others (the engine checks a run's settings before it uses them)."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def _info(row: Any) -> RunInfo:
    return RunInfo(
        id=int(row[0]),
        task=str(row[1]),
        created_at=str(row[2]),
        status=str(row[3]),
        active=bool(row[4]),
        settings=_json_object(row[5]),
        history=_json_object(row[6]),
        metrics=_json_object(row[7]),
        summary=str(row[8] or ""),
        seconds=float(row[9] or 0.0),
        warm_started=bool(row[10]),
        stale=bool(row[11]),
    )


def list_runs(project: Project, task: str | None = None) -> list[RunInfo]:
    """Runs, newest first (of one task when given)."""
    stmt = select(*_RUN_COLUMNS).order_by(schema.model_runs.c.id.desc())
    if task is not None:
        stmt = stmt.where(schema.model_runs.c.task == task)
    with project.connect() as conn:
        return [_info(r) for r in conn.execute(stmt)]


def get_run(project: Project, run_id: int) -> RunInfo | None:
    """One run by id."""
    with project.connect() as conn:
        row = conn.execute(
            select(*_RUN_COLUMNS).where(schema.model_runs.c.id == run_id)
        ).one_or_none()
    return None if row is None else _info(row)


def active_run(project: Project, task: str) -> RunInfo | None:
    """The run whose model is in use for a task.

    Saving and activating leave one active run per task; should a damaged or hand-edited
    project mark several, the newest of them is the one in use (never an error).
    """
    memo = _read_once.get()
    key = ("active", str(project.location), task)
    if memo is not None and key in memo:
        return memo[key]  # type: ignore[no-any-return]
    runs = schema.model_runs
    with project.connect() as conn:
        row = conn.execute(
            select(*_RUN_COLUMNS)
            .where(runs.c.task == task, runs.c.active == 1)
            .order_by(runs.c.id.desc())
            .limit(1)
        ).first()
    info = None if row is None else _info(row)
    if memo is not None:
        memo[key] = info
    return info


def run_weights(project: Project, run_id: int) -> bytes | None:
    """The saved state_dict bytes of a run."""
    with project.connect() as conn:
        value = conn.execute(
            select(schema.model_runs.c.weights).where(schema.model_runs.c.id == run_id)
        ).scalar_one_or_none()
    return None if value is None else bytes(value)


#: What was already read in this context (``read_once``): whole runs' outputs by project and
#: run, each task's active run by project and task.
_read_once: ContextVar[dict[tuple[str, ...] | tuple[str, int], Any] | None] = ContextVar(
    "intentlens_read_once", default=None)


@contextmanager
def read_once() -> Iterator[None]:
    """Within it, a run's outputs (all customers) and each task's active run are read from the
    project once: a second ``run_outputs`` of the same run gets a copy of the first read, a
    second ``active_run`` the same run. For work that reads several tasks' views of the same
    runs and writes nothing meanwhile (the Customers table read one intent run twice, 4 s each
    at 1,000,000 customers; a customer's card asked for the active runs nine times)."""
    token = _read_once.set({})
    try:
        yield
    finally:
        _read_once.reset(token)


def run_outputs(
    project: Project,
    run_id: int,
    *,
    customer_id: int | None = None,
    names: tuple[str, ...] = (),
) -> pd.DataFrame:
    """A run's outputs, one row per customer (and item, period where the run has them):
    ``customer_id``, ``key`` (the customer as the shop knows it), ``item`` and ``period`` when
    present, then one float column per output name (``names`` are there even when empty).

    With ``customer_id`` only that customer's rows are read: one indexed query.
    """
    import numpy as np

    memo = _read_once.get() if customer_id is None else None
    if memo is None:
        return _run_outputs(project, run_id, customer_id=customer_id, names=names)
    key = (str(project.location), int(run_id))
    if key not in memo:
        memo[key] = _run_outputs(project, run_id, customer_id=None, names=())
    wide = memo[key].copy()
    for name in names:
        if name not in wide.columns:
            wide[name] = np.nan
    return wide


def _run_outputs(
    project: Project,
    run_id: int,
    *,
    customer_id: int | None = None,
    names: tuple[str, ...] = (),
) -> pd.DataFrame:
    """``run_outputs`` as read from the project."""
    import numpy as np
    import pandas as pd

    sql = (
        "SELECT o.customer_id, c.key, i.key AS item, o.period, o.name, o.value "
        "FROM run_outputs o LEFT JOIN customers c ON c.id = o.customer_id "
        "LEFT JOIN items i ON i.id = o.item_id WHERE o.run_id = :r"
    )
    params: dict[str, object] = {"r": run_id}
    if customer_id is not None:
        sql += " AND o.customer_id = :c"
        params["c"] = customer_id
    long = read_frame(
        project,
        sql,
        params,
        {"customer_id": "float64", "key": "object", "item": "object", "period": "object",
         "name": "object", "value": "float64"},
    )
    long["value"] = pd.to_numeric(long["value"], errors="coerce")  # a damaged cell reads NaN
    index = ["customer_id", "key"] + [c for c in ("item", "period") if long[c].notna().any()]
    if customer_id is not None and len(index) == 2:  # one customer's outputs: one row
        return _one_row(long, customer_id, names)
    if long.empty:
        wide = pd.DataFrame({c: pd.Series(dtype="object") for c in index})
    else:
        keyed = long.assign(**{c: long[c].fillna(_NONE) for c in index})
        wide = (
            keyed.groupby([*index, "name"], sort=False)["value"].first()
            .unstack("name").reset_index()
        )
        wide.columns.name = None
        for c in index:
            wide[c] = wide[c].where(wide[c] != _NONE, None)
    for name in names:
        if name not in wide.columns:
            wide[name] = np.nan
    if wide["customer_id"].notna().all():
        wide["customer_id"] = wide["customer_id"].astype(np.int64)
    return wide.sort_values(index[:1] + index[2:], kind="stable").reset_index(drop=True)


def _one_row(long: pd.DataFrame, customer_id: int, names: tuple[str, ...]) -> pd.DataFrame:
    """One customer's customer-level outputs as one row (no pivot: a click costs milliseconds)."""
    import numpy as np
    import pandas as pd

    if long.empty:
        columns: dict[str, Any] = {"customer_id": pd.Series(dtype="int64"),
                                   "key": pd.Series(dtype="object")}
        columns.update({n: pd.Series(dtype="float64") for n in names})
        return pd.DataFrame(columns)
    row: dict[str, Any] = {"customer_id": [int(customer_id)], "key": [long["key"].iloc[0]]}
    row.update({n: [np.nan] for n in names})
    for name, value in zip(long["name"], long["value"], strict=True):
        row[str(name)] = [float(value)]
    return pd.DataFrame(row)


#: Stands for "none" in a key column while outputs are pivoted (pandas drops missing keys).
_NONE = "\x00none"


def one_customer_outputs(
    project: Project, run_id: int, customer_id: int, names: tuple[str, ...] = ()
) -> dict[str, float] | None:
    """One customer's customer-level outputs of a run by name, as :func:`run_outputs` reads
    them (a damaged cell, or a name in ``names`` the run lacks, reads NaN); None when the run
    has no output for this customer. One indexed query and no pandas: what ``lookup`` reads."""
    with project.connect() as conn:
        rows = conn.execute(
            text("SELECT name, value FROM run_outputs WHERE run_id = :r AND customer_id = :c"),
            {"r": run_id, "c": customer_id},
        ).all()
    if not rows:
        return None
    found = dict.fromkeys(names, math.nan)
    for name, value in rows:
        found[str(name)] = _as_float(value)
    return found


def _as_float(value: Any) -> float:
    """A stored number, or NaN for anything else (what ``pd.to_numeric(errors="coerce")``
    makes of a damaged cell)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _summary_sql(where: str) -> str:
    """One row per customer: :func:`customer_summary` and :func:`customer_totals`, from the
    running totals an import keeps (``storage.summary``): hundreds of thousands of rows, not
    every event."""
    # Purchases are orders (baskets), not lines: the lines of one order share its session
    # (the order id); without one, lines at the same moment are one order.
    orders = (
        "(SELECT COUNT(*) FROM summary_orders o WHERE o.customer_id = c.id)"
    )
    return (
        f"SELECT c.id AS customer_id, c.key, s.events, {orders} AS purchases, "
        "s.revenue, s.first_ms, s.last_ms FROM customers c "
        f"JOIN summary_customers s ON s.customer_id = c.id {where}ORDER BY c.id"
    )


@dataclass(frozen=True)
class CustomerTotals:
    """One customer's history in numbers: a row of :func:`customer_summary`."""

    customer_id: int
    key: str
    events: int
    purchases: int
    revenue: float
    first_ms: int
    last_ms: int


def customer_totals(project: Project, customer_id: int) -> CustomerTotals | None:
    """One customer's row of :func:`customer_summary` (None without events): one indexed
    query and no pandas, what ``lookup`` reads."""
    with project.connect() as conn:
        row = conn.execute(text(_summary_sql("WHERE c.id = :c ")), {"c": customer_id}).first()
    if row is None:
        return None
    return CustomerTotals(
        customer_id=int(row.customer_id), key=str(row.key), events=int(row.events),
        purchases=int(row.purchases), revenue=float(row.revenue), first_ms=int(row.first_ms),
        last_ms=int(row.last_ms),
    )


def customer_summary(project: Project, customer_id: int | None = None) -> pd.DataFrame:
    """Per customer: id, key, events, purchases (orders, not order lines), revenue, first and
    last event time (ms).

    With ``customer_id`` only that customer is read (one indexed query, milliseconds on any
    project); without, every customer with events.
    """
    sql = _summary_sql("" if customer_id is None else "WHERE c.id = :c ")
    return read_frame(
        project,
        sql,
        {} if customer_id is None else {"c": customer_id},
        {
            "customer_id": "int64",
            "key": "object",
            "events": "int64",
            "purchases": "int64",
            "revenue": "float64",
            "first_ms": "int64",
            "last_ms": "int64",
        },
    )


def outputs_count(project: Project, run_id: int, name: str) -> int:
    """How many rows of one output name a run has (how many customers it scored)."""
    runs = schema.run_outputs
    with project.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(runs)
                .where(runs.c.run_id == run_id, runs.c.name == name)
            ).scalar_one()
        )


def keys_like(project: Project, key: str, limit: int = 3) -> list[str]:
    """Customer keys equal to ``key`` but for letter case or surrounding spaces (what a typed
    id that found nobody probably meant); read only when the exact key is not there."""
    from sqlalchemy import func

    wanted = key.strip().lower()
    if not wanted:
        return []
    with project.connect() as conn:
        rows = conn.execute(
            select(schema.customers.c.key)
            .where(func.lower(func.trim(schema.customers.c.key)) == wanted)
            .order_by(schema.customers.c.key).limit(limit)
        ).scalars().all()
    return [str(r) for r in rows if str(r) != key]


def customer_id_for_key(project: Project, key: str) -> int | None:
    """The internal id of a customer key (as shown to the user)."""
    with project.connect() as conn:
        value = conn.execute(
            select(schema.customers.c.id).where(schema.customers.c.key == key)
        ).scalar_one_or_none()
    return None if value is None else int(value)
