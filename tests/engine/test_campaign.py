"""Campaign lists (engine.campaign): the money of a list size by hand, every filter on a
hand-built list, the export of exactly the rows shown (formulas neutralised, CSV and XLSX),
and the list built from a project's runs."""

from __future__ import annotations

import csv
import math
import sys
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from engine.campaign import (
    EXPORT_COLUMNS,
    FRAME_COLUMNS,
    CampaignData,
    CampaignFilter,
    campaign_data,
    export_campaign,
    plan,
    select,
)
from engine.demo_project import create_demo_project
from engine.events import MS_PER_DAY
from engine.spend import SpendCheck, order_stats, orders_of
from engine.tasks.base import NoData
from storage.project import Project, open_project
from storage.queries import overview, purchase_lines
from storage.run_writes import save_run
from storage.runs import customer_summary

DAY = MS_PER_DAY
AS_OF = 20_000 * DAY - 1  # the last moment of a day, as an as-of date is
FORMULA = '=HYPERLINK("http://x","y")'
ITEM_COLUMNS = ["item_1", "reason_1", "item_2", "reason_2", "item_3", "reason_3"]


def _data() -> CampaignData:
    """Six customers, likeliest first; F has no score."""
    intent = np.array([0.9, 0.7, 0.5, 0.3, 0.1, np.nan])
    value = np.array([20.0, 40.0, 10.0, 30.0, 100.0, 50.0])
    frame = pd.DataFrame({
        "customer_id": [1, 2, 3, 4, 5, 6],
        "customer": ["A", FORMULA, "C", "D", "E", "F"],
        "intent": intent,
        "order_value": value,
        "order_value_low": value * 0.5,
        "order_value_high": value * 2.0,
        "expected_spend": intent * value,
        "expected_spend_low": intent * value * 0.5,
        "expected_spend_high": intent * value * 2.0,
        "segment": ["s1", "s2", "s1", "", "s2", "s1"],
        "last_ms": AS_OF - np.array([1, 5, 10, 40, 0, 2]) * DAY,
        "revenue": [100.0, 0.0, 50.0, 20.0, 500.0, 10.0],
        "purchases": [3, 0, 1, 1, 7, 1],
    })
    return CampaignData(
        frame=frame, categories=["Garden", "Toys"], segments=["s1", "s2"], horizon_days=14,
        as_of_ms=AS_OF, intent_run_id=1,
        spend_check=SpendCheck(10, 1.0, 2.0, "Order values checked on the latest 14 days."),
        bought={"Toys": np.array([0, 2]), "Garden": np.array([1, 2, 4])},
    )


def _who(rows: pd.DataFrame) -> str:
    return "".join("B" if c == FORMULA else c for c in rows["customer"])


# --- the money ---------------------------------------------------------------------------
def _rows(spend: list[float], intent: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"expected_spend": spend, "intent": intent})


def test_profit_curve_and_best_cut_by_hand() -> None:
    rows = _rows([40.0, 20.0, 10.0, 4.0], [0.75, 0.5, 0.5, 0.25])
    # 50% margin, 4 per contact: 0, 20-4, 30-8, 35-12, 37-16
    got = plan(rows, top=2, margin_pct=50.0, cost_per_contact=4.0)
    assert got.curve_n.tolist() == [0, 1, 2, 3, 4]
    assert got.curve_profit.tolist() == [0.0, 16.0, 22.0, 23.0, 21.0]
    assert (got.best_cut, got.best_profit) == (3, 23.0)
    assert got.contacts == 2
    assert got.expected_buyers == 1.25 and got.expected_non_buyers == 0.75
    assert got.expected_revenue == 60.0 and got.expected_profit == 22.0
    whole = plan(rows, top=None, margin_pct=50.0, cost_per_contact=4.0)
    assert (whole.contacts, whole.expected_buyers, whole.expected_profit) == (4, 2.0, 21.0)
    assert "contacting 2 customers should reach about 1.2 buyers (0.8 will not buy)" in (
        got.sentence)
    assert "The most profitable list is the first 3 (expected profit 23.00)." in got.sentence


