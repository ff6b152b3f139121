"""Customer and item ids across chunks and imports: the writer keeps a key -> id cache and adds
new keys in key order, not in the order they come; every event must still point at the
customer and item of its own line, a key met again (later chunk, later import) keeps its id,
and the report counts the distinct customers and items exactly."""

from __future__ import annotations

import random
from pathlib import Path

from sqlalchemy import text

from engine.ingest import ImportOptions, run_import
from storage.project import Project


def _write(path: Path, seed: int, n: int) -> list[tuple[str, int, str]]:
    """A log of ``n`` lines whose keys come in no order (customer, time, item)."""
    rng = random.Random(seed)
    lines = [
        (f"cust-{rng.randrange(300):03d}", 1_700_000_000_000 + i * 1000, f"sku{rng.randrange(900)}")
        for i in range(n)
    ]
    path.write_text(
        "customer,time,event,item\n"
        + "".join(f"{c},{t},view,{item}\n" for c, t, item in lines)
    )
    return lines


def _stored(project: Project) -> list[tuple[str, int, str]]:
    with project.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.key, e.time_ms, i.key FROM events e JOIN customers c "
                "ON c.id = e.customer_id JOIN items i ON i.id = e.item_id ORDER BY e.id"
            )
        ).all()
    return [tuple(r) for r in rows]


def test_every_event_points_at_its_own_customer_and_item(project: Project, tmp_path: Path) -> None:
    first = _write(tmp_path / "a.csv", 1, 1_500)
    options = ImportOptions(chunk_rows=97, pseudonymize=False)
    report = run_import(project, tmp_path / "a.csv", options)
    assert report.imported == len(first)
    assert _stored(project) == first
    assert report.customers == len({c for c, _, _ in first})
    assert report.items == len({i for _, _, i in first})
    with project.connect() as conn:
        ids = dict(conn.execute(text("SELECT key, id FROM customers")).all())
        items = dict(conn.execute(text("SELECT key, id FROM items")).all())
    # Ids in order of first appearance, whatever order the rows were written in.
    seen = list(dict.fromkeys(c for c, _, _ in first))
    assert [ids[c] for c in seen] == list(range(1, len(seen) + 1))

    second = _write(tmp_path / "b.csv", 2, 1_200)
    report = run_import(project, tmp_path / "b.csv", options)
    assert _stored(project) == first + second
    with project.connect() as conn:
        again = dict(conn.execute(text("SELECT key, id FROM customers")).all())
        items_again = dict(conn.execute(text("SELECT key, id FROM items")).all())
    assert {k: again[k] for k in ids} == ids, "a customer met again got another id"
    assert {k: items_again[k] for k in items} == items
    assert len(again) == len({c for c, _, _ in first + second})
    assert report.customers == len({c for c, _, _ in second})
    assert report.new_customers == len(again) - len(ids)
