"""What the Segments page shows, read off the GUI thread: the active profiles run, its segments
and every customer's segment and map position."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from engine.profiles.read import TASK
from storage.project import Project
from storage.queries import item_names
from storage.runs import RunInfo, active_run, run_outputs

#: At most this many customers are drawn on the map (a random sample beyond it).
MAX_POINTS = 50_000


@dataclass(frozen=True)
class SegmentsData:
    """What the page shows, read off the GUI thread: the run, its segments and, per customer,
    id, key, segment and map position; ``shown`` indexes the customers drawn on the map."""

    run: RunInfo | None
    segments: list[dict[str, Any]] = field(default_factory=list)
    customer_ids: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    keys: npt.NDArray[np.object_] = field(default_factory=lambda: np.zeros(0, object))
    labels: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    x: npt.NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    y: npt.NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    shown: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    item_names: dict[str, str] = field(default_factory=dict)


def load_segments(project: Project, max_points: int = MAX_POINTS) -> SegmentsData:
    """Read the active profiles run (None-filled data when there is none)."""
    run = active_run(project, TASK)
    if run is None:
        return SegmentsData(run=None)
    out = run_outputs(project, run.id)
    out = out[out["segment"].notna() & out["x"].notna() & out["y"].notna()]
    n = len(out)
    if n > max_points:
        # A fixed seed: the same customers stay on the map every time the page is opened.
        shown = np.sort(np.random.default_rng(0).choice(n, max_points, replace=False))
    else:
        shown = np.arange(n)
    return SegmentsData(
        run=run,
        segments=list(run.metrics.get("segments", [])),
        customer_ids=out["customer_id"].to_numpy(dtype=np.int64),
        keys=out["key"].to_numpy(dtype=object),
        labels=out["segment"].to_numpy(dtype=np.int64),
        x=out["x"].to_numpy(dtype=np.float64),
        y=out["y"].to_numpy(dtype=np.float64),
        shown=shown.astype(np.int64),
        item_names=item_names(
            project,
            sorted({str(i) for seg in run.metrics.get("segments", [])
                    for i, _n in seg.get("top_items", [])}),
        ),
    )