def test_ties_choose_the_smaller_list_and_costly_contacts_none() -> None:
    rows = _rows([8.0, 2.0, 1.0], [0.5, 0.5, 0.5])
    tie = plan(rows, top=None, margin_pct=50.0, cost_per_contact=1.0)  # 0, 3, 3, 2.5
    assert tie.curve_profit.tolist() == [0.0, 3.0, 3.0, 2.5] and tie.best_cut == 1
    dear = plan(rows, top=None, margin_pct=10.0, cost_per_contact=5.0)
    assert dear.best_cut == 0 and dear.best_profit == 0.0
    assert "No list size is expected to pay for its contacts" in dear.sentence


def test_plan_edges() -> None:
    rows = _rows([10.0, np.nan], [0.5, np.nan])  # no score: no spend, no buyer
    got = plan(rows, top=10, margin_pct=100.0, cost_per_contact=1.0)
    assert got.contacts == 2 and got.expected_buyers == 0.5 and got.expected_non_buyers == 1.5
    assert got.curve_profit.tolist() == [0.0, 9.0, 8.0]
    none = plan(rows, top=0, margin_pct=30.0, cost_per_contact=1.0)
    assert none.contacts == 0 and none.expected_profit == 0.0
    assert "nobody is contacted" in none.sentence
    empty = plan(rows.iloc[:0], top=None, margin_pct=30.0, cost_per_contact=1.0)
    assert empty.curve_n.tolist() == [0] and empty.best_cut == 0
    for kwargs in ({"top": -1}, {"margin_pct": 120.0}, {"cost_per_contact": -1.0},
                   {"cost_per_contact": math.nan}):
        args = {"top": None, "margin_pct": 30.0, "cost_per_contact": 1.0, **kwargs}
        with pytest.raises(ValueError):
            plan(rows, **args)  # type: ignore[arg-type]


# --- the filters -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("filt", "who"),
    [
        (CampaignFilter(), "ABCDEF"),
        (CampaignFilter(segment="s1"), "ACF"),
        (CampaignFilter(segment="s2"), "BE"),
        (CampaignFilter(min_intent=0.5), "ABC"),
        (CampaignFilter(max_intent=0.5), "CDE"),
        (CampaignFilter(min_intent=0.2, max_intent=0.8), "BCD"),
        (CampaignFilter(last_seen_days=7), "ABEF"),
        (CampaignFilter(last_seen_days=10), "ABEF"),  # 10 days ago is the 11th day back
        (CampaignFilter(last_seen_days=11), "ABCEF"),
        (CampaignFilter(min_spend=50.0), "ACE"),
        (CampaignFilter(max_spend=20.0), "BDF"),
        (CampaignFilter(bought_category="Toys"), "AC"),
        (CampaignFilter(never_bought_category="Toys"), "BDEF"),
        (CampaignFilter(bought_category="Nobody bought this"), ""),
        (CampaignFilter(never_bought_category="Nobody bought this"), "ABCDEF"),
        (CampaignFilter(segment="s1", bought_category="Garden"), "C"),
        (CampaignFilter(bought_category="Garden", never_bought_category="Toys"), "BE"),
    ],
)
def test_filters(filt: CampaignFilter, who: str) -> None:
    rows = select(_data(), filt)
    assert _who(rows) == who
    assert list(rows.columns) == list(FRAME_COLUMNS)
    assert rows.index.tolist() == list(range(len(rows)))


def test_select_leaves_the_data_alone_and_carries_the_words() -> None:
    data = _data()
    before = data.frame.copy()
    rows = select(data, CampaignFilter(segment="s1"))
    rows.loc[0, "intent"] = 0.0
    pd.testing.assert_frame_equal(data.frame, before)
    assert rows.attrs["horizon_days"] == 14 and rows.attrs["as_of_ms"] == AS_OF
    got = plan(rows, top=None, margin_pct=30.0, cost_per_contact=0.5)
    assert got.sentence.startswith(
        "From the purchase-intent probabilities of buying within 14 days")
    assert got.sentence.endswith("Order values checked on the latest 14 days.")


