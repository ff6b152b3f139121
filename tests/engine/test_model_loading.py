"""Stored models from damaged or crafted project files: refused in one sentence, never built.

A project file is someone else's file. Its run settings size the network and its weights are
bytes: both are checked (settings against sane bounds, then the bytes read with
``weights_only=True``, then every tensor's shape) before a model is built, so a crafted file can
neither run code nor ask for hundreds of gigabytes. Projects are crafted by training a tiny model
and then changing the stored run with SQL.
"""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from engine import runs
from engine.demo_project import create_demo_project
from engine.intent import IntentConfig
from engine.intent import lookup as intent_lookup
from engine.intent.weights import plainly_sound
from engine.tasks.base import NoData, Progress, RunSaved
from storage.project import Project, open_project
from storage.runs import active_run, list_runs

DAMAGED = "This model is damaged or was made by another version: train it again."
# Small and quick (as in test_intent.py): the model's quality is not under test here, so the
# deep model serves (by default a simple method would serve this one-epoch model's customers,
# and their lookups would not read the weights these tests damage).
TINY = IntentConfig(preset="fast", epochs=1, hidden_size=16, seq_len=40, batch_size=128,
                    always_deep=True)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo project with one trained intent run (copied, never changed, by the tests)."""
    torch.set_num_threads(2)
    path = tmp_path_factory.mktemp("model-loading") / "trained.intentlens"
    create_demo_project(path, customers=300, seed=5)
    project = open_project(path, create=False)
    try:
        reports = list(runs.train(project, "intent", TINY))
        assert isinstance(reports[-1], RunSaved)
    finally:
        project.close()
    return path


@pytest.fixture
def copy(trained: Path, tmp_path: Path) -> Path:
    target = tmp_path / "crafted.intentlens"
    shutil.copy(trained, target)
    return target


def _sql(path: Path, *statements: str, params: tuple[object, ...] = ()) -> None:
    con = sqlite3.connect(path)
    try:
        for statement in statements:
            con.execute(statement, params if "?" in statement else ())
        con.commit()
    finally:
        con.close()


@pytest.fixture
def opened(copy: Path) -> Iterator[tuple[Path, Project]]:
    project = open_project(copy, create=False)
    try:
        yield copy, project
    finally:
        project.close()


def _first_scored_key(project: Project) -> str:
    run = active_run(project, "intent")
    assert run is not None
    with project.connect() as conn:
        key = conn.exec_driver_sql(
            "SELECT c.key FROM run_outputs s JOIN customers c ON c.id = s.customer_id "
            f"WHERE s.run_id = {run.id} AND s.name = 'rank' ORDER BY s.value LIMIT 1"
        ).scalar_one()
    return str(key)


def _weights(state: dict[str, torch.Tensor]) -> bytes:
    buf = io.BytesIO()
    torch.save(state, buf)
    return buf.getvalue()


def _stored_state(path: Path) -> dict[str, torch.Tensor]:
    con = sqlite3.connect(path)
    try:
        blob = con.execute("SELECT weights FROM model_runs WHERE active = 1").fetchone()[0]
    finally:
        con.close()
    state = torch.load(io.BytesIO(blob), weights_only=True)
    assert isinstance(state, dict)
    return state


def test_a_healthy_model_still_explains(copy: Path) -> None:
    project = open_project(copy, create=False)
    try:
        found = intent_lookup.lookup(project, _first_scored_key(project))
    finally:
        project.close()
    assert found.score is not None and found.rank == 1
    assert found.reasons, "the stored model should explain the best-ranked customer"


SETTINGS_CRAFTS = {
    # lookup used to build this network: 256 GB for the LSTM alone.
    "hidden_size_1e6": "json_set(settings, '$.hidden_size', 1000000)",
    "hidden_size_fraction": "json_set(settings, '$.hidden_size', 16.5)",
    "hidden_size_text": "json_set(settings, '$.hidden_size', 'huge')",
    "item_buckets_1e9": "json_set(settings, '$.item_buckets', 1000000000)",
    "seq_len_1e8": "json_set(settings, '$.seq_len', 100000000)",
    "dropout_5": "json_set(settings, '$.dropout', 5)",
    "unknown_cell": "json_set(settings, '$.cell', 'transformer')",
    "future_state_version": "json_set(settings, '$.state_version', 99)",
    "other_aggregates": "json_set(settings, '$.agg_names', json_array('a', 'b'))",
    "as_of_year_1e9": "json_set(settings, '$.as_of_ms', 1e20)",
    "horizon_negative": "json_set(settings, '$.horizon_days', -4)",
    "settings_not_json": "'{not json'",
    "settings_a_list": "'[1, 2, 3]'",
    "hidden_size_mismatch": "json_set(settings, '$.hidden_size', 32)",  # weights are 16
}


@pytest.mark.parametrize("craft", list(SETTINGS_CRAFTS.values()), ids=list(SETTINGS_CRAFTS))
def test_crafted_settings_are_refused_before_a_model_is_built(
    opened: tuple[Path, Project], craft: str
) -> None:
    path, project = opened
    key = _first_scored_key(project)
    _sql(path, f"UPDATE model_runs SET settings = {craft} WHERE task = 'intent'")
    with pytest.raises(NoData) as caught:
        intent_lookup.lookup(project, key)
    assert str(caught.value) == DAMAGED


def _garbage() -> bytes:
    return b"\xde\xad\xbe\xef" * 100


def _truncated(state: dict[str, torch.Tensor]) -> bytes:
    data = _weights(state)
    return data[: len(data) // 2]


def _wrong_shape(state: dict[str, torch.Tensor]) -> bytes:
    return _weights({**state, "head.4.weight": torch.zeros(1, 17)})


def _extra_tensor(state: dict[str, torch.Tensor]) -> bytes:
    return _weights({**state, "surprise": torch.zeros(3)})


def _missing_tensor(state: dict[str, torch.Tensor]) -> bytes:
    return _weights({k: v for k, v in state.items() if k != "head.1.bias"})


def _not_a_number(state: dict[str, torch.Tensor]) -> bytes:
    bad = state["head.4.weight"].clone()
    bad[0, 0] = float("nan")
    return _weights({**state, "head.4.weight": bad})


def _integers(state: dict[str, torch.Tensor]) -> bytes:
    return _weights({**state, "agg_std": state["agg_std"].to(torch.int64)})


def _not_a_dict(state: dict[str, torch.Tensor]) -> bytes:
    return _weights(list(state.values()))  # type: ignore[arg-type]


WEIGHT_CRAFTS = {
    "garbage": lambda s: _garbage(),
    "truncated": _truncated,
    "wrong_shape": _wrong_shape,
    "extra_tensor": _extra_tensor,
    "missing_tensor": _missing_tensor,
    "nan": _not_a_number,
    "integer_tensor": _integers,
    "not_a_dict": _not_a_dict,
    "empty": lambda s: b"",
}


@pytest.mark.parametrize("craft", list(WEIGHT_CRAFTS.values()), ids=list(WEIGHT_CRAFTS))
def test_damaged_or_mismatched_weights_are_refused(opened: tuple[Path, Project], craft) -> None:  # type: ignore[no-untyped-def]
    path, project = opened
    key = _first_scored_key(project)
    blob = craft(_stored_state(path))
    _sql(path, "UPDATE model_runs SET weights = ? WHERE task = 'intent'", params=(blob,))
    with pytest.raises(NoData) as caught:
        intent_lookup.lookup(project, key)
    assert str(caught.value) == DAMAGED


class _Planted:
    """Pickles to a call of ``Path.touch``: loading it with plain pickle would run it."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (Path.touch, (self.marker,))


