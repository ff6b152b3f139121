"""Purchase intent as a project task: load events, train, save the run, look customers up.

The GUI's Train page and the CLI's ``train intent`` / ``lookup`` / ``export scores`` call these,
so a click and a command do exactly the same thing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from engine.events import MS_PER_DAY
from engine.exports import check_target, write_csv
from engine.intent import (
    BatchReport,
    DataCheck,
    EpochReport,
    IntentConfig,
    IntentResult,
    ModelDamaged,
    Reason,
    check_data,
    check_settings,
    explain_customer,
    load_checked_state,
    save_state,
    train_intent,
)
from storage.project import Project
from storage.queries import events_frame, item_names, overview
from storage.runs import (
    RunInfo,
    active_run,
    customer_id_for_key,
    customer_summary,
    run_outputs,
    run_weights,
    save_run,
)

TASK = "intent"


class NoData(Exception):
    """The project has nothing to learn from; the message says what to do."""


@dataclass(frozen=True)
class RunSaved:
    """The last report of a training run: it is saved in the project under ``run_id``."""

    run_id: int
    result: IntentResult


def parse_date(text: str) -> int:
    """A date given by the user (YYYY-MM-DD, optionally with a time) as the end of that moment,
    in UTC epoch milliseconds: a bare date means the end of that day."""
    value = pd.Timestamp(text)
    if value.tzinfo is None:
        value = value.tz_localize("UTC")
    ms = int(value.tz_convert("UTC").value // 1_000_000)
    if len(text.strip()) <= 10:  # a day: include all of it
        ms += MS_PER_DAY - 1
    return ms


def _day(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d")


def as_of_problem(project: Project, as_of_ms: int | None, *, now_ms: int | None = None) -> str | None:
    """Why an as-of date cannot be used on this project, as the end of a sentence; None if it can.

    The date must be within or after the data, and not in the future unless the data is (a
    future date would measure every customer's recency from then). ``parse_date`` makes a bare
    date the end of its day, so the first and the last day of the data are both allowed.
    """
    if as_of_ms is None:
        return None
    totals = overview(project)
    if totals.first_ms is None or totals.last_ms is None:
        return None  # no events: load_events says so
    now = int(datetime.now(UTC).timestamp() * 1000) if now_ms is None else now_ms
    latest = max(now, totals.last_ms)
    if as_of_ms < totals.first_ms:
        return (
            f"the data starts on {_day(totals.first_ms)}; choose that day or a later one"
        )
    if as_of_ms >= (latest // MS_PER_DAY + 1) * MS_PER_DAY:
        return (
            f"that is in the future and the data ends on {_day(totals.last_ms)}; choose a day "
            f"up to {_day(latest)}"
        )
    return None


def load_events(project: Project, as_of_ms: int | None) -> pd.DataFrame:
    """The event frame up to the as-of date (nothing after it is even read)."""
    if overview(project).events == 0:
        raise NoData("The project has no events yet: import your shop's behavior log first.")
    return events_frame(project, until_ms=as_of_ms)


def check_project(project: Project, config: IntentConfig) -> DataCheck:
    """The small-data guard, on the project's events."""
    return check_data(load_events(project, config.as_of_ms), config)


def history_dict(result: IntentResult) -> dict[str, Any]:
    """The curves of a run in a JSON-safe form (what the run history shows again later)."""
    return {
        "epochs": [
            {
                "epoch": e.epoch,
                "train_loss": e.train_loss,
                "valid_loss": None if np.isnan(e.valid_loss) else e.valid_loss,
                "valid_auc": None if np.isnan(e.valid_auc) else e.valid_auc,
                "elapsed_s": e.elapsed_s,
                "phase": e.phase,
            }
            for e in result.history
        ],
        "curves": result.curves,
        "threshold": result.threshold,
        "augmentation_note": result.augmentation_note,
        "model_name": result.model_name,
        "n_train": result.n_train,
        "n_valid": result.n_valid,
    }


def train_and_save(
    project: Project,
    config: IntentConfig,
    *,
    should_stop: Callable[[], bool] = lambda: False,
    warm_start: bool = False,
    keep_on_stop: Callable[[], bool] = lambda: True,
) -> Iterator[BatchReport | EpochReport | IntentResult | RunSaved]:
    """Train the intent model on the project, yield its progress, save the run, end with RunSaved.

    With ``warm_start`` training begins from the active model's weights (after new events were
    imported, this refreshes the model faster than starting from scratch). When the user stops
    the run, the best model so far is saved if ``keep_on_stop()`` says so (asked at that moment).
    """
    problem = as_of_problem(project, config.as_of_ms)
    if problem is not None:
        raise NoData(f"The as-of date cannot be used: {problem}.")
    events = load_events(project, config.as_of_ms)
    init_state = None
    if warm_start:
        current = active_run(project, TASK)
        if current is not None:
            blob = run_weights(project, current.id)
            if blob is not None and _same_architecture(current.settings, config, events):
                try:
                    init_state = load_checked_state(blob, current.settings)
                except ModelDamaged as exc:
                    raise NoData(
                        "The active model is damaged or was made by another version, so it "
                        "cannot be a starting point: train without warm start."
                    ) from exc
    result: IntentResult | None = None
    for report in train_intent(
        events,
        config,
        should_stop=should_stop,
        init_state=init_state,
        keep_best_on_stop=True,
    ):
        if isinstance(report, IntentResult):
            result = report
        yield report
    if result is None or (result.stopped and not keep_on_stop()):
        return
    scores = result.scores[["customer_id", "score", "rank"]]
    run_id = save_run(
        project,
        TASK,
        status="stopped" if result.stopped else "done",
        settings=dict(result.config),
        history=history_dict(result),
        metrics=result.metrics,
        summary=result.verdict,
        seconds=result.train_seconds,
        warm_started=result.warm_started,
        weights=save_state(result.state_dict),
        outputs=scores,
    )
    yield RunSaved(run_id, result)


def _same_architecture(saved: dict[str, Any], config: IntentConfig, events: pd.DataFrame) -> bool:
    wanted = config.resolved(events)
    return all(
        saved.get(k) == getattr(wanted, k) for k in ("hidden_size", "cell")
    )


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

    def meaning(self) -> str:
        """The score in words: "Buys within 30 days: 72% likely, top 5% of customers"."""
        if self.score is None or self.horizon_days is None:
            return "No intent score yet: train a purchase-intent model first."
        top = f", top {self.top_percent:.0f}% of customers" if self.top_percent else ""
        return f"Buys within {self.horizon_days} days: {self.score:.0%} likely{top}."

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
                {"time": _iso(r.time_ms), "event": r.event, "item": r.item,
                 "category": r.category, "effect": round(r.effect, 4), "text": r.text}
                for r in self.reasons
            ],
        }


