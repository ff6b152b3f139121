"""The Data page's running totals (storage.summary) equal a fresh computation from the events
after imports, after a cancelled import, after forgetting a customer and after an upgrade; and
the figures the Data page shows equal those of the old full-scan queries."""

from __future__ import annotations

import gzip
import random
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from storage import queries, runs, summary
from storage.forget import forget_customer
from storage.imports import start_batch
from storage.project import Project, open_project

RELEASE = Path(__file__).resolve().parents[1] / "data" / "release_project"
DAY = summary.MS_PER_DAY
EVENTS = ("view", "view", "view", "click", "search", "cart", "purchase", "refund", "favorite")


def _events(seed: int, n: int, customers: int = 12) -> list[dict[str, Any]]:
    """Random events with NULLs everywhere they may be, times before 1970 and exact repeats."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    for _ in range(n):
        if rows and rng.random() < 0.08:
            rows.append(dict(rng.choice(rows)))  # an exact duplicate line
            continue
        event = rng.choice(EVENTS)
        amount = round(rng.uniform(1, 90), 2) if event in ("purchase", "refund") else None
        rows.append({
            "customer": f"c{rng.randrange(customers)}",
            "time_ms": rng.choice([-DAY - 5, -1, 0]) if rng.random() < 0.02
            else 1_700_000_000_000 + rng.randrange(40) * DAY // 3 + rng.randrange(3) * 1000,
            "event": event,
            "item": rng.choice([None, "p1", "p2", "p3", "p4"]),
            "category": rng.choice([None, "Toys", "Home", "Garden"]),
            "price": rng.choice([None, 4.5, 10.0]),
            "quantity": rng.choice([None, 1.0, 2.0]),
            "amount": None if event == "purchase" and rng.random() < 0.3 else amount,
            # Orders: lines of one order id, and purchases without one (an order per moment).
            "session": rng.choice([None, None, "o1", "o2", "o3", "1700000000000"]),
        })
    # A browsing bot: 30 views in one day (busy at 20 a day).
    rows += [{"customer": "bot", "time_ms": 1_700_000_000_000 + i, "event": "view", "item": None,
              "category": None, "price": None, "quantity": None, "amount": None,
              "session": None}
             for i in range(30)]
    return rows


def _import(project: Project, rows: list[dict[str, Any]], *, chunk: int = 50,
            cancel: bool = False) -> None:
    """Write rows as the importer does (ids, then events in chunks, then finish)."""

    class Cancelled(Exception):
        pass

    try:
        with project.begin() as conn:
            writer = start_batch(conn, file_name="log.csv", sha256=str(len(rows)), fmt="csv",
                                 encoding="utf-8", mapping={}, pseudonymized=False)
            for start in range(0, len(rows), chunk):
                part = rows[start:start + chunk]
                ckeys = sorted({r["customer"] for r in part})
                cids = dict(zip(ckeys, writer.customer_ids(ckeys), strict=True))
                ikeys = sorted({r["item"] for r in part if r["item"]})
                iids = dict(zip(ikeys, writer.item_ids(ikeys, [None] * len(ikeys),
                                                       [None] * len(ikeys),
                                                       [None] * len(ikeys)), strict=True))
                columns: dict[str, list[Any]] = {
                    c: [r[c] for r in part]
                    for c in ("time_ms", "event", "category", "price", "quantity", "amount",
                              "session")
                }
                columns["customer_id"] = [cids[r["customer"]] for r in part]
                columns["item_id"] = [iids.get(r["item"]) for r in part]
                writer.add_events(columns, len(part))
            if cancel:
                raise Cancelled
            writer.finish(lines_read=len(rows), imported=len(rows), rejected=0, seconds=0.0)
    except Cancelled:
        pass


def _rounded(snap: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    return {t: [tuple(round(v, 6) if isinstance(v, float) else v for v in r) for r in rows]
            for t, rows in snap.items()}


def _assert_fresh(project: Project) -> None:
    """The running totals equal what ``rebuild`` computes from the events (then rolled back)."""
    with project.engine.connect() as conn, conn.begin() as tx:
        kept = summary.snapshot(conn)
        summary.rebuild(conn)
        fresh = summary.snapshot(conn)
        tx.rollback()
    assert _rounded(kept) == _rounded(fresh)
    assert kept["summary_customers"], "nothing was counted"


def _scan(project: Project) -> dict[str, Any]:
    """The Data page's figures as the old queries computed them, scanning the events (in SQL
    that SQLite and PostgreSQL both speak; sums rounded here)."""
    with project.connect() as conn:
        def q(sql: str) -> list[tuple[Any, ...]]:
            return [tuple(round(v, 6) if isinstance(v, float) else v for v in r)
                    for r in conn.execute(text(sql), {"d": DAY}).all()]

        purchases = "SUM(CASE WHEN event = 'purchase' THEN 1 ELSE 0 END)"
        return {
            "totals": q("SELECT COUNT(*), COALESCE(SUM(amount), 0.0), MIN(time_ms), "
                        "MAX(time_ms) FROM events")[0],
            "by_type": dict(q("SELECT event, COUNT(*) FROM events GROUP BY event")),
            "days": q("SELECT time_ms / :d AS day, COUNT(*) FROM events GROUP BY day ORDER BY day"),
            "categories": q(f"SELECT category, COUNT(*), {purchases}, COALESCE(SUM(amount), 0.0) "
                            "FROM events WHERE category IS NOT NULL GROUP BY category "
                            "ORDER BY COUNT(*) DESC, category"),
            "items": q(f"SELECT i.key, COUNT(*), {purchases}, COALESCE(SUM(amount), 0.0) "
                       "FROM events e JOIN items i ON i.id = e.item_id GROUP BY e.item_id, i.key "
                       "ORDER BY COUNT(*) DESC, e.item_id"),
            "duplicates": q("SELECT COALESCE(SUM(n - 1), 0) FROM (SELECT COUNT(*) AS n FROM "
                            "events GROUP BY customer_id, time_ms, event, item_id, quantity "
                            "HAVING COUNT(*) > 1) d")[0][0],
            "busy": q("SELECT COUNT(DISTINCT customer_id) FROM (SELECT customer_id, COUNT(*) AS n "
                      "FROM events WHERE event IN ('view', 'click', 'search') "
                      "GROUP BY customer_id, time_ms / :d HAVING COUNT(*) > 20) b")[0][0],
            "unpriced": q("SELECT COUNT(*) FROM events WHERE event = 'purchase' AND amount IS "
                          "NULL AND price IS NULL")[0][0],
            # The Customers page: orders are distinct order ids, or moments without one.
            "customers": q(
                "SELECT c.id, c.key, COUNT(e.id), COUNT(DISTINCT CASE WHEN e.event = 'purchase' "
                "THEN COALESCE(e.session, CAST(e.time_ms AS TEXT)) END), "
                "COALESCE(SUM(e.amount), 0.0), MIN(e.time_ms), MAX(e.time_ms) FROM customers c "
                "JOIN events e ON e.customer_id = c.id GROUP BY c.id, c.key ORDER BY c.id"),
        }


def _shown(project: Project) -> dict[str, Any]:
    """The same figures as the Data page's queries give them now."""
    ov, h = queries.overview(project), queries.health(project, busy_per_day=20)
    return {
        "totals": (ov.events, round(ov.revenue, 6), ov.first_ms, ov.last_ms),
        "by_type": ov.events_by_type,
        "days": queries.events_per_day(project),
        "categories": [(r.key, r.events, r.purchases, round(r.revenue, 6))
                       for r in queries.top_categories(project, 10_000)],
        "items": [(r.key, r.events, r.purchases, round(r.revenue, 6))
                  for r in queries.top_items(project, 10_000)],
        "duplicates": h.duplicates,
        "busy": h.busy_customers,
        "unpriced": h.purchases_without_price,
        "customers": [tuple(round(v, 6) if isinstance(v, float) else v for v in r)
                      for r in runs.customer_summary(project).itertuples(index=False)],
    }


