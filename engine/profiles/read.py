"""Customer profiles read models: the segments of the active run, one customer's segment, and
the segments export. Segments are described in plain words in the run's metrics; per customer the
run stores a segment and a 2-D map position.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from engine.exports import check_target, write_csv
from engine.profiles.segments import Segment
from engine.runs import signal_reader
from engine.tasks.base import NoData
from engine.words import tr
from storage.project import Project
from storage.runs import active_run, customer_id_for_key, run_outputs

TASK = "profiles"

#: The CSV contract of ``export segments``; ``intent_score`` is appended when a purchase-intent
#: model exists.
SEGMENT_COLUMNS = ("customer", "segment_id", "segment_name")


def trait_kind(label: str) -> str:
    """How a trait's numbers read: ``percent`` (a share 0..1), ``money`` or ``number``."""
    if label.startswith("typical "):
        return "money"
    if label in ("views per purchase", "purchase days per customer"):
        return "number"
    return "percent"


def segment_dict(segment: Segment) -> dict[str, Any]:
    """A segment in the JSON form kept in the run's metrics."""
    return {
        "id": segment.id,
        "name": segment.name,
        "description": segment.description,
        "size": segment.size,
        "share": segment.share,
        "revenue_share": segment.revenue_share,
        "avg_intent": segment.avg_intent,
        "top_categories": [[c, v] for c, v in segment.top_categories],
        "top_items": [[i, n] for i, n in segment.top_items],
        "traits": [
            {"label": label, "segment": seg, "overall": overall, "kind": trait_kind(label)}
            for label, seg, overall in segment.traits
        ],
    }


def customer_segment(project: Project, customer: int | str) -> tuple[int, str] | None:
    """(segment id, segment name) of one customer (internal id, or the key as the shop knows
    it) in the active profiles run; None when there is no run or the customer is not in it."""
    run = active_run(project, TASK)
    if run is None:
        return None
    cid = customer if isinstance(customer, int) else customer_id_for_key(project, customer)
    if cid is None:
        return None
    out = run_outputs(project, run.id, customer_id=cid, names=("segment",))
    mine = out.loc[out["customer_id"] == cid, "segment"]
    if mine.empty or pd.isna(mine.iloc[0]):
        return None
    sid = int(mine.iloc[0])
    names = {int(s["id"]): str(s["name"]) for s in run.metrics.get("segments", [])}
    return sid, names.get(sid, f"Segment {sid}")


def export_segments(
    project: Project,
    out: str | Path,
    segment: int | None = None,
    *,
    should_stop: Callable[[], bool] = lambda: False,
) -> int:
    """Write customer, segment_id, segment_name (and intent_score when a purchase-intent model exists)
    for every customer of the active profiles run, or of one segment; returns the row count.

    Rows go segment by segment; inside a segment the likeliest buyers come first when there are
    intent scores.
    """
    check_target(out, project)
    run = active_run(project, TASK)
    if run is None:
        raise NoData(tr("There are no segments yet: train customer profiles first."))
    names = {int(s["id"]): str(s["name"]) for s in run.metrics.get("segments", [])}
    if segment is not None and segment not in names:
        raise NoData(
            f"There is no segment {segment}: the segments are "
            f"{', '.join(str(k) for k in sorted(names))}."
        )
    frame = run_outputs(project, run.id, names=("segment",))[["customer_id", "key", "segment"]]
    frame = frame[frame["segment"].notna()].copy()
    frame["segment"] = frame["segment"].astype(np.int64)
    if segment is not None:
        frame = frame[frame["segment"] == segment]
    scores = signal_reader(project)("purchase_probability")
    columns = list(SEGMENT_COLUMNS)
    if scores is not None:
        columns.append("intent_score")
        frame["intent_score"] = scores.reindex(frame["customer_id"].to_numpy()).to_numpy()
        frame = frame.sort_values(
            ["segment", "intent_score", "customer_id"],
            ascending=[True, False, True],
            na_position="last",
            kind="stable",
        )
    else:
        frame = frame.sort_values(["segment", "customer_id"], kind="stable")
    table = pd.DataFrame(
        {
            "customer": frame["key"].astype(object).to_numpy(),
            "segment_id": frame["segment"].to_numpy(dtype=np.int64),
            "segment_name": [names.get(int(s), "") for s in frame["segment"]],
        }
    )
    if scores is not None:
        table["intent_score"] = frame["intent_score"].to_numpy(dtype=np.float64)
    # write_csv: never over a database, atomically, formulas in ids and names neutralised.
    return write_csv(
        table, out, columns, project=project, float_format="%.6f", should_stop=should_stop
    )
