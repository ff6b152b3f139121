"""events_frame on an SQLite project reads through the ADBC SQLite driver (storage.arrow_read):
the same frame as the generic SQLAlchemy read, value for value, type for type and row for row."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import insert, text

from storage import arrow_read, queries, schema
from storage.project import Project, open_project

N_NULL_FIRST = 5_000  # more than the driver's inference batch: NULL-only columns at first
N_EVENTS = 7_000


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """How each events_frame call was answered: "adbc" by the driver, "generic" when the driver
    gave up (so no test compares the generic read with itself)."""
    calls: list[str] = []
    real = arrow_read.read_events

    def counted(*args: object, **kwargs: object) -> pd.DataFrame:
        try:
            frame = real(*args, **kwargs)  # type: ignore[arg-type]
        except arrow_read.UseGenericRead:
            calls.append("generic")
            raise
        calls.append("adbc")
        return frame

    monkeypatch.setattr(arrow_read, "read_events", counted)
    return calls


def _fill(project: Project, n_events: int = N_EVENTS, seed: int = 3) -> None:
    """Customers and items, and events whose first ``N_NULL_FIRST`` rows leave every optional
    column empty; customers and times in shuffled storage order, with (customer, time) ties."""
    rng = random.Random(seed)
    with project.begin() as conn:
        conn.execute(insert(schema.import_batches).values(
            id=1, file_name="x.csv", sha256="x", status="done",
            started_at="2024-01-01T00:00:00+00:00"))
        conn.execute(insert(schema.customers), [{"id": i, "key": f"c{i}"} for i in range(1, 60)])
        conn.execute(insert(schema.items), [{"id": i, "key": f"item-é-{i}"} for i in range(1, 40)])
        rows = []
        for n in range(n_events):
            late = n >= N_NULL_FIRST
            rows.append({
                "customer_id": rng.randint(1, 59),
                "time_ms": 1_700_000_000_000 + rng.randint(0, 400) * 60_000,
                "event": rng.choice(["view", "cart", "purchase", "search"]),
                "item_id": rng.randint(1, 45) if late and rng.random() < 0.8 else None,  # 40-45: gone
                "category": rng.choice(["shoes", "", "客户 hats", None]) if late else None,
                "price": rng.choice([1.5, 0.1 + 0.2, 1e-300, None, 7.0]) if late else None,
                "quantity": rng.choice([1.0, 2.0, None]) if late else None,
                "amount": rng.choice([-3.25, 12.0, None]) if late else None,
                "session": rng.choice(["s1", "s-2", None]) if late else None,
                "query": rng.choice(["red shoes", None, "ü"]) if late else None,
                "batch_id": 1,
            })
        conn.execute(insert(schema.events), rows)


def _same(new: pd.DataFrame, old: pd.DataFrame) -> None:
    """Equal frames, and NULLs that are None in text columns and NaN in number columns."""
    pd.testing.assert_frame_equal(new, old, check_exact=True)
    assert list(new.dtypes) == list(old.dtypes)
    for col in arrow_read.TEXT_COLUMNS:
        assert new[col].dtype == object
        missing = new[col].isna()
        assert all(v is None for v in new[col][missing])
        assert missing.equals(old[col].isna())
    for col in arrow_read.REAL_COLUMNS:
        assert new[col].dtype == np.float64
        assert np.array_equal(new[col].isna(), old[col].isna())
    for col in ("customer_id", "time_ms"):
        assert new[col].dtype == np.int64


@pytest.fixture
def filled(tmp_path: Path) -> Iterator[Project]:
    project = open_project(tmp_path / "filled.intentlens")
    _fill(project)
    try:
        yield project
    finally:
        project.close()


def test_whole_log_matches_the_generic_read(filled: Project, spy: list[str]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no driver warning (statement left open, ...)
        new = queries.events_frame(filled)
    old = queries.events_frame_generic(filled)
    assert spy == ["adbc"]
    assert len(new) == N_EVENTS
    _same(new, old)
    # Sorted by customer, then time, ties in storage order.
    assert new[["customer_id", "time_ms"]].apply(tuple, axis=1).is_monotonic_increasing
    assert new["category"].notna().any() and new["price"].notna().any()


@pytest.mark.parametrize("until_offset_min", [0, 150, 1_000])
def test_until_matches_the_generic_read(
    filled: Project, spy: list[str], until_offset_min: int
) -> None:
    until = 1_700_000_000_000 + until_offset_min * 60_000
    new = queries.events_frame(filled, until_ms=until)
    _same(new, queries.events_frame_generic(filled, until_ms=until))
    assert spy == ["adbc"]
    assert (new["time_ms"] <= until).all()


#: Enough customers for the driver's read (fewer are read through the index).
MANY = list(range(100, 100 + queries.COPY_READ_MIN_CUSTOMERS))


@pytest.mark.parametrize("ids", [[3, *MANY], [5, 1, 44, *MANY], MANY, [*MANY, 999]])
def test_customer_ids_match_the_generic_read(
    filled: Project, spy: list[str], ids: list[int]
) -> None:
    new = queries.events_frame(filled, customer_ids=ids, until_ms=1_700_000_000_000 + 9_000_000)
    _same(new, queries.events_frame_generic(
        filled, customer_ids=ids, until_ms=1_700_000_000_000 + 9_000_000))
    assert spy == ["adbc"]
    assert set(new["customer_id"]) <= set(ids)


@pytest.mark.parametrize("ids", [[3], [], [5, 1, 44]])
def test_a_few_customers_are_read_through_the_index(
    filled: Project, spy: list[str], ids: list[int]
) -> None:
    """A customer's card reads one customer: no copy of the whole project for that."""
    new = queries.events_frame(filled, customer_ids=ids)
    assert spy == []
    assert sorted(set(new["customer_id"])) == sorted(set(ids) & set(range(1, 60)))
    assert len(new) == len(queries.events_frame(filled).query("customer_id in @ids"))


