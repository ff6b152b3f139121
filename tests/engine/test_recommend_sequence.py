"""The sequential next-item model: it learns a planted order, ignores padding, and loads back."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from engine.nn import load_state, save_state
from engine.recommend.sequence import (
    SequenceModel,
    SequenceSettings,
    load_model,
    score_next,
    top_next,
    train_sequence,
)

Log = tuple[list[np.ndarray], list[np.ndarray], np.ndarray]
N_ITEMS, CHAIN = 120, 12
SMALL = SequenceSettings(
    max_len=16, dim=32, epochs=8, batch_size=64, learning_rate=1e-2, dropout=0.1, seed=3
)


def chain_log(
    n_customers: int, length: int, seed: int, noise: float = 0.1, ids: np.ndarray | None = None
) -> Log:
    """Customers walk one chain (item ids[j] is followed by ids[j+1] within blocks of CHAIN),
    with a few random views in between; categories are the chains."""
    rng = np.random.default_rng(seed)
    ids = np.arange(1, N_ITEMS + 1) if ids is None else ids
    n_items = int(ids.max())
    n_chains = len(ids) // CHAIN
    items, kinds = [], []
    for _ in range(n_customers):
        chain, step = rng.integers(n_chains), rng.integers(CHAIN)
        seq = []
        for _ in range(length):
            if rng.random() < noise:
                seq.append(int(rng.integers(1, n_items + 1)))
            else:
                seq.append(int(ids[chain * CHAIN + step]))
                step = (step + 1) % CHAIN
        items.append(np.array(seq, np.int64))
        kinds.append(rng.integers(0, 4, length).astype(np.int8))
    category = np.zeros(n_items + 1, np.int64)
    category[ids] = 1 + np.arange(len(ids)) // CHAIN
    return items, kinds, category


def hit_rates(model: SequenceModel, ids: np.ndarray | None = None) -> tuple[float, float]:
    """Top-5 hit rate of the model and of popularity on fresh customers' next chain item."""
    items, kinds, _ = chain_log(300, 9, seed=99, noise=0.0, ids=ids)
    truth = np.array([a[-1] for a in items])
    top, _ = top_next(model, [a[:-1] for a in items], [k[:-1] for k in kinds], 5)
    popular = np.argsort(-np.bincount(np.concatenate(items)))[:5]
    return float((top == truth[:, None]).any(1).mean()), float(np.isin(truth, popular).mean())


@pytest.fixture(scope="module")
def chains() -> Log:
    return chain_log(300, 16, seed=1)


