"""``main.py --screenshots DIR --project P`` is a command: a project it cannot open is a
sentence on stderr and exit status 1, never a message box nobody can click (it hung) nor a demo
rendered in its place."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

MAIN = Path(__file__).resolve().parents[2] / "main.py"


def _render(tmp_path: Path, project: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "INTENTLENS_HOME": str(tmp_path / "h")}
    return subprocess.run(
        [sys.executable, str(MAIN), "--screenshots", str(tmp_path / "shots"), "--project",
         str(project)], capture_output=True, text=True, env=env, timeout=120, check=False)


def test_a_file_that_is_no_project_is_refused_in_a_sentence(tmp_path: Path) -> None:
    csv = tmp_path / "header_only.csv"
    csv.write_text("customer_id,event_time,event_type\n", encoding="utf-8")
    done = _render(tmp_path, csv)
    assert done.returncode == 1, done.stderr
    assert "Cannot open the project: " in done.stderr
    assert "Traceback" not in done.stderr
    assert not list((tmp_path / "shots").glob("*.png"))


def test_a_missing_project_is_said_not_replaced_by_a_demo(tmp_path: Path) -> None:
    done = _render(tmp_path, tmp_path / "nowhere.intentlens")
    assert done.returncode == 1, done.stderr
    assert f"There is no project at {tmp_path / 'nowhere.intentlens'}." in done.stderr
    assert not list((tmp_path / "shots").glob("*.png"))


def test_without_a_project_a_demo_is_rendered_and_removed(tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "INTENTLENS_HOME": str(tmp_path / "h"),
           "TMPDIR": str(scratch)}
    done = subprocess.run([sys.executable, str(MAIN), "--screenshots", str(tmp_path / "shots")],
                          capture_output=True, text=True, env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert list((tmp_path / "shots").glob("*.png"))
    assert not [p for p in scratch.iterdir() if p.name.startswith("intentlens-shots-")]
