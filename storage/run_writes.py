"""Writing model runs: a run and its outputs in one transaction, and which run is active.

The GUI never imports this module (an import-linter contract): it reads through ``storage.runs``
and the engine's read models, and every write goes through the engine on a worker thread.
A full disk, a read-only file or a busy project: ``storage.project`` says so in a sentence.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select, update

from storage import dialect, schema
from storage.imports import utc_now_iso
from storage.project import Project

#: Columns of a long outputs frame that say whom or what a value is about (besides ``name``).
OUTPUT_KEYS = ("customer_id", "item_id", "period")


def long_outputs(outputs: pd.DataFrame) -> pd.DataFrame:
    """Outputs in the long form (customer_id, item_id, item, period, name, value).

    A frame with a ``name`` column is long already; otherwise every column other than the keys
    (and ``key``/``item``, the names shown to users) is one output name, one row per cell
    that holds a number. In a long frame, ``item`` may name items by their key (the shop's
    item id, as the event frame does) instead of ``item_id``: ``save_run`` looks the ids up.
    """
    if "name" in outputs.columns:
        frame = outputs
    else:
        keys = [c for c in OUTPUT_KEYS if c in outputs.columns]
        values = [c for c in outputs.columns if c not in (*OUTPUT_KEYS, "key", "item")]
        frame = outputs[keys + values].melt(id_vars=keys, var_name="name", value_name="value")
        frame = frame[frame["value"].notna()]
    n = len(frame)
    return pd.DataFrame(
        {
            "customer_id": frame["customer_id"] if "customer_id" in frame else [None] * n,
            "item_id": frame["item_id"] if "item_id" in frame else [None] * n,
            "item": frame["item"] if "item" in frame and "name" in outputs else [None] * n,
            "period": frame["period"] if "period" in frame else [None] * n,
            "name": frame["name"].astype(str),
            "value": pd.to_numeric(frame["value"], errors="coerce").astype(np.float64),
        },
        index=frame.index,
    )


def _column(values: pd.Series, whole: bool) -> list[Any]:
    """A frame column as database values: None for missing, plain ints or floats or text."""
    if whole:
        numbers = pd.to_numeric(values, errors="coerce")
        return [None if v != v else int(v) for v in numbers.to_numpy(dtype=np.float64).tolist()]
    if values.dtype.kind == "f":
        return [None if v != v else v for v in values.to_numpy(dtype=np.float64).tolist()]
    return [None if v is None or v != v else str(v) for v in values.astype(object).tolist()]


def _output_rows(conn: Any, rid: int, frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    """(run_id, customer_id, item_id, period, name, value) per output row, item keys turned
    into item ids (an item the project does not hold stays without one)."""
    item_id = frame["item_id"]
    if frame["item"].notna().any():
        ids = dict(conn.execute(select(schema.items.c.key, schema.items.c.id)).all())
        looked_up = frame["item"].map(ids)
        item_id = item_id.where(item_id.notna(), looked_up)
    columns = [
        _column(frame["customer_id"], True),
        _column(item_id, True),
        _column(frame["period"], False),
        frame["name"].astype(str).tolist(),
        _column(frame["value"], False),
    ]
    return [(rid, *row) for row in zip(*columns, strict=True)]


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
    """Save a run and its outputs in one transaction; returns the run id.

    ``outputs`` is long (customer_id, item_id, period, name, value; see ``long_outputs``) or
    wide with one column per output name. With ``activate`` the run becomes the task's active
    model. A full disk, a read-only file or a busy project: storage.project says so in a sentence.
    """
    runs = schema.model_runs
    frame = long_outputs(outputs) if outputs is not None and len(outputs) else None
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
        if frame is not None:
            # Plain DB-API executemany of tuples (COPY on PostgreSQL): SQLAlchemy's per-row
            # dicts took about 100 s for the 1.3 million outputs of a 20,000-customer
            # recommendation run.
            dialect.insert_rows(
                conn,
                "run_outputs",
                ("run_id", "customer_id", "item_id", "period", "name", "value"),
                _output_rows(conn, rid, frame),
            )
    return rid


def set_active(project: Project, run_id: int) -> None:
    """Make a run the active model of its task."""
    runs = schema.model_runs
    with project.begin() as conn:
        task = conn.execute(select(runs.c.task).where(runs.c.id == run_id)).scalar_one()
        conn.execute(update(runs).where(runs.c.task == task).values(active=0))
        conn.execute(update(runs).where(runs.c.id == run_id).values(active=1))
