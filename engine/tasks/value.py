"""Customer value behind the task contract: expected spend (with a range), next order date
(with a range) and churn risk per customer (``engine.value``).

Importing this module is cheap (the command line's help reads the registry): pandas and storage
load when a run is read, scikit-learn and scipy when one trains.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from engine.tasks.base import (
    CardSection,
    Column,
    MetricTable,
    RunRecord,
    RunView,
    SignalReader,
    Verdict,
)
from engine.value.config import LABELS, ValueConfig, churn_band
from engine.value.words import value_verdict
from engine.words import tr

if TYPE_CHECKING:
    import pandas as pd

    from storage.project import Project
    from storage.runs import RunInfo

#: Per-customer outputs (also the keys ``lookup --json`` adds).
OUTPUTS = ("expected_spend", "expected_spend_p10", "expected_spend_p90", "buy_probability",
           "next_purchase_ms", "next_purchase_p10_ms", "next_purchase_p90_ms", "churn_risk",
           "churn_window_days")
#: The metrics table's columns: (prediction, metric key, heading).
METRIC_COLUMNS = (("mae", "MAE"), ("top10_capture", "Top 10%"),
                  ("median_abs_days", "Days off"), ("auc", "AUC"), ("coverage_80", "P10–P90"))
_ROWS = (("spend", ("spend_model", "shrunk_mean", "shop_average")),
         ("next_purchase", ("gap_model", "last_plus_gap", "constant_gap")),
         ("churn", ("churn_model", "recency")))
_PREDICTIONS = {"spend": "Expected spend", "next_purchase": "Next order", "churn": "Churn risk"}


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return None if math.isnan(float(value)) else float(value)


def _date(ms: float | None) -> str:
    if ms is None or ms != ms:
        return ""
    return datetime.fromtimestamp(float(ms) / 1000, UTC).date().isoformat()


class ValueTask:
    """Customer value: what each customer will probably spend, when they will order next and
    how likely they are to be gone, each checked against a simple method."""

    key = "value"
    title = "Customer value"
    short_title = "Value"
    cli_help = "customer value: expected spend, next order date and churn risk per customer"
    saved_hint = ("Saved as run {run_id}; one customer: python main.py lookup {project} "
                  "CUSTOMER --json")
    metric_names: dict[str, str] = {}
    config_type = ValueConfig
    supports_warm_start = False
    heavy_modules = ("engine.value.training",)
    output_names = OUTPUTS
    signals = {"expected_spend": "expected_spend"}

    def check(self, events: pd.DataFrame, config: ValueConfig) -> Verdict:
        """The data-sufficiency gate with live counts."""
        from engine.value.training import check

        return check(events, config)

    def warm_state(self, run: RunInfo, weights: bytes, config: ValueConfig,
                   events: pd.DataFrame) -> Any | None:
        """Every run starts fresh."""
        return None

    def train(self, events: pd.DataFrame, config: ValueConfig, *,
              should_stop: Callable[[], bool], warm_state: Any | None,
              signal: SignalReader) -> Iterator[Any]:
        """Check each prediction on the latest period, then predict for everyone."""
        from engine.value.training import train_value

        yield from train_value(events, config, should_stop=should_stop)

    def record(self, result: Any) -> RunRecord:
        """The run as saved: settings, the checks, the verdict, every customer's outputs."""
        return RunRecord(version=1, status="done", settings=dict(result.settings), history={},
                         metrics=dict(result.metrics), summary=result.verdict,
                         warm_started=False, weights=None, outputs=result.outputs)

    def describe(self, run: RunInfo) -> RunView:
        """The verdict and each prediction's check against its simple methods."""
        rows: list[tuple[str, list[float | None]]] = []
        for prediction, methods in _ROWS:
            block = run.metrics.get(prediction, {})
            if not isinstance(block, dict):
                continue
            for m in methods:
                v = block.get(m)
                if isinstance(v, dict):
                    rows.append((f"{tr(_PREDICTIONS[prediction])}: {tr(LABELS[m])}",
                                 [_num(v.get(k)) for k, _ in METRIC_COLUMNS]))
        spend = run.metrics.get("spend", {}).get("spend_model", {})
        mae = _num(spend.get("mae")) if isinstance(spend, dict) else None
        said = self._verdict(run)
        return RunView(
            task=self.key, run_id=run.id,
            headline=tr("expected spend off by {0:,.2f} per customer").format(mae)
            if mae is not None else "",
            verdict=said,
            table=MetricTable(
                tr("Each prediction checked on the latest period against simple methods"),
                [tr("Method"), *[tr(h) for _, h in METRIC_COLUMNS]], rows) if rows else None,
            notes=self._drivers(run),
            text=["", said, self._drivers(run)],
            data={"value": {k: v for k, v in run.metrics.items() if k != "drivers"},
                  "drivers": run.metrics.get("drivers", []),
                  "as_of": _date(_num(run.settings.get("as_of_ms"))),
                  "horizon_days": run.settings.get("horizon_days"), "run_id": run.id,
                  "verdict": run.summary},
        )

    @staticmethod
    def _verdict(run: RunInfo) -> str:
        """The verdict worded again from the saved figures, in today's language (a run saved
        without its horizon shows the sentence it was saved with)."""
        horizon = run.settings.get("horizon_days")
        if not isinstance(horizon, int) or not run.metrics:
            return run.summary
        return value_verdict(dict(run.metrics), horizon)

    def _drivers(self, run: RunInfo) -> str:
        """What makes customers buy here, as a ranked list in words."""
        found = [d for d in run.metrics.get("drivers", []) if isinstance(d, dict)]
        if not found:
            return ""
        lines = [tr("What makes customers buy here (latest period, the most telling first):")]
        lines += [f"{i}. {d.get('sentence', '')}" for i, d in enumerate(found, 1)]
        return "\n".join(lines)

    def columns(self) -> list[Column]:
        """Next order date and churn band (the probability on hover)."""
        return [Column("next_order", tr("Next order"), "text", detail="next_order_range"),
                Column("churn_band", tr("Churn risk"), "text", detail="churn_detail")]

    def table(self, project: Project, run: RunInfo) -> pd.DataFrame:
        """The columns by customer id."""
        import numpy as np
        import pandas as pd

        from storage.runs import run_outputs

        out = run_outputs(project, run.id, names=OUTPUTS).set_index("customer_id")
        out.index = out.index.astype(np.int64)
        churn = out["churn_risk"].to_numpy(dtype=np.float64)
        return pd.DataFrame({
            "next_order": [_date(v) for v in out["next_purchase_ms"].tolist()],
            "next_order_range": [tr("likely {0} to {1}").format(_date(a), _date(b)) if a == a
                                 else "" for a, b in zip(out["next_purchase_p10_ms"].tolist(),
                                                         out["next_purchase_p90_ms"].tolist(),
                                                         strict=True)],
            "churn_band": [tr(churn_band(v)) if v == v else "" for v in churn.tolist()],
            "churn_detail": [tr("{0:.0%} chance of no order in {1:.0f} days").format(v, w)
                             if v == v else "" for v, w in
                             zip(churn.tolist(), out["churn_window_days"].tolist(), strict=True)],
        }, index=out.index)

    def card(self, project: Project, run: RunInfo | None, customer_id: int, *,
             explain: bool = True) -> CardSection | None:
        """Next order and churn risk in words, each with why; None without a run."""
        if run is None:
            return None
        from storage.runs import run_outputs

        row = run_outputs(project, run.id, customer_id=customer_id, names=OUTPUTS)
        if row.empty:
            return None
        r = row.iloc[0]
        facts = []
        nxt = _num(r["next_purchase_ms"])
        if nxt is not None:
            facts.append(tr("Next order expected around {0} (likely {1} to {2}): from the gaps "
                            "between their purchase days and the time already waited.").format(
                _date(nxt), _date(_num(r["next_purchase_p10_ms"])),
                _date(_num(r["next_purchase_p90_ms"]))))
        else:
            facts.append(tr("No next-order date: it needs purchases on two days or more."))
        churn = _num(r["churn_risk"])
        if churn is not None:
            facts.append(tr("Churn risk {0}: {1:.0%} chance of no order in the next {2:.0f} "
                            "days, from how recently and how often they bought and browsed.")
                         .format(tr(churn_band(churn)), churn,
                                 _num(r["churn_window_days"]) or 0.0))
        spend = _num(r["expected_spend"])
        headline = (tr("Expected spend in the next {0} days: {1:,.2f} (likely {2:,.2f}–{3:,.2f})"
                       ".").format(run.settings.get("horizon_days"), spend,
                                   _num(r["expected_spend_p10"]) or 0.0,
                                   _num(r["expected_spend_p90"]) or 0.0)
                    if spend is not None else tr("No value prediction for this customer."))
        return CardSection(task=self.key, title=tr("Customer value"), headline=headline,
                           facts=facts, as_of_ms=int(run.settings.get("as_of_ms") or 0) or None)


VALUE = ValueTask()
