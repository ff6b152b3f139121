"""``train value`` and the value keys of ``lookup --json`` as a script sees them."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

import main
from engine.demo_project import create_demo_project
from engine.value.read import VALUE_KEYS
from storage.project import open_project


def _run(*argv: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main.main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-value") / "demo.intentlens"
    create_demo_project(path, customers=500, seed=5)
    return path


def _a_customer(path: Path) -> str:
    project = open_project(path)
    try:
        with project.connect() as conn:
            return str(conn.exec_driver_sql(
                "SELECT c.key FROM customers c JOIN events e ON e.customer_id = c.id "
                "WHERE e.event = 'purchase' GROUP BY c.key HAVING COUNT(*) >= 3 LIMIT 1"
            ).scalar_one())
    finally:
        project.close()


def test_lookup_has_the_value_keys_as_none_before_and_numbers_after(demo: Path) -> None:
    customer = _a_customer(demo)
    code, out, err = _run("lookup", demo, customer, "--json")
    assert code == 0, err
    before = json.loads(out)
    assert all(before[k] is None for k in VALUE_KEYS)

    code, out, err = _run("train", "value", demo, "--json")
    assert code == 0, err
    trained = json.loads(out)
    assert {"spend", "next_purchase", "churn", "gate"} <= set(trained["value"])
    assert "Expected spend over" in trained["verdict"]

    code, out, err = _run("lookup", demo, customer, "--json")
    assert code == 0, err
    after = json.loads(out)
    assert after["expected_spend_p10"] <= after["expected_spend"] or after["expected_spend"] == 0
    assert after["expected_spend_p10"] <= after["expected_spend_p90"]
    assert after["churn_band"] in ("High", "Medium", "Low")
    assert 0 <= after["churn_risk"] <= 1
    assert after["next_purchase"] is None or after["next_purchase"] >= "2025-"


def test_export_scores_carries_the_value_columns(demo: Path, tmp_path: Path) -> None:
    import csv

    import numpy as np
    import pandas as pd

    from storage.queries import overview
    from storage.run_writes import save_run
    from storage.runs import active_run, customer_summary

    project = open_project(demo)
    try:
        if active_run(project, "value") is None:
            pytest.skip("needs the value run of the test above")
        ids = customer_summary(project)["customer_id"].to_numpy()
        save_run(project, "intent", status="done",
                 settings={"as_of_ms": overview(project).last_ms, "horizon_days": 30},
                 history={}, metrics={}, summary="", seconds=0, warm_started=False,
                 weights=None, outputs=pd.DataFrame({
                     "customer_id": ids, "score": np.linspace(0.9, 0.1, len(ids)),
                     "rank": np.arange(1, len(ids) + 1)}))
    finally:
        project.close()
    out = tmp_path / "scores.csv"
    code, _, err = _run("export", demo, "scores", "--out", out)
    assert code == 0, err
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0])[5:] == list(VALUE_KEYS)
    assert all(r["expected_spend"] != "" for r in rows)
    assert {r["churn_band"] for r in rows} <= {"High", "Medium", "Low", ""}
    assert any(r["churn_band"] for r in rows) and any(r["next_purchase"] for r in rows)


def test_train_intent_json_carries_the_value_metrics_and_drivers(demo: Path,
                                                                 tmp_path: Path) -> None:
    from cli import _value_beside_intent
    from storage.runs import active_run

    empty = tmp_path / "empty.intentlens"
    create_demo_project(empty, customers=40, seed=2)
    project = open_project(empty)
    try:  # no value run yet: the keys are there, empty
        assert _value_beside_intent(project) == {"value": None, "drivers": [],
                                                 "value_run": None}
    finally:
        project.close()

    project = open_project(demo)
    try:
        value_run = active_run(project, "value")
    finally:
        project.close()
    if value_run is None:
        pytest.skip("needs the value run of the first test")
    code, out, err = _run("train", "intent", demo, "--preset", "fast", "--epochs", "1",
                          "--json")
    assert code == 0, err
    found = json.loads(out)
    assert "auc" in json.dumps(found)  # intent's own keys stay
    assert found["value_run"] == value_run.id
    assert {"spend", "next_purchase", "churn", "gate"} <= set(found["value"])
    assert found["value"]["spend"] == value_run.metrics["spend"]
    assert found["drivers"] == value_run.metrics.get("drivers", [])
    assert all({"feature", "importance", "sentence"} <= set(d) for d in found["drivers"])


def test_a_customer_id_typed_in_another_case_gets_a_suggestion(demo: Path) -> None:
    customer = _a_customer(demo)
    code, out, err = _run("lookup", demo, customer.lower(), "--json")
    assert code == 2 and out == ""
    assert f"There is no customer “{customer.lower()}” in this project; did you mean " \
           f"“{customer}”?" in err
    code, _, err = _run("lookup", demo, "nobody-at-all")
    assert code == 2 and "did you mean" not in err
