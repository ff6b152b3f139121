"""Purchase intent on the real logs (the ``datasets`` fixture), imported as a user imports them:
the deep model against the simple methods on the latest period, the models from different
random starts and their average, and the ablation without the sequence. Every figure is printed
(``pytest -s`` shows a table); only what the product promises is asserted:

- the served method ranks buyers at least as well as the best simple method, up to noise: the
  deep model serves only when its AUC gap to the best simple method has its whole interval above
  zero, and otherwise the simple method with the highest AUC serves;
- the verdict says "beats" only when that interval excludes zero, and names the validation
  period (the latest horizon before the as-of date) with its dates;
- with several models their figures are there and agree with one another (lowest <= each model
  <= highest, the average's AUC and gap to the first model, which of them serves).

Taobao UserBehavior spans 9 days: it trains with a 1-day horizon (6 periods), as
tests/engine/test_intent.py does. UCI Online Retail runs with the defaults (30-day horizon).

One configuration per log by default (seed 1, the fast preset, 3 models averaged), so CI stays
short; ``INTENTLENS_INTENT_SEEDS=1,2,3`` runs more seeds and ``INTENTLENS_INTENT_MODELS=1,3``
more numbers of models.
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from engine.dates import day
from engine.intent.config import IntentConfig
from engine.intent.evaluate import SIMPLE, best_simple, period_words
from engine.intent.reports import IntentResult
from tests.real_logs import imported_log

pytestmark = pytest.mark.slow

TAOBAO = "taobao_userbehavior/UserBehavior.csv"
RETAIL = "uci_online_retail/online_retail.csv.gz"


def _ints(name: str, default: str) -> list[int]:
    return [int(s) for s in os.environ.get(name, default).split(",") if s.strip()]


SEEDS = _ints("INTENTLENS_INTENT_SEEDS", "1")
MODELS = _ints("INTENTLENS_INTENT_MODELS", "3")
#: Per log: its import format and the settings it trains with besides seed and models.
LOGS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "taobao": (TAOBAO, "taobao", {"horizon_days": 1}),
    "retail": (RETAIL, "uci_online_retail", {}),
}


@pytest.fixture(scope="module")
def logs(datasets: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    """Each log imported once, when first asked for (Online Retail takes about 20 s)."""
    return {}


def _events(logs: dict[str, pd.DataFrame], datasets: Path, log: str,
            tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    if log not in logs:
        name, fmt, _ = LOGS[log]
        logs[log] = imported_log(datasets, name, fmt, tmp_path_factory)
    return logs[log]


def train(events: pd.DataFrame, config: IntentConfig) -> tuple[IntentResult, float, float]:
    """The run's result, its CPU seconds (this process, every thread) and wall seconds."""
    from engine.intent.training import train_intent  # torch loads here

    cpu, wall = time.process_time(), time.perf_counter()
    result = None
    for item in train_intent(events, config):
        if isinstance(item, IntentResult):
            result = item
    assert result is not None
    return result, time.process_time() - cpu, time.perf_counter() - wall


def _f(v: Any, sign: bool = False) -> str:
    if not isinstance(v, (int, float)) or v != v:
        return "—"
    return f"{v:+.3f}" if sign else f"{v:.3f}"


def _gap(block: dict[str, Any] | None, key: str = "auc_gap") -> str:
    if not block:
        return "—"
    return (f"{_f(block.get(key), True)} [{_f(block.get(key + '_lo'), True)}, "
            f"{_f(block.get(key + '_hi'), True)}]")


def figures_line(log: str, seed: int, models: int, result: IntentResult, cpu: float,
                 wall: float) -> str:
    """One row of the table: every figure of one run."""
    m = result.metrics
    model = m["model"]
    best = best_simple(m)
    members = [model[k] for k in sorted(k for k in model if k.startswith("seed_auc_")
                                        and k[9:].isdigit())]
    return " | ".join((
        f"{log:<6} seed {seed} x{models}",
        f"model {_f(model['auc'])}",
        "members " + ("/".join(_f(a) for a in members) if members else "—"),
        f"min-max {_f(model.get('seed_auc_min'))}-{_f(model.get('seed_auc_max'))}",
        f"avg {_f(model.get('ensemble_auc'))} avg-first {_gap(model, 'ensemble_gap')}"
        + (f" avg serves {int(model['ensemble_serves'])}" if "ensemble_serves" in model else ""),
        f"RFM {_f(m['rfm_logistic']['auc'])} GB {_f(m['hist_gradient_boosting']['auc'])}",
        f"best {best} model-best {_gap(m[best] if best else None)}",
        f"served {result.served}",
        f"seq ablation {_f((result.sequence_gap or {}).get('auc_without'))} "
        f"gap {_gap(result.sequence_gap)}",
        f"cpu {cpu:.0f} s wall {wall:.0f} s",
    ))


