"""The import cases real users hit (order exports, marketplace reports, spreadsheet re-saves):
one test per case folder, each checking what a correct import yields (its expected.json).

The folders live outside the repository; without them these tests skip with a reason.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cli import run

CASES = (Path(__file__).resolve().parents[2] / ".." / "shared" / "cases" / "import").resolve()
FOLDERS = sorted(p for p in CASES.glob("*/") if (p / "expected.json").is_file())


def _instant(text: str) -> datetime:
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def check(expect: dict[str, Any], must_warn: list[str], got: dict[str, Any]) -> list[str]:
    """Mismatches between an import's JSON and what is expected, in words."""
    out: list[str] = []
    time_tol = float(expect.get("time_tolerance_s", 1.0))
    for key, want in expect.items():
        if key in ("revenue_tolerance", "time_tolerance_s"):
            continue
        have = got.get(key)
        if key == "revenue":
            tol = float(expect.get("revenue_tolerance", 0.01))
            if have is None or abs(float(have) - float(want)) > tol:
                out.append(f"revenue: expected {want} got {have}")
        elif key in ("first_time", "last_time"):
            if have is None or abs((_instant(have) - _instant(want)).total_seconds()) > time_tol:
                out.append(f"{key}: expected {want} got {have}")
        elif key == "events_by_type":
            for ev, n in want.items():
                if (have or {}).get(ev, 0) != n:
                    out.append(f"events_by_type.{ev}: expected {n} got {(have or {}).get(ev, 0)}")
        elif have != want:
            out.append(f"{key}: expected {want} got {have}")
    if must_warn and not got.get("warnings"):
        out.append(f"warnings: expected a warning ({must_warn[0]}) got none")
    return out


def _runs(folder: Path) -> list[tuple[str, dict[str, Any]]]:
    spec = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    runs = [(folder.name, spec)]
    for extra in spec.get("also", []):
        runs.append((f"{folder.name}[{extra['file']} {' '.join(extra.get('flags', []))}]", extra))
    return runs


RUNS = [(f, name, spec) for f in FOLDERS for name, spec in _runs(f)]


@pytest.mark.skipif(not FOLDERS, reason=f"the import cases are not here ({CASES})")
@pytest.mark.parametrize(("folder", "name", "spec"), RUNS, ids=[r[1] for r in RUNS])
def test_import_case(
    folder: Path, name: str, spec: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "case.intentlens"
    code = run(["import", str(db), str(folder / spec["file"]), *spec.get("flags", []), "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    got = json.loads(captured.out)
    # The accounting identity holds whatever the reading: every line imported or rejected.
    assert got["imported"] + got["rejected"] == got["lines_read"]
    assert sum(got["events_by_type"].values()) == got["events"]
    problems = check(spec["expect"], spec.get("must_warn", []), got)
    assert not problems, f"{name}: " + "; ".join(problems)
    for w in got["warnings"]:
        assert set(w) == {"code", "message", "column", "rows"} and w["message"]
