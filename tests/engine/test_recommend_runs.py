"""Recommendations through the run pipeline on projects: the demo shop, a hand-made shop whose
reasons are known, the read models (one customer's list, the table, the card) and the neural
model's path when it serves."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from engine import runs
from engine.customers import customer_card, customer_table
from engine.demo_project import create_demo_project
from engine.ingest import ImportOptions, run_import
from engine.recommend.config import RecommendConfig
from engine.recommend.read import COLUMNS, drifting_categories, recommendations
from engine.tasks.base import RunSaved
from storage.project import Project, open_project
from storage.runs import customer_id_for_key


def _train(project: Project, config: RecommendConfig) -> RunSaved:
    saved = [r for r in runs.train(project, "recommend", config) if isinstance(r, RunSaved)]
    assert len(saved) == 1
    return saved[0]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Project, RunSaved]]:
    path = tmp_path_factory.mktemp("recommend-demo") / "demo.intentlens"
    create_demo_project(path, customers=300, seed=5)
    project = open_project(path)
    try:
        yield project, _train(project, RecommendConfig(no_neural=True))
    finally:
        project.close()


def test_on_the_demo_the_served_method_beats_popularity_and_own_history(demo) -> None:  # type: ignore[no-untyped-def]
    _, saved = demo
    data = saved.view.data
    served = data["served"]
    assert served not in ("popularity", "own_history")
    ndcg = data["baselines"][served]["ndcg_20"]
    assert ndcg > data["baselines"]["own_history"]["ndcg_20"] + 0.05
    assert ndcg > 2 * data["baselines"]["popularity"]["ndcg_20"]
    assert saved.view.verdict.startswith(("Co-occurrence serves", "The blend serves"))
    assert "times as many as popularity" in saved.view.verdict
    table = saved.view.table
    assert table is not None and table.columns[1:] == [
        "Recall@10", "Recall@20", "MRR@20", "NDCG@20", "Coverage"]
    assert any(label.endswith("(serves)") for label, _ in table.rows)


def test_one_customers_list_with_names_and_reasons(demo) -> None:  # type: ignore[no-untyped-def]
    project, _ = demo
    cid = customer_id_for_key(project, "C00010")
    assert cid is not None
    recs = recommendations(project, [cid], k=7)
    assert tuple(recs.columns) == COLUMNS
    assert recs["rank"].tolist() == list(range(1, 8))
    assert (recs["customer"] == "C00010").all() and (recs["customer_id"] == cid).all()
    assert recs["name"].str.len().min() > 0 and recs["reason"].str.len().min() > 0
    assert recs["score"].is_monotonic_decreasing
    assert recommendations(project, [10**9]).empty
    assert tuple(recommendations(project, []).columns) == COLUMNS
    everyone = recommendations(project, None, k=3)
    assert everyone["customer_id"].nunique() == 300 and (everyone["rank"] <= 3).all()


def test_outputs_refer_to_items_by_their_id(demo) -> None:  # type: ignore[no-untyped-def]
    """The run's rows name the project's items (item_id), and nothing hides in ``period``."""
    project, saved = demo
    with project.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT COUNT(*), COUNT(o.item_id), COUNT(o.period), COUNT(i.id) FROM run_outputs o "
            "LEFT JOIN items i ON i.id = o.item_id WHERE o.run_id = ?", (saved.run_id,)
        ).one()
    total, with_item, with_period, known = rows
    assert total > 0 and with_item == total == known and with_period == 0


def test_the_customer_table_and_card_show_the_top_pick(demo) -> None:  # type: ignore[no-untyped-def]
    project, _ = demo
    table = customer_table(project)
    assert "next_item" in table.frame.columns
    assert (table.frame["next_item"].str.len() > 0).all()
    cid = int(table.frame["customer_id"].iloc[0])
    card = customer_card(project, cid, explain=False)
    section = next(s for s in card.sections if s.task == "recommend")
    assert section.title == "Recommended next"
    first = recommendations(project, [cid], k=5)
    assert section.facts[:5] == [f"{n} — {r}" for n, r in zip(first["name"], first["reason"],
                                                           strict=True)]
    assert table.frame.loc[table.frame["customer_id"] == cid, "next_item"].iloc[0] == (
        first["name"].iloc[0])


# --- a hand-made shop ---------------------------------------------------------------------

START = datetime(2025, 1, 1, 10, 0, tzinfo=UTC)
AS_OF = START + timedelta(days=60)


def _write_shop(path: Path) -> None:
    """Twenty customers who buy their own few items again (own history serves); customer K01
    bought the Red Mug four times, the last 12 days before the end, and moved from Toys to
    Garden."""
    rows = []

    def add(c: str, day: float, event: str, item: str, cat: str, name: str, order: str = "") -> None:
        when = (START + timedelta(days=day)).strftime("%Y-%m-%d %H:%M:%S")
        rows.append([c, when, event, item, cat, name, "3.50", "1", order, ""])

    for d in (5, 20, 35, 48):
        add("K01", d, "purchase", "MUG", "Kitchen", "Red Mug", f"m{d}")
    for d in range(0, 30, 3):
        add("K01", d, "view", f"TOY{d % 4}", "Toys", f"Toy {d % 4}")
    for d in range(45, 60, 2):
        add("K01", d, "view", f"SEED{d % 3}", "Garden", f"Seeds {d % 3}")
    rng = np.random.default_rng(1)
    for c in range(2, 21):  # everyone buys their own few items again and again
        for d in sorted(rng.integers(0, 60, 8).tolist()):
            item = f"I{c}-{int(rng.integers(0, 2))}"
            add(f"K{c:02d}", d, "purchase", item, "Kitchen", f"Item {item}", f"o{c}-{d}")
    add("K01", 60, "view", "TOY1", "Toys", "Toy 1")  # at the very end: the as-of day
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["customer_id", "event_time", "event_type", "product_id", "category",
                         "product_name", "price", "quantity", "session_id", "search_query"])
        writer.writerows(rows)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    folder = tmp_path_factory.mktemp("recommend-shop")
    _write_shop(folder / "shop.csv")
    project = open_project(folder / "shop.intentlens")
    run_import(project, folder / "shop.csv", ImportOptions())
    try:
        yield project
    finally:
        project.close()


def test_reasons_quote_the_customers_own_history(shop: Project) -> None:
    saved = _train(shop, RecommendConfig(horizon_days=14, no_neural=True,
                                         exclude_bought="never"))
    assert saved.view.data["served"] in ("own_history", "blend"), saved.view.verdict
    cid = customer_id_for_key(shop, "K01")
    assert cid is not None
    recs = recommendations(shop, [cid], k=20)
    mug = recs[recs["item"] == "MUG"]
    assert mug["name"].tolist() == ["Red Mug"]
    assert mug["reason"].tolist() == ["bought 4 times, last 12 days ago"]


def test_drifting_categories_name_where_interest_moves(shop: Project) -> None:
    cid = customer_id_for_key(shop, "K01")
    assert cid is not None
    as_of = int(AS_OF.timestamp() * 1000)
    drift = drifting_categories(shop, cid, as_of, recent_days=20)
    assert [d[0] for d in drift] == ["Garden"]
    _, before, now = drift[0]
    assert before == 0.0 and now > 0.6


def test_a_stopped_run_saves_nothing(shop: Project) -> None:
    before = len([r for r in runs.train(shop, "recommend", RecommendConfig(no_neural=True),
                                        should_stop=lambda: True)
                  if isinstance(r, RunSaved)])
    assert before == 0
