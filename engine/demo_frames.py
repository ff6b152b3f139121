"""The demo log's format and tables: its event types, CSV columns and days, and a generated log
as a CSV-ready event table with the truth planted in it (``DemoData``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from engine.demo_shop import CATALOGUE, CATEGORIES, SEGMENT_KEYS
from engine.events import FRAME_COLUMNS

#: Event types written to the CSV (the source's own words; ``events_frame`` maps them).
CSV_EVENT_TYPES: Final[tuple[str, ...]] = (
    "view",
    "search",
    "cart",
    "remove_from_cart",
    "favorite",
    "purchase",
    "refund",
)
_CSV_TO_FRAME_EVENT: Final[dict[str, str]] = {"remove_from_cart": "remove_cart"}

#: CSV columns, in order.
CSV_COLUMNS: Final[tuple[str, ...]] = (
    "customer_id",
    "event_time",
    "event_type",
    "product_id",
    "category",
    "product_name",
    "price",
    "quantity",
    "session_id",
    "search_query",
)

START: Final[pd.Timestamp] = pd.Timestamp("2025-06-01 00:00:00")
N_DAYS: Final[int] = 180
_START_S: Final[int] = int(START.value // 1_000_000_000)

# Event type codes (index into CSV_EVENT_TYPES).
VIEW, SEARCH, CART, REMOVE, FAV, PURCHASE, REFUND = range(7)


@dataclass(frozen=True)
class DemoData:
    """A generated demo log and the structure planted in it.

    ``events`` is CSV-ready (columns ``CSV_COLUMNS``, sorted by time); ``truth`` has one row per
    customer: ``customer`` (the key), ``segment`` (a ``PLANTED_SEGMENTS`` key), ``ramp_buyer``.
    """

    events: pd.DataFrame
    truth: pd.DataFrame

    def customer_ids(self) -> pd.Series:
        """Map customer key -> the dense ``customer_id`` (1, 2, ... in order of first event)."""
        keys = pd.unique(self.events["customer_id"].to_numpy())
        return pd.Series(
            np.arange(1, len(keys) + 1, dtype=np.int64),
            index=pd.Index(keys, name="customer"),
            name="customer_id",
        )

    def events_frame(self) -> pd.DataFrame:
        """The same events as an event frame (``engine.events.FRAME_COLUMNS``).

        Sorted by ``customer_id`` then ``time_ms``; refunds get a negative ``amount`` the way the
        importer stores them, so models can be tested without going through an import.
        """
        ev = self.events
        ids = self.customer_ids()
        etype = ev["event_type"].to_numpy(dtype=object)
        event = pd.Series(etype).replace(_CSV_TO_FRAME_EVENT).to_numpy(dtype=object)
        time_ms = (
            pd.to_datetime(ev["event_time"], format="%Y-%m-%d %H:%M:%S")
            .to_numpy(dtype="datetime64[ms]")
            .astype(np.int64)
        )
        price = ev["price"].to_numpy(dtype=np.float64)
        quantity = ev["quantity"].astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
        amount = price * quantity
        amount = np.where(etype == "refund", -amount, amount)

        def _nullable(col: str) -> pd.Series:
            # Object dtype keeps missing text as None (the contract), not the str dtype's NaN.
            values = ev[col].to_numpy(dtype=object)
            return pd.Series(np.where(values == "", None, values), dtype=object)

        frame = pd.DataFrame(
            {
                "customer_id": ids.reindex(ev["customer_id"].to_numpy()).to_numpy(dtype=np.int64),
                "time_ms": time_ms,
                "event": pd.Series(event, dtype=object),
                "item": _nullable("product_id"),
                "category": _nullable("category"),
                "price": price,
                "quantity": quantity,
                "amount": amount,
                "session": _nullable("session_id"),
                "query": _nullable("search_query"),
            }
        )
        frame = frame.sort_values(["customer_id", "time_ms"], kind="stable")
        return frame.reset_index(drop=True)[list(FRAME_COLUMNS)]



_STR: Final = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' default "str" dtype


def _text(codes: npt.NDArray[np.int64], labels: npt.NDArray[np.str_]) -> pd.Series:
    """labels[codes] as a pandas str column.

    Decoded by Arrow: a numpy unicode take would need 4 bytes per character per row, gigabytes
    at 200,000 customers.
    """
    return pd.Series(_arrow_text(codes, labels).to_pandas(types_mapper=lambda _: _STR))


def _arrow_text(codes: npt.NDArray[np.int64], labels: npt.NDArray[np.str_]) -> pa.Array:
    return pa.DictionaryArray.from_arrays(
        pa.array(codes.astype(np.int32)), pa.array(labels.tolist(), type=pa.string())
    ).cast(pa.string())


def to_frames(
    n: int,
    seg: npt.NDArray[np.int64],
    ramp_buyer: npt.NDArray[np.bool_],
    cust: npt.NDArray[np.int64],
    secs: npt.NDArray[np.int64],
    etype: npt.NDArray[np.int64],
    prod: npt.NDArray[np.int64],
    qty: npt.NDArray[np.int64],
    sess: npt.NDArray[np.int64],
) -> DemoData:
    order = np.lexsort((sess, cust, secs))
    cust, secs, etype, prod, qty, sess = (a[order] for a in (cust, secs, etype, prod, qty, sess))
    # Session ids numbered in order of first appearance, like a shop's log would show them.
    _, first_idx, inv = np.unique(sess, return_index=True, return_inverse=True)
    sess_rank = np.empty(len(first_idx), dtype=np.int64)
    sess_rank[np.argsort(first_idx, kind="stable")] = np.arange(len(first_idx))
    width = max(6, len(str(len(first_idx))))
    sess_names = np.char.add(
        "S", np.char.zfill(np.arange(1, len(first_idx) + 1).astype(str), width)
    )
    keys = np.char.add("C", np.char.zfill(np.arange(1, n + 1).astype(str), max(5, len(str(n)))))
    is_search = etype == SEARCH
    is_money = (etype == PURCHASE) | (etype == REFUND)
    blank = len(CATALOGUE.product_id)  # code of the empty string in the padded label arrays
    # Timestamps as "date time" from two small dictionaries (180 dates, 86,400 clock times):
    # Arrow's strftime and numpy's datetime_as_string are 5-10x slower at millions of rows.
    dates = np.datetime_as_string(
        START.to_datetime64().astype("datetime64[D]") + np.arange(N_DAYS), unit="D"
    )
    clock = np.char.replace(
        np.datetime_as_string(np.arange(86400).astype("datetime64[s]"), unit="s"), "1970-01-01T", ""
    )
    stamp = pc.binary_join_element_wise(
        _arrow_text(secs // 86400, dates), _arrow_text(secs % 86400, clock), " "
    )
    events = pd.DataFrame(
        {
            "customer_id": _text(cust, keys),
            "event_time": pd.Series(stamp.to_pandas(types_mapper=lambda _: _STR)),
            "event_type": _text(etype, np.asarray(CSV_EVENT_TYPES)),
            "product_id": _text(
                np.where(is_search, blank, prod), np.append(CATALOGUE.product_id, "")
            ),
            "category": _text(CATALOGUE.category[prod], np.asarray(CATEGORIES)),
            "product_name": _text(np.where(is_search, blank, prod), np.append(CATALOGUE.name, "")),
            "price": np.where(is_search, np.nan, CATALOGUE.price[prod]),
            "quantity": pd.arrays.IntegerArray(np.where(is_money, qty, 0), ~is_money),
            "session_id": _text(sess_rank[inv], sess_names),
            "search_query": _text(
                np.where(is_search, prod, blank), np.append(CATALOGUE.query, "")
            ),
        }
    )
    truth = pd.DataFrame(
        {
            "customer": keys,
            "segment": np.asarray(SEGMENT_KEYS)[seg],
            "ramp_buyer": ramp_buyer.astype(bool),
        }
    )
    return DemoData(events=events.reset_index(drop=True), truth=truth)
