"""Order exports: order-level values carried down an order's lines (also across chunk
boundaries), statuses, refunds and order totals counted once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from engine.ingest import ImportOptions, run_import
from storage.project import Project

# Order-level columns (Email, Status, Created, Total, Refunded) on each order's first line only.
SHOPIFY_LIKE = (
    "Name,Email,Financial Status,Created at,Total,Refunded Amount,Lineitem quantity,"
    "Lineitem name,Lineitem price\n"
    "#1,a@x.test,paid,2024-03-01 10:00:00,30.00,0.00,1,Mug,10.00\n"
    "#1,,,,,,2,Tee,10.00\n"
    "#2,b@x.test,refunded,2024-03-02 11:00:00,25.00,25.00,1,Cap,25.00\n"
    "#3,c@x.test,voided,2024-03-03 12:00:00,12.00,0.00,1,Mug,12.00\n"
    "#4,a@x.test,partially_refunded,2024-03-04 13:00:00,40.00,5.00,1,Tee,20.00\n"
    "#4,,,,,,1,Cap,20.00\n"
    "#4,,,,,,1,Sock,0.00\n"
    "#5,b@x.test,pending,2024-03-05 14:00:00,9.00,0.00,1,Sock,9.00\n"
)


def _events(project: Project) -> list[tuple[Any, ...]]:
    with project.connect() as conn:
        return [
            tuple(r) for r in conn.execute(text(
                "SELECT c.key, e.event, e.raw_event, e.amount, e.session FROM events e "
                "JOIN customers c ON c.id = e.customer_id ORDER BY e.time_ms, e.id"
            ))
        ]


@pytest.mark.parametrize("chunk_rows", [100_000, 2, 1])
def test_order_values_reach_every_line_whatever_the_chunks(
    project: Project, tmp_path: Path, chunk_rows: int
) -> None:
    path = tmp_path / "orders_export.csv"
    path.write_text(SHOPIFY_LIKE, encoding="utf-8")
    report = run_import(
        project, path, ImportOptions(chunk_rows=chunk_rows, pseudonymize=False)
    )
    assert (report.lines_read, report.imported, report.rejected) == (8, 8, 0)
    assert report.customers == 3
    assert report.events_by_type == {"purchase": 6, "refund": 2, "other": 2}
    rows = _events(project)
    # Order #1's second line got the order's customer, time and status.
    assert rows[0] == ("a@x.test", "purchase", "paid", 10.0, "#1")
    assert rows[1] == ("a@x.test", "purchase", "paid", 20.0, "#1")
    # A refunded order: its purchase, then a refund of the refunded amount, once.
    assert ("b@x.test", "purchase", "refunded", 25.0, "#2") in rows
    assert ("b@x.test", "refund", "refunded", -25.0, "#2") in rows
    # Voided and pending orders are not purchases; their status word is kept.
    assert ("c@x.test", "other", "voided", None, "#3") in rows
    assert ("b@x.test", "other", "pending", None, "#5") in rows
    # A partial refund: three purchase lines and one refund of 5.00 for the whole order.
    order4 = [r for r in rows if r[4] == "#4"]
    assert sorted(r[1] for r in order4) == ["purchase", "purchase", "purchase", "refund"]
    assert [r[3] for r in order4 if r[1] == "refund"] == [-5.0]
    # Revenue is line price x quantity (the order Total is not counted per line).
    assert report.revenue == pytest.approx(10 + 20 + 25 - 25 + 20 + 20 + 0 - 5)
    assert any(w.code == "order_lines_filled" for w in report.warnings)


def test_order_total_without_line_prices_is_counted_once(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(
        "Order ID,Customer,Order Date,Order Total,Product,Quantity\n"
        "A1,k1,2024-01-01,50.00,p1,1\n"
        "A1,k1,2024-01-01,50.00,p2,1\n"
        "A1,k1,2024-01-01,50.00,p3,2\n"
        "A2,k2,2024-01-02,8.00,p1,1\n"
        "A3,k1,2024-01-03,12.00,p2,1\n"
        "A3,k1,2024-01-03,12.00,p4,1\n",
        encoding="utf-8",
    )
    report = run_import(project, path)
    assert report.events_by_type == {"purchase": 6}
    assert report.revenue == pytest.approx(50 + 8 + 12)


def test_status_decision_does_not_depend_on_how_common_it_is(
    project: Project, tmp_path: Path
) -> None:
    lines = ["order,customer,date,status,amount"]
    for i in range(20):
        lines.append(f"o{i},c{i % 4},2024-02-{i + 1:02d},{'Annulé' if i < 18 else 'Livré'},10,00")
    path = tmp_path / "commandes.csv"
    path.write_text("\n".join(lines).replace(",10,00", ";10,00").replace(",", ";")
                    .replace(";10;00", ";10,00") + "\n", encoding="utf-8")
    report = run_import(project, path)
    assert report.events_by_type == {"purchase": 2, "other": 18}
    assert report.revenue == pytest.approx(20.0)


def test_unknown_status_is_a_purchase_with_a_warning(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(
        "order_id,customer_id,order_date,order_status,total\n"
        "1,c1,2024-01-01,paid,5\n2,c2,2024-01-02,zzfoo,6\n3,c3,2024-01-03,zzfoo,7\n",
        encoding="utf-8",
    )
    report = run_import(project, path)
    assert report.events_by_type == {"purchase": 3}
    (w,) = [w for w in report.warnings if w.code == "unknown_status"]
    assert w.rows == 2 and w.column == "order_status" and "zzfoo" in w.message
    # The user says what the word means: the warning goes and the lines are not purchases.
    report = run_import(
        project, path, ImportOptions(events={"zzfoo": "other"}, allow_duplicate=True)
    )
    assert report.events_by_type == {"purchase": 1, "other": 2}
    assert not [w for w in report.warnings if w.code == "unknown_status"]


def test_warnings_are_kept_with_the_import(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "ids.csv"
    path.write_text(
        "Customer ID,Event Time,Event Type\n"
        "7.01235E+12,2024-01-01 10:00,view\n7.01235E+12,2024-01-01 11:00,view\n"
        "00042,2024-01-01 12:00,view\n42,2024-01-01 13:00,view\n",
        encoding="utf-8",
    )
    report = run_import(project, path)
    codes = {w.code: w for w in report.warnings}
    assert codes["rounded_ids"].rows == 2
    assert codes["lost_leading_zeros"].rows == 1
    with project.connect() as conn:
        stored = conn.execute(
            text("SELECT warnings FROM import_batches WHERE id = :b"), {"b": report.batch_id}
        ).scalar_one()
    assert "rounded_ids" in stored and "lost_leading_zeros" in stored