def test_unknown_segment_is_one_sentence_naming_the_segments() -> None:
    with pytest.raises(NoData, match="^There is no segment “s9”: the segments are s1, s2.$"):
        select(_data(), CampaignFilter(segment="s9"))
    data = _data()
    bare = CampaignData(data.frame, data.categories, [], 14, AS_OF, 1, None)
    with pytest.raises(NoData, match="train customer profiles first"):
        select(bare, CampaignFilter(segment="s1"))


def test_select_is_fast_on_twenty_thousand_customers() -> None:
    n = 20_000
    rng = np.random.default_rng(1)
    base = _data()
    frame = pd.DataFrame({
        "customer_id": np.arange(n), "customer": [f"C{i}" for i in range(n)],
        "intent": np.sort(rng.random(n))[::-1], "order_value": 1.0, "order_value_low": 1.0,
        "order_value_high": 1.0, "expected_spend": 1.0, "expected_spend_low": 1.0,
        "expected_spend_high": 1.0, "segment": rng.choice(["s1", "s2"], n).astype(object),
        "last_ms": AS_OF - rng.integers(0, 90, n) * DAY, "revenue": rng.random(n) * 100,
        "purchases": 1,
    })
    data = CampaignData(frame, base.categories, base.segments, 14, AS_OF, 1, None,
                        bought={"Toys": np.sort(rng.choice(n, 5000, replace=False))})
    filt = CampaignFilter(segment="s1", min_intent=0.2, last_seen_days=30, min_spend=10.0,
                          never_bought_category="Toys")
    rows = select(data, filt)
    assert 0 < len(rows) < n
    assert rows["intent"].is_monotonic_decreasing  # the benchmark times it; this sees it work


# --- the export --------------------------------------------------------------------------
def _read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_export_writes_exactly_the_rows_shown(project: Project, tmp_path: Path) -> None:
    rows = select(_data(), CampaignFilter(max_spend=100.0))  # A, B (a formula), C, D, F
    out = tmp_path / "list.csv"
    assert export_campaign(project, rows, out) == 5
    table = _read(out)
    assert table[0] == [*EXPORT_COLUMNS, *ITEM_COLUMNS]
    assert [r[0] for r in table[1:]] == ["A", "'" + FORMULA, "C", "D", "F"]
    first = dict(zip(table[0], table[1], strict=True))
    assert first["intent"] == "0.9" and first["expected_spend"] == "18.0"
    assert first["expected_spend_low"] == "9.0" and first["expected_spend_high"] == "36.0"
    assert first["segment"] == "s1" and first["last_seen"] == "2024-10-02"
    last = dict(zip(table[0], table[-1], strict=True))
    assert last["intent"] == "" and last["expected_spend"] == ""  # no score: empty cells
    assert all(r[7:] == [""] * 6 for r in table[1:])  # no recommendations model
    assert export_campaign(project, rows.iloc[:0], tmp_path / "none.csv") == 0
    assert _read(tmp_path / "none.csv") == [[*EXPORT_COLUMNS, *ITEM_COLUMNS]]


def test_export_workbook(project: Project, tmp_path: Path) -> None:
    rows = select(_data(), CampaignFilter(segment="s2"))  # B (a formula), E
    out = tmp_path / "list.xlsx"
    assert export_campaign(project, rows, out, recommended=1) == 2
    ws = load_workbook(out).active
    assert ws is not None
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0] == [*EXPORT_COLUMNS, "item_1", "reason_1"]
    assert [v[0] for v in values[1:]] == [FORMULA, "E"]  # the exact id, as text
    cell = ws["A2"]
    assert cell.data_type == "s" and cell.quotePrefix
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert values[1][1] == 0.7 and values[1][2] == 28.0
    assert isinstance(values[1][6], datetime | date)