def check(result: IntentResult, models: int) -> None:
    """What the product promises of a run, whatever its numbers."""
    m = result.metrics
    model = m["model"]
    assert set(m) == {"model", "base_rate", *SIMPLE}
    for name, block in m.items():
        assert 0.0 <= block["auc"] <= 1.0, (name, block["auc"])
        if name != "model":
            # Each gap is the model's AUC minus this method's, inside its own interval.
            assert block["auc_gap"] == pytest.approx(model["auc"] - block["auc"], abs=1e-9)
            assert block["auc_gap_lo"] <= block["auc_gap"] <= block["auc_gap_hi"], (name, block)
    assert m["base_rate"]["auc"] == pytest.approx(0.5)

    # Who serves: the deep model only when it beats the best simple method beyond noise, else
    # the simple method with the highest AUC; either way the served AUC is at least the best
    # simple method's, up to noise.
    best = best_simple(m)
    assert best is not None and m[best]["auc"] == max(m[k]["auc"] for k in SIMPLE)
    b = m[best]
    if result.served == "model":
        assert b["auc_gap_lo"] > 0.0, b
        assert model["auc"] > b["auc"]
    else:
        assert result.served == best, (result.served, best)
        assert not b["auc_gap_lo"] > 0.0, b
        assert "So the scores of" in result.verdict
    assert m[result.served]["auc"] >= b["auc"] - (b["auc_gap_hi"] - b["auc_gap_lo"])
    # "beats" only when the interval excludes zero; "ranks buyers better" only when it lies below.
    assert ("beats the best simple method" in result.verdict) == (b["auc_gap_lo"] > 0.0)
    assert ("ranks buyers better:" in result.verdict) == (b["auc_gap_hi"] < 0.0)

    # The verdict names the validation period: the latest horizon before the as-of date.
    assert result.period_ms is not None
    start, end = result.period_ms
    as_of = int(result.config["as_of_ms"])  # type: ignore[call-overload]
    horizon = int(result.config["horizon_days"])  # type: ignore[call-overload]
    assert end == as_of and end - start == horizon * 86_400_000
    assert result.period == period_words(start, end)
    assert day(end) in result.period
    assert f"On the latest period ({result.period})" in result.verdict
    assert "nan" not in result.verdict

    # Several models: each one's AUC between the lowest and the highest, the average's figures
    # consistent, and the average serves unless worse than the first model beyond noise.
    if models > 1:
        members = [model[f"seed_auc_{i}"] for i in range(1, models + 1)]
        assert model["seeds"] == models and f"seed_auc_{models + 1}" not in model
        assert model["seed_auc_min"] == min(members) and model["seed_auc_max"] == max(members)
        assert all(model["seed_auc_min"] <= a <= model["seed_auc_max"] for a in members)
        assert model["seed_auc_sd"] == pytest.approx(float(np.std(members, ddof=1)))
        assert 0.0 <= model["ensemble_auc"] <= 1.0
        assert model["ensemble_gap"] == pytest.approx(model["ensemble_auc"] - members[0])
        assert model["ensemble_gap_lo"] <= model["ensemble_gap"] <= model["ensemble_gap_hi"]
        serves = model["ensemble_gap_hi"] >= 0.0
        assert model["ensemble_serves"] == float(serves)
        assert model["auc"] == pytest.approx(model["ensemble_auc"] if serves else members[0])
        assert result.ensemble_note is not None and result.period in result.ensemble_note
        assert result.config["members"] == (models if serves else 1)
        first = members[0]
    else:
        assert "seed_auc_min" not in model and "ensemble_auc" not in model
        assert result.ensemble_note is None
        first = model["auc"]

    # The ablation: the first model against the same network without the sequence.
    seq = result.sequence_gap
    assert seq is not None
    assert 0.0 <= seq["auc_without"] <= 1.0
    assert seq["auc_without"] + seq["auc_gap"] == pytest.approx(first, abs=1e-9)
    assert seq["auc_gap_lo"] <= seq["auc_gap"] <= seq["auc_gap_hi"]
    assert result.sequence_note is not None and not math.isnan(seq["auc_gap_lo"])


@pytest.mark.parametrize("models", MODELS)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("log", list(LOGS))
def test_intent_on_real_logs(logs: dict[str, pd.DataFrame], datasets: Path,
                             tmp_path_factory: pytest.TempPathFactory, log: str, seed: int,
                             models: int) -> None:
    events = _events(logs, datasets, log, tmp_path_factory)
    config = IntentConfig(preset="fast", seed=seed, seeds=models, **LOGS[log][2])
    result, cpu, wall = train(events, config)
    print("\n" + figures_line(log, seed, models, result, cpu, wall))
    print("verdict:", result.verdict)
    print("models:", result.ensemble_note)
    print("sequence:", result.sequence_note)
    check(result, models)
    # Real buyers are ranked better than chance by every model from every start.
    model = result.metrics["model"]
    assert min(model.get("seed_auc_min", model["auc"]), model["auc"]) > 0.5, model
