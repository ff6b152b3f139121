"""What is in a project, for the Data page: totals, daily volume, top lists, health warnings."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.dates import day
from storage.project import Project
from storage.queries import (
    MS_PER_DAY,
    Health,
    Overview,
    TopRow,
    events_per_day,
    health,
    import_warnings,
    overview,
    top_categories,
    top_items,
)


@dataclass(frozen=True)
class DataSummary:
    """Everything the Data page shows, computed off the GUI thread."""

    overview: Overview
    days: list[tuple[int, int]]
    categories: list[TopRow]
    items: list[TopRow]
    health: Health
    warnings: list[str]
    #: (file name, warning sentence) of the project's imports, newest import first.
    import_warnings: list[tuple[str, str]] = field(default_factory=list)


def _n(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def health_warnings(h: Health, ov: Overview) -> list[str]:
    """Data-health findings as sentences a shop owner understands (empty when all is well)."""
    out: list[str] = []
    if h.duplicates:
        out.append(
            f"{_n(h.duplicates, 'event is an exact duplicate', 'events are exact duplicates')} (same customer, time, event and "
            "item): the shop's export may list some events twice."
        )
    if h.outside_main_span and h.main_first_day is not None and h.main_last_day is not None:
        out.append(
            f"{_n(h.outside_main_span, 'event falls', 'events fall')} outside the main period "
            f"{day(h.main_first_day * MS_PER_DAY)} to {day(h.main_last_day * MS_PER_DAY)}: check their dates "
            "(test orders, wrong clocks)."
        )
    if h.busy_customers:
        out.append(
            f"{_n(h.busy_customers, 'customer has', 'customers have')} more than "
            f"{h.busy_threshold:,} views, clicks or searches in a single day: faster than a person "
            "browses, so probably bots or shared accounts."
        )
    if h.purchases_without_price:
        share = h.purchases_without_price / max(1, ov.events_by_type.get("purchase", 0))
        out.append(
            f"{_n(h.purchases_without_price, 'purchase', 'purchases')} ({share:.0%}) lack a price or amount: "
            "the revenue figures leave them out."
        )
    if h.rejected:
        out.append(
            f"{_n(h.rejected, 'line', 'lines')} could not be imported; File → Export rejected lines shows "
            "each with its line number and reason."
        )
    if ov.events and not ov.events_by_type.get("purchase"):
        out.append(
            "There are no purchases in this data: purchase intent cannot be learned until a "
            "log with purchases is imported."
        )
    return out


def summarize(project: Project) -> DataSummary:
    """Compute the Data page's contents (SQL aggregates; fast even on millions of events)."""
    ov = overview(project)
    h = health(project)
    return DataSummary(
        overview=ov,
        days=events_per_day(project),
        categories=top_categories(project, 15),
        items=top_items(project, 15),
        health=h,
        warnings=health_warnings(h, ov),
        import_warnings=[
            (batch.file_name, str(w["message"]))
            for batch in import_warnings(project)
            for w in batch.warnings
        ],
    )