@pytest.fixture(scope="module")
def model(chains: Log) -> SequenceModel:
    items, kinds, category = chains
    trained = train_sequence(items, kinds, category, N_ITEMS // CHAIN, SMALL)
    assert trained is not None
    return trained


def test_the_planted_order_is_learnt_far_beyond_popularity(model: SequenceModel) -> None:
    ours, popularity = hit_rates(model)
    assert ours >= 0.8, ours
    assert ours >= popularity + 0.5, (ours, popularity)
    assert model.history and model.best_epoch >= 1
    assert set(model.history[0]) == {"epoch", "train_loss", "valid_loss", "elapsed_s"}
    assert model.history[-1]["valid_loss"] < model.history[0]["valid_loss"]


def test_scores_ignore_padding_and_the_rest_of_the_batch(model: SequenceModel) -> None:
    short, empty = np.array([5, 6, 7]), np.zeros(0, np.int64)
    long_ = np.arange(1, 41)  # longer than max_len: the batch is padded to max_len
    kinds = [np.array([0, 1, 3]), np.zeros(0, np.int8), np.zeros(40, np.int8)]
    alone = next(score_next(model, [short], kinds[:1]))[0]
    assert torch.is_grad_enabled()  # a paused scoring generator leaks no inference mode
    together = next(score_next(model, [short, empty, long_], kinds))
    np.testing.assert_allclose(together[0], alone, rtol=0, atol=1e-5)
    assert together.dtype == np.float32 and together.shape == (3, N_ITEMS + 1)
    assert np.all(together[:, 0] == -np.inf) and np.isfinite(together[:, 1:]).all()
    np.testing.assert_allclose(np.exp(together[:, 1:]).sum(1), 1.0, atol=1e-4)
    # batch_size splits the same rows into more batches without changing them
    split = np.concatenate(list(score_next(model, [short, empty, long_], kinds, batch_size=1)))
    np.testing.assert_allclose(split, together, rtol=0, atol=1e-5)
    # an empty history scores like the learned start, not like any item
    assert not np.allclose(together[1], together[0], atol=1e-3)


def test_top_next_never_returns_padding_and_respects_exclusions(
    model: SequenceModel, chains: Log
) -> None:
    items, kinds, _ = chains
    items, kinds = items[:20], kinds[:20]
    top, scores = top_next(model, items, kinds, 5)
    assert top.shape == (20, 5) and scores.shape == (20, 5)
    assert np.all(np.diff(scores, axis=1) <= 0)
    exclude = [top[i, :3] for i in range(20)]
    again, _ = top_next(model, items, kinds, 5, exclude=exclude, batch_size=7)
    for row, banned, before in zip(again, exclude, top, strict=True):
        assert not np.isin(row, banned).any()
        np.testing.assert_array_equal(row[:2], before[3:])  # the next best move up
    everything, all_scores = top_next(model, items[:2], kinds[:2], N_ITEMS + 50, exclude=exclude)
    assert everything.shape == (2, N_ITEMS) and (everything > 0).all()
    assert sorted(everything[0]) == list(range(1, N_ITEMS + 1))
    assert np.all(all_scores[:, -3:] == -np.inf) and np.isfinite(all_scores[:, :-3]).all()


def test_stopping_early_saving_and_determinism(chains: Log, model: SequenceModel) -> None:
    items, kinds, category = chains
    assert train_sequence(items, kinds, category, 10, SMALL, should_stop=lambda: True) is None
    epochs: list[dict[str, float]] = []
    batches: list[tuple[int, int, float]] = []
    quick = replace(SMALL, epochs=1)
    first = train_sequence(
        items, kinds, category, 10, quick, on_epoch=epochs.append,
        on_batch=lambda b, n, loss: batches.append((b, n, loss)),
    )  # fmt: skip
    again = train_sequence(items, kinds, category, 10, quick)
    assert first is not None and again is not None
    assert [e["epoch"] for e in epochs] == [1] and batches[-1][0] == batches[-1][1] == 5
    for key, value in first.state_dict.items():
        assert torch.equal(value, again.state_dict[key]), key
    loaded = load_model(load_state(save_state(model.state_dict)), N_ITEMS, 10, SMALL)
    assert loaded.network is not None and not loaded.network.training
    for ours, theirs in zip(
        score_next(model, items, kinds), score_next(loaded, items, kinds), strict=True
    ):
        np.testing.assert_array_equal(ours, theirs)
    with pytest.raises(ValueError):
        train_sequence([np.array([3])], [np.array([0])], category, 10, SMALL)
    with pytest.raises(ValueError):
        top_next(model, [np.array([0, 3])], [np.array([0, 0])], 5)


def test_a_long_catalogue_trains_sampled_with_bounded_memory() -> None:
    n_items = 30_000
    ids = np.random.default_rng(5).choice(np.arange(1, n_items + 1), 20 * CHAIN, replace=False)
    ids[-1] = n_items  # the catalogue's size
    items, kinds, category = chain_log(1000, 12, seed=2, ids=ids)
    largest = [0]

    def pack(t: torch.Tensor) -> torch.Tensor:
        largest[0] = max(largest[0], t.numel())
        return t

    settings = replace(SMALL, epochs=1, max_len=12)
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        model = train_sequence(items, kinds, category, 20, settings)
    assert model is not None and len(model.history) == 1
    # A full softmax would keep (positions x 30,001) logits for the backward pass.
    assert 0 < largest[0] < 100 * (n_items + 1)
    ours, popularity = hit_rates(model, ids=ids)
    assert ours >= max(0.25, popularity + 0.2), (ours, popularity)  # chance: 5 / 30,000
