"""Segments in plain language: their names and descriptions (``engine.profiles.clusters``
finds them)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from engine.exports import FORMULA_STARTS
from engine.profiles.features import CATEGORY_PREFIX
from engine.words import tr

#: The words segment names are made of (English keys; the name shows them translated).
NAME_WORDS = (
    "Weekend", "Evening", "bargain", "premium", "lapsed", "shoppers", "researchers",
    "regulars", "cart abandoners", "hunters", "browsers", "occasional buyers", "big spenders",
    "frequent", "occasional", "big-basket", "small-basket", "more active", "less active",
)
#: The labels of the traits charted for a segment (the Segments page translates them).
TRAIT_LABELS = (
    "share of revenue", "activity on weekends", "activity in the evening",
    "views per purchase", "share of searches", "share of favorites", "carts abandoned",
    "purchase days per customer", "typical item price", "typical basket value",
)


def trait_label(label: str) -> str:
    """A trait's label as saved (English) in the user's words; "activity in X" keeps the
    shop's category X as it is."""
    if label.startswith("activity in ") and label not in TRAIT_LABELS:
        return tr("activity in {0}").format(label.removeprefix("activity in "))
    return tr(label)


@dataclass(frozen=True)
class Segment:
    """One customer segment, described for a shop owner.

    ``traits`` are (label, segment value, overall value) triples for a chart; ``top_categories``
    are (category, share of the segment's activity); ``top_items`` are (item, purchases).
    """

    id: int
    name: str
    description: str
    size: int
    share: float
    revenue_share: float
    avg_intent: float | None
    top_categories: list[tuple[str, float]]
    top_items: list[tuple[str, int]]
    traits: list[tuple[str, float, float]]


def plain_label(text: str) -> str:
    """Shop text (a category) as it may appear in a segment name or description.

    Leading characters that would make a spreadsheet run the text as a formula (``=``, ``+``,
    ``-``, ``@``, tab, carriage return, and spaces before them) are dropped, and line breaks and
    tabs inside become spaces, so ``=1+2`` reads ``1+2``. Empty when nothing is left.
    """
    chars = "".join(FORMULA_STARTS) + " \u00a0"
    return " ".join(str(text).lstrip(chars).split())


def _pct(v: float) -> str:
    return f"{100 * v:.0f}%"


