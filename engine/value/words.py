"""The customer-value verdict in plain words: each prediction's check on the latest period,
with "beats" only where the paired bootstrap interval excludes zero."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from engine.words import join_sentences, tr


def _day(ms: Any) -> str:
    return datetime.fromtimestamp(int(ms) / 1000, UTC).date().isoformat()


def _percent(gap: Any) -> Any:
    """An interval of shares as percentage points."""
    return [100 * float(g) for g in gap] if isinstance(gap, list) else gap


def _against(gap: Any, better_when_positive: bool, unit: str, name: str,
             digits: int = 1) -> str:
    """"the model beats NAME (…)" / "…about as well as NAME (…)" / "NAME does better (…)" for
    [est, lo, hi], the interval to ``digits`` decimals (more where that would hide its sign)."""
    if not isinstance(gap, list) or len(gap) != 3 or any(g != g for g in gap):
        return ""
    est, lo, hi = (float(g) for g in gap)
    if not better_when_positive:
        est, lo, hi = -est, -hi, -lo

    def signed(x: float) -> str:
        if x != 0.0 and round(x, digits) == 0.0:
            return f"{x:+.1g}"
        return f"{x:+.{digits}f}"

    span = tr("95% interval {0}{2} to {1}{2}").format(signed(lo), signed(hi), unit)
    if lo > 0:
        return tr("the model beats {0} ({1}).").format(name, span)
    if hi < 0:
        return tr("{0} does better ({1}).").format(name, span)
    return tr("the model does about as well as {0} ({1}).").format(name, span)


def _spend_against(spend: dict[str, Any]) -> str:
    """Whether the model finds the big spenders and errs less than the own spend rate, each
    only when its paired interval says so."""
    def word(gap: Any) -> str:
        if not isinstance(gap, list) or len(gap) != 3 or any(g != g for g in gap):
            return "unknown"
        return "better" if gap[1] > 0 else "worse" if gap[2] < 0 else "same"

    top = word(spend.get("top10_versus_shrunk_mean"))
    overall = word(spend.get("versus_shrunk_mean"))
    tops = {"better": tr("finds the big spenders better than their own spend rate does"),
            "worse": tr("finds the big spenders less well than their own spend rate does"),
            "same": tr("finds the big spenders about as well as their own spend rate does"),
            "unknown": ""}
    overalls = {"better": tr("its overall error is smaller beyond chance"),
                "worse": tr("its overall error is larger beyond chance"),
                "same": tr("its overall error is no different beyond chance"),
                "unknown": ""}
    if tops[top] and overalls[overall]:
        said = tr("The model {0}, and {1}.").format(tops[top], overalls[overall])
        # The rule for "beats": a spend prediction is for finding who will spend (its top
        # 10%), and it must not err more overall; squared error alone is too noisy to tell
        # them apart, a few big orders weigh most.
        if top == "better" and overall != "worse":
            said = join_sentences(said, tr(
                "So it beats their own spend rate by this check's rule: it must find the big "
                "spenders better, with no larger overall error."))
        else:
            said = join_sentences(said, tr(
                "So it does not beat their own spend rate by this check's rule: it must find the "
                "big spenders better, with no larger overall error."))
        return said
    if tops[top]:
        return tr("The model {0}.").format(tops[top])
    if overalls[overall]:
        return tr("For the model, {0}.").format(overalls[overall])
    return ""


def _dates_sentence(dates: dict[str, Any], horizon_days: int) -> str:
    """The next-order check in words: every repeat customer followed up, those who did not come
    back included (runs saved before that was so keep their own sentence)."""
    if "gap_model" in dates and "observed" in dates:
        const = dates.get("constant_gap", {})
        said = tr(
            "Next-order dates, checked on the {0:,} customers who had bought on two days or more "
            "by {1}, followed for {2:.0f} days: {3:,} ordered again and {10:,} ({4:.0%}) did "
            "not, and those count too (a date guessed before the end of the {2:.0f} days is "
            "wrong by at least the days left until then). The median error is {5:.1f} days, "
            "against {6:.1f} for “last purchase + their mean gap” and {7:.1f} for guessing the "
            "shop's usual gap of {8:.0f} days for everyone; {9}").format(
            dates["customers"], _day(dates.get("period", [0])[0]),
            dates.get("follow_up_days", math.nan), dates["observed"],
            dates.get("censored_share", math.nan), dates["gap_model"]["median_abs_days"],
            dates["last_plus_gap"]["median_abs_days"], const.get("median_abs_days", math.nan),
            const.get("days", math.nan),
            _against(dates.get("versus_last_plus_gap"), True, tr(" days"),
                     tr("“last purchase + their mean gap”")),
            int(dates["customers"]) - int(dates["observed"]))
        cover = dates["gap_model"].get("coverage_80", math.nan)
        if cover == cover and dates["observed"]:
            said = join_sentences(said, tr("Of those who ordered again, {0:.0%} did so within "
                                           "the predicted range (P10–P90).").format(cover))
        return said
    if "gap_model" in dates:  # a run saved before the check counted those who did not return
        return tr(
            "Next-order dates, checked on {0:,} customers who bought again: the median error "
            "is {1:.1f} days, against {2:.1f} for “last purchase + their mean gap”; {3}").format(
            dates["customers"], dates["gap_model"]["median_abs_days"],
            dates["last_plus_gap"]["median_abs_days"],
            _against(dates.get("versus_last_plus_gap"), True, tr(" days"),
                     tr("“last purchase + their mean gap”")))
    if "follow_up_days" in dates:
        return tr("Next-order dates could not be checked: too few customers had bought on two "
                  "days or more {0:.0f} days before the as-of date.").format(
            dates["follow_up_days"])
    return tr("Next-order dates could not be checked: too few customers bought again in the "
              "latest {0} days.").format(horizon_days)


def value_verdict(metrics: dict[str, Any], horizon_days: int) -> str:
    """Three sentences: expected spend, next-order dates, churn risk."""
    out = []
    spend = metrics.get("spend", {})
    model, shrunk, shop = (spend.get(k, {}) for k in ("spend_model", "shrunk_mean",
                                                      "shop_average"))
    period = spend.get("period", [0, 0])
    unpriced = bool(model) and all(
        float(m.get("mae", math.nan)) == 0.0 for m in (model, shrunk, shop) if m)
    if unpriced:  # no prices or amounts: every spend is 0 and nothing can be compared
        out.append(tr("Expected spend could not be checked: the log has no prices or amounts, "
                      "so every spend is 0."))
    elif model:
        out.append(tr(
            "Expected spend over {0} days, checked on {1} to {2}: the top 10% by expected spend "
            "made {7:.0%} of what was spent, against {8:.0%} for the top 10% by their own spend "
            "rate. On average it is off by {3:,.2f} per customer, against {5:,.2f} for their own "
            "past spend rate and {6:,.2f} for the shop average (most customers buy nothing in "
            "{0} days, so guessing 0 for everyone is off by only {4:,.2f}, yet finds no one)."
        ).format(
                horizon_days, _day(period[0]), _day(period[1]), model["mae"],
                spend.get("nobody_buys_mae", math.nan), shrunk.get("mae", math.nan),
                shop.get("mae", math.nan), model.get("top10_capture", math.nan),
                shrunk.get("top10_capture", math.nan)))
        out.append(_spend_against(spend))
    out.append(_dates_sentence(metrics.get("next_purchase", {}), horizon_days))
    churn = metrics.get("churn", {})
    if "churn_model" in churn:
        out.append(tr(
            "Churn risk (no order within {0:.0f} days), checked from {5} on {1:,} buyers, each "
            "scored by a model that never saw them: AUC {2:.2f} against {3:.2f} for the days "
            "since their last purchase; {4} High means 70% or more, Medium 40–70%, Low under "
            "40%.").format(
            churn["window_days"], churn["customers"], churn["churn_model"]["auc"],
            churn["recency"]["auc"], _against(churn.get("versus_recency"), True, "",
                                              tr("the days since the last purchase"), 3),
            _day(churn.get("period", [0])[0])))
    else:
        out.append(tr("Churn risk could not be checked: the log is shorter than the churn "
                      "window of {0:.0f} days plus a month.").format(
            churn.get("window_days", math.nan)))
    return join_sentences(*out)