def test_weights_that_would_run_code_are_refused_and_never_run(
    opened: tuple[Path, Project], tmp_path: Path
) -> None:
    path, project = opened
    key = _first_scored_key(project)
    marker = tmp_path / "planted-code-ran"
    blob = _weights({**_stored_state(path), "agg_mean": _Planted(marker)})  # type: ignore[dict-item]
    _sql(path, "UPDATE model_runs SET weights = ? WHERE task = 'intent'", params=(blob,))
    with pytest.raises(NoData) as caught:
        intent_lookup.lookup(project, key)
    assert str(caught.value) == DAMAGED
    assert not marker.exists()


def test_damaged_stored_scores_are_refused(opened: tuple[Path, Project]) -> None:
    path, project = opened
    key = _first_scored_key(project)
    _sql(path, "DELETE FROM run_outputs WHERE name = 'rank'",
         "UPDATE run_outputs SET value = 'x' WHERE name = 'score'")
    with pytest.raises(NoData) as caught:
        intent_lookup.lookup(project, key)
    assert str(caught.value) == DAMAGED


def test_two_active_runs_use_the_newest(opened: tuple[Path, Project]) -> None:
    """Saving leaves one active run per task; a file that marks two is read, not refused."""
    path, project = opened
    key = _first_scored_key(project)
    _sql(
        path,
        "INSERT INTO model_runs (task, created_at, status, active, settings, history, metrics, "
        "summary, seconds, warm_started, weights) SELECT task, created_at, status, 1, settings, "
        "history, metrics, summary, seconds, warm_started, weights FROM model_runs "
        "WHERE task = 'intent'",
        "INSERT INTO run_outputs (run_id, customer_id, item_id, period, name, value) "
        "SELECT (SELECT MAX(id) FROM model_runs), customer_id, item_id, period, name, value "
        "FROM run_outputs",
    )
    runs = [r for r in list_runs(project, "intent") if r.active]
    assert len(runs) == 2
    run = active_run(project, "intent")
    assert run is not None and run.id == max(r.id for r in runs)
    found = intent_lookup.lookup(project, key)
    assert found.rank == 1 and found.reasons


