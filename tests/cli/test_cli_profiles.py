"""``train profiles`` and ``export segments`` as a script sees them: stdout, stderr, exit code."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import main
from engine.demo_project import create_demo_project
from storage.project import open_project
from storage.runs import list_runs

CUSTOMERS = 300


def _cli(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main.main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def _one_sentence(err: str) -> None:
    text = err.strip()
    assert "\n" not in text, text
    assert text.startswith("Error: ") and text.endswith("."), text
    assert "Traceback" not in text


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("cli-profiles") / "demo.intentlens"
    create_demo_project(path, customers=CUSTOMERS, seed=5)
    yield path


def test_json_has_the_promised_keys_and_three_segments(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _cli(
        capsys, "train", "profiles", demo, "--segments", "3", "--epochs", "3", "--json"
    )
    assert code == 0, err
    payload = json.loads(out)  # stdout holds exactly one JSON object
    assert {"segments", "stability_ari", "method", "silhouette", "run_id"} <= set(payload)
    assert 0.0 <= payload["stability_ari"] <= 1.0
    assert len(payload["segments"]) == 3
    for seg in payload["segments"]:
        assert {"id", "name", "size", "description"} <= set(seg)
        assert seg["description"].startswith(seg["name"])
    assert sum(s["size"] for s in payload["segments"]) == CUSTOMERS
    # The losses went to stderr, as they came.
    assert "epoch 1/3: train loss" in err and "epoch 3/3" in err
    project = open_project(demo, create=False)
    try:
        assert [r.id for r in list_runs(project, "profiles") if r.active] == [payload["run_id"]]
    finally:
        project.close()


def test_text_output_shows_losses_and_every_segment(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _cli(
        capsys, "train", "profiles", demo, "--epochs", "2", "--seed", "1", "--as-of", "2025-10-31"
    )
    assert code == 0, err
    assert "epoch 1/2: train loss" in out and "valid loss" in out
    project = open_project(demo, create=False)
    try:
        run = next(r for r in list_runs(project, "profiles") if r.active)
    finally:
        project.close()
    assert run.settings["seed"] == 1
    for seg in run.metrics["segments"]:
        assert f"{seg['name']}: {seg['size']:,} customers" in out
        assert seg["description"].removeprefix(seg["name"] + " — ") in out
    assert "Stability" in out and f"export {demo} segments" in out


@pytest.mark.parametrize("value", ["1", "13", "0", "x", "2.5", "-3", ""])
def test_bad_segments_is_one_sentence_and_exit_2(
    demo: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    code, out, err = _cli(capsys, "train", "profiles", demo, "--segments", value)
    assert code == 2 and out == ""
    _one_sentence(err)
    assert "--segments" in err and "2 to 12" in err


def test_bad_as_of_is_one_sentence(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = _cli(capsys, "train", "profiles", demo, "--as-of", "someday")
    assert code == 2
    _one_sentence(err)


def test_export_segments_header_and_rows(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = _cli(
        capsys, "train", "profiles", demo, "--segments", "4", "--epochs", "2", "--json"
    )
    assert code == 0, err
    target = tmp_path / "segments.csv"
    code, out, err = _cli(capsys, "export", demo, "segments", "--out", target)
    assert code == 0, err
    assert f"Wrote {CUSTOMERS:,} rows" in out
    with target.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["customer", "segment_id", "segment_name"]
    assert len(rows) == CUSTOMERS + 1
    assert {r[1] for r in rows[1:]} == {"0", "1", "2", "3"}


def test_export_segments_without_a_run_is_a_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.intentlens"
    open_project(empty).close()
    code, _out, err = _cli(capsys, "export", empty, "segments", "--out", tmp_path / "s.csv")
    assert code == 2
    _one_sentence(err)
    assert "train customer profiles" in err
