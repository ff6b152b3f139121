"""Customer profiles and segments: planted segments are found and described in plain words."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
import torch
from sklearn.metrics import adjusted_rand_score

from engine.demo import generate_demo
from engine.demo_frames import DemoData
from engine.events import FRAME_COLUMNS, MS_PER_DAY
from engine.profiles import (
    ProfileConfig,
    ProfileEpoch,
    ProfileResult,
    customer_features,
    pick_method,
    train_profiles,
)

torch.set_num_threads(2)

RETAIL = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "datasets"
    / "uci_online_retail"
    / "online_retail.csv.gz"
)
HABIT_WORDS = {
    "weekend_bargain_hunters": "weekend",
    "electronics_researchers": "electronics",
    "home_decor_regulars": "home decor",
    "fashion_browsers": "fashion",
}


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate_demo(customers=1500, seed=3)


@pytest.fixture(scope="module")
def frame(demo: DemoData) -> pd.DataFrame:
    return demo.events_frame()


def _run(
    events: pd.DataFrame, config: ProfileConfig, **kw: object
) -> tuple[list[ProfileEpoch], ProfileResult | None]:
    epochs: list[ProfileEpoch] = []
    result: ProfileResult | None = None
    for item in train_profiles(events, config, **kw):  # type: ignore[arg-type]
        if isinstance(item, ProfileResult):
            result = item
        else:
            assert result is None, "nothing may follow the result"
            epochs.append(item)
    return epochs, result


@pytest.fixture(scope="module")
def result(frame: pd.DataFrame) -> ProfileResult:
    _, res = _run(frame, ProfileConfig(seed=0, epochs=40))
    assert res is not None
    return res


def _truth(demo: DemoData, customer_ids: npt.NDArray[np.int64]) -> npt.NDArray[np.object_]:
    ids = demo.customer_ids()
    seg = pd.Series(
        demo.truth["segment"].to_numpy(), index=ids.reindex(demo.truth["customer"]).to_numpy()
    )
    out: npt.NDArray[np.object_] = seg.reindex(customer_ids).to_numpy(dtype=object)
    return out


def test_import_does_not_load_torch() -> None:
    import subprocess

    code = "import sys, engine.profiles; print('torch' in sys.modules)"
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_planted_segments_are_found_and_described(demo: DemoData, result: ProfileResult) -> None:
    truth = _truth(demo, result.customer_ids)
    ari = adjusted_rand_score(truth, result.labels)
    print(f"\nchosen method {result.method}: ARI vs planted segments {ari:.3f}")
    assert ari >= 0.8
    assert len(result.labels) == len(result.customer_ids) == demo.truth.shape[0]
    by_id = {s.id: s for s in result.segments}
    assert set(by_id) == set(np.unique(result.labels).tolist())
    names = [s.name for s in result.segments]
    assert len(set(names)) == len(names)
    for planted, word in HABIT_WORDS.items():
        found = pd.Series(result.labels[truth == planted]).value_counts().index[0]
        seg = by_id[int(found)]
        print(f"{planted} -> {seg.description}")
        assert word in seg.description.lower(), (planted, seg.description)
    for seg in result.segments:
        assert seg.size == int((result.labels == seg.id).sum())
        assert seg.description.startswith(seg.name)
        assert f"{100 * seg.share:.0f}% of customers" in seg.description
        assert seg.traits and all(len(t) == 3 for t in seg.traits)
        assert seg.top_categories and seg.top_items
        assert seg.avg_intent is None
    assert sum(s.revenue_share for s in result.segments) == pytest.approx(1.0, abs=1e-6)
    assert result.map_2d.shape == (len(result.customer_ids), 2)
    assert result.embeddings.shape == (len(result.customer_ids), 32)
    assert result.feature_names and all(
        isinstance(v, torch.Tensor) for v in result.state_dict.values()
    )


def test_default_method_is_the_better_one(result: ProfileResult) -> None:
    comp = result.comparison
    for method in ("autoencoder", "features"):
        print(
            f"\n{method}: silhouette {comp[method]['silhouette']:.3f}, "
            f"stability ARI {comp[method]['stability_ari']:.3f}, k {comp[method]['k']:.0f}"
        )
    ae, ft = comp["autoencoder"], comp["features"]
    # Documented rule: stability first; within 0.02 the silhouette decides.
    if abs(ae["stability_ari"] - ft["stability_ari"]) > 0.02:
        better = max(comp, key=lambda m: comp[m]["stability_ari"])
    else:
        better = max(comp, key=lambda m: comp[m]["silhouette"])
    assert result.method == better == pick_method(comp)
    assert result.stability_ari == comp[better]["stability_ari"]
    assert (
        pick_method(
            {
                "autoencoder": {"stability_ari": 0.9, "silhouette": 0.1},
                "features": {"stability_ari": 0.5, "silhouette": 0.9},
            }
        )
        == "autoencoder"
    )
    assert (
        pick_method(
            {
                "autoencoder": {"stability_ari": 0.9, "silhouette": 0.1},
                "features": {"stability_ari": 0.91, "silhouette": 0.3},
            }
        )
        == "features"
    )


def test_deterministic_and_forced_method(frame: pd.DataFrame, result: ProfileResult) -> None:
    cfg = ProfileConfig(seed=0, epochs=40, n_segments=4, method="autoencoder")
    a_epochs, a = _run(frame, cfg)
    b_epochs, b = _run(frame, cfg)
    assert a is not None and b is not None
    assert a.method == "autoencoder" and len(a.segments) == 4
    np.testing.assert_array_equal(a.labels, b.labels)
    np.testing.assert_array_equal(a.embeddings, b.embeddings)
    assert [e.valid_loss for e in a_epochs] == [e.valid_loss for e in b_epochs]
    # Training made progress and reports are sane.
    assert a_epochs[0].epoch == 1 and all(e.epochs == 40 for e in a_epochs)
    assert min(e.valid_loss for e in a_epochs) < a_epochs[0].valid_loss


def test_should_stop_ends_without_result(frame: pd.DataFrame) -> None:
    calls = {"n": 0}

    def stop() -> bool:
        calls["n"] += 1
        return calls["n"] >= 3

    epochs, res = _run(frame, ProfileConfig(seed=1, epochs=50), should_stop=stop)
    assert res is None
    assert len(epochs) == 3


def test_features_ignore_events_after_as_of(frame: pd.DataFrame) -> None:
    as_of = int(frame["time_ms"].min()) + 90 * MS_PER_DAY
    full = customer_features(frame, as_of_ms=as_of)
    cut = customer_features(frame[frame["time_ms"] <= as_of], as_of_ms=as_of)
    pd.testing.assert_frame_equal(full, cut)
    later = customer_features(frame)
    assert not later.reindex(full.index).equals(full)
    assert (full["recency_days"] >= 0).all()


def test_features_values(frame: pd.DataFrame) -> None:
    f = customer_features(frame)
    cat_cols = [c for c in f.columns if c.startswith("cat_")]
    np.testing.assert_allclose(f[cat_cols].sum(axis=1), 1.0)
    assert ((f["weekend_share"] >= 0) & (f["weekend_share"] <= 1)).all()
    counts = frame.groupby("customer_id").size()
    np.testing.assert_array_equal(f["events"].to_numpy(), counts.reindex(f.index).to_numpy())
    buys = frame[frame["event"].isin(["purchase", "refund"])].groupby("customer_id")["amount"]
    np.testing.assert_allclose(
        f["monetary"], buys.sum().reindex(f.index, fill_value=0.0).clip(lower=0), rtol=1e-9
    )


def _retail_frame() -> pd.DataFrame:
    raw = pd.read_csv(
        RETAIL,
        dtype={"InvoiceNo": str, "StockCode": str, "CustomerID": "Float64"},
        encoding="latin-1",
    )
    raw = raw[raw["CustomerID"].notna()]
    refund = raw["InvoiceNo"].str.startswith("C")
    qty = raw["Quantity"].abs().astype(np.float64)
    price = raw["UnitPrice"].astype(np.float64)
    frame = pd.DataFrame(
        {
            "customer_id": raw["CustomerID"].astype("int64").to_numpy(),
            "time_ms": pd.to_datetime(raw["InvoiceDate"], format="mixed")
            .to_numpy(dtype="datetime64[ms]")
            .astype(np.int64),
            "event": np.where(refund, "refund", "purchase").astype(object),
            "item": raw["StockCode"].astype(object).to_numpy(),
            "category": pd.Series([None] * len(raw), dtype=object).to_numpy(),
            "price": price.to_numpy(),
            "quantity": qty.to_numpy(),
            "amount": np.where(refund, -1.0, 1.0) * (price * qty).to_numpy(),
            "session": raw["InvoiceNo"].astype(object).to_numpy(),
            "query": pd.Series([None] * len(raw), dtype=object).to_numpy(),
        }
    )
    return frame.sort_values(["customer_id", "time_ms"], kind="stable").reset_index(drop=True)[
        list(FRAME_COLUMNS)
    ]


@pytest.mark.skipif(not RETAIL.exists(), reason=f"UCI Online Retail not found at {RETAIL}")
def test_real_online_retail() -> None:
    frame = _retail_frame()
    assert frame["customer_id"].nunique() == 4372
    intent = pd.Series(0.5, index=frame["customer_id"].unique())
    epochs, res = _run(frame, ProfileConfig(seed=0, epochs=8, patience=3), intent_scores=intent)
    assert res is not None and 1 <= len(epochs) <= 8
    assert len(res.labels) == len(res.customer_ids) == 4372
    assert set(res.customer_ids.tolist()) == set(frame["customer_id"].unique().tolist())
    assert sum(s.size for s in res.segments) == 4372
    print(f"\nOnline Retail: {res.method}, {len(res.segments)} segments, {res.comparison}")
    for seg in res.segments:
        print(" ", seg.description)
        assert seg.description and seg.name
        assert seg.avg_intent == pytest.approx(0.5)
        assert seg.top_items
