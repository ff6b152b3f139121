"""Recommendations on the customer card: after a recommendations run, a customer's card lists
the items to offer next with the reason for each (the task's card section, shown by the card
without a line of recommendation-specific GUI code)."""

from __future__ import annotations

from collections.abc import Iterator
from html import escape

import pytest

from engine import runs
from engine.demo_project import create_demo_project
from engine.tasks.base import RunSaved
from gui.pages.customers_page import CustomersPage
from storage.project import Project, open_project
from storage.runs import customer_summary

pytest.importorskip("engine.tasks.recommend", reason="the recommendations task is not built yet")

CUSTOMERS = 100


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """A small demo shop with a recommendations run (the fast methods only)."""
    from engine.recommend.config import RecommendConfig

    path = tmp_path_factory.mktemp("recommend-card") / "shop.intentlens"
    create_demo_project(path, customers=CUSTOMERS, seed=3)
    project = open_project(path, create=False)
    config = RecommendConfig(preset="fast", no_neural=True, keep=5, eval_customers=100)
    last = list(runs.train(project, "recommend", config))[-1]
    assert isinstance(last, RunSaved)
    yield project
    project.close()


def test_the_card_lists_recommended_items_with_reasons(qtbot, shop: Project) -> None:  # type: ignore[no-untyped-def]
    from engine.recommend.read import recommendations

    page = CustomersPage()
    qtbot.addWidget(page)
    page.resize(1110, 760)
    page.show()
    page.set_project(shop)
    qtbot.waitUntil(lambda: page.model.rowCount() == CUSTOMERS, timeout=30_000)
    ids = customer_summary(shop)["customer_id"].astype(int).tolist()
    recs = recommendations(shop, ids, 5)
    # A customer with several recommendations, not just the first one in the list.
    counts = recs.groupby("customer_id").size()
    customer = int(counts[counts >= 3].index[0])
    mine = recs[recs["customer_id"] == customer].sort_values("rank")
    page.show_customer(customer)
    qtbot.waitUntil(lambda: page.card is not None and page.card_view.more.isVisible(),
                    timeout=30_000)
    shown = page.card_view.more.text()
    assert "Recommended next" in shown
    lines = [escape(f"{name or item} — {reason}")
             for name, item, reason in zip(mine["name"], mine["item"], mine["reason"],
                                           strict=True)]
    assert all(str(r).strip() for r in mine["reason"])  # every item says why
    for line in lines:
        assert line in shown
    places = [shown.index(line) for line in lines]
    assert places == sorted(places)  # in the model's order: the best first
    assert "Top pick" in page.card_view.facts.text()
    qtbot.waitUntil(lambda: not page._card_loader.busy, timeout=30_000)


def test_the_train_page_shows_the_chosen_tasks_run(qtbot, shop: Project) -> None:  # type: ignore[no-untyped-def]
    """Choosing a task shows its active run, or nothing yet: never another task's run next to
    this task's settings."""
    from gui.pages.train_page import TrainPage

    page = TrainPage()
    qtbot.addWidget(page)
    page.set_project(shop)
    combo = page.task_combo
    # The only run is a recommendations run: the page opens on it, with its settings.
    assert combo.currentData() == "recommend" and page._shown == "recommend"
    assert "Run 1" in page.epoch_label.text()
    recommend_view = page.panels["recommend"].results
    assert recommend_view.metrics_model.rowCount() >= 3  # the methods compared
    combo.setCurrentIndex(combo.findData("intent"))
    assert page._shown == "intent" and not recommend_view.isVisibleTo(page)
    assert page.epoch_label.text() == "Nothing trained yet for “Purchase intent”: press Start training."
    combo.setCurrentIndex(combo.findData("recommend"))
    assert page._shown == "recommend" and "Run 1" in page.epoch_label.text()
