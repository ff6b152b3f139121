"""``campaign`` as a script sees it: the JSON contract, the list written, the list size chosen
by --top or --best-cut, segments, and every problem as one sentence with exit code 2."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from engine.campaign import CampaignFilter, campaign_data, plan, select
from storage.project import open_project
from storage.run_writes import save_run
from storage.runs import customer_summary
from tests.cli.test_clear_failures import _cli, _one_sentence, trained  # noqa: F401

KEYS = {"contacts", "expected_buyers", "expected_revenue", "expected_profit", "best_cut"}
SEGMENTS = ("Browsers", "Regulars", "Big spenders")


@pytest.fixture(scope="module")
def shop(trained: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    """The trained demo shop (a real intent run) with a profiles run of three segments."""
    path = tmp_path_factory.mktemp("campaign-cli") / "shop.intentlens"
    shutil.copy(trained, path)
    project = open_project(path, create=False)
    try:
        ids = customer_summary(project)["customer_id"].to_numpy()
        save_run(project, "profiles", status="done", settings={}, history={},
                 metrics={"segments": [{"id": i, "name": n} for i, n in enumerate(SEGMENTS)]},
                 summary="", seconds=0, warm_started=False, weights=None,
                 outputs=pd.DataFrame({"customer_id": ids, "segment": ids % 3}))
    finally:
        project.close()
    return path


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _expected(shop: Path, **kw: object) -> object:
    project = open_project(shop, create=False)
    try:
        rows = select(campaign_data(project), CampaignFilter())
    finally:
        project.close()
    return plan(rows, **kw)  # type: ignore[arg-type]


def test_json_keys_and_the_whole_list(
    shop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "list.csv"
    code, stdout, err = _cli(capsys, "campaign", shop, "--out", out, "--json")
    assert code == 0, err
    got = json.loads(stdout)  # stdout holds exactly one JSON object
    assert set(got) >= KEYS
    assert {"rows", "out", "spend_check", "sentence", "horizon_days"} <= set(got)
    written = _rows(out)
    assert got["contacts"] == got["rows"] == got["listed"] == len(written) == 300
    want = _expected(shop, top=None, margin_pct=30.0, cost_per_contact=0.5)
    for key in KEYS:
        assert got[key] == pytest.approx(getattr(want, key), rel=1e-9), key
    assert 0 < got["expected_buyers"] < got["contacts"]
    assert got["spend_check"]["customers"] > 0 and got["spend_check"]["sentence"]
    spend = [float(r["expected_spend"]) for r in written]
    assert spend == sorted(spend, reverse=True)  # the most valuable contacts first
    assert list(written[0]) == ["customer", "intent", "expected_spend", "expected_spend_low",
                                "expected_spend_high", "segment", "last_seen", "item_1",
                                "reason_1", "item_2", "reason_2", "item_3", "reason_3"]


def test_best_cut_and_top_choose_the_list_size(
    shop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    money = ("--margin", "40", "--cost-per-contact", "3")
    code, stdout, err = _cli(capsys, "campaign", shop, "--out", tmp_path / "best.csv",
                             "--best-cut", "--json", *money)
    assert code == 0, err
    best = json.loads(stdout)
    want = _expected(shop, top=None, margin_pct=40.0, cost_per_contact=3.0)
    assert best["contacts"] == best["best_cut"] == want.best_cut  # type: ignore[attr-defined]
    assert best["expected_profit"] == pytest.approx(best["best_profit"])
    assert len(_rows(tmp_path / "best.csv")) == best["contacts"]
    code, stdout, err = _cli(capsys, "campaign", shop, "--out", tmp_path / "top.csv",
                             "--top", "10", "--json", *money)
    top = json.loads(stdout)
    assert top["contacts"] == 10 and len(_rows(tmp_path / "top.csv")) == 10
    assert top["expected_profit"] == pytest.approx(0.4 * top["expected_revenue"] - 30.0)
    assert top["best_cut"] == best["best_cut"]  # the advice is about the whole list


def test_segment_and_min_intent(
    shop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "regulars.xlsx"
    code, stdout, err = _cli(capsys, "campaign", shop, "--segment", "Regulars",
                             "--min-intent", "0.45", "--out", out, "--json")
    assert code == 0, err
    got = json.loads(stdout)
    ws = load_workbook(out).active
    assert ws is not None
    rows = [[c.value for c in row] for row in ws.iter_rows()][1:]
    assert len(rows) == got["rows"] == got["contacts"] > 0
    assert {r[5] for r in rows} == {"Regulars"}
    assert all(isinstance(r[1], float) and r[1] >= 0.45 for r in rows)
    assert got["listed"] < 100  # a third of the shop, less the unlikely ones
    project = open_project(shop, create=False)
    try:
        data = campaign_data(project)
    finally:
        project.close()
    want = data.frame[(data.frame["segment"] == "Regulars") & (data.frame["intent"] >= 0.45)]
    assert [r[0] for r in rows] == want["customer"].tolist()


def test_text_output(shop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "list.csv"
    code, stdout, err = _cli(capsys, "campaign", shop, "--top", "25", "--out", out)
    assert code == 0, err
    lines = stdout.strip().splitlines()
    assert lines[0].startswith("Campaign list: the first 25 of 300 customers (highest expected spend")
    assert lines[1].startswith("Expected: about ") and "at a 30% margin and 0.50 per" in lines[1]
    assert lines[-1] == f"Wrote 25 rows to {out}."
    assert any(line.startswith("Order values checked on the latest") for line in lines)
    # Segments are trained here, recommendations are not: the note says which columns wait.
    assert lines[-2] == ("The item and reason columns are empty for now: train recommendations "
                         "to add the items to offer each customer and why.")


def test_the_note_names_every_training_the_list_still_waits_for(trained: Path) -> None:  # noqa: F811
    from engine.campaign import missing_note

    project = open_project(trained, create=False)
    try:
        said = missing_note(project)  # intent only: no segments, no items
    finally:
        project.close()
    assert said.startswith("The segment, item and reason columns are empty for now")
    assert "train customer profiles" in said and "recommendations" in said


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--segment", "Nope"], ("There is no segment “Nope”", ", ".join(SEGMENTS))),
        (["--top", "5", "--best-cut"], ("not allowed with",)),
        (["--min-intent", "1.5"], ("--min-intent 1.5",)),
        (["--margin", "-1"], ("--margin -1",)),
        (["--cost-per-contact", "nan"], ("--cost-per-contact nan",)),
        (["--top", "0"], ("--top 0",)),
    ],
)
def test_problems_are_one_sentence(
    shop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
    words: tuple[str, ...],
) -> None:
    out = tmp_path / "list.csv"
    code, stdout, err = _cli(capsys, "campaign", shop, *argv, "--out", out)
    assert code == 2 and stdout == ""
    _one_sentence(err, *words)
    assert not out.exists()


def test_no_intent_model_and_the_project_as_target(
    shop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.intentlens"
    open_project(empty).close()
    code, _, err = _cli(capsys, "campaign", empty, "--out", tmp_path / "x.csv")
    assert code == 2
    _one_sentence(err, "Train a purchase-intent model first")
    before = shop.read_bytes()
    code, _, err = _cli(capsys, "campaign", shop, "--out", shop)
    assert code == 2
    _one_sentence(err, "open project")
    assert shop.read_bytes() == before
    assert np.isfinite(len(before))