def _iso(ms: int | None) -> str | None:
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M")


def _number(value: object) -> float:
    """A stored number, or NaN when the cell holds anything else (a damaged project)."""
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


def lookup(project: Project, customer: str | int, *, with_reasons: bool = True,
           top: int = 5) -> Lookup:
    """Score, rank, top reasons and history of one customer (by key, or internal id)."""
    cid = customer if isinstance(customer, int) else customer_id_for_key(project, customer)
    if cid is None:
        raise NoData(f"There is no customer “{customer}” in this project.")
    summary = customer_summary(project)
    row = summary[summary["customer_id"] == cid]
    if row.empty:
        raise NoData(f"Customer “{customer}” has no events.")
    r = row.iloc[0]
    run = active_run(project, TASK)
    score = rank = None
    scored = 0
    top_pct = None
    reasons: list[Reason] = []
    as_of = horizon = None
    if run is not None:
        try:
            # A crafted or damaged run is refused before any of it is used: its settings size
            # the model and date the scores.
            check_settings(run.settings)
        except ModelDamaged as exc:
            raise NoData(str(exc)) from exc
        outputs = run_outputs(project, run.id)
        scored = len(outputs)
        mine = outputs[outputs["customer_id"] == cid]
        as_of = _iso(int(run.settings["as_of_ms"]))
        horizon = int(run.settings["horizon_days"])
        if not mine.empty:
            score = _number(mine["score"].iloc[0])
            stored_rank = _number(mine["rank"].iloc[0])
            if not (0.0 <= score <= 1.0 and 1 <= stored_rank <= scored):  # NaN fails too
                raise NoData(str(ModelDamaged()))
            rank = int(stored_rank)
            top_pct = max(1.0, float(np.ceil(100.0 * rank / max(1, scored))))
            if with_reasons:
                blob = run_weights(project, run.id)
                if blob is not None:
                    try:
                        state = load_checked_state(blob, run.settings)
                    except ModelDamaged as exc:
                        raise NoData(str(exc)) from exc
                    events = events_frame(
                        project, until_ms=int(run.settings["as_of_ms"]), customer_ids=[cid]
                    )
                    names = item_names(project, sorted(events["item"].dropna().unique().tolist()))
                    # Explain wherever this machine can: a model trained on a GPU still
                    # explains on a laptop without one.
                    settings = {**run.settings, "device": "auto"}
                    reasons = explain_customer(
                        events, cid, state, settings, top, item_names=names
                    )
    return Lookup(
        customer=str(r["key"]),
        customer_id=int(cid),
        score=score,
        rank=rank,
        customers_scored=scored,
        top_percent=top_pct,
        as_of=as_of,
        horizon_days=horizon,
        events=int(r["events"]),
        purchases=int(r["purchases"]),
        revenue=float(r["revenue"]),
        first_seen=_iso(int(r["first_ms"])),
        last_seen=_iso(int(r["last_ms"])),
        reasons=reasons,
    )


SCORE_COLUMNS = ("customer", "score", "rank", "as_of", "horizon")


def export_scores(
    project: Project, out: str | Path, *, should_stop: Callable[[], bool] = lambda: False
) -> int:
    """Write the active model's scores: customer, score, rank, as_of, horizon (best first).

    Goes through ``engine.exports.write_csv``: never over a database, atomically, and with
    customer ids that could be spreadsheet formulas neutralised. Raises NoData without a model
    and ExportError (one sentence) when the file is refused or cannot be written.
    """
    check_target(out, project)
    run = active_run(project, TASK)
    if run is None:
        raise NoData("There are no intent scores yet: train a purchase-intent model first.")
    outputs = run_outputs(project, run.id).sort_values("rank")
    frame = pd.DataFrame(
        {
            "customer": outputs["key"].astype(object).to_numpy(),
            "score": outputs["score"].to_numpy(dtype=np.float64),
            "rank": outputs["rank"].to_numpy(dtype=np.int64),
            "as_of": _iso(int(run.settings["as_of_ms"])),
            "horizon": int(run.settings["horizon_days"]),
        },
        columns=list(SCORE_COLUMNS),
    )
    return write_csv(
        frame, out, project=project, float_format="%.6f", should_stop=should_stop
    )


def active_intent(project: Project) -> RunInfo | None:
    """The active intent run, if any."""
    return active_run(project, TASK)


def with_as_of(config: IntentConfig, as_of: str | None) -> IntentConfig:
    """The config with an as-of date given as text (None keeps the default: end of data)."""
    return config if not as_of else replace(config, as_of_ms=parse_date(as_of))
