"""The forecast's verdicts in plain words, per level: how far off it usually is, whether the
served method beats seasonal naive (only when the paired interval says so), and whether the
views and carts, and the expected buyers from the customers' intent, helped."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from engine.forecast.config import NAMES
from engine.words import join_sentences, tr

#: Above this typical item error a range is more honest than a number.
ITEM_RANGE_WAPE = 0.5


def _period(period_days: int) -> str:
    return tr("a week") if period_days == 7 else tr("a day")


def comparison(name_a: str, name_b: str, gap: tuple[float, float, float]) -> str:
    """"A beats B (errors 12% lower, 95% interval 5% to 19%)" only when the interval excludes
    zero; "A does about as well as B" otherwise; "B beats A" when it is clearly worse."""
    est, lo, hi = gap
    if lo > 0:
        return tr("{0} beats {1}: its errors are {2:.0%} lower (95% interval {3:.0%} to "
                  "{4:.0%})").format(name_a, name_b, est, lo, hi)
    if hi < 0:
        return tr("{1} beats {0}: the errors of {0} are {2:.0%} higher").format(
            name_a, name_b, -est)
    return tr("{0} does about as well as {1} (the difference, {2:+.0%}, is within "
              "chance)").format(name_a, name_b, est)


def level_verdict(level: str, info: dict[str, Any], period_days: int) -> str:
    """One level's sentence, e.g. "For the whole shop it is usually within ±9% a week; …"."""
    served = str(info.get("served", ""))
    wape = float(info.get("methods", {}).get(served, {}).get("wape", math.nan))
    name = tr(NAMES.get(served, served))
    if not math.isfinite(wape):
        return tr("Nothing sold in the checked weeks at this level, so the error is unknown.")
    within = tr("off by {0:.0%} {1} on average").format(wape, _period(period_days))
    if level == "shop":
        text = tr("For the whole shop, {0} is {1}").format(name, within)
    elif level == "category":
        text = tr("For a category, {0} is {1}").format(name, within)
    elif wape > ITEM_RANGE_WAPE:
        text = tr("For single items a range is more honest than a number: {0} is typically "
                  "off by {1:.0%} {2}").format(name, wape, _period(period_days))
    else:
        text = tr("For single items, {0} is {1}").format(name, within)
    gap = info.get("versus_naive")
    if served != "seasonal_naive" and isinstance(gap, list) and len(gap) == 3:
        text += tr("; ") + comparison(name, tr(NAMES["seasonal_naive"]),
                                      (float(gap[0]), float(gap[1]), float(gap[2])))
    return text + tr(".")


#: The levels as a signal's sentence names them.
WHERE = {"shop": "the whole shop", "category": "categories", "item": "single items"}


def signal_verdict(signal: str, gaps: dict[str, Any]) -> str:
    """Whether a demand signal helped the global model, level by level, from the paired
    intervals of the model with and without it: ``signal`` is "signals" (views and carts) or
    "buyers" (the expected buyers from the customers' intent); ``gaps`` maps each level to
    its (estimate, low, high), or None when the signal could not be learned."""
    measured = {lvl: g for lvl, g in gaps.items() if isinstance(g, list | tuple) and len(g) == 3}
    if signal == "buyers" and any(g is None for g in gaps.values()) and not measured:
        return tr("The expected buyers were left out: the log has too few customers, or too "
                  "few who bought, to learn each customer's chance to buy.")
    if not measured:
        return ""
    helped, hurt, same = [], [], []
    for lvl, (est, lo, hi) in measured.items():
        where = tr(WHERE.get(lvl, lvl))
        if lo > 0:
            helped.append(tr("{0} ({1:.0%} lower errors, 95% interval {2:.0%} to {3:.0%})")
                          .format(where, est, lo, hi))
        elif hi < 0:
            hurt.append(tr("{0} ({1:.0%} higher errors)").format(where, -est))
        elif est >= 0:
            same.append(tr("{0} (errors {1:.0%} lower, within chance)").format(where, est))
        else:
            same.append(tr("{0} (errors {1:.0%} higher, within chance)").format(where, -est))
    name = (tr("Views and carts") if signal == "signals"
            else tr("The expected buyers from the customers' intent"))
    def listed(found: list[str]) -> str:
        return found[0] if len(found) == 1 else tr("{0} and {1}").format(
            ", ".join(found[:-1]), found[-1])

    parts = []
    if helped:
        parts.append(tr("helped the global model for {0}").format(listed(helped)))
    if hurt:
        parts.append(tr("made the global model worse for {0}").format(listed(hurt)))
    if same:
        parts.append(tr("made no clear difference to the global model for {0}").format(
            listed(same)))
    return tr("{0} {1}.").format(name, tr("; ").join(parts))


def global_note(served: dict[str, str]) -> str:
    """What "the global model" is and whether it serves any level, before the sentences on its
    signals: where it serves none, the signals do not change this forecast."""
    levels = [tr(WHERE.get(lvl, lvl)) for lvl, method in served.items()
              if method.startswith("global_gbm")]
    if not levels:
        return tr("The global model (one gradient-boosting model learned across all series, "
                  "the one that reads views, carts and the expected buyers) serves no level "
                  "here, so its signals do not change this forecast:")
    listed = levels[0] if len(levels) == 1 else tr("{0} and {1}").format(
        ", ".join(levels[:-1]), levels[-1])
    return tr("The global model (one gradient-boosting model learned across all series, the "
              "one that reads views, carts and the expected buyers) serves {0}:").format(listed)


def coverage_note(coverage: float) -> str:
    """What the P10–P90 coverage means, when it is off."""
    if not math.isfinite(coverage):
        return ""
    if coverage < 0.7:
        return tr("The P10–P90 range held only {0:.0%} of the actual periods in the backtest "
                  "(80% is the aim): treat it as too narrow.").format(coverage)
    if coverage > 0.9:
        return tr("The P10–P90 range held {0:.0%} of the actual periods in the backtest (80% is "
                  "the aim): it is on the cautious side.").format(coverage)
    return tr("The P10–P90 range held {0:.0%} of the actual periods in the backtest (80% is "
              "the aim).").format(coverage)


def forecast_verdict(levels: Sequence[str], level_info: Mapping[str, Any],
                     period_days: int) -> str:
    """The whole verdict of a forecast run from its figures (``metrics["levels"]``), coarsest
    level first: each level's error and method, what the demand signals did for the global
    model, and how often the P10–P90 range held at the finest level. Worded again each time a
    run is shown, so it reads in the language of that moment."""
    sentences = [level_verdict(lvl, level_info[lvl], period_days) for lvl in levels]
    said = [signal_verdict(signal, {lvl: level_info[lvl][signal] for lvl in levels
                                    if signal in level_info[lvl]})
            for signal in ("signals", "buyers")]
    if any(said):
        sentences.append(global_note({lvl: level_info[lvl]["served"] for lvl in levels}))
    sentences += said
    finest = level_info[levels[-1]]
    sentences.append(coverage_note(float(finest["methods"][finest["served"]]["coverage_80"])))
    return join_sentences(*sentences)