def test_a_damaged_active_model_is_no_warm_start(opened: tuple[Path, Project]) -> None:
    path, project = opened
    _sql(path, "UPDATE model_runs SET weights = x'00ff00ff' WHERE task = 'intent'")
    reports = runs.train(project, "intent", TINY, warm_start=True)
    with pytest.raises(NoData) as caught:
        for report in reports:  # refused before the first batch: only "preparing" comes first
            assert isinstance(report, Progress) and report.step == "prepare"
    assert "damaged" in str(caught.value) and "warm start" in str(caught.value)
    assert len(list_runs(project, "intent")) == 1


def test_the_shape_check_mirrors_the_network() -> None:
    """expected_shapes computes what IntentNet holds without building it; they must agree."""
    from engine.intent.dataset import AGG_NAMES
    from engine.intent.model import IntentNet, expected_shapes

    for cell in ("lstm", "gru"):
        for hidden in (1, 16, 33):
            settings = {"hidden_size": hidden, "cell": cell, "item_buckets": 50,
                        "cat_buckets": 7, "word_buckets": 9}
            net = IntentNet(n_agg=len(AGG_NAMES), hidden=hidden, cell=cell, dropout=0.1,
                            item_buckets=50, cat_buckets=7, word_buckets=9)
            real = {k: tuple(v.shape) for k, v in net.state_dict().items()}
            assert expected_shapes(settings) == real


def test_the_engine_reads_the_version_the_trainer_writes() -> None:
    from engine.intent import SETTING_BOUNDS, check_settings
    from engine.intent.network import STATE_VERSION, config_dict

    conf = config_dict(TINY.resolved(_frame()))
    assert conf["state_version"] == STATE_VERSION
    check_settings(conf)  # what training saves passes the load-time bounds
    for key, (low, high) in SETTING_BOUNDS.items():
        assert low <= int(conf[key]) <= high, key  # type: ignore[call-overload]


def _frame():  # type: ignore[no-untyped-def]
    from engine.demo import generate_demo

    return generate_demo(30, seed=1).events_frame()


# --- a run a simple method serves: its weights are checked without torch when sound ---------


def _served_by_a_simple_method(path: Path) -> None:
    _sql(path, "UPDATE model_runs SET history = json_set(history, '$.served', 'rfm_logistic') "
               "WHERE task = 'intent'")


def _stored_weights_and_settings(path: Path) -> tuple[bytes, dict[str, object]]:
    con = sqlite3.connect(path)
    try:
        blob, settings = con.execute(
            "SELECT weights, settings FROM model_runs WHERE task = 'intent'").fetchone()
    finally:
        con.close()
    return bytes(blob), json.loads(settings)


