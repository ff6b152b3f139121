"""The shop's currency: what its amounts are counted in, kept with the project.

An import sees how the amount and price columns write their numbers ("€12,50", "12.50 USD":
``engine.ingest.numbers.NumberForm.currency``); the first import that shows a currency sign
or code sets it, and the user can set or correct it at any time (the desktop's Settings).
A project whose files never wrote one has none: amounts are then shown as plain numbers,
because a guessed symbol would be a claim about the shop that nobody made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.words import tr

if TYPE_CHECKING:
    from engine.ingest.formats import Mapping
    from storage.project import Project

#: The project's meta key.
META_KEY = "currency"
#: Longer than any sign or ISO code, short enough to fit a table cell.
MAX_LENGTH = 5
#: Money columns, in the order they are asked: the line total speaks for the shop first.
MONEY_FIELDS = ("amount", "price")


def shop_currency(project: Project) -> str:
    """The project's currency sign or code ("€", "USD"), or "" when it is not known."""
    return (project.get_meta(META_KEY) or "").strip()


def set_shop_currency(project: Project, symbol: str) -> None:
    """Store the currency the project's amounts are in; "" forgets it (plain numbers).
    Raises ValueError for a text too long to be a currency sign or code."""
    symbol = symbol.strip()
    if len(symbol) > MAX_LENGTH:
        raise ValueError(tr("“{0}” is not a currency sign or code (at most {1} characters, "
                            "like € or USD).").format(symbol, MAX_LENGTH))
    if symbol:
        project.set_meta(META_KEY, symbol)
    else:
        project.delete_meta(META_KEY)


def currency_seen(mapping: Mapping) -> str:
    """The currency written in an import's amount column (else its price column), or ""."""
    for name in MONEY_FIELDS:
        column = mapping.columns.get(name)
        form = None if column is None else mapping.number_forms.get(column)
        if form is not None and form.currency:
            return form.currency
    return ""


def note_import_currency(project: Project, mapping: Mapping) -> str:
    """After an import: keep the currency its money columns showed, unless the project
    already has one (set by an earlier import or by the user, who wins). Returns the
    project's currency afterwards."""
    known = shop_currency(project)
    if known:
        return known
    seen = currency_seen(mapping)
    if seen and len(seen) <= MAX_LENGTH:
        project.set_meta(META_KEY, seen)
    return shop_currency(project)