def test_export_refuses_the_project(project: Project) -> None:
    from engine.exports import ExportError

    with pytest.raises(ExportError, match="open project"):
        export_campaign(project, select(_data(), CampaignFilter()), project.path)


# --- from a project ------------------------------------------------------------------------
def test_no_intent_run_is_one_sentence(project: Project) -> None:
    with pytest.raises(NoData, match="^Train a purchase-intent model first: the campaign list "
                       "ranks customers by it.$"):
        campaign_data(project)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """A small demo shop with an intent run and a profiles run saved as training would."""
    path = tmp_path_factory.mktemp("campaign") / "shop.intentlens"
    create_demo_project(path, customers=150, seed=11)
    project = open_project(path, create=False)
    ids = customer_summary(project)["customer_id"].to_numpy()
    rng = np.random.default_rng(0)
    last = overview(project).last_ms
    save_run(project, "intent", status="done",
             settings={"as_of_ms": last, "horizon_days": 21}, history={}, metrics={},
             summary="", seconds=0, warm_started=False, weights=None,
             outputs=pd.DataFrame({"customer_id": ids[:-3], "score": rng.random(len(ids) - 3),
                                   "rank": np.arange(1, len(ids) - 2)}))
    segment = ids % 3
    save_run(project, "profiles", status="done", settings={}, history={},
             metrics={"segments": [{"id": 0, "name": "Zero"}, {"id": 1, "name": "One"},
                                   {"id": 2, "name": "Two"}]},
             summary="", seconds=0, warm_started=False, weights=None,
             outputs=pd.DataFrame({"customer_id": ids, "segment": segment}))
    try:
        yield project
    finally:
        project.close()


def test_campaign_data_from_the_runs(shop: Project) -> None:
    data = campaign_data(shop)
    f = data.frame
    summary = customer_summary(shop).set_index("customer_id")
    assert list(f.columns) == list(FRAME_COLUMNS) and len(f) == len(summary)
    assert (data.horizon_days, data.as_of_ms) == (21, overview(shop).last_ms)
    assert data.segments == ["Zero", "One", "Two"]
    assert (f["segment"].to_numpy() == np.array(["Zero", "One", "Two"], dtype=object)[
        f["customer_id"].to_numpy() % 3]).all()
    scored = f["intent"].notna()
    assert scored.sum() == len(f) - 3 and not scored.iloc[-3:].any()  # unscored last
    assert f.loc[scored, "expected_spend"].is_monotonic_decreasing  # most valuable first
    assert np.allclose(f["expected_spend"], f["intent"] * f["order_value"], equal_nan=True)
    assert (f["order_value_low"] < f["order_value"]).all()
    # The range is the posterior's middle 80%; a few big spenders pull the mean of a customer
    # without orders above it (a heavy tail), but not the mean of one who ordered.
    ordered = f["purchases"] > 0
    assert (f.loc[ordered, "order_value"] < f.loc[ordered, "order_value_high"]).all()
    by_id = f.set_index("customer_id")
    summary = summary.reindex(by_id.index)
    assert (by_id["purchases"] == summary["purchases"]).all()
    assert np.allclose(by_id["revenue"], summary["revenue"])
    assert (by_id["last_ms"] == summary["last_ms"]).all()
    assert (by_id["customer"] == summary["key"]).all()
    # Never ordered: the population mean, the same for all.
    never = by_id.loc[by_id["purchases"] == 0, "order_value"]
    assert len(never) and np.allclose(never, data.spend_model.mean)  # type: ignore[union-attr]
    # Each category's buyers are exactly those with a purchase line in it.
    lines = purchase_lines(shop)
    buys = lines[lines["event"] == "purchase"]
    assert data.categories == sorted(buys["category"].dropna().unique())
    for cat in data.categories:
        want = set(buys.loc[buys["category"] == cat, "customer_id"])
        assert set(f["customer_id"].iloc[data.bought[cat]]) == want
    assert data.spend_check is not None and data.spend_check.customers > 0
    assert data.spend_check.sentence.startswith("Order values checked on the latest 21 days")
    stats = order_stats(orders_of(lines))
    assert stats["orders"].sum() == f["purchases"].sum()


