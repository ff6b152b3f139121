"""The Campaign page as a shop owner uses it (pytest-qt, offscreen): the figures of the list,
the "Contact the top N" slider, "Best cut", filters, the export of exactly the rows on screen,
and what the page says before there is an intent model."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from engine import runs
from engine.campaign import CampaignFilter, plan, select
from engine.demo_project import create_demo_project
from engine.intent import IntentConfig
from engine.profiles import ProfileConfig
from gui.main_window import MainWindow
from gui.pages.campaign_model import CampaignModel
from gui.pages.campaign_page import CampaignPage
from gui.settings import Settings
from storage.project import Project, open_project

CUSTOMERS = 200


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """A demo shop with a quickly trained purchase-intent model and segments."""
    path = tmp_path_factory.mktemp("campaign") / "shop.intentlens"
    create_demo_project(path, customers=CUSTOMERS, seed=9)
    project = open_project(path, create=False)
    for _ in runs.train(project, "intent", IntentConfig(preset="fast", epochs=1, seed=0)):
        pass
    for _ in runs.train(project, "profiles", ProfileConfig(epochs=2, seed=0)):
        pass
    yield project
    project.close()


def _page(qtbot: Any, project: Project) -> CampaignPage:
    page = CampaignPage()
    qtbot.addWidget(page)
    page.resize(1110, 800)
    page.show()
    qtbot.waitExposed(page)
    with qtbot.waitSignal(page.loaded, timeout=30_000):
        page.set_project(project)
    assert page.data is not None and page.stack.currentIndex() == 1
    return page


def _table_customers(page: CampaignPage) -> list[str]:
    model = page.model
    return [model.index(r, 1).data() for r in range(model.rowCount())]


def _plan_now(page: CampaignPage, rows: Any, top: int) -> Any:
    return plan(rows, top=top, margin_pct=page.margin.value(),
                cost_per_contact=page.cost.value())


def test_the_figures_follow_the_slider(qtbot, shop: Project) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, shop)
    assert page.data is not None
    everyone = select(page.data, CampaignFilter())
    assert page.slider.maximum() == page.count.maximum() == len(everyone) > 50
    # A project opens at the most profitable list size.
    first = _plan_now(page, everyone, 0)
    assert page.count.value() == first.best_cut
    page.slider.setValue(37)
    assert page.count.value() == 37
    assert page.model.rowCount() == 37
    expected = _plan_now(page, everyone, 37)
    assert page.contacts_card.value.text() == "37"
    assert page.buyers_card.value.text() == f"{expected.expected_buyers:,.0f}"
    assert page.non_buyers_card.value.text() == f"{expected.expected_non_buyers:,.0f}"
    assert page.profit_card.value.text().replace(",", "") == (
        f"{expected.expected_profit:.0f}" if abs(expected.expected_profit) >= 100
        else f"{expected.expected_profit:.2f}")
    assert "contacting 37 customers" in page.plan_label.text()
    # No customer-value run: the money column says what it is, not "Expected spend" (the
    # Customers page's figure from the value run), and its tooltip says why.
    from PySide6.QtCore import Qt

    column = page.model.headers.index("Intent × order value")
    assert page.data.spend_source == "intent"
    tip = page.model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "Chance to buy × the customer's expected order value" in tip
    page.model.set_spend_source("value")
    assert page.model.headers[column] == "Expected spend"
    page.model.set_spend_source("intent")
    assert page.check_label.text() and page.check_label.text() not in page.plan_label.text()
    assert _table_customers(page) == everyone["customer"].head(37).tolist()
    assert page.chosen_line.value() == 37
    page.count.setValue(5)
    assert page.model.rowCount() == 5 and page.slider.value() == 5
    assert page.contacts_card.value.text() == "5"
    # Dragging the marker on the profit curve chooses the list size too.
    page.chosen_line.setValue(12.4)
    assert page.count.value() == 12 and page.model.rowCount() == 12


def test_best_cut_sets_the_most_profitable_size(qtbot, shop: Project) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, shop)
    assert page.data is not None
    page.cost.setValue(4.0)  # dear contacts: the best list is not everyone
    page.slider.setValue(1)
    rows = select(page.data, CampaignFilter())
    best = _plan_now(page, rows, 1).best_cut
    assert best != 1
    qtbot.mouseClick(page.best_button, Qt.MouseButton.LeftButton)
    assert page.count.value() == best
    assert page.model.rowCount() == best
    assert page.best_line.value() == best
    curve = page.curve.getData()
    assert len(curve[0]) == len(rows) + 1 and curve[1][best] == max(curve[1])


def test_filters_narrow_the_list(qtbot, shop: Project) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, shop)
    assert page.data is not None
    everyone = len(page.data.frame)
    page.count.setValue(page.count.maximum())
    page.filters.intent_low.setValue(45)
    qtbot.waitUntil(lambda: page.count.maximum() < everyone, timeout=5_000)
    wanted = select(page.data, CampaignFilter(min_intent=0.45))
    assert 0 < len(wanted) < everyone
    assert page.count.maximum() == page.slider.maximum() == len(wanted)
    assert page.count.value() == len(wanted)  # N was "all": it stays within the new count
    assert page.model.rowCount() == len(wanted)
    assert all(float(t.rstrip("%")) >= 45 for t in
               (page.model.index(r, 2).data() for r in range(page.model.rowCount())))
    assert page.match_label.text().startswith(f"{len(wanted):,} of {everyone:,}")
    segments = page.data.segments
    assert segments and page.filters.segment.count() == len(segments) + 1
    page.filters.segment.setCurrentIndex(1)
    qtbot.waitUntil(lambda: page.model.rowCount() < len(wanted) or len(
        select(page.data, CampaignFilter(segment=segments[0], min_intent=0.45))) == len(wanted),
        timeout=5_000)
    both = select(page.data, CampaignFilter(segment=segments[0], min_intent=0.45))
    assert page.count.maximum() == len(both)
    assert {page.model.index(r, 4).data() for r in range(page.model.rowCount())} <= {
        segments[0]}
    page.filters.reset()
    qtbot.waitUntil(lambda: page.count.maximum() == everyone, timeout=5_000)


def test_export_writes_exactly_the_rows_on_screen(  # type: ignore[no-untyped-def]
    qtbot, shop: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(qtbot, shop)
    page.count.setValue(25)
    page.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)  # the table's order, not the rank
    shown = _table_customers(page)
    assert len(shown) == 25 and shown == sorted(shown, reverse=True)
    out = tmp_path / "campaign.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(out), "CSV files (*.csv)"))
    with qtbot.waitSignal(page.exported, timeout=30_000) as signal:
        qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    assert signal.args == [str(out), 25]
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["customer"] for r in rows] == shown
    assert "item_1" in rows[0] and "expected_spend" in rows[0]
    assert "25 customers" in page.status.plain and str(out.name) in page.status.plain
    qtbot.waitUntil(page.export_button.isEnabled, timeout=5_000)

    book = tmp_path / "campaign.xlsx"
    page.count.setValue(9)
    page.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    with qtbot.waitSignal(page.exported, timeout=30_000):
        page.export_list(str(book))
    sheet = load_workbook(book, read_only=True).worksheets[0]
    cells = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert cells[0] == "customer" and cells[1:] == _table_customers(page)


def test_export_failure_is_one_sentence(qtbot, shop: Project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, shop)
    page.count.setValue(3)
    target = tmp_path / "missing-folder" / "list.csv"
    page.export_list(str(target))
    qtbot.waitUntil(page.status.isVisible, timeout=30_000)
    assert page.status.plain.startswith("The folder") and "does not exist" in page.status.plain
    assert "\n" not in page.status.plain and not target.exists()
    qtbot.waitUntil(page.export_button.isEnabled, timeout=5_000)


def test_table_model_is_consistent(qtbot, qtmodeltester, shop: Project) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, shop)
    assert page.data is not None
    model = CampaignModel()
    model.set_rows(select(page.data, CampaignFilter()), 30)
    qtmodeltester.check(model)
    model.set_count(10)
    model.sort(2, Qt.SortOrder.DescendingOrder)
    model.set_count(40)
    qtmodeltester.check(model)
    assert model.rowCount() == 40


def test_without_an_intent_model_the_page_says_what_to_do(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "untrained.intentlens"
    create_demo_project(path, customers=30, seed=2)
    window = MainWindow(Settings(), remember=False)
    qtbot.addWidget(window)
    window.show()
    page = window.campaign_page
    assert window.nav.item(window.pages.indexOf(page)).text() == "Campaign"
    assert window.pages.indexOf(page) == window.pages.indexOf(window.customers_page) + 1
    assert window.open_project(str(path))
    with qtbot.waitSignal(page.loaded, timeout=30_000):
        window.show_page(page)
    assert page.stack.currentIndex() == 0
    assert "Train a purchase-intent model first" in page.empty.text()
    assert page.train_button.isVisible() and not page.export_button.isVisible()
    qtbot.mouseClick(page.train_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.train_page
