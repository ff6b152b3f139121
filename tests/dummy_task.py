"""A tiny task registered only by tests: "count purchases per customer".

It proves that adding a task is its own module and one registry line: it trains from the CLI and
the Train page with progress, is stored, becomes active and shows in the customer table and card,
with no edit anywhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd

from engine.fields import setting
from engine.tasks.base import (
    CardSection,
    Column,
    Progress,
    RunRecord,
    RunView,
    Series,
    SignalReader,
    Verdict,
)
from storage.project import Project
from storage.runs import RunInfo, run_outputs

KEY = "purchase_count"


@dataclass(frozen=True)
class CountConfig:
    """Settings of the dummy task."""

    as_of_ms: int | None = setting(None, label="As of", kind="date", flag="--as-of",
                                   help="count up to this date (YYYY-MM-DD)")
    weight: int = setting(1, label="Weight", low=1, high=10,
                          help="what one purchase counts for, 1 to 10")


@dataclass(frozen=True)
class Counted:
    """The dummy task's result."""

    counts: pd.Series  # purchases x weight by customer id
    weight: int


class PurchaseCount:
    """Counts each customer's purchases (times a weight)."""

    key = KEY
    title = "Purchases counted"
    short_title = "Count"
    cli_help = "count purchases per customer (a test task)"
    saved_hint = "Saved as run {run_id} of {project}."
    metric_names = {"customers": "customers"}
    config_type = CountConfig
    supports_warm_start = False
    heavy_modules = ()
    output_names = ("counted",)
    signals: dict[str, str] = {}

    def check(self, events: pd.DataFrame, config: CountConfig) -> Verdict:
        n = int(events["customer_id"].nunique())
        return Verdict(n > 0, f"{n} customers to count.", {"n_customers": n})

    def warm_state(self, run: RunInfo, weights: bytes, config: Any, events: Any) -> None:
        return None

    def train(self, events: pd.DataFrame, config: CountConfig, *,
              should_stop: Callable[[], bool], warm_state: Any | None,
              signal: SignalReader) -> Iterator[Progress | Counted]:
        yield Progress(self.key, "note", message=self.check(events, config).message)
        buyers = events[events["event"] == "purchase"]
        counts = events.groupby("customer_id").size() * 0
        for epoch in (1, 2):
            if should_stop():
                return
            yield Progress(self.key, "epoch", phase="", epoch=epoch, epochs=2,
                           losses={"train": 1.0 / epoch, "valid": 1.5 / epoch},
                           metrics={"customers": float(len(counts))})
        counts = counts.add(buyers.groupby("customer_id").size(), fill_value=0) * config.weight
        yield Counted(counts.astype(float), config.weight)

    def record(self, result: Counted) -> RunRecord:
        return RunRecord(
            version=1, status="done", settings={"weight": result.weight},
            history={"epochs": [{"epoch": 1, "train_loss": 1.0}, {"epoch": 2, "train_loss": 0.5}]},
            metrics={"customers": len(result.counts), "total": float(result.counts.sum())},
            summary=f"{int(result.counts.sum())} purchases counted", warm_started=False,
            weights=None,
            outputs=pd.DataFrame({"customer_id": result.counts.index.astype("int64"),
                                  "counted": result.counts.to_numpy()}),
        )

    def describe(self, run: RunInfo) -> RunView:
        epochs = run.history.get("epochs", [])
        return RunView(
            task=self.key, run_id=run.id,
            headline=f"{int(run.metrics.get('customers', 0))} customers counted",
            verdict=run.summary,
            losses=[Series("training", [e["epoch"] for e in epochs],
                           [e["train_loss"] for e in epochs])],
            text=[run.summary],
            data={"customers": run.metrics.get("customers"), "total": run.metrics.get("total"),
                  "run_id": run.id},
        )

    def columns(self) -> list[Column]:
        return [Column("counted", "Purchases counted", "number")]

    def table(self, project: Project, run: RunInfo) -> pd.DataFrame:
        out = run_outputs(project, run.id, names=self.output_names)
        return out.set_index("customer_id")[["counted"]]

    def card(self, project: Project, run: RunInfo | None, customer_id: int, *,
             explain: bool = True) -> CardSection | None:
        if run is None:
            return None
        mine = run_outputs(project, run.id, customer_id=customer_id, names=self.output_names)
        n = 0 if mine.empty else int(mine["counted"].iloc[0])
        return CardSection(task=self.key, title=self.title,
                           headline=f"Purchases counted: {n}.")


TASK = PurchaseCount()
