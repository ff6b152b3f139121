"""Rows copied into an SQLite project from SQLite images (storage.sqlite_image, issue 14).

An import's rows no longer go through Python's value-by-value binding: each chunk becomes a
small SQLite database written by the ADBC driver, which the import's own connection loads into
an attached schema and copies with INSERT ... SELECT, inside the import's one transaction.
These tests check that what lands is exactly what binding stores, image after image in the
same transaction (tables of different shapes and sizes), that values Arrow does not take fall
back to binding, and that nothing is left behind in the temporary folder.
"""

from __future__ import annotations

import csv
import math
import random
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import create_engine

from engine.ingest import ImportOptions, run_import
from storage import sqlite_image
from storage.imports import ImportWriter
from storage.project import Project, open_project

TABLES = (
    "events", "customers", "items", "rejected_rows", "summary_days", "summary_items",
    "summary_categories", "summary_customers", "summary_orders", "summary_browse",
)


@pytest.fixture
def project_location(tmp_path: Path) -> str:
    """Images are SQLite's: these tests run on an SQLite file only."""
    return str(tmp_path / "test.intentlens")


def _image_columns(image: bytes) -> dict[str, list[str]]:
    """The tables of an image and their columns."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(image)
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {n: [r[1] for r in conn.execute(f'PRAGMA table_info("{n}")')] for n in names}
    finally:
        conn.close()


def _dump(project: Project) -> dict[str, list[tuple[Any, ...]]]:
    with project.connect() as conn:
        out = {}
        for table in TABLES:
            rows = conn.exec_driver_sql(f"SELECT * FROM {table}").all()
            # Values with their SQLite storage class: 3 and 3.0 are not the same stored value.
            out[table] = sorted(
                (tuple((type(v).__name__, v) for v in row) for row in rows), key=repr
            )
    return out


def test_images_loaded_one_after_another_in_one_transaction(tmp_path: Path) -> None:
    """Tables of different shapes and sizes, loaded into the same schema one after another
    without leaving the transaction, each give back exactly their own rows."""
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    maker = sqlite_image.ImageMaker()
    rng = np.random.default_rng(3)
    expected: list[tuple[Any, ...]] = []
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (a INTEGER, b TEXT, c REAL, d TEXT)")
        loader = sqlite_image.ImageLoader(conn)
        for k, n in enumerate([5, 3000, 1, 700, 20_000, 2]):
            a = rng.integers(-(2**62), 2**62, n)
            b = np.array([f"é{k}-{i}\x00z" if i % 7 else None for i in range(n)], dtype=object)
            c = rng.normal(size=n)
            c[::5] = np.nan
            columns: dict[str, Any] = {"a": a, "b": b, "c": c}
            if k % 2:  # a column only some images have
                columns["d"] = [f"d{i}" for i in range(n)]
            # A table before ``t`` whose size changes: ``t`` starts on another page each time.
            image = maker.image({"other": {"x": list(range(1 + 900 * k))}, "t": columns})
            assert image is not None
            tables = loader.load(image)
            assert set(tables) == {"t", "other"}
            loader.copy("t", "t", tables["t"])
            expected += [
                (int(a[i]), b[i], None if math.isnan(c[i]) else float(c[i]),
                 f"d{i}" if k % 2 else None)
                for i in range(n)
            ]
        loader.clear()
        got = conn.exec_driver_sql("SELECT a, b, c, d FROM t ORDER BY rowid").all()
    maker.close()
    assert [tuple(r) for r in got] == expected


def test_values_arrow_does_not_take_are_bound_instead(project: Project) -> None:
    """A column mixing numbers and text makes no image; the writer binds it as before."""
    with project.begin() as conn:
        from storage.imports import start_batch

        writer = start_batch(conn, file_name="f.csv", sha256="x", fmt="csv", encoding="utf-8",
                             mapping={}, pseudonymized=False)
        ids = writer.customer_ids(["a", "b"])
        staged = writer.stage(events={
            "customer_id": ids, "time_ms": [1, 2], "event": ["view", "view"],
            "session": ["s1", 5],
        }, n=2)
        assert staged.image is None
        writer.store(staged)
        writer.finish(lines_read=2, imported=2, rejected=0, seconds=0.0)
    with project.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT c.key, e.session, typeof(e.session) FROM events e "
            "JOIN customers c ON c.id = e.customer_id ORDER BY e.id").all()
    assert [tuple(r) for r in rows] == [("a", "s1", "text"), ("b", "5", "text")]


def _shop_file(path: Path, rows: int, seed: int) -> None:
    rnd = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["customer", "time", "event", "item", "category", "price", "quantity",
                    "order", "query"])
        for i in range(rows):
            event = rnd.choice(["view", "view", "cart", "purchase", "search", "refund"])
            w.writerow([
                f"c{rnd.randrange(300)}",
                f"2024-0{1 + i * 6 // rows}-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}:00",
                event,
                "" if event == "search" else f"sku-{rnd.randrange(500)}",
                rnd.choice(["", "Toys", "Décor", "Garden"]),
                rnd.choice(["", "9.5", "12", "0.99"]),
                rnd.choice(["", "1", "3"]) if event == "purchase" else "",
                f"o{i // 3}" if event == "purchase" else "",
                "red shoes" if event == "search" else "",
            ])
            if i % 997 == 0:
                fh.write("broken,line\n")


def test_import_through_images_stores_what_binding_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two imports into one project (the second adds to the customers and items of the
    first), in small chunks: every table holds the same rows as with binding alone."""
    files = [tmp_path / "a.csv", tmp_path / "b.csv"]
    _shop_file(files[0], 6000, seed=1)
    _shop_file(files[1], 4000, seed=2)
    options = ImportOptions(chunk_rows=700)

    def import_all(name: str) -> dict[str, list[tuple[Any, ...]]]:
        project = open_project(str(tmp_path / name))
        try:
            for f in files:
                report = run_import(project, f, options)
                assert report.lines_read == report.imported + report.rejected
            return _dump(project)
        finally:
            project.close()

    made: list[bytes] = []
    real_image = sqlite_image.ImageMaker.image

    def counting(self: sqlite_image.ImageMaker, tables: Any) -> bytes | None:
        image = real_image(self, tables)
        if image is not None:
            made.append(image)
        return image

    monkeypatch.setattr(sqlite_image.ImageMaker, "image", counting)
    with_images = import_all("images.intentlens")
    assert len(made) >= 14  # every chunk of both files went through an image
    monkeypatch.setattr(sqlite_image.ImageMaker, "image", lambda self, tables: None)
    bound = import_all("bound.intentlens")
    assert with_images["events"] and with_images["rejected_rows"]
    for table in TABLES:
        assert with_images[table] == bound[table], table


