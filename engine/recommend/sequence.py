"""The sequential next-item model: a small SASRec-style self-attention network that reads a
customer's latest interactions and scores every item as the next one (imports torch; load lazily).

A history becomes tokens ``[START, item_1 .. item_n]``, cut to the latest ``max_len``, left-padded
with 0; a token sums embeddings of its item, the item's category, the interaction kind and a
position *counted from the end* (the latest token is at 0 whatever the padding). START gives an
empty history finite scores. Pre-norm blocks on ``scaled_dot_product_attention`` (on one CPU
thread twice as fast as ``nn.TransformerEncoder``) use a causal mask that hides padded keys; a
padded query sees only itself, so its ignored output stays finite and reaches no real token.
Scores: dot products with the item table (tied weights) plus a per-item bias started at log
popularity; column 0 (padding) is never an item. Every token predicts the next item, weighted by
that interaction's kind (purchase 1.0, cart and favorite 0.6, view 0.3). An epoch reads one window
per customer; the held-out last interactions decide early stopping, the best epoch is kept. A small
catalogue trains with a full softmax, a large one with a sampled softmax over shared
popularity-drawn negatives (logQ-corrected): memory never grows with positions x items.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import torch
import torch.nn.functional as F
from torch import nn

from engine.nn import adam, ensure_threads, pick_device

I64 = npt.NDArray[np.int64]
#: Target weight by interaction kind: 0 view, 1 cart, 2 favorite, 3 purchase.
KIND_WEIGHTS = (0.3, 0.6, 0.6, 1.0)
N_KINDS = len(KIND_WEIGHTS)
#: Catalogues up to this size train with a full softmax, larger ones with a sampled softmax over
#: this many shared negatives. On one CPU thread a batch (128 x 50 positions) with a full softmax
#: over 4,000 items cost ~1.3 s, with 1,024 sampled negatives ~0.45 s, and learnt less per second.
FULL_SOFTMAX_MAX_ITEMS = 2048
SHARED_NEGATIVES = 1024
VALID_BATCH = 256
#: At most this many customers' last items decide early stopping (a seeded sample).
VALID_MAX = 4096
GRAD_CLIP = 1.0
INIT_STD = 0.05


@dataclass(frozen=True)
class SequenceSettings:
    max_len: int = 50  # latest interactions per customer the network reads
    dim: int = 64  # embedding size
    layers: int = 2
    heads: int = 2
    dropout: float = 0.2
    epochs: int = 20  # at most; early stopping on a held-out last item
    batch_size: int = 128
    learning_rate: float = 5e-3  # short CPU budgets: 1e-3 learnt too slowly
    negatives: int = 0  # 0: full softmax up to 2,048 items, else 1,024 sampled; >0: sampled
    patience: int = 3
    seed: int = 7
    max_seconds: float | None = None  # a time budget: stop after the epoch that crosses it
    device: str = "auto"  # engine.nn.pick_device


class _Block(nn.Module):
    """Pre-norm self-attention and feed-forward with residuals (fused attention kernel)."""

    def __init__(self, dim: int, heads: int, dropout: float) -> None:
        super().__init__()
        self.heads = heads
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.qkv, self.proj = nn.Linear(dim, 3 * dim), nn.Linear(dim, dim)
        self.ff1, self.ff2 = nn.Linear(dim, 2 * dim), nn.Linear(2 * dim, dim)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, allowed: torch.Tensor) -> torch.Tensor:
        b, w, d = x.shape
        qkv = self.qkv(self.norm1(x)).view(b, w, 3, self.heads, d // self.heads)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)
        att = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed)
        x = x + self.drop(self.proj(att.transpose(1, 2).reshape(b, w, d)))
        out: torch.Tensor = x + self.drop(self.ff2(F.gelu(self.ff1(self.norm2(x)))))
        return out


class SequenceNet(nn.Module):
    """Embeddings, causal self-attention blocks and tied output weights (see the module doc)."""

    item_category: torch.Tensor

    def __init__(self, n_items: int, n_categories: int, s: SequenceSettings) -> None:
        super().__init__()
        if s.dim % s.heads:
            raise ValueError("The embedding size must be a multiple of the number of heads.")
        self.n_items, self.max_len = n_items, s.max_len
        self.item_emb = nn.Embedding(n_items + 2, s.dim)  # row n_items + 1: START
        self.cat_emb = nn.Embedding(n_categories + 1, s.dim)
        self.kind_emb = nn.Embedding(N_KINDS + 1, s.dim)  # 0: padding and START
        self.pos_emb = nn.Embedding(s.max_len, s.dim)
        for emb in (self.item_emb, self.cat_emb, self.kind_emb, self.pos_emb):
            nn.init.normal_(emb.weight, std=INIT_STD)
        self.register_buffer("item_category", torch.zeros(n_items + 2, dtype=torch.long))
        self.drop = nn.Dropout(s.dropout)
        self.blocks = nn.ModuleList(_Block(s.dim, s.heads, s.dropout) for _ in range(s.layers))
        self.norm = nn.LayerNorm(s.dim)
        self.out_bias = nn.Parameter(torch.zeros(n_items + 1))

    def forward(self, items: torch.Tensor, kinds: torch.Tensor) -> torch.Tensor:
        """Hidden states (batch, width, dim) of left-padded tokens; kinds are shifted by one."""
        width, dev = items.shape[1], items.device
        x = self.item_emb(items) + self.cat_emb(self.item_category[items]) + self.kind_emb(kinds)
        x = self.drop(x + self.pos_emb(torch.arange(width - 1, -1, -1, device=dev))[None])
        # Causal and never a padded key; a padded query sees itself only (finite, ignored).
        causal = torch.ones(width, width, dtype=torch.bool, device=dev).tril()
        eye = torch.eye(width, dtype=torch.bool, device=dev)
        allowed = ((causal[None] & (items != 0)[:, None, :]) | eye)[:, None]
        for block in self.blocks:
            x = block(x, allowed)
        out: torch.Tensor = self.norm(x)
        return out

    def all_logits(self, h: torch.Tensor) -> torch.Tensor:
        """Scores (rows, n_items + 1) for hidden states (rows, dim); column 0 is -inf."""
        bias = torch.cat([self.out_bias.new_full((1,), -math.inf), self.out_bias[1:]])
        return h @ self.item_emb.weight[: self.n_items + 1].T + bias


@dataclass
class SequenceModel:
    state_dict: dict[str, torch.Tensor]
    n_items: int
    n_categories: int
    settings: SequenceSettings
    history: list[dict[str, float]]  # per epoch: epoch, train_loss, valid_loss, elapsed_s
    best_epoch: int = 0  # 0: loaded, not trained here
    stopped: bool = False  # should_stop ended training early
    network: SequenceNet | None = field(default=None, repr=False, compare=False)


@dataclass
class _Data:
    """Every trainable customer's tokens ``[START, item_1 .. item_{n-1}]``, end to end."""

    tokens: I64  # flat item rows (START = n_items + 1)
    kinds: I64  # flat kinds + 1 (0 for START)
    ends: I64  # per customer: end offset of its tokens in the flat arrays
    lengths: I64  # per customer: n tokens (= interactions)
    valid_item: I64  # per customer: the held-out last item
    valid_kind: I64


