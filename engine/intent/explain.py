"""Why a customer got their score: occlusion over the steps of their sequence (imports torch)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from engine.events import MS_PER_DAY
from engine.intent.dataset import examples_at, gather
from engine.intent.model import ensure_threads, pick_device, to_tensors
from engine.intent.network import _int, horizon_ms, load_model
from engine.intent.reports import Reason
from engine.intent.steps import build_steps
from engine.words import tr

VERBS: dict[str, str] = {
    "view": "Viewed {x}",
    "search": "Searched for {q}",
    "click": "Clicked {x}",
    "cart": "Added {x} to cart",
    "remove_cart": "Removed {x} from cart",
    "favorite": "Saved {x} as a favorite",
    "purchase": "Bought {x}",
    "refund": "Returned {x}",
    "like": "Liked {x}",
    "comment": "Commented on {x}",
    "share": "Shared {x}",
    "other": "Did something with {x}",
}


def _text_or_none(value: object) -> str | None:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def _ago(delta_ms: int) -> str:
    days = delta_ms / MS_PER_DAY
    if days < 1:
        hours = int(round(delta_ms / 3_600_000))
        if hours < 1:
            return tr("just before the as-of date")
        return tr("1 hour ago") if hours == 1 else tr("{0} hours ago").format(hours)
    d = int(round(days))
    return tr("1 day ago") if d == 1 else tr("{0} days ago").format(d)


def explain_customer(
    events: pd.DataFrame,
    customer_id: int,
    state_dict: dict[str, torch.Tensor],
    config: dict[str, object],
    top: int = 5,
    item_names: dict[str, str] | None = None,
) -> list[Reason]:
    """The ``top`` steps whose removal changes the customer's score most, largest effect first.

    A step is one event, or the lines of one basket at one second. ``effect`` is the score with
    the step minus the score without it (aggregates held fixed), so positive steps raised the
    customer's purchase intent. Returns an empty list for a customer without history.
    """
    ensure_threads()
    as_of = _int(config, "as_of_ms")
    steps = build_steps(events, as_of)
    c = int(np.searchsorted(steps.customer_ids, customer_id))
    if c >= steps.n_customers or steps.customer_ids[c] != customer_id:
        return []
    ex = examples_at(steps, as_of, _int(config, "seq_len"), None, window_ms=horizon_ms(config))
    row = int(np.searchsorted(ex.cust, c))
    base = gather(steps, ex, np.array([row]))
    n = int(base["lengths"][0])
    positions = int(ex.start[row]) + np.arange(n)
    # Candidates: every single step, and every item's steps together ("viewed X five times"
    # matters even when no single view does).
    groups: list[list[int]] = [[i] for i in range(n)]
    items = [_text_or_none(steps.rows.iloc[int(steps.first_row[int(p)])]["item"]) for p in positions]
    by_item: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        if item is not None:
            by_item.setdefault(item, []).append(i)
    groups.extend(g for g in by_item.values() if 1 < len(g) < n)
    # Variant k drops group k: later steps shift left, freed slots at the end are padding.
    keep_rows = []
    lengths = [n]
    for g in groups:
        gs = set(g)
        kept = [j for j in range(n) if j not in gs]
        lengths.append(max(len(kept), 1))
        keep_rows.append(kept + [0] * (n - len(kept)))
    keep = np.array(keep_rows, dtype=np.int64)
    n_kept = np.array(lengths[1:], dtype=np.int64)
    batch: dict[str, np.ndarray] = {}
    for key, arr in base.items():
        if key in ("lengths", "agg", "label"):
            batch[key] = np.concatenate([arr, np.repeat(arr, len(groups), axis=0)])
            continue
        variants = arr[0][keep]
        pad = np.arange(n)[None, :] >= n_kept[:, None]
        variants[pad] = 0
        batch[key] = np.concatenate([arr, variants])
    batch["lengths"] = np.array(lengths, dtype=np.int64)
    device = pick_device(str(config.get("device", "auto")))
    model = load_model(state_dict, config, device)
    with torch.no_grad():
        probs = torch.sigmoid(model(to_tensors(batch, device))).double().cpu().numpy()
    effects = probs[0] - probs[1:]
    reasons: list[Reason] = []
    used: set[int] = set()
    for k in np.argsort(-np.abs(effects), kind="stable"):
        if len(reasons) >= top:
            break
        g = groups[int(k)]
        if abs(float(effects[int(k)])) < 0.0005:
            break  # below a twentieth of a point: nothing worth saying
        if used.intersection(g):
            continue  # already explained by a larger or stronger group
        used.update(g)
        last = int(positions[g[-1]])
        first = steps.rows.iloc[int(steps.first_row[last])]
        event = str(first["event"])
        item = _text_or_none(first["item"])
        lines = int(steps.lines[last])
        label = (item_names or {}).get(item, item) if item is not None else None
        what = f"'{label}'" if label is not None else tr("an item")
        if lines > 1:
            what = tr("{0} items ({1} and more)").format(lines, what)
        query = _text_or_none(first["query"])
        if len(g) > 1:
            verb = tr("Interacted with '{0}' {1} times, last").format(label, len(g))
        else:
            verb = tr(VERBS.get(event, VERBS["other"])).format(x=what, q=f"'{query or ''}'")
        points = float(effects[int(k)]) * 100.0
        shown = f"{points:+.1f}" if abs(points) < 1 else f"{points:+.0f}"
        # Points of the purchase probability: "+0.9 percentage points" of intent.
        pattern = (tr("{0} {1}: {2} percentage point") if shown in ("+1", "-1")
                   else tr("{0} {1}: {2} percentage points"))
        text = pattern.format(verb, _ago(as_of - int(steps.time_ms[last])), shown)
        reasons.append(
            Reason(
                time_ms=int(steps.time_ms[last]),
                event=event,
                item=item,
                category=_text_or_none(first["category"]),
                effect=float(effects[int(k)]),
                text=text,
            )
        )
    return reasons
