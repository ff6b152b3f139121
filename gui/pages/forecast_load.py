"""What the Forecast page reads on the worker: plain functions over ``engine.forecast.read``
(no widgets), so a test can call them without a window."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from engine.forecast import read
from engine.forecast.read import TASK, SeriesChoice, SeriesView
from storage import runs
from storage.project import Project
from storage.runs import RunInfo


def cover_periods(weeks: int, period_days: int) -> int:
    """How many periods of ``period_days`` days make ``weeks`` weeks."""
    return max(1, weeks * 7 // max(1, period_days))


@dataclass(frozen=True)
class ForecastData:
    """What the page shows of a project: its active forecast run (None: none yet), the series
    to pick from, the series shown first and the movers covering the run's horizon."""

    run: RunInfo | None
    choices: list[SeriesChoice] = field(default_factory=list)
    view: SeriesView | None = None
    movers: pd.DataFrame = field(default_factory=pd.DataFrame)
    weeks: int = 0


def load_forecast(project: Project, level: str = "shop", key: str = "",
                  measure: str = "units") -> ForecastData:
    """Read the active forecast run for the page (on the worker); the series asked for when
    the run has it, else the whole shop."""
    run = runs.active_run(project, TASK)
    if run is None:
        return ForecastData(None)
    picks = read.choices(project, run)
    try:
        view = read.series_view(project, run, level, key, measure)
    except ValueError:
        view = read.series_view(project, run, "shop", "", measure)
    weeks = int(run.settings.get("weeks") or max(1, len(view.p50) * view.period_days // 7))
    try:
        moving = read.movers(project, run, cover_periods=cover_periods(weeks, view.period_days))
    except ValueError:  # a run down to categories has no items
        moving = pd.DataFrame()
    return ForecastData(run, picks, view, moving, weeks)