def test_nothing_left_in_the_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, project: Project
) -> None:
    """The images' folder goes when the import ends, and when it is cancelled."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    data = tmp_path / "shop.csv"
    _shop_file(data, 3000, seed=4)
    made: list[Path] = []
    real_image = sqlite_image.ImageMaker.image

    def spying(self: sqlite_image.ImageMaker, tables: Any) -> bytes | None:
        image = real_image(self, tables)
        assert self._folder is not None and self._folder.parent == scratch
        made.append(self._folder)
        return image

    monkeypatch.setattr(sqlite_image.ImageMaker, "image", spying)
    from engine.ingest import ImportCancelled, import_file

    calls = iter(range(10**6))
    with pytest.raises(ImportCancelled):
        for _ in import_file(project, data, ImportOptions(chunk_rows=500),
                             should_stop=lambda: next(calls) >= 2):
            pass
    assert made and list(scratch.iterdir()) == []
    with project.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM events").scalar_one() == 0
    run_import(project, data, ImportOptions(chunk_rows=500))
    assert list(scratch.iterdir()) == []


def test_writer_staging_touches_no_database(project: Project) -> None:
    """``plan_*`` and ``stage`` run on the import's second thread: they must not use the
    connection (an SQLite connection is not shared between threads mid-statement)."""
    with project.begin() as conn:
        from storage.imports import start_batch

        writer: ImportWriter = start_batch(
            conn, file_name="f.csv", sha256="y", fmt="csv", encoding="utf-8", mapping={},
            pseudonymized=False)
        calls: list[str] = []
        real = type(conn).exec_driver_sql

        def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
            calls.append(str(args[0]))
            return real(self, *args, **kwargs)

        type(conn).exec_driver_sql = spy  # type: ignore[method-assign]
        try:
            ids, new = writer.plan_customers(["x", "y", "x2"])
            item_ids, new_items = writer.plan_items(["i1"], ["Toys"], [None], [2.5])
            staged = writer.stage(customers=new, items=new_items, events={
                "customer_id": np.asarray(ids), "time_ms": np.array([1, 2, 3]),
                "event": np.array(["view"] * 3, dtype=object),
                "item_id": np.asarray(item_ids * 3),
            }, n=3)
            assert calls == []
            writer.store(staged)
            assert calls
        finally:
            type(conn).exec_driver_sql = real  # type: ignore[method-assign]
        assert staged.image is not None
        assert _image_columns(staged.image) == {
            "customers": ["id", "key"],
            "items": ["id", "key", "category", "price"],
            "events": ["customer_id", "time_ms", "event", "item_id"],
        }
        writer.finish(lines_read=3, imported=3, rejected=0, seconds=0.0)
    with project.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM events").scalar_one() == 3
        assert conn.exec_driver_sql(
            "SELECT key, category, price FROM items").one() == ("i1", "Toys", 2.5)
