"""Model runs: settings, curves, metrics and weights of every training, and per-customer outputs.

Weights are stored as bytes written by ``torch.save(state_dict)`` and must be read with
``torch.load(weights_only=True)``: opening someone's project never runs their code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select, update

from storage import schema
from storage.imports import utc_now_iso
from storage.project import Project
from storage.queries import read_frame


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


def save_run(
    project: Project,
    task: str,
    *,
    status: str,
    settings: dict[str, Any],
    history: dict[str, Any],
    metrics: dict[str, Any],
    summary: str,
    seconds: float,
    warm_started: bool,
    weights: bytes | None,
    outputs: pd.DataFrame | None = None,
    activate: bool = True,
) -> int:
    """Save a run and its per-customer outputs in one transaction; returns the run id.

    ``outputs`` has a ``customer_id`` column and any of ``score``, ``rank``, ``segment``,
    ``x``, ``y``. With ``activate`` the run becomes the task's active model.
    """
    # A full disk, a read-only file or a busy project: storage.project says so in a sentence.
    runs = schema.model_runs
    with project.begin() as conn:
        if activate:
            conn.execute(update(runs).where(runs.c.task == task).values(active=0))
        run_id = conn.execute(
            runs.insert().values(
                task=task,
                created_at=utc_now_iso(),
                status=status,
                active=int(activate),
                settings=json.dumps(settings, default=str),
                history=json.dumps(history, default=float),
                metrics=json.dumps(metrics, default=float),
                summary=summary,
                seconds=seconds,
                warm_started=int(warm_started),
                weights=weights,
            )
        ).inserted_primary_key
        assert run_id is not None
        rid = int(run_id[0])
        if outputs is not None and len(outputs):
            cols = ["customer_id", "score", "rank", "segment", "x", "y"]
            frame = pd.DataFrame({c: outputs.get(c, np.nan) for c in cols})
            rows = [
                (rid, *(None if (isinstance(v, float) and np.isnan(v)) else v for v in r))
                for r in frame.astype(object).itertuples(index=False, name=None)
            ]
            conn.exec_driver_sql(
                "INSERT INTO customer_scores (run_id, customer_id, score, rank, segment, x, y) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            ) if conn.dialect.paramstyle == "qmark" else conn.execute(
                schema.customer_scores.insert(),
                [dict(zip(["run_id", *cols], r, strict=True)) for r in rows],
            )
    return rid


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
    runs = schema.model_runs
    with project.connect() as conn:
        row = conn.execute(
            select(*_RUN_COLUMNS)
            .where(runs.c.task == task, runs.c.active == 1)
            .order_by(runs.c.id.desc())
            .limit(1)
        ).first()
    return None if row is None else _info(row)


def set_active(project: Project, run_id: int) -> None:
    """Make a run the active model of its task."""
    runs = schema.model_runs
    with project.begin() as conn:
        task = conn.execute(select(runs.c.task).where(runs.c.id == run_id)).scalar_one()
        conn.execute(update(runs).where(runs.c.task == task).values(active=0))
        conn.execute(update(runs).where(runs.c.id == run_id).values(active=1))


def run_weights(project: Project, run_id: int) -> bytes | None:
    """The saved state_dict bytes of a run."""
    with project.connect() as conn:
        value = conn.execute(
            select(schema.model_runs.c.weights).where(schema.model_runs.c.id == run_id)
        ).scalar_one_or_none()
    return None if value is None else bytes(value)


def run_outputs(project: Project, run_id: int) -> pd.DataFrame:
    """Per-customer outputs of a run: customer_id, key, score, rank, segment, x, y."""
    sql = (
        "SELECT s.customer_id, c.key, s.score, s.rank, s.segment, s.x, s.y "
        "FROM customer_scores s JOIN customers c ON c.id = s.customer_id "
        "WHERE s.run_id = :r ORDER BY s.customer_id"
    )
    return read_frame(
        project,
        sql,
        {"r": run_id},
        {
            "customer_id": "int64",
            "key": "object",
            "score": "float64",
            "rank": "float64",
            "segment": "float64",
            "x": "float64",
            "y": "float64",
        },
    )


def customer_summary(project: Project) -> pd.DataFrame:
    """Per customer: id, key, events, purchases, revenue, first and last event time (ms)."""
    sql = (
        "SELECT c.id AS customer_id, c.key, COUNT(e.id) AS events, "
        "SUM(CASE WHEN e.event = 'purchase' THEN 1 ELSE 0 END) AS purchases, "
        "COALESCE(SUM(e.amount), 0.0) AS revenue, MIN(e.time_ms) AS first_ms, "
        "MAX(e.time_ms) AS last_ms FROM customers c JOIN events e ON e.customer_id = c.id "
        "GROUP BY c.id ORDER BY c.id"
    )
    return read_frame(
        project,
        sql,
        {},
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


def customer_id_for_key(project: Project, key: str) -> int | None:
    """The internal id of a customer key (as shown to the user)."""
    with project.connect() as conn:
        value = conn.execute(
            select(schema.customers.c.id).where(schema.customers.c.key == key)
        ).scalar_one_or_none()
    return None if value is None else int(value)
