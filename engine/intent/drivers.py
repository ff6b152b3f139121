"""What makes customers buy here, as the sequence model reads it (imports torch).

Occlusion aggregated over customers: for each kind of step (an event type in one recency window
scaled to the horizon: the last H days, H to 3H days before, earlier) every step of that kind is
dropped from each sampled customer's sequence, aggregates held fixed, as ``explain`` does for one
customer. The mean change of the predicted chance says what those steps are worth to the model;
the buy rates of customers with many or few of them say what the real data shows. Kinds rank by
their mean absolute effect on the customers who have them, each said in plain words: "Cart adds
in the last 7 days: raise the chance to buy by 4.1 points on average where they occur;
customers with 3 or more bought 2.4× as often as the rest (41% against 17%)".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt

from engine.events import EVENT_TYPES, MS_PER_DAY
from engine.value.drivers import split, strong, times
from engine.words import tr

if TYPE_CHECKING:  # torch and the dataset load when drivers are computed, not when worded
    import torch
    from torch import nn

    from engine.intent.dataset import Examples
    from engine.intent.steps import Steps

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

#: Validation customers sampled (fixed seed): enough for stable means, seconds of work.
CAP: Final[int] = 2000
#: Kinds listed.
TOP: Final[int] = 5
#: A kind is listed when it moves the chance by this many points on average where it occurs...
MIN_POINTS: Final[float] = 0.5
#: ...and at least this many sampled customers, and this share of them, have it (fewer: too
#: few to average, or too rare to be what makes customers buy here).
MIN_CUSTOMERS: Final[int] = 20
MIN_SHARE: Final[float] = 0.02
BATCH: Final[int] = 512
#: Recency windows in horizons before the cutoff: [0, 1), [1, 3), [3, ∞).
WINDOW_EDGES: Final[tuple[float, ...]] = (1.0, 3.0)
WINDOW_KEYS: Final[tuple[str, ...]] = ("recent", "before", "earlier")

#: Each event type as a plural noun (the internal names never reach a user).
KIND_WORDS: Final[dict[str, str]] = {
    "view": "Views",
    "search": "Searches",
    "click": "Clicks",
    "cart": "Cart adds",
    "remove_cart": "Removals from the cart",
    "favorite": "Favorites",
    "purchase": "Purchases",
    "refund": "Returns",
    "like": "Likes",
    "comment": "Comments",
    "share": "Shares",
    "other": "Other actions",
}


def _window_words(kind: str, window: int, horizon_days: int) -> str:
    """The kind in its window, in words ("Cart adds in the last 7 days")."""
    noun = tr(KIND_WORDS[kind])
    h = horizon_days
    if window == 0:
        return tr("{0} in the last {1} days").format(noun, h)
    if window == 1:
        return tr("{0} from {1} to {2} days before").format(noun, h, 3 * h)
    return tr("{0} more than {1} days before").format(noun, 3 * h)


def _rates(counts: F64, bought: npt.NDArray[np.bool_]) -> dict[str, float] | None:
    """The upper-quartile split of ``engine.value.drivers`` of the customers' counts of these
    steps: the fewest on the high side ("least") and the buy rates of the high side and the
    rest; None when it cannot be split or the rates barely differ."""
    found = split(counts, bought)
    if found is None or not strong(found):
        return None
    return {"least": found.least, "high": found.high, "rest": found.rest}


def _direction(counts: F64, bought: npt.NDArray[np.bool_]) -> tuple[str, bool] | None:
    """The buy rates of customers with many of these steps against the rest, in words, and
    whether those with many bought more; None when there is nothing to say."""
    rates = _rates(counts, bought)
    return None if rates is None else _rates_words(rates)


def _rates_words(rates: Mapping[str, float]) -> tuple[str, bool]:
    """A split's buy rates in words, and whether the customers with many bought more."""
    n = int(rates["least"])
    a, c = float(rates["high"]), float(rates["rest"])
    if a >= c:
        pattern = (tr("customers with any bought {0} as often as those without ({1:.0%} against "
                      "{2:.0%})") if n <= 1 else
                   tr("customers with {3} or more bought {0} as often as the rest ({1:.0%} "
                      "against {2:.0%})"))
        return pattern.format(times(a, c), a, c, n), True
    pattern = (tr("customers without any bought {0} as often as those with some ({1:.0%} "
                  "against {2:.0%})") if n <= 1 else
               tr("customers with fewer than {3} bought {0} as often as the rest ({1:.0%} "
                  "against {2:.0%})"))
    return pattern.format(times(c, a), c, a, n), False


