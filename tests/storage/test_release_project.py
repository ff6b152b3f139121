"""A project made by the previous release (tests/data/release_project, see its README) opens,
is migrated to the long run outputs, and keeps its runs, its active models and every answer."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

import cli
from engine.value.read import VALUE_KEYS
from storage.project import open_project
from storage.runs import list_runs, run_outputs
from tests.project_checks import schema_revision, table_names

RELEASE = Path(__file__).resolve().parents[1] / "data" / "release_project"


@pytest.fixture
def old_project(tmp_path: Path) -> Path:
    path = tmp_path / "shop.intentlens"
    with gzip.open(RELEASE / "project.intentlens.gz", "rb") as src, path.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    return path


def test_the_release_project_is_migrated_and_keeps_its_runs(old_project: Path) -> None:
    project = open_project(old_project)
    try:
        assert schema_revision(project) == "0006"
        names = table_names(project)
        assert "run_outputs" in names and "customer_scores" not in names
        runs = [(r.id, r.task, r.active) for r in list_runs(project)]
        assert runs == [(3, "intent", True), (2, "profiles", True), (1, "intent", False)]
        scores = run_outputs(project, 3, names=("score", "rank"))
        segments = run_outputs(project, 2, names=("segment", "x", "y"))
        assert len(scores) == len(segments) == 300
        assert scores["rank"].min() == 1 and scores["rank"].max() == 300
        assert segments[["segment", "x", "y"]].notna().all().all()
    finally:
        project.close()


def test_the_release_project_answers_as_before(
    old_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.run(["lookup", str(old_project), "C00162", "--json"]) == 0
    found = capsys.readouterr().out.strip()
    expected = (RELEASE / "lookup_C00162.json").read_text(encoding="utf-8").strip()
    # The one wording change since that release: a reason's points say their unit.
    expected = expected.replace(' points"', ' percentage points"').replace(
        ' point"', ' percentage point"')
    # Keys added since (the customer-value run's) come after the release's, empty without one.
    answer = json.loads(found)
    release_keys = list(json.loads(expected))
    assert list(answer)[: len(release_keys)] == release_keys
    assert json.dumps({k: answer[k] for k in release_keys}, ensure_ascii=False) == expected
    assert list(answer)[len(release_keys):] == list(VALUE_KEYS)
    assert all(answer[k] is None for k in VALUE_KEYS)
    assert answer["rank"] == 11
    out = tmp_path / "segments.csv"
    assert cli.run(["export", str(old_project), "segments", "--out", str(out)]) == 0
    assert out.read_bytes() == (RELEASE / "segments.csv").read_bytes()
    # The scores as released, then the customer-value columns added since, empty without a
    # value run.
    out = tmp_path / "scores.csv"
    assert cli.run(["export", str(old_project), "scores", "--out", str(out)]) == 0
    got = out.read_text(encoding="utf-8-sig").splitlines()
    released = (RELEASE / "scores.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(got) == len(released)
    added = "," + ",".join(VALUE_KEYS)
    assert got[0] == released[0] + added
    assert all(g == r + "," * len(VALUE_KEYS) for g, r in zip(got[1:], released[1:],
                                                             strict=True))
