"""The one-page project report a shop owner prints or mails: the data, what each model says,
the segments, whom to contact first and the sales forecast, as one self-contained HTML page.

:func:`report_data` reads the project through the read models the pages use (the Data page's
:func:`engine.overview.summarize`, each task's ``describe``, the campaign list of
:mod:`engine.campaign`, the forecast's :func:`engine.forecast.read.series_view`), so the report
says what the window says. :func:`report_html` turns it into HTML with inline CSS, no scripts
and no external files; every text from the data (customer ids, segment and item names) is
escaped, because a shop's export may hold anything. The desktop and the command line print the
same HTML to PDF through Qt (``gui.report``); :func:`write_html_report` writes it as HTML.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine import tasks as registry
from engine.currency import shop_currency
from engine.dates import day
from engine.events import MS_PER_DAY
from engine.overview import DataSummary, summarize
from engine.words import join_sentences, tr

if TYPE_CHECKING:
    from engine.campaign import CampaignData
    from storage.project import Project
    from storage.runs import RunInfo

#: The endings a report may be written to, and what each one is written as.
REPORT_KINDS = {".html": "html", ".htm": "html", ".pdf": "pdf"}
#: Customers in the "who to contact first" tables (two tables side by side).
TOP_TARGETS = 20
#: A customer id longer than this is cut in the tables (the report stays one page).
MAX_ID_CHARS = 28
#: Traits of a segment's description the report keeps (the Segments page shows all).
SEGMENT_TRAITS = 3
#: Data-health warnings the report lists (the Data page lists all).
MAX_WARNINGS = 3


@dataclass(frozen=True)
class ModelLine:
    """One trained task: its name, its verdict as the Train page writes it, and the period
    it was measured on (or the data it learned from)."""

    title: str
    verdict: str
    measured: str


@dataclass(frozen=True)
class SegmentLine:
    """One segment of the active profiles run."""

    name: str
    size: int
    share: float
    description: str


@dataclass(frozen=True)
class Target:
    """One customer of the "who to contact first" list: ``chance`` is the purchase-intent
    probability (0..1)."""

    rank: int
    customer: str
    chance: float
    segment: str


@dataclass(frozen=True)
class ReportData:
    """What the report says, read from a project (see :func:`report_data`)."""

    name: str
    made: str
    currency: str
    summary: DataSummary
    models: list[ModelLine] = field(default_factory=list)
    untrained: list[str] = field(default_factory=list)
    segments: list[SegmentLine] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    targets_note: str = ""
    campaign: str = ""
    forecast: str = ""


def report_kind(out: str | Path) -> str:
    """"html" or "pdf" by the file name's ending; ValueError in one sentence for any other."""
    kind = REPORT_KINDS.get(Path(out).suffix.lower())
    if kind is None:
        raise ValueError(tr("“{0}”: a report is written as .html or .pdf; give the file one of "
                            "these endings.").format(Path(out).name))
    return kind


# -- numbers in words ------------------------------------------------------------------------
def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


def _number(value: Any) -> float | None:
    """A finite number as a float; None for anything else (a missing setting, NaN)."""
    return float(value) if _finite(value) else None


def money(value: Any, currency: str, places: int = 2) -> str:
    """An amount with the shop's currency ("€1,234.50", "USD 1,234.50"), a plain number while
    the currency is not known, "–" for no number."""
    if not _finite(value):
        return "–"
    text = f"{abs(float(value)):,.{places}f}"
    if currency:
        text = f"{currency}\u00a0{text}" if currency[-1].isalpha() else f"{currency}{text}"
    return ("−" if float(value) < 0 and round(float(value), places) != 0 else "") + text


def _percent(share: Any) -> str:
    return f"{float(share):.0%}" if _finite(share) else "–"


# -- reading the project ---------------------------------------------------------------------
def _measured(run: RunInfo) -> str:
    """Where a run's verdict was measured, as the run recorded it ("measured on purchases
    2025-10-28 to 2025-11-27"), or the data it learned from when it measured nothing."""
    period = run.history.get("period")
    if isinstance(period, str) and period:
        return tr("measured on {0}").format(period)
    origins = run.metrics.get("origins")
    if isinstance(origins, list) and len(origins) == 1:
        return tr("measured by a backtest from {0}").format(origins[0])
    if isinstance(origins, list) and origins:
        return tr("measured by backtests from {0} to {1}").format(origins[0], origins[-1])
    as_of = _number(run.settings.get("as_of_ms"))
    horizon = _number(run.settings.get("horizon_days"))
    if as_of is not None and horizon is not None and horizon > 0:
        return tr("measured on the latest {0:,} days up to {1}").format(int(horizon),
                                                                         day(as_of))
    if as_of is not None:
        return tr("learned from the data up to {0}").format(day(as_of))
    return ""


