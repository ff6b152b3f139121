"""Order exports: one row per order line, with the order's own columns on its lines.

Shops write an order's own values (customer, e-mail, date, status, totals) either on the first
line of the order only (Shopify) or repeated on every line (TikTok Shop, Taobao). ``order_shape``
finds out which from the preview rows; ``OrderFiller`` carries the first line's values down to
the order's other lines while the file is streamed, chunk after chunk, and marks each order's
first line (an order total or a refunded amount is counted once per order, on that line).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd


@dataclass(frozen=True)
class OrderShape:
    """How order-level values are laid out in an order export."""

    filldown: tuple[int, ...]  # columns filled on an order's first line only
    order_level: frozenset[int]  # columns holding one value per order (blank or repeated)
    multi_line_orders: int  # orders with several lines in the preview


def order_shape(rows: list[list[str]], order_col: int, ncols: int) -> OrderShape:
    """Which columns are order-level, from consecutive lines that share an order id."""
    groups: list[list[list[str]]] = []
    last = None
    for row in rows:
        if len(row) != ncols:
            continue
        oid = row[order_col].strip()
        if oid and oid == last:
            groups[-1].append(row)
        elif oid:
            groups.append([row])
        last = oid or None
    multi = [g for g in groups if len(g) > 1]
    if not multi:
        return OrderShape((), frozenset(), 0)
    filldown: list[int] = []
    level: set[int] = set()
    for c in range(ncols):
        if c == order_col:
            continue
        firsts = [g[0][c].strip() for g in multi]
        rest = [r[c].strip() for g in multi for r in g[1:]]
        filled_first = sum(bool(v) for v in firsts)
        if filled_first == 0:
            continue
        if all(not v for v in rest) and filled_first >= 0.5 * len(multi):
            filldown.append(c)
            level.add(c)
        elif all(all(r[c].strip() == g[0][c].strip() for r in g[1:]) for g in multi):
            # Repeated on every line of the order; a value that differs between the lines
            # of some order in the whole preview is a line value.
            varies = any(len({r[c].strip() for r in g}) > 1 for g in groups)
            if not varies:
                level.add(c)
    return OrderShape(tuple(filldown), frozenset(level), len(multi))


@dataclass
class OrderFiller:
    """Carries order-level values down an order's lines, across chunk boundaries."""

    filldown: tuple[int, ...]
    last_order: str | None = None
    last_values: dict[int, object] = field(default_factory=dict)

    def first_lines(self, orders: pd.Series) -> npt.NDArray[np.bool_]:
        """True on each order's first line (a line without an order id is its own order)."""
        prev = orders.shift(1)
        if len(orders):
            prev.iloc[0] = self.last_order
        same = orders.notna() & prev.notna() & (orders == prev.fillna(""))
        return ~np.asarray(same.fillna(False).to_numpy(dtype=bool))

    def fill(
        self, orders: pd.Series, columns: dict[int, pd.Series]
    ) -> tuple[npt.NDArray[np.bool_], dict[int, pd.Series]]:
        """Each order's first lines, and the columns with an order's blank later lines filled
        from its first line.

        ``orders`` holds the order id of each line (NA when blank); each column holds text
        with NA for a blank cell. Call once per chunk, in file order.
        """
        first = self.first_lines(orders)
        if not len(orders):
            return first, columns
        group = pd.Series(np.cumsum(first), index=orders.index)
        out = dict(columns)
        for c in self.filldown:
            values = columns.get(c)
            if values is None:
                continue
            filled = values.groupby(group.to_numpy()).ffill()
            if not first[0] and c in self.last_values:
                # The chunk starts in the middle of the previous chunk's last order.
                head = (group == group.iloc[0]).to_numpy()
                filled = filled.where(~(head & filled.isna().to_numpy()), self.last_values[c])
            out[c] = filled
        # Remember the last order for the next chunk.
        tail = orders.iloc[-1]
        self.last_order = None if pd.isna(tail) else str(tail)
        for c in self.filldown:
            if c in out:
                v = out[c].iloc[-1]
                if pd.isna(v):
                    self.last_values.pop(c, None)
                else:
                    self.last_values[c] = v
        return first, out
