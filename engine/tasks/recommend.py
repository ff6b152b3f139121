"""Recommendations behind the task contract: what each customer is likely to want next
(``engine.recommend``).

Importing this module is cheap (the command line's help reads the registry): pandas and storage
load when a run is read, the methods (scipy, scikit-learn, torch) when one trains.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from engine.recommend.config import LABELS, RecommendConfig
from engine.tasks.base import (
    CardSection,
    Column,
    MetricTable,
    RunRecord,
    RunView,
    Series,
    SignalReader,
    Verdict,
)
from engine.words import tr

if TYPE_CHECKING:
    import pandas as pd

    from storage.project import Project
    from storage.runs import RunInfo

#: The metrics of the table and of ``train recommend --json`` (a contract), with headings.
METRIC_COLUMNS = (
    ("recall_10", "Recall@10"), ("recall_20", "Recall@20"), ("mrr_20", "MRR@20"),
    ("ndcg_20", "NDCG@20"), ("coverage", "Coverage"),
)
#: Recommendations a card lists.
CARD_ITEMS = 5


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return None if math.isnan(float(value)) else float(value)


class RecommendTask:
    """Recommendations: popularity, own history, co-occurrence, a sequence model and a blend,
    measured on the latest period; the best serves every customer's next items with reasons."""

    key = "recommend"
    title = "Recommendations"
    short_title = "Recommend"
    cli_help = "recommendations: what each customer wants next"
    saved_hint = ("Saved as run {run_id}; every customer's list: python main.py export {project} "
                  "recommendations --out recommendations.csv")
    metric_names: dict[str, str] = {}
    config_type = RecommendConfig
    supports_warm_start = False
    heavy_modules = ("engine.recommend.training",)
    output_names = ("rec_rank", "rec_score", "rec_why", "rec_why_item")
    signals: dict[str, str] = {}

    def check(self, events: pd.DataFrame, config: RecommendConfig) -> Verdict:
        """Enough customers active before the cut and in the horizon, with the numbers."""
        from engine.recommend.training import check

        found = check(events, config)
        return Verdict(found.ok, found.message, found.numbers)

    def warm_state(self, run: RunInfo, weights: bytes, config: RecommendConfig,
                   events: pd.DataFrame) -> Any | None:
        """Every run starts fresh (the catalogue changes between runs)."""
        return None

    def train(self, events: pd.DataFrame, config: RecommendConfig, *,
              should_stop: Callable[[], bool], warm_state: Any | None,
              signal: SignalReader) -> Iterator[Any]:
        """Measure every method, choose, refit and rank every customer."""
        from engine.recommend.training import train_recommend

        yield from train_recommend(events, config, should_stop=should_stop)

    def record(self, result: Any) -> RunRecord:
        """The run as saved: settings, per-method metrics, rules, verdict, lists."""
        return RunRecord(
            version=1, status="done", settings=dict(result.settings),
            history=dict(result.history), metrics=dict(result.metrics), summary=result.verdict,
            warm_started=False, weights=result.weights, outputs=result.outputs,
        )

    def describe(self, run: RunInfo) -> RunView:
        """The verdict, each method's metrics, the sequence model's curves and the rules."""
        from engine.recommend.rules import describe_rules

        methods = {k: v for k, v in run.metrics.get("methods", {}).items() if isinstance(v, dict)}
        served = str(run.metrics.get("served", ""))
        rows = [(tr(LABELS.get(m, m)) + (tr(" (serves)") if m == served else ""),
                 [_num(v.get(k)) for k, _ in METRIC_COLUMNS]) for m, v in methods.items()]
        epochs = [e for e in run.history.get("epochs", []) if isinstance(e, dict)]

        def series(label: str, key: str, phase: str) -> Series:
            pts = [(float(e["epoch"]), float(e[key])) for e in epochs
                   if e.get("phase") == phase and _num(e.get(key)) is not None]
            return Series(label, [p[0] for p in pts], [p[1] for p in pts])

        rules = run.metrics.get("rules", {})
        rule_lines = describe_rules(rules) if isinstance(rules, dict) else []
        ndcg = _num(methods.get(served, {}).get("ndcg_20"))
        return RunView(
            task=self.key, run_id=run.id,
            headline=tr("{0}, NDCG@20 {1:.3f}").format(tr(LABELS.get(served, served)), ndcg)
            if ndcg is not None else "",
            verdict=run.summary,
            losses=[series(tr("training (per epoch)"), "train_loss", "fit"),
                    series(tr("validation"), "valid_loss", "fit")] if epochs else [],
            table=MetricTable(
                tr("How well each method finds what customers turned to next (latest period, "
                   "never seen in training)"),
                [tr("Method"), *[tr(h) for _, h in METRIC_COLUMNS]], rows) if rows else None,
            notes="\n".join(rule_lines),
            text=self._text(run, methods, served, rule_lines),
            data=self._json(run, methods, served),
        )

    def _json(self, run: RunInfo, methods: dict[str, dict[str, Any]],
              served: str) -> dict[str, Any]:
        def pick(m: dict[str, Any]) -> dict[str, float | None]:
            return {k: _num(m.get(k)) for k, _ in METRIC_COLUMNS}

        as_of = run.settings.get("as_of_ms")
        return {
            "model": pick(methods.get("neural", {})),
            "baselines": {m: pick(v) for m, v in methods.items() if m != "neural"},
            "as_of": None if as_of is None else datetime.fromtimestamp(
                int(as_of) / 1000, UTC).isoformat(),
            "horizon_days": run.settings.get("horizon_days"),
            "served": served,
            "run_id": run.id,
            "verdict": run.summary,
        }

    def _text(self, run: RunInfo, methods: dict[str, dict[str, Any]], served: str,
              rule_lines: list[str]) -> list[str]:
        measured = int(run.metrics.get("measured_customers") or 0)
        lines = [
            "",
            tr("Measured on the latest {0} days ({1:,} customers active before and after):")
            .format(run.settings.get("horizon_days"), measured),
            f"{'method':34} {'R@10':>6} {'R@20':>6} {'MRR@20':>7} {'NDCG@20':>8} {'cover':>6}",
        ]
        for m, v in methods.items():
            cells = [_num(v.get(k)) for k, _ in METRIC_COLUMNS]
            x = [math.nan if c is None else c for c in cells]
            mark = "*" if m == served else " "
            lines.append(f"{mark}{tr(LABELS.get(m, m))[:33]:33} {x[0]:6.3f} {x[1]:6.3f} "
                         f"{x[2]:7.3f} {x[3]:8.3f} {x[4]:6.3f}")
        lines.append(run.summary)
        lines.extend(rule_lines)
        return lines

    def columns(self) -> list[Column]:
        """The customer table's recommendation column."""
        return [Column("next_item", tr("Next item"), "text")]

    def table(self, project: Project, run: RunInfo) -> pd.DataFrame:
        """Each customer's top pick by customer id."""
        import pandas as pd

        from engine.recommend.read import top_pick

        return pd.DataFrame({"next_item": top_pick(project, run)})

    def card(self, project: Project, run: RunInfo | None, customer_id: int, *,
             explain: bool = True) -> CardSection | None:
        """The customer's first recommendations with their reasons, and where their interest
        is moving; None without a run."""
        if run is None:
            return None
        from engine.recommend.read import drifting_categories, recommendations

        recs = recommendations(project, [customer_id], k=CARD_ITEMS)
        facts = [f"{n or i} — {r}" for n, i, r in zip(recs["name"], recs["item"], recs["reason"],
                                                     strict=True)]
        as_of = _num(run.settings.get("as_of_ms"))
        horizon = _num(run.settings.get("horizon_days")) or 30.0
        if as_of is not None:
            drift = drifting_categories(project, customer_id, int(as_of),
                                        recent_days=int(horizon))
            for cat, before, now in drift[:1]:
                facts.append(tr("Moving towards {0}: {1:.0%} → {2:.0%} of their activity")
                             .format(cat, before, now))
        headline = (tr("Top pick: {0}.").format(facts[0].split(" — ")[0]) if len(recs)
                    else tr("No recommendations for this customer in the active run."))
        return CardSection(task=self.key, title=tr("Recommended next"), headline=headline,
                           facts=facts, as_of_ms=None if as_of is None else int(as_of))


RECOMMEND = RecommendTask()