def _models(project: Project) -> tuple[list[ModelLine], list[str]]:
    """Every trained task's verdict (registry order) and the names of tasks not trained."""
    from engine.runs import describe
    from storage.runs import active_run

    trained, untrained = [], []
    for task in registry.TASKS.values():
        run = active_run(project, task.key)
        view = None if run is None else describe(run)
        if run is None or view is None:
            untrained.append(tr(task.title))
            continue
        name = tr(task.title)
        if run.stale:
            name += f" ({tr('out of date: a customer was forgotten')})"
        trained.append(ModelLine(name, view.verdict, _measured(run)))
    return trained, untrained


def _segments(project: Project) -> list[SegmentLine]:
    """The active profiles run's segments, largest first, each with its first traits."""
    from storage.runs import active_run

    run = active_run(project, "profiles")
    if run is None:
        return []
    out = []
    for s in run.metrics.get("segments", []):
        if not isinstance(s, dict):
            continue
        name = str(s.get("name") or "")
        body = str(s.get("description") or "").removeprefix(name + " — ")
        traits = [p.strip() for p in body.split(";") if p.strip()]
        out.append(SegmentLine(name, int(s.get("size") or 0), float(s.get("share") or 0.0),
                               "; ".join(traits[:SEGMENT_TRAITS])))
    return sorted(out, key=lambda s: -s.size)


def _targets(data: CampaignData, top: int) -> list[Target]:
    """The ``top`` likeliest buyers (ties by id, as the intent run ranks them)."""
    f = data.frame
    scored = f[f["intent"].notna()].sort_values(["intent", "customer_id"],
                                                ascending=[False, True]).head(top)
    return [Target(i, str(c), float(p), str(s)) for i, (c, p, s) in enumerate(
        zip(scored["customer"], scored["intent"], scored["segment"], strict=True), 1)]


def _campaign(data: CampaignData, currency: str) -> str:
    """The default campaign (everyone, the Campaign page's margin and cost, the most profitable
    list size) in one sentence."""
    from engine.campaign import (
        DEFAULT_COST_PER_CONTACT,
        DEFAULT_MARGIN_PCT,
        CampaignFilter,
        plan,
        select,
    )

    rows = select(data, CampaignFilter())
    best = plan(rows, top=None).best_cut
    if best == 0:
        return tr("No list size is expected to pay for its contacts at this margin and cost.")
    result = plan(rows, top=best)
    return tr(
        "The most profitable campaign contacts the first {0:,} of {1:,} customers: about "
        "{2:,.0f} of them should buy, bringing about {3} in orders and {4} profit (at a {5:g}% "
        "margin and {6} per contact, as on the Campaign page)."
    ).format(result.contacts, len(rows), result.expected_buyers,
             money(result.expected_revenue, currency, 0), money(result.expected_profit, currency, 0),
             DEFAULT_MARGIN_PCT, money(DEFAULT_COST_PER_CONTACT, currency))


def _forecast(project: Project, currency: str) -> str:
    """The whole shop's forecast in one sentence ("" without a forecast run)."""
    from engine.forecast.read import series_view
    from storage.runs import active_run

    run = active_run(project, "forecast")
    if run is None:
        return ""
    try:
        units = series_view(project, run, "shop", "", "units")
        revenue = series_view(project, run, "shop", "", "revenue")
    except ValueError:  # a run without the whole shop's series
        return ""
    periods = len(units.p50)
    if not periods:
        return ""
    pattern = (
        tr("Whole shop over the next {0} weeks: about {1:,.0f} units sold and {2} in revenue "
           "(as likely to be beaten as missed). Method: {3}.") if units.period_days == 7
        else tr("Whole shop over the next {0} days: about {1:,.0f} units sold and {2} in "
                "revenue (as likely to be beaten as missed). Method: {3}.")
    )
    return pattern.format(periods, sum(units.p50), money(sum(revenue.p50), currency, 0),
                          units.method)


