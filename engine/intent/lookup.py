"""Purchase intent read models: one customer's score, rank and reasons; the scores export.

Both read the active intent run through one indexed query per customer, so a lookup takes
milliseconds on any project. A lookup imports neither pandas nor torch (unless it explains a
score with the model), so ``python main.py lookup`` starts in a fraction of a second.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.dates import minute
from engine.intent import (
    ModelDamaged,
    Reason,
    check_dates,
    check_settings,
    explain_customer,
    load_checked_state,
)
from engine.intent.weights import plainly_sound
from engine.tasks.base import NoData
from engine.words import tr
from storage.project import Project
from storage.runs import (
    active_run,
    customer_id_for_key,
    customer_totals,
    keys_like,
    one_customer_outputs,
    outputs_count,
    run_outputs,
    run_weights,
)

TASK = "intent"

#: The CSV contract of ``export scores``.
SCORE_COLUMNS = ("customer", "score", "rank", "as_of", "horizon")


@dataclass(frozen=True)
class Lookup:
    """One customer: score, rank, reasons and a history summary."""

    customer: str
    customer_id: int
    score: float | None
    rank: int | None
    customers_scored: int
    top_percent: float | None
    as_of: str | None
    horizon_days: int | None
    events: int
    purchases: int
    revenue: float
    first_seen: str | None
    last_seen: str | None
    reasons: list[Reason]
    #: Whose scores the run serves: "model", or a simple method that ranked buyers as well
    #: (then no event-level reasons: the deep model did not make the score).
    served: str = "model"

    def meaning(self) -> str:
        """The score in words: "Buys within 30 days: 72% likely, top 5% of customers"."""
        if self.score is None or self.horizon_days is None:
            return tr("No intent score yet: train a purchase-intent model first.")
        top = ""
        if self.top_percent is not None and self.top_percent <= 50:
            top = tr(", top {0:.0f}% of customers").format(self.top_percent)
        elif self.top_percent is not None and self.rank is not None:
            # The lower half is said from the bottom: the last customer is not "top 100%".
            bottom = max(1.0, float(math.ceil(
                100.0 * (self.customers_scored - self.rank + 1) / max(1, self.customers_scored))))
            top = tr(", bottom {0:.0f}% of customers").format(bottom)
        return tr("Buys within {0} days: {1:.0%} likely{2}.").format(
            self.horizon_days, self.score, top
        )

    def as_json(self) -> dict[str, Any]:
        """The JSON object of ``lookup --json``."""
        return {
            "customer": self.customer,
            "score": self.score,
            "rank": self.rank,
            "customers_scored": self.customers_scored,
            "top_percent": self.top_percent,
            "as_of": self.as_of,
            "horizon_days": self.horizon_days,
            "meaning": self.meaning(),
            "history": {
                "events": self.events,
                "purchases": self.purchases,
                "revenue": round(self.revenue, 2),
                "first_seen": self.first_seen,
                "last_seen": self.last_seen,
            },
            "reasons": [
                {"time": minute(r.time_ms), "event": r.event, "item": r.item,
                 "category": r.category, "effect": round(r.effect, 4), "text": r.text}
                for r in self.reasons
            ],
        }


def _number(value: object) -> float:
    """A stored number, or NaN when the cell holds anything else (a damaged project)."""
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


def lookup(project: Project, customer: str | int, *, with_reasons: bool = True,
           top: int = 5) -> Lookup:
    """Score, rank, top reasons and history of one customer (by key, or internal id).

    Every read is about this customer only (indexed): milliseconds on any project.
    """
    cid = customer if isinstance(customer, int) else customer_id_for_key(project, customer)
    if cid is None:
        near = keys_like(project, str(customer))
        if near:
            raise NoData(tr("There is no customer “{0}” in this project; did you mean {1}?")
                         .format(customer, tr(" or ").join(f"“{k}”" for k in near)))
        raise NoData(tr("There is no customer “{0}” in this project.").format(customer))
    r = customer_totals(project, cid)
    if r is None:
        raise NoData(tr("Customer “{0}” has no events.").format(customer))
    run = active_run(project, TASK)
    score = rank = None
    scored = 0
    top_pct = None
    reasons: list[Reason] = []
    as_of = horizon = None
    served = "model"
    if run is not None:
        try:
            # A crafted or damaged run is refused before any of it is used: its settings size
            # the model and date the scores.
            check_settings(run.settings)
        except ModelDamaged as exc:
            raise NoData(str(exc)) from exc
        saved = run.history.get("customers_scored")  # runs before it was kept: counted
        scored = (saved if isinstance(saved, int) and not isinstance(saved, bool) and saved > 0
                  else outputs_count(project, run.id, "score"))
        mine = one_customer_outputs(project, run.id, cid, ("score", "rank"))
        as_of = minute(int(run.settings["as_of_ms"]))
        horizon = int(run.settings["horizon_days"])
        served = str(run.history.get("served") or "model")
        if mine is not None:
            score = _number(mine["score"])
            stored_rank = _number(mine["rank"])
            if not (0.0 <= score <= 1.0 and 1 <= stored_rank <= scored):  # NaN fails too
                raise NoData(str(ModelDamaged()))
            rank = int(stored_rank)
            top_pct = max(1.0, float(math.ceil(100.0 * rank / max(1, scored))))
            if with_reasons and served != "model":
                # The deep model did not make this score, so it gives no reasons; its stored
                # weights are still checked: a damaged run is refused the same way. Sound ones
                # are read without torch (seconds to import), which judges only the rest.
                blob = run_weights(project, run.id)
                if blob is not None and not plainly_sound(blob, run.settings):
                    _checked_state(blob, run.settings)
            elif with_reasons:
                reasons = _reasons(project, run.id, run.settings, cid, top)
    return Lookup(
        customer=r.key,
        customer_id=int(cid),
        score=score,
        rank=rank,
        customers_scored=scored,
        top_percent=top_pct,
        as_of=as_of,
        horizon_days=horizon,
        events=r.events,
        purchases=r.purchases,
        revenue=r.revenue,
        first_seen=minute(r.first_ms),
        last_seen=minute(r.last_ms),
        reasons=reasons,
        served=served,
    )


def _check_weights(project: Project, run_id: int, settings: dict[str, Any]) -> Any:
    """The run's checked weights (None when it has none); NoData when they are damaged."""
    blob = run_weights(project, run_id)
    return None if blob is None else _checked_state(blob, settings)


