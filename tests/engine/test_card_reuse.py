"""A customer's card comes in two steps (at once, then with the model's why): the second
keeps the first's history and timeline and asks the tasks again; it is the card a single
call with the why gives."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from engine import customers as customers_module
from engine import runs
from engine.customers import customer_card
from engine.demo_project import create_demo_project
from engine.intent import IntentConfig
from storage.project import Project, open_project
from storage.runs import customer_summary


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    path: Path = tmp_path_factory.mktemp("card") / "shop.intentlens"
    create_demo_project(path, customers=300, seed=4)
    project = open_project(path, create=False)
    config = IntentConfig(preset="fast", epochs=1, hidden_size=16, seq_len=40, seed=0)
    for _ in runs.train(project, "intent", config):
        pass
    yield project
    project.close()


def test_the_card_with_the_why_keeps_the_first_card_s_history(
    trained: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = int(customer_summary(trained)["customer_id"].iloc[3])
    first = customer_card(trained, cid, explain=False)
    whole = customer_card(trained, cid, explain=True)
    reads: list[int] = []
    real = customers_module.customer_timeline
    monkeypatch.setattr(customers_module, "customer_timeline",
                        lambda project, c: (reads.append(c), real(project, c))[1])
    asked: list[tuple[int, bool]] = []
    sections = customers_module._sections
    monkeypatch.setattr(customers_module, "_sections",
                        lambda project, c, explain: (asked.append((c, explain)),
                                                     sections(project, c, explain))[1])
    again = customer_card(trained, cid, explain=True, base=first)
    assert reads == []  # the timeline read a moment ago is kept
    assert asked == [(cid, True)]  # the tasks are asked again, for their why
    assert again.timeline is first.timeline
    assert again.sections == whole.sections
    assert (again.customer, again.events, again.purchases, again.revenue, again.first_seen,
            again.last_seen) == (whole.customer, whole.events, whole.purchases, whole.revenue,
                                 whole.first_seen, whole.last_seen)
    pd.testing.assert_frame_equal(again.timeline, whole.timeline)
    # Another customer's card as the base is no base: everything is read.
    other = int(customer_summary(trained)["customer_id"].iloc[5])
    theirs = customer_card(trained, other, explain=True, base=first)
    assert reads == [other] and theirs.customer_id == other


def test_a_card_reads_each_task_s_active_run_once(
    trained: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Several tasks ask for the active runs while a card is read: each is read once there,
    and afresh by the next card (a run made active in between is the one used)."""
    from engine import tasks as registry
    from storage import runs as storage_runs

    cid = int(customer_summary(trained)["customer_id"].iloc[2])
    read: list[int] = []
    real = storage_runs._info
    monkeypatch.setattr(storage_runs, "_info", lambda row: (read.append(1), real(row))[1])
    customer_card(trained, cid, explain=True)
    with_run = len([k for k in registry.TASKS if storage_runs.active_run(trained, k)])
    read.clear()
    customer_card(trained, cid, explain=True)
    assert len(read) == with_run == 1  # the intent run, read once for every task asking
    with storage_runs.read_once():
        first = storage_runs.active_run(trained, "intent")
        assert storage_runs.active_run(trained, "intent") is first
    assert storage_runs.active_run(trained, "intent") is not first  # outside: read afresh
