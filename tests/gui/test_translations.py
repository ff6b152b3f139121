"""The Chinese translation is complete, keeps every placeholder, covers the engine's sentences,
and the committed ``.qm`` is compiled from the committed ``.ts`` (never stale)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale

from gui.app import load_translator

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "resources" / "translations"
TS = FOLDER / "intentlens_zh_CN.ts"
QM = FOLDER / "intentlens_zh_CN.qm"

#: str.format fields ({0}, {1:,}, {2:.0%}) and Qt's %n / %1 markers.
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%n|%L?\d")


def _messages() -> list[tuple[str, str, ET.Element]]:
    root = ET.parse(TS).getroot()
    return [(ctx.findtext("name") or "", msg.findtext("source") or "", msg.find("translation"))
            for ctx in root.iter("context") for msg in ctx.iter("message")]


def test_every_entry_is_translated() -> None:
    unfinished = [(ctx, source) for ctx, source, tr in _messages()
                  if tr.get("type") in ("unfinished", "vanished", "obsolete")
                  or not (tr.text or "").strip()]
    assert unfinished == []


def test_translations_keep_the_placeholders() -> None:
    differ = [(ctx, source, tr.text) for ctx, source, tr in _messages()
              if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(tr.text or ""))]
    assert differ == []


def test_no_entry_without_a_context() -> None:
    assert all(ctx for ctx, _, _ in _messages())


def test_engine_sentences_are_in_the_file() -> None:
    sys.path.insert(0, str(FOLDER))
    try:
        import update
    finally:
        sys.path.remove(str(FOLDER))
    have = {source for ctx, source, _ in _messages() if ctx == "engine"}
    wanted = {w for w in update.engine_words() if w.strip()}
    assert wanted - have == set()
    task_form = {source for ctx, source, _ in _messages() if ctx == "TrainPage"}
    assert {w for w in update.setting_words() if w.strip()} - task_form == set()
    for ctx, words in update.gui_table_words().items():
        inside = {source for c, source, _ in _messages() if c == ctx}
        assert set(words) - inside == set(), ctx


def test_the_committed_qm_is_compiled_from_the_committed_ts(tmp_path: Path) -> None:
    lrelease = Path(sys.executable).parent / "pyside6-lrelease"
    tool = str(lrelease) if lrelease.exists() else shutil.which("pyside6-lrelease")
    if tool is None:
        pytest.skip("pyside6-lrelease is not installed")
    fresh = tmp_path / QM.name
    subprocess.run([tool, "-silent", str(TS), "-qm", str(fresh)], check=True,
                   capture_output=True)
    assert fresh.read_bytes() == QM.read_bytes(), (
        "intentlens_zh_CN.qm is stale: run resources/translations/update.py")


def test_engine_words_reach_the_gui_in_chinese(qapp: QCoreApplication) -> None:
    from engine.events import event_name
    from engine.words import tr

    translator = load_translator(qapp, QLocale("zh_CN"))
    assert translator is not None
    try:
        assert tr("Rank {0:,} of {1:,} (as of {2}).").format(1, 300, "2024-01-01") == (
            "排名第 1 / 300（截至 2024-01-01）。")
        assert event_name("cart") == "加入购物车"
        assert QCoreApplication.translate("TrainPage", "Epochs") == "训练轮数"
    finally:
        QCoreApplication.removeTranslator(translator)
        translator.deleteLater()