def _sentence(label: str, points: float, said: tuple[str, bool] | None) -> str:
    """One driver in words: its effect where it occurs, then what the data shows ("yet" when
    the data points the other way: the model credits the customer's totals for that)."""
    shown = f"{abs(points):.1f}"
    effect = (tr("{0}: raise the chance to buy by {1} points on average where they occur")
              if points > 0 else
              tr("{0}: lower the chance to buy by {1} points on average where they occur"))
    text = effect.format(label, shown)
    if said is None:
        return tr("{0}.").format(text)
    words, more = said
    return (tr("{0}; {1}.") if more == (points > 0) else tr("{0}; yet {1}.")).format(text, words)


def driver_text(driver: Mapping[str, Any]) -> str:
    """A saved driver in the user's words now (a run trained in one language reads in another):
    from its "kind", "window", "horizon_days", "effect_points" and "rates"."""
    label = _window_words(str(driver["kind"]), WINDOW_KEYS.index(str(driver["window"])),
                          int(driver["horizon_days"]))
    rates = driver.get("rates")
    said = _rates_words(rates) if isinstance(rates, Mapping) else None
    return _sentence(label, float(driver["effect_points"]), said)


def _counts(steps: Steps, ex: Examples, code: int, lo_ms: int, hi_ms: int | None) -> F64:
    """Each example's steps of type ``code`` with age in [lo_ms, hi_ms) before its cutoff
    (whole history, not only the sequence the model reads)."""
    tk = steps.type_keys.get(code)
    if tk is None or len(ex) == 0:
        return np.zeros(len(ex))
    newest = np.searchsorted(tk, steps.key(ex.cust, ex.cutoff_ms - lo_ms), side="right")
    far = -(1 << 62) if hi_ms is None else ex.cutoff_ms - hi_ms
    oldest = np.searchsorted(tk, steps.key(ex.cust, far), side="right")
    return np.asarray(newest - oldest, dtype=np.float64)


def _probs(model: nn.Module, batch: dict[str, npt.NDArray[Any]], device: torch.device) -> F64:
    """The model's chance to buy for each row of a gathered batch, in batches by length."""
    import torch

    from engine.intent.model import to_tensors

    n = len(batch["lengths"])
    out = np.zeros(n, dtype=np.float64)
    order = np.argsort(batch["lengths"], kind="stable")
    with torch.no_grad():
        for i in range(0, n, BATCH):
            idx = order[i : i + BATCH]
            width = max(int(batch["lengths"][idx].max()), 1)
            part = {k: (v[idx][:, :width] if v.ndim >= 2 and k not in ("agg",) else v[idx])
                    for k, v in batch.items()}
            out[idx] = torch.sigmoid(model(to_tensors(part, device))).double().cpu().numpy()
    return out


def _without(base: dict[str, npt.NDArray[Any]], rows: I64, drop: npt.NDArray[np.bool_]
             ) -> dict[str, npt.NDArray[Any]]:
    """The batch rows ``rows`` with their ``drop`` steps removed: later steps shift left, freed
    slots become padding; a history left empty is one blank step (aggregates kept)."""
    lengths = base["lengths"][rows]
    width = base["etype"].shape[1]
    # A stable sort on "dropped" moves the kept steps to the front in their order.
    order = np.argsort(drop, axis=1, kind="stable")
    kept = lengths - drop.sum(axis=1)
    pad = np.arange(width)[None, :] >= kept[:, None]
    out: dict[str, npt.NDArray[Any]] = {}
    for key, arr in base.items():
        if key in ("lengths", "agg", "label"):
            out[key] = arr[rows]
            continue
        part = arr[rows]
        index = order.reshape(order.shape + (1,) * (part.ndim - 2))
        moved = np.take_along_axis(part, index, axis=1)
        moved[pad] = 0
        out[key] = moved
    out["lengths"] = np.maximum(kept, 1).astype(np.int64)
    return out