def _check(items: list[np.ndarray], kinds: list[np.ndarray], n_items: int) -> None:
    if len(items) != len(kinds) or any(len(a) != len(b) for a, b in zip(items, kinds, strict=True)):
        raise ValueError("items and kinds must have the same customers and lengths.")
    for arrays, low, high, what in ((items, 1, n_items, "Item indices"), (kinds, 0, 3, "Kinds")):
        flat = np.concatenate([np.zeros(0, np.int64)] + [np.asarray(a, np.int64) for a in arrays])
        if len(flat) and (flat.min() < low or flat.max() > high):
            raise ValueError(f"{what} must lie in {low}..{high}.")


def _flat(
    items: list[np.ndarray], kinds: list[np.ndarray], n_items: int
) -> tuple[I64, I64, I64, I64]:
    """``[START] + history`` per customer end to end: tokens, kinds + 1, end offsets, lengths."""
    empty = [np.zeros(0, np.int64)]
    tokens = np.concatenate(empty + [np.r_[n_items + 1, np.asarray(a, np.int64)] for a in items])
    kinds_ = np.concatenate(empty + [np.r_[0, np.asarray(b, np.int64) + 1] for b in kinds])
    lengths = np.array([len(a) + 1 for a in items], np.int64)
    return tokens, kinds_, np.cumsum(lengths), lengths


