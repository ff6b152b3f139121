"""The canonical event contract every import ends in, and the frame the models read.

Every source format is turned into rows with these fields (GUIDE.md section 2). The models
read events back from a project as an *event frame*: a pandas DataFrame with the columns of
``FRAME_COLUMNS``, sorted by ``customer_id`` then ``time_ms``.
"""

from __future__ import annotations

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
