"""The command line speaks the locale's language (issue 10): with a Chinese locale the engine's
sentences and the command line's own go through the shipped translations; otherwise English,
without importing Qt."""

from __future__ import annotations

from collections.abc import Iterator

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
