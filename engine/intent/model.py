"""The PyTorch sequence network. Only this module (and the training/scoring modules that import it
lazily) imports torch, so ``import engine.intent`` stays cheap for the GUI's startup."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import torch
from torch import nn
from torch.nn import functional
from torch.nn.utils.rnn import pack_padded_sequence

from engine.intent import ModelDamaged, check_settings
from engine.intent.dataset import N_NUMERIC, N_TYPES
from engine.intent.weights import (  # torch-free: read before any model is built
    CAT_DIM,
    ITEM_DIM,
    STATE_VERSION,
    TYPE_DIM,
    WORD_DIM,
    max_archive_bytes,
)
from engine.intent.weights import expected_shapes as expected_shapes

# The shared rules (engine.nn), also reachable here for the modules and callers that import
# them from the model.
from engine.nn import configure_threads as configure_threads
from engine.nn import ensure_threads as ensure_threads
from engine.nn import load_state as load_state
from engine.nn import pick_device as pick_device
from engine.nn import save_state as save_state


class IntentNet(nn.Module):
    """Event tokens -> LSTM/GRU, joined with standardized aggregates -> MLP -> one logit."""

    def __init__(
        self,
        *,
        n_agg: int,
        hidden: int,
        cell: str,
        dropout: float,
        item_buckets: int,
        cat_buckets: int,
        word_buckets: int,
    ) -> None:
        super().__init__()
        self.type_emb = nn.Embedding(N_TYPES, TYPE_DIM, padding_idx=0)
        self.item_emb = nn.Embedding(item_buckets, ITEM_DIM, padding_idx=0)
        self.cat_emb = nn.Embedding(cat_buckets, CAT_DIM, padding_idx=0)
        self.word_emb = nn.Embedding(word_buckets, WORD_DIM, padding_idx=0)
        in_dim = TYPE_DIM + ITEM_DIM + CAT_DIM + WORD_DIM + N_NUMERIC
        rnn_cls = nn.LSTM if cell == "lstm" else nn.GRU
        self.rnn = rnn_cls(in_dim, hidden, batch_first=True)
        # Standardization of the aggregates travels in the state_dict, so scoring elsewhere
        # uses exactly the training statistics.
        self.register_buffer("agg_mean", torch.zeros(n_agg))
        self.register_buffer("agg_std", torch.ones(n_agg))
        self.agg_net = nn.Sequential(nn.Linear(n_agg, hidden), nn.ReLU())
        self.head = nn.Sequential(
            nn.Dropout(dropout),
            nn.Linear(2 * hidden, hidden),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(hidden, 1),
        )

    def tokens(self, b: dict[str, torch.Tensor]) -> torch.Tensor:
        """Per-step input vectors [B, T, in_dim]; padded steps embed to zeros."""
        items = b["items"]
        item_n = (items > 0).sum(-1, keepdim=True).clamp(min=1)
        words = b["words"]
        word_n = (words > 0).sum(-1, keepdim=True).clamp(min=1)
        return torch.cat(
            [
                self.type_emb(b["etype"]),
                self.item_emb(items).sum(-2) / item_n,  # mean over the step's items
                self.cat_emb(b["cats"]),
                self.word_emb(words).sum(-2) / word_n,
                b["numeric"],
            ],
            dim=-1,
        )

    def encode_aggregates(self, agg: torch.Tensor) -> torch.Tensor:
        """Standardized aggregates through their small layer."""
        agg_mean: torch.Tensor = self.agg_mean  # type: ignore[assignment]
        agg_std: torch.Tensor = self.agg_std  # type: ignore[assignment]
        # A model saved before an aggregate was appended reads the ones it knew (a prefix).
        agg = agg[:, : agg_mean.shape[0]]
        out: torch.Tensor = self.agg_net((agg - agg_mean) / agg_std)
        return out

    def forward(self, b: dict[str, torch.Tensor]) -> torch.Tensor:
        """Logits [B]; each sequence's state is taken after its true last step, so the padding
        that follows it never influences the score.

        On CUDA the batch is packed (``pack_padded_sequence``; cuDNN skips the padding). On CPU a
        packed LSTM loses the fused oneDNN kernel and measured 4x slower than running the padded
        batch (benchmarks/train_speed.py), so there the batch runs padded, which is cheap because
        batches are bucketed by length, and the output at each true last step is used. Both paths
        compute the same function.
        """
        if b["numeric"].is_cuda:
            return self.forward_packed(b)
        return self.forward_padded(b)

    def forward_packed(self, b: dict[str, torch.Tensor]) -> torch.Tensor:
        """Packed path (``enforce_sorted=False``): the RNN never steps over padding."""
        x = self.tokens(b)
        packed = pack_padded_sequence(x, b["lengths"].cpu(), batch_first=True, enforce_sorted=False)
        _, state = self.rnn(packed)
        h = state[0] if isinstance(state, tuple) else state
        return self._head(h[-1], b["agg"])

    def forward_padded(self, b: dict[str, torch.Tensor]) -> torch.Tensor:
        """Padded path: every padded step runs, the output at each sequence's true last step is
        used (right padding comes after it, so it cannot leak into it)."""
        out, _ = self.rnn(self.tokens(b))
        last = (b["lengths"] - 1).clamp(min=0).to(out.device)
        h = out[torch.arange(out.shape[0], device=out.device), last]
        return self._head(h, b["agg"])

    def _head(self, h: torch.Tensor, agg: torch.Tensor) -> torch.Tensor:
        logits: torch.Tensor = self.head(torch.cat([h, self.encode_aggregates(agg)], 1))
        return logits.squeeze(1)


class IntentEnsemble(nn.Module):
    """Several :class:`IntentNet` trained from different random starts, scored as one: the
    purchase probability is the mean of theirs.

    ``forward`` returns the logit of that mean, so every caller that applies a sigmoid to the
    logits (scoring, explanations) gets the averaged probability. Its state_dict holds each
    member's weights under ``members.<i>.``.
    """

    def __init__(self, members: Sequence[IntentNet]) -> None:
        super().__init__()
        self.members = nn.ModuleList(members)

    def forward(self, b: dict[str, torch.Tensor]) -> torch.Tensor:
        """Logits [B] of the members' mean probability."""
        logits = torch.stack([member(b) for member in self.members])  # [k, B]
        # logit(mean p) = log(sum p) - log(sum (1 - p)), each a log-sum-exp of log-sigmoids:
        # exact where a probability rounds to 0 or 1 in float32 (log(p / (1 - p)) is not).
        log_p = torch.logsumexp(functional.logsigmoid(logits), 0)
        log_q = torch.logsumexp(functional.logsigmoid(-logits), 0)
        return log_p - log_q


