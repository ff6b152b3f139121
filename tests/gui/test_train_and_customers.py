"""Train page and Customers page, driven as a user would (pytest-qt, offscreen)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from engine.demo_project import create_demo_project
from engine.tasks.base import Progress
from gui.main_window import MainWindow
from gui.pages.customers_page import CustomersModel
from gui.settings import Settings
from storage.runs import list_runs

#: The header of ``export scores`` (a contract): the score, then the customer-value columns.
SCORE_HEADER = ["customer", "score", "rank", "as_of", "horizon", "expected_spend",
                "expected_spend_p10", "expected_spend_p90", "next_purchase", "churn_risk",
                "churn_band"]


@pytest.fixture(scope="module")
def small_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("train") / "small.intentlens"
    create_demo_project(path, customers=400, seed=4)
    return path


def test_train_receives_epochs_stops_and_shows_metrics(qtbot, small_project):  # type: ignore[no-untyped-def]
    window = MainWindow(Settings(), remember=False)
    qtbot.addWidget(window)
    assert window.open_project(str(small_project))
    page = window.train_page
    window.show_page(page)
    # Start is offered once the project's totals arrive from the Data page's worker.
    qtbot.waitUntil(page.start_button.isEnabled, timeout=30_000)
    page.preset.setCurrentIndex(page.preset.findData("fast"))
    page.advanced.setChecked(True)
    page.epochs.setValue(40)  # far more than we let it run: Stop must end it
    epochs: list[object] = []
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    assert page.worker is not None and not page.start_button.isEnabled()

    def on_report(report: object) -> None:
        if isinstance(report, Progress) and report.step == "epoch":
            epochs.append(report)
            if len(epochs) == 2:
                page.stop_now(keep=True)

    page.worker.signals.progressed.connect(on_report)
    with qtbot.waitSignal(page.worker.signals.finished, timeout=240_000):
        pass
    assert len(epochs) >= 2
    assert len(epochs) < 40, "Stop must end training early"
    assert page.start_button.isEnabled()
    # The best model so far was kept, evaluated against the baselines and saved.
    assert page.metrics_model.rowCount() >= 3
    labels = [page.metrics_model.row(i)[0] for i in range(page.metrics_model.rowCount())]
    assert any("RFM" in label for label in labels)
    assert "Stopped early" in page.verdict.text()
    runs = list_runs(window.project, "intent")  # type: ignore[arg-type]
    assert runs and runs[0].status == "stopped" and runs[0].active
    assert page.runs_model.rowCount() == len(list_runs(window.project))  # type: ignore[arg-type]

    # The Customers page now shows scores, sorted best first, and opens a card.
    customers = window.customers_page
    qtbot.waitUntil(lambda: customers.model.rowCount() == 400, timeout=30_000)
    qtbot.waitUntil(
        lambda: customers.model.frame["score"].notna().sum() > 0, timeout=30_000
    )
    first = customers.model.customer_id(0)
    customers.show_customer(first)
    qtbot.waitUntil(lambda: customers.card is not None, timeout=60_000)
    assert customers.card.customer_id == first  # type: ignore[union-attr]
    assert "likely" in customers.meaning.text()
    assert customers.timeline_points.data.size == customers.card.events  # type: ignore[union-attr]


def test_customers_model_filters_and_sorts(qtmodeltester):  # type: ignore[no-untyped-def]
    import numpy as np
    import pandas as pd

    model = CustomersModel()
    model.set_frame(pd.DataFrame({
        "customer_id": [1, 2, 3, 4],
        "customer": ["ann", "bob", "anna", "cy"],
        "score": [0.2, 0.9, np.nan, 0.5],
        "rank": [3.0, 1.0, np.nan, 2.0],
        "purchases": [1, 5, 0, 2],
        "revenue": [10.0, 99.5, 0.0, 20.0],
        "last_ms": [1.7e12, 1.7e12, 1.7e12, 1.7e12],
        "segment": ["a", "b", "", "a"],
    }))
    qtmodeltester.check(model)
    model.sort(1, Qt.SortOrder.DescendingOrder)
    assert [model.customer_id(r) for r in range(4)] == [2, 4, 1, 3]  # unscored last
    model.set_filter("ann", 0.0, 1.0)
    assert sorted(model.customer_id(r) for r in range(model.rowCount())) == [1, 3]
    model.set_filter("", 0.4, 1.0)
    assert [model.customer_id(r) for r in range(model.rowCount())] == [2, 4]


def test_train_profiles_then_open_a_customer_from_the_map(qtbot, small_project):  # type: ignore[no-untyped-def]
    window = MainWindow(Settings(), remember=False)
    qtbot.addWidget(window)
    assert window.open_project(str(small_project))
    page = window.train_page
    qtbot.waitUntil(page.start_button.isEnabled, timeout=30_000)
    page.task_combo.setCurrentIndex(page.task_combo.findData("profiles"))
    assert not page.horizon.isVisible() or not page.isVisible()
    epochs: list[object] = []
    page.start()
    assert page.worker is not None
    page.worker.signals.progressed.connect(
        lambda r: epochs.append(r) if isinstance(r, Progress) and r.step == "epoch" else None
    )
    with qtbot.waitSignal(page.worker.signals.finished, timeout=300_000):
        pass
    assert len(epochs) >= 2, "the reconstruction-loss curve gets one point per epoch"
    assert len(page.valid_curve.getData()[0]) == len(epochs)
    assert "segments" in page.verdict.text()

    segments = window.segments_page
    window.show_page(segments)
    # The page reloads by itself when a profiles run is saved.
    qtbot.waitUntil(lambda: segments.model.rowCount() >= 2, timeout=60_000)
    assert segments.map_point_count() == 400
    # Clicking a customer on the map lands on their card on the Customers page.
    customer_id = int(segments.data.customer_ids[0])  # type: ignore[union-attr]
    segments.customer_selected.emit(customer_id)
    assert window.pages.currentWidget() is window.customers_page
    customers = window.customers_page
    qtbot.waitUntil(
        lambda: customers.card is not None and customers.card.customer_id == customer_id,
        timeout=60_000,
    )
    assert any(s.task == "profiles" for s in customers.card.sections)  # type: ignore[union-attr]
    assert "Segment:" in customers.facts.text()
    # What the customer will probably spend, next to the intent it rests on.
    assert any(s.task == "spend" for s in customers.card.sections)  # type: ignore[union-attr]
    assert "Expected spend in the next" in customers.facts.text()
    assert "chance to buy ×" in customers.card_view.more.text()


def test_a_failed_run_explains_itself_and_the_page_recovers(qtbot, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox

    tiny = tmp_path / "tiny.intentlens"
    create_demo_project(tiny, customers=30, seed=2)
    warnings: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "warning", lambda _p, _t, text, *a, **k: warnings.append(text)
    )
    window = MainWindow(Settings(), remember=False)
    qtbot.addWidget(window)
    assert window.open_project(str(tiny))
    page = window.train_page
    qtbot.waitUntil(page.start_button.isEnabled, timeout=30_000)
    page.preset.setCurrentIndex(page.preset.findData("fast"))
    page.start()
    assert page.worker is not None
    with qtbot.waitSignal(page.worker.signals.finished, timeout=120_000):
        pass
    # The small-data guard speaks in numbers, before any training happened.
    assert warnings and any(ch.isdigit() for ch in warnings[0])
    assert warnings[0] == page.status.text()
    assert page.start_button.isEnabled() and not page.stop_button.isEnabled()
    assert list_runs(window.project, "intent") == []  # type: ignore[arg-type]
    # The window is still usable: another task runs to the end on the same project.
    page.task_combo.setCurrentIndex(page.task_combo.findData("profiles"))
    page.start()
    with qtbot.waitSignal(page.worker.signals.finished, timeout=300_000):
        pass
    assert list_runs(window.project, "profiles")  # type: ignore[arg-type]


def test_customers_page_exports_the_scores(qtbot, small_project, tmp_path):  # type: ignore[no-untyped-def]
    import csv

    from engine import runs
    from engine.intent import IntentConfig
    from storage.project import open_project
    from storage.runs import active_run

    project = open_project(small_project)
    if active_run(project, "intent") is None:  # when this test runs on its own
        for _ in runs.train(project, "intent", IntentConfig(preset="fast", epochs=2)):
            pass
    project.close()
    window = MainWindow(Settings(), remember=False)
    qtbot.addWidget(window)
    assert window.open_project(str(small_project))
    page = window.customers_page
    qtbot.waitUntil(lambda: page.model.rowCount() == 400, timeout=30_000)
    out = tmp_path / "scores.csv"
    n = page.export_scores(str(out))
    with out.open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == SCORE_HEADER
    assert n == len(rows) - 1 == 400
    assert [int(r[2]) for r in rows[1:6]] == [1, 2, 3, 4, 5]


def test_forget_a_customer_from_the_card(qtbot, tmp_path):  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    from storage.project import open_project

    path = tmp_path / "forget.intentlens"
    create_demo_project(path, customers=60, seed=9)
    window = MainWindow(Settings(), remember=False)
    qtbot.addWidget(window)
    assert window.open_project(str(path))
    page = window.customers_page
    qtbot.waitUntil(lambda: page.model.rowCount() == 60, timeout=30_000)
    page.table.selectRow(0)
    qtbot.waitUntil(lambda: page.card is not None, timeout=30_000)
    key = str(page.card.customer)
    page.forget_customer(confirm=False)
    qtbot.waitUntil(lambda: page.model.rowCount() == 59, timeout=30_000)
    assert key in page.placeholder.text() and page.card_stack.currentIndex() == 0
    window.grab().save(str(tmp_path / "forgotten.png"))
    window.close()
    project = open_project(path, create=False)
    try:
        with project.connect() as conn:
            left = conn.execute(
                text("SELECT COUNT(*) FROM customers WHERE key = :k"), {"k": key}
            ).scalar_one()
        assert left == 0
    finally:
        project.close()
    assert key.encode() not in path.read_bytes()


def test_export_scores_over_the_project_is_refused_in_a_sentence(  # type: ignore[no-untyped-def]
    qtbot, small_project, monkeypatch
):
    from PySide6.QtWidgets import QMessageBox

    said: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "information", lambda *a, **_k: said.append(str(a[2]))
    )
    before = small_project.read_bytes()[:100]
    window = MainWindow(Settings(), remember=False)
    qtbot.addWidget(window)
    assert window.open_project(str(small_project))
    page = window.customers_page
    qtbot.waitUntil(lambda: page.model.rowCount() == 400, timeout=30_000)
    assert page.export_scores(str(small_project)) == 0
    assert len(said) == 1 and "\n" not in said[0]
    window.close()
    assert small_project.read_bytes()[:100] == before  # still the project, not CSV
