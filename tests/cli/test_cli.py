"""The headless command line: what a script or a power user sees (stdout, stderr, exit code)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import main
from storage.project import open_project
from storage.queries import overview

REPO_ROOT = Path(__file__).resolve().parents[2]
JSON_KEYS = {
    "events",
    "warnings",
    "lines_read",
    "imported",
    "rejected",
    "rejected_by_reason",
    "customers",
    "items",
    "events_by_type",
    "first_time",
    "last_time",
    "revenue",
    "format",
    "encoding",
    "mapping",
}
LOG_LINES = [
    "customer,time,event,item,price",
    "alice,2023-05-01 10:00:00,view,sku1,2.50",
    "bob,2023-05-01 10:05:00,cart,sku2,3.00",
    "bob,2023-05-01 10:06:00,cart",  # line 4: too few values
    "alice,2023-05-01 10:07:00,purchase,sku1,2.50",
    "carol,yesterday,view,sku3,1.00",  # line 6: unreadable time
    "carol,2023-05-02 09:00:00,purchase,sku3,7.25",
]
AMBIGUOUS = (
    "customer,start,end,event\n"
    "a,2023-01-01 10:00:00,2023-01-01 11:00:00,seen\n"
    "b,2023-01-02 10:00:00,2023-01-02 11:30:00,buy\n"
    "a,2023-01-03 10:00:00,2023-01-03 11:00:00,seen\n"
)


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "shop-log.csv"
    path.write_text("\n".join(LOG_LINES) + "\n", encoding="utf-8")
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _assert_one_sentence_error(err: str, *words: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("Error: ") and lines[0].endswith(".")
    assert "Traceback" not in err
    for word in words:
        assert word in lines[0], (word, lines[0])


def test_import_json_prints_one_object_with_the_documented_keys(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, log: Path
) -> None:
    code, out, err = _run(capsys, "import", tmp_path / "p.intentlens", log, "--json")
    assert code == 0, err
    assert out.count("\n") == 1 and out.strip().startswith("{")  # one line, one object
    result = json.loads(out)
    assert set(result) == JSON_KEYS
    assert result["lines_read"] == 6
    assert (result["imported"], result["rejected"]) == (4, 2)
    assert result["rejected_by_reason"] == {"wrong_column_count": 1, "bad_time": 1}
    assert (result["customers"], result["items"]) == (3, 3)
    assert result["events_by_type"] == {"view": 1, "cart": 1, "purchase": 2}
    assert result["first_time"] == "2023-05-01T10:00:00Z"
    assert result["last_time"] == "2023-05-02T09:00:00Z"
    assert result["revenue"] == pytest.approx(9.75)
    assert (result["format"], result["encoding"]) == ("csv", "utf-8")
    assert result["mapping"] == {
        "customer": "customer",
        "time": "time",
        "event": "event",
        "item": "item",
        "price": "price",
    }
    assert result["events"] == 4 and result["warnings"] == []
    assert err == ""


def test_import_without_json_reports_in_words(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, log: Path
) -> None:
    project = tmp_path / "p.intentlens"
    code, out, _ = _run(capsys, "import", project, log)
    assert code == 0
    assert "6 lines read: 4 imported, 2 rejected." in out
    assert "line 4:" in out and "line 6:" in out
    assert f"python main.py export {project} rejected" in out
    # Counts in words, never the internal names of reasons or event types.
    assert "Rejected: wrong number of values (1), time not readable (1)." in out
    assert "Events: bought 2, viewed 1, added to cart 1." in out, out  # largest first
    assert "wrong_column_count" not in out and "bad_time" not in out


@pytest.mark.parametrize(
    ("content", "flag"),
    [
        (AMBIGUOUS, "--map time=COLUMN"),
        ("when,amount\n2023-01-01,5\n2023-01-02,6\n", "--map customer=COLUMN"),
    ],
    ids=["two_time_columns", "no_customer_column"],
)
def test_unclear_file_stops_and_names_the_map_flag(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, flag: str
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(content)
    project = tmp_path / "p.intentlens"
    code, out, err = _run(capsys, "import", project, path, "--json")
    assert code != 0
    assert out == ""
    _assert_one_sentence_error(err, flag)
    if project.exists():
        prj = open_project(project, create=False)
        try:
            assert overview(prj).events == 0
        finally:
            prj.close()


def test_map_and_event_flags(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(AMBIGUOUS)
    code, out, err = _run(
        capsys,
        "import",
        tmp_path / "p.intentlens",
        path,
        "--json",
        "--map",
        "time=end",
        "--event",
        "seen=view",
        "--event",
        "buy=cart",
    )
    assert code == 0, err
    result = json.loads(out)
    assert result["mapping"]["time"] == "end"
    assert result["events_by_type"] == {"view": 2, "cart": 1}
    assert result["first_time"] == "2023-01-01T11:00:00Z"
    assert result["last_time"] == "2023-01-03T11:00:00Z"


@pytest.mark.parametrize(
    ("flags", "words"),
    [
        (["--map", "time"], ["--map", "NAME=VALUE"]),
        (["--map", "shoe_size=start"], ["shoe_size"]),
        (["--map", "time=finish"], ["finish"]),
        (["--map", "time=end", "--event", "buy=steal"], ["steal"]),
    ],
    ids=["no_equals", "unknown_field", "unknown_column", "unknown_event"],
)
def test_bad_flags_are_one_sentence(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, flags: list[str], words: list[str]
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(AMBIGUOUS)
    code, out, err = _run(capsys, "import", tmp_path / "p.intentlens", path, *flags)
    assert code == 2
    assert out == ""
    _assert_one_sentence_error(err, *words)


def test_export_rejected_rows(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, log: Path
) -> None:
    project = tmp_path / "p.intentlens"
    assert _run(capsys, "import", project, log)[0] == 0
    target = tmp_path / "rejected.csv"
    code, out, err = _run(capsys, "export", project, "rejected", "--out", target)
    assert code == 0, err
    assert "2 rows" in out
    with target.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["file", "line", "reason", "raw"]
    assert [(r[0], int(r[1]), r[3]) for r in rows[1:]] == [
        ("shop-log.csv", 4, LOG_LINES[3]),
        ("shop-log.csv", 6, LOG_LINES[5]),
    ]
    assert "“yesterday”" in rows[2][2]


def test_export_from_a_missing_project(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "nothing.intentlens"
    code, _, err = _run(capsys, "export", missing, "rejected", "--out", tmp_path / "r.csv")
    assert code == 2
    _assert_one_sentence_error(err, "nothing.intentlens")
    assert not missing.exists()


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    project = tmp_path / "p.intentlens"
    code, out, err = _run(capsys, "import", project, tmp_path / "no-such-log.csv")
    assert code == 2
    assert out == ""
    _assert_one_sentence_error(err, "no-such-log.csv", "does not exist")
    assert not project.exists()  # nothing was created for a file that is not there


def test_unknown_format(capsys: pytest.CaptureFixture[str], tmp_path: Path, log: Path) -> None:
    code, out, err = _run(capsys, "import", tmp_path / "p.intentlens", log, "--format", "sap")
    assert code == 2
    assert out == ""
    _assert_one_sentence_error(err, "“sap”", "taobao")


def test_demo_creates_the_requested_customers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    project = tmp_path / "demo.intentlens"
    code, out, err = _run(capsys, "demo", project, "--customers", "25", "--seed", "3")
    assert code == 0, err
    assert "25 customers" in out
    prj = open_project(project, create=False)
    try:
        totals = overview(prj)
        assert totals.customers == 25
        assert totals.events > 25 and totals.events_by_type.get("purchase", 0) > 0
        assert prj.get_meta("demo_customers") == "25"
    finally:
        prj.close()
    code, _, err = _run(capsys, "demo", project, "--customers", "25")
    assert code == 2
    _assert_one_sentence_error(err, "already holds data")


def test_real_process_exit_code_and_stderr(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(AMBIGUOUS)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / "main.py"),
            "import",
            str(tmp_path / "p.intentlens"),
            str(path),
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    _assert_one_sentence_error(done.stderr, "--map time=COLUMN", "“start”", "“end”")