#: What scoring and explaining run: one network, or the average of several.
IntentModel = IntentNet | IntentEnsemble


def to_tensors(
    arrays: dict[str, npt.NDArray[np.generic]], device: torch.device
) -> dict[str, torch.Tensor]:
    """numpy batch -> tensors on the device (lengths stay on the CPU, as packing wants)."""
    out: dict[str, torch.Tensor] = {}
    for k, v in arrays.items():
        t = torch.from_numpy(np.ascontiguousarray(v))
        out[k] = t if k == "lengths" else t.to(device)
    return out


def check_state(
    state: Mapping[str, torch.Tensor],
    settings: Mapping[str, object],
    shapes: Mapping[str, tuple[int, ...]] | None = None,
) -> None:
    """Refuse weights that do not fit their settings: other names, other shapes, non-float or
    non-finite values (raises :class:`ModelDamaged`)."""
    shapes = expected_shapes(settings) if shapes is None else shapes
    if set(state) != set(shapes):
        raise ModelDamaged()
    for key, tensor in state.items():
        if tuple(tensor.shape) != shapes[key] or not tensor.dtype.is_floating_point:
            raise ModelDamaged()
        if not bool(torch.isfinite(tensor).all()):
            raise ModelDamaged()


def load_checked_state(data: bytes, settings: Mapping[str, object]) -> dict[str, torch.Tensor]:
    """Weights of a stored run, safe to hand to a network built from ``settings``.

    The settings are bounded first (no model is sized by a crafted file), the bytes are refused
    when they are larger than those settings' weights could be, then read with
    ``weights_only=True`` (no code runs), then shape-checked. Raises :class:`ModelDamaged`.
    """
    check_settings(settings)
    if settings.get("state_version", STATE_VERSION) != STATE_VERSION:
        raise ModelDamaged()
    shapes = expected_shapes(settings)
    if not isinstance(data, (bytes, bytearray)) or len(data) > max_archive_bytes(shapes):
        raise ModelDamaged()
    try:
        state = load_state(bytes(data))
    except Exception as exc:  # noqa: BLE001 - torch reports damaged bytes in many ways
        raise ModelDamaged() from exc
    check_state(state, settings, shapes)
    return state
