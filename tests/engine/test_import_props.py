"""Property tests: whatever a file holds, the importer answers with a report or one sentence.

Any bytes in: either FileProblem with a message, or an import whose lines all add up
(imported + rejected == lines read, in the report and in the project). Never a crash.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from engine.ingest import FileProblem, ImportOptions, run_import
from storage.project import Project, open_project

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    database=None,  # failures print their example; nothing is written into the tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def shared(shared_location: Callable[[str], str]) -> Iterator[tuple[Project, Path]]:
    """One project and one scratch folder for all examples (a project per example is slow),
    once an SQLite file and once a PostgreSQL database."""
    with tempfile.TemporaryDirectory(prefix="intentlens-props-") as tmp:
        folder = Path(tmp)
        project = open_project(shared_location("props"))
        try:
            yield project, folder
        finally:
            project.close()


def _count(project: Project, table: str, batch_id: int) -> int:
    with project.connect() as conn:
        return int(
            conn.execute(
                text(f"SELECT COUNT(*) FROM {table} WHERE batch_id = :b"), {"b": batch_id}
            ).scalar_one()
        )


def _check(shared: tuple[Project, Path], data: bytes, name: str = "input.csv") -> None:
    project, folder = shared
    path = folder / name
    path.write_bytes(data)
    with project.connect() as conn:
        events_before = conn.execute(text("SELECT COUNT(*) FROM events")).scalar_one()
    try:
        report = run_import(project, path, ImportOptions(allow_duplicate=True, chunk_rows=7))
    except FileProblem as exc:
        message = str(exc)
        assert message.strip(), "a FileProblem must say what is wrong"
        with project.connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM events")).scalar_one() == events_before
        return
    assert report.lines_read >= 0
    assert report.imported + report.rejected == report.lines_read
    assert sum(report.rejected_by_reason.values()) == report.rejected
    assert sum(report.events_by_type.values()) == report.events >= report.imported
    assert _count(project, "events", report.batch_id) == report.events
    assert _count(project, "rejected_rows", report.batch_id) == report.rejected
    with project.connect() as conn:
        bad_lines = conn.execute(
            text("SELECT COUNT(*) FROM rejected_rows WHERE batch_id = :b AND line_no < 1"),
            {"b": report.batch_id},
        ).scalar_one()
    assert bad_lines == 0


@SETTINGS
@given(data=st.binary(max_size=3000))
def test_any_bytes_give_a_report_or_a_sentence(shared: tuple[Project, Path], data: bytes) -> None:
    _check(shared, data)


FIELD = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "alice",
            "4711",
            "17850.0",
            "C536379",
            "view",
            "pv",
            "buy",
            "cart",
            "purchase",
            "refund",
            "浏览",
            "购买",
            "2019-10-01 00:00:00 UTC",
            "12/1/2010 8:26",
            "1569888000",
            "1659304800025",
            "20191001",
            "2019-13-45",
            "not a time",
            "3.50",
            "-2",
            "1,234.50",
            '"quoted, field"',
            '"open quote',
            "NaN",
            "null",
            "{",
            '{"a": 1}',
            "customer",
            "time",
            "event",
            "user_id",
            "timestamp",
        ]
    ),
    st.text(max_size=12),
)
LINE = st.lists(FIELD, max_size=7)


@st.composite
def csvish(draw: st.DrawFn) -> bytes:
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    header = draw(
        st.sampled_from(
            [
                [],
                ["customer", "time", "event"],
                ["customer", "time", "event", "item", "price", "quantity"],
                ["user_id", "timestamp"],
                ["客户", "时间", "行为"],
            ]
        )
    )
    rows = draw(st.lists(LINE, max_size=40))
    lines = ([delimiter.join(header)] if header else []) + [delimiter.join(r) for r in rows]
    body = newline.join(lines)
    if draw(st.booleans()):
        body += newline
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "gb18030"]))
    return body.encode(encoding, errors="replace")


@SETTINGS
@given(data=csvish())
def test_any_csvish_text_gives_a_report_or_a_sentence(
    shared: tuple[Project, Path], data: bytes
) -> None:
    _check(shared, data)


@st.composite
def valid_log(draw: st.DrawFn) -> tuple[bytes, int]:
    """A well-formed log with some broken lines mixed in: every good line must be imported.

    Broken lines with the right number of values stay a minority, as the time format is the
    one that reads most of the sample.
    """
    broken = draw(st.lists(st.sampled_from(["", "x,y", "a,b,c,d,e", "c9,never,view"]), max_size=8))
    unreadable = broken.count("c9,never,view")
    good = draw(st.integers(min_value=max(1, 2 * unreadable), max_value=30))
    lines = [f"c{i % 5},2020-01-{1 + i % 28:02d} 10:00:00,view" for i in range(good)]
    positions = draw(
        st.lists(
            st.integers(min_value=1, max_value=len(lines)),
            min_size=len(broken),
            max_size=len(broken),
        )
    )
    for pos, bad in zip(positions, broken, strict=True):
        lines.insert(pos, bad)
    return ("customer,time,event\n" + "\n".join(lines) + "\n").encode(), good


@SETTINGS
@given(case=valid_log())
def test_good_lines_are_never_lost(shared: tuple[Project, Path], case: tuple[bytes, int]) -> None:
    data, good = case
    project, folder = shared
    path = folder / "valid.csv"
    path.write_bytes(data)
    report = run_import(project, path, ImportOptions(allow_duplicate=True, chunk_rows=4))
    assert report.imported == good
    assert report.imported + report.rejected == report.lines_read == data.count(b"\n") - 1


JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                ["session", "events", "aid", "ts", "type", "customer", "time", "event"]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=12,
)


@SETTINGS
@given(values=st.lists(JSON_VALUE, min_size=1, max_size=15), otto_first=st.booleans())
def test_any_json_lines_give_a_report_or_a_sentence(
    shared: tuple[Project, Path], values: list[object], otto_first: bool
) -> None:
    lines = [json.dumps(v, ensure_ascii=False) for v in values]
    if otto_first:
        lines.insert(
            0, '{"session": 1, "events": [{"aid": 7, "ts": 1659304800025, "type": "carts"}]}'
        )
    _check(shared, "\n".join(lines).encode(), name="input.jsonl")