def _windows(data: _Data, width: int, rng: np.random.Generator) -> tuple[I64, I64]:
    """One window per customer (input end offsets, lengths; targets one token further): half the
    time the latest, else one ending anywhere in a longer history, so all of it is learnt from."""
    last = data.lengths - 1  # inputs 0 .. n-2 predict targets 1 .. n-1
    anywhere = width + np.floor(rng.random(len(last)) * np.maximum(last - width + 1, 1))
    end = np.where((last <= width) | (rng.random(len(last)) < 0.5), last, anywhere.astype(np.int64))
    return data.ends - data.lengths + end, np.minimum(last, width)


def _left_pad(flat: I64, ends: I64, lengths: I64) -> I64:
    """Rows ``flat[end - length : end]`` right-aligned in a (rows, longest) array padded with 0."""
    width = max(int(lengths.max()), 1) if len(lengths) else 1
    cols = np.arange(width)
    idx = ends[:, None] - width + cols[None, :]
    keep = cols[None, :] >= (width - lengths)[:, None]
    return np.where(keep, flat[np.clip(idx, 0, max(len(flat) - 1, 0))], 0)


def _last_logits(net: SequenceNet, tokens: I64, kinds: I64, ends: I64, full: I64) -> torch.Tensor:
    """Scores (rows, n_items + 1) after the latest ``max_len`` of each row's ``full`` tokens."""
    net.eval()
    lengths, dev = np.minimum(full, net.max_len), net.out_bias.device
    x, k = (torch.from_numpy(_left_pad(flat, ends, lengths)).to(dev) for flat in (tokens, kinds))
    with torch.inference_mode():
        return net.all_logits(net(x, k)[:, -1])


def _valid_loss(net: SequenceNet, data: _Data, rows: I64) -> float:
    """Kind-weighted full-softmax cross-entropy of the held-out last items of ``rows``."""
    total, wsum, weights = 0.0, 0.0, np.array(KIND_WEIGHTS)
    for lo in range(0, len(rows), VALID_BATCH):
        r = rows[lo : lo + VALID_BATCH]
        logits = _last_logits(net, data.tokens, data.kinds, data.ends[r], data.lengths[r])
        target = torch.from_numpy(data.valid_item[r]).to(logits.device)
        ce = F.cross_entropy(logits, target, reduction="none").cpu().numpy()
        w = weights[data.valid_kind[r]]
        total, wsum = total + float(ce @ w), wsum + float(w.sum())
    return total / max(wsum, 1e-12)


Sampler = tuple[torch.Tensor, torch.Tensor, int, torch.Generator]


def _batch_loss(
    net: SequenceNet, data: _Data, ends: I64, lengths: I64, sampler: Sampler | None
) -> torch.Tensor:
    dev = net.out_bias.device
    x, k, y, yk = (
        torch.from_numpy(_left_pad(flat, e, lengths)).to(dev)
        for e in (ends, ends + 1)
        for flat in (data.tokens, data.kinds)
    )
    weights = torch.tensor(KIND_WEIGHTS, device=dev)
    at = x != 0
    h = net(x, k)[at]
    target, w = y[at], weights[yk[at] - 1]
    if sampler is None:
        ce = F.cross_entropy(net.all_logits(h), target, reduction="none")
    else:  # shared distinct negatives from the smoothed popularity, logQ-corrected
        probs, log_q, n_neg, gen = sampler
        drawn = torch.multinomial(probs, n_neg, replacement=True, generator=gen)
        neg = torch.unique(drawn).to(dev)
        emb, bias = net.item_emb.weight, net.out_bias
        pos = (h * emb[target]).sum(-1) + bias[target] - log_q[target]
        others = h @ emb[neg].T + (bias[neg] - log_q[neg])
        column = torch.full_like(bias, -1, dtype=torch.long)
        column[neg] = torch.arange(len(neg), device=dev)
        hit = column[target]  # a negative that is the row's own target is no negative
        rows = torch.nonzero(hit >= 0).squeeze(1)
        others = others.index_put((rows, hit[rows]), others.new_tensor(-math.inf))
        ce = torch.logaddexp(pos, torch.logsumexp(others, dim=1)) - pos
    return (ce * w).sum() / w.sum()