def test_export_fills_the_recommended_items(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a recommendations model (here a stand-in for engine.recommend.read): the item's
    name (its key without one) and the reason, best first, blanks where there are fewer."""
    import types

    asked: list[tuple[list[int], int]] = []

    def recommendations(_project: Project, customer_ids: list[int] | None = None,
                        k: int = 10) -> pd.DataFrame:
        asked.append((list(customer_ids or []), k))
        return pd.DataFrame({
            "customer_id": [3, 1, 1, 3],
            "customer": ["C", "A", "A", "C"],
            "rank": [1, 2, 1, 2],
            "item": ["P3", "P2", "P1", "P4"],
            "name": ["Mug", None, "=cmd|' /C calc'!A0", "Cap"],
            "score": [0.9, 0.5, 0.8, 0.4],
            "reason": ["bought with Tee", "popular in Toys", "viewed twice", "similar"],
        })

    fake = types.ModuleType("engine.recommend.read")
    fake.recommendations = recommendations  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "engine.recommend.read", fake)
    rows = select(_data(), CampaignFilter(segment="s1"))  # A, C, F
    out = tmp_path / "list.csv"
    assert export_campaign(project, rows, out, recommended=2) == 3
    assert asked == [([1, 3, 6], 2)]
    table = _read(out)
    assert table[0][7:] == ["item_1", "reason_1", "item_2", "reason_2"]
    assert table[1][7:] == ["'=cmd|' /C calc'!A0", "viewed twice", "P2", "popular in Toys"]
    assert table[2][7:] == ["Mug", "bought with Tee", "Cap", "similar"]
    assert table[3][7:] == ["", "", "", ""]  # nothing recommended for F


def test_segment_names_match_as_typed_and_an_empty_list_says_why() -> None:
    data = _data()
    name = data.segments[0]
    exact = select(data, CampaignFilter(segment=name))
    typed = select(data, CampaignFilter(segment=f"  {name.upper()} "))
    assert len(exact) > 0 and typed["customer_id"].tolist() == exact["customer_id"].tolist()
    nobody = select(data, CampaignFilter(segment=name, min_intent=1.5))
    assert len(nobody) == 0
    done = plan(nobody, top=None, margin_pct=30, cost_per_contact=0.5)
    assert done.contacts == 0 and "No customer matches these filters" in done.sentence
    assert "margin and cost" not in done.sentence


def test_the_customer_table_and_card_show_the_same_expected_spend(shop: Project) -> None:
    """The Customers table and the card show what the Campaign page prices: intent x the
    expected order value, with its range."""
    from engine import customer_value
    from engine.customers import customer_table
    from storage.runs import active_run

    data = campaign_data(shop).frame.set_index("customer_id")
    table = customer_table(shop)
    column = next(c for c in table.columns if c.key == "expected_spend")
    assert column.kind == "money" and column.detail == "spend_range"
    rows = table.frame.set_index("customer_id")
    scored = data["intent"].notna()
    assert np.allclose(rows.loc[data.index[scored], "expected_spend"],
                       data.loc[scored, "expected_spend"])
    assert rows.loc[data.index[~scored], "expected_spend"].isna().all()  # unscored: blank
    cid = int(data.index[0])
    r = data.loc[cid]
    assert rows.loc[cid, "spend_range"] == (
        f"likely {r['expected_spend_low']:,.2f}–{r['expected_spend_high']:,.2f}")
    run = active_run(shop, "intent")
    section = customer_value.card(shop, cid, run)
    assert section is not None
    assert section.headline == (
        f"Expected spend in the next 21 days: {r['expected_spend']:,.2f} "
        f"(likely {r['expected_spend_low']:,.2f}–{r['expected_spend_high']:,.2f}).")
    assert section.facts[0].startswith(f"{r['intent']:.0%} chance to buy × "
                                       f"{r['order_value']:,.2f} expected order value")
    assert customer_value.card(shop, int(data.index[~scored][0]), run) is None
    assert customer_value.card(shop, cid, None) is None


def test_a_card_before_the_table_reads_only_its_customer(shop: Project,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A card opened before anyone read every customer's expected spend reads its own
    customer's score (everyone's took 20 s at 1,000,000 customers) and says the same."""
    from engine import customer_value
    from storage.runs import active_run

    run = active_run(shop, "intent")
    data = campaign_data(shop).frame.set_index("customer_id")
    scored = data["intent"].notna()
    ids = [int(i) for i in data.index[scored][:3]]
    customer_value.customer_values(shop)
    full = [customer_value.card(shop, cid, run) for cid in ids]
    customer_value._cache.clear()
    customer_value._bases.clear()

    def everyone(_project: object) -> object:
        raise AssertionError("read every customer's score for one card")

    monkeypatch.setattr(customer_value, "signal_reader", everyone)
    alone = [customer_value.card(shop, cid, run) for cid in ids]
    assert alone == full and all(a is not None for a in alone)
    assert customer_value.card(shop, int(data.index[~scored][0]), run) is None


def test_a_value_run_that_beat_the_own_rate_gives_the_expected_spend(shop: Project) -> None:
    ids = customer_summary(shop)["customer_id"].to_numpy()
    spend = np.arange(len(ids), dtype=np.float64)

    def value_run(horizon: int, gap: list[float]) -> int:
        return save_run(
            shop, "value", status="done", settings={"as_of_ms": overview(shop).last_ms,
                                                    "horizon_days": horizon},
            history={}, metrics={"spend": {"versus_shrunk_mean": gap}}, summary="", seconds=0,
            warm_started=False, weights=None,
            outputs=pd.DataFrame({"customer_id": ids, "expected_spend": spend,
                                  "expected_spend_p10": spend / 2,
                                  "expected_spend_p90": spend * 2}))

    before = campaign_data(shop).frame.set_index("customer_id")
    try:
        value_run(21, [5.0, -1.0, 9.0])  # within chance: intent x order value stays
        same = campaign_data(shop).frame.set_index("customer_id")
        assert np.allclose(same["expected_spend"], before["expected_spend"], equal_nan=True)
        value_run(30, [5.0, 2.0, 9.0])  # another horizon: not comparable
        same = campaign_data(shop).frame.set_index("customer_id")
        assert np.allclose(same["expected_spend"], before["expected_spend"], equal_nan=True)
        value_run(21, [5.0, 2.0, 9.0])  # beat it, same horizon: its spend ranks the list
        data = campaign_data(shop).frame
        by_id = data.set_index("customer_id")
        want = pd.Series(spend, index=ids).reindex(by_id.index)
        assert np.allclose(by_id["expected_spend"], want)
        assert np.allclose(by_id["expected_spend_high"], want * 2)
        assert data["expected_spend"].is_monotonic_decreasing
    finally:
        with shop.connect() as conn:
            conn.exec_driver_sql("UPDATE model_runs SET active = 0 WHERE task = 'value'")
            conn.commit()


def test_the_plan_says_where_its_money_comes_from() -> None:
    rows = _rows([40.0, 20.0], [0.75, 0.5])
    rows.attrs = {"horizon_days": 30, "spend_source": "intent"}
    said = plan(rows, top=2, margin_pct=50.0, cost_per_contact=1.0).sentence
    assert "each customer's expected order value" in said and "customer-value run" not in said
    rows.attrs = {"horizon_days": 30, "spend_source": "value"}
    said = plan(rows, top=2, margin_pct=50.0, cost_per_contact=1.0).sentence
    assert said.startswith("From the purchase-intent probabilities of buying within 30 days and "
                           "the customer-value run's expected spend over the same days")
    assert "expected order value" not in said