def report_data(project: Project, *, today: date | None = None,
                top: int = TOP_TARGETS) -> ReportData:
    """Read everything the report says (seconds on a large project: it builds the campaign
    list; run it off the GUI thread)."""
    from engine.campaign import campaign_data
    from engine.tasks.base import NoData

    currency = shop_currency(project)
    summary = summarize(project)
    models, untrained = _models(project)
    targets: list[Target] = []
    note = campaign = ""
    try:
        data = campaign_data(project)
    except NoData:
        data = None
    if data is not None:
        targets = _targets(data, top)
        horizon = data.horizon_days
        note = (tr("The {0} customers likeliest to buy within {1} days, as of {2}.").format(
            len(targets), horizon, day(data.as_of_ms)) if horizon else
            tr("The {0} customers likeliest to buy, as of {1}.").format(
                len(targets), day(data.as_of_ms)))
        campaign = _campaign(data, currency)
    return ReportData(
        name=project.name, made=(today or date.today()).isoformat(), currency=currency,
        summary=summary, models=models, untrained=untrained, segments=_segments(project),
        targets=targets, targets_note=note, campaign=campaign,
        forecast=_forecast(project, currency),
    )


# -- the page --------------------------------------------------------------------------------
_CSS = """
@page { size: A4; margin: 14mm; }
body { font-family: 'Helvetica Neue', Arial, sans-serif; font-size: 9pt; color: #1d2a3a; }
h1 { font-size: 16pt; margin: 0; }
h2 { font-size: 11pt; margin-top: 10px; margin-bottom: 3px; color: #2a6fdb; }
p { margin-top: 2px; margin-bottom: 2px; }
.model { margin-bottom: 5px; }
table { border-collapse: collapse; }
th { text-align: left; font-weight: 600; background-color: #eef2f7; }
td, th { padding: 2px 6px; vertical-align: top; }
.sub { color: #5b6776; }
.num { text-align: right; }
.big { font-size: 13pt; font-weight: 600; }
.small { font-size: 8pt; color: #5b6776; }
.grid td { border-bottom: 1px solid #dde3ea; }
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _cut(text: str, limit: int = MAX_ID_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _summary_html(data: ReportData) -> str:
    ov = data.summary.overview
    if not ov.events:
        empty = tr("The project has no events yet: import your shop's behavior log first.")
        return f"<p class='sub'>{_e(empty)}</p>"
    days = ((ov.last_ms // MS_PER_DAY - ov.first_ms // MS_PER_DAY + 1)
            if ov.first_ms is not None and ov.last_ms is not None else 0)
    cards = [
        (f"{ov.customers:,}", tr("customers")),
        (f"{ov.items:,}", tr("items")),
        (f"{ov.events:,}", tr("events")),
        (f"{ov.events_by_type.get('purchase', 0):,}", tr("purchases")),
        (money(ov.revenue, data.currency), tr("revenue (refunds subtracted)")),
        (tr("{0:,} days").format(days), tr("{0} to {1}").format(day(ov.first_ms),
                                                                 day(ov.last_ms))),
    ]
    cells = "".join(f"<td><span class='big'>{_e(v)}</span><br><span class='sub'>{_e(c)}"
                    "</span></td>" for v, c in cards)
    html = f"<table cellspacing='0' cellpadding='4' width='100%'><tr>{cells}</tr></table>"
    warnings = data.summary.warnings
    if warnings:
        items = "".join(f"<li>{_e(w)}</li>" for w in warnings[:MAX_WARNINGS])
        more = len(warnings) - MAX_WARNINGS
        if more > 0:
            items += f"<li>{_e(tr('… and {0:,} more on the Data page.').format(more))}</li>"
        html += (f"<p><b>{_e(tr('Data health:'))}</b></p>"
                 f"<ul style='margin-top:0; margin-bottom:0'>{items}</ul>")
    else:
        html += f"<p class='sub'>{_e(tr('Data health: no problems found.'))}</p>"
    return html


def _models_html(data: ReportData) -> str:
    parts = []
    for m in data.models:
        measured = f" <span class='small'>({_e(m.measured)})</span>" if m.measured else ""
        parts.append(f"<p class='model'><b>{_e(m.title)}</b>{measured}<br>{_e(m.verdict)}</p>")
    if data.untrained:
        missing = tr("Not trained yet: {0}.").format(", ".join(data.untrained))
        parts.append(f"<p class='sub'>{_e(missing)}</p>")
    return "".join(parts)


def _segments_html(data: ReportData) -> str:
    if not data.segments:
        empty = tr("No segments yet: train customer profiles to see them.")
        return f"<p class='sub'>{_e(empty)}</p>"
    head = "".join(f"<th{c}>{_e(t)}</th>" for t, c in (
        (tr("Segment"), ""), (tr("Customers"), " class='num'"), (tr("Share"), " class='num'"),
        (tr("What sets them apart"), "")))
    rows = "".join(
        f"<tr><td><b>{_e(s.name)}</b></td><td class='num'>{s.size:,}</td>"
        f"<td class='num'>{_e(_percent(s.share))}</td><td>{_e(s.description)}</td></tr>"
        for s in data.segments)
    return (f"<table class='grid' cellspacing='0' cellpadding='2' width='100%'>"
            f"<tr>{head}</tr>{rows}</table>")


def _target_table(targets: list[Target]) -> str:
    head = "".join(f"<th{c}>{_e(t)}</th>" for t, c in (
        ("#", " class='num' width='10%'"), (tr("Customer"), " width='55%'"),
        (tr("Chance to buy"), " class='num'")))
    rows = "".join(
        f"<tr><td class='num'>{t.rank}</td><td>{_e(_cut(t.customer))}</td>"
        f"<td class='num'>{_e(_percent(t.chance))}</td></tr>"
        for t in targets)
    return (f"<table class='grid' cellspacing='0' cellpadding='2' width='100%'>"
            f"<tr>{head}</tr>{rows}</table>")


def _segment_words(targets: list[Target]) -> str:
    """Which segment most of the targets are in, in one sentence ("" without segments)."""
    named = [t.segment for t in targets if t.segment]
    if not named:
        return ""
    top = max(dict.fromkeys(named), key=named.count)  # the first of the most common
    if named.count(top) == len(targets):
        return tr("All of them are in the segment “{0}”.").format(top)
    if named.count(top) < 2:  # no segment stands out
        return ""
    return tr("{0} of them are in the segment “{1}”.").format(named.count(top), top)


def _targets_html(data: ReportData) -> str:
    if not data.targets:
        empty = tr("Train a purchase-intent model to see whom to contact first.")
        return f"<p class='sub'>{_e(empty)}</p>"
    half = (len(data.targets) + 1) // 2
    left, right = data.targets[:half], data.targets[half:]
    note = join_sentences(data.targets_note, _segment_words(data.targets))
    html = f"<p>{_e(note)}</p>"
    html += ("<table cellspacing='0' cellpadding='0' width='100%'><tr>"
             f"<td width='50%' style='padding-right:8px'>{_target_table(left)}</td>"
             f"<td width='50%' style='padding-left:8px'>"
             f"{_target_table(right) if right else ''}</td></tr></table>")
    if data.campaign:
        html += f"<p>{_e(data.campaign)}</p>"
    return html


def report_html(data: ReportData) -> str:
    """The report as one self-contained HTML document (inline CSS, no scripts, no links out)."""
    title = tr("IntentLens report: {0}").format(data.name)
    sections = [
        (tr("Your data"), _summary_html(data)),
        (tr("What the models say"), _models_html(data)),
        (tr("Segments"), _segments_html(data)),
        (tr("Who to contact first"), _targets_html(data)),
    ]
    if data.forecast:
        sections.append((tr("Sales forecast"), f"<p>{_e(data.forecast)}</p>"))
    body = "".join(f"<h2>{_e(h)}</h2>{b}" for h, b in sections)
    made = tr("Made on {0} by IntentLens, from the project “{1}”. Everything was computed on "
              "this computer.").format(data.made, data.name)
    return (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{_e(title)}</h1><p class='sub'>{_e(made)}</p>{body}</body></html>\n"
    )


def build_report(project: Project, *, today: date | None = None) -> str:
    """The project's report as HTML (reads the project: see :func:`report_data`)."""
    return report_html(report_data(project, today=today))


def write_html_report(project: Project, out: str | Path, *, today: date | None = None) -> Path:
    """Write the report as an HTML file, like every export (never over a database, atomically;
    ExportError in one sentence). Returns the file written."""
    from engine.exports import check_target, write_bytes

    check_target(out, project)  # refused before the slow part
    return write_bytes(build_report(project, today=today).encode("utf-8"), out,
                       project=project)
