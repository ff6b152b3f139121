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


#: Full stops and closing marks after which a sentence in Chinese (or Japanese) goes on without
#: a space: "第一句。第二句。", not "第一句。 第二句。".
_WIDE_ENDS = frozenset("。！？；：，、）」』】〉》…")


def join_sentences(*sentences: str | None) -> str:
    """Sentences as one text: a space after an English full stop, none after a Chinese one.

    Empty parts (and None) are left out, so optional sentences can be passed as they are. Every
    place that joins translated sentences uses this, so a Chinese text never reads "。 下一句".
    """
    out = ""
    for sentence in sentences:
        text = (sentence or "").strip()
        if not text:
            continue
        if out and not (out[-1] in _WIDE_ENDS or _is_wide(out[-1]) and _is_wide(text[0])):
            out += " "
        out += text
    return out


def _is_wide(char: str) -> bool:
    """A CJK ideograph or full-width sign: Chinese text, which puts no spaces between words."""
    return "\u2e80" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or "\uff00" <= char <= "\uffef"


def one_or_many(n: object, one: str, many: str) -> str:
    """The pattern that agrees with the number ``n``: ``one`` ("{0:,} line") for exactly 1,
    else ``many`` ("{0:,} lines"). Both are already translated (Chinese says the same for
    both)."""
    return one if n == 1 else many


def counted(n: object, one: str, many: str) -> str:
    """``n`` with its noun in agreement: ``counted(1, tr("{0:,} line"), tr("{0:,} lines"))`` is
    "1 line", for 2 "2 lines"."""
    return one_or_many(n, one, many).format(n)


def field_word(field: str) -> str:
    """A field of the data contract (``engine.events.FIELDS``, the ``--map FIELD=COLUMN``
    names) as a sentence names it, translated: "customer" reads 客户 in Chinese. Only the
    literal ``--map customer=COLUMN`` keeps the English name."""
    words = {
        "customer": tr("customer"),
        "time": tr("time"),
        "event": tr("event"),
        "item": tr("item"),
        "category": tr("category"),
        "name": tr("item name"),
        "price": tr("unit price"),
        "quantity": tr("quantity"),
        "amount": tr("amount"),
        "session": tr("session"),
        "query": tr("search words"),
        "status": tr("order status"),
        "refund_amount": tr("refunded amount"),
        "cancelled_at": tr("cancelled at"),
    }
    return words.get(field, field.replace("_", " "))


def field_list_name(field: str) -> str:
    """The list of the import wizard that chooses a field's column, as the wizard labels it
    ("Customer", "Event type"), translated."""
    names = {
        "customer": tr("Customer"),
        "time": tr("Time"),
        "event": tr("Event type"),
        "item": tr("Item"),
        "category": tr("Category"),
        "name": tr("Item name"),
        "price": tr("Unit price"),
        "quantity": tr("Quantity"),
        "amount": tr("Amount (line total)"),
        "session": tr("Session / order"),
        "query": tr("Search words"),
        "status": tr("Order status"),
        "refund_amount": tr("Refunded amount"),
        "cancelled_at": tr("Cancelled at"),
    }
    return names.get(field, field.replace("_", " ").capitalize())


def text_width(text: str) -> int:
    """How many terminal columns ``text`` takes: a Chinese character takes two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def padded(text: str, width: int, *, right: bool = False) -> str:
    """``text`` filled with spaces to ``width`` terminal columns (aligned right with
    ``right``), cut to fit when longer, so a table lines up in Chinese as in English."""
    while text_width(text) > width:
        text = text[:-1]
    fill = " " * (width - text_width(text))
    return fill + text if right else text + fill
