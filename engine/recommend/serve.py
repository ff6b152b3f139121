"""Serving: the chosen method ranks every customer with history, in batches of bounded memory,
with the shop's rules applied, and the lists become a run's outputs.

A run's outputs (``run_outputs``) per recommendation: ``rec_rank`` (1 = best), ``rec_score`` and
``rec_why`` (the reason's code, count and days packed in one number, ``reasons.pack``), on rows
of the recommended item; and, where a reason quotes one of the customer's items, a
``rec_why_item`` row of that item whose value is the rank of the recommendation it explains.
The event frame names items by key, so the frame made here does too (an ``item`` column);
saving the run turns the keys into ``item_id``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from engine.recommend import reasons as why
from engine.recommend.methods import Cut, explain, rank
from engine.recommend.ranking import Masks
from engine.recommend.rules import Rules

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

#: Customers ranked per batch: a batch's candidates and the neural model's scores (512 rows x
#: items at a time) stay within a few hundred MB even with 50,000 items.
BATCH: Final[int] = 2000
OUTPUT_NAMES: Final[tuple[str, ...]] = ("rec_rank", "rec_score", "rec_why", "rec_why_item")


@dataclass(frozen=True)
class Served:
    """Every customer's recommendations as flat arrays (one entry per recommendation)."""

    customer: I64
    rank: I64
    item: I64
    score: F64
    why: F64  # packed reason
    why_item: I64  # -1 when the reason quotes no item
    customers: int


def masks_for(cut: Cut, rules: Rules, customers: I64) -> Masks:
    """The rules as masks for a batch of customers."""
    banned = None
    if rules.ban_bought is not None:
        banned = cut.hist.bought_codes(cut.hist.rows_of(customers), rules.ban_bought)
    return Masks(rules.allowed, banned)


def serve(cut: Cut, method: str, rules: Rules, keep: int, *,
          should_stop: Callable[[], bool]) -> Iterator[tuple[int, int] | Served | None]:
    """Rank every customer with history at the cut; yields (done, total) after each batch,
    then the result (None when stopped)."""
    customers = cut.hist.customers
    total = len(customers)
    cols: dict[str, list[npt.NDArray[np.generic]]] = {k: [] for k in (
        "customer", "rank", "item", "score", "why", "why_item")}
    for lo in range(0, total, BATCH):
        if should_stop():
            yield None
            return
        batch = customers[lo:lo + BATCH]
        ranked = rank(cut, method, batch, keep, masks_for(cut, rules, batch))
        r = explain(cut, method, batch, ranked)
        ok = ranked.top >= 0
        rows, slots = np.nonzero(ok)
        cols["customer"].append(batch[rows])
        cols["rank"].append(slots + 1)
        cols["item"].append(ranked.top[ok])
        cols["score"].append(ranked.score[ok])
        cols["why"].append(why.pack(r.code[ok], r.count[ok], r.days[ok]))
        cols["why_item"].append(r.item[ok])
        yield min(lo + BATCH, total), total

    def cat(key: str, dtype: type) -> npt.NDArray[np.generic]:
        return np.concatenate(cols[key]).astype(dtype) if cols[key] else np.zeros(0, dtype)

    yield Served(
        customer=cat("customer", np.int64), rank=cat("rank", np.int64),  # type: ignore[arg-type]
        item=cat("item", np.int64), score=cat("score", np.float64),  # type: ignore[arg-type]
        why=cat("why", np.float64), why_item=cat("why_item", np.int64),  # type: ignore[arg-type]
        customers=total,
    )


def outputs(served: Served, item_keys: npt.NDArray[np.object_]) -> pd.DataFrame:
    """The long outputs frame of a run (customer_id, item, name, value): ``item`` is the item's
    key, which ``storage.run_writes.save_run`` turns into its ``item_id``."""
    n = len(served.customer)
    keys = item_keys[served.item]
    quoted = served.why_item >= 0
    frames = [
        pd.DataFrame({"customer_id": served.customer, "item": keys, "name": name,
                      "value": values})
        for name, values in (("rec_rank", served.rank.astype(np.float64)),
                             ("rec_score", served.score), ("rec_why", served.why))
    ]
    frames.append(pd.DataFrame({
        "customer_id": served.customer[quoted], "item": item_keys[served.why_item[quoted]],
        "name": "rec_why_item", "value": served.rank[quoted].astype(np.float64),
    }))
    out = pd.concat(frames, ignore_index=True) if n else pd.DataFrame(
        {"customer_id": pd.Series(dtype="int64"), "item": pd.Series(dtype="object"),
         "name": pd.Series(dtype="object"), "value": pd.Series(dtype="float64")})
    return out[["customer_id", "item", "name", "value"]]