def _checked_state(blob: bytes, settings: dict[str, Any]) -> Any:
    """Weights read by torch and checked (``load_checked_state``); NoData when damaged."""
    try:
        return load_checked_state(blob, settings)
    except ModelDamaged as exc:
        raise NoData(str(exc)) from exc


def _reasons(
    project: Project, run_id: int, settings: dict[str, Any], cid: int, top: int
) -> list[Reason]:
    state = _check_weights(project, run_id, settings)
    if state is None:
        return []
    from storage.queries import events_frame, item_names

    events = events_frame(project, until_ms=int(settings["as_of_ms"]), customer_ids=[cid])
    names = item_names(project, sorted(events["item"].dropna().unique().tolist()))
    # Explain wherever this machine can: a model trained on a GPU still explains on a laptop
    # without one.
    return explain_customer(events, cid, state, {**settings, "device": "auto"}, top,
                            item_names=names)


def export_scores(
    project: Project, out: str | Path, *, should_stop: Callable[[], bool] = lambda: False
) -> int:
    """Write the active model's scores: customer, score, rank, as_of, horizon (best first),
    then the active customer-value run's expected_spend (with _p10, _p90), next_purchase,
    churn_risk and churn_band (empty without one).

    Goes through ``engine.exports.write_csv``: never over a database, atomically, and with
    customer ids that could be spreadsheet formulas neutralised. Raises NoData without a model
    (or with a damaged one) and ExportError (one sentence) when the file is refused or cannot
    be written.
    """
    import numpy as np
    import pandas as pd

    from engine.exports import check_target, write_csv

    check_target(out, project)
    run = active_run(project, TASK)
    if run is None:
        raise NoData(tr("There are no intent scores yet: train a purchase-intent model first."))
    try:
        check_dates(run.settings)
    except ModelDamaged as exc:
        raise NoData(str(exc)) from exc
    from engine.value.read import VALUE_KEYS, value_frame

    outputs = run_outputs(project, run.id, names=("score", "rank")).sort_values("rank")
    frame = pd.DataFrame(
        {
            "customer": outputs["key"].astype(object).to_numpy(),
            "score": outputs["score"].to_numpy(dtype=np.float64),
            "rank": outputs["rank"].to_numpy(dtype=np.int64),
            "as_of": minute(int(run.settings["as_of_ms"])),
            "horizon": int(run.settings["horizon_days"]),
        },
        columns=list(SCORE_COLUMNS),
    )
    # The customer-value run's predictions beside the score (empty cells without one).
    value = value_frame(project).reindex(outputs["customer_id"].to_numpy(dtype=np.int64))
    for key in VALUE_KEYS:
        frame[key] = value[key].to_numpy()
    return write_csv(
        frame, out, project=project, float_format="%.6f", should_stop=should_stop
    )
