"""Exports from the pages as a shop owner uses them (pytest-qt, offscreen): "Export what you see…"
writes exactly the rows, order and columns the Customers table shows, as CSV or Excel; the save
dialog opens in the last export's folder or Documents; the page says how many rows went where;
the Segments page writes the chosen segment as a workbook."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from engine import runs
from engine.demo_project import create_demo_project
from engine.profiles import ProfileConfig
from gui import formats
from gui.pages.customers_page import CustomersPage
from gui.pages.segments_page import SegmentsPage
from storage.project import Project, open_project
from storage.run_writes import save_run
from storage.runs import customer_summary

#: The header of ``export scores`` (a contract): the score, then the customer-value columns.
SCORE_HEADER = ["customer", "score", "rank", "as_of", "horizon", "expected_spend",
                "expected_spend_p10", "expected_spend_p90", "next_purchase", "churn_risk",
                "churn_band"]

REPO_ROOT = Path(__file__).resolve().parents[2]
CUSTOMERS = 200


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """A demo shop with segments (trained quickly) and intent scores for all but every
    seventh customer (saved straight into the project: no training needed)."""
    path = tmp_path_factory.mktemp("customer-exports") / "shop.intentlens"
    create_demo_project(path, customers=CUSTOMERS, seed=5)
    project = open_project(path, create=False)
    for _ in runs.train(project, "profiles", ProfileConfig(epochs=2, seed=0)):
        pass
    ids = customer_summary(project)["customer_id"].to_numpy(dtype=np.int64)
    ids = ids[np.arange(len(ids)) % 7 != 0]
    scores = np.random.default_rng(1).random(len(ids))
    save_run(
        project, "intent", status="done", settings={"as_of_ms": 1_764_000_000_000,
                                                    "horizon_days": 30},
        history={}, metrics={}, summary="", seconds=0.0, warm_started=False, weights=None,
        outputs=pd.DataFrame({
            "customer_id": ids, "score": scores,
            "rank": pd.Series(scores).rank(ascending=False, method="first").to_numpy(),
        }),
    )
    yield project
    project.close()


@pytest.fixture
def documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home folder with Documents, and IntentLens settings of its own (no last folder yet)."""
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("INTENTLENS_HOME", str(tmp_path / "intentlens-home"))
    return home / "Documents"


def _customers_page(qtbot: Any, project: Project) -> CustomersPage:
    page = CustomersPage()
    qtbot.addWidget(page)
    page.resize(1110, 760)
    page.show()
    page.set_project(project)
    qtbot.waitUntil(lambda: page.model.rowCount() == CUSTOMERS, timeout=30_000)
    return page


def _filter_and_sort(page: CustomersPage) -> None:
    """Search, an intent range and a sort on purchases (many ties: the order must hold)."""
    page.search.setText("1")
    page.low.setValue(15)
    page.high.setValue(85)
    page._filter_timer.stop()
    page._apply_filter()
    page.table.sortByColumn(page.model.keys.index("purchases"), Qt.SortOrder.AscendingOrder)
    assert 0 < page.model.rowCount() < CUSTOMERS


def _table_text(page: CustomersPage) -> list[list[str]]:
    """The shown columns' text, row by row."""
    m = page.model
    header = page.table.horizontalHeader()
    cols = [c for c in range(m.columnCount()) if not header.isSectionHidden(c)]
    return [[m.data(m.index(r, c)) for c in cols] for r in range(m.rowCount())]


def _as_shown(value: Any, kind: str) -> str:
    """An exported value the way the table writes it."""
    if value is None or value == "":
        return ""
    if kind == "text":
        return str(value)
    if kind == "date":  # the file holds the day itself; the table writes it the locale's way
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        return formats.day(moment.replace(tzinfo=UTC).timestamp() * 1000)
    number = float(value)
    if kind == "percent":
        assert 0.0 <= number <= 1.0  # a share, not a percentage
        return formats.percent(number)
    if kind in ("rank", "number"):
        assert number == int(number)
        return formats.integer(number)
    if kind == "money":
        return formats.money(number)
    return formats.figure(number)


