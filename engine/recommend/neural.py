"""The neural sequence model behind the recommender's method interface: sequences from the
interactions, training with its epochs reported as they finish, and dense scores per batch.

The model itself is ``engine.recommend.sequence`` (torch), imported only when a model is
trained or used. Its training call reports through callbacks; :func:`train` runs it on a
helper thread and passes each report on as it comes, so the task's generator can yield it (and
the window stays responsive) while the network learns.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from engine.recommend.config import PRESETS, RecommendConfig
from engine.recommend.data import Interactions

if TYPE_CHECKING:
    from engine.recommend.sequence import SequenceModel, SequenceSettings

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Sequences:
    """Each customer's items (1..n_items) and kinds in time order, for ``customers``."""

    customers: I64
    items: list[npt.NDArray[np.int64]]
    kinds: list[npt.NDArray[np.int64]]


def sequences(data: Interactions, customers: I64 | None = None,
              max_len: int | None = None) -> Sequences:
    """The sequences of ``customers`` (every customer when None; empty for one without any),
    each cut to its latest ``max_len`` interactions when given."""
    all_customers, starts = np.unique(data.customer, return_index=True)
    ends = np.r_[starts[1:], len(data.customer)]
    wanted = all_customers if customers is None else np.asarray(customers, np.int64)
    pos = np.clip(np.searchsorted(all_customers, wanted), 0, max(len(all_customers) - 1, 0))
    found = (all_customers[pos] == wanted) if len(all_customers) else np.zeros(len(wanted), bool)
    items, kinds = [], []
    empty = np.zeros(0, dtype=np.int64)
    for ok, p in zip(found.tolist(), pos.tolist(), strict=True):
        if not ok:
            items.append(empty)
            kinds.append(empty)
            continue
        lo, hi = int(starts[p]), int(ends[p])
        if max_len is not None:
            lo = max(lo, hi - max_len)
        items.append(data.item[lo:hi] + 1)
        kinds.append(data.kind[lo:hi])
    return Sequences(wanted, items, kinds)


def settings_for(config: RecommendConfig, *, epochs: int | None = None) -> SequenceSettings:
    """The sequence model's settings for a config's preset (``epochs`` fixes the count and
    turns early stopping off, for the refit on all data)."""
    from engine.recommend.sequence import SequenceSettings

    preset = dict(PRESETS[config.preset])
    s = SequenceSettings(seed=config.seed % (2**31), device=config.device, **preset)
    if epochs is not None:
        s = replace(s, epochs=max(1, epochs), patience=max(1, epochs) + 1)
    return s


def category_numbers(data: Interactions) -> npt.NDArray[np.int64]:
    """Each item row's category (1..n_categories, 0 unknown) with row 0 for padding."""
    out: npt.NDArray[np.int64] = np.r_[0, data.item_category + 1].astype(np.int64)
    return out


@dataclass(frozen=True)
class Epoch:
    """One finished epoch of the sequence model."""

    epoch: int
    epochs: int
    train_loss: float
    valid_loss: float
    elapsed_s: float


@dataclass(frozen=True)
class Batch:
    """Progress inside an epoch."""

    epoch: int
    batch: int
    batches: int
    loss: float


def train(
    data: Interactions,
    settings: SequenceSettings,
    *,
    should_stop: Callable[[], bool],
) -> Iterator[Epoch | Batch | SequenceModel | None]:
    """Train on every customer's sequence; yields epochs and batches as they finish, then the
    model (None when stopped before an epoch ended). Errors of the training are raised here."""
    from engine.recommend.sequence import train_sequence

    seqs = sequences(data)
    reports: queue.Queue[tuple[str, Any]] = queue.Queue()
    last_batch = [0.0]
    finished = [0]  # epochs done: a batch belongs to the next one
    # Set when the caller stops listening, so the helper thread ends with it.
    abandoned = threading.Event()

    def stop() -> bool:
        return abandoned.is_set() or should_stop()

    def on_epoch(e: dict[str, float]) -> None:
        finished[0] = int(e["epoch"])
        reports.put(("epoch", Epoch(int(e["epoch"]), settings.epochs, float(e["train_loss"]),
                                    float(e["valid_loss"]), float(e["elapsed_s"]))))

    def on_batch(i: int, n: int, loss: float) -> None:
        import time

        now = time.perf_counter()
        if now - last_batch[0] >= 0.1 or i == n:  # at most ten a second
            last_batch[0] = now
            reports.put(("batch", Batch(finished[0] + 1, i, n, float(loss))))

    def work() -> None:
        try:
            model = train_sequence(
                seqs.items, seqs.kinds, category_numbers(data), len(data.categories), settings,
                should_stop=stop, on_epoch=on_epoch, on_batch=on_batch,
            )
            reports.put(("done", model))
        except BaseException as exc:  # noqa: BLE001 - raised again on the caller's thread
            reports.put(("error", exc))

    thread = threading.Thread(target=work, name="recommend-sequence", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = reports.get()
            if kind == "error":
                raise value
            yield value
            if kind == "done":
                return
    finally:
        abandoned.set()
        thread.join()


def dense_scores(model: SequenceModel, seqs: Sequences, batch_size: int = 512
                 ) -> Iterator[npt.NDArray[np.float32]]:
    """Log-probabilities (batch, n_items) of the next item, item numbers as columns."""
    from engine.recommend.sequence import score_next

    for block in score_next(model, seqs.items, seqs.kinds, batch_size=batch_size):
        yield block[:, 1:]
