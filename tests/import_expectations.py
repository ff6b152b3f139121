"""One checker for expected.json import cases (the handed cases and the generated corpus).

A case runs ``python main.py import DB FILE [flags] --json`` in-process on a new project and
compares the JSON with ``expect``: counts equal, revenue within ``revenue_tolerance`` (0.01),
first/last time the same instant within ``time_tolerance_s`` (1 s), ``events_by_type`` only for the
types listed (missing = 0), and a non-empty ``warnings`` list when ``must_warn`` is not empty.
``exit`` (default 0) is the exit code the run must end with.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

COUNT_KEYS = ("lines_read", "imported", "rejected", "customers", "items")
EXPECT_KEYS = set(COUNT_KEYS) | {
    "events_by_type",
    "revenue",
    "revenue_tolerance",
    "first_time",
    "last_time",
    "time_tolerance_s",
}


def _instant(text: Any) -> datetime:
    dt = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def compare(expect: dict[str, Any], got: dict[str, Any]) -> list[str]:
    """What differs between an expectation and an import's JSON report, in sentences."""
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


def run_case(
    run_spec: dict[str, Any], folder: Path, db: Path, capsys: pytest.CaptureFixture[str]
) -> list[str]:
    """Import one run of a case into a new project; the differences found, as sentences."""
    from cli import run

    flags = [str(f) for f in run_spec.get("flags", [])]
    capsys.readouterr()
    try:
        code = run(["import", str(db), str(folder / run_spec["file"]), *flags, "--json"])
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
    problems = compare(run_spec.get("expect", {}), got)
    # Whatever the reading, every line is imported or rejected, and the events add up.
    if got["imported"] + got["rejected"] != got["lines_read"]:
        problems.append("imported + rejected != lines_read")
    if sum(got["events_by_type"].values()) != got["events"]:
        problems.append("events_by_type does not add up to events")
    warnings = got.get("warnings")
    if not isinstance(warnings, list) or any(
        set(w) != {"code", "message", "column", "rows"} or not w["message"] for w in warnings
    ):
        problems.append(f"warnings are not a list of {{code, message, column, rows}}: {warnings!r}")
    elif run_spec.get("must_warn") and not warnings:
        problems.append(f"warnings: got none, expected one ({run_spec['must_warn'][0]})")
    if problems:
        summary = {k: got.get(k) for k in ("lines_read", "imported", "rejected",
                                             "rejected_by_reason", "mapping")}
        problems = [f"[{where}] {p}" for p in problems] + [f"[{where}] report: {summary}"]
    return problems


def run_spec_file(spec_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """Every run of one expected.json (the main run and its ``also`` runs)."""
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    problems: list[str] = []
    for i, run_spec in enumerate([spec, *spec.get("also", [])]):
        problems += run_case(run_spec, spec_path.parent, tmp_path / f"run{i}.intentlens", capsys)
    return problems
