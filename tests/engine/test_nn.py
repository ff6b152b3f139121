"""engine.nn: the one device, weights, threads and standardization rule of every torch model."""

from __future__ import annotations

import io
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from engine import nn as rules
from engine.intent import load_state as intent_load_state
from engine.intent import save_state as intent_save_state

ROOT = Path(__file__).resolve().parents[2]


def test_importing_the_rules_and_the_model_packages_does_not_import_torch() -> None:
    code = (
        "import sys, engine.nn, engine.intent, engine.profiles; "
        "assert 'torch' not in sys.modules, 'torch imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_auto_device_is_cuda_when_present_else_cpu() -> None:
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert rules.pick_device("auto").type == expected
    assert rules.pick_device("cpu") == torch.device("cpu")


def test_both_models_use_the_one_device_rule() -> None:
    from engine.intent import model as intent_model
    from engine.intent import training as intent_training
    from engine.profiles import model as profile_model

    assert intent_model.pick_device is rules.pick_device
    assert intent_training.pick_device is rules.pick_device
    assert profile_model.pick_device is rules.pick_device


def test_weights_round_trip_on_the_cpu() -> None:
    state = {"w": torch.arange(6, dtype=torch.float32).reshape(2, 3), "b": torch.ones(3)}
    back = rules.load_state(rules.save_state(state))
    assert set(back) == {"w", "b"}
    assert all(torch.equal(back[k], state[k]) and back[k].device.type == "cpu" for k in state)
    # The intent package's public pair is the same rule.
    assert torch.equal(intent_load_state(intent_save_state(state))["w"], state["w"])


def test_weights_must_be_named_tensors() -> None:
    buf = io.BytesIO()
    torch.save({"w": 1.5}, buf)
    with pytest.raises(ValueError, match="not saved model weights"):
        rules.load_state(buf.getvalue())


class _RunsCode:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (print, ("this must never run",))


def test_loading_never_runs_code_from_the_file() -> None:
    buf = io.BytesIO()
    torch.save({"w": _RunsCode()}, buf, pickle_module=pickle)
    with pytest.raises(pickle.UnpicklingError):
        rules.load_state(buf.getvalue())


def test_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    before = torch.get_num_threads()
    monkeypatch.setattr(rules, "_threads_configured", False)
    try:
        assert rules.configure_threads(3) == 3 == torch.get_num_threads()
        rules.ensure_threads()  # a deliberate choice is kept
        assert torch.get_num_threads() == 3
        assert rules.cap_threads(2) == 2 == torch.get_num_threads()
        assert rules.cap_threads(8) == 2  # never raised
        assert rules.configure_threads() == rules.default_threads()
    finally:
        torch.set_num_threads(before)


def test_standardization_centres_and_scales_but_never_divides_by_zero() -> None:
    rng = np.random.default_rng(0)
    x = np.column_stack(
        [rng.normal(5, 3, 500), np.full(500, 7.0), 7.0 + rng.normal(0, 1e-8, 500)]
    ).astype(np.float32)
    mean, std = rules.standard_stats(x)
    assert mean.dtype == std.dtype == np.float32
    assert std[1] == std[2] == 1.0  # constant (to float32 rounding): centred, not scaled
    z = rules.standardize(x)
    assert z.dtype == np.float32
    np.testing.assert_allclose(z.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(z[:, 0].std(), 1.0, rtol=1e-4)
    assert np.abs(z[:, 1:]).max() < 1e-5


def test_standardizing_no_rows_gives_neutral_statistics() -> None:
    mean, std = rules.standard_stats(np.zeros((0, 4), np.float32))
    assert (mean == 0).all() and (std == 1).all()
