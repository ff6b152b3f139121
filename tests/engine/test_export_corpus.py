"""The generated export corpus (tests/data/exports, issue 7): each file imports as its
``expected.json`` says.

The files and their expectations are written by ``tests/data/exports/make_corpus.py`` (run it
again after changing it); this module only reads them. Each case runs
``python main.py import PROJECT FILE [flags] --json`` in-process, in a new project, and compares
the JSON report the way ``../shared/cases/import/README.md`` describes: counts exactly, revenue
within ``revenue_tolerance``, first/last time within ``time_tolerance_s``, only the listed event
types (a missing type counts as 0), and a non-empty ``warnings`` list when ``must_warn`` is not
empty. A run with ``"exit": 2`` must stop with exit code 2 instead.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

CORPUS = Path(__file__).resolve().parents[1] / "data" / "exports" / "files"
KINDS = (
    "orders",
    "statuses",
    "money",
    "dates",
    "excel",
    "customers",
    "vocabulary",
    "no_event",
    "layouts",
)
CASES = sorted(CORPUS.glob("*/*.expected.json"))
COUNT_KEYS = ("lines_read", "imported", "rejected", "customers", "items")
EXPECT_KEYS = set(COUNT_KEYS) | {
    "events_by_type",
    "revenue",
    "revenue_tolerance",
    "first_time",
    "last_time",
    "time_tolerance_s",
}


def _case_id(path: Path) -> str:
    return path.relative_to(CORPUS).as_posix()


def _instant(text: Any) -> datetime:
    return datetime.fromisoformat(str(text).replace("Z", "+00:00"))


def _compare(expect: dict[str, Any], got: dict[str, Any]) -> list[str]:
    """What differs between an expectation and an import's JSON report."""
    problems = []
    unknown = set(expect) - EXPECT_KEYS
    if unknown:
        problems.append(f"expected.json has unknown keys {sorted(unknown)}")
    for key in COUNT_KEYS:
        if key in expect and got.get(key) != expect[key]:
            problems.append(f"{key}: got {got.get(key)!r}, expected {expect[key]!r}")
    if "events_by_type" in expect:
        have = got.get("events_by_type") or {}
        for event, n in expect["events_by_type"].items():
            if have.get(event, 0) != n:
                problems.append(
                    f"events_by_type[{event}]: got {have.get(event, 0)}, expected {n} "
                    f"(all: {have})"
                )
    if "revenue" in expect:
        tol = float(expect.get("revenue_tolerance", 0.01))
        rev = got.get("revenue")
        if not isinstance(rev, (int, float)) or abs(rev - expect["revenue"]) > tol:
            problems.append(f"revenue: got {rev!r}, expected {expect['revenue']} (±{tol})")
    tol_s = float(expect.get("time_tolerance_s", 1))
    for key in ("first_time", "last_time"):
        if key not in expect:
            continue
        value = got.get(key)
        try:
            off = None if value is None else abs(
                (_instant(value) - _instant(expect[key])).total_seconds()
            )
        except (TypeError, ValueError):
            off = None
        if off is None or off > tol_s:
            problems.append(f"{key}: got {value!r}, expected {expect[key]} (±{tol_s:g} s)")
    return problems


def _run_import(run_spec: dict[str, Any], folder: Path, db: Path,
                capsys: pytest.CaptureFixture[str]) -> list[str]:
    """Import one run of a case into a new project; the differences found, as sentences."""
    from cli import run

    file = folder / run_spec["file"]
    flags = [str(f) for f in run_spec.get("flags", [])]
    capsys.readouterr()
    try:
        code = run(["import", str(db), str(file), *flags, "--json"])
    except SystemExit as exc:  # argparse rejects a flag it does not know
        code = exc.code if isinstance(exc.code, int) else 2
    out, err = capsys.readouterr()
    want_exit = int(run_spec.get("exit", 0))
    where = f"{run_spec['file']} {' '.join(flags)}".strip()
    if code != want_exit:
        return [f"[{where}] exit code {code}, expected {want_exit}: {err.strip()[:400]}"]
    if want_exit != 0:
        return []
    try:
        got = json.loads(out)
    except json.JSONDecodeError:
        return [f"[{where}] stdout is not one JSON object: {out[:400]!r}"]
    problems = _compare(run_spec.get("expect", {}), got)
    if run_spec.get("must_warn"):
        warnings = got.get("warnings")
        if not isinstance(warnings, list) or not warnings:
            problems.append(
                f"warnings: got {warnings!r}, expected a non-empty list "
                f"({run_spec['must_warn'][0]})"
            )
    if problems:
        summary = {k: got.get(k) for k in ("lines_read", "imported", "rejected",
                                             "rejected_by_reason", "mapping")}
        problems = [f"[{where}] {p}" for p in problems] + [f"[{where}] report: {summary}"]
    return problems


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_export_imports_as_expected(
    case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = json.loads(case.read_text(encoding="utf-8"))
    runs = [spec, *spec.get("also", [])]
    problems: list[str] = []
    for i, run_spec in enumerate(runs):
        problems += _run_import(run_spec, case.parent, tmp_path / f"run{i}.intentlens", capsys)
    assert not problems, f"{_case_id(case)}: {spec['why']}\n" + "\n".join(problems)


def test_corpus_covers_every_kind() -> None:
    assert CORPUS.is_dir(), "run tests/data/exports/make_corpus.py to write the corpus"
    assert len(CASES) >= 40
    by_kind: dict[str, int] = {}
    for case in CASES:
        spec = json.loads(case.read_text(encoding="utf-8"))
        for run_spec in [spec, *spec.get("also", [])]:
            assert (case.parent / run_spec["file"]).is_file(), f"{case}: no {run_spec['file']}"
            assert isinstance(run_spec.get("must_warn", []), list)
            assert set(run_spec.get("expect", {})) <= EXPECT_KEYS, case
        assert spec.get("why"), f"{case} says nothing about why"
        by_kind[case.parent.name] = by_kind.get(case.parent.name, 0) + 1
    for kind in KINDS:
        assert by_kind.get(kind, 0) >= 3, f"kind {kind!r} has {by_kind.get(kind, 0)} files"
    size = sum(p.stat().st_size for p in CORPUS.rglob("*") if p.is_file())
    assert size < 300_000, f"the corpus is {size:,} bytes"
