"""The command line speaks the locale's language (issue 10): with a Chinese locale the engine's
sentences and the command line's own go through the shipped translations; otherwise English,
without importing Qt."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli import use_locale_language
from engine.words import locale_language, set_translator, tr

#: An engine sentence the shipped translation already holds.
TRANSLATED = "No customer matches these filters: loosen them to get a list."


@pytest.fixture(autouse=True)
def english_afterwards() -> Iterator[None]:
    yield
    set_translator(lambda text: text)


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh_CN"),
        ({"LANGUAGE": "zh_CN:en_US", "LANG": "en_US.UTF-8"}, "zh_CN"),
        ({"LC_ALL": "zh_CN.gb18030", "LANG": "en_US.UTF-8"}, "zh_CN"),
        ({"LC_MESSAGES": "de_DE@euro"}, "de_DE"),
        ({"LANG": "C.UTF-8"}, ""),
        ({"LC_ALL": "POSIX"}, ""),
        ({}, ""),
    ],
)
def test_the_locale_names_the_language(environ: dict[str, str], language: str) -> None:
    assert locale_language(environ) == language


def test_a_chinese_locale_translates_engine_and_command_line_sentences() -> None:
    assert use_locale_language({"LANG": "zh_CN.UTF-8"}) == "zh_CN"
    translated = tr(TRANSLATED)
    assert translated != TRANSLATED and any("\u4e00" <= c <= "\u9fff" for c in translated)
    # A sentence without a translation yet stays English rather than empty.
    assert tr("An English sentence nobody translated.") == "An English sentence nobody translated."


@pytest.mark.parametrize("environ", [{"LANG": "en_US.UTF-8"}, {"LANG": "C"}, {}])
def test_other_locales_stay_english(environ: dict[str, str]) -> None:
    assert use_locale_language(environ) == ""
    assert tr(TRANSLATED) == TRANSLATED


REPO_ROOT = Path(__file__).resolve().parents[2]
TS = REPO_ROOT / "resources" / "translations" / "intentlens_zh_CN.ts"


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def _cli_in_chinese(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python main.py ARGS`` in a real process under a Chinese locale."""
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES")}
    env.update(LANGUAGE="zh_CN", LANG="zh_CN.UTF-8", PYTHONIOENCODING="utf-8",
               PYTHONPATH=str(REPO_ROOT), QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, str(REPO_ROOT / "main.py"), *args],
                          capture_output=True, text=True, encoding="utf-8", env=env, cwd=cwd,
                          timeout=180)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from engine.demo_project import create_demo_project

    path = tmp_path_factory.mktemp("zh") / "demo.intentlens"
    create_demo_project(path, customers=40, seed=2)
    return path


def test_a_refused_lookup_speaks_chinese(demo: Path) -> None:
    done = _cli_in_chinese(demo.parent, "lookup", str(demo), "nobody-4711")
    assert done.returncode == 2 and done.stdout == ""
    # "Error: {0}" and the engine's "There is no customer “{0}” in this project." are translated.
    assert done.stderr.startswith("错误：") and "没有客户“nobody-4711”" in done.stderr


def test_a_refused_export_speaks_chinese(demo: Path) -> None:
    done = _cli_in_chinese(demo.parent, "export", str(demo), "nothing", "--out", "x.csv")
    assert done.returncode == 2 and done.stderr.startswith("错误：")
    assert not (demo.parent / "x.csv").exists()


def _translated_in_ts(source: str) -> bool:
    for message in ET.parse(TS).getroot().iter("message"):
        if message.findtext("source") == source:
            found = message.find("translation")
            return found is not None and bool(found.text) and found.get("type") is None
    return False


@pytest.mark.parametrize(
    ("source", "args", "word"),
    [
        ("The project has no customer “{0}”.", ("forget", "{demo}", "nobody-4711"), "没有客户"),
        ("{0} {1}: use a whole number from {2:,} to {3:,}.",
         ("demo", "{new}", "--customers", "5"), "整数"),
    ],
)
def test_the_command_lines_own_sentences_speak_chinese(
    demo: Path, source: str, args: tuple[str, ...], word: str
) -> None:
    """cli.py's own sentences (issue 10): a real check once update.py has put them in the .ts
    and compiled the .qm."""
    if not _translated_in_ts(source):
        pytest.skip("run resources/translations/update.py")
    given = [a.format(demo=demo, new=demo.parent / "new.intentlens") for a in args]
    done = _cli_in_chinese(demo.parent, *given)
    assert done.returncode == 2 and done.stderr.startswith("错误："), done.stderr
    assert word in done.stderr and _has_chinese(done.stderr)


def test_argparse_speaks_chinese_too(tmp_path: Path) -> None:
    """argparse's own words: the usage line, its headings and a refused flag."""
    shown = _cli_in_chinese(tmp_path, "train", "intent", "--help")
    assert shown.returncode == 0
    assert shown.stdout.startswith("用法：") and "选项" in shown.stdout, shown.stdout[:200]
    assert "usage:" not in shown.stdout and "show this help message" not in shown.stdout
    refused = _cli_in_chinese(tmp_path, "train", "intent", str(tmp_path / "p.intentlens"),
                              "--no-such-flag")
    assert refused.returncode == 2 and "无法识别的参数" in refused.stderr, refused.stderr
    assert "unrecognized arguments" not in refused.stderr


def test_argparse_stays_english_elsewhere(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    done = subprocess.run([sys.executable, str(REPO_ROOT / "main.py"), "train", "intent",
                           "--help"], capture_output=True, text=True, env=env, timeout=180)
    assert done.returncode == 0 and done.stdout.startswith("usage:")
