"""What the kept rows of a chunk store: customers and items as keys and codes (customer ids
pseudonymized when asked, also where a session holds them), the columns of the INSERT, and
warnings about ids a spreadsheet damaged.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from engine.ingest.formats import Mapping
from engine.ingest.prepared import PreparedChunk
from engine.privacy import mask_text, pseudonymize

_SCIENTIFIC = r"\d(?:[.,]\d+)?[eE]\+?\d+"


def _obj_floats(a: npt.NDArray[np.float64]) -> list[Any]:
    out = a.astype(object)
    out[np.isnan(a)] = None
    return list(out.tolist())


def _first_rows(codes: npt.NDArray[np.intp], k: int) -> npt.NDArray[np.intp]:
    """The row where each of the ``k`` codes first appears (code -1: no value). Codes given
    in order of first appearance (``pd.factorize``) make it one pass: a row holds a code's
    first appearance when its code is above every code before it."""
    before = np.maximum.accumulate(np.concatenate([[-1], codes[:-1]]))
    first = np.flatnonzero(codes > before)
    if len(first) == k and (codes[first] == np.arange(k)).all():
        return first
    shown = codes >= 0  # codes in another order: group them
    return np.asarray(
        pd.Series(np.arange(len(codes)))[shown].groupby(codes[shown]).first().to_numpy()
    )


def fill_keys_and_columns(
    p: PreparedChunk,
    mapping: Mapping,
    key: bytes,
    n: int,
    *,
    customers: pd.Series,
    times: npt.NDArray[np.int64],
    ev: npt.NDArray[Any],
    item: pd.Series | None,
    price: npt.NDArray[np.float64],
    quantity: npt.NDArray[np.float64],
    amount: npt.NDArray[np.float64],
    raw_event_vals: pd.Series,
    session: pd.Series | None,
    category: pd.Series | None,
    name: pd.Series | None,
    query: pd.Series | None,
) -> None:
    """Fill ``p`` with the keys, codes and INSERT columns of the ``n`` kept rows and of the refund
    events added after them; with a pseudonym ``key``, customer ids, e-mail addresses and phone
    numbers are replaced first."""
    n_events = len(ev)

    cust_codes, cust_uniques = pd.factorize(customers)
    cust_keys = [str(k) for k in np.asarray(cust_uniques, dtype=object).tolist()]
    if key:
        originals = cust_keys
        cust_keys = pseudonymize(cust_keys, key)
        if session is not None and mapping.columns.get("session") == mapping.columns["customer"]:
            # The session column is the customer column (OTTO, YooChoose): it must not keep
            # the original id next to its pseudonym.
            session = pd.Series(np.asarray(cust_keys, dtype=object)[cust_codes], dtype="object")
        elif session is not None:
            session = _without_ids(session, originals, cust_keys, cust_codes)
        # E-mail addresses and phone numbers in free text are masked too.
        session = None if session is None else mask_text(session, phones=False)
        category = None if category is None else mask_text(category, phones=False)
        name = None if name is None else mask_text(name)
        query = None if query is None else mask_text(query)
        raw_event_vals = mask_text(raw_event_vals)
    p.n = n
    p.n_events = n_events
    p.cust_keys, p.cust_codes = cust_keys, np.asarray(cust_codes)
    p.times, p.events = times, ev
    if item is not None:
        codes, uniques = pd.factorize(item)
        if len(uniques):
            pos = _first_rows(np.asarray(codes), len(uniques))

            def first_of(s: pd.Series | None) -> list[Any]:
                if s is None:
                    return [None] * len(pos)
                return list(s.iloc[pos].to_numpy(dtype=object, na_value=None).tolist())

            p.item_keys = [str(u) for u in np.asarray(uniques, dtype=object).tolist()]
            p.item_codes = np.asarray(codes)
            p.item_first = (first_of(category), first_of(name), _obj_floats(price[pos]))

    # Only columns with at least one value go into the INSERT: binding NULLs costs as much as
    # binding values (measured: 6 bound columns insert 2.7x faster than 12 with 6 NULL).
    # Columns stay numpy arrays: the writer binds them and adds them up without a list per column.
    columns = p.columns
    columns["time_ms"] = times
    columns["event"] = ev

    def put_text(name_: str, s: pd.Series | None) -> None:
        if s is None:
            return
        # One Python string per distinct value, not one per row ("view" a million times).
        codes, uniques = pd.factorize(s)
        if len(uniques):
            shared = np.empty(len(uniques) + 1, dtype=object)  # the last one: None, code -1
            shared[:-1] = np.asarray(uniques, dtype=object)
            columns[name_] = shared[codes]

    def put_float(name_: str, a: npt.NDArray[np.float64]) -> None:
        if not np.isnan(a).all():
            out = a.astype(object)
            out[np.isnan(a)] = None
            columns[name_] = out

    put_text("raw_event", raw_event_vals)
    put_text("category", category)
    put_float("price", price)
    put_float("quantity", quantity)
    put_float("amount", amount)
    put_text("session", session)
    put_text("query", query)
    p.revenue = float(np.nansum(amount))


def _without_ids(
    session: pd.Series, originals: list[str], pseudonyms: list[str], codes: npt.NDArray[np.intp]
) -> pd.Series:
    """Session values that contain the customer's id ("U123-s5") with the pseudonym instead."""
    cust = np.asarray(originals, dtype=object)[codes]
    pseud = np.asarray(pseudonyms, dtype=object)[codes]
    values = session.to_numpy(dtype=object, na_value=None)
    out = [
        v.replace(c, ps) if v is not None and c and c in v else v
        for v, c, ps in zip(values.tolist(), cust.tolist(), pseud.tolist(), strict=True)
    ]
    return pd.Series(out, dtype="object")


def check_ids(p: PreparedChunk, keys: pd.Series, column: str) -> None:
    """Ids a spreadsheet damaged: rounded to scientific notation, or stripped of zeros."""
    arr = pa.array(keys.astype("string[pyarrow]").array).cast(pa.string())
    if pc.any(pc.match_substring(arr, "E+")).as_py() or pc.any(
        pc.match_substring(arr, "e+")
    ).as_py():
        sci = pc.match_substring_regex(arr, f"^{_SCIENTIFIC}$").to_numpy(zero_copy_only=False)
        sci = np.asarray(np.nan_to_num(sci.astype(float)), dtype=bool)
        if sci.any():
            p.warn[("rounded_ids", column)] += int(sci.sum())
            p.warn_example.setdefault(("rounded_ids", column), str(keys[sci].iloc[0]))
    digits = pc.fill_null(pc.utf8_is_digit(arr), False)
    if not pc.any(digits).as_py():
        return
    d = arr.filter(digits)
    lengths = pc.utf8_length(d).to_numpy(zero_copy_only=False).astype(np.int64)
    zero = pc.starts_with(d, "0").to_numpy(zero_copy_only=False).astype(bool)
    for z in (False, True):
        counts = np.bincount(lengths[zero == z])
        for length in np.flatnonzero(counts):
            p.id_digits[(int(length), z)] += int(counts[length])