@pytest.mark.parametrize("craft", list(WEIGHT_CRAFTS.values()), ids=list(WEIGHT_CRAFTS))
def test_damaged_weights_are_refused_when_a_simple_method_serves(
    opened: tuple[Path, Project], craft  # type: ignore[no-untyped-def]
) -> None:
    """The scores need no weights, but a damaged run is refused whoever served it: the torch-free
    reader vouches for none of these, and torch refuses them."""
    path, project = opened
    key = _first_scored_key(project)
    blob = craft(_stored_state(path))
    _sql(path, "UPDATE model_runs SET weights = ? WHERE task = 'intent'", params=(blob,))
    _served_by_a_simple_method(path)
    assert not plainly_sound(blob, _stored_weights_and_settings(path)[1])
    with pytest.raises(NoData) as caught:
        intent_lookup.lookup(project, key)
    assert str(caught.value) == DAMAGED


def test_planted_code_is_never_run_when_a_simple_method_serves(
    opened: tuple[Path, Project], tmp_path: Path
) -> None:
    path, project = opened
    key = _first_scored_key(project)
    marker = tmp_path / "planted-code-ran"
    blob = _weights({**_stored_state(path), "agg_mean": _Planted(marker)})  # type: ignore[dict-item]
    _sql(path, "UPDATE model_runs SET weights = ? WHERE task = 'intent'", params=(blob,))
    _served_by_a_simple_method(path)
    assert not plainly_sound(blob, _stored_weights_and_settings(path)[1])
    assert not marker.exists()
    with pytest.raises(NoData) as caught:
        intent_lookup.lookup(project, key)
    assert str(caught.value) == DAMAGED
    assert not marker.exists()


def test_the_torch_free_reader_accepts_what_torch_accepts(copy: Path) -> None:
    """The weights training saved, and a float64 copy of them (torch's check takes any float)."""
    blob, settings = _stored_weights_and_settings(copy)
    assert plainly_sound(blob, settings)
    doubled = _weights({k: v.double() for k, v in _stored_state(copy).items()})
    assert plainly_sound(doubled, settings)


def test_a_lookup_a_simple_method_serves_imports_no_torch_nor_pandas(copy: Path) -> None:
    """``python main.py lookup`` starts in a fraction of a second: torch (seconds) and pandas
    (most of a second) wait for the work that needs them."""
    _served_by_a_simple_method(copy)
    project = open_project(copy, create=False)
    try:
        key = _first_scored_key(project)
    finally:
        project.close()
    code = (
        "import sys, cli\n"
        f"code = cli.run(['lookup', {str(copy)!r}, {key!r}])\n"
        "print(code, 'torch' in sys.modules, 'pandas' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "no event-by-event reasons" in done.stdout
    assert done.stdout.splitlines()[-1] == "0 False False"


def test_a_card_reads_how_many_were_scored_from_the_run(
    opened: tuple[Path, Project], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counting a run's scores took 0.3 s a card at 1,000,000 customers: the run keeps the
    figure; a run saved before it did is counted, with the same answer."""
    path, project = opened
    key = _first_scored_key(project)
    with project.connect() as conn:
        scored = conn.exec_driver_sql(
            "SELECT COUNT(*) FROM run_outputs o JOIN model_runs r ON r.id = o.run_id "
            "WHERE r.active = 1 AND o.name = 'score'").scalar_one()
    counted: list[int] = []
    real = intent_lookup.outputs_count

    def counting(*args: object) -> int:
        counted.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(intent_lookup, "outputs_count", counting)
    found = intent_lookup.lookup(project, key)
    assert found.customers_scored == scored > 0 and counted == []
    # An older run: its history without the figure.
    con = sqlite3.connect(path)
    try:
        history = json.loads(
            con.execute("SELECT history FROM model_runs WHERE active = 1").fetchone()[0])
    finally:
        con.close()
    del history["customers_scored"]
    _sql(path, "UPDATE model_runs SET history = ? WHERE active = 1",
         params=(json.dumps(history),))
    again = intent_lookup.lookup(project, key)
    assert again.customers_scored == scored and counted == [1]
    assert again.rank == found.rank
