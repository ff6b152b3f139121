"""Exports are safe to write and safe to open (issue 11): never over a database, atomic under
a full disk or an exception, formulas neutralised (numbers stay numbers), and segment names and
descriptions free of formula text taken from the shop's categories.

The scores and segments runs are written straight through ``storage.run_writes.save_run``, so these
tests need no training; one test trains real profiles on a tiny project to check the names.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from engine import exports
from engine.events import FRAME_COLUMNS, MS_PER_DAY
from engine.ingest.importer import run_import
from engine.intent import lookup as intent_lookup
from engine.profiles import customer_features
from engine.profiles import read as profile_read
from engine.profiles.segments import describe_segments
from storage.project import Project
from storage.run_writes import save_run
from storage.runs import customer_summary

_REAL_WRITER = csv.writer

#: The first characters that make a spreadsheet run a cell (OWASP's list).
LIVE = ("=", "+", "-", "@", "\t", "\r")

#: ../shared/cases/reliability/formula_ids.csv, plus an id of each other kind; the last row has
#: a bad time (and so has the one after it), so their raw text (with a formula id) lands in the
#: rejected rows.
FORMULA_LOG = (
    "customer_id,event_time,event_type,product_id,price\n"
    '"=HYPERLINK(""http://x"",""y"")",2025-11-01 10:00:00,purchase,P0001,9.99\n'
    "+cmd|' /C calc'!A0,2025-11-02 10:00:00,view,P0002,9.99\n"
    "@SUM(1),2025-11-03 10:00:00,cart,P0003,9.99\n"
    "-1+1,2025-11-03 11:00:00,view,P0003,9.99\n"
    "plain,2025-11-03 12:00:00,view,P0003,9.99\n"
    "-2+3+cmd|' /C calc'!A0,=NOT A DATE,view,P0001,1.00\n"
    "=2+5,=NOW(),view,P0001,1.00\n"
)
FORMULA_IDS = ('=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1)", "-1+1")
#: Segment names as an older run (or a crafted project) may hold them.
SEGMENT_NAMES = {0: "=1+2 shoppers", 1: "@SUM(1) browsers"}
NEGATIVE_SCORE = -3.5


def _read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def formula_project(project: Project, tmp_path: Path) -> Project:
    """A project imported from a file named like a formula, with ids that are formulas, an
    intent run (one score negative, to prove numbers stay numbers) and a profiles run whose
    segment names are formulas."""
    log = tmp_path / "=formula_ids.csv"
    log.write_text(FORMULA_LOG, encoding="utf-8")
    report = run_import(project, log)
    assert report.imported == 5 and report.rejected == 2
    customers = customer_summary(project)
    ids = customers["customer_id"].to_numpy(dtype=np.int64)
    scores = np.linspace(0.9, 0.1, len(ids))
    scores[0] = NEGATIVE_SCORE
    run = {
        "status": "done",
        "history": {},
        "summary": "",
        "seconds": 0.0,
        "warm_started": False,
        "weights": None,
    }
    save_run(
        project,
        "intent",
        settings={"as_of_ms": 1_762_000_000_000, "horizon_days": 7},
        metrics={},
        outputs=pd.DataFrame(
            {"customer_id": ids, "score": scores, "rank": np.arange(1, len(ids) + 1)}
        ),
        **run,
    )
    save_run(
        project,
        "profiles",
        settings={"as_of_ms": 1_762_000_000_000},
        metrics={"segments": [{"id": k, "name": v} for k, v in SEGMENT_NAMES.items()]},
        outputs=pd.DataFrame({"customer_id": ids, "segment": np.arange(len(ids)) % 2}),
        **run,
    )
    return project


EXPORTS: dict[str, Callable[[Project, Path], int]] = {
    "rejected": lambda p, out: exports.export_rejected(p, out),
    "scores": lambda p, out: intent_lookup.export_scores(p, out),
    "segments": lambda p, out: profile_read.export_segments(p, out),
}
#: Columns written as numbers: a leading '-' there is a sign, not a formula.
NUMERIC = {"line", "score", "rank", "horizon", "segment_id", "intent_score"}


def _assert_inert(rows: list[list[str]]) -> None:
    header, body = rows[0], rows[1:]
    for row in body:
        for name, cell in zip(header, row, strict=True):
            if name in NUMERIC:
                if cell:
                    float(cell)  # a plain number, never quoted or prefixed
            else:
                assert not cell.lstrip(" ").startswith(LIVE), (name, cell)


# -- formulas --------------------------------------------------------------------------------


@pytest.mark.parametrize("what", sorted(EXPORTS))
def test_every_export_neutralises_formulas_and_keeps_numbers(
    formula_project: Project, tmp_path: Path, what: str
) -> None:
    out = tmp_path / f"{what}.csv"
    n = EXPORTS[what](formula_project, out)
    rows = _read(out)
    assert len(rows) == n + 1
    _assert_inert(rows)
    text = out.read_text(encoding="utf-8-sig")
    if what == "rejected":
        assert [r[0] for r in rows[1:]] == ["'=formula_ids.csv"] * 2
        assert [r[3][:6] for r in rows[1:]] == ["'-2+3+", "'=2+5,"]
        return
    # Every customer is still there, neutralised, not dropped.
    customers = {r[0] for r in rows[1:]}
    assert {"'" + c for c in FORMULA_IDS} <= customers and "plain" in customers
    if what == "scores":
        assert [r[1] for r in rows[1:]].count(f"{NEGATIVE_SCORE:.6f}") == 1
        assert f"'{NEGATIVE_SCORE:.6f}" not in text
    else:
        assert {r[2] for r in rows[1:]} == {"'" + v for v in SEGMENT_NAMES.values()}
        assert f"{NEGATIVE_SCORE:.6f}" in [r[3] for r in rows[1:]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("@SUM(1)", "'@SUM(1)"),
        ("-1+1", "'-1+1"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("  =1+2", "'  =1+2"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_neutralise(text: str, expected: str) -> None:
    assert exports.neutralise(text) == expected


def test_text_or_number_is_decided_by_dtype_not_by_the_text(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "id": ["-3.5", "\tx", "\r=1", None],  # text column: '-3.5' is text here
            "value": [-3.5, 2.0, np.nan, -0.25],  # numeric column: signs are signs
            "count": np.array([-1, 2, 3, 4], dtype=np.int64),
        }
    )
    out = tmp_path / "frame.csv"
    assert exports.write_csv(frame, out, float_format="%.2f") == 4
    assert _read(out) == [
        ["id", "value", "count"],
        ["'-3.5", "-3.50", "-1"],
        ["'\tx", "2.00", "2"],
        ["'\r=1", "", "3"],
        ["", "-0.25", "4"],
    ]
    # Rows: each value's own type decides.
    rows_out = tmp_path / "rows.csv"
    exports.write_csv([("-2", -2, -2.5, None)], rows_out, ["a", "b", "c", "d"])
    assert _read(rows_out)[1] == ["'-2", "-2", "-2.5", ""]


# -- never over a database -------------------------------------------------------------------


def _targets(project: Project, tmp_path: Path) -> dict[str, Path]:
    assert project.path is not None
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    return {
        "project": project.path,
        "project_wal": project.path.with_name(project.path.name + "-wal"),
        "project_shm": project.path.with_name(project.path.name + "-shm"),
        "other_sqlite": other,
        "other_sqlite_wal": other.with_name(other.name + "-wal"),
        "folder": folder,
        "no_folder": tmp_path / "missing" / "x.csv",
    }


TARGETS = (
    "project",
    "project_wal",
    "project_shm",
    "other_sqlite",
    "other_sqlite_wal",
    "folder",
    "no_folder",
)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("what", sorted(EXPORTS))
def test_never_writes_over_a_database_or_folder(
    formula_project: Project, tmp_path: Path, what: str, target: str
) -> None:
    path = _targets(formula_project, tmp_path)[target]
    assert formula_project.path is not None
    before = {p: _digest(p) for p in (formula_project.path, tmp_path / "other.db")}
    listing = sorted(tmp_path.iterdir())
    with pytest.raises(exports.ExportError) as info:
        EXPORTS[what](formula_project, path)
    message = str(info.value)
    assert "\n" not in message and message.endswith(".") and ". " not in message, message
    assert {p: _digest(p) for p in before} == before
    assert sorted(tmp_path.iterdir()) == listing
    # The project is still a working project.
    assert len(customer_summary(formula_project)) == 5


def test_a_link_to_the_project_is_the_project(formula_project: Project, tmp_path: Path) -> None:
    assert formula_project.path is not None
    link = tmp_path / "scores.csv"
    link.symlink_to(formula_project.path)
    before = _digest(formula_project.path)
    with pytest.raises(exports.ExportError, match="open project"):
        intent_lookup.export_scores(formula_project, link)
    assert _digest(formula_project.path) == before


# -- atomic writes ---------------------------------------------------------------------------


class _FullDisk:
    """A csv.writer whose data rows fail with ENOSPC after ``rows`` rows, as a full disk does."""

    def __init__(self, fh: Any, rows: int) -> None:
        self._writer = _REAL_WRITER(fh)
        self._fh = fh
        self._left = rows + 1  # the header

    def writerow(self, row: Any) -> Any:
        if self._left == 0:
            self._fh.flush()  # what was written so far really is in the file
            raise OSError(errno.ENOSPC, "No space left on device")
        self._left -= 1
        return self._writer.writerow(row)


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv, "writer", lambda fh, *a, **k: _FullDisk(fh, rows=1))


@pytest.mark.parametrize("older", [False, True], ids=["new_file", "older_export"])
@pytest.mark.parametrize("what", sorted(EXPORTS))
def test_full_disk_leaves_nothing_behind(
    formula_project: Project, tmp_path: Path, what: str, older: bool, request: Any
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / f"{what}.csv"
    if older:
        out.write_text("an older export\r\n", encoding="utf-8")
    listing = {p.name: p.read_bytes() for p in folder.iterdir()}
    request.getfixturevalue("full_disk")
    with pytest.raises(exports.ExportError) as info:
        EXPORTS[what](formula_project, out)
    message = str(info.value)
    assert "disk is full" in message and out.name in message
    assert "\n" not in message and message.endswith(".") and ". " not in message, message
    # No partial file, no temporary file, and an older export exactly as it was.
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == listing


def test_an_exception_or_a_cancel_midway_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "big.csv"
    out.write_bytes(b"older\r\n")

    def rows(fail: BaseException | None) -> Iterator[tuple[int, str]]:
        for i in range(5000):
            if fail is not None and i == 2500:
                raise fail
            yield i, f"row {i}"

    for fail in (RuntimeError("boom"), KeyboardInterrupt()):
        with pytest.raises(type(fail)):
            exports.write_csv(rows(fail), out, ["n", "text"])
        assert [p.name for p in tmp_path.iterdir()] == ["big.csv"]
        assert out.read_bytes() == b"older\r\n"
    with pytest.raises(exports.ExportCancelled):
        exports.write_csv(rows(None), out, ["n", "text"], should_stop=lambda: True)
    assert [p.name for p in tmp_path.iterdir()] == ["big.csv"]
    assert out.read_bytes() == b"older\r\n"
    # And a complete export replaces it.
    assert exports.write_csv(rows(None), out, ["n", "text"]) == 5000
    assert len(_read(out)) == 5001


# -- segment names ---------------------------------------------------------------------------

HOSTILE_CATEGORIES = ("=1+2", "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "\t=3")


def _events(categories: tuple[str, ...], per_group: int = 12) -> tuple[pd.DataFrame, np.ndarray]:
    """Customers in groups, each group shopping only in one category."""
    rows: list[dict[str, Any]] = []
    labels: list[int] = []
    t0 = 1_700_000_000_000
    cid = 0
    for g, cat in enumerate(categories):
        for _ in range(per_group):
            cid += 1
            labels.append(g)
            for k in range(4 + g):
                rows.append(
                    {
                        "customer_id": cid,
                        "time_ms": t0 + (k * 3 + g) * MS_PER_DAY,
                        "event": "purchase" if k % 2 else "view",
                        "item": f"I{g}-{k}",
                        "category": cat,
                        "price": 5.0 + 20 * g,
                        "quantity": 1.0,
                        "amount": 5.0 + 20 * g if k % 2 else np.nan,
                        "session": f"s{cid}-{k}",
                        "query": None,
                    }
                )
    frame = pd.DataFrame(rows)[list(FRAME_COLUMNS)]
    return frame, np.asarray(labels, dtype=np.int64)


def test_segment_names_and_descriptions_carry_no_formula() -> None:
    events, labels = _events(HOSTILE_CATEGORIES)
    features = customer_features(events)
    segments = describe_segments(features, labels, events, None)
    assert len(segments) == len(HOSTILE_CATEGORIES)
    for seg in segments:
        for text in (seg.name, seg.description):
            assert not text.lstrip().startswith(LIVE), text
            for cat in HOSTILE_CATEGORIES:
                assert cat not in text, (cat, text)
    # The category still names its segment, as plain words.
    names = " | ".join(s.name for s in segments)
    assert "1+2" in names and "SUM(1)" in names


def test_plain_label() -> None:
    from engine.profiles.segments import plain_label

    assert plain_label("=1+2") == "1+2"
    assert plain_label(" @-+=\tSUM(1)") == "SUM(1)"
    assert plain_label("Home\r\ndecor") == "Home decor"
    assert plain_label("===") == ""
    assert plain_label("Toys") == "Toys"
