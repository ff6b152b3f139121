"""What is in a project, for the Data page: totals, daily volume, top lists, health warnings."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.dates import day
from engine.words import tr
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
    """The pattern for ``count`` things, ``one`` or ``many`` (both translated already; ``{0}``
    is the count, the caller fills it and the rest with ``format``)."""
    return one if count == 1 else many


def health_warnings(h: Health, ov: Overview) -> list[str]:
    """Data-health findings as sentences a shop owner understands (empty when all is well)."""
    out: list[str] = []
    if h.duplicates:
        out.append(_n(
            h.duplicates,
            tr("1 event is an exact duplicate (same customer, time, event and item): the shop's "
            "export may list some events twice."),
            tr("{0:,} events are exact duplicates (same customer, time, event and item): the "
            "shop's export may list some events twice."),
        ).format(h.duplicates))
    if h.outside_main_span and h.main_first_day is not None and h.main_last_day is not None:
        out.append(_n(
            h.outside_main_span,
            tr("1 event falls outside the main period {1} to {2}: check its date (test orders, "
            "wrong clocks)."),
            tr("{0:,} events fall outside the main period {1} to {2}: check their dates (test "
            "orders, wrong clocks)."),
        ).format(h.outside_main_span, day(h.main_first_day * MS_PER_DAY),
                  day(h.main_last_day * MS_PER_DAY)))
    if h.busy_customers:
        out.append(_n(
            h.busy_customers,
            tr("1 customer has more than {1:,} views, clicks or searches in a single day: faster "
            "than a person browses, so probably a bot or a shared account."),
            tr("{0:,} customers have more than {1:,} views, clicks or searches in a single day: "
            "faster than a person browses, so probably bots or shared accounts."),
        ).format(h.busy_customers, h.busy_threshold))
    if h.purchases_without_price:
        share = h.purchases_without_price / max(1, ov.events_by_type.get("purchase", 0))
        out.append(_n(
            h.purchases_without_price,
            tr("1 purchase ({1}) lacks a price or amount: the revenue figures leave it out."),
            tr("{0:,} purchases ({1}) lack a price or amount: the revenue figures leave them out."),
        ).format(h.purchases_without_price, f"{share:.0%}"))
    if h.rejected:
        out.append(_n(
            h.rejected,
            tr("1 line could not be imported; File → Export rejected lines shows it with its line "
            "number and reason."),
            tr("{0:,} lines could not be imported; File → Export rejected lines shows each with "
            "its line number and reason."),
        ).format(h.rejected))
    if ov.events and not ov.events_by_type.get("purchase"):
        out.append(tr(
            "There are no purchases in this data: purchase intent cannot be learned until a "
            "log with purchases is imported."
        ))
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
