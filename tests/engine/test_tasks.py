"""The task registry and the one run pipeline, proven with a task registered only here."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest

import cli
from engine import runs
from engine.customers import customer_card, customer_table
from engine.demo_project import create_demo_project
from engine.fields import check_value, settings_of
from engine.intent import IntentConfig
from engine.tasks import TASKS, get_task, register, unregister
from engine.tasks.base import NoData, Progress, RunSaved
from storage.project import Project, open_project
from storage.queries import events_frame
from storage.runs import active_run, list_runs, run_outputs
from tests.dummy_task import KEY, TASK, CountConfig
from tests.pg import project_args

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def shop(shared_location: Callable[[str], str]) -> str:
    """A small demo project, once an SQLite file and once a PostgreSQL database."""
    location = shared_location("tasks")
    create_demo_project(location, customers=60, seed=3)
    return location


@pytest.fixture
def counting() -> Iterator[None]:
    register(TASK)
    try:
        yield
    finally:
        unregister(KEY)


@pytest.fixture
def opened(shop: str) -> Iterator[Project]:
    project = open_project(shop)
    try:
        yield project
    finally:
        project.close()


def _expected_counts(project: Project, weight: int) -> pd.Series:
    events = events_frame(project)
    buys = events[events["event"] == "purchase"].groupby("customer_id").size()
    return buys.reindex(events["customer_id"].unique(), fill_value=0).sort_index() * weight


def test_the_built_in_tasks_are_registered() -> None:
    assert list(TASKS)[:2] == ["intent", "profiles"]
    with pytest.raises(NoData, match="cannot train “nope”"):
        get_task("nope")


def test_a_new_task_trains_saves_and_shows_through_the_pipeline(
    counting: None, opened: Project
) -> None:
    reports = list(runs.train(opened, KEY, CountConfig(weight=3)))
    assert [r.step for r in reports[:3]] == ["prepare", "prepare", "note"]
    assert [r.epoch for r in reports if isinstance(r, Progress) and r.step == "epoch"] == [1, 2]
    saved = reports[-1]
    assert isinstance(saved, RunSaved) and saved.task == KEY
    run = active_run(opened, KEY)
    assert run is not None and run.id == saved.run_id and run.history["record_version"] == 1
    stored = run_outputs(opened, run.id, names=("counted",)).set_index("customer_id")
    expected = _expected_counts(opened, 3)
    assert stored["counted"].sort_index().to_dict() == expected.astype(float).to_dict()
    assert saved.view.headline == f"{len(expected)} customers counted"
    assert runs.headline(run) == f"{len(expected)} customers counted (active)"
    assert runs.task_title(KEY) == "Count"

    table = customer_table(opened)
    # After every built-in task's columns (the expected spend is the table's own, from intent).
    assert [c.key for c in table.columns if c.key != "expected_spend"][-1] == "counted"
    some = int(expected.idxmax())
    row = table.frame.set_index("customer_id").loc[some]
    assert row["counted"] == expected[some]
    assert row["purchases"] == expected[some] // 3  # the table's own column is untouched
    card = customer_card(opened, some, explain=False)
    assert f"Purchases counted: {int(expected[some])}." in [s.headline for s in card.sections]


def test_a_new_task_trains_from_the_command_line(
    counting: None, shop: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.run(["train", KEY, *project_args(shop), "--weight", "2", "--json"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert "customers to count" in captured.err and "epoch 2/2: train loss 0.5000" in captured.err
    project = open_project(shop)
    try:
        assert data["total"] == float(_expected_counts(project, 2).sum())
        assert active_run(project, KEY).id == data["run_id"]  # type: ignore[union-attr]
    finally:
        project.close()
    assert cli.run(["train", KEY, *project_args(shop), "--weight", "11"]) == 2
    assert "Error: --weight 11: use a whole number from 1 to 10." in capsys.readouterr().err


def test_a_stopped_run_that_is_not_kept_saves_nothing(counting: None, opened: Project) -> None:
    before = len(list_runs(opened))
    assert all(isinstance(r, Progress) for r in runs.train(
        opened, KEY, CountConfig(), should_stop=lambda: True))
    assert len(list_runs(opened)) == before


def test_settings_carry_their_limits() -> None:
    specs = {s.name: s for s in settings_of(IntentConfig)}
    assert specs["horizon_days"].setting.cli_flag("horizon_days") == "--horizon"
    assert check_value(specs["horizon_days"], 0) == "use a whole number from 1 to 365"
    assert check_value(specs["horizon_days"], 2.5) == "use a whole number from 1 to 365"
    assert check_value(specs["horizon_days"], None) is None
    assert check_value(specs["cell"], "rnn") == "choose lstm, gru"
    assert check_value(specs["top_percent"], 101.0) == (
        "use a number from 0.0 to 100.0, or best-F1")
    assert check_value(specs["seed"], 7) is None


def test_intent_check_gives_numbers(opened: Project) -> None:
    verdict = get_task("intent").check(events_frame(opened), IntentConfig(preset="fast"))
    assert verdict.numbers["n_customers"] == 60 and isinstance(verdict.ok, bool)
    assert verdict.message


def test_train_intent_builds_its_dataset_once(
    shop: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The data check and the training share one dataset (it used to be built twice)."""
    from engine.intent import training

    built: list[int] = []
    original = training._build

    def counting_build(*args: object, **kwargs: object) -> object:
        built.append(1)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(training, "_build", counting_build)
    code = cli.run(["train", "intent", *project_args(shop), "--preset", "fast", "--epochs", "1"])
    out = capsys.readouterr()
    if code != 0:  # 60 customers may be too few for a sequence model: said in one sentence
        assert "Error:" in out.err
    assert len(built) == 1