def test_empty_project_matches_the_generic_read(tmp_path: Path, spy: list[str]) -> None:
    project = open_project(tmp_path / "empty.intentlens")
    try:
        new = queries.events_frame(project)
        _same(new, queries.events_frame_generic(project))
    finally:
        project.close()
    assert spy == ["adbc"]
    assert new.empty


def test_only_null_optional_columns_matches_the_generic_read(
    tmp_path: Path, spy: list[str]
) -> None:
    project = open_project(tmp_path / "nulls.intentlens")
    try:
        _fill(project, n_events=N_NULL_FIRST)
        new = queries.events_frame(project)
        _same(new, queries.events_frame_generic(project))
    finally:
        project.close()
    assert spy == ["adbc"]
    assert new["category"].isna().all() and new["price"].isna().all()


def test_path_with_spaces_and_non_ascii(tmp_path: Path, spy: list[str]) -> None:
    folder = tmp_path / "Shop data é 客户 #1"
    folder.mkdir()
    project = open_project(folder / "my shop ø.intentlens")
    try:
        _fill(project, n_events=300)
        new = queries.events_frame(project)
        _same(new, queries.events_frame_generic(project))
    finally:
        project.close()
    assert spy == ["adbc"]
    assert len(new) == 300


def test_read_only_project_file(tmp_path: Path, spy: list[str]) -> None:
    path = tmp_path / "ro.intentlens"
    project = open_project(path)
    _fill(project, n_events=500)
    project.close()
    path.chmod(0o444)
    try:
        project = open_project(path, writable=False)
        try:
            new = queries.events_frame(project)
            _same(new, queries.events_frame_generic(project))
        finally:
            project.close()
    finally:
        path.chmod(0o644)
    assert spy == ["adbc"]


def test_text_in_a_number_column_reads_as_nan_like_the_generic_read(
    filled: Project, spy: list[str]
) -> None:
    with filled.begin() as conn:
        conn.execute(text("UPDATE events SET price = 'n/a' WHERE id = 6500"))
    new = queries.events_frame(filled)
    _same(new, queries.events_frame_generic(filled))
    assert spy == ["generic"]  # tried, then the generic read


