"""The sales forecast on Online Retail (the ``datasets`` fixture), as of 2011-09-09 with 8 weeks
ahead: every method's backtest errors per level are printed (``pytest -s`` shows them), the
served method is the best of its level and no worse than seasonal naive, and the range is
checked on the past."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import runs
from engine.dates import parse_date
from engine.forecast.config import ForecastConfig
from engine.ingest import ImportOptions, run_import
from engine.tasks.base import RunSaved
from storage.project import open_project

pytestmark = pytest.mark.slow

RETAIL = "uci_online_retail/online_retail.csv.gz"


def test_online_retail_backtest_table(datasets: Path, tmp_path: Path) -> None:
    path = datasets / RETAIL
    if not path.is_file():
        pytest.skip(f"{RETAIL} is not in {datasets}")
    project = open_project(tmp_path / "retail.intentlens")
    try:
        run_import(project, path, ImportOptions(format="uci_online_retail"))
        config = ForecastConfig(as_of_ms=parse_date("2011-09-09"), weeks=8)
        saved = [r for r in runs.train(project, "forecast", config) if isinstance(r, RunSaved)]
    finally:
        project.close()
    assert len(saved) == 1
    view = saved[0].view
    print("\nUCI Online Retail, as of 2011-09-09, 8 weeks ahead")
    for line in view.text:
        print(line)
    data = view.data
    assert data["as_of"].startswith("2011-09-09") and data["weeks"] == 8
    assert data["period_days"] == 7  # 40 weeks of history: weekly
    for level, info in data["levels"].items():
        methods = info["methods"]
        served = methods[info["served"]]
        assert served["wape"] == min(m["wape"] for m in methods.values()), level
        assert served["wape"] <= methods["seasonal_naive"]["wape"]
        assert 0.5 <= served["coverage_80"] <= 1.0, level
