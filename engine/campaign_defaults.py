"""The money a campaign plan assumes unless told (``engine.campaign`` re-exports them).

A module of its own, without pandas, so the command line's help can state the defaults
without importing what a campaign computes with.
"""

from __future__ import annotations

#: The gross margin a plan assumes unless told (percent of the order value): a common
#: figure for a retail shop's goods.
DEFAULT_MARGIN_PCT = 30.0
#: What one contact costs unless told (in the shop's money): a text message or a small share
#: of a coupon; an e-mail costs less, a printed mailing more.
DEFAULT_COST_PER_CONTACT = 0.5
