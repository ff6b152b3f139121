"""Deciding, from the preview rows, what a file's values mean before anything is stored.

Column names say which column is which; the values say how to read them: the date order and
whether the times are plausible, how numbers are written, which status words mean a purchase,
whether the file is an order export, and what event a file without event words holds. Every
decision that changes numbers is either part of the mapping the user sees or a warning.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from engine.events import EVENT_TYPES
from engine.ingest.formats import canonical_event, normalize_name, status_meaning
from engine.ingest.notices import ImportWarning, chunk_warning
from engine.ingest.numbers import NumberForm, detect_number_form
from engine.ingest.orders import order_shape
from engine.ingest.source import FileProblem
from engine.ingest.timedetect import detect_time
from engine.ingest.timeparse import (
    describe_implausible,
    implausible,
    parse_times,
)
from engine.words import tr

NUMBER_FIELDS = ("price", "quantity", "amount", "refund_amount")
_SCIENTIFIC = re.compile(r"\d(?:[.,]\d+)?[eE]\+?\d+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_EVENTISH = re.compile(
    r"event|action|activity|behavio|interaction|kind|aktion|ereignis|evenement|evento|accion"
    r"|行为|事件|动作"
)
_ORDER_EVIDENCE = ("session", "amount", "price", "quantity", "status")


@dataclass
class Settled:
    """What the values of a file say about how to import it."""

    columns: dict[str, int]
    events: dict[str, str] = field(default_factory=dict)
    event_counts: list[tuple[str, int, str]] = field(default_factory=list)
    default_event: str = "purchase"
    time_format: str | None = None
    date_order: str | None = None
    number_forms: dict[int, NumberForm] = field(default_factory=dict)
    filldown: tuple[int, ...] = ()
    order_level: frozenset[int] = frozenset()
    multi_line_orders: int = 0
    refund_prefix: str | None = None
    email_customer: bool = False
    unknown_words: set[str] = field(default_factory=set)
    warnings: list[ImportWarning] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (for the CLI, for the wizard)


def _values(rows: list[list[str]], i: int) -> list[str]:
    return [r[i].strip() for r in rows if len(r) > i and r[i].strip()]


def _decimal_hint(
    header: list[str], rows: list[list[str]], delimiter: str, columns: dict[str, int]
) -> str | None:
    """Decimal comma clues from the file: a ';' delimiter (what Excel writes where the comma
    is the decimal mark), or another money column that shows a decimal comma unambiguously."""
    if delimiter == ";":
        return ","
    for fld in NUMBER_FIELDS:
        if fld in columns:
            form = detect_number_form(_values(rows, columns[fld]))
            if not form.ambiguous and form.decimal == ",":
                return ","
    return None


def _times(
    header: list[str],
    rows: list[list[str]],
    columns: dict[str, int],
    options: Any,
    day_first_clue: bool | None,
    out: Settled,
) -> None:
    """Time format, date order and plausibility; may switch to a better time column."""
    if "time" not in columns:
        return
    now_ms = int(datetime.now(UTC).timestamp() * 1000)

    def judge(i: int) -> tuple[Any, str | None]:
        values = _values(rows, i)
        det = detect_time(
            values, date_order=options.date_order, prefer_day_first=day_first_clue,
            label=header[i],
        )
        if det.fmt is None:
            return det, None
        ms = parse_times(pd.Series(values, dtype="object"), det.fmt)
        code = implausible(np.asarray(ms, dtype=np.int64), now_ms=now_ms)
        # A busy shop logs hundreds of events a minute: a short span alone proves nothing.
        return det, None if code == "time_span_seconds" else code

    ti = columns["time"]
    if options.time_format is not None:
        out.time_format = options.time_format
        return
    det, bad = judge(ti)
    if det.fmt is not None and bad is not None:
        # A time column that cannot be right (ids read as seconds, 1970, the future): look
        # for another column whose values are plausible times.
        others = [i for i in range(len(header)) if i not in columns.values()]
        for i in others:
            d2, bad2 = judge(i)
            if d2.fmt is not None and bad2 is None and d2.share_read >= 0.9:
                out.warnings.append(ImportWarning(
                    "time_column_switched",
                    tr("The values of column “{0}” cannot be times ({1}), so the times are "
                       "taken from column “{2}”. To choose another, use --map time=COLUMN.").format(
                        header[ti], describe_implausible(bad, header[ti]).split(":")[0].lower(),
                        header[i],
                    ),
                    header[i],
                ))
                columns["time"] = i
                ti, det, bad = i, d2, None
                break
    if det.fmt is not None and bad is not None:
        sentence = describe_implausible(bad, header[ti])
        out.problems.append((sentence, sentence.replace(
            "--map time=COLUMN", "the Time list below").replace(
            "--date-order dmy|mdy|ymd", "the date order")))
    out.time_format = det.fmt
    out.date_order = det.date_order
    if det.fmt is not None and det.ambiguous and options.date_order is None:
        words = {
            "dmy": tr("day/month/year"), "mdy": tr("month/day/year"), "ymd": tr("year/month/day")
        }.get(det.date_order or "", tr("month/day/year"))
        other = "dmy" if det.date_order == "mdy" else "mdy"
        out.warnings.append(ImportWarning(
            "date_order_ambiguous",
            tr("Every date in column “{0}” could be read day-first or month-first (no day is "
               "above 12); IntentLens reads them as {1}. If that is wrong, import again with "
               "--date-order {2} (or choose the date order in the wizard).").format(
                header[ti], words, other
            ),
            header[ti],
        ))


def _numbers(
    header: list[str], rows: list[list[str]], columns: dict[str, int], hint: str | None,
    out: Settled,
) -> None:
    for fld in NUMBER_FIELDS:
        if fld not in columns:
            continue
        i = columns[fld]
        form = detect_number_form(_values(rows, i), decimal_hint=hint)
        out.number_forms[i] = form
        if form.ambiguous:
            out.warnings.append(ImportWarning(
                "number_form_ambiguous",
                (
                    tr("The numbers in column “{0}” (like “{1}”) could use the comma or the "
                       "point for decimals; IntentLens reads them with a decimal comma. If that "
                       "is wrong, import again with --decimal {2}.")
                    if form.decimal == ","
                    else tr("The numbers in column “{0}” (like “{1}”) could use the comma or the "
                            "point for decimals; IntentLens reads them with a decimal point. If "
                            "that is wrong, import again with --decimal {2}.")
                ).format(header[i], _values(rows, i)[0], "." if form.decimal == "," else ","),
                header[i],
            ))


def _events(
    header: list[str], rows: list[list[str]], columns: dict[str, int], options: Any,
    known_default: str | None, out: Settled,
) -> None:
    counts: Counter[str] = Counter()
    events: dict[str, str] = {}
    unknown: Counter[str] = Counter()
    if "event" in columns:
        ei = columns["event"]
        counts.update(_values(rows, ei))
        for raw, n in counts.items():
            canon = canonical_event(raw)
            if canon is None and raw not in options.events:
                unknown[raw] = n
                out.unknown_words.add(raw)
            events[raw] = canon or "other"
    status_counts: Counter[str] = Counter()
    if "status" in columns:
        si = columns["status"]
        status_counts.update(_values(rows, si))
        for raw in status_counts:
            meaning = status_meaning(raw)
            if meaning is None and raw not in options.events:
                out.unknown_words.add(raw)
                out.warnings.append(ImportWarning(
                    "unknown_status",
                    tr("IntentLens does not know the order status “{0}” in column “{1}”; its "
                       "lines are counted as purchases. If that is wrong, say what it means with "
                       "--event \"{0}=other\" (or refund), or in the event list of the "
                       "wizard.").format(raw, header[si]),
                    header[si], status_counts[raw],
                ))
            events.setdefault(raw, meaning or "purchase")
        counts.update(status_counts)
    for raw, canon in options.events.items():
        if canon not in EVENT_TYPES:
            raise FileProblem(
                tr("“{0}” is not an event IntentLens knows; use one of: {1}.").format(
                    canon, ", ".join(EVENT_TYPES)
                )
            )
        events[raw] = canon
    out.events = events
    out.event_counts = sorted(
        ((raw, counts.get(raw, 0), events[raw]) for raw in events), key=lambda t: -t[1]
    )
    if unknown:
        total = sum(counts[r] for r in counts if r not in status_counts)
        col = header[columns["event"]]
        words = ", ".join(f"“{w}”" for w, _ in unknown.most_common(5))
        example = unknown.most_common(1)[0][0]
        if sum(unknown.values()) * 2 >= total:
            out.problems.append((
                tr("IntentLens does not know most event words in column “{0}” ({1}): say what "
                   "each means with --event WORD=EVENT, for example --event \"{2}=view\".").format(
                    col, words, example
                ),
                tr("IntentLens does not know most event words in column “{0}” ({1}): choose "
                   "what each means in the event list below.").format(col, words),
            ))
        else:
            out.warnings.append(ImportWarning(
                "unknown_event",
                tr("IntentLens does not know the event words {0} in column “{1}”; their lines "
                   "are imported as “other”. Say what they mean with --event WORD=EVENT or in "
                   "the wizard's event list.").format(words, col),
                col, sum(unknown.values()),
            ))
    # The event of a line when the file has no event column.
    if options.default_event is not None:
        out.default_event = options.default_event
    elif known_default is not None:
        out.default_event = known_default
    elif "event" not in columns:
        if any(f in columns for f in _ORDER_EVIDENCE):
            out.default_event = "purchase"  # a transaction log: orders, amounts or quantities
        else:
            out.default_event = "other"
            eventish = [
                i for i in range(len(header))
                if i not in columns.values() and _EVENTISH.search(normalize_name(header[i]))
                and 0 < len(set(_values(rows, i))) <= 30
                and not all(v.replace(".", "").isdigit() for v in _values(rows, i))
            ]
            if eventish:
                col = header[eventish[0]]
                words = ", ".join(f"“{w}”" for w in sorted(set(_values(rows, eventish[0])))[:4])
                out.problems.append((
                    tr("Column “{0}” looks like it says what each line is ({1}), but IntentLens "
                       "does not know these words: use --map event=\"{0}\" and say what each "
                       "word means with --event WORD=EVENT, or give every line one event with "
                       "--default-event EVENT.").format(col, words),
                    tr("Column “{0}” looks like it says what each line is ({1}): choose it in "
                       "the Event list below and say what each word means.").format(col, words),
                ))
            else:
                out.warnings.append(ImportWarning(
                    "no_event_column",
                    tr("The file has no column that says what each line is (view, cart, "
                       "purchase…) and no order numbers, amounts or quantities, so every line is "
                       "imported as “other”. If every line is the same kind of event, import "
                       "again with --default-event EVENT (for example --default-event view), or "
                       "choose it in the wizard."),
                ))


def settle_values(
    header: list[str],
    rows: list[list[str]],
    columns: dict[str, int],
    options: Any,
    *,
    delimiter: str,
    known_default: str | None = None,
    refund_prefix: str | None = None,
) -> Settled:
    """Decide how to read the values of the mapped columns (``columns`` may be changed: a
    better time column, an order total that is not a line amount)."""
    names = [h.strip().lstrip("\ufeff") for h in header]
    whole = [
        r for r in rows
        if len(r) == len(header) and [f.strip().lstrip("\ufeff") for f in r] != names
    ] or rows
    out = Settled(columns=columns, refund_prefix=refund_prefix)
    hint = options.decimal or _decimal_hint(header, whole, delimiter, columns)
    day_first = True if hint == "," else None
    _times(header, whole, columns, options, day_first, out)
    _numbers(header, whole, columns, options.decimal or hint, out)
    _events(header, whole, columns, options, known_default, out)
    if "customer" in columns:
        ids = _values(whole, columns["customer"])
        rounded = [v for v in ids if _SCIENTIFIC.fullmatch(v)]
        if rounded:
            out.warnings.append(
                chunk_warning("rounded_ids", header[columns["customer"]], len(rounded), rounded[0])
            )
        out.email_customer = bool(ids) and sum(bool(_EMAIL.fullmatch(v)) for v in ids) >= (
            0.8 * len(ids)
        )
    if "session" in columns and "customer" in columns:
        shape = order_shape(whole, columns["session"], len(header))
        out.filldown, out.order_level = shape.filldown, shape.order_level
        out.multi_line_orders = shape.multi_line_orders
        total_note = ""
        if "amount" in columns and columns["amount"] in shape.order_level and "price" in columns:
            # An order total repeated (or written once) per order is not a line amount: each
            # line's revenue is its price x quantity.
            total = columns.pop("amount")
            out.number_forms.pop(total, None)
            total_note = tr(
                " “{0}” is the order's total, so each line's revenue is its price × quantity."
            ).format(header[total])
        if shape.filldown:
            carried = ", ".join(
                f"“{header[c]}”" for c in shape.filldown if c in columns.values()
            )
            if carried:
                out.warnings.append(ImportWarning(
                    "order_lines_filled",
                    tr("This is an order export that writes the order's own values ({0}) on its "
                       "first line only; IntentLens gives them to the order's other lines "
                       "too.").format(carried)
                    + total_note,
                ))
    if refund_prefix is None and "session" in columns:
        sessions = _values(whole, columns["session"])
        # Invoice numbers: a "C" in front of the number marks a cancellation (credit note).
        if sessions and sum(v.isdigit() or bool(re.fullmatch(r"C\d+", v)) for v in sessions) >= (
            0.9 * len(sessions)
        ):
            out.refund_prefix = "C"
    return out