def _new_net(
    data: _Data, item_category: np.ndarray, n_categories: int, s: SequenceSettings
) -> tuple[SequenceNet, Sampler | None]:
    """A seeded network with the category lookup and a log-popularity bias, and the sampler of
    negatives when the softmax is sampled: popularity ** 0.75 (every item possible), and
    log P(item among the distinct negatives) = log(1 - (1 - q) ** n) for the logQ correction."""
    n_items, dev = len(item_category) - 1, pick_device(s.device)
    torch.manual_seed(s.seed)
    net = SequenceNet(n_items, n_categories, s)
    counts = np.bincount(data.tokens, minlength=n_items + 2)[: n_items + 1].astype(np.float64)
    counts[0] = 0.0
    with torch.no_grad():
        cats = np.concatenate([np.asarray(item_category, np.int64), [0]])
        if cats.min() < 0 or cats.max() > n_categories:
            raise ValueError(f"Item categories must lie in 0..{n_categories}.")
        net.item_category.copy_(torch.from_numpy(cats))
        net.out_bias.copy_(torch.from_numpy(np.log1p(counts) - np.log1p(counts).mean()))
    if s.negatives <= 0 and n_items <= FULL_SOFTMAX_MAX_ITEMS:
        return net.to(dev), None
    n_neg, smooth = s.negatives or SHARED_NEGATIVES, (counts + 1.0) ** 0.75
    smooth[0] = 0.0
    probs = torch.from_numpy(smooth / smooth.sum()).float()
    log_q = torch.log(-torch.expm1(n_neg * torch.log1p(-probs))).clamp_min(-1e4)
    return net.to(dev), (probs, log_q.to(dev), n_neg, torch.Generator().manual_seed(s.seed))


def train_sequence(
    items: list[np.ndarray],
    kinds: list[np.ndarray],
    item_category: np.ndarray,
    n_categories: int,
    settings: SequenceSettings,
    *,
    should_stop: Callable[[], bool] = lambda: False,
    on_epoch: Callable[[dict[str, float]], None] | None = None,
    on_batch: Callable[[int, int, float], None] | None = None,
) -> SequenceModel | None:
    """Train on per-customer chronological items (1..n_items) and kinds; an epoch reads one window
    per customer (:func:`_windows`). None when stopped before the first epoch ended; ValueError
    when no customer has two interactions."""
    s, n_items = settings, len(item_category) - 1
    _check(items, kinds, n_items)
    keep = [i for i, a in enumerate(items) if len(a) >= 2]
    flat = _flat([items[i][:-1] for i in keep], [kinds[i][:-1] for i in keep], n_items)
    data = _Data(*flat, *(np.array([a[i][-1] for i in keep], np.int64) for a in (items, kinds)))
    if len(data.lengths) == 0:
        raise ValueError("No customer has two or more interactions to learn a next item from.")
    ensure_threads()
    rng = np.random.default_rng(s.seed)
    net, sampler = _new_net(data, item_category, n_categories, s)
    valid_rows = np.sort(rng.permutation(len(data.lengths))[:VALID_MAX])
    opt = adam(net.parameters(), net.out_bias.device, lr=s.learning_rate)
    history: list[dict[str, float]] = []
    best_state: dict[str, torch.Tensor] | None = None
    best_loss, best_epoch, bad, stopped, started = math.inf, 0, 0, False, time.perf_counter()
    for epoch in range(1, s.epochs + 1):
        ends, lengths = _windows(data, s.max_len, rng)
        # Similar lengths batched together (little padding), batches in random order.
        order = np.lexsort((rng.random(len(ends)), lengths))
        batches = [order[i : i + s.batch_size] for i in range(0, len(order), s.batch_size)]
        rng.shuffle(batches)
        net.train()
        smoothed, total = math.nan, 0.0
        for bi, idx in enumerate(batches, start=1):
            if stopped := should_stop():
                break
            opt.zero_grad()
            loss = _batch_loss(net, data, ends[idx], lengths[idx], sampler)
            loss.backward()  # type: ignore[no-untyped-call]
            nn.utils.clip_grad_norm_(net.parameters(), GRAD_CLIP)
            opt.step()
            total += (value := float(loss.detach()))
            smoothed = value if math.isnan(smoothed) else 0.9 * smoothed + 0.1 * value
            if on_batch is not None:
                on_batch(bi, len(batches), smoothed)
        if stopped:
            break
        valid, elapsed = _valid_loss(net, data, valid_rows), time.perf_counter() - started
        record = dict(epoch=epoch, train_loss=total / len(batches), valid_loss=valid)
        history.append(record | {"elapsed_s": elapsed})
        if on_epoch is not None:
            on_epoch(dict(history[-1]))
        if valid < best_loss:
            best_loss, best_epoch, bad = valid, epoch, 0
            best_state = {k: v.detach().cpu().clone() for k, v in net.state_dict().items()}
        else:
            bad += 1
        if bad >= s.patience or (s.max_seconds is not None and elapsed >= s.max_seconds):
            break
    if best_state is None:
        return None
    net.load_state_dict(best_state)
    model = SequenceModel(best_state, n_items, n_categories, s, history, best_epoch, stopped)
    model.network = net.eval()
    return model