def test_the_registry_and_pipeline_import_no_torch() -> None:
    code = (
        "import sys; import engine.runs, engine.customers; from engine.tasks import TASKS; "
        "assert len(TASKS) >= 2; assert 'torch' not in sys.modules, 'torch imported'"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_the_card_says_top_only_when_true_and_counts_in_words() -> None:
    from engine.customers import CustomerCard
    from engine.intent.lookup import Lookup

    def found(rank: int) -> Lookup:
        top = max(1.0, float(-(-100 * rank // 300)))
        return Lookup("c", 1, 0.2, rank, 300, top, "2025-01-01 00:00", 30, 1, 1, 1.0,
                      None, None, [])

    assert found(3).meaning().endswith(", top 1% of customers.")
    assert found(150).meaning().endswith(", top 50% of customers.")
    assert found(300).meaning().endswith(", bottom 1% of customers.")
    assert "top 100%" not in found(299).meaning()
    card = CustomerCard(1, "c", 1, 1, 2.5, "a", "b", pd.DataFrame(), [])
    assert card.history().startswith("1 event, 1 purchase, revenue 2.50.")
    card = CustomerCard(1, "c", 1_200, 0, 0.0, "a", "b", pd.DataFrame(), [])
    assert card.history().startswith("1,200 events, 0 purchases,")


def test_preparing_the_data_says_what_it_does_and_estimates_from_the_last_run(
    counting: None, opened: Project
) -> None:
    first = [r for r in runs.train(opened, KEY, CountConfig(weight=3))
             if isinstance(r, Progress) and r.step == "prepare"]
    assert [r.message for r in first] == [
        "Reading the events…",
        f"Building each customer's history from {len(events_frame(opened)):,} events…",
    ]
    if not any("prepare_seconds" in r.history for r in list_runs(opened, KEY)[1:]):
        assert all(math.isnan(r.eta_s) for r in first)  # no run before: no estimate yet
    saved = list_runs(opened, KEY)[0].history["prepare_seconds"]
    assert saved > 0
    second = [r for r in runs.train(opened, KEY, CountConfig(weight=3))
              if isinstance(r, Progress) and r.step == "prepare"]
    # The estimate is what the last run took, less the time already spent.
    assert second[0].eta_s == pytest.approx(max(saved - second[0].elapsed_s, 0.0), abs=1e-9)
    assert 0 <= second[1].eta_s <= second[0].eta_s
