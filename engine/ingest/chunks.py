"""One chunk of records on its way into a project: checked, parsed, normalised, written.

``prepare_chunk`` needs no database and runs on the import's second thread; ``write_chunk`` resolves
customer and item ids and stores the rows inside the import's transaction.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

from engine.ingest import reader as rd
from engine.ingest.chunkrows import prepare_rows
from engine.ingest.formats import Mapping
from engine.ingest.prepared import ChunkContext, ImportTotals, PreparedChunk
from engine.privacy import mask_line


def prepare_chunk(
    chunk: rd.Chunk, ncols: int, mapping: Mapping, key: bytes, ctx: ChunkContext | None = None
) -> PreparedChunk:
    """Everything about a chunk that needs no database: runs on the import's second thread
    while the previous chunk is written. Chunks must be prepared in file order (order exports
    carry values from one chunk to the next).

    With a pseudonym ``key``, rejected lines are kept with the customer id, e-mail addresses and
    phone numbers masked: the project never holds an original id."""
    ctx = ctx or ChunkContext(header=[])
    p = PreparedChunk(lines=len(chunk))
    pending: list[tuple[int, str]] = []  # (record index, reason) of rejected records
    prepare_rows(chunk, ncols, mapping, key, ctx, p, pending)
    customer_ci = mapping.columns.get("customer")
    for i, reason in pending:
        line, raw = chunk.line_no(i), chunk.raw(i)
        if key:
            if chunk.arrow_columns is not None:
                fields = [str(col[i].as_py()) for col in chunk.arrow_columns]
            else:
                fields = chunk.rows[i]
            ids = [f.strip() for f in fields if f.strip() in p.seen_customers]
            if customer_ci is not None and customer_ci < len(fields):
                ids.append(fields[customer_ci].strip())
            # A line that did not split into fields (broken JSON): long numbers may be ids.
            raw = mask_line(raw, ids, numbers=fields in ([], ["\x00json"]))
        p.rejected.append((line, raw, reason))
        if len(p.examples) < 20:
            p.examples.append((line, reason, raw[:300]))
    return p


def stage_chunk(p: PreparedChunk, writer: Any) -> None:
    """The ids of a prepared chunk's customers and items, and its rows staged for the writer
    (``ImportWriter.plan_customers``, ``plan_items``, ``stage``): no database, so this runs on
    the import's second thread too, in file order. Fills ``p.staged``."""
    if p.n == 0:
        return
    n = p.n_events
    ids, new_customers = writer.plan_customers(p.cust_keys)
    cust_ids = np.asarray(ids, dtype=np.int64)
    p.customer_ids = cust_ids
    # Arrays, not lists: the writer stages them and sums them up without a Python object per row.
    columns: dict[str, Any] = dict(p.columns)
    columns["customer_id"] = cust_ids[p.cust_codes]
    new_items = None
    if p.item_keys:
        cats, names, prices = p.item_first
        item_ids, new_items = writer.plan_items(p.item_keys, cats, names, prices)
        ids_ = np.asarray(item_ids, dtype=np.int64)
        codes = p.item_codes
        item_id = ids_[np.where(codes >= 0, codes, 0)]
        if (codes < 0).any():
            obj = item_id.astype(object)
            obj[codes < 0] = None
            columns["item_id"] = obj
        else:
            columns["item_id"] = item_id
        p.item_ids = ids_
    p.by_type = Counter(pd.Series(p.events).value_counts().to_dict())
    p.staged = writer.stage(customers=new_customers, items=new_items, events=columns, n=n)


def write_chunk(p: PreparedChunk, writer: Any, totals: ImportTotals) -> None:
    """The database half of a chunk (``stage_chunk`` first, unless that was done): the rows
    stored, the counts added to the import's totals."""
    totals.lines += p.lines
    totals.reasons.update(p.reasons)
    totals.examples.extend(p.examples[: max(0, 20 - len(totals.examples))])
    for word, canon in p.seen_events.items():
        totals.seen_events.setdefault(word, canon)
    writer.add_rejected(p.rejected)
    totals.rejected += len(p.rejected)
    totals.warn.update(p.warn)
    for k, v in p.warn_example.items():
        totals.warn_example.setdefault(k, v)
    totals.id_digits.update(p.id_digits)
    totals.id_column = totals.id_column or p.id_column
    if p.n == 0:
        return
    if p.staged is None:
        stage_chunk(p, writer)
    writer.store(p.staged)
    totals.items.update(p.item_ids)
    totals.imported += p.n
    totals.events += p.n_events
    totals.by_type.update(p.by_type)
    totals.customers.update(p.customer_ids)
    tmin, tmax = int(p.times.min()), int(p.times.max())
    totals.first = tmin if totals.first is None else min(totals.first, tmin)
    totals.last = tmax if totals.last is None else max(totals.last, tmax)
    totals.revenue += p.revenue
