"""What keeps opening a large project fast: the Customers table's cached row orders, the
blank-column check, and the Train page's data check put off while another page shows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt

from engine.customers import CustomerTable
from engine.demo_project import create_demo_project
from engine.tasks.base import Column
from gui.models import column_order
from gui.pages.customers_model import CustomersModel, column_is_empty, prepare
from gui.pages.customers_page import CustomersPage
from gui.settings import Settings

ORDERS = (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder)


def _frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    score = rng.random(n)
    score[rng.random(n) < 0.2] = np.nan  # unscored customers
    return pd.DataFrame({
        "customer_id": np.arange(n, dtype=np.int64) + 100,
        "customer": [f"C{int(k):03d}" if k % 7 else f"c{int(k):03d}"
                     for k in rng.integers(0, n // 3, n)],  # ties, both cases
        "intent": score,
        "purchases": rng.integers(0, 4, n).astype(np.int64),  # many ties
        "revenue": np.round(rng.random(n) * 50, 1),
        "last_ms": rng.integers(0, 10, n).astype(float),
    })


def _model(frame: pd.DataFrame, prepared: bool = False) -> CustomersModel:
    model = CustomersModel()
    columns = [Column("intent", "Intent", "percent")]
    if prepared:  # as the page gets it: worked out on the worker that read the table
        table = CustomerTable(frame, columns)
        model.set_table(table, prepare(table))
    else:
        model.set_columns(columns)
        model.set_frame(frame)
    return model


def _expected(model: CustomersModel, frame: pd.DataFrame, col: int, order: Qt.SortOrder,
              text: str, low: float, high: float) -> np.ndarray:
    """The rows as sorting only the kept ones gives them (the model before its cache)."""
    keep = frame["customer"].str.lower().str.contains(text.lower(), regex=False).to_numpy()
    score = frame["intent"].to_numpy()
    if (low, high) != (0.0, 1.0):
        keep &= (score >= low) & (score <= high)
    idx = np.flatnonzero(keep)
    values = frame[model.keys[col]].to_numpy()[idx]
    return idx[column_order(values, text=model.kinds[col] == "text", order=order)]


@pytest.mark.parametrize(("seed", "prepared"), [(1, False), (2, False), (3, True), (4, True)])
def test_sorting_and_filtering_give_the_rows_of_a_fresh_sort(seed: int, prepared: bool) -> None:
    frame = _frame(400, seed)
    model = _model(frame, prepared)
    for text, low, high in (("", 0.0, 1.0), ("c0", 0.0, 1.0), ("1", 0.25, 0.75), ("zz", 0.0, 1.0)):
        model.set_filter(text, low, high)
        for col in range(model.columnCount()):
            for order in ORDERS:
                model.sort(col, order)
                expected = _expected(model, frame, col, order, text, low, high)
                assert np.array_equal(model.view, expected), (model.keys[col], order, text)
    # A new frame forgets the old orders.
    other = _frame(300, seed + 10)
    model.set_filter("", 0.0, 1.0)
    model.sort(1, Qt.SortOrder.AscendingOrder)
    model.set_frame(other)
    assert np.array_equal(
        model.view, _expected(model, other, 1, Qt.SortOrder.AscendingOrder, "", 0.0, 1.0))


def test_unknown_scores_sink_to_the_bottom_both_ways() -> None:
    frame = _frame(200, 5)
    model = _model(frame)
    col = model.keys.index("intent")
    for order in ORDERS:
        model.sort(col, order)
        shown = frame["intent"].to_numpy()[model.view]
        known = int(np.isfinite(shown).sum())
        assert np.isfinite(shown[:known]).all() and np.isnan(shown[known:]).all()


def test_empty_columns_hide_and_a_single_value_shows_its_column(qtbot) -> None:  # type: ignore[no-untyped-def]
    page = CustomersPage()
    qtbot.addWidget(page)
    n = 500
    frame = _frame(n, 3)[["customer_id", "customer", "purchases", "revenue", "last_ms"]]
    blank = np.full(n, "", dtype=object)
    blank[::3] = None
    late = blank.copy()
    late[-1] = "shoes"  # one value, after many blanks
    frame = frame.assign(intent=np.full(n, np.nan), seg=blank, next=late)
    columns = [Column("intent", "Intent", "percent"), Column("seg", "Segment", "text"),
               Column("next", "Next item", "text")]
    page._loaded(CustomerTable(frame, columns))
    header = page.table.horizontalHeader()
    hidden = {k for i, k in enumerate(page.model.keys) if header.isSectionHidden(i)}
    assert hidden == {"intent", "seg"}
    assert page.model.rowCount() == n


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("open") / "shop.intentlens"
    create_demo_project(path, customers=60, seed=3)
    return path


def test_the_data_check_waits_until_the_train_page_is_seen(qtbot, shop, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from engine import runs
    from gui.main_window import MainWindow

    checked: list[str] = []
    real = runs.data_check

    def counting(project, key, config):  # type: ignore[no-untyped-def]
        checked.append(key)
        return real(project, key, config)

    monkeypatch.setattr(runs, "data_check", counting)
    window = MainWindow(Settings(), remember=False)
    qtbot.addWidget(window)
    window.show()
    assert window.open_project(str(shop))
    page = window.train_page
    qtbot.waitUntil(lambda: window.data_page.summary is not None, timeout=30_000)
    qtbot.waitUntil(page.start_button.isEnabled, timeout=30_000)
    qtbot.wait(700)  # longer than the gate's 400 ms pause
    assert checked == [] and page.gate_verdict_shown == ""
    window.show_page(page)
    qtbot.waitUntil(lambda: page.gate_verdict_shown[:1] in ("✓", "⚠"), timeout=30_000)
    assert checked == [page.panel.task.key]


def test_text_orders_as_python_sorts_lower_case_words() -> None:
    rng = np.random.default_rng(4)
    words = np.array([None if k % 11 == 0 else ("Ab" if k % 5 else "ab") + str(k % 37)
                      for k in rng.integers(0, 500, 800)], dtype=object)
    long = words.copy()
    long[3] = "x" * 100  # a word too long for the fixed-width path
    for values in (words, long):
        lowered = ["" if v is None else str(v).lower() for v in values]
        expected = sorted(range(len(values)), key=lambda i: lowered[i])  # stable
        got = column_order(values, text=True, order=Qt.SortOrder.AscendingOrder)
        assert list(got) == expected
        down = column_order(values, text=True, order=Qt.SortOrder.DescendingOrder)
        assert list(down) == expected[::-1]


def test_empty_columns_are_worked_out_with_the_table() -> None:
    frame = _frame(300, 5).assign(
        segment=[""] * 300, next_item=["x" if i == 250 else None for i in range(300)],
        spend=np.nan)
    columns = [Column("intent", "Intent", "percent"), Column("segment", "Segment", "text"),
               Column("next_item", "Next item", "text"), Column("spend", "Spend", "money")]
    prepared = prepare(CustomerTable(frame, columns))
    assert prepared.empty == {"segment", "spend"}
    assert all(column_is_empty(frame[k].to_numpy()) == (k in prepared.empty) for k in frame)
    assert set(prepared.bases) == {"customer", "intent", "purchases", "revenue", "last_ms",
                                   "segment", "next_item", "spend"}


def test_a_card_shown_again_with_the_model_s_why_keeps_its_timeline(qtbot, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                    monkeypatch) -> None:
    """The card comes twice (at once, then with the model's why): the second keeps the
    timeline it drew for the same history; another customer's card draws theirs."""
    from gui.pages.customer_card import CustomerCard, load_card
    from storage.project import open_project
    from storage.runs import customer_summary

    path = tmp_path / "shop.intentlens"
    create_demo_project(path, customers=40, seed=5)
    project = open_project(path, create=False)
    try:
        ids = customer_summary(project)["customer_id"].astype(int).tolist()[:2]
        first, again, other = (load_card(project, ids[0], False), load_card(project, ids[0], True),
                               load_card(project, ids[1], False))
    finally:
        project.close()
    view = CustomerCard()
    qtbot.addWidget(view)
    drawn: list[int] = []
    real = view._show_events
    monkeypatch.setattr(view, "_show_events",
                        lambda ev, as_of: (drawn.append(len(ev)), real(ev, as_of)))
    view.show_card(first)
    view.show_card(again)
    assert drawn == [first.events]
    assert view.timeline_points.data.size == first.events
    view.show_card(other)
    assert drawn == [first.events, other.events]
    assert view.timeline_points.data.size == other.events
    view.show_card(first)
    assert len(drawn) == 3
