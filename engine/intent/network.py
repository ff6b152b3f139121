"""The intent network as a saved model: its settings, building it, scoring customers with it.

Training (``engine.intent.training``) and explanations (``engine.intent.explain``) both use these;
scoring and explaining never import the training loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict

import numpy as np
import numpy.typing as npt
import pandas as pd
import torch

from engine.events import MS_PER_DAY
from engine.intent.config import (
    CATEGORY_BUCKETS,
    ITEM_BUCKETS,
    WORD_BUCKETS,
    IntentConfig,
    preset_value,
)
from engine.intent.dataset import AGG_NAMES, Examples, examples_at, gather
from engine.intent.model import IntentEnsemble, IntentModel, IntentNet, to_tensors
from engine.intent.steps import Steps, build_steps
from engine.intent.weights import MEMBER_PREFIX, members_of
from engine.intent.weights import STATE_VERSION as STATE_VERSION
from engine.nn import ensure_threads, pick_device

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


def config_dict(cfg: IntentConfig) -> dict[str, object]:
    """The resolved config plus the architecture facts a saved model needs (JSON-safe)."""
    d: dict[str, object] = asdict(cfg)
    d.update(
        max_cutoffs=int(preset_value(cfg, "max_cutoffs")),
        patience=int(preset_value(cfg, "patience")),
        epoch_examples=int(preset_value(cfg, "epoch_examples")),
        item_buckets=ITEM_BUCKETS,
        cat_buckets=CATEGORY_BUCKETS,
        word_buckets=WORD_BUCKETS,
        agg_names=list(AGG_NAMES),
        state_version=STATE_VERSION,
        # How many networks the saved weights hold (training sets it to the ones that serve).
        members=1,
    )
    return d


def _int(conf: dict[str, object], key: str) -> int:
    value = conf[key]
    if not isinstance(value, (int, float)):
        raise ValueError(f"The model settings lack a number for {key!r}.")
    return int(value)


def build_model(conf: dict[str, object]) -> IntentModel:
    """An untrained network with the architecture the config describes: one
    :class:`IntentNet`, or an :class:`IntentEnsemble` of ``members`` of them."""
    k = members_of(conf)
    if k > 1:
        return IntentEnsemble([build_member(conf) for _ in range(k)])
    return build_member(conf)


def build_member(conf: dict[str, object]) -> IntentNet:
    """One untrained network (a single model, or one member of an ensemble)."""
    dropout = conf.get("dropout")
    return IntentNet(
        n_agg=n_aggregates(conf),
        hidden=_int(conf, "hidden_size"),
        cell=str(conf.get("cell", "lstm")),
        dropout=float(dropout) if isinstance(dropout, (int, float)) else 0.0,
        item_buckets=_int(conf, "item_buckets"),
        cat_buckets=_int(conf, "cat_buckets"),
        word_buckets=_int(conf, "word_buckets"),
    )


def member_states(state: dict[str, torch.Tensor]) -> list[dict[str, torch.Tensor]]:
    """The weights of each network a state_dict holds: itself for one network, each member's
    (``members.<i>.`` removed) for an ensemble, in member order."""
    found: dict[int, dict[str, torch.Tensor]] = {}
    for key, tensor in state.items():
        if not key.startswith(MEMBER_PREFIX):
            return [state]
        index, _, name = key.removeprefix(MEMBER_PREFIX).partition(".")
        found.setdefault(int(index), {})[name] = tensor
    return [found[i] for i in sorted(found)]


def ensemble_state(states: list[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    """One state_dict of the networks ``states`` hold: the single network's own for one, an
    :class:`IntentEnsemble`'s for several (what ``build_model`` loads with ``members`` set)."""
    if len(states) == 1:
        return states[0]
    return {f"{MEMBER_PREFIX}{i}.{k}": v for i, s in enumerate(states) for k, v in s.items()}


def n_aggregates(conf: Mapping[str, object]) -> int:
    """How many of AGG_NAMES the model reads: a model saved before an aggregate was appended
    reads the ones it knew (its ``agg_names`` is a prefix of AGG_NAMES)."""
    names = conf.get("agg_names")
    return len(names) if isinstance(names, list) else len(AGG_NAMES)


def _sorted_batches(lengths: I64, size: int) -> list[I64]:
    """Batches of similar length (so padding stays small), in length order."""
    order = np.argsort(lengths, kind="stable")
    return [order[i : i + size] for i in range(0, len(order), size)]


def predict_logits(
    model: IntentModel,
    steps: Steps,
    ex: Examples,
    device: torch.device,
    batch: int = 1024,
    sequence: bool = True,
) -> F64:
    """Logits of every example, in the examples' order (``sequence``: see ``gather``)."""
    out = np.zeros(len(ex), dtype=np.float64)
    model.eval()
    with torch.inference_mode():
        for idx in _sorted_batches(ex.length, batch):
            b = to_tensors(gather(steps, ex, idx, sequence=sequence), device)
            out[idx] = model(b).double().cpu().numpy()
    return out


def _sigmoid(x: F64) -> F64:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=np.float64)


def _bce(logits: F64, y: npt.NDArray[np.float32]) -> float:
    """Mean binary cross-entropy from logits, computed stably."""
    return float(np.mean(np.maximum(logits, 0) - logits * y + np.log1p(np.exp(-np.abs(logits)))))


def _auc(y: npt.NDArray[np.float32], s: F64) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, s)) if len(np.unique(y)) == 2 else float("nan")


def scores_frame(customer_ids: I64, probs: F64) -> pd.DataFrame:
    """customer_id, score, rank (1 = most likely to buy; ties by customer id), percentile (100 = top)."""
    order = np.lexsort((customer_ids, -probs))
    rank = np.empty(len(probs), dtype=np.int64)
    rank[order] = np.arange(1, len(probs) + 1)
    n = max(len(probs), 1)
    frame = pd.DataFrame(
        {
            "customer_id": customer_ids.astype(np.int64),
            "score": probs.astype(np.float64),
            "rank": rank,
            "percentile": 100.0 * (n - rank + 1) / n,
        }
    )
    return frame.sort_values("rank", kind="stable").reset_index(drop=True)


def load_model(
    state_dict: dict[str, torch.Tensor], conf: dict[str, object], device: torch.device
) -> IntentModel:
    """A network (or an ensemble, by the config's ``members``) with saved weights, ready to
    score."""
    model = build_model(conf)
    model.load_state_dict(state_dict)
    return model.to(device).eval()


def score_customers(
    events: pd.DataFrame, state_dict: dict[str, torch.Tensor], config: dict[str, object]
) -> pd.DataFrame:
    """Scores as of the config's as-of date for every customer with history then (same as the
    training result's ``scores`` for the same data)."""
    ensure_threads()
    device = pick_device(str(config.get("device", "auto")))
    steps = build_steps(events, _int(config, "as_of_ms"))
    ex = examples_at(
        steps, _int(config, "as_of_ms"), _int(config, "seq_len"), None,
        window_ms=horizon_ms(config),
    )
    model = load_model(state_dict, config, device)
    probs = _sigmoid(predict_logits(model, steps, ex, device))
    return scores_frame(steps.customer_ids[ex.cust], probs)


def horizon_ms(config: dict[str, object]) -> int:
    """The horizon of a resolved config in milliseconds."""
    return _int(config, "horizon_days") * MS_PER_DAY
