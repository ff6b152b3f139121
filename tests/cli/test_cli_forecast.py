"""``train forecast`` and ``export PROJECT forecast`` as a script sees them."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest

import main
from engine.demo_project import create_demo_project
from engine.forecast.read import EXPORT_COLUMNS, choices, movers, series_view
from storage.project import open_project
from storage.runs import active_run

METRICS = {"wape", "mase", "pinball", "coverage_80"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("cli-forecast") / "demo.intentlens"
    create_demo_project(path, customers=400, seed=5)
    yield path


def _run(*argv: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main.main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def trained(demo: Path) -> dict[str, Any]:
    code, out, err = _run("train", "forecast", demo, "--weeks", "4", "--period", "week",
                          "--level", "category", "--json")
    assert code == 0, err
    payload: dict[str, Any] = json.loads(out)
    return payload


def test_json_has_the_promised_keys(trained: dict[str, Any]) -> None:
    assert {"methods", "served", "as_of", "weeks", "level"} <= set(trained)
    assert trained["weeks"] == 4 and trained["level"] == "category"
    assert trained["as_of"].startswith("2025-11-27")
    assert trained["served"] in trained["methods"]
    for metrics in trained["methods"].values():
        assert set(metrics) == METRICS
    assert set(trained["levels"]) == {"shop", "category"}  # down to categories, no items


def test_export_writes_the_contract_columns(trained: dict[str, Any], demo: Path,
                                             tmp_path: Path) -> None:
    out = tmp_path / "forecast.csv"
    code, text, err = _run("export", demo, "forecast", "--out", out)
    assert code == 0, err
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == EXPORT_COLUMNS
    levels = {r["level"] for r in rows}
    assert levels == {"shop", "category"}
    assert {r["measure"] for r in rows} == {"units", "revenue"}
    shop_units = [r for r in rows if r["level"] == "shop" and r["measure"] == "units"]
    assert len(shop_units) == 4  # four weeks ahead
    assert shop_units[0]["period"] == "2025-11-28"  # the day after the as-of date
    for r in rows:
        assert float(r["p10"]) <= float(r["p50"]) <= float(r["p90"])
    assert f"Wrote {len(rows):,} rows" in text


def test_export_without_a_forecast_says_so(tmp_path: Path) -> None:
    path = tmp_path / "p.intentlens"
    create_demo_project(path, customers=50, seed=1)
    code, _, err = _run("export", path, "forecast", "--out", tmp_path / "f.csv")
    assert code == 2
    assert "train the sales forecast first" in err


def test_item_read_models_on_a_trained_item_forecast(demo: Path) -> None:
    code, _, err = _run("train", "forecast", demo, "--weeks", "2", "--period", "week",
                        "--origins", "1")
    assert code == 0, err
    project = open_project(demo)
    try:
        run = active_run(project, "forecast")
        assert run is not None
        found = choices(project, run)
        assert [c.level for c in found[:1]] == ["shop"]
        items = [c for c in found if c.level == "item"]
        assert items and "(" in items[0].label  # the name and the id
        view = series_view(project, run, "item", items[0].key, "revenue")
        assert len(view.forecast_starts) == 2 and len(view.p50) == 2
        assert sum(view.history) > 0
        table = movers(project, run, cover_periods=1)
        whole = movers(project, run)
        assert list(table.columns) == ["item", "name", "category", "recent", "expected",
                                       "change", "stock_p90"]
        merged = table.set_index("item")["stock_p90"].to_frame("one").join(
            whole.set_index("item")["stock_p90"].to_frame("two"))
        assert (merged["one"] <= merged["two"] + 1e-9).all()
        assert (merged["two"] > merged["one"]).any()
        with pytest.raises(ValueError):
            series_view(project, run, "item", "NO-SUCH-ITEM")
    finally:
        project.close()
