"""The generated export corpus (tests/data/exports, issue 7): each file imports as its
``expected.json`` says.

The files and their expectations are written by ``tests/data/exports/make_corpus.py`` (run it
again after changing it); this module only reads them. Each case runs
``python main.py import PROJECT FILE [flags] --json`` in-process, in a new project, and compares
the JSON report as ``tests/import_expectations.py`` describes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.import_expectations import EXPECT_KEYS, run_spec_file

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


def _case_id(path: Path) -> str:
    return path.relative_to(CORPUS).as_posix()


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_export_imports_as_expected(
    case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = json.loads(case.read_text(encoding="utf-8"))
    problems = run_spec_file(case, tmp_path, capsys)
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
