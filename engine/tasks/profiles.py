"""Customer profiles behind the task contract: segments described in plain words
(``engine.profiles``).

Importing this module is cheap (the command line's help reads the registry): pandas, storage and
the model load when a run trains or is read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from engine.profiles.config import ProfileConfig
from engine.tasks.base import (
    CardSection,
    Column,
    NoData,
    Progress,
    RunRecord,
    RunView,
    Series,
    SignalReader,
    Verdict,
)
from engine.words import tr

if TYPE_CHECKING:
    import pandas as pd

    from engine.profiles.training import ProfileResult
    from storage.project import Project
    from storage.runs import RunInfo

#: How the CLI names the way segments were found.
METHOD_WORDS = {
    "features": "k-means on the behavior features",
    "autoencoder": "k-means on the autoencoder profiles",
}
#: Segments need at least this many customers with events before the as-of date.
MIN_CUSTOMERS = 3


class ProfilesTask:
    """Customer profiles: an autoencoder embeds each customer's behavior, k-means finds
    segments, each described in plain words; per customer a segment and a map position."""

    key = "profiles"
    title = "Customer profiles & segments"
    short_title = "Profiles"
    cli_help = "customer profiles: find segments and describe them"
    saved_hint = ("\nSaved as run {run_id}; every customer with their segment: "
                  "python main.py export {project} segments --out segments.csv")
    metric_names: dict[str, str] = {}
    config_type = ProfileConfig
    supports_warm_start = False
    heavy_modules = ("engine.profiles.training",)
    output_names = ("segment", "x", "y")
    signals: dict[str, str] = {}

    def check(self, events: pd.DataFrame, config: ProfileConfig) -> Verdict:
        """Enough customers to make segments of."""
        n = int(events["customer_id"].nunique())
        if n < MIN_CUSTOMERS:
            return Verdict(False, tr(
                "Segments need at least 3 customers with events before the as-of date: "
                "choose a later date or import more data."), {"n_customers": n})
        return Verdict(True, tr("Enough data: {0:,} customers to profile.").format(n),
                       {"n_customers": n})

    def warm_state(self, run: RunInfo, weights: bytes, config: ProfileConfig,
                   events: pd.DataFrame) -> Any | None:
        """Profiles always start fresh (segments must not depend on an earlier run)."""
        return None

    def train(self, events: pd.DataFrame, config: ProfileConfig, *,
              should_stop: Callable[[], bool], warm_state: Any | None,
              signal: SignalReader) -> Iterator[Progress | ProfileResult]:
        """Learn profiles and segments; when a purchase-intent model exists, its scores give
        each segment an average intent. A stopped run yields no result."""
        from engine.intent.config import default_as_of_ms
        from engine.profiles.training import ProfileEpoch, train_profiles

        verdict = self.check(events, config)
        if not verdict.ok:
            raise NoData(verdict.message)
        as_of_ms = config.as_of_ms if config.as_of_ms is not None else default_as_of_ms(events)
        for report in train_profiles(events, config, should_stop=should_stop,
                                     intent_scores=signal("purchase_probability")):
            if isinstance(report, ProfileEpoch):
                yield Progress(
                    self.key, "epoch", phase="", epoch=report.epoch, epochs=report.epochs,
                    losses={"train": report.train_loss, "valid": report.valid_loss},
                    elapsed_s=report.elapsed_s,
                )
            else:
                yield dataclasses.replace(report, config={**report.config, "as_of_ms": as_of_ms})

    def record(self, result: ProfileResult) -> RunRecord:
        """The run as saved: segments in the metrics; segment and map position per customer."""
        import numpy as np
        import pandas as pd

        from engine.nn import save_state
        from engine.profiles.read import segment_dict

        outputs = pd.DataFrame({
            "customer_id": result.customer_ids.astype(np.int64),
            "segment": result.labels.astype(np.int64),
            "x": result.map_2d[:, 0].astype(np.float64),
            "y": result.map_2d[:, 1].astype(np.float64),
        })
        return RunRecord(
            version=1,
            status="done",
            settings=dict(result.config),
            history={"epochs": [
                {"epoch": e.epoch, "train_loss": e.train_loss, "valid_loss": e.valid_loss,
                 "elapsed_s": e.elapsed_s}
                for e in result.history
            ]},
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
            warm_started=False,
            weights=save_state(result.state_dict),
            outputs=outputs,
        )

    def describe(self, run: RunInfo) -> RunView:
        """The segments found, how stable they are, and the autoencoder's loss curves."""
        m = run.metrics
        segments = [s for s in m.get("segments", []) if isinstance(s, dict)]
        stability = float(m.get("stability_ari", float("nan")))
        silhouette = float(m.get("silhouette", float("nan")))
        method = str(m.get("method", ""))
        epochs = [e for e in run.history.get("epochs", []) if isinstance(e, dict)]
        xs = [float(e["epoch"]) for e in epochs]

        def series(label: str, key: str) -> Series:
            pts = [(x, e[key]) for x, e in zip(xs, epochs, strict=True)
                   if e.get(key) is not None]
            return Series(label, [p[0] for p in pts], [float(p[1]) for p in pts])

        names = ", ".join(f"{s['name']} ({float(s['share']):.0%})" for s in segments)
        verdict = tr(
            "Found {0} segments: {1}. Stability across two seeds (adjusted Rand index): {2:.2f}. "
            "See them on the Segments page."
        ).format(len(segments), names, stability)
        customers = int(m.get("customers", 0))
        text = [
            "",
            f"{len(segments)} segments of {customers:,} customers, found by "
            f"{METHOD_WORDS.get(method, method)}.",
            f"Stability (agreement between two runs, 1 = identical): {stability:.2f}; "
            f"separation (silhouette, -1 to 1): {silhouette:.2f}.",
        ]
        for s in segments:
            text.append(f"\n  {s['id']}. {s['name']}: {int(s['size']):,} customers "
                        f"({float(s['share']):.0%})")
            # The description starts with the name, already printed on the line above.
            text.append(f"     {str(s['description']).removeprefix(str(s['name']) + ' — ')}")
        data = {
            "segments": [
                {"id": s["id"], "name": s["name"], "size": s["size"],
                 "share": round(float(s["share"]), 4),
                 "revenue_share": round(float(s["revenue_share"]), 4),
                 "avg_intent": s.get("avg_intent"), "description": s["description"]}
                for s in segments
            ],
            "stability_ari": stability,
            "silhouette": silhouette,
            "method": method,
            "customers": customers,
            "run_id": run.id,
        }
        return RunView(
            task=self.key, run_id=run.id,
            headline=tr("{0} segments").format(len(segments)),
            verdict=verdict,
            losses=[series(tr("training (per epoch)"), "train_loss"),
                    series(tr("validation"), "valid_loss")],
            text=text, data=data,
        )

    def columns(self) -> list[Column]:
        """The customer table's segment column."""
        return [Column("segment", tr("Segment"), "text")]

    def table(self, project: Project, run: RunInfo) -> pd.DataFrame:
        """Segment names by customer id."""
        import pandas as pd

        from storage.runs import run_outputs

        names = {int(s["id"]): str(s["name"]) for s in run.metrics.get("segments", [])}
        out = run_outputs(project, run.id, names=("segment",)).set_index("customer_id")
        return pd.DataFrame({"segment": out["segment"].map(
            lambda v: names.get(int(v), "") if v == v else "")})

    def card(self, project: Project, run: RunInfo | None, customer_id: int, *,
             explain: bool = True) -> CardSection | None:
        """The customer's segment, when a profiles run exists."""
        if run is None:
            return None
        from engine.profiles.read import customer_segment

        found = customer_segment(project, customer_id)
        if found is None:
            return None
        return CardSection(task=self.key, title=tr("Segment"),
                           headline=tr("Segment: {0}.").format(found[1]))


PROFILES = ProfilesTask()