def test_reads_while_a_writer_holds_the_project(filled: Project, spy: list[str]) -> None:
    """A read takes no lock a writer waits for, and sees what was committed."""
    before = len(queries.events_frame_generic(filled))
    with filled.begin() as conn:
        conn.execute(text("DELETE FROM events WHERE id <= 10"))
        during = queries.events_frame(filled)  # the write transaction is still open
    assert len(during) == before
    assert len(queries.events_frame(filled)) == before - 10
    assert spy == ["adbc", "adbc"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX record locks only")
def test_a_read_keeps_this_process_s_locks(filled: Project) -> None:
    """After a read, another program that opens and closes the project still sees this process
    using it: it leaves the write-ahead log, and what this process writes next reaches it.
    (When a second copy of SQLite in the process closes the file, the system drops the locks
    Python's SQLite holds on it: the other program then deletes the log under our connections.)
    """
    path = filled.path
    assert path is not None
    with filled.connect() as conn:  # a pooled connection of this process stays open
        conn.execute(text("SELECT COUNT(*) FROM events")).scalar_one()
        queries.events_frame(filled)
        other = (
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
            "c.execute(\"INSERT INTO meta VALUES ('other', '1')\"); c.commit(); c.close()"
        )
        subprocess.run([sys.executable, "-c", other, str(path)], check=True, timeout=60)
        assert Path(f"{path}-wal").exists()
    filled.set_meta("mine", "2")
    seen = subprocess.run(
        [sys.executable, "-c",
         "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("
         "\"SELECT value FROM meta WHERE key = 'mine'\").fetchall())", str(path)],
        check=True, timeout=60, capture_output=True, text=True,
    )
    assert "'2'" in seen.stdout


def test_copy_is_removed_after_the_read(
    filled: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    assert len(queries.events_frame(filled)) == N_EVENTS
    assert list(scratch.iterdir()) == []
    # The copy was a copy: the project's own file is still a project.
    path = filled.path
    assert path is not None
    con = sqlite3.connect(path)
    try:
        assert con.execute("SELECT COUNT(*) FROM events").fetchone() == (N_EVENTS,)
    finally:
        con.close()


def test_the_frozen_build_ships_the_driver_library() -> None:
    """The driver's library is loaded by path from its package's folder, which PyInstaller's
    analysis does not follow: packaging/intentlens.spec lists it."""
    import adbc_driver_sqlite

    from tests.test_packaging_spec import run_spec

    loaded = Path(adbc_driver_sqlite._driver_path())
    listed = run_spec()["Analysis"]["binaries"]
    assert (str(loaded), "adbc_driver_sqlite") in listed
    assert loaded.is_file()


def test_no_room_for_the_copy_reads_the_generic_way(
    filled: Project, spy: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(source_uri: str, copy: Path) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(arrow_read, "_snapshot", full)
    new = queries.events_frame(filled)
    assert spy == ["generic"]
    _same(new, queries.events_frame_generic(filled))
    assert len(new) == N_EVENTS


def test_the_frozen_build_ships_the_version_files_the_drivers_open() -> None:
    """Both ADBC packages open ``_static_version.py`` beside them as a file when imported (a
    frozen build without it stopped at the first training)."""
    import importlib.util

    from tests.test_packaging_spec import run_spec

    datas = run_spec()["Analysis"]["datas"]
    for package in ("adbc_driver_sqlite", "adbc_driver_manager"):
        spec = importlib.util.find_spec(package)
        assert spec is not None and spec.origin is not None
        version = Path(spec.origin).parent / "_static_version.py"
        assert version.is_file() and (str(version), package) in datas


@pytest.mark.parametrize("group_rows", [1, 977])
def test_read_in_small_groups_matches_the_generic_read(
    filled: Project, spy: list[str], monkeypatch: pytest.MonkeyPatch, group_rows: int
) -> None:
    """The driver's batches are turned into compact columns a group at a time (a big shop's
    batches are never all held): texts first met in a later group, the typed first row in the
    first group, NULL-only groups, all give the generic read's frame."""
    monkeypatch.setattr(arrow_read, "_GROUP_ROWS", group_rows)
    _same(queries.events_frame(filled), queries.events_frame_generic(filled))
    until = 1_700_000_000_000 + 150 * 60_000
    _same(queries.events_frame(filled, until_ms=until),
          queries.events_frame_generic(filled, until_ms=until))
    assert spy == ["adbc", "adbc"]


@pytest.mark.parametrize(("parts", "part_rows", "group_rows"),
                         [(2, 1, 262_144), (3, 1, 977), (4, 700, 1), (4, 10**9, 977)])
def test_read_in_parts_side_by_side_matches_the_generic_read(
    filled: Project, spy: list[str], monkeypatch: pytest.MonkeyPatch, parts: int,
    part_rows: int, group_rows: int,
) -> None:
    """Consecutive ranges of events read by connections on their own threads: a part whose
    first group is only NULLs, texts first met in a later part, a part with no rows after the
    ``until`` cut, all give the generic read's frame."""
    monkeypatch.setattr(arrow_read, "_parts", lambda: parts)
    monkeypatch.setattr(arrow_read, "_PART_ROWS", part_rows)
    monkeypatch.setattr(arrow_read, "_GROUP_ROWS", group_rows)
    _same(queries.events_frame(filled), queries.events_frame_generic(filled))
    until = 1_700_000_000_000 + 150 * 60_000
    _same(queries.events_frame(filled, until_ms=until),
          queries.events_frame_generic(filled, until_ms=until))
    ids = [3, *MANY]
    _same(queries.events_frame(filled, customer_ids=ids),
          queries.events_frame_generic(filled, customer_ids=ids))
    assert spy == ["adbc", "adbc", "adbc"]


def test_parts_cover_every_id_once() -> None:
    """The ranges the parts read: consecutive, every id from the first to the last once."""
    assert arrow_read._id_ranges(None, None, 4) == [None]
    assert arrow_read._id_ranges(1, 10, 4) == [None]  # fewer ids than a part holds
    for low, high, parts in ((1, 2_000_000, 2), (5, 1_000_003, 3), (1, 2_300_000, 4),
                             (7, 7 + 3 * arrow_read._PART_ROWS, 8)):
        ranges = arrow_read._id_ranges(low, high, parts)
        assert 1 < len(ranges) <= parts
        assert ranges[0][0] == low and ranges[-1][1] == high
        for (_a, b), (c, _d) in zip(ranges, ranges[1:], strict=False):
            assert c == b + 1
        assert all(b - a + 1 >= arrow_read._PART_ROWS for a, b in ranges)
