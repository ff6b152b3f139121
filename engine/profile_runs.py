"""Customer profiles and segments as a project task: load events, train, save, look up, export.

The GUI's Train and Segments pages and the CLI's ``train profiles`` / ``export segments`` call
these, so a click and a command do exactly the same thing. The saved run holds the segments
(described in plain words) in its metrics and, per customer, the segment and a 2-D map position
in its outputs.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from engine.exports import check_target, write_csv
from engine.intent_runs import NoData, as_of_problem
from engine.profiles import ProfileConfig, ProfileEpoch, ProfileResult, Segment, train_profiles
from storage.project import Project
from storage.queries import events_frame, overview
from storage.runs import RunInfo, active_run, customer_id_for_key, run_outputs, save_run

TASK = "profiles"
INTENT_TASK = "intent"

#: The CSV contract of ``export segments``; ``intent_score`` is appended when an intent run exists.
SEGMENT_COLUMNS = ("customer", "segment_id", "segment_name")

__all__ = [
    "SEGMENT_COLUMNS",
    "TASK",
    "NoData",
    "ProfilesSaved",
    "active_profiles",
    "customer_segment",
    "export_segments",
    "segments_of",
    "train_and_save",
    "trait_kind",
]


@dataclass(frozen=True)
class ProfilesSaved:
    """The last report of a profiles run: it is saved in the project under ``run_id``."""

    run_id: int
    result: ProfileResult


def trait_kind(label: str) -> str:
    """How a trait's numbers read: ``percent`` (a share 0..1), ``money`` or ``number``."""
    if label.startswith("typical "):
        return "money"
    if label in ("views per purchase", "purchase days per customer"):
        return "number"
    return "percent"


def segment_dict(segment: Segment) -> dict[str, Any]:
    """A segment in the JSON form kept in the run's metrics (and returned by ``segments_of``)."""
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


def intent_scores(project: Project) -> pd.Series | None:
    """The active intent run's scores by customer id (None when no intent model exists)."""
    run = active_run(project, INTENT_TASK)
    if run is None:
        return None
    out = run_outputs(project, run.id)
    if out.empty:
        return None
    return pd.Series(
        out["score"].to_numpy(dtype=np.float64),
        index=out["customer_id"].to_numpy(dtype=np.int64),
        name="intent",
    )


def _state_bytes(state_dict: dict[str, Any]) -> bytes:
    import torch

    buf = io.BytesIO()
    torch.save({k: v.detach().cpu() for k, v in state_dict.items()}, buf)
    return buf.getvalue()


def train_and_save(
    project: Project,
    config: ProfileConfig,
    *,
    should_stop: Callable[[], bool] = lambda: False,
) -> Iterator[ProfileEpoch | ProfileResult | ProfilesSaved]:
    """Learn profiles and segments on the project's events up to ``config.as_of_ms``; yield the
    epochs and the result, save the run (it becomes the active profiles run), end with
    ProfilesSaved.

    When a purchase-intent model exists, its scores give each segment an average intent (a
    description of today's customers, whatever date that model was trained on). A stopped run
    yields no result and saves nothing.
    """
    if overview(project).events == 0:
        raise NoData("The project has no events yet: import your shop's behavior log first.")
    problem = as_of_problem(project, config.as_of_ms)
    if problem is not None:
        # Recency and tenure are measured from the as-of date: one in 2099 makes every
        # customer look long gone.
        raise NoData(f"The as-of date cannot be used: {problem}.")
    events = events_frame(project, until_ms=config.as_of_ms)
    if events["customer_id"].nunique() < 3:
        raise NoData(
            "Segments need at least 3 customers with events before the as-of date: "
            "choose a later date or import more data."
        )
    result: ProfileResult | None = None
    started = time.perf_counter()
    for report in train_profiles(
        events, config, should_stop=should_stop, intent_scores=intent_scores(project)
    ):
        if isinstance(report, ProfileResult):
            result = report
        yield report
    if result is None:
        return
    as_of_ms = config.as_of_ms if config.as_of_ms is not None else int(events["time_ms"].max())
    settings = {**result.config, "as_of_ms": as_of_ms}
    outputs = pd.DataFrame(
        {
            "customer_id": result.customer_ids.astype(np.int64),
            "segment": result.labels.astype(np.int64),
            "x": result.map_2d[:, 0].astype(np.float64),
            "y": result.map_2d[:, 1].astype(np.float64),
        }
    )
    # The whole run: both networks, the segment search and the descriptions.
    seconds = time.perf_counter() - started
    run_id = save_run(
        project,
        TASK,
        status="done",
        settings=settings,
        history={
            "epochs": [
                {
                    "epoch": e.epoch,
                    "train_loss": e.train_loss,
                    "valid_loss": e.valid_loss,
                    "elapsed_s": e.elapsed_s,
                }
                for e in result.history
            ]
        },
        metrics={
            "segments": [segment_dict(s) for s in result.segments],
            "method": result.method,
            "stability_ari": result.stability_ari,
            "silhouette": result.silhouette,
            "comparison": result.comparison,
            "customers": len(result.customer_ids),
            "feature_names": result.feature_names,
        },
        summary=(
            f"{len(result.segments)} segments of {len(result.customer_ids):,} customers "
            f"({result.method}; stability {result.stability_ari:.2f}, "
            f"silhouette {result.silhouette:.2f})"
        ),
        seconds=float(seconds),
        warm_started=False,
        weights=_state_bytes(result.state_dict),
        outputs=outputs,
    )
    yield ProfilesSaved(run_id, result)


def active_profiles(project: Project) -> RunInfo | None:
    """The active profiles run, if any."""
    return active_run(project, TASK)


def segments_of(project: Project) -> list[dict[str, Any]] | None:
    """The active profiles run's segments (dicts as in ``segment_dict``), or None without one."""
    run = active_profiles(project)
    if run is None:
        return None
    segments: list[dict[str, Any]] = run.metrics.get("segments", [])
    return segments


def customer_segment(project: Project, customer: int | str) -> tuple[int, str] | None:
    """(segment id, segment name) of one customer (internal id, or the key as the shop knows
    it) in the active profiles run; None when there is no run or the customer is not in it."""
    run = active_profiles(project)
    if run is None:
        return None
    cid = customer if isinstance(customer, int) else customer_id_for_key(project, customer)
    if cid is None:
        return None
    out = run_outputs(project, run.id)
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
    """Write customer, segment_id, segment_name (and intent_score when an intent model exists)
    for every customer of the active profiles run, or of one segment; returns the row count.

    Rows go segment by segment; inside a segment the likeliest buyers come first when there are
    intent scores.
    """
    check_target(out, project)
    run = active_profiles(project)
    if run is None:
        raise NoData("There are no segments yet: train customer profiles first.")
    names = {int(s["id"]): str(s["name"]) for s in run.metrics.get("segments", [])}
    if segment is not None and segment not in names:
        raise NoData(
            f"There is no segment {segment}: the segments are "
            f"{', '.join(str(k) for k in sorted(names))}."
        )
    frame = run_outputs(project, run.id)[["customer_id", "key", "segment"]]
    frame = frame[frame["segment"].notna()].copy()
    frame["segment"] = frame["segment"].astype(np.int64)
    if segment is not None:
        frame = frame[frame["segment"] == segment]
    scores = intent_scores(project)
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
