"""A number no shop's line can hold rejects its line (issue 11).

A price, quantity, amount or refund beyond a quadrillion, or infinite, cannot be summed or
reported: the line is rejected with its line number, its raw text and a reason in words, in
every way such a number can be written (exponents, hundreds of digits, "inf", "-Infinity",
"∞", a currency or a decimal comma around it), from CSV and JSON lines alike, and
``imported + rejected == lines read`` holds. A missing or unreadable value ("", "N/A", "nan")
is no number at all: it stays empty with a warning and the line is imported.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from engine.ingest import ImportOptions, ImportReport, run_import
from engine.ingest.numbers import MAX_NUMBER
from storage.project import Project

HEADER = "customer,time,event,item,price,quantity,amount"


def _sql(project: Project, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with project.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def _import(project: Project, path: Path, **options: Any) -> ImportReport:
    report = run_import(project, path, ImportOptions(**options) if options else None)
    assert report.imported + report.rejected == report.lines_read
    assert sum(report.rejected_by_reason.values()) == report.rejected
    b = report.batch_id
    assert _sql(project, "SELECT COUNT(*) FROM rejected_rows WHERE batch_id=:b", b=b) == [
        (report.rejected,)
    ]
    assert math.isfinite(report.revenue)
    json.dumps(report.as_json(), allow_nan=False)
    for col in ("price", "quantity", "amount"):
        assert _sql(project, f"SELECT COUNT(*) FROM events WHERE abs({col}) > :m", m=MAX_NUMBER) == [
            (0,)
        ]
    return report


def _rejected(project: Project) -> dict[int, tuple[str, str]]:
    rows = _sql(project, "SELECT line_no, raw, reason FROM rejected_rows ORDER BY line_no")
    return {int(n): (raw, reason) for n, raw, reason in rows}


HUGE = [
    "1e400",
    "9e999",
    "-1e400",
    "1.5e308",
    "1e16",
    "-2E+20",
    "9" * 400,
    "inf",
    "-Infinity",
    "INF",
    "+inf",
    "∞",
    "€1e400",
    "1e400 EUR",
    "(1e20)",
]


@pytest.mark.parametrize("field", ["price", "quantity", "amount"])
@pytest.mark.parametrize("value", HUGE)
def test_a_huge_number_in_any_number_column_rejects_its_line(
    project: Project, tmp_path: Path, field: str, value: str
) -> None:
    cells = {"price": "2.50", "quantity": "2", "amount": ""}
    cells[field] = value
    bad = f"b,2024-05-01 10:01:00,purchase,s2,{cells['price']},{cells['quantity']},{cells['amount']}"
    lines = [
        HEADER,
        "a,2024-05-01 10:00:00,purchase,s1,2.50,2,",
        bad,
        "c,2024-05-01 10:02:00,purchase,s3,1.00,3,",
    ]
    path = tmp_path / "shop.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = _import(project, path)
    assert (report.lines_read, report.imported, report.rejected) == (3, 2, 1)
    assert report.rejected_by_reason == {"number_too_large": 1}
    assert report.revenue == pytest.approx(8.0)
    raw, reason = _rejected(project)[3]
    assert raw == bad
    assert f"column “{field}”" in reason and "too large" in reason
    assert value[:40] in reason
    assert "1,000,000,000,000,000" in reason


def test_a_price_times_quantity_beyond_any_sale_rejects_its_line(
    project: Project, tmp_path: Path
) -> None:
    path = tmp_path / "product.csv"
    path.write_text(
        f"{HEADER}\n"
        "a,2024-05-01 10:00:00,purchase,s1,1e308,1e308,\n"  # overflows a float
        "b,2024-05-01 10:01:00,purchase,s2,1e10,1e10,\n"  # finite, but beyond any sale
        "c,2024-05-01 10:02:00,purchase,s3,1e10,1e5,\n"  # a quadrillion: still a number
        "d,2024-05-01 10:03:00,purchase,s4,2.50,2,\n",
        encoding="utf-8",
    )
    report = _import(project, path)
    assert (report.imported, report.rejected) == (2, 2)
    assert report.rejected_by_reason == {"number_too_large": 2}
    rejected = _rejected(project)
    assert set(rejected) == {2, 3}
    assert "“1e10” times the quantity “1e10”" in rejected[3][1]
    assert report.revenue == pytest.approx(1e15 + 5.0)


def test_missing_and_unreadable_numbers_still_import_with_a_warning(
    project: Project, tmp_path: Path
) -> None:
    path = tmp_path / "empty.csv"
    path.write_text(
        f"{HEADER}\n"
        "a,2024-05-01 10:00:00,purchase,s1,nan,2,\n"
        "b,2024-05-01 10:01:00,purchase,s2,N/A,1,\n"
        "c,2024-05-01 10:02:00,purchase,s3,,1,\n"
        "d,2024-05-01 10:03:00,purchase,s4,1e15,1,\n",  # the largest number a line may hold
        encoding="utf-8",
    )
    report = _import(project, path)
    assert (report.imported, report.rejected) == (4, 0)
    assert [w.rows for w in report.warnings if w.code == "unreadable_number"] == [2]
    assert report.revenue == pytest.approx(1e15)


def test_decimal_comma_files_and_refunds_reject_huge_numbers_too(
    project: Project, tmp_path: Path
) -> None:
    path = tmp_path / "fr.csv"
    path.write_text(
        "client;date;type;produit;prix;quantité;montant\n"
        "a;2024-05-01 10:00:00;purchase;s1;2,50;2;\n"
        "b;2024-05-01 10:01:00;purchase;s2;inf;1;\n"
        "c;2024-05-01 10:02:00;refund;s3;;;-1,5e400\n"
        "d;2024-05-01 10:03:00;purchase;s4;1 234,50 €;1;\n"
        "e;2024-05-01 10:04:00;purchase;s5;1,0e16 €;1;\n",
        encoding="utf-8",
    )
    report = _import(
        project, path, decimal=",",
        columns={"customer": "client", "time": "date", "event": "type", "item": "produit",
                 "price": "prix", "quantity": "quantité", "amount": "montant"},
    )
    assert (report.imported, report.rejected) == (2, 3)
    assert set(_rejected(project)) == {3, 4, 6}
    assert report.revenue == pytest.approx(5.0 + 1234.5)


def test_json_lines_reject_huge_numbers_however_written(project: Project, tmp_path: Path) -> None:
    events = [
        '{"customer": "a", "time": "2024-05-01 10:00:00", "event": "purchase", "price": 2.5}',
        '{"customer": "b", "time": "2024-05-01 10:01:00", "event": "purchase", "price": 1e400}',
        '{"customer": "c", "time": "2024-05-01 10:02:00", "event": "purchase", "price": Infinity}',
        '{"customer": "d", "time": "2024-05-01 10:03:00", "event": "purchase", "price": "9e999"}',
        '{"customer": "e", "time": "2024-05-01 10:04:00", "event": "purchase", "price": NaN}',
        '{"customer": "f", "time": "2024-05-01 10:05:00", "event": "purchase", "price": -1e300}',
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(events) + "\n", encoding="utf-8")
    report = _import(project, path)
    assert (report.lines_read, report.imported, report.rejected) == (6, 2, 4)
    rejected = _rejected(project)
    assert set(rejected) == {2, 3, 4, 6}
    assert rejected[2][0] == events[1]  # the raw line, as written
    assert all("too large" in reason for _, reason in rejected.values())
    assert report.revenue == pytest.approx(2.5)


def test_huge_numbers_in_a_large_file_cost_only_their_lines(
    project: Project, tmp_path: Path
) -> None:
    lines = [HEADER]
    for i in range(5_000):
        price = "1e400" if i % 1_000 == 7 else f"{i % 50}.50"
        lines.append(f"c{i},2024-05-01 10:{i % 60:02d}:00,purchase,s{i % 9},{price},1,")
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = _import(project, path, chunk_rows=700)
    assert (report.lines_read, report.imported, report.rejected) == (5_000, 4_995, 5)
    assert set(_rejected(project)) == {9, 1009, 2009, 3009, 4009}


def test_the_reason_goes_through_the_translation_hook(project: Project, tmp_path: Path) -> None:
    from engine.words import set_translator

    path = tmp_path / "shop.csv"
    path.write_text(f"{HEADER}\na,2024-05-01 10:00:00,purchase,s1,1e400,1,\n", encoding="utf-8")
    set_translator(lambda t: "ZU GROSS {0} {1} {2}" if t.startswith("The number “{0}”") else t)
    try:
        _import(project, path)
    finally:
        set_translator(lambda t: t)
    assert _rejected(project)[2][1] == "ZU GROSS 1e400 price 1,000,000,000,000,000"
