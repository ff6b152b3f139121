"""Excel exports keep every promise of a CSV export: never over a project or database, atomic,
no formulas (a text cell is always a string cell, whatever it starts with), numbers as numbers;
and they read well: bold frozen header, sized columns, dates as dates. Also the customer list
as a page shows it (engine.export_tables)."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from engine import export_tables, export_xlsx, exports
from engine.tasks.base import Column
from storage.project import Project
from tests.engine.test_safe_exports import (  # noqa: F401 - formula_project is a fixture
    EXPORTS,
    FORMULA_IDS,
    NEGATIVE_SCORE,
    SEGMENT_NAMES,
    formula_project,
)

#: The header of ``export scores`` (a contract): the score, then the customer-value columns.
SCORE_HEADER = ["customer", "score", "rank", "as_of", "horizon", "expected_spend",
                "expected_spend_p10", "expected_spend_p90", "next_purchase", "churn_risk",
                "churn_band"]

#: Every id the handed case holds, each of which a spreadsheet would run.
HOSTILE = ('=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1)")


def _sheet(path: Path) -> Worksheet:
    ws = load_workbook(path).active
    assert isinstance(ws, Worksheet)
    return ws


def _rows(ws: Worksheet) -> list[list[object]]:
    return [[c.value for c in row] for row in ws.iter_rows()]


def _assert_no_formula(ws: Worksheet) -> None:
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
            if isinstance(cell.value, str):
                assert cell.data_type == "s", (cell.coordinate, cell.value, cell.data_type)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- round trip ------------------------------------------------------------------------------


@pytest.mark.parametrize("what", sorted(EXPORTS))
def test_every_export_writes_a_workbook_without_formulas(
    formula_project: Project, tmp_path: Path, what: str  # noqa: F811
) -> None:
    out = tmp_path / f"{what}.xlsx"
    n = EXPORTS[what](formula_project, out)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
    ws = _sheet(out)
    rows = _rows(ws)
    assert len(rows) == n + 1
    _assert_no_formula(ws)
    # The header: bold and frozen.
    assert all(c.font.b for c in ws[1]) and ws.freeze_panes == "A2"
    header = rows[0]
    if what == "rejected":
        assert header == list(exports.REJECTED_COLUMNS)
        # The file name and the raw lines are text, exactly as they were (no apostrophe).
        assert [r[0] for r in rows[1:]] == ["=formula_ids.csv"] * 2
        assert [str(r[3])[:6] for r in rows[1:]] == ["-2+3+c", "=2+5,="]
        assert all(isinstance(r[1], int) for r in rows[1:])  # line numbers are numbers
        return
    customers = {r[0] for r in rows[1:]}
    assert set(FORMULA_IDS) | {"plain"} == customers  # exactly, no apostrophe, none dropped
    for cell in ws["A"][1:]:
        assert cell.quotePrefix == exports.is_formula(str(cell.value)), cell.value
    if what == "scores":
        assert header == SCORE_HEADER
        body = rows[1:]
        assert all(isinstance(r[1], float) for r in body)
        assert [r[1] for r in body].count(NEGATIVE_SCORE) == 1
        assert [r[2] for r in body] == list(range(1, len(body) + 1))
        assert all(isinstance(r[4], int) and r[4] == 7 for r in body)
    else:
        assert header == ["customer", "segment_id", "segment_name", "intent_score"]
        assert {r[2] for r in rows[1:]} == set(SEGMENT_NAMES.values())
        assert all(isinstance(r[1], int) for r in rows[1:])
        assert NEGATIVE_SCORE in [r[3] for r in rows[1:]]


def test_text_cells_stay_text_whatever_they_look_like(tmp_path: Path) -> None:
    texts = [*HOSTILE, "-1+1", "#N/A", "=1+2", "12", "  =A1", "tab\there", "bell\x07"]
    frame = pd.DataFrame({
        "id": texts,
        "value": np.linspace(-1.5, 1.5, len(texts)),
        "count": np.arange(len(texts), dtype=np.int64),
    })
    out = tmp_path / "Mixed.XLSX"  # the ending decides, in any case
    assert exports.write_csv(frame, out) == len(texts)
    ws = _sheet(out)
    _assert_no_formula(ws)
    got = _rows(ws)[1:]
    assert [r[0] for r in got[:-1]] == texts[:-1]
    assert got[-1][0] == "bell\ufffd"  # a control character XML cannot carry
    assert [r[1] for r in got] == pytest.approx(list(frame["value"]))
    assert all(isinstance(r[2], int) for r in got)
    # Excel's quote prefix marks exactly the ones a spreadsheet would run once edited.
    assert [c.quotePrefix for c in ws["A"][1:]] == [exports.is_formula(t) for t in texts]


def test_numbers_dates_and_formats(tmp_path: Path) -> None:
    frame = pd.DataFrame({
        "share": [0.123456789, np.nan, 1.0],
        "when": pd.to_datetime([0, 86_400_000, None], unit="ms"),
        "at": pd.to_datetime([0, 90_000_000, 3_600_000], unit="ms"),
        "inf": [np.inf, -np.inf, 2.0],
    })
    out = tmp_path / "n.xlsx"
    exports.write_csv(frame, out, float_format="%.4f", formats={"share": "0.0%"})
    ws = _sheet(out)
    rows = _rows(ws)[1:]
    assert [r[0] for r in rows] == [0.1235, None, 1.0]
    assert [c.number_format for c in ws["A"][1:] if c.value is not None] == ["0.0%", "0.0%"]
    assert [r[1] for r in rows] == [datetime(1970, 1, 1), datetime(1970, 1, 2), None]
    assert ws["B2"].number_format == "yyyy-mm-dd" and ws["C3"].number_format == "yyyy-mm-dd hh:mm"
    assert rows[1][2] == datetime(1970, 1, 2, 1, 0)
    assert [r[3] for r in rows] == ["inf", "-inf", 2.0]
    _assert_no_formula(ws)
    # The same frame as CSV: days as days, times with their time.
    csv_out = tmp_path / "n.csv"
    exports.write_csv(frame, csv_out, float_format="%.4f")
    lines = csv_out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[1].split(",")[:3] == ["0.1235", "1970-01-01", "1970-01-01 00:00:00"]
    assert lines[3].split(",")[1] == ""


def test_columns_are_sized_to_their_text(tmp_path: Path) -> None:
    frame = pd.DataFrame({"customer": ["a" * 30, "b"], "n": [1, 2], "note": ["x" * 500, ""]})
    out = tmp_path / "w.xlsx"
    exports.write_csv(frame, out)
    widths = {k: v.width for k, v in _sheet(out).column_dimensions.items()}
    assert 30 <= widths["A"] <= 40
    assert export_xlsx._MIN_WIDTH <= widths["B"] <= 10
    assert widths["C"] == export_xlsx._MAX_WIDTH


def test_sheet_title_from_the_file_name() -> None:
    assert export_xlsx.sheet_title("scores.xlsx") == "scores"
    assert export_xlsx.sheet_title("a[b]:c*?/d\\e.xlsx") == "a b  c   d e"
    assert export_xlsx.sheet_title("'x'.xlsx") == "x"
    assert export_xlsx.sheet_title(".xlsx") == "Export"
    assert len(export_xlsx.sheet_title("x" * 80 + ".xlsx")) == 31


# -- refusals and atomic writes --------------------------------------------------------------


@pytest.mark.parametrize("what", sorted(EXPORTS))
def test_never_over_the_project_or_a_database(
    formula_project: Project, tmp_path: Path, what: str  # noqa: F811
) -> None:
    assert formula_project.path is not None
    link = tmp_path / "link.xlsx"
    link.symlink_to(formula_project.path)
    db = tmp_path / "shop.xlsx"  # a database, whatever its name says
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    before = {p: _digest(p) for p in (formula_project.path, db)}
    listing = sorted(tmp_path.iterdir())
    for target in (formula_project.path, link, db):
        with pytest.raises(exports.ExportError) as info:
            EXPORTS[what](formula_project, target)
        message = str(info.value)
        assert "\n" not in message and message.endswith(".") and ". " not in message, message
    assert {p: _digest(p) for p in before} == before
    assert sorted(tmp_path.iterdir()) == listing


def test_a_failure_or_a_cancel_leaves_the_older_workbook(tmp_path: Path) -> None:
    out = tmp_path / "big.xlsx"
    exports.write_csv([(1, "older")], out, ["n", "text"])
    older = out.read_bytes()

    def rows(fail: BaseException | None) -> Iterator[tuple[int, str]]:
        for i in range(3000):
            if fail is not None and i == 2500:
                raise fail
            yield i, f"=row {i}"

    for fail in (RuntimeError("boom"), KeyboardInterrupt()):
        with pytest.raises(type(fail)):
            exports.write_csv(rows(fail), out, ["n", "text"])
        assert [p.name for p in tmp_path.iterdir()] == ["big.xlsx"]
        assert out.read_bytes() == older
    with pytest.raises(exports.ExportCancelled):
        exports.write_csv(rows(None), out, ["n", "text"], should_stop=lambda: True)
    assert [p.name for p in tmp_path.iterdir()] == ["big.xlsx"]
    assert out.read_bytes() == older
    assert exports.write_csv(rows(None), out, ["n", "text"]) == 3000
    ws = _sheet(out)
    assert ws.max_row == 3001 and ws["B3001"].value == "=row 2999"
    _assert_no_formula(ws)


def test_more_rows_than_a_sheet_holds_is_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_xlsx, "MAX_ROWS", 600)
    out = tmp_path / "many.xlsx"
    with pytest.raises(exports.ExportError) as info:
        exports.write_csv(((i,) for i in range(1000)), out, ["n"])
    message = str(info.value)
    assert "599" in message and ".csv" in message and "\n" not in message
    assert list(tmp_path.iterdir()) == []
    assert exports.write_csv(((i,) for i in range(599)), out, ["n"]) == 599


# -- the customer list as shown --------------------------------------------------------------

COLUMNS = [
    Column("customer", "Customer", "text"),
    Column("score", "Intent", "percent"),
    Column("rank", "Rank", "rank"),
    Column("purchases", "Purchases", "number"),
    Column("revenue", "Revenue", "money"),
    Column("last_ms", "Last seen", "date"),
    Column("segment", "Segment", "text"),
]


def _customers() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": [1, 2, 3, 4],
        "customer": ["c1", "=c2", "c3", "c4"],
        "purchases": np.array([3, 0, 7, 1], dtype=np.int64),
        "revenue": [10.004, 0.0, 99.999, 5.5],
        "last_ms": [1_762_000_000_000.0, 1_700_000_000_000.0, np.nan, 1_762_099_999_999.0],
        "score": [0.25, np.nan, 0.875, 0.5],
        "rank": [3.0, np.nan, 1.0, 2.0],
        "segment": ["Bargain hunters", "", "@SUM(1) fans", "Bargain hunters"],
    })


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_shown_writes_the_rows_in_order_with_the_columns(
    tmp_path: Path, suffix: str
) -> None:
    out = tmp_path / f"list{suffix}"
    n = export_tables.export_shown(_customers(), COLUMNS, [2, 3, 0], out)
    assert n == 3
    if suffix == ".csv":
        lines = out.read_text(encoding="utf-8-sig").splitlines()
        assert lines == [
            "Customer,Intent,Rank,Purchases,Revenue,Last seen,Segment",
            "c3,0.875,1,7,100.0,,'@SUM(1) fans",
            "c4,0.5,2,1,5.5,2025-11-02,Bargain hunters",
            "c1,0.25,3,3,10.0,2025-11-01,Bargain hunters",
        ]
        return
    ws = _sheet(out)
    _assert_no_formula(ws)
    assert _rows(ws) == [
        ["Customer", "Intent", "Rank", "Purchases", "Revenue", "Last seen", "Segment"],
        ["c3", 0.875, 1, 7, 100.0, None, "@SUM(1) fans"],
        ["c4", 0.5, 2, 1, 5.5, datetime(2025, 11, 2), "Bargain hunters"],
        ["c1", 0.25, 3, 3, 10.0, datetime(2025, 11, 1), "Bargain hunters"],
    ]
    assert [c.number_format for c in ws[2][:5]] == ["General", "0.0%", "0", "#,##0", "#,##0.00"]


def test_shown_frame_keeps_unknowns_empty() -> None:
    frame = export_tables.shown_frame(_customers(), COLUMNS, [1])
    row = frame.iloc[0].tolist()
    assert row[0] == "=c2"  # text as it is: the writer decides how to make it inert
    assert pd.isna(row[1]) and pd.isna(row[2]) and row[3] == 0
    assert row[6] == ""
    assert str(frame[2].dtype) == "Int64" and frame[5].iloc[0].date() == date(2023, 11, 14)


def test_export_shown_is_refused_over_the_project(
    formula_project: Project, tmp_path: Path  # noqa: F811
) -> None:
    assert formula_project.path is not None
    before = _digest(formula_project.path)
    with pytest.raises(exports.ExportError, match="open project"):
        export_tables.export_shown(
            _customers(), COLUMNS, [0, 1], formula_project.path, project=formula_project
        )
    assert _digest(formula_project.path) == before
