"""``train recommend``, ``recommend`` and ``export recommendations`` as a script sees them."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import main
from engine.demo_project import create_demo_project
from storage.project import open_project
from storage.runs import active_run, list_runs

CUSTOMERS = 300
METRICS = {"recall_10", "recall_20", "mrr_20", "ndcg_20", "coverage"}


def _cli(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main.main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def _one_sentence(err: str) -> None:
    text = err.strip()
    assert "\n" not in text, text
    assert text.startswith("Error: ") and text.endswith("."), text
    assert "Traceback" not in text


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("cli-recommend") / "demo.intentlens"
    create_demo_project(path, customers=CUSTOMERS, seed=5)
    yield path


@pytest.fixture(scope="module")
def trained(demo: Path) -> dict[str, Any]:
    """``train recommend --json`` once for the module (stdout: the JSON object)."""
    import io
    from contextlib import redirect_stderr, redirect_stdout

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main.main(["train", "recommend", str(demo), "--no-neural", "--json"])
    assert code == 0, err.getvalue()
    payload: dict[str, Any] = json.loads(out.getvalue())
    payload["_stderr"] = err.getvalue()
    return payload


def test_json_has_the_promised_keys(trained: dict[str, Any], demo: Path) -> None:
    assert {"model", "baselines", "as_of", "horizon_days", "served", "run_id",
            "verdict"} <= set(trained)
    assert set(trained["model"]) == METRICS  # no neural model here: every value null
    assert all(v is None for v in trained["model"].values())
    assert {"popularity", "own_history", "co_occurrence", "blend"} <= set(trained["baselines"])
    for metrics in trained["baselines"].values():
        assert set(metrics) == METRICS and all(isinstance(v, float) for v in metrics.values())
    assert trained["served"] in trained["baselines"]
    assert trained["as_of"].startswith("2025-11-27") and trained["horizon_days"] == 30
    assert "Recent popularity: Recall@10" in trained["_stderr"]  # progress went to stderr
    project = open_project(demo, create=False)
    try:
        run = active_run(project, "recommend")
        assert run is not None and run.id == trained["run_id"]
    finally:
        project.close()


def test_recommend_one_customer_in_words_and_json(
    trained: dict[str, Any], demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _cli(capsys, "recommend", demo, "C00010", "-k", "4", "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert set(payload) == {"customer", "as_of", "served", "recommendations"}
    assert payload["customer"] == "C00010" and payload["served"] == trained["served"]
    assert [r["rank"] for r in payload["recommendations"]] == [1, 2, 3, 4]
    for r in payload["recommendations"]:
        assert set(r) == {"rank", "item", "name", "score", "reason"} and r["reason"]
    code, out, err = _cli(capsys, "recommend", demo, "C00010")
    assert code == 0, err
    first = payload["recommendations"][0]
    assert f"  1. {first['name']} [{first['item']}] — {first['reason']}" in out
    assert len([line for line in out.splitlines() if " — " in line]) == 10


def test_recommend_refuses_in_one_sentence(
    trained: dict[str, Any], demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _cli(capsys, "recommend", demo, "NOBODY")
    assert code == 2
    _one_sentence(err)
    assert "no customer “NOBODY”" in err
    fresh = tmp_path / "fresh.intentlens"
    create_demo_project(fresh, customers=20, seed=1)
    code, _, err = _cli(capsys, "recommend", fresh, "C00001")
    assert code == 2
    _one_sentence(err)
    assert "train recommendations first" in err
    code, _, err = _cli(capsys, "export", fresh, "recommendations", "--out", tmp_path / "r.csv")
    assert code == 2
    _one_sentence(err)


def test_export_has_exactly_the_promised_columns(
    trained: dict[str, Any], demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "recs.csv"
    code, out, err = _cli(capsys, "export", demo, "recommendations", "--out", out_file, "-k", "2")
    assert code == 0, err
    with open(out_file, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["customer", "rank", "item", "name", "score", "reason"]
    assert len(rows) - 1 == 2 * CUSTOMERS
    assert out.strip() == f"Wrote {2 * CUSTOMERS:,} rows to {out_file}."
    assert {r[1] for r in rows[1:]} == {"1", "2"} and all(r[5] for r in rows[1:])


def test_train_flags_rules_and_dates(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "copy.intentlens"
    shutil.copy(demo, copy)
    code, out, err = _cli(
        capsys, "train", "recommend", copy, "--no-neural", "--as-of", "2025-10-31",
        "--horizon", "14", "--keep", "5", "--exclude-bought", "always",
        "--exclude-items", "P0121, NOPE", "--only-categories", "Electronics",
    )
    assert code == 0, err
    assert "The item “NOPE” is not in the data" in out
    assert "Only from: Electronics." in out
    project = open_project(copy, create=False)
    try:
        run = active_run(project, "recommend")
        assert run is not None
        assert run.settings["horizon_days"] == 14 and run.settings["keep"] == 5
        assert run.settings["as_of_ms"] == 1761955199999  # 2025-10-31, end of the day
        from engine.recommend.read import recommendations

        recs = recommendations(project, None, k=10)
    finally:
        project.close()
    assert recs.groupby("customer_id").size().max() == 5
    assert "P0121" not in set(recs["item"])
    # Electronics are products P0121..P0180 in the demo catalogue.
    assert recs["item"].map(lambda k: 121 <= int(k[1:]) <= 180).all()


def test_bad_flags_are_one_sentence(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _cli(capsys, "train", "recommend", demo, "--keep", "0")
    assert code == 2
    _one_sentence(err)
    code, _, err = _cli(capsys, "train", "recommend", demo, "--exclude-bought", "sometimes")
    assert code == 2
    assert err.startswith("Error: ")


def test_a_mistyped_category_or_missing_list_file_is_refused(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "copy.intentlens"
    shutil.copy(demo, copy)
    project = open_project(copy, create=False)
    before = len(list_runs(project))
    project.close()
    code, out, err = _cli(capsys, "train", "recommend", copy, "--no-neural",
                          "--only-categories", "Electronics, Gardn")
    assert code == 2 and err.startswith("Error: There is no category “Gardn” in the data: the "
                                        "categories are ")
    code, out, err = _cli(capsys, "train", "recommend", copy, "--no-neural",
                          "--exclude-items", str(tmp_path / "missing.csv"))
    assert code == 2 and "missing.csv” does not exist" in err
    project = open_project(copy, create=False)
    try:
        assert len(list_runs(project)) == before  # nothing was saved
    finally:
        project.close()