def describe_segments(
    features: pd.DataFrame,
    labels: npt.NDArray[np.int64],
    events: pd.DataFrame,
    intent_scores: pd.Series | None,
) -> list[Segment]:
    """Name and describe each segment by what sets it apart from the whole customer base."""
    f = features
    n = len(f)
    seg = pd.Series(labels, index=f.index)
    cat_cols = [c for c in f.columns if c.startswith(CATEGORY_PREFIX)]
    sums = f.groupby(seg.to_numpy()).sum()
    tot = f.sum()
    means = f.groupby(seg.to_numpy()).mean()
    overall = f.mean()
    revenue_total = max(float(tot["monetary"]), 1e-9)

    def ratio_sum(num: str, den: str, s: pd.Series) -> float:
        return float(s[num]) / max(float(s[den]), 1.0)

    # Events of each segment, for top items.
    ev_seg = seg.reindex(events["customer_id"].to_numpy()).to_numpy()
    buys = events["event"].to_numpy() == "purchase"

    # Only what the log has: a purchase-only export says nothing about views, searches,
    # favorites or carts, so no trait or name may speak of them.
    has = {k: float(tot[f"n_{k}"]) > 0 for k in ("view", "search", "favorite", "cart")}
    segments: list[Segment] = []
    used: set[str] = set()
    for sid in sorted(np.unique(labels).tolist()):
        s_sum, s_mean = sums.loc[sid], means.loc[sid]
        size = int((labels == sid).sum())
        share = size / n
        rev_share = float(s_sum["monetary"]) / revenue_total
        # Category shares of the segment's activity (events-weighted), and of everyone.
        seg_cat = (f.loc[seg == sid, cat_cols].mul(f.loc[seg == sid, "events"], axis=0)).sum()
        seg_cat = seg_cat / max(float(seg_cat.sum()), 1e-9)
        all_cat = f[cat_cols].mul(f["events"], axis=0).sum()
        all_cat = all_cat / max(float(all_cat.sum()), 1e-9)
        top_cats = [
            (c[len(CATEGORY_PREFIX) :], float(v))
            for c, v in seg_cat.sort_values(ascending=False).items()
            if v > 0
        ][:5]
        weekend_s = float((f.loc[seg == sid, "weekend_share"] * f.loc[seg == sid, "events"]).sum())
        weekend_s /= max(float(s_sum["events"]), 1.0)
        weekend_o = float((f["weekend_share"] * f["events"]).sum()) / max(float(tot["events"]), 1)
        evening_s = float((f.loc[seg == sid, "evening_share"] * f.loc[seg == sid, "events"]).sum())
        evening_s /= max(float(s_sum["events"]), 1.0)
        evening_o = float((f["evening_share"] * f["events"]).sum()) / max(float(tot["events"]), 1)
        # The same shares among all other customers (what a segment is set apart from).
        rest_events = max(float(tot["events"]) - float(s_sum["events"]), 1.0)
        weekend_r = weekend_o * float(tot["events"]) - weekend_s * float(s_sum["events"])
        evening_r = evening_o * float(tot["events"]) - evening_s * float(s_sum["events"])
        weekend_r, evening_r = max(weekend_r, 0.0) / rest_events, max(evening_r, 0.0) / rest_events
        vpp_s = ratio_sum("n_view", "n_purchase", s_sum)
        vpp_o = ratio_sum("n_view", "n_purchase", tot)
        search_s = ratio_sum("n_search", "events", s_sum)
        search_o = ratio_sum("n_search", "events", tot)
        fav_s = ratio_sum("n_favorite", "events", s_sum)
        fav_o = ratio_sum("n_favorite", "events", tot)
        aband_s = 1 - min(float(s_sum["n_purchase"]), float(s_sum["n_cart"])) / max(
            float(s_sum["n_cart"]), 1.0
        )
        aband_o = 1 - min(float(tot["n_purchase"]), float(tot["n_cart"])) / max(
            float(tot["n_cart"]), 1.0
        )
        buys_s, buys_o = float(s_mean["purchase_days"]), float(overall["purchase_days"])
        ev_s = float(f.loc[seg == sid, "events"].median())
        ev_o = float(f["events"].median())
        # 0 means "no price seen" (logs without prices): such customers say nothing about
        # price level, and a segment mostly without prices gets no price words at all.
        known = f["price_level"] > 0
        in_seg = seg == sid
        price_s = (
            float(f.loc[in_seg & known, "price_level"].median())
            if known[in_seg].mean() >= 0.5
            else float("nan")
        )
        price_o = float(f.loc[known, "price_level"].median()) if known.any() else 0.0
        basket_s = float(f.loc[seg == sid, "basket_value"].median())
        basket_o = float(f["basket_value"].median())

        traits: list[tuple[str, float, float]] = [
            ("share of revenue", rev_share, share),
            ("activity on weekends", weekend_s, weekend_o),
            ("activity in the evening", evening_s, evening_o),
            *([("views per purchase", vpp_s, vpp_o)] if has["view"] else []),
            *([("share of searches", search_s, search_o)] if has["search"] else []),
            *([("share of favorites", fav_s, fav_o)] if has["favorite"] else []),
            *([("carts abandoned", aband_s, aband_o)] if has["cart"] else []),
            ("purchase days per customer", buys_s, buys_o),
            ("typical item price", price_s, price_o),
            ("typical basket value", basket_s, basket_o),
        ]
        traits = [t for t in traits if t[1] == t[1] and t[2] == t[2]]  # drop unknown values
        if top_cats:
            c0 = top_cats[0][0]
            traits.append(
                (f"activity in {c0}", top_cats[0][1], float(all_cat[CATEGORY_PREFIX + c0]))
            )

        def rel(a: float, b: float) -> float:
            return (a + 1e-9) / (b + 1e-9)

        # Rule table: trait -> words, when the segment stands out on it.
        words: list[str] = []
        phrases: list[tuple[float, str]] = []
        # A time of day or week names a segment when most of its activity is there, or when
        # it is several times that of all other customers (39% in the evening against 0.2%
        # sets a segment apart, though it is not "most").
        if (weekend_s >= 0.45 and rel(weekend_s, weekend_o) >= 1.3) or (
            weekend_s >= 0.2 and rel(weekend_s, weekend_r) >= 3
        ):
            words.append("Weekend")
            phrases.append(
                (
                    rel(weekend_s, weekend_o),
                    tr("{0} of activity on weekends (average {1})").format(
                        _pct(weekend_s), _pct(weekend_o)),
                )
            )
        elif (evening_s >= 0.45 and rel(evening_s, evening_o) >= 1.3) or (
            evening_s >= 0.2 and rel(evening_s, evening_r) >= 3
        ):
            words.append("Evening")
            phrases.append(
                (
                    rel(evening_s, evening_o),
                    tr("{0} of activity in the evening (average {1})").format(
                        _pct(evening_s), _pct(evening_o)),
                )
            )
        if price_o > 0 and price_s <= 0.6 * price_o:
            words.append("bargain")
            phrases.append(
                (
                    rel(price_o, price_s),
                    tr("typical item price {0:.2f} vs {1:.2f} overall").format(price_s, price_o),
                )
            )
        elif price_o > 0 and price_s >= 1.6 * price_o:
            words.append("premium")
            phrases.append(
                (
                    rel(price_s, price_o),
                    tr("typical item price {0:.2f} vs {1:.2f} overall").format(price_s, price_o),
                )
            )
        # A category names the segment only when it clearly leads: a segment that splits its
        # activity 40/40 between two categories (two habits merged) is not "Toys" shoppers.
        second = top_cats[1][1] if len(top_cats) > 1 else 0.0
        if (
            top_cats
            and top_cats[0][1] >= 0.35
            and top_cats[0][1] >= 1.5 * second
            and top_cats[0][0] != "other"
            and plain_label(top_cats[0][0])
        ):
            words.append(plain_label(top_cats[0][0]))
        noun = "shoppers"
        if has["search"] and rel(search_s, search_o) >= 1.5 and search_s >= 0.15:
            noun = "researchers"
            phrases.append(
                (
                    rel(search_s, search_o),
                    tr("search {0:.1f}x more than average").format(rel(search_s, search_o)),
                )
            )
        elif rel(buys_s, buys_o) >= 1.4 and basket_s <= basket_o * 1.2:
            noun = "regulars"
            phrases.append(
                (
                    rel(buys_s, buys_o),
                    tr("buy on {0:.1f} days vs {1:.1f} on average, in small baskets").format(
                        buys_s, buys_o),
                )
            )
        elif has["cart"] and aband_s >= 0.6 and rel(aband_s, aband_o) >= 1.2:
            noun = "cart abandoners"
            phrases.append(
                (
                    rel(aband_s, aband_o),
                    tr("abandon {0} of carts (average {1})").format(_pct(aband_s), _pct(aband_o)),
                )
            )
        elif has["view"] and (
            rel(vpp_s, vpp_o) >= 1.4 or ("bargain" in words and rel(vpp_s, vpp_o) >= 1.15)
        ):
            noun = "hunters" if "bargain" in words else "browsers"
            phrases.append(
                (
                    rel(vpp_s, vpp_o),
                    tr("view {0:.1f}x more items per purchase than average").format(
                        rel(vpp_s, vpp_o)),
                )
            )
        elif rel(buys_s, buys_o) <= 0.6:
            noun = "browsers" if has["view"] else "occasional buyers"
            phrases.append(
                (rel(buys_o, buys_s), tr("buy on {0:.1f} days vs {1:.1f} on average").format(buys_s, buys_o))
            )
        views_phrase = tr("view {0:.1f}x more items per purchase than average").format(
            rel(vpp_s, vpp_o))
        if (has["view"] and rel(vpp_s, vpp_o) >= 1.4
                and not any(p == views_phrase for _, p in phrases)):
            phrases.append(
                (
                    rel(vpp_s, vpp_o),
                    tr("view {0:.1f}x more items per purchase than average").format(
                        rel(vpp_s, vpp_o)),
                )
            )
        if has["favorite"] and rel(fav_s, fav_o) >= 1.5:
            phrases.append(
                (rel(fav_s, fav_o), tr("favorite {0:.1f}x more than average").format(rel(fav_s, fav_o)))
            )
        if noun == "shoppers" and rev_share >= 1.8 * share:
            noun = "big spenders"
            phrases.append(
                (rev_share / share, tr("spend {0:.1f}x the average per customer").format(rev_share / share))
            )
        rec_s = float(f.loc[seg == sid, "recency_days"].median())
        rec_o = float(f["recency_days"].median())
        if rec_s >= 60 and rec_s >= 2 * rec_o:
            words.insert(0, "lapsed")
            phrases.append(
                (
                    rel(rec_s, rec_o),
                    tr("last active {0:.0f} days ago (median, {1:.0f} for all customers)").format(
                        rec_s, rec_o),
                )
            )
        # The words are English keys (the rules above test them); the name is in the
        # user's words. A category label is the shop's own text and stays as it is.
        shown_words = [tr(w) if w in NAME_WORDS else w for w in [*words, noun]]
        name = " ".join(shown_words)
        name = name[0].upper() + name[1:]
        if name in used:
            # Same habits as a segment named before: say what differs instead of numbering.
            # Only measured differences count: logs without purchases or prices have zeros.
            qualifiers = [
                ("frequent", buys_o > 0 and buys_s >= 1.2 * buys_o),
                ("occasional", buys_o > 0 and buys_s <= 0.8 * buys_o),
                ("big-basket", basket_o > 0 and basket_s >= 1.3 * basket_o),
                ("small-basket", basket_o > 0 and basket_s <= 0.77 * basket_o),
                ("more active", ev_s >= 1.3 * ev_o),
                ("less active", ev_s <= 0.77 * ev_o),
            ]
            for word, applies in qualifiers:
                if applies and f"{name} ({tr(word)})" not in used:
                    name = f"{name} ({tr(word)})"
                    break
            else:
                k = 2
                while f"{name} {k}" in used:
                    k += 1
                name = f"{name} {k}"
        used.add(name)

        parts = [tr("{0} of customers, {1} of revenue").format(_pct(share), _pct(rev_share))]
        phrases.sort(key=lambda p: -p[0])
        parts.extend(p for _, p in phrases[:4])
        if top_cats and top_cats[0][0] != "other":
            # Category text comes from the shop's file: only plain labels go into descriptions.
            shown = {c: plain_label(c) or tr("unnamed category") for c, _ in top_cats}
            c0 = top_cats[0][0]
            cat_text = ", ".join(f"{_pct(v)} {shown[c]}" for c, v in top_cats[:2])
            parts.append(tr("activity: {0} (average {1} {2})").format(
                cat_text, _pct(float(all_cat[CATEGORY_PREFIX + c0])), shown[c0]))
        avg_intent: float | None = None
        if intent_scores is not None:
            vals = intent_scores.reindex(f.index[seg.to_numpy() == sid]).dropna()
            avg_intent = float(vals.mean()) if len(vals) else None
            if avg_intent is not None:
                parts.append(tr("average purchase intent {0:.0%}").format(avg_intent))
        description = f"{name} — " + "; ".join(parts)

        in_seg = (ev_seg == sid) & buys
        items = events.loc[in_seg, "item"].dropna()
        if not len(items):
            items = events.loc[ev_seg == sid, "item"].dropna()
        top_items = [(str(k), int(v)) for k, v in items.value_counts().head(5).items()]
        segments.append(
            Segment(
                id=int(sid),
                name=name,
                description=description,
                size=size,
                share=share,
                revenue_share=rev_share,
                avg_intent=avg_intent,
                top_categories=top_cats,
                top_items=top_items,
                traits=traits,
            )
        )
    return segments
