"""The neural sequence model inside a recommendations run: its epochs are reported and it is
measured like the other methods; when it serves, it is retrained on everything and its weights
are saved."""

from __future__ import annotations

import numpy as np
import pytest

from engine.demo import generate_demo
from engine.recommend import config as rc
from engine.recommend import evaluation, training
from engine.recommend.config import RecommendConfig
from engine.recommend.reasons import SEQUENCE, unpack
from engine.recommend.training import RecommendResult, train_recommend
from engine.tasks.base import Progress


@pytest.fixture(autouse=True)
def tiny_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(rc.PRESETS, "fast", {
        "max_len": 20, "dim": 16, "layers": 1, "heads": 2, "epochs": 2, "patience": 2,
        "max_seconds": 30.0})


def _run(config: RecommendConfig) -> tuple[list[Progress], RecommendResult]:
    events = generate_demo(120, seed=4).events_frame()
    reports = list(train_recommend(events, config, should_stop=lambda: False))
    result = reports[-1]
    assert isinstance(result, RecommendResult)
    return [r for r in reports if isinstance(r, Progress)], result


def test_the_neural_model_is_measured_with_its_epochs_reported() -> None:
    progress, result = _run(RecommendConfig(preset="fast"))
    epochs = [p for p in progress if p.step == "epoch"]
    assert [p.epoch for p in epochs] == [1, 2] and {p.phase for p in epochs} == {"fit"}
    assert all(np.isfinite(p.losses["train"]) for p in epochs)
    assert set(result.metrics["methods"]["neural"]) == {
        "recall_10", "recall_20", "mrr_20", "ndcg_20", "coverage"}
    assert [e["epoch"] for e in result.history["epochs"]] == [1, 2]
    assert any("Neural sequence model: Recall@10" in p.message for p in progress)


def test_when_the_neural_model_serves_it_is_refit_and_saved(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def neural_first(scores):  # type: ignore[no-untyped-def]
        found = evaluation.choose(scores)
        return evaluation.Choice("neural", {m: (0.0, 1.0) for m in found.gaps if m != "neural"})

    monkeypatch.setattr(training, "choose", neural_first)
    progress, result = _run(RecommendConfig(preset="fast", exclude_bought="always"))
    assert result.served == "neural" and result.weights is not None
    refit = [p for p in progress if p.step == "epoch" and p.phase == "refit"]
    assert len(refit) >= 1
    why = result.outputs[result.outputs["name"] == "rec_why"]["value"]
    assert SEQUENCE in {unpack(v)[0] for v in why}
    assert result.customers == 120
