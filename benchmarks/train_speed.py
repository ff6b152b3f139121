"""Training speed of the intent model: length-bucketed batches vs. plain padded batches.

Generates a demo log of about ``--events`` events (default 1,000,000), builds the training
examples once, then runs one training epoch of the same network (same weights, same optimizer)
two ways and prints events per second for each and their ratio:

- project: batches of similar length (bucketing), each padded only to its own longest sequence,
  through the model's ``forward`` (CPU: the fused padded LSTM, output at each true last step;
  CUDA: ``pack_padded_sequence``);
- reference: the textbook loop, random batches padded to their longest sequence, LSTM over every
  padded position, output taken at each sequence's last real step.

"Events" are the sequence steps fed to the network in the epoch (the same count for both).
Run: ``.venv/bin/python benchmarks/train_speed.py [--events N] [--cutoffs K] [--threads T]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402
from torch import nn  # noqa: E402

from engine.demo import generate_demo  # noqa: E402
from engine.intent.config import IntentConfig  # noqa: E402
from engine.intent.dataset import Examples, build_data, gather  # noqa: E402
from engine.intent.model import IntentNet, configure_threads, to_tensors  # noqa: E402
from engine.intent.network import build_model, config_dict  # noqa: E402
from engine.intent.steps import Steps  # noqa: E402


def run_epoch(
    model: IntentNet, data_steps: Steps, ex: Examples, batches: list[np.ndarray], packed: bool
) -> float:
    """One training epoch over the given batches; returns seconds."""
    opt = torch.optim.Adam(model.parameters(), lr=2e-3, weight_decay=1e-5)
    loss_fn = nn.BCEWithLogitsLoss()
    model.train()
    device = torch.device("cpu")
    started = time.perf_counter()
    for idx in batches:
        b = to_tensors(gather(data_steps, ex, idx), device)
        opt.zero_grad()
        logits = model(b) if packed else model.forward_padded(b)  # packed: the project's path
        loss = loss_fn(logits, b["label"])
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    return time.perf_counter() - started


def main() -> None:
    """Parse the arguments, run both loops, print both figures and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--cutoffs", type=int, default=3, help="cutoffs (1 validation + train)")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default cores-1)")
    parser.add_argument("--preset", default="balanced")
    args = parser.parse_args()
    threads = configure_threads(args.threads)

    t = time.perf_counter()
    probe = generate_demo(200, seed=11).events_frame()
    customers = max(50, int(round(args.events / max(len(probe) / 200, 1.0))))
    events = generate_demo(customers, seed=11).events_frame()
    gen_s = time.perf_counter() - t
    cfg = IntentConfig(preset=args.preset).resolved(events)
    assert cfg.as_of_ms is not None and cfg.horizon_days is not None and cfg.seq_len is not None
    t = time.perf_counter()
    data = build_data(events, cfg.as_of_ms, cfg.horizon_days, cfg.seq_len, args.cutoffs)
    build_s = time.perf_counter() - t
    ex = data.train
    tokens = int(ex.length.sum())
    print(
        f"{len(events):,} events of {customers:,} customers (generated in {gen_s:.1f} s); "
        f"examples built in {build_s:.2f} s: {len(ex):,} training sequences, "
        f"{tokens:,} sequence events, longest {int(ex.length.max())}, mean {ex.length.mean():.1f}; "
        f"preset {cfg.preset}, hidden {cfg.hidden_size}, batch {cfg.batch_size}, {threads} thread(s)"
    )

    conf = config_dict(cfg)
    torch.manual_seed(0)
    init = build_model(conf).state_dict()
    rng = np.random.default_rng(0)
    size = int(cfg.batch_size or 256)
    order = np.lexsort((rng.random(len(ex)), ex.length))
    bucketed = [order[i : i + size] for i in range(0, len(order), size)]
    rng.shuffle(bucketed)
    perm = rng.permutation(len(ex))
    plain = [perm[i : i + size] for i in range(0, len(perm), size)]
    padded_steps = sum(int(ex.length[b].max()) * len(b) for b in plain)

    results = {}
    for name, batches, packed in (("project", bucketed, True), ("reference", plain, False)):
        model = build_model(conf)
        model.load_state_dict(init)
        seconds = run_epoch(model, data.steps, ex, batches, packed)
        results[name] = tokens / seconds
        print(f"{name:>9}: {seconds:7.1f} s/epoch, {results[name]:>10,.0f} events/s")
    print(f"reference pads to {padded_steps:,} steps ({padded_steps / tokens:.1f}x the events)")
    print(f"ratio (project / reference): {results['project'] / results['reference']:.2f}x")


if __name__ == "__main__":
    main()
