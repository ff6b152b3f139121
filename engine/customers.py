"""Customer read models: the customer table and one customer's card, from every task's active run.

Pages render these rows; they never join run tables themselves. A task adds its columns to the
table (``Task.columns``/``Task.table``) and its section to the card (``Task.card``), so a new
task shows up here without an edit. The card reads only that customer's rows (indexed queries).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from engine import customer_value
from engine import tasks as registry
from engine.dates import minute
from engine.tasks.base import CardSection, Column, NoData
from engine.words import tr
from storage.project import Project
from storage.queries import customer_timeline
from storage.runs import active_run, customer_summary, read_once


@dataclass(frozen=True)
class CustomerTable:
    """One row per customer with events: ``customer_id``, ``customer`` (the key), ``purchases``,
    ``revenue``, ``last_ms``, then every task's columns (``columns``, in registry order)."""

    frame: pd.DataFrame
    columns: list[Column] = field(default_factory=list)


def _empty(kind: str, n: int) -> np.ndarray:
    return np.full(n, "", dtype=object) if kind == "text" else np.full(n, np.nan)


def customer_table(project: Project) -> CustomerTable:
    """Every customer with history, and what each task's active run says about them."""
    with read_once():  # the intent run's scores serve two columns: read once
        return _customer_table(project)


def _customer_table(project: Project) -> CustomerTable:
    summary = customer_summary(project)
    frame = pd.DataFrame({
        "customer_id": summary["customer_id"].astype("int64"),
        "customer": summary["key"].astype(str),
        "purchases": summary["purchases"].astype("int64"),
        "revenue": summary["revenue"].astype("float64"),
        "last_ms": summary["last_ms"].astype("float64"),
    })
    columns: list[Column] = []
    for task in registry.TASKS.values():
        cols = task.columns()
        run = active_run(project, task.key)
        values = task.table(project, run) if run is not None else None
        for col in cols:
            parts = [(col.key, col.kind)] + ([(col.detail, "text")] if col.detail else [])
            for key, kind in parts:
                if values is not None and key in values.columns:
                    mapped = frame["customer_id"].map(values[key])
                    frame[key] = (mapped.fillna("").astype(object) if kind == "text"
                                  else mapped.astype("float64"))
                else:
                    frame[key] = _empty(kind, len(frame))
        columns.extend(cols)
    # What each customer will probably spend: the intent run's probability x their expected
    # order value (engine.customer_value), after the intent columns it rests on.
    spend = customer_value.value_run_table(project)  # a customer-value run's own model first
    if spend is None:
        values = customer_value.customer_values(project)
        spend = customer_value.table(values) if values is not None else None
    for col in customer_value.columns():
        for key, kind in ((col.key, col.kind), (col.detail, "text")):
            if spend is not None:
                mapped = frame["customer_id"].map(spend[key])
                frame[key] = (mapped.fillna("").astype(object) if kind == "text"
                              else mapped.astype("float64"))
            else:
                frame[key] = _empty(kind, len(frame))
    columns.extend(customer_value.columns())
    return CustomerTable(frame, columns)


@dataclass(frozen=True)
class CustomerCard:
    """Everything one customer's card shows."""

    customer_id: int
    customer: str
    events: int
    purchases: int
    revenue: float
    first_seen: str | None
    last_seen: str | None
    #: The customer's events (time_ms, event), oldest first, for the timeline.
    timeline: pd.DataFrame
    #: What each task says, in registry order (tasks with nothing to say are left out).
    sections: list[CardSection]

    def history(self) -> str:
        """The customer's history in one sentence."""
        events = (tr("1 event") if self.events == 1
                  else tr("{0:,} events").format(self.events))
        purchases = (tr("1 purchase") if self.purchases == 1
                     else tr("{0:,} purchases").format(self.purchases))
        return tr("{0}, {1}, revenue {2:,.2f}. First seen {3}, last seen {4}.").format(
            events, purchases, self.revenue, self.first_seen, self.last_seen)


def customer_card(project: Project, customer_id: int, *, explain: bool = True,
                  base: CustomerCard | None = None) -> CustomerCard:
    """One customer's card: history, timeline and every task's section (indexed reads only).

    Without ``explain`` no model runs: the card is ready in milliseconds, and a second call with
    ``explain`` adds what moved each prediction; given that first card as ``base``, it keeps
    its history and timeline (read a moment ago) and asks the tasks again."""
    if base is not None and base.customer_id == int(customer_id):
        return replace(base, sections=_sections(project, customer_id, explain))
    row = customer_summary(project, customer_id)
    if row.empty:
        raise NoData(tr("Customer {0} has no events.").format(customer_id))
    r = row.iloc[0]
    return CustomerCard(
        customer_id=int(customer_id),
        customer=str(r["key"]),
        events=int(r["events"]),
        purchases=int(r["purchases"]),
        revenue=float(r["revenue"]),
        first_seen=minute(int(r["first_ms"])),
        last_seen=minute(int(r["last_ms"])),
        timeline=customer_timeline(project, customer_id),
        sections=_sections(project, customer_id, explain),
    )


def _sections(project: Project, customer_id: int, explain: bool) -> list[CardSection]:
    """What each task says about the customer, in registry order."""
    with read_once():  # each task's active run, asked for by several tasks: read once
        return _task_sections(project, customer_id, explain)


def _task_sections(project: Project, customer_id: int, explain: bool) -> list[CardSection]:
    sections = []
    for task in registry.TASKS.values():
        run = active_run(project, task.key)
        section = task.card(project, run, customer_id, explain=explain)
        if section is not None:
            sections.append(section)
        if task.key == "intent":  # the expected spend rests on the intent score: next to it
            value = customer_value.card(project, customer_id, run)
            if value is not None:
                sections.append(value)
    return sections
