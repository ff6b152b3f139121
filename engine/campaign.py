"""Campaign lists: whom to contact, and what it should bring in.

The list ranks customers by the purchase-intent model's probability of buying within its
horizon (the active intent run), and puts money on each of them: the expected order value of
the spend model (:mod:`engine.spend`) and the expected spend, intent × order value. A client
builds :class:`CampaignData` once per project state (:func:`campaign_data`, seconds: it reads
the orders and fits the spend model), then filters it (:func:`select`, milliseconds) and prices
a list size (:func:`plan`) on every change of a filter or a slider. :func:`export_campaign`
(:mod:`engine.campaign_export`, re-exported here) writes the list as shown, with up to three
recommended items per customer when a recommendations model exists.

Everything is as of the intent run's as-of date: orders, revenue and "last seen" count only
what happened up to then, so the money and the probabilities describe the same moment.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from engine.campaign_defaults import DEFAULT_COST_PER_CONTACT, DEFAULT_MARGIN_PCT
from engine.campaign_export import EXPORT_COLUMNS, export_campaign
from engine.customer_value import priced, setting_int
from engine.events import MS_PER_DAY
from engine.runs import signal_reader
from engine.spend import SpendCheck, SpendModel, check_spend, fit_spend, order_stats, orders_of
from engine.tasks.base import NoData
from engine.words import join_sentences, tr
from storage.queries import customer_last_seen, purchase_lines
from storage.runs import active_run, run_outputs

if TYPE_CHECKING:
    from storage.project import Project

__all__ = [
    "DEFAULT_COST_PER_CONTACT",
    "DEFAULT_MARGIN_PCT",
    "EXPORT_COLUMNS",
    "FRAME_COLUMNS",
    "CampaignData",
    "CampaignFilter",
    "Plan",
    "SpendCheck",
    "campaign_data",
    "export_campaign",
    "plan",
    "select",
]

#: The columns of :attr:`CampaignData.frame`, in order.
FRAME_COLUMNS = (
    "customer_id", "customer", "intent", "order_value", "order_value_low", "order_value_high",
    "expected_spend", "expected_spend_low", "expected_spend_high", "segment", "last_ms",
    "revenue", "purchases",
)


@dataclass(frozen=True)
class CampaignFilter:
    """Who is on the list; every ``None`` lets everyone through. ``min_intent``/``max_intent``
    are probabilities (0..1; a customer without a score fails either), ``last_seen_days``
    keeps customers seen within that many days up to the as-of date, ``min_spend``/
    ``max_spend`` bound their revenue so far, and the category fields keep customers who
    bought (or never bought) in that category."""

    segment: str | None = None
    min_intent: float | None = None
    max_intent: float | None = None
    last_seen_days: int | None = None
    min_spend: float | None = None
    max_spend: float | None = None
    bought_category: str | None = None
    never_bought_category: str | None = None


@dataclass(frozen=True)
class CampaignData:
    """Everything a campaign list is filtered from, built once per project state.

    ``frame`` has one row per customer with events up to the as-of date, the highest expected
    spend first (customers the intent run did not score, with a NaN ``intent``, last), with
    :data:`FRAME_COLUMNS`: ``intent`` is P(buy within ``horizon_days``), ``order_value`` the
    expected order value with its ~80% range (``_low``/``_high``, see :mod:`engine.spend`),
    ``expected_spend`` = intent × order value (and its range), ``segment`` the segment name of
    the active profiles run ("" without one), ``last_ms`` the latest event, ``revenue`` the net
    spend and ``purchases`` the orders so far. ``categories`` are the categories bought at
    least once; ``bought`` maps each to the frame positions (row numbers) of its buyers.
    """

    frame: pd.DataFrame
    categories: list[str]
    segments: list[str]
    horizon_days: int | None
    as_of_ms: int | None
    intent_run_id: int | None
    spend_check: SpendCheck | None
    bought: Mapping[str, np.ndarray] = field(default_factory=dict)
    spend_model: SpendModel | None = None
    #: Where ``expected_spend`` comes from: "value" (the customer-value run's expected spend,
    #: which measured better than the customers' own spend rate) or "intent" (intent × order
    #: value).
    spend_source: str = "intent"
    #: What the list cannot say yet and which training fills it (the segment without a
    #: profiles run, the items to offer without a recommendations run); "" when complete.
    missing_note: str = ""


def campaign_data(project: Project) -> CampaignData:
    """Read and price every customer for campaign lists (the slow part: seconds on a large
    project; run it off the GUI thread). NoData without an active purchase-intent run."""
    run = active_run(project, "intent")
    scores = signal_reader(project)("purchase_probability") if run is not None else None
    if run is None or scores is None:
        raise NoData(tr(
            "Train a purchase-intent model first: the campaign list ranks customers by it."))
    as_of = setting_int(run.settings, "as_of_ms")
    horizon = setting_int(run.settings, "horizon_days")
    people = customer_last_seen(project, until_ms=as_of)
    lines = purchase_lines(project, until_ms=as_of)
    orders = orders_of(lines)
    stats = order_stats(orders)
    model = fit_spend(stats["orders"], stats["mean_value"])
    check = None
    if as_of is not None and horizon is not None and horizon > 0:
        check = check_spend(orders, as_of, horizon)

    ids = people["customer_id"].to_numpy(dtype=np.int64)
    intent = scores.reindex(ids).to_numpy(dtype=np.float64)
    cols = priced(model, stats, ids, intent)
    # A customer-value run over the same horizon that measured better than the customers' own
    # spend rate gives the expected spend instead of intent x order value.
    from engine.value.read import campaign_spend

    better = campaign_spend(project, horizon)
    source = "intent" if better is None else "value"
    if better is not None:
        for key in ("expected_spend", "expected_spend_low", "expected_spend_high"):
            known = better[key].reindex(ids).to_numpy(dtype=np.float64)
            cols[key] = np.where(np.isfinite(known), known, cols[key])
    segment_of, segments = _segments(project)
    frame = pd.DataFrame({
        "customer_id": ids,
        "customer": people["key"].astype(str).to_numpy(dtype=object),
        "intent": intent,
        **{k: cols[k] for k in ("order_value", "order_value_low", "order_value_high",
                                "expected_spend", "expected_spend_low", "expected_spend_high")},
        "segment": pd.Series(ids).map(segment_of).fillna("").to_numpy(dtype=object),
        "last_ms": people["last_ms"].to_numpy(dtype=np.int64),
        "revenue": cols["revenue"],
        "purchases": cols["orders"],
    })
    # The most valuable contact first: the highest expected spend (intent x order value), so
    # every list size is the most profitable list of that size; then the likeliest; unscored
    # customers last; ties by id, so the order never wobbles.
    spend = cols["expected_spend"]
    order = np.lexsort((ids, np.where(np.isnan(intent), np.inf, -intent),
                        np.where(np.isnan(spend), np.inf, -spend)))
    frame = frame.iloc[order].reset_index(drop=True)
    bought = _bought(lines, frame["customer_id"].to_numpy(dtype=np.int64))
    return CampaignData(
        frame=frame, categories=sorted(bought), segments=segments, horizon_days=horizon,
        as_of_ms=as_of, intent_run_id=run.id, spend_check=check, bought=bought,
        spend_model=model, spend_source=source,
        missing_note=missing_note(project),
    )


def missing_note(project: Project) -> str:
    """One sentence on the list's empty columns and the training that fills them ("" when
    profiles and recommendations are both trained)."""
    profiles = active_run(project, "profiles") is not None
    recommend = active_run(project, "recommend") is not None
    if not profiles and not recommend:
        return tr("The segment, item and reason columns are empty for now: train customer "
                  "profiles to give each customer a segment, and recommendations to add the "
                  "items to offer them and why.")
    if not profiles:
        return tr("The segment column is empty for now: train customer profiles to fill it.")
    if not recommend:
        return tr("The item and reason columns are empty for now: train recommendations to "
                  "add the items to offer each customer and why.")
    return ""


def _segments(project: Project) -> tuple[dict[int, str], list[str]]:
    """customer id -> segment name in the active profiles run, and the names in id order."""
    run = active_run(project, "profiles")
    if run is None:
        return {}, []
    names = {}
    for s in run.metrics.get("segments", []):
        if isinstance(s, dict) and "id" in s:
            names[int(s["id"])] = str(s.get("name") or f"Segment {s['id']}")
    out = run_outputs(project, run.id, names=("segment",))
    known = out[out["segment"].notna()]
    sid = known["segment"].to_numpy(dtype=np.int64)
    for k in np.unique(sid):
        names.setdefault(int(k), f"Segment {k}")
    of = dict(zip(known["customer_id"].astype(int), (names[int(k)] for k in sid), strict=True))
    return of, list(dict.fromkeys(names[k] for k in sorted(names)))


def _bought(lines: pd.DataFrame, ids: np.ndarray) -> dict[str, np.ndarray]:
    """category -> the sorted frame positions of the customers who bought in it."""
    buys = lines[(lines["event"] == "purchase") & lines["category"].notna()]
    position = pd.Series(np.arange(len(ids), dtype=np.int64), index=ids)
    pairs = pd.DataFrame({
        "pos": position.reindex(buys["customer_id"].to_numpy()).to_numpy(),
        "category": buys["category"].astype(str).to_numpy(dtype=object),
    }).dropna().drop_duplicates()
    return {
        str(cat): np.sort(group["pos"].to_numpy(dtype=np.int64))
        for cat, group in pairs.groupby("category", sort=True)
    }


def select(data: CampaignData, filt: CampaignFilter) -> pd.DataFrame:
    """The customers on the list, in the frame's order (highest expected spend first), as a new
    frame with :data:`FRAME_COLUMNS` numbered from 0. Milliseconds: no database, no model.

    NoData in one sentence for a segment the active profiles run does not have. Its ``attrs``
    carry ``horizon_days``, ``as_of_ms`` and ``spend_check`` (the check's sentence) for
    :func:`plan`'s words.
    """
    f = data.frame
    n = len(f)
    keep = np.ones(n, dtype=bool)
    if filt.segment is not None:
        # Names as typed: "bargain home decor regulars" is that segment.
        named = {s.casefold(): s for s in data.segments}
        segment = named.get(filt.segment.strip().casefold())
        if segment is None:
            if not data.segments:
                raise NoData(tr("There are no segments yet: train customer profiles first."))
            raise NoData(tr("There is no segment “{0}”: the segments are {1}.").format(
                filt.segment, ", ".join(data.segments)))
        keep &= f["segment"].to_numpy(dtype=object) == segment
    intent = f["intent"].to_numpy(dtype=np.float64)
    if filt.min_intent is not None:
        keep &= intent >= filt.min_intent  # NaN compares False: unscored customers drop out
    if filt.max_intent is not None:
        keep &= intent <= filt.max_intent
    if filt.last_seen_days is not None:
        last = f["last_ms"].to_numpy(dtype=np.int64)
        ref = data.as_of_ms if data.as_of_ms is not None else int(last.max(initial=0))
        keep &= last > ref - int(filt.last_seen_days) * MS_PER_DAY
    revenue = f["revenue"].to_numpy(dtype=np.float64)
    if filt.min_spend is not None:
        keep &= revenue >= filt.min_spend
    if filt.max_spend is not None:
        keep &= revenue <= filt.max_spend
    for category, wanted in ((filt.bought_category, True), (filt.never_bought_category, False)):
        if category is None:
            continue
        bought = np.zeros(n, dtype=bool)
        bought[data.bought.get(category, np.empty(0, dtype=np.int64))] = True
        keep &= bought if wanted else ~bought
    rows = f.iloc[np.flatnonzero(keep)].reset_index(drop=True)
    rows.attrs = {
        "horizon_days": data.horizon_days,
        "as_of_ms": data.as_of_ms,
        "spend_check": None if data.spend_check is None else data.spend_check.sentence,
        "spend_source": data.spend_source,
    }
    return rows


@dataclass(frozen=True)
class Plan:
    """What contacting the first ``contacts`` customers of a list should bring, and the most
    profitable list size: ``curve_profit[n]`` is the expected profit of the first ``n``
    (``curve_n`` = 0..len), ``best_cut`` the smallest ``n`` with the highest of them."""

    contacts: int
    expected_buyers: float
    expected_non_buyers: float
    expected_revenue: float
    expected_profit: float
    best_cut: int
    best_profit: float
    curve_n: np.ndarray
    curve_profit: np.ndarray
    sentence: str


def plan(
    rows: pd.DataFrame,
    *,
    top: int | None,
    margin_pct: float = DEFAULT_MARGIN_PCT,
    cost_per_contact: float = DEFAULT_COST_PER_CONTACT,
) -> Plan:
    """The money of contacting the first ``top`` of ``rows`` (:func:`select`'s list; None:
    all of them): profit(n) = margin% × Σ_{i<n} expected_spend_i − cost × n; expected buyers
    Σ intent, non-buyers n − Σ intent. Customers without a score count as no spend and no
    buyer. ValueError in one sentence for a negative ``top`` or cost, or a margin outside
    0..100."""
    if top is not None and top < 0:
        raise ValueError(tr("The list size must be 0 or more."))
    if not 0.0 <= margin_pct <= 100.0:
        raise ValueError(tr("The margin must be a percentage from 0 to 100."))
    if not cost_per_contact >= 0.0 or math.isinf(cost_per_contact):
        raise ValueError(tr("The cost per contact must be a number, 0 or more."))
    n = len(rows)
    spend = np.nan_to_num(rows["expected_spend"].to_numpy(dtype=np.float64), nan=0.0)
    intent = np.nan_to_num(rows["intent"].to_numpy(dtype=np.float64), nan=0.0)
    curve_n = np.arange(n + 1, dtype=np.int64)
    revenue = np.concatenate([[0.0], np.cumsum(spend)])
    profit = margin_pct / 100.0 * revenue - cost_per_contact * curve_n
    best = int(np.argmax(profit))  # the first maximum: the smallest list that earns it
    contacts = n if top is None else min(int(top), n)
    buyers = float(intent[:contacts].sum())
    done = Plan(
        contacts=contacts, expected_buyers=buyers, expected_non_buyers=contacts - buyers,
        expected_revenue=float(revenue[contacts]), expected_profit=float(profit[contacts]),
        best_cut=best, best_profit=float(profit[best]), curve_n=curve_n, curve_profit=profit,
        sentence="",
    )
    return replace(done, sentence=_plan_sentence({**rows.attrs, "listed": len(rows)}, done, margin_pct,
                                                 cost_per_contact))


def _plan_sentence(attrs: Mapping[str, Any], done: Plan, margin_pct: float, cost: float) -> str:
    contacts, best_cut = done.contacts, done.best_cut
    horizon = attrs.get("horizon_days")
    if attrs.get("spend_source") == "value" and horizon:
        head = tr("From the purchase-intent probabilities of buying within {0} days and the "
                  "customer-value run's expected spend over the same days (it measured better "
                  "than each customer's own spend rate):").format(int(horizon))
    elif horizon:
        head = tr("From the purchase-intent probabilities of buying within {0} days (checked "
                  "on the latest {0} days) and each customer's expected order value:"
                  ).format(int(horizon))
    else:
        head = tr("From the purchase-intent probabilities and each customer's expected order "
                  "value:")
    if contacts == 0:
        body = tr("nobody is contacted, so nothing is spent or earned.")
    else:
        body = tr(
            "contacting {0:,} customers should reach about {1:,.1f} buyers ({2:,.1f} will not "
            "buy) and bring about {3:,.2f} in orders; at a {4:g}% margin and {5:,.2f} per "
            "contact the expected profit is {6:,.2f}."
        ).format(contacts, done.expected_buyers, done.expected_non_buyers,
                 done.expected_revenue, margin_pct, cost, done.expected_profit)
    if attrs.get("listed") == 0:
        best = tr("No customer matches these filters: loosen them to get a list.")
    elif best_cut == 0:
        best = tr("No list size is expected to pay for its contacts at this margin and cost.")
    else:
        best = tr("The most profitable list is the first {0:,} (expected profit {1:,.2f})."
                  ).format(best_cut, done.best_profit)
    parts = [join_sentences(head, body), best]
    check = attrs.get("spend_check")
    if check:
        parts.append(str(check))
    return join_sentences(*parts)