def load_model(
    state: dict[str, torch.Tensor], n_items: int, n_categories: int, settings: SequenceSettings
) -> SequenceModel:
    """A trained model from its saved state dict (``engine.nn.save_state`` / ``load_state``)."""
    model = SequenceModel(dict(state), n_items, n_categories, settings, [])
    _network(model)
    return model


def _network(model: SequenceModel) -> SequenceNet:
    if model.network is None:
        model.network = SequenceNet(model.n_items, model.n_categories, model.settings)
        model.network.load_state_dict(model.state_dict)
        model.network.to(pick_device(model.settings.device))
    return model.network.eval()


def score_next(
    model: SequenceModel,
    items: list[np.ndarray],
    kinds: list[np.ndarray],
    *,
    batch_size: int = 512,
) -> Iterator[np.ndarray]:
    """Per batch of customers (in order), float32 log-probabilities (batch, n_items + 1) of the
    next item; column 0 is -inf. An empty history scores as the learned start."""
    _check(items, kinds, model.n_items)
    ensure_threads()
    net, size = _network(model), max(1, batch_size)
    for lo in range(0, len(items), size):
        flat = _flat(items[lo : lo + size], kinds[lo : lo + size], net.n_items)
        yield torch.log_softmax(_last_logits(net, *flat), dim=1).float().cpu().numpy()


def top_next(
    model: SequenceModel,
    items: list[np.ndarray],
    kinds: list[np.ndarray],
    k: int,
    *,
    exclude: list[np.ndarray] | None = None,
    batch_size: int = 512,
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` (at most n_items) best next items (n, k) and their log-probabilities, best first;
    never 0, never in ``exclude[i]`` unless fewer than ``k`` are left (then last, score -inf)."""
    k, done = max(0, min(k, model.n_items)), 0
    banned = exclude if exclude is not None else [np.zeros(0, np.int64)] * len(items)
    out_items, out_scores = [np.zeros((0, k), np.int64)], [np.zeros((0, k), np.float32)]
    for batch in score_next(model, items, kinds, batch_size=batch_size):
        scores, done = batch[:, 1:], done + len(batch)
        for r, drop in enumerate(np.asarray(b, np.int64) for b in banned[done - len(batch) : done]):
            scores[r, drop[(drop >= 1) & (drop <= model.n_items)] - 1] = -np.inf
        best = torch.topk(torch.from_numpy(scores), k, dim=1)
        out_items.append(best.indices.numpy().astype(np.int64) + 1)
        out_scores.append(best.values.numpy())
    return np.concatenate(out_items), np.concatenate(out_scores)
