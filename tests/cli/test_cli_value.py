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
