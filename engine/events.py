"""The canonical event contract every import ends in, and the frame the models read.

Every source format is turned into rows with these fields (GUIDE.md section 2). The models
read events back from a project as an *event frame*: a pandas DataFrame with the columns of
``FRAME_COLUMNS``, sorted by ``customer_id`` then ``time_ms``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

#: Canonical event types, in the order they are shown to users.
EVENT_TYPES: Final[tuple[str, ...]] = (
    "view",
    "search",
    "click",
    "cart",
    "remove_cart",
    "favorite",
    "purchase",
    "refund",
    "like",
    "comment",
    "share",
    "other",
)

#: What each event type is called on screen (the internal names never reach a user).
EVENT_NAMES: Final[dict[str, str]] = {
    "view": "viewed",
    "search": "searched",
    "click": "clicked",
    "cart": "added to cart",
    "remove_cart": "removed from cart",
    "favorite": "favorited",
    "purchase": "bought",
    "refund": "refunded",
    "like": "liked",
    "comment": "commented",
    "share": "shared",
    "other": "other",
}


def event_name(kind: str) -> str:
    """An event type in the user's words ("removed from cart"), translated."""
    from engine.words import tr

    return tr(EVENT_NAMES.get(kind, kind.replace("_", " ")))


def counts_in_words(counts: dict[str, int], labels: Callable[[str], str] = event_name,
                    *, bracketed: bool = False) -> str:
    """Counts by kind as the user reads them, largest first: "viewed 152,994, bought 8,287"
    (``labels`` words a kind; event types by default). Internal names never show. With
    ``bracketed`` the count follows in brackets, for labels a number could be read as part of:
    "no customer id (135,080)", not "no customer id 135,080"."""
    from engine.words import tr

    ordered = sorted(counts.items(), key=lambda kv: -kv[1])
    pattern = tr("{0} ({1:,})") if bracketed else tr("{0} {1:,}")
    return tr(", ").join(pattern.format(labels(kind), int(n)) for kind, n in ordered if n)


#: Fields of the data contract, also the names used by ``--map FIELD=COLUMN``.
FIELDS: Final[tuple[str, ...]] = (
    "customer",
    "time",
    "event",
    "item",
    "category",
    "name",
    "price",
    "quantity",
    "amount",
    "session",
    "query",
    # Order exports: what the order's status says, how much of it was refunded, when it was
    # cancelled. They decide the event of each order line (purchase, refund or other).
    "status",
    "refund_amount",
    "cancelled_at",
)

#: Columns of an event frame (what ``storage`` hands to the models).
#: customer_id int64, time_ms int64 (UTC epoch milliseconds), event str (one of EVENT_TYPES),
#: item / category / session / query: str or None, price / quantity / amount: float64 (NaN if
#: unknown). ``amount`` is the revenue of the row: refunds are negative.
FRAME_COLUMNS: Final[tuple[str, ...]] = (
    "customer_id",
    "time_ms",
    "event",
    "item",
    "category",
    "price",
    "quantity",
    "amount",
    "session",
    "query",
)

MS_PER_DAY: Final[int] = 86_400_000
