"""Why an item is recommended: a reason code with its numbers, chosen when the run is trained and
put into words when it is shown (so the words follow the user's language).

A run stores per recommendation the code, a count, a number of days and, for the co-occurrence
reasons, the customer's item that brought it. :func:`reason_text` is the one place a reason
becomes a sentence ("bought 4 times, last 12 days ago").
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

from engine.recommend.data import CART, FAVORITE
from engine.words import tr

I64 = npt.NDArray[np.int64]

BOUGHT: Final[int] = 1  # count: purchases, days: since the last one
IN_CART: Final[int] = 2  # days: since it was added
IN_FAVORITES: Final[int] = 3  # days: since it was added
VIEWED: Final[int] = 4  # count: views, days: since the last one
BOUGHT_WITH: Final[int] = 5  # item: the customer's item, count: baskets with both
BOUGHT_AFTER: Final[int] = 6  # item: the customer's item, count: times bought after it
CHOSEN_AFTER: Final[int] = 7  # item: the customer's item, count: times it followed it
POPULAR_BUYERS: Final[int] = 8  # count: buyers, days: the window
POPULAR_CUSTOMERS: Final[int] = 9  # count: customers, days: the window
SEQUENCE: Final[int] = 10  # the neural model: customers with this history chose it
VIEWED_THIS_WEEK: Final[int] = 11  # count: views in the last 7 days

#: value = code * CODE + min(count, COUNT_MAX) * COUNT + min(days, DAYS_MAX): one exact number.
CODE: Final[int] = 10**11
COUNT: Final[int] = 10**4
COUNT_MAX: Final[int] = 10**7 - 1
DAYS_MAX: Final[int] = 9_999


def pack(code: I64, count: I64, days: I64) -> npt.NDArray[np.float64]:
    """Code, count and days of each reason as one number (exact in a float64)."""
    value = (code.astype(np.int64) * CODE + np.clip(count, 0, COUNT_MAX) * COUNT
             + np.clip(days, 0, DAYS_MAX))
    return value.astype(np.float64)


def unpack(value: float) -> tuple[int, int, int]:
    """(code, count, days) of a packed reason."""
    v = int(round(value))
    return v // CODE, (v % CODE) // COUNT, v % COUNT


def own_reason(last_kind: I64, purchases: I64, views: I64, views_week: I64, days_last: I64,
               days_bought: I64, days_viewed: I64) -> tuple[I64, I64, I64]:
    """The reason from the customer's own history with an item (code, count, days)."""
    viewed = np.where(views_week > 0, VIEWED_THIS_WEEK, VIEWED)
    code = np.where(last_kind == CART, IN_CART,
                    np.where(last_kind == FAVORITE, IN_FAVORITES,
                             np.where(purchases > 0, BOUGHT, viewed)))
    count = np.where(code == BOUGHT, purchases,
                     np.where(code == VIEWED, views,
                              np.where(code == VIEWED_THIS_WEEK, views_week, 0)))
    days = np.where(code == BOUGHT, days_bought,
                    np.where(code == VIEWED, days_viewed, days_last))
    return code.astype(np.int64), count.astype(np.int64), days.astype(np.int64)


def _times(n: int) -> str:
    if n == 1:
        return tr("once")
    if n == 2:
        return tr("twice")
    return tr("{0:,} times").format(n)


def _ago(days: int) -> str:
    if days == 0:
        return tr("less than a day ago")
    if days == 1:
        return tr("1 day ago")
    return tr("{0:,} days ago").format(days)


def _window(days: int) -> str:
    if days == 7:
        return tr("this week")
    if days == 1:
        return tr("today")
    return tr("in the last {0:,} days").format(days)


def reason_text(code: int, count: int, days: int, item: str = "") -> str:
    """A recommendation's reason as a person reads it (``item``: the name of the customer's
    item a co-occurrence reason quotes)."""
    if code == BOUGHT:
        if count == 1:
            return tr("bought once, {0}").format(_ago(days))
        return tr("bought {0}, last {1}").format(_times(count), _ago(days))
    if code == IN_CART:
        return tr("in their cart")
    if code == IN_FAVORITES:
        return tr("in their favorites")
    if code == VIEWED_THIS_WEEK:
        return tr("viewed {0} this week").format(_times(count))
    if code == VIEWED:
        return tr("viewed {0}, last {1}").format(_times(count), _ago(days))
    if code == BOUGHT_WITH and item:
        baskets = tr("1 basket") if count == 1 else tr("{0:,} baskets").format(count)
        if count <= 1:
            return tr("bought with {0} ({1})").format(item, baskets)
        return tr("often bought with {0} ({1})").format(item, baskets)
    if code == BOUGHT_AFTER and item:
        if count <= 1:
            return tr("bought after {0} ({1})").format(item, _times(count))
        return tr("often bought after {0} ({1})").format(item, _times(count))
    if code == CHOSEN_AFTER and item:
        if count <= 1:
            return tr("chosen after {0} ({1})").format(item, _times(count))
        return tr("often chosen after {0} ({1})").format(item, _times(count))
    if code == POPULAR_BUYERS:
        buyers = tr("1 buyer") if count == 1 else tr("{0:,} buyers").format(count)
        return tr("popular {0} ({1})").format(_window(days), buyers)
    if code == POPULAR_CUSTOMERS:
        people = tr("1 customer") if count == 1 else tr("{0:,} customers").format(count)
        return tr("popular {0} ({1})").format(_window(days), people)
    if code == SEQUENCE:
        return tr("customers with a similar history chose it")
    return tr("recommended by the model")