def _read(path: Path) -> list[list[Any]]:
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return list(csv.reader(fh))
    ws = load_workbook(path).active
    assert isinstance(ws, Worksheet)
    assert all(c.font.b for c in ws[1]) and ws.freeze_panes == "A2"
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
    return [[c.value for c in row] for row in ws.iter_rows()]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_what_you_see_writes_exactly_the_shown_rows(
    qtbot: Any, shop: Project, tmp_path: Path, suffix: str
) -> None:
    page = _customers_page(qtbot, shop)
    assert page.model.keys == ["customer", "score", "rank", "expected_spend", "purchases",
                               "revenue", "last_ms", "segment", "next_item", "next_order",
                               "churn_band"]
    _filter_and_sort(page)
    # Columns of tasks not trained yet (next item, next order, churn) hold nothing: hidden.
    header = page.table.horizontalHeader()
    hidden = [k for i, k in enumerate(page.model.keys) if header.isSectionHidden(i)]
    assert hidden == ["next_item", "next_order", "churn_band"]
    titles = [t for i, t in enumerate(page.model.headers) if not header.isSectionHidden(i)]
    kinds = [k for i, k in enumerate(page.model.kinds) if not header.isSectionHidden(i)]
    shown = _table_text(page)
    assert page.export_shown_button.isEnabled()

    out = tmp_path / f"contacts{suffix}"
    with qtbot.waitSignal(page.exported, timeout=30_000) as done:
        page.export_shown(str(out))
    assert done.args == [str(out), len(shown)]
    rows = _read(out)
    assert rows[0] == titles
    got = [[_as_shown(v, k) for v, k in zip(row, kinds, strict=True)] for row in rows[1:]]
    assert got == shown
    if suffix == ".xlsx":
        assert all(isinstance(r[2], int) for r in rows[1:] if r[2] is not None)  # rank
        last_seen = page.model.keys.index("last_ms")
        assert all(isinstance(r[last_seen], datetime) for r in rows[1:])  # last seen: a date
    # The page says it, in a line that is on screen.
    assert page.status.isVisible()
    assert page.status.plain == f"Saved {len(shown):,} customers to {out.resolve()}."
    assert str(len(shown)) in page.status.text()
    # Changing the filter changes the next export.
    page.search.setText("")
    page._filter_timer.stop()
    page._apply_filter()
    # The button comes back when the first export has finished (its "exported" message
    # arrives a moment before): a second export is possible from then on.
    qtbot.waitUntil(page.export_shown_button.isEnabled, timeout=30_000)
    again = tmp_path / f"more{suffix}"
    with qtbot.waitSignal(page.exported, timeout=30_000) as done:
        page.export_shown(str(again))
    assert done.args[1] == page.model.rowCount() > len(shown)


def test_the_owner_chooses_the_columns_and_the_export_follows(
    qtbot: Any, shop: Project, tmp_path: Path
) -> None:
    page = _customers_page(qtbot, shop)
    page.columns_menu.aboutToShow.emit()  # the menu fills as it opens
    actions = {a.text(): a for a in page.columns_menu.actions()}
    assert list(actions) == page.model.headers
    assert not actions["Customer"].isEnabled()  # the id always stays
    actions["Rank"].setChecked(False)
    actions["Segment"].setChecked(False)
    header = page.table.horizontalHeader()
    header.moveSection(page.model.keys.index("revenue"), 1)  # dragged next to the id
    # A reload (a run saved, an import) keeps the owner's choice.
    with qtbot.waitSignal(page.model.modelReset, timeout=30_000):
        page.refresh()
    assert header.isSectionHidden(page.model.keys.index("rank"))
    assert header.isSectionHidden(page.model.keys.index("segment"))
    out = tmp_path / "chosen.csv"
    with qtbot.waitSignal(page.exported, timeout=30_000):
        page.export_shown(str(out))
    titles = _read(out)[0]
    assert titles[:2] == ["Customer", "Revenue"]
    assert "Rank" not in titles and "Segment" not in titles
    assert len(titles) == len(page.model.headers) - 2 - 3  # and the 3 empty ones
    # Showing an empty column is the owner's choice, and it stays through a reload.
    page.show_column(page.model.keys.index("churn_band"), True)
    with qtbot.waitSignal(page.model.modelReset, timeout=30_000):
        page.refresh()
    assert not header.isSectionHidden(page.model.keys.index("churn_band"))
    assert header.isSectionHidden(page.model.keys.index("next_item"))
    page.show_column(page.model.keys.index("rank"), True)
    assert not header.isSectionHidden(page.model.keys.index("rank"))
    page.show_column(0, False)
    assert not header.isSectionHidden(0)


