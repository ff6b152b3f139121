"""Why a customer got their score: occlusion over the steps of their sequence (imports torch)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from engine.events import MS_PER_DAY
from engine.intent.dataset import build_steps, examples_at, gather
from engine.intent.model import ensure_threads, pick_device, to_tensors
from engine.intent.reports import Reason
from engine.intent.training import _int, load_model

_VERBS: dict[str, str] = {
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
        return (
            "just before the as-of date" if hours < 1 else f"{hours} hour{'s' * (hours != 1)} ago"
        )
    d = int(round(days))
    return f"{d} day{'s' * (d != 1)} ago"


def explain_customer(
    events: pd.DataFrame,
    customer_id: int,
    state_dict: dict[str, torch.Tensor],
    config: dict[str, object],
    top: int = 5,
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
    ex = examples_at(steps, as_of, _int(config, "seq_len"), None)
    row = int(np.searchsorted(ex.cust, c))
    base = gather(steps, ex, np.array([row]))
    n = int(base["lengths"][0])
    # Variant i drops step i: shift the later steps left and pad the freed end slot.
    batch: dict[str, np.ndarray] = {}
    keep = np.array([[j for j in range(n) if j != i] + [0] for i in range(n)]) if n > 1 else None
    for key, arr in base.items():
        if key in ("lengths", "agg", "label"):
            batch[key] = np.concatenate([arr, np.repeat(arr, n, axis=0)])
            continue
        if keep is None:
            variants = np.zeros_like(arr)  # the only step removed: an all-padding step
        else:
            variants = arr[0][keep]
            variants[:, n - 1] = 0
        batch[key] = np.concatenate([arr, variants])
    batch["lengths"] = np.concatenate([[n], np.full(n, max(n - 1, 1))]).astype(np.int64)
    device = pick_device(str(config.get("device", "auto")))
    model = load_model(state_dict, config, device)
    with torch.no_grad():
        probs = torch.sigmoid(model(to_tensors(batch, device))).double().cpu().numpy()
    effects = probs[0] - probs[1:]
    positions = int(ex.start[row]) + np.arange(n)
    reasons: list[Reason] = []
    for i in np.argsort(-np.abs(effects), kind="stable")[:top]:
        pos = int(positions[i])
        first = steps.rows.iloc[int(steps.first_row[pos])]
        event = str(first["event"])
        item = _text_or_none(first["item"])
        lines = int(steps.lines[pos])
        what = f"'{item}'" if item is not None else "an item"
        if lines > 1:
            what = f"{lines} items ({what} and more)"
        query = _text_or_none(first["query"])
        verb = _VERBS.get(event, _VERBS["other"]).format(x=what, q=f"'{query or ''}'")
        points = effects[i] * 100.0
        text = f"{verb} {_ago(as_of - int(steps.time_ms[pos]))}: {points:+.0f} points"
        reasons.append(
            Reason(
                time_ms=int(steps.time_ms[pos]),
                event=event,
                item=item,
                category=_text_or_none(first["category"]),
                effect=float(effects[i]),
                text=text,
            )
        )
    return reasons