def _assert_shown_as_scanned(project: Project) -> None:
    scanned, shown = _scan(project), _shown(project)
    assert shown == scanned
    assert scanned["duplicates"] > 0 and scanned["busy"] == 1 and scanned["unpriced"] > 0
    orders = [r[3] for r in scanned["customers"]]
    assert max(orders) > 1 and 0 in orders  # customers with several orders, and with none
    for row in scanned["customers"][:3]:  # one customer's row, as a card reads it
        one = runs.customer_totals(project, row[0])
        assert one is not None
        assert (one.customer_id, one.key, one.events, one.purchases, round(one.revenue, 6),
                one.first_ms, one.last_ms) == row


def test_totals_after_imports_equal_a_fresh_computation(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(summary, "FLUSH_ROWS", 40)  # write totals mid-import too
    _import(project, _events(1, 600))  # a first import: duplicates recounted from the index
    _assert_fresh(project)
    _import(project, _events(1, 90)[:90])  # a small one repeating events: looked up one by one
    _assert_fresh(project)
    _import(project, _events(2, 900), chunk=1000)  # a large one: recounted again
    _assert_fresh(project)
    _assert_shown_as_scanned(project)


def test_a_cancelled_import_leaves_the_totals_as_they_were(project: Project) -> None:
    _import(project, _events(3, 300))
    with project.connect() as conn:
        before = summary.snapshot(conn)
    _import(project, _events(4, 300), cancel=True)
    with project.connect() as conn:
        assert summary.snapshot(conn) == before
    _assert_fresh(project)


def test_forgetting_a_customer_takes_their_events_out_of_the_totals(project: Project) -> None:
    _import(project, _events(5, 500))
    before = _shown(project)
    forgotten = forget_customer(project, "c3")
    assert forgotten is not None and forgotten.events > 0
    _assert_fresh(project)
    _assert_shown_as_scanned(project)
    assert _shown(project)["totals"][0] == before["totals"][0] - forgotten.events
    forget_customer(project, "bot")
    assert queries.health(project, busy_per_day=20).busy_customers == 0
    _assert_fresh(project)


def test_an_empty_project_shows_nothing(project: Project) -> None:
    ov = queries.overview(project)
    assert (ov.events, ov.revenue, ov.first_ms, ov.last_ms) == (0, 0.0, None, None)
    assert queries.events_per_day(project) == []
    assert queries.top_items(project) == [] and queries.top_categories(project) == []
    assert queries.health(project).duplicates == 0


def test_an_older_project_gets_its_totals_when_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "old.intentlens"
    with gzip.open(RELEASE / "project.intentlens.gz", "rb") as src, path.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    project = open_project(path)
    try:
        _assert_fresh(project)
        scanned, shown = _scan(project), _shown(project)
        assert shown == scanned and shown["totals"][0] > 0
    finally:
        project.close()