def test_export_scores_is_still_every_scored_customer(
    qtbot: Any, shop: Project, tmp_path: Path
) -> None:
    page = _customers_page(qtbot, shop)
    _filter_and_sort(page)
    out = tmp_path / "scores.xlsx"
    n = page.export_scores(str(out))
    rows = _read(out)
    assert rows[0] == SCORE_HEADER
    assert n == len(rows) - 1 == CUSTOMERS - len(range(0, CUSTOMERS, 7))
    assert [r[2] for r in rows[1:4]] == [1, 2, 3]
    assert page.status.plain == f"Saved {n:,} scores to {out.resolve()}."


def test_the_save_dialog_starts_in_documents_then_in_the_last_folder(
    qtbot: Any, shop: Project, tmp_path: Path, documents: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[str, str]] = []
    answer: list[tuple[str, str]] = [("", "")]

    def fake(_parent: Any, _caption: str, start: str, filters: str, *_a: Any) -> tuple[str, str]:
        asked.append((start, filters))
        return answer[0]

    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake)
    page = _customers_page(qtbot, shop)
    page.export_shown()  # cancelled: nothing written, nothing said
    start = Path(asked[-1][0])
    assert start == documents / "customers.xlsx"
    assert REPO_ROOT not in start.parents and Path.cwd() not in start.parents
    assert "*.xlsx" in asked[-1][1] and "*.csv" in asked[-1][1]
    assert page.status.isHidden() and page._export_worker is None

    # A name without an ending gets the chosen type's; the folder is remembered.
    folder = tmp_path / "campaigns"
    folder.mkdir()
    answer[0] = (str(folder / "spring"), "Excel workbooks (*.xlsx)")
    with qtbot.waitSignal(page.exported, timeout=30_000) as done:
        page.export_shown()
    assert done.args[0] == str(folder / "spring.xlsx")
    qtbot.waitUntil(lambda: page._export_worker is None, timeout=30_000)
    assert (folder / "spring.xlsx").is_file()

    answer[0] = ("", "")
    page.export_scores()
    assert Path(asked[-1][0]) == folder / "scores.csv"
    # A remembered folder that was deleted falls back to Documents.
    (folder / "spring.xlsx").unlink()
    folder.rmdir()
    page.export_shown()
    assert Path(asked[-1][0]).parent == documents


def test_a_refused_export_says_why_and_writes_nothing(
    qtbot: Any, shop: Project, no_unexpected_dialogs: list[str]
) -> None:
    page = _customers_page(qtbot, shop)
    assert shop.path is not None
    before = shop.path.read_bytes()[:4096]
    with qtbot.assertNotEmitted(page.exported, wait=500):
        page.export_shown(str(shop.path))
    qtbot.waitUntil(lambda: page._export_worker is None, timeout=30_000)
    assert len(no_unexpected_dialogs) == 1 and "open project" in no_unexpected_dialogs[0]
    no_unexpected_dialogs.clear()  # expected here
    assert "open project" in page.status.plain and page.status.isVisible()
    assert shop.path.read_bytes()[:4096] == before
    assert page.export_shown_button.isEnabled()


def test_the_segments_page_writes_the_chosen_segment_as_a_workbook(
    qtbot: Any, shop: Project, tmp_path: Path
) -> None:
    page = SegmentsPage()
    qtbot.addWidget(page)
    page.resize(1100, 800)
    page.show()
    with qtbot.waitSignal(page.loaded, timeout=30_000):
        page.set_project(shop)
    page.table.selectRow(0)
    sid = int(page.model.row(0)[-1])
    seg = next(s for s in page.data.segments if int(s["id"]) == sid)  # type: ignore[union-attr]
    out = tmp_path / "one.xlsx"
    with qtbot.waitSignal(page.exported, timeout=30_000) as done:
        page.export_selected(str(out))
    assert done.args == [str(out), seg["size"]]
    rows = _read(out)
    assert rows[0] == ["customer", "segment_id", "segment_name", "intent_score"]
    assert len(rows) == seg["size"] + 1
    assert {r[1] for r in rows[1:]} == {sid} and {r[2] for r in rows[1:]} == {seg["name"]}
    assert page.status.isVisible()
    assert page.status.plain == f"Saved {seg['size']:,} customers to {out.resolve()}."
