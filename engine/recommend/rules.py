"""The shop's rules, applied after ranking: what not to recommend again, items never to
recommend, and the categories to recommend from.

"Learned per category" leaves out what a customer already bought where people rarely buy the
same item twice (durables: a sofa) and keeps it where they often do (consumables: coffee). The
repeat-purchase rate of a category is the share of (customer, item) purchases that the same
customer bought again in a later order; categories with too few purchases use the rate of all.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from engine.recommend.data import PURCHASE, Interactions
from engine.tasks.base import NoData
from engine.words import tr

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

#: Below this repeat-purchase rate a category counts as durable: bought items are left out.
REPEAT_KEEP: Final[float] = 0.10
#: A category needs this many bought (customer, item) pairs for a rate of its own.
MIN_PAIRS: Final[int] = 20
#: How many categories a run's metrics list by name (the rule covers all of them).
LISTED: Final[int] = 30


@dataclass(frozen=True)
class Rules:
    """The rules as resolved on the data: which items may be shown and which bought items are
    left out, with the notes that say what was not understood."""

    allowed: B | None  # per item; None: every item
    ban_bought: B | None  # per item: leave it out for customers who bought it; None: never
    rates: list[dict[str, Any]] = field(default_factory=list)  # the learned rule, per category
    overall_rate: float = float("nan")
    notes: list[str] = field(default_factory=list)
    excluded_items: int = 0
    only_categories: list[str] = field(default_factory=list)

    def as_dict(self, mode: str) -> dict[str, Any]:
        """The rules in the form a run's metrics keep."""
        return {
            "exclude_bought": mode,
            "repeat_keep": REPEAT_KEEP,
            "overall_repeat_rate": _nan_none(self.overall_rate),
            "categories": self.rates,
            "excluded_items": self.excluded_items,
            "only_categories": self.only_categories,
            "notes": self.notes,
        }


def _nan_none(x: float) -> float | None:
    return None if x != x else float(x)


def split_list(text: str, *, spaces: bool) -> list[str]:
    """Entries of a list typed by a person: separated by commas, semicolons or new lines (and
    spaces when ``spaces``), stripped, empty ones left out, duplicates kept once."""
    pattern = r"[,;\n\r\t ]+" if spaces else r"[,;\n\r\t]+"
    seen: dict[str, None] = {}
    for part in re.split(pattern, text):
        word = part.strip().strip('"').strip()
        if word:
            seen.setdefault(word, None)
    return list(seen)


def item_list(text: str) -> list[str]:
    """The item ids of ``exclude_items``: the ids themselves, or the first column of a file
    named by the whole text."""
    name = text.strip()
    path = Path(name).expanduser() if name and "\n" not in name else None
    if path is not None and not path.is_file() and _looks_like_a_file(name):
        raise NoData(tr("The file “{0}” does not exist: give the item ids themselves, or a "
                        "text or CSV file that lists them.").format(name))
    if path is not None and path.is_file():
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = [r[0].strip() for r in csv.reader(fh) if r and r[0].strip()]
        return list(dict.fromkeys(rows))
    return split_list(text, spaces=True)


def _looks_like_a_file(text: str) -> bool:
    """A single entry naming a file (a folder in it, or a list file's extension), not an id."""
    return (" " not in text and "," not in text
            and ("/" in text or "\\" in text
                 or text.lower().endswith((".csv", ".txt", ".tsv", ".xlsx"))))


def repeat_rates(data: Interactions) -> tuple[npt.NDArray[np.float64], I64, float]:
    """Per category: the repeat-purchase rate and the bought pairs it rests on; and the rate
    of all purchases."""
    buy = (data.kind == PURCHASE) & (data.basket >= 0)
    n_cat = len(data.categories)
    if not buy.any():
        return np.full(n_cat, np.nan), np.zeros(n_cat, np.int64), float("nan")
    n = data.n_items
    pair = data.customer[buy].astype(np.int64) * n + data.item[buy]
    both = np.unique(np.stack([pair, data.basket[buy]]), axis=1)
    pairs, orders = np.unique(both[0], return_counts=True)
    again = orders > 1
    cat = data.item_category[pairs % n]
    known = cat >= 0
    total = np.bincount(cat[known], minlength=n_cat).astype(np.int64)
    repeated = np.bincount(cat[known], again[known], minlength=n_cat)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = repeated / total
    return rate, total, float(again.mean())


