"""The engine's words (engine/words.py): sentences joined without a space after a Chinese full
stop, counts whose noun agrees with the number, field names said in words, and tables that line
up in Chinese."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.events import FIELDS
from engine.words import (
    counted,
    field_list_name,
    field_word,
    join_sentences,
    padded,
    set_translator,
    text_width,
    tr,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def english_afterwards() -> Iterator[None]:
    yield
    set_translator(lambda text: text)


def _chinese_stops(text: str) -> str:
    """A stand-in translation: every sentence ends with a Chinese full stop."""
    return text[:-1] + "。" if text.endswith(".") else text


def test_sentences_join_with_a_space_in_english_and_without_in_chinese() -> None:
    assert join_sentences("One.", "Two.") == "One. Two."
    assert join_sentences("第一句。", "第二句。") == "第一句。第二句。"
    assert join_sentences("模型更好：", "AUC 0.8。") == "模型更好：AUC 0.8。"
    assert join_sentences("One.", None, "", "  ", "Two.") == "One. Two."
    assert join_sentences() == ""
    # A Chinese sentence then an English word (a name, a figure) still needs no space.
    assert join_sentences("第一句。", "AUC 0.8.") == "第一句。AUC 0.8."


def test_the_ensemble_sentences_join_without_a_space_in_chinese() -> None:
    from engine.intent.evaluate import ensemble_words

    set_translator(_chinese_stops)
    figures = {"seeds": 3, "seed_auc_min": 0.7, "seed_auc_max": 0.72, "ensemble_gap": 0.01,
               "ensemble_gap_lo": 0.005, "ensemble_gap_hi": 0.02, "ensemble_auc": 0.73}
    said = ensemble_words(figures, "2024-01-01 to 2024-01-31")
    assert "。" in said and "。 " not in said, said
    set_translator(lambda text: text)
    assert ". The average" in ensemble_words(figures, "January")


def test_no_sentence_is_joined_with_a_bare_space() -> None:
    """Every place that adds a translated sentence to another goes through join_sentences:
    ``text + " " + tr(...)`` and ``said += " " + tr(...)`` would put "。 " in Chinese."""
    pattern = re.compile(r'["\'] ["\']\s*\+\s*(self\.)?(tr|translate)\(')
    found = []
    for path in [*sorted((ROOT / "engine").rglob("*.py")), *sorted((ROOT / "gui").rglob("*.py")),
                 ROOT / "cli.py"]:
        text = path.read_text(encoding="utf-8")
        ast.parse(text)
        found += [f"{path.relative_to(ROOT)}:{text[:m.start()].count(chr(10)) + 1}"
                  for m in pattern.finditer(text)]
    assert not found, found


@pytest.mark.parametrize(("n", "said"), [(0, "0 lines"), (1, "1 line"), (2, "2 lines"),
                                         (1234, "1,234 lines")])
def test_a_count_agrees_with_its_number(n: int, said: str) -> None:
    assert counted(n, tr("{0:,} line"), tr("{0:,} lines")) == said


def test_every_field_is_said_in_words_and_translated() -> None:
    english = {f: field_word(f) for f in FIELDS}
    assert english["customer"] == "customer" and english["refund_amount"] == "refunded amount"
    assert all("_" not in w for w in english.values())
    set_translator(lambda text: f"<{text}>")
    for fld in FIELDS:
        assert field_word(fld) == f"<{english[fld]}>", fld
        assert field_list_name(fld).startswith("<") and field_list_name(fld).endswith(">"), fld


def test_a_padded_table_cell_counts_a_chinese_character_as_two_columns() -> None:
    assert text_width("AUC") == 3 and text_width("方法") == 4
    assert padded("方法", 6) == "方法  " and padded("acc", 6, right=True) == "   acc"
    assert text_width(padded("模型：深度模型很长很长", 8)) <= 8


def test_the_intent_table_headings_are_translated_and_line_up() -> None:
    from engine.tasks.intent import INTENT
    from storage.runs import RunInfo

    m = {"auc": 0.8, "pr_auc": 0.5, "brier": 0.1, "accuracy": 0.9, "precision": 0.4,
         "recall": 0.3, "f1": 0.35, "lift_top10": 2.5}
    metrics = {"model": m, "base_rate": {**m, "auc_gap": 0.1, "auc_gap_lo": 0.05,
                                         "auc_gap_hi": 0.15}}
    run = RunInfo(1, "intent", "2024-01-01", "done", True, {},
                  {"n_valid": 10, "n_train": 20}, metrics, "Summary.", 1.0, False)
    words = {"method": "方法", "prec": "精确率", "recall": "召回率", "acc": "准确率",
             "lift10": "提升10%", "model: {0}": "模型：{0}",
             "deep minus this (95% interval)": "深度模型减去此方法（95% 区间）",
             "Base rate (everyone alike)": "基准（人人相同）"}
    set_translator(lambda text: words.get(text, text))
    lines = INTENT._text(run, metrics, "深度模型")
    head = next(line for line in lines if line.startswith("方法"))
    assert all(w in head for w in ("精确率", "召回率", "准确率", "提升10%", "深度模型减去此方法"))
    assert "prec" not in head and "method" not in head
    rows = [line for line in lines if line.startswith(("模型：", "基准"))]
    assert len(rows) == 2 and "base_rate" not in "\n".join(lines)
    # Every row ends its figures in the same terminal column as the headings.
    ends = {text_width(line.split("  +")[0].rstrip()) for line in rows}
    assert ends == {text_width(head.split("  深度")[0])}, lines
