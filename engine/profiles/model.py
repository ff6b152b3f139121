"""The profile autoencoder (torch). Imported on first use only: torch is slow to load."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import torch
from torch import nn

from engine.nn import adam, pick_device


class ProfileAutoencoder(nn.Module):
    """Dense autoencoder: features -> hidden -> profile (embed_dim) -> hidden -> features."""

    def __init__(self, n_features: int, embed_dim: int) -> None:
        super().__init__()
        hidden = max(64, 2 * embed_dim)
        self.encoder = nn.Sequential(
            nn.Linear(n_features, hidden), nn.ReLU(), nn.Linear(hidden, embed_dim)
        )
        self.decoder = nn.Sequential(
            nn.Linear(embed_dim, hidden), nn.ReLU(), nn.Linear(hidden, n_features)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Reconstruct ``x`` through the profile bottleneck."""
        out: torch.Tensor = self.decoder(self.encoder(x))
        return out


@dataclass(frozen=True)
class EpochLoss:
    """Losses of one finished epoch."""

    epoch: int
    train_loss: float
    valid_loss: float
    elapsed_s: float


@dataclass
class TrainedAutoencoder:
    """The best model (lowest validation loss) and the profiles it gives every customer."""

    model: ProfileAutoencoder
    embeddings: npt.NDArray[np.float32]
    stopped: bool


def train_autoencoder(
    x: npt.NDArray[np.float32],
    *,
    embed_dim: int,
    epochs: int,
    batch_size: int,
    learning_rate: float,
    patience: int,
    seed: int,
    device: str,
    should_stop: Callable[[], bool],
    result: list[TrainedAutoencoder],
) -> Iterator[EpochLoss]:
    """Train with MSE/Adam and early stopping on a held-out 15% of customers; yield each epoch.

    Seeded and deterministic on CPU. The best weights (lowest validation loss) are restored;
    the trained model is appended to ``result`` when the loop ends (also when stopped early, with
    ``stopped=True``).
    """
    torch.manual_seed(seed)
    dev = pick_device(device)
    rng = np.random.default_rng(seed)
    n = len(x)
    order = rng.permutation(n)
    n_valid = max(1, int(round(0.15 * n))) if n >= 10 else 0
    valid_idx, train_idx = order[:n_valid], order[n_valid:]
    data = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)).to(dev)
    model = ProfileAutoencoder(x.shape[1], embed_dim).to(dev)
    opt = adam(model.parameters(), dev, lr=learning_rate)
    loss_fn = nn.MSELoss()
    gen = torch.Generator().manual_seed(seed)
    best = float("inf")
    best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    bad = 0
    stopped = False
    t0 = time.perf_counter()
    train_t = torch.from_numpy(train_idx)
    for epoch in range(1, epochs + 1):
        model.train()
        perm = train_t[torch.randperm(len(train_t), generator=gen)]
        total = 0.0
        for start in range(0, len(perm), batch_size):
            batch = data[perm[start : start + batch_size].to(dev)]
            opt.zero_grad()
            loss = loss_fn(model(batch), batch)
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(batch)
        train_loss = total / max(1, len(perm))
        model.eval()
        with torch.no_grad():
            if n_valid:
                vb = data[torch.from_numpy(valid_idx).to(dev)]
                valid_loss = float(loss_fn(model(vb), vb))
            else:
                valid_loss = train_loss
        if valid_loss < best - 1e-6:
            best, bad = valid_loss, 0
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            bad += 1
        yield EpochLoss(epoch, train_loss, valid_loss, time.perf_counter() - t0)
        if should_stop():
            stopped = True
            break
        if bad >= patience:
            break
    model.load_state_dict(best_state)
    model.eval()
    with torch.no_grad():
        emb = model.encoder(data).cpu().numpy().astype(np.float32)
    result.append(TrainedAutoencoder(model=model, embeddings=emb, stopped=stopped))
