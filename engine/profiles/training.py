"""``train_profiles``: features -> autoencoder profiles -> segments, as a progress generator.

torch is imported inside ``train_profiles`` (through ``engine.profiles.model``), so importing this
module, and ``engine.profiles``, stays cheap for the GUI's startup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from engine.intent.config import default_as_of_ms
from engine.nn import cap_threads, standardize
from engine.profiles.clusters import choose_k, kmeans, silhouette
from engine.profiles.config import ProfileConfig
from engine.profiles.features import customer_features, scale_features
from engine.profiles.segments import Segment, describe_segments

if TYPE_CHECKING:
    import torch

METHODS = ("auto", "autoencoder", "features")
#: Two stabilities closer than this count as equal; the silhouette then decides.
STABILITY_TIE = 0.02
#: The autoencoder is small: more CPU threads than this cost more than they gain.
PROFILE_THREADS = 4


@dataclass(frozen=True)
class ProfileEpoch:
    """Progress report after one autoencoder epoch."""

    epoch: int
    epochs: int
    train_loss: float
    valid_loss: float
    elapsed_s: float


@dataclass(frozen=True)
class ProfileResult:
    """Profiles, segments and how the chosen segmentation compares with the alternative."""

    customer_ids: npt.NDArray[np.int64]
    labels: npt.NDArray[np.int64]
    embeddings: npt.NDArray[np.float32]
    map_2d: npt.NDArray[np.float32]
    segments: list[Segment]
    method: str
    stability_ari: float
    silhouette: float
    comparison: dict[str, dict[str, float]]
    state_dict: dict[str, torch.Tensor]
    feature_names: list[str]
    history: list[ProfileEpoch] = field(default_factory=list)
    config: dict[str, object] = field(default_factory=dict)


def pick_method(comparison: dict[str, dict[str, float]]) -> str:
    """The better segmentation: higher stability (ARI between seeds) first; within
    STABILITY_TIE of each other, the higher silhouette; a full tie keeps the autoencoder."""
    ae, ft = comparison["autoencoder"], comparison["features"]
    if abs(ae["stability_ari"] - ft["stability_ari"]) > STABILITY_TIE:
        return "autoencoder" if ae["stability_ari"] > ft["stability_ari"] else "features"
    return "features" if ft["silhouette"] > ae["silhouette"] else "autoencoder"


def train_profiles(
    events: pd.DataFrame,
    config: ProfileConfig,
    *,
    should_stop: Callable[[], bool] = lambda: False,
    intent_scores: pd.Series | None = None,
) -> Iterator[ProfileEpoch | ProfileResult]:
    """Learn customer profiles and segments; yield a ProfileEpoch per epoch, then the result.

    Steps: ``customer_features`` as of ``config.as_of_ms`` -> robust scaling -> autoencoder
    (early stopping on 15% held-out customers, best weights restored) -> k-means on the profiles
    and, as the simple alternative, on the scaled features. Both are scored by silhouette (on a
    sample of <= 5,000 customers) and stability (adjusted Rand index between two runs with
    different seeds: for the autoencoder a second network is trained with ``seed + 1``).
    ``method="auto"`` keeps the better one by ``pick_method`` (stability first, then
    silhouette); ``"autoencoder"`` / ``"features"`` force one.

    ``should_stop`` is checked after every epoch and between the clustering steps. When it
    returns True the generator ends WITHOUT a ProfileResult (a half-trained profile is not worth
    describing); the reports already yielded remain valid.
    """
    if config.method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {config.method!r}")
    if config.n_segments is not None and not 2 <= config.n_segments <= 12:
        raise ValueError("n_segments must be between 2 and 12, or None for automatic")
    from engine.profiles.model import TrainedAutoencoder, train_autoencoder

    cap_threads(PROFILE_THREADS)
    feats = customer_features(events, config.as_of_ms)
    if len(feats) < 3:
        raise ValueError("at least 3 customers with events are needed to find segments")
    if config.n_segments is not None and config.n_segments > len(feats):
        # k-means itself fails here with a message about n_samples and n_clusters.
        raise ValueError(
            f"{config.n_segments} segments cannot be found among {len(feats)} customers: "
            "ask for fewer segments."
        )
    x = scale_features(feats)
    history: list[ProfileEpoch] = []
    runs: list[TrainedAutoencoder] = []
    common = dict(
        embed_dim=config.embed_dim,
        epochs=config.epochs,
        batch_size=config.batch_size,
        learning_rate=config.learning_rate,
        patience=config.patience,
        device=config.device,
        should_stop=should_stop,
    )
    for rep in train_autoencoder(x, seed=config.seed, result=runs, **common):  # type: ignore[arg-type]
        report = ProfileEpoch(
            rep.epoch, config.epochs, rep.train_loss, rep.valid_loss, rep.elapsed_s
        )
        history.append(report)
        yield report
    if runs[0].stopped:
        return
    # Second network for the stability score; its epochs are not reported (the live loss plot
    # shows the model that is kept), but it still honours should_stop.
    for _ in train_autoencoder(x, seed=config.seed + 1, result=runs, **common):  # type: ignore[arg-type]
        pass
    if runs[1].stopped or should_stop():
        return

    # Profile dimensions come out on arbitrary scales; k-means needs them comparable.
    emb = standardize(runs[0].embeddings)
    emb_b = standardize(runs[1].embeddings)
    seed = config.seed
    from sklearn.metrics import adjusted_rand_score

    k_ae = config.n_segments or choose_k(emb, seed)
    lab_ae = kmeans(emb, k_ae, seed)
    lab_ae_b = kmeans(emb_b, k_ae, seed + 1)
    if should_stop():
        return
    k_ft = config.n_segments or choose_k(x, seed)
    lab_ft = kmeans(x, k_ft, seed)
    lab_ft_b = kmeans(x, k_ft, seed + 1)
    comparison = {
        "autoencoder": {
            "silhouette": silhouette(emb, lab_ae, seed),
            "stability_ari": float(adjusted_rand_score(lab_ae, lab_ae_b)),
            "k": float(k_ae),
        },
        "features": {
            "silhouette": silhouette(x, lab_ft, seed),
            "stability_ari": float(adjusted_rand_score(lab_ft, lab_ft_b)),
            "k": float(k_ft),
        },
    }
    method = pick_method(comparison) if config.method == "auto" else config.method
    labels = lab_ae if method == "autoencoder" else lab_ft
    if should_stop():
        return

    from sklearn.decomposition import PCA

    # The map shows the space the segments were found in, so colours and clusters agree.
    space = emb if method == "autoencoder" else x
    map_2d = PCA(n_components=2, random_state=seed).fit_transform(space).astype(np.float32)
    as_of = config.as_of_ms if config.as_of_ms is not None else default_as_of_ms(events)
    seen = events.loc[events["time_ms"].to_numpy() <= as_of]
    segments = describe_segments(feats, labels, seen, intent_scores)
    model = runs[0].model
    yield ProfileResult(
        customer_ids=feats.index.to_numpy(dtype=np.int64),
        labels=labels,
        embeddings=runs[0].embeddings,
        map_2d=map_2d,
        segments=segments,
        method=method,
        stability_ari=comparison[method]["stability_ari"],
        silhouette=comparison[method]["silhouette"],
        comparison=comparison,
        state_dict={k: v.detach().cpu().clone() for k, v in model.state_dict().items()},
        feature_names=[str(c) for c in feats.columns],
        history=history,
        config={**asdict(config), "n_features": int(x.shape[1])},
    )
