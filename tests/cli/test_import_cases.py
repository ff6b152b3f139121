"""The import cases real users hit (order exports, marketplace reports, spreadsheet re-saves):
one test per case folder, each checking what a correct import yields (its expected.json, compared
as tests/import_expectations.py describes).

The folders live outside the repository; without them these tests skip with a reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.import_expectations import run_spec_file

CASES = (Path(__file__).resolve().parents[2] / ".." / "shared" / "cases" / "import").resolve()
FOLDERS = sorted(p for p in CASES.glob("*/") if (p / "expected.json").is_file())


@pytest.mark.skipif(not FOLDERS, reason=f"the import cases are not here ({CASES})")
@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_import_case(folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    problems = run_spec_file(folder / "expected.json", tmp_path, capsys)
    assert not problems, f"{folder.name}: " + "\n".join(problems)
