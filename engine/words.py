"""One translation hook for the sentences the engine writes.

The engine speaks English. A client that shows another language installs a translator once
(the GUI passes Qt's); every user-visible sentence the engine builds from words goes through
:func:`tr`, so the CLI and the GUI say the same words and they are translated in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

_translate: Callable[[str], str] = lambda text: text  # noqa: E731 - English by default


def set_translator(translate: Callable[[str], str]) -> None:
    """Use ``translate(english) -> text`` for every engine sentence from now on."""
    global _translate
    _translate = translate


def tr(text: str) -> str:
    """The user's words for an English engine sentence (a ``str.format`` pattern)."""
    return _translate(text)


def locale_language(environ: Mapping[str, str]) -> str:
    """The language the user's locale asks for, as ``ll_CC`` ("zh_CN", "en_US"), or "" when it
    says none: ``LANGUAGE``'s first entry, else ``LC_ALL``, ``LC_MESSAGES``, ``LANG``, as
    gettext reads them ("C" and "POSIX" are no language)."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = (environ.get(name) or "").split(":")[0].split(".")[0].split("@")[0].strip()
        if value and value not in ("C", "POSIX"):
            return value.replace("-", "_")
    return ""
