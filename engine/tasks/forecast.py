"""The sales forecast behind the task contract: units and revenue per item, category and the
whole shop for the coming weeks, with a range (``engine.forecast``).

Importing this module is cheap (the command line's help reads the registry): pandas loads when a
run is read, statsforecast and scikit-learn when one trains.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from engine.forecast.config import LABELS, LEVEL_LABELS, LEVELS, ForecastConfig
from engine.forecast.words import forecast_verdict
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

#: The metrics of the table and of ``train forecast --json`` (a contract), with headings.
METRIC_COLUMNS = (
    ("wape", "WAPE"), ("mase", "MASE"), ("pinball", "Pinball"), ("coverage_80", "P10–P90 held"),
)


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return None if math.isnan(float(value)) else float(value)


class ForecastTask:
    """Sales forecast: seasonal naive, moving average, Croston/TSB/ADIDA, AutoETS/AutoARIMA
    and a global gradient-boosting model, backtested from several past dates; the best of each
    level forecasts the coming weeks with a P10–P90 range."""

    key = "forecast"
    title = "Sales forecast"
    short_title = "Forecast"
    cli_help = "sales forecast: units and revenue per item and category for the coming weeks"
    saved_hint = ("Saved as run {run_id}; every forecast: python main.py export {project} "
                  "forecast --out forecast.csv")
    metric_names = {"valid_wape": "backtest WAPE (best method)"}
    config_type = ForecastConfig
    supports_warm_start = False
    heavy_modules = ("engine.forecast.training",)
    output_names = ("units_p10", "units_p50", "units_p90", "units", "revenue", "recent",
                    "unit_revenue")
    signals: dict[str, str] = {}

    def check(self, events: pd.DataFrame, config: ForecastConfig) -> Verdict:
        """Enough periods of sales before the as-of date for one backtest, with the numbers."""
        from engine.forecast.training import check

        return check(events, config)

    def warm_state(self, run: RunInfo, weights: bytes, config: ForecastConfig,
                   events: pd.DataFrame) -> Any | None:
        """Every run starts fresh (a forecast is refitted from its data)."""
        return None

    def train(self, events: pd.DataFrame, config: ForecastConfig, *,
              should_stop: Callable[[], bool], warm_state: Any | None,
              signal: SignalReader) -> Iterator[Any]:
        """Backtest every method, choose per level, forecast the coming periods."""
        from engine.forecast.training import train_forecast

        yield from train_forecast(events, config, should_stop=should_stop)

    def record(self, result: Any) -> RunRecord:
        """The run as saved: settings, per-level metrics, the shop's and categories' series,
        the items' forecasts as outputs."""
        return RunRecord(
            version=1, status=result.status, settings=dict(result.settings),
            history=dict(result.history), metrics=dict(result.metrics), summary=result.verdict,
            warm_started=False, weights=None, outputs=result.outputs,
        )

    def describe(self, run: RunInfo) -> RunView:
        """The verdict, each method's backtest errors per level, and the backtest curve."""
        levels = run.metrics.get("levels", {})
        levels = levels if isinstance(levels, dict) else {}
        rows: list[tuple[str, list[float | None]]] = []
        for lvl in LEVELS:
            info = levels.get(lvl)
            if not isinstance(info, dict):
                continue
            served = info.get("served")
            for m, v in info.get("methods", {}).items():
                if not isinstance(v, dict):
                    continue
                label = f"{tr(LEVEL_LABELS[lvl])}: {tr(LABELS.get(m, m))}"
                label += tr(" (serves)") if m == served else ""
                rows.append((label, [_num(v.get(k)) for k, _ in METRIC_COLUMNS]))
        epochs = [e for e in run.history.get("epochs", []) if isinstance(e, dict)
                  and _num(e.get("valid_wape")) is not None]
        served = str(run.metrics.get("served", ""))
        wape = _num(run.metrics.get("methods", {}).get(served, {}).get("wape"))
        level = str(run.metrics.get("level", "item"))
        said = self._verdict(run, levels)
        return RunView(
            task=self.key, run_id=run.id,
            headline=tr("{0}, {1} WAPE {2:.0%}").format(
                tr(LABELS.get(served, served)), tr(LEVEL_LABELS.get(level, level)).lower(),
                wape) if wape is not None else "",
            verdict=said,
            extra_curves=[Series(tr("backtest WAPE (best method)"),
                                 [float(e["epoch"]) for e in epochs],
                                 [float(e["valid_wape"]) for e in epochs])] if epochs else [],
            extra_title=tr("Error of the best method at each backtest date "
                           "(1.0 = off by 100%)"),
            table=MetricTable(
                tr("How far off each method was on the shop's own past (backtest from {0} "
                   "dates; lower is better, P10–P90 should hold about 80%)").format(
                    len(run.metrics.get("origins", []))),
                [tr("Method"), *[tr(h) for _, h in METRIC_COLUMNS]], rows) if rows else None,
            text=self._text(run, levels),
            data=self._json(run),
        )

    def _json(self, run: RunInfo) -> dict[str, Any]:
        def pick(m: Any) -> dict[str, float | None]:
            return {k: _num(m.get(k)) for k, _ in METRIC_COLUMNS} if isinstance(m, dict) else {}

        as_of = run.settings.get("as_of_ms")
        levels = run.metrics.get("levels", {})
        levels = levels if isinstance(levels, dict) else {}
        return {
            "methods": {m: pick(v) for m, v in run.metrics.get("methods", {}).items()},
            "served": run.metrics.get("served"),
            "as_of": None if as_of is None else datetime.fromtimestamp(
                int(as_of) / 1000, UTC).isoformat(),
            "weeks": run.settings.get("weeks"),
            "level": run.settings.get("level"),
            "period_days": run.metrics.get("period_days"),
            "levels": {lvl: {"served": info.get("served"), "series": info.get("series"),
                             "methods": {m: pick(v) for m, v in info.get("methods", {}).items()},
                             "verdict": info.get("verdict")}
                       for lvl, info in levels.items() if isinstance(info, dict)},
            "origins": run.metrics.get("origins", []),
            "run_id": run.id,
            "verdict": run.summary,
        }

    @staticmethod
    def _verdict(run: RunInfo, levels: dict[str, Any]) -> str:
        """The verdict worded again from the saved figures, in today's language (a run saved
        without them shows the sentence it was saved with)."""
        shown = [lvl for lvl in LEVELS if isinstance(levels.get(lvl), dict)]
        period_days = run.metrics.get("period_days")
        if not shown or not isinstance(period_days, int):
            return run.summary
        return forecast_verdict(shown, levels, period_days)

    def _text(self, run: RunInfo, levels: dict[str, Any]) -> list[str]:
        period = tr("weeks") if run.metrics.get("period_days") == 7 else tr("days")
        lines = ["", tr("Backtest from {0} ({1}):").format(
            ", ".join(str(o) for o in run.metrics.get("origins", [])), period)]
        for lvl in LEVELS:
            info = levels.get(lvl)
            if not isinstance(info, dict):
                continue
            lines.append(f"{tr(LEVEL_LABELS[lvl])} ({info.get('series', 0)}):")
            lines.append(f"  {'method':44} {'WAPE':>6} {'MASE':>6} {'pinball':>8} {'P10-90':>7}")
            for m, v in info.get("methods", {}).items():
                x = [math.nan if c is None else c
                     for c in (_num(v.get(k)) for k, _ in METRIC_COLUMNS)]
                mark = "*" if m == info.get("served") else " "
                lines.append(f" {mark}{tr(LABELS.get(m, m))[:44]:44} {x[0]:6.3f} {x[1]:6.3f} "
                             f"{x[2]:8.3f} {x[3]:7.2f}")
        lines.append(self._verdict(run, levels))
        return lines

    def columns(self) -> list[Column]:
        """The forecast is about items and categories, not customers: no customer column."""
        return []

    def table(self, project: Project, run: RunInfo) -> pd.DataFrame:
        """No customer columns."""
        import pandas as pd

        return pd.DataFrame()

    def card(self, project: Project, run: RunInfo | None, customer_id: int, *,
             explain: bool = True) -> CardSection | None:
        """A customer's card says nothing about the shop's forecast."""
        return None


FORECAST = ForecastTask()
