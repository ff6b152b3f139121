"""Customer profiles as a project task (engine.profile_runs): train on a demo project, save the
run, read the segments back, export them. No display, CPU only, small demo projects."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.metrics import adjusted_rand_score

from engine import runs
from engine.dates import end_of_day, parse_date
from engine.demo import generate_demo
from engine.demo_project import create_demo_project
from engine.profiles import ProfileConfig, ProfileResult
from engine.profiles import read as profile_read
from engine.tasks.base import NoData, Progress, RunSaved
from storage.project import Project, open_project
from storage.queries import customer_keys, events_frame
from storage.run_writes import save_run
from storage.runs import (
    active_run,
    customer_summary,
    list_runs,
    run_outputs,
    run_weights,
)
from tests.project_checks import segments_of

torch.set_num_threads(2)

SEED = 7
CUSTOMERS = 1000


def _train(project: Project, config: ProfileConfig) -> list[Any]:
    return list(runs.train(project, "profiles", config))


def _read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


@pytest.fixture(scope="module")
def demo_project(shared_location: Callable[[str], str]) -> Iterator[Project]:
    """The demo project, once an SQLite file and once a PostgreSQL database."""
    location = shared_location("profiles")
    create_demo_project(location, customers=CUSTOMERS, seed=SEED)
    project = open_project(location, create=False)
    yield project
    project.close()


@pytest.fixture(scope="module")
def reports(demo_project: Project) -> list[Any]:
    return _train(demo_project, ProfileConfig(seed=0, epochs=10))


@pytest.fixture(scope="module")
def saved(reports: list[Any]) -> RunSaved:
    last = reports[-1]
    assert isinstance(last, RunSaved)
    return last


def test_train_and_save_reports_progress_then_saves_the_run(
    demo_project: Project, reports: list[Any], saved: RunSaved
) -> None:
    kinds = [type(r).__name__ for r in reports]
    assert kinds[0] == "Progress" and kinds[-1] == "RunSaved"
    assert all(k == "Progress" for k in kinds[:-1])
    run = active_run(demo_project, "profiles")
    assert run is not None and run.id == saved.run_id and run.status == "done"
    result = saved.result

    # One output row per customer with events, holding its segment and map position.
    outputs = run_outputs(demo_project, run.id)
    with_events = set(customer_summary(demo_project)["customer_id"].tolist())
    assert len(outputs) == len(with_events) == CUSTOMERS
    assert set(outputs["customer_id"].tolist()) == with_events
    by_id = outputs.set_index("customer_id")
    order = result.customer_ids
    np.testing.assert_array_equal(by_id.loc[order, "segment"].to_numpy(), result.labels)
    np.testing.assert_allclose(by_id.loc[order, "x"].to_numpy(), result.map_2d[:, 0], rtol=1e-6)
    np.testing.assert_allclose(by_id.loc[order, "y"].to_numpy(), result.map_2d[:, 1], rtol=1e-6)

    # Weights are tensors only and load without running code.
    blob = run_weights(demo_project, run.id)
    assert blob is not None
    state = torch.load(io.BytesIO(blob), weights_only=True)
    assert set(state) == set(result.state_dict)
    for key, tensor in state.items():
        assert torch.equal(tensor, result.state_dict[key])

    m = run.metrics
    assert m["method"] == result.method in ("autoencoder", "features")
    assert m["stability_ari"] == pytest.approx(result.stability_ari)
    assert m["silhouette"] == pytest.approx(result.silhouette)
    assert set(m["comparison"]) == {"autoencoder", "features"}
    last_event = int(events_frame(demo_project)["time_ms"].max())
    assert run.settings["as_of_ms"] == end_of_day(last_event)  # as the Train page's date box
    # One saved epoch per epoch report (the two "preparing" reports come before them).
    epochs = [r for r in reports if isinstance(r, Progress) and r.step == "epoch"]
    assert len(run.history["epochs"]) == len(epochs) == len(reports) - 3


def test_saved_segments_match_the_planted_ones(
    demo_project: Project, saved: RunSaved
) -> None:
    truth = generate_demo(customers=CUSTOMERS, seed=SEED).truth.set_index("customer")["segment"]
    outputs = run_outputs(demo_project, saved.run_id)
    planted = truth.reindex(outputs["key"].to_numpy()).to_numpy()
    assert not pd.isna(planted).any()
    ari = adjusted_rand_score(planted, outputs["segment"].to_numpy())
    r = saved.result
    print(
        f"\n{CUSTOMERS} demo customers: method {r.method}, {len(r.segments)} segments, "
        f"ARI vs planted {ari:.3f}, stability {r.stability_ari:.3f}, "
        f"silhouette {r.silhouette:.3f}, comparison {r.comparison}"
    )
    assert ari >= 0.8


def test_segments_of_and_customer_segment(
    demo_project: Project, saved: RunSaved
) -> None:
    segments = segments_of(demo_project)
    assert segments is not None and len(segments) == len(saved.result.segments) >= 2
    outputs = run_outputs(demo_project, saved.run_id)
    sizes = outputs["segment"].value_counts()
    names = [s["name"] for s in segments]
    assert len(set(names)) == len(names)
    for seg in segments:
        assert seg["description"].startswith(seg["name"] + " — ")
        assert seg["size"] == int(sizes[seg["id"]])
        assert seg["share"] == pytest.approx(seg["size"] / CUSTOMERS)
        assert seg["avg_intent"] is None  # no intent model in this project
        assert seg["top_categories"] and seg["top_items"]
        assert seg["traits"] and {t["kind"] for t in seg["traits"]} <= {
            "percent",
            "money",
            "number",
        }
    assert sum(s["revenue_share"] for s in segments) == pytest.approx(1.0, abs=1e-6)

    row = outputs.iloc[17]
    by_id = {s["id"]: s["name"] for s in segments}
    expected = (int(row["segment"]), by_id[int(row["segment"])])
    assert profile_read.customer_segment(demo_project, int(row["customer_id"])) == expected
    assert profile_read.customer_segment(demo_project, str(row["key"])) == expected
    assert profile_read.customer_segment(demo_project, "no-such-customer") is None
    assert profile_read.customer_segment(demo_project, 10**9) is None


def test_export_segments_writes_every_customer(
    demo_project: Project, saved: RunSaved, tmp_path: Path
) -> None:
    out = tmp_path / "segments.csv"
    n = profile_read.export_segments(demo_project, out)
    rows = _read_csv(out)
    assert rows[0] == ["customer", "segment_id", "segment_name"]
    assert n == len(rows) - 1 == CUSTOMERS
    keys = set(customer_keys(demo_project).values())
    assert {r[0] for r in rows[1:]} == keys
    names = {s["id"]: s["name"] for s in segments_of(demo_project) or []}
    outputs = run_outputs(demo_project, saved.run_id).set_index("key")
    for key, sid, name in rows[1:]:
        assert int(sid) == int(outputs.loc[key, "segment"]) and name == names[int(sid)]

    one = tmp_path / "one.csv"
    first = (segments_of(demo_project) or [])[1]
    assert profile_read.export_segments(demo_project, one, first["id"]) == first["size"]
    assert {r[1] for r in _read_csv(one)[1:]} == {str(first["id"])}
    with pytest.raises(NoData, match="no segment 99"):
        profile_read.export_segments(demo_project, one, 99)


def test_nothing_to_read_before_a_run_and_an_empty_project(
    project: Project, tmp_path: Path
) -> None:
    assert segments_of(project) is None
    assert profile_read.customer_segment(project, 1) is None
    with pytest.raises(NoData, match="train customer profiles"):
        profile_read.export_segments(project, tmp_path / "x.csv")
    with pytest.raises(NoData, match="no events"):
        _train(project, ProfileConfig(epochs=1))


@pytest.fixture(scope="module")
def small_project(shared_location: Callable[[str], str]) -> Iterator[Project]:
    location = shared_location("profiles-small")
    create_demo_project(location, customers=300, seed=4)
    project = open_project(location, create=False)
    yield project
    project.close()


def test_stopping_saves_nothing(small_project: Project) -> None:
    before = len(list_runs(small_project))
    reports = list(
        runs.train(small_project, "profiles", ProfileConfig(epochs=5), should_stop=lambda: True
        )
    )
    assert [r.step for r in reports[:2]] == ["prepare", "prepare"]  # reading, then building
    assert reports[2:] and all(isinstance(r, Progress) and r.step == "epoch" for r in reports[2:])
    assert len(list_runs(small_project)) == before


def test_as_of_and_intent_scores(small_project: Project, tmp_path: Path) -> None:
    # A stand-in intent model: score = customer id / max id (a real one takes minutes to train).
    keys = customer_keys(small_project)
    ids = np.array(sorted(keys), dtype=np.int64)
    scores = ids / ids.max()
    save_run(
        small_project,
        "intent",
        status="done",
        settings={"as_of_ms": 0, "horizon_days": 14},
        history={},
        metrics={},
        summary="",
        seconds=0.0,
        warm_started=False,
        weights=None,
        outputs=pd.DataFrame(
            {"customer_id": ids, "score": scores, "rank": np.argsort(-scores).argsort() + 1}
        ),
    )
    as_of = parse_date("2025-07-10")
    reports = _train(small_project, ProfileConfig(as_of_ms=as_of, n_segments=3, epochs=3))
    saved = reports[-1]
    assert isinstance(saved, RunSaved)
    assert isinstance(saved.result, ProfileResult)
    run = active_run(small_project, "profiles")
    assert run is not None and run.settings["as_of_ms"] == as_of

    seen = set(events_frame(small_project, until_ms=as_of)["customer_id"].unique().tolist())
    outputs = run_outputs(small_project, saved.run_id)
    assert 0 < len(seen) < len(keys), "the as-of date must leave some customers out"
    assert set(outputs["customer_id"].tolist()) == seen

    segments = segments_of(small_project) or []
    assert len(segments) == 3
    score_of = pd.Series(scores, index=ids)
    for seg in segments:
        members = outputs.loc[outputs["segment"] == seg["id"], "customer_id"]
        assert seg["avg_intent"] == pytest.approx(float(score_of[members].mean()))
        assert "average purchase intent" in seg["description"]

    out = tmp_path / "with-intent.csv"
    assert profile_read.export_segments(small_project, out) == len(seen)
    rows = _read_csv(out)
    assert rows[0] == ["customer", "segment_id", "segment_name", "intent_score"]
    key_score = {keys[int(i)]: s for i, s in zip(ids, scores, strict=True)}
    for key, _sid, _name, score in rows[1:]:
        assert float(score) == pytest.approx(key_score[key], abs=1e-6)
    # Within a segment the likeliest buyers come first.
    first_seg = [float(r[3]) for r in rows[1:] if r[1] == rows[1][1]]
    assert first_seg == sorted(first_seg, reverse=True)


def test_too_many_segments_for_the_customers_is_a_sentence(small_project: Project) -> None:
    first_seen = events_frame(small_project).groupby("customer_id")["time_ms"].min().sort_values()
    as_of = int(first_seen.iloc[4])  # five customers have events by then
    config = ProfileConfig(as_of_ms=as_of, n_segments=12, epochs=1)
    with pytest.raises(ValueError, match="12 segments cannot be found among 5 customers"):
        _train(small_project, config)
    with pytest.raises(NoData, match="at least 3 customers"):
        _train(small_project, ProfileConfig(as_of_ms=int(first_seen.iloc[0]), epochs=1))