def resolve(data: Interactions, mode: str, exclude_items: str, only_categories: str) -> Rules:
    """The rules of a config on these interactions (the data up to the as-of date)."""
    notes: list[str] = []
    allowed: B | None = None
    keys = {str(k): i for i, k in enumerate(data.item_keys)}
    wanted_out = item_list(exclude_items) if exclude_items.strip() else []
    excluded = 0
    if wanted_out:
        found = [keys[k] for k in wanted_out if k in keys]
        unknown = [k for k in wanted_out if k not in keys]
        # A file with a header row: its first line is a column name, not an item.
        if unknown and unknown[0] == wanted_out[0] and Path(exclude_items.strip()).is_file():
            unknown = unknown[1:]
        allowed = np.ones(data.n_items, dtype=bool)
        allowed[found] = False
        excluded = len(found)
        if unknown:
            notes.append(_unknown(tr("item"), tr("items"), unknown))
    only = split_list(only_categories, spaces=False) if only_categories.strip() else []
    chosen: list[str] = []
    if only:
        names = {c.casefold(): i for i, c in enumerate(data.categories)}
        picked = [names[c.casefold()] for c in only if c.casefold() in names]
        unknown = [c for c in only if c.casefold() not in names]
        if unknown:
            # A category to recommend from is a deliberate choice: a typo must not quietly
            # widen (or empty) every customer's list.
            shown = ", ".join(data.categories[:20]) + (" …" if len(data.categories) > 20 else "")
            raise NoData((tr("There is no category {0} in the data: the categories are {1}.")
                          if len(unknown) == 1 else
                          tr("There are no categories {0} in the data: the categories are {1}.")
                          ).format(", ".join(f"“{c}”" for c in unknown), shown or tr("(none)")))
        in_cats = np.isin(data.item_category, picked)
        allowed = in_cats if allowed is None else allowed & in_cats
        chosen = [data.categories[i] for i in picked]
    rates, totals, overall = repeat_rates(data)
    listed = _listed(data, rates, totals, overall)
    ban: B | None = None
    if mode == "always":
        ban = np.ones(data.n_items, dtype=bool)
    elif mode == "learned":
        ban = _learned_ban(data, rates, totals, overall)
    return Rules(allowed, ban, listed, overall, notes, excluded, chosen)


def _learned_ban(data: Interactions, rates: npt.NDArray[np.float64], totals: I64,
                 overall: float) -> B | None:
    """Per item: leave bought items out where the category's repeat rate is low."""
    if overall != overall:  # nobody bought anything: nothing to leave out
        return None
    own = np.where(totals >= MIN_PAIRS, rates, overall)
    durable_cat = own < REPEAT_KEEP
    durable = np.where(data.item_category >= 0,
                       durable_cat[np.maximum(data.item_category, 0)] if len(own) else False,
                       overall < REPEAT_KEEP)
    return np.asarray(durable, dtype=bool)


def _listed(data: Interactions, rates: npt.NDArray[np.float64], totals: I64,
            overall: float) -> list[dict[str, Any]]:
    """The categories with the most purchases, their rate and what the learned rule does."""
    order = np.argsort(-totals, kind="stable")[:LISTED]
    out = []
    for c in order.tolist():
        if totals[c] == 0:
            continue
        own = totals[c] >= MIN_PAIRS
        rate = float(rates[c]) if own else overall
        out.append({"category": data.categories[c], "repeat_rate": round(rate, 4),
                    "pairs": int(totals[c]), "own_rate": bool(own),
                    "leave_out_bought": bool(rate < REPEAT_KEEP)})
    return out


def _unknown(one: str, many: str, names: list[str]) -> str:
    shown = ", ".join(names[:5]) + (tr(" and {0} more").format(len(names) - 5)
                                    if len(names) > 5 else "")
    if len(names) == 1:
        return tr("The {0} “{1}” is not in the data, so it was left out of the rules.").format(
            one, shown)
    return tr("{0} {1} are not in the data, so they were left out of the rules: {2}.").format(
        len(names), many, shown)


def describe_rules(rules: dict[str, Any]) -> list[str]:
    """The rules of a run in sentences (what the run page and the CLI show)."""
    lines = []
    mode = rules.get("exclude_bought")
    cats = [c for c in rules.get("categories", []) if isinstance(c, dict)]
    if mode == "always":
        lines.append(tr("Items a customer bought are never recommended to them again."))
    elif mode == "never":
        lines.append(tr("Items a customer bought may be recommended to them again."))
    elif mode == "learned":
        out = [f"{c['category']} ({float(c['repeat_rate']):.0%})" for c in cats
               if c.get("leave_out_bought")]
        kept = [f"{c['category']} ({float(c['repeat_rate']):.0%})" for c in cats
                if not c.get("leave_out_bought")]
        overall = rules.get("overall_repeat_rate")
        if overall is not None:
            lines.append(tr("Customers buy the same item again in {0:.0%} of purchases; below "
                            "{1:.0%} in a category, what they bought there is left out.")
                         .format(float(overall), float(rules.get("repeat_keep", REPEAT_KEEP))))
        if out:
            lines.append(tr("Left out once bought: {0}.").format(", ".join(map(str, out[:8]))))
        if kept:
            lines.append(tr("Recommended again: {0}.").format(", ".join(map(str, kept[:8]))))
    if rules.get("excluded_items"):
        lines.append(tr("{0:,} items are never recommended.").format(int(rules["excluded_items"])))
    if rules.get("only_categories"):
        lines.append(tr("Only from: {0}.").format(", ".join(map(str, rules["only_categories"]))))
    lines.extend(str(n) for n in rules.get("notes", []))
    return lines