def sequence_drivers(
    model: nn.Module,
    steps: Steps,
    ex: Examples,
    horizon_days: int,
    device: torch.device,
    *,
    seed: int,
    cap: int = CAP,
    top: int = TOP,
) -> list[dict[str, Any]]:
    """The kinds of step that move the sequence model's chance to buy most, over up to ``cap``
    examples of ``ex`` (the validation customers, sampled with ``seed``), largest effect first:
    ``text`` (the sentence), ``effect_points`` (mean change in percentage points on the
    customers with such steps: positive raised the chance), ``abs_points`` (mean absolute
    change on them, the ranking), ``share`` (of sampled customers with such steps), ``kind``
    (the event type) and ``window`` ("recent", "before" or "earlier").

    ``model`` is any module with the intent network's ``forward`` (a batch dict -> logits).
    Kinds absent from the log, or too rare to average, give no entry. Each entry also keeps
    what ``driver_text`` words it from ("horizon_days", "rates": the buy rates of customers
    with many such steps and the rest, or None).
    """
    from engine.intent.dataset import gather
    from engine.intent.steps import TYPE_CODE

    if len(ex) == 0:
        return []
    rng = np.random.default_rng(seed)
    n = min(cap, len(ex))
    idx = np.sort(rng.choice(len(ex), size=n, replace=False)).astype(np.int64)
    model.eval()
    base = gather(steps, ex, idx)
    p0 = _probs(model, base, device)
    lengths: I64 = np.asarray(base["lengths"], dtype=np.int64)
    width = base["etype"].shape[1]
    valid = np.arange(width)[None, :] < lengths[:, None]
    pos = np.where(valid, ex.start[idx][:, None] + np.arange(width)[None, :], 0)
    age = (ex.cutoff_ms[idx][:, None] - steps.time_ms[pos]).astype(np.float64)
    h = horizon_days * MS_PER_DAY
    window = np.searchsorted(np.array(WINDOW_EDGES) * h, age, side="right")
    bought = ex.label.astype(bool)
    found: list[dict[str, Any]] = []
    for kind in EVENT_TYPES:
        code = TYPE_CODE[kind]
        is_kind = valid & (base["etype"] == code)
        if not is_kind.any():
            continue
        for w, key in enumerate(WINDOW_KEYS):
            drop = is_kind & (window == w)
            rows = np.flatnonzero(drop.any(axis=1))
            if len(rows) < max(MIN_CUSTOMERS, MIN_SHARE * n):
                continue
            effect = p0[rows] - _probs(model, _without(base, rows, drop[rows]), device)
            points = float(effect.mean()) * 100.0
            if abs(points) < MIN_POINTS:
                continue
            lo = 0 if w == 0 else int(WINDOW_EDGES[w - 1] * h)
            hi = int(WINDOW_EDGES[w] * h) if w < len(WINDOW_EDGES) else None
            driver: dict[str, Any] = {
                "text": "",
                "effect_points": round(points, 2),
                "abs_points": round(float(np.abs(effect).mean()) * 100.0, 3),
                "share": round(len(rows) / n, 4),
                "kind": kind,
                "window": key,
                "horizon_days": horizon_days,
                "rates": _rates(_counts(steps, ex, code, lo, hi), bought),
            }
            driver["text"] = driver_text(driver)
            found.append(driver)
    found.sort(key=lambda d: -float(d["abs_points"]))
    return found[:top]
