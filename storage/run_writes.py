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

from storage import schema
from storage.imports import utc_now_iso
from storage.project import Project

#: Columns of a long outputs frame that say whom or what a value is about (besides ``name``).
OUTPUT_KEYS = ("customer_id", "item_id", "period")


def long_outputs(outputs: pd.DataFrame) -> pd.DataFrame:
    """Outputs in the long form (customer_id, item_id, period, name, value).

    A frame with a ``name`` column is long already; otherwise every column other than the keys
    (and ``key``/``item``, the names shown to users) is one output name, one row per cell
    that holds a number.
    """
    if "name" in outputs.columns:
        frame = outputs
    else:
        keys = [c for c in OUTPUT_KEYS if c in outputs.columns]
        values = [c for c in outputs.columns if c not in (*OUTPUT_KEYS, "key", "item")]
        frame = outputs[keys + values].melt(id_vars=keys, var_name="name", value_name="value")
        frame = frame[frame["value"].notna()]
    return pd.DataFrame(
        {
            "customer_id": frame.get("customer_id"),
            "item_id": frame.get("item_id"),
            "period": frame.get("period"),
            "name": frame["name"].astype(str),
            "value": pd.to_numeric(frame["value"], errors="coerce").astype(np.float64),
        }
    )


def _cell(value: Any) -> Any:
    """A frame cell as a database value: NaN and None are NULL, numpy numbers plain Python."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


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
    rows: list[tuple[Any, ...]] = []
    if outputs is not None and len(outputs):
        frame = long_outputs(outputs).astype(object)
        rows = [tuple(_cell(v) for v in r) for r in frame.itertuples(index=False, name=None)]
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
        if rows:
            conn.execute(
                schema.run_outputs.insert(),
                [
                    dict(zip(("run_id", *OUTPUT_KEYS, "name", "value"), (rid, *r), strict=True))
                    for r in rows
                ],
            )
    return rid


def set_active(project: Project, run_id: int) -> None:
    """Make a run the active model of its task."""
    runs = schema.model_runs
    with project.begin() as conn:
        task = conn.execute(select(runs.c.task).where(runs.c.id == run_id)).scalar_one()
        conn.execute(update(runs).where(runs.c.task == task).values(active=0))
        conn.execute(update(runs).where(runs.c.id == run_id).values(active=1))
