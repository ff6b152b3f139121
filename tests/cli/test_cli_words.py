"""What the command line says, word by word: field names in the user's language, counts that
agree with their number, a closed pipe ending quietly, argparse in Chinese from main.py, and
``--screenshots`` leaving no demo project behind."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cli import describe_inspection, describe_report
from engine.ingest import inspect_file
from engine.ingest.import_report import ImportReport
from engine.words import set_translator

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def english_afterwards() -> Iterator[None]:
    yield
    set_translator(lambda text: text)


def test_a_missing_field_is_named_in_the_users_words_and_the_flag_stays(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("x,y\n1,2\n", encoding="utf-8")
    words = {"customer": "客户", "time": "时间", "No column looks like the {0}: {1}": "找不到像是{0}的列：{1}",
             "choose one with --map {0}=COLUMN.": "请用 --map {0}=COLUMN 选择一列。",
             "choose one in the {0} list below.": "请在下方的“{0}”列表中选择。",
             "Customer": "客户", "Time": "时间"}
    set_translator(lambda text: words.get(text, text))
    problems = inspect_file(path).problems()
    assert problems[0] == "找不到像是客户的列：请用 --map customer=COLUMN 选择一列。", problems
    assert any("像是时间" in p and "--map time=COLUMN" in p for p in problems), problems
    in_wizard = inspect_file(path).problems(for_cli=False)
    assert "请在下方的“客户”列表中选择。" in in_wizard[0], in_wizard
    assert not any("像是customer" in p or "像是time" in p for p in problems + in_wizard)


def _report(n: int) -> ImportReport:
    return ImportReport(
        batch_id=1, file_name="a.csv", lines_read=n, imported=n, rejected=0,
        rejected_by_reason={}, customers=n, items=n, new_customers=n,
        events_by_type={"view": n}, first_ms=0, last_ms=0, revenue=0.0, format="csv",
        encoding="utf-8", mapping={}, seconds=0.1, pseudonymized=False, examples=[], events=n,
    )


def test_an_import_of_one_line_says_one_line_event_customer_and_item() -> None:
    said = describe_report(_report(1), "p.intentlens")
    assert "Imported 1 event from a.csv" in said
    assert "1 line read: 1 imported, 0 rejected." in said
    assert "1 customer, 1 item, " in said
    for wrong in ("1 events", "1 lines", "1 customers", "1 items"):
        assert wrong not in said, said
    many = describe_report(_report(3), "p.intentlens")
    assert "Imported 3 events" in many and "3 lines read" in many and "3 customers, 3 items" in many


def _inspection(rows: int, skipped: int, not_fitting: int) -> dict[str, Any]:
    return {"file": "a.csv", "header_line": 1 + skipped, "escape": None,
            "rows_not_fitting": not_fitting, "rows_not_fitting_lines": [3] * not_fitting,
            "mapping": {"customer": "user", "time": "ts"}, "kind": "csv", "encoding": "utf-8",
            "delimiter_name": "comma", "quote": '"', "compression": None,
            "skipped_rows": skipped, "rows": rows, "columns": ["user"], "format_title": "x",
            "time_format": None, "date_order": None, "number_forms": {}, "warnings": [],
            "problems": [], "normalized": None}


def test_an_inspection_of_one_row_agrees_in_number() -> None:
    said = describe_inspection(_inspection(1, 1, 1))
    assert "1 line above it left out" in said and "line(s)" not in said
    assert "1 row of 1 column; 1 row does not fit (lines 3)." in said, said
    said = describe_inspection(_inspection(2, 0, 0))
    assert "0 lines above it left out" in said and "2 rows of 1 column; 0 rows do not fit." in said


def test_an_inspection_names_the_fields_in_the_users_words() -> None:
    set_translator(lambda text: {"customer": "客户", "time": "时间"}.get(text, text))
    said = describe_inspection(_inspection(2, 0, 0))
    assert "客户 = user" in said and "时间 = ts" in said and "customer =" not in said


def _env(**more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    env.update(PYTHONIOENCODING="utf-8", PYTHONPATH=str(REPO_ROOT),
               QT_QPA_PLATFORM="offscreen", **more)
    return env


def test_output_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """``main.py inspect ... | head -1``: no "Broken pipe" sentence, no traceback, exit 141."""
    path = tmp_path / "a.csv"
    path.write_text("customer,time,event\n1,2024-01-01 10:00,view\n", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(REPO_ROOT / "main.py"), "inspect", *[str(path)] * 3000],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(), cwd=tmp_path,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(20)
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8")
    assert proc.wait(timeout=180) == 141
    assert err == "", err


def test_a_bad_flag_before_any_command_speaks_chinese(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(REPO_ROOT / "main.py"), "--bogus"],
                          capture_output=True, text=True, encoding="utf-8", timeout=180,
                          env=_env(LANGUAGE="zh_CN", LANG="zh_CN.UTF-8"), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("错误：") and "无法识别的参数" in done.stderr, done.stderr
    assert "unrecognized arguments" not in done.stderr


def test_every_argument_of_every_command_says_what_it_is() -> None:
    """``--help`` explains each argument: none is listed bare (as ``lookup CUSTOMER`` was)."""
    import argparse

    import cli

    bare: list[str] = []

    def walk(parser: argparse.ArgumentParser, name: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub, child in action.choices.items():
                    walk(child, f"{name} {sub}")
            elif action.help is None:
                bare.append(f"{name} {'/'.join(action.option_strings) or action.dest}")

    walk(cli.build_parser(), "main.py")
    assert bare == []
