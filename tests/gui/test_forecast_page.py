"""The Forecast page as a shop owner uses it (pytest-qt, offscreen): what it says before there is
a forecast, the chart of the shop and of a picked item with its P10–P90 band, the movers table
and its "stock to cover N weeks" column, the exports of the forecast and of the chart.

Most tests read a saved forecast run through stand-ins for ``engine.forecast.read`` (so they
check the page, not the forecasting); the last one trains a real run on the demo shop.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog

from engine.forecast import read
from engine.forecast.read import SeriesChoice, SeriesView
from gui.pages.forecast_page import ForecastPage
from gui.pages.forecast_views import KEYS, MoversModel
from storage.project import Project, open_project
from storage.run_writes import save_run

WEEK = 7 * 86_400_000
FIRST = 1_704_067_200_000 - 6 * 86_400_000  # Monday 2023-12-25, UTC
HISTORY, AHEAD = 30, 8
CATEGORIES = ("Kitchen", "Garden", "=Tools")  # the last one would be a spreadsheet formula
ITEMS = 2500
EXPORT_COLUMNS = ["series", "level", "measure", "period", "p10", "p50", "p90"]


def _view(level: str, key: str, measure: str = "units") -> SeriesView:
    """A believable series: a rising history with a weekly wobble, then a widening range."""
    if level == "item" and not key.startswith("A"):
        raise ValueError(f"no item {key}")
    scale = {"shop": 120.0, "category": 40.0, "item": 3.0}[level]
    scale *= 25.0 if measure == "revenue" else 1.0
    scale *= 1.0 + (sum(map(ord, key)) % 7) / 10
    i = np.arange(HISTORY)
    history = scale * (1 + 0.01 * i) * (1 + 0.15 * np.sin(i))
    ahead = np.arange(1, AHEAD + 1)
    p50 = scale * (1 + 0.01 * (HISTORY + ahead))
    spread = 0.12 + 0.02 * ahead
    label = "Whole shop" if level == "shop" else key if level == "category" else f"{key} · Mug"
    return SeriesView(
        level=level, key=key, label=label, measure=measure, period_days=7,
        history_starts=[FIRST + WEEK * int(k) for k in i], history=history.round(2).tolist(),
        forecast_starts=[FIRST + WEEK * (HISTORY + int(k) - 1) for k in ahead],
        p10=(p50 * (1 - spread)).round(2).tolist(), p50=p50.round(2).tolist(),
        p90=(p50 * (1 + spread)).round(2).tolist(),
        method=f"{level}-method", error=f"For {level} it is usually within ±9% a week.",
    )


def _choices() -> list[SeriesChoice]:
    return ([SeriesChoice("shop", "", "Whole shop")]
            + [SeriesChoice("category", c, c) for c in CATEGORIES]
            + [SeriesChoice("item", f"A{i:04d}", f"A{i:04d} · Mug {i}") for i in range(ITEMS)])


def _movers(cover_periods: int | None) -> pd.DataFrame:
    n = 40
    cover = AHEAD if cover_periods is None else cover_periods
    rng = np.random.default_rng(3)
    recent = rng.uniform(0.5, 20, n).round(2)
    recent[5] = 0.0  # nothing sold lately: a new item
    expected = (recent * rng.uniform(0.3, 2.5, n)).round(2)
    expected[5] = 4.0
    with np.errstate(divide="ignore"):
        change = np.where(recent > 0, expected / recent - 1, np.nan)
    frame = pd.DataFrame({
        "item": [f"A{i * 37:04d}" for i in range(n)],
        "name": [f"Mug {i * 37}" for i in range(n)],
        "category": [CATEGORIES[i % 3] for i in range(n)],
        "recent": recent, "expected": expected, "change": change,
        "stock_p90": expected * 1.4 * cover,
    })
    order = np.argsort(-np.nan_to_num(np.abs(change), nan=np.inf), kind="stable")
    return frame.iloc[order].reset_index(drop=True)


def _table() -> pd.DataFrame:
    rows = []
    for level, key in [("shop", ""), *(("category", c) for c in CATEGORIES)]:
        for measure in ("units", "revenue"):
            v = _view(level, key, measure)
            for start, lo, mid, hi in zip(v.forecast_starts, v.p10, v.p50, v.p90, strict=True):
                rows.append({"series": key or "shop", "level": level, "measure": measure,
                             "period": pd.Timestamp(start, unit="ms").strftime("%Y-%m-%d"),
                             "p10": lo, "p50": mid, "p90": hi})
    return pd.DataFrame(rows, columns=EXPORT_COLUMNS)


@pytest.fixture
def fake_read(monkeypatch: pytest.MonkeyPatch) -> list[int | None]:
    """Stand-ins for the forecast read model; returns the cover_periods movers was asked for."""
    asked: list[int | None] = []

    def movers(_project: Any, _run: Any, *, cover_periods: int | None = None) -> pd.DataFrame:
        asked.append(cover_periods)
        return _movers(cover_periods)

    monkeypatch.setattr(read, "choices", lambda _p, _r: _choices())
    monkeypatch.setattr(read, "series_view",
                        lambda _p, _r, level, key, measure="units": _view(level, key, measure))
    monkeypatch.setattr(read, "movers", movers)
    monkeypatch.setattr(read, "forecast_table", lambda _p, _r: _table())
    return asked


def _save_forecast_run(project: Project, weeks: int = AHEAD) -> int:
    return save_run(project, "forecast", status="done",
                    settings={"weeks": weeks, "as_of_ms": FIRST + WEEK * HISTORY - 1,
                              "level": "item"},
                    history={}, metrics={}, summary="forecast", seconds=1.0,
                    warm_started=False, weights=None)


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    """An empty project file."""
    p = open_project(tmp_path / "shop.intentlens", create=True)
    yield p
    p.close()


def _page(qtbot: Any, project: Project) -> ForecastPage:
    page = ForecastPage()
    qtbot.addWidget(page)
    page.resize(1110, 800)
    page.show()
    qtbot.waitExposed(page)
    with qtbot.waitSignal(page.loaded, timeout=30_000):
        page.set_project(project)
    return page


def _column(model: MoversModel, key: str) -> list[str]:
    col = KEYS.index(key)
    return [model.index(r, col).data() for r in range(model.rowCount())]


def test_without_a_forecast_the_page_says_what_to_do(qtbot, project: Project) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, project)
    assert page.data is not None and page.data.run is None
    assert page.stack.currentIndex() == 0
    assert "Train the sales forecast on the Train page" in page.empty.text()
    assert page.train_button.isVisible()
    assert not page.export_button.isVisible() and not page.png_button.isVisible()
    with qtbot.waitSignal(page.train_requested, timeout=1000):
        qtbot.mouseClick(page.train_button, Qt.MouseButton.LeftButton)


def test_chart_shows_history_forecast_and_band(qtbot, project: Project, fake_read) -> None:  # type: ignore[no-untyped-def]
    _save_forecast_run(project)
    page = _page(qtbot, project)
    assert page.stack.currentIndex() == 1
    shop = _view("shop", "")
    chart = page.chart
    hx, hy = chart.history.getData()
    assert list(hy) == shop.history
    assert list(hx) == [s / 1000 for s in shop.history_starts]  # the date axis reads seconds
    fx, p50 = chart.forecast.getData()
    # The forecast continues the last week that sold, then follows the P50.
    assert fx[0] == hx[-1] and p50[0] == hy[-1]
    assert list(p50[1:]) == shop.p50 and list(fx[1:]) == [s / 1000 for s in shop.forecast_starts]
    assert chart.band_at(3) == (shop.p10[2], shop.p90[2])
    assert chart.band.isVisible()
    labels = [label.text for _sample, label in chart.legend.items]
    assert len(labels) == 3 and any("P10" in t and "P90" in t for t in labels)
    assert chart.plot.getAxis("left").labelText == "units sold per week"
    assert chart.plot.getAxis("bottom").labelText == "week starting"
    assert "shop-method" in page.method_label.text()
    assert shop.error in page.method_label.text()
    assert "one week" in page.period_label.text()
    assert page.series.count() == 1 + len(CATEGORIES) + ITEMS

    # Pick an item the way a user types it: the picker finds it among thousands.
    index = page.series.findText("Item: A1234 · Mug 1234")
    assert index > 0
    with qtbot.waitSignal(page.series_shown, timeout=10_000) as shown:
        page.series.setCurrentIndex(index)
    assert (shown.args[0].level, shown.args[0].key) == ("item", "A1234")
    _, hy = chart.history.getData()
    assert list(hy) == _view("item", "A1234").history
    assert chart.band_at(AHEAD) == (_view("item", "A1234").p10[-1], _view("item", "A1234").p90[-1])

    # Revenue of the same item, with the axis saying so.
    with qtbot.waitSignal(page.series_shown, timeout=10_000) as shown:
        page.revenue_button.click()
    assert shown.args[0].measure == "revenue" and shown.args[0].key == "A1234"
    _, p50 = chart.forecast.getData()
    assert list(p50[1:]) == _view("item", "A1234", "revenue").p50
    assert chart.plot.getAxis("left").labelText == "revenue per week"


def test_movers_sorted_and_weeks_to_cover(qtbot, project: Project, fake_read) -> None:  # type: ignore[no-untyped-def]
    _save_forecast_run(project)
    page = _page(qtbot, project)
    model = page.model
    expected = _movers(AHEAD)
    assert fake_read == [AHEAD]  # weekly periods: N weeks are N periods, the horizon at first
    assert page.cover.minimum() == 1 and page.cover.maximum() == AHEAD == page.cover.value()
    # The engine's order first: the biggest change (the new item) on top.
    assert _column(model, "item") == expected["item"].tolist()
    assert _column(model, "change")[0] == "new"
    assert model.index(0, KEYS.index("change")).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert model.headerData(6, Qt.Orientation.Horizontal) == f"Stock to cover {AHEAD} weeks (P90)"
    assert model.headerData(3, Qt.Orientation.Horizontal) == "Recent per week"

    # Sorted by change, falling first: every shown change is at least the one above it.
    page.table.sortByColumn(KEYS.index("change"), Qt.SortOrder.AscendingOrder)
    shown = [model.rows["change"].iloc[i] for i in model.view]
    known = [c for c in shown if c == c]
    assert known == sorted(known) and len(known) == len(shown) - 1
    assert shown[-1] != shown[-1]  # the item without a change sinks to the bottom
    first = model.index(0, KEYS.index("change"))
    assert first.data().startswith("−")
    assert first.data(Qt.ItemDataRole.ForegroundRole).name() == "#b3261e"

    # Three weeks to cover: movers is asked again and the stock column follows.
    before = _column(model, "stock_p90")
    with qtbot.waitSignal(page.movers_shown, timeout=10_000):
        page.cover.setValue(3)
    assert fake_read[-1] == 3
    assert model.headerData(6, Qt.Orientation.Horizontal) == "Stock to cover 3 weeks (P90)"
    after = _column(model, "stock_p90")
    assert after != before
    by_item = _movers(3).set_index("item")["stock_p90"]
    for item, text in zip(_column(model, "item"), after, strict=True):
        assert int(text.replace(",", "")) == int(np.ceil(by_item[item] - 1e-9))

    # A double-click on a row shows that item in the chart.
    row = 4
    item = model.item_at(row)
    with qtbot.waitSignal(page.series_shown, timeout=10_000) as shown:
        page.table.doubleClicked.emit(model.index(row, 1))
    assert shown.args[0].key == item
    assert page.series.currentData() == f"item:{item}"


def test_movers_model_is_consistent(qtbot, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = MoversModel()
    model.set_rows(_movers(None), "week", AHEAD)
    qtmodeltester.check(model)
    model.sort(KEYS.index("name"), Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)


def test_export_forecast_csv_and_xlsx(  # type: ignore[no-untyped-def]
    qtbot, project: Project, fake_read, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _save_forecast_run(project)
    page = _page(qtbot, project)
    out = tmp_path / "forecast.csv"
    with qtbot.waitSignal(page.exported, timeout=10_000) as done:
        page.export_forecast(str(out))
    qtbot.waitUntil(lambda: page.export_button.isEnabled(), timeout=5000)
    assert done.args == [str(out), len(_table())]
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == EXPORT_COLUMNS
    assert len(rows) - 1 == len(_table())
    assert rows[1][3] == pd.Timestamp(FIRST + WEEK * HISTORY, unit="ms").strftime("%Y-%m-%d")
    assert {r[0] for r in rows[1:]} >= {"shop", "Kitchen", "'=Tools"}  # formula neutralised
    assert "Saved" in page.status.plain and str(out.name) in page.status.plain

    # Excel through the save dialog: numbers as numbers, the formula inert.
    xlsx = tmp_path / "forecast.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(xlsx), "Excel workbooks (*.xlsx)"))
    with qtbot.waitSignal(page.exported, timeout=10_000):
        page.export_button.click()
    qtbot.waitUntil(lambda: page.export_button.isEnabled(), timeout=5000)
    sheet = load_workbook(xlsx).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == EXPORT_COLUMNS
    assert len(values) - 1 == len(_table())
    # The period is a date cell (Excel sorts and filters it as a date), the CSV's day.
    assert isinstance(values[1][3], datetime)
    assert values[1][3].strftime("%Y-%m-%d") == rows[1][3] and isinstance(values[1][5], float)
    assert "=Tools" in {r[0] for r in values[1:]}  # text, not a formula


def test_export_refuses_the_project_file(qtbot, project: Project, fake_read) -> None:  # type: ignore[no-untyped-def]
    _save_forecast_run(project)
    page = _page(qtbot, project)
    assert project.path is not None
    before = project.path.read_bytes()[:100]
    page.export_forecast(str(project.path))
    qtbot.waitUntil(lambda: page.export_button.isEnabled(), timeout=5000)
    assert "open project" in page.status.plain
    assert project.path.read_bytes()[:100] == before
    page.save_chart(str(project.path))
    assert "open project" in page.status.plain


def test_save_chart_writes_a_png(qtbot, project: Project, fake_read, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _save_forecast_run(project)
    page = _page(qtbot, project)
    out = tmp_path / "chart.png"
    with qtbot.waitSignal(page.exported, timeout=5000):
        page.save_chart(str(out))
    image = QImage(str(out))
    assert not image.isNull()
    assert image.width() >= 600 and image.height() >= 200
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7)
               for y in range(0, image.height(), 7)}
    assert len(colours) > 5  # lines and a band, not a blank picture
    assert not list(tmp_path.glob(".*.part"))


def test_a_new_forecast_run_is_shown(qtbot, project: Project, fake_read) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, project)
    assert page.stack.currentIndex() == 0
    run_id = _save_forecast_run(project, weeks=5)
    page.run_saved("intent", 1)  # another task's run changes nothing here
    assert not page._loader.busy
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.run_saved("forecast", run_id)
    assert page.stack.currentIndex() == 1
    assert page.cover.maximum() == 5 == page.cover.value()
    assert fake_read[-1] == 5


def test_daily_periods_say_so_and_cover_whole_weeks(  # type: ignore[no-untyped-def]
    qtbot, project: Project, fake_read, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    def daily(_p: Any, _r: Any, level: str, key: str, measure: str = "units") -> SeriesView:
        v = _view(level, key, measure)
        day_ms = 86_400_000
        return replace(v, period_days=1,
                       history_starts=[FIRST + day_ms * i for i in range(HISTORY)],
                       forecast_starts=[FIRST + day_ms * (HISTORY + i) for i in range(AHEAD)])

    monkeypatch.setattr(read, "series_view", daily)
    _save_forecast_run(project, weeks=2)
    page = _page(qtbot, project)
    assert page.chart.plot.getAxis("left").labelText == "units sold per day"
    assert "one day" in page.period_label.text()
    assert page.model.headerData(3, Qt.Orientation.Horizontal) == "Recent per day"
    assert fake_read == [14]  # two weeks of daily periods
    with qtbot.waitSignal(page.movers_shown, timeout=10_000):
        page.cover.setValue(1)
    assert fake_read[-1] == 7


def test_the_window_wires_the_page(qtbot, project: Project, fake_read) -> None:  # type: ignore[no-untyped-def]
    from gui.main_window import MainWindow
    from gui.settings import Settings

    window = MainWindow(Settings(), remember=False)
    qtbot.addWidget(window)
    names = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert names.index("Forecast") == names.index("Campaign") + 1
    window.set_project(project)
    window.show()
    page = window.forecast_page
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        window.show_page(page)
    assert page.stack.currentIndex() == 0
    # A forecast trained on the Train page reaches the page through the window.
    run_id = _save_forecast_run(project)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        window.run_saved.emit("forecast", run_id)
    assert page.stack.currentIndex() == 1
    page.train_requested.emit()
    assert window.pages.currentWidget() is window.train_page


@pytest.fixture(scope="module")
def trained_shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """A small demo shop with a real forecast run (4 weeks ahead); skipped while the task is
    not on the registry."""
    from engine import runs
    from engine.tasks import TASKS

    if "forecast" not in TASKS:
        pytest.skip("the forecast task is not registered in this version")
    from engine.demo_project import create_demo_project
    from engine.forecast.config import ForecastConfig

    path = tmp_path_factory.mktemp("forecast-page") / "shop.intentlens"
    create_demo_project(path, customers=300, seed=9)
    p = open_project(path, create=False)
    for _ in runs.train(p, "forecast", ForecastConfig(weeks=4, origins=1, seed=0)):
        pass
    yield p
    p.close()


def test_a_real_forecast_run(qtbot, trained_shop: Project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, trained_shop)
    data = page.data
    assert data is not None and data.run is not None and data.view is not None
    assert page.stack.currentIndex() == 1
    assert page.cover.maximum() == 4 == page.cover.value()
    # The shop's history and forecast are drawn, the forecast four weeks of P10 <= P50 <= P90.
    view = data.view
    assert view.level == "shop" and len(view.history) > 4
    _, hy = page.chart.history.getData()
    assert len(hy) == len(view.history)
    assert len(view.p50) == 4 * 7 // view.period_days
    assert all(lo <= mid <= hi for lo, mid, hi in zip(view.p10, view.p50, view.p90, strict=True))
    assert view.method and view.method in page.method_label.text()
    # The movers are the engine's, and a double-click draws one of them.
    assert page.model.rowCount() == len(data.movers) > 0
    item = page.model.item_at(0)
    with qtbot.waitSignal(page.series_shown, timeout=30_000) as shown:
        page.table.doubleClicked.emit(page.model.index(0, 0))
    assert (shown.args[0].level, shown.args[0].key) == ("item", item)
    # Fewer weeks to cover never needs more stock.
    stock_4 = data.movers.set_index("item")["stock_p90"]
    with qtbot.waitSignal(page.movers_shown, timeout=30_000) as moved:
        page.cover.setValue(1)
    stock_1 = moved.args[0].set_index("item")["stock_p90"]
    assert (stock_1 <= stock_4.reindex(stock_1.index) + 1e-9).all()
    # The export has the contract's columns and every forecast of the run.
    out = tmp_path / "forecast.csv"
    with qtbot.waitSignal(page.exported, timeout=30_000):
        page.export_forecast(str(out))
    qtbot.waitUntil(lambda: page.export_button.isEnabled(), timeout=10_000)
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == EXPORT_COLUMNS
    assert len(rows) - 1 == len(read.forecast_table(trained_shop, data.run))
