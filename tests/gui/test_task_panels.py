"""The Train page knows no task: a task registered only here trains from it like the built-in ones.

Also the one settings form (built from ``Setting`` metadata) and the intent panel's presets.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDateEdit, QDoubleSpinBox, QSpinBox

from engine import runs
from engine.dates import day_end
from engine.demo_project import create_demo_project
from engine.intent import PRESETS, IntentConfig
from engine.profiles import ProfileConfig
from engine.tasks import TASKS, register, unregister
from engine.tasks.base import Progress
from gui.main_window import MainWindow
from gui.settings import Settings
from gui.tasks import make_panel
from gui.tasks.form import SettingsForm
from gui.tasks.intent import IntentPanel
from gui.tasks.panel import TaskPanel
from storage.project import open_project
from storage.runs import active_run, list_runs, run_outputs
from tests.dummy_task import KEY, TASK, CountConfig


@pytest.fixture
def counting() -> Iterator[None]:
    """The dummy "count purchases" task, registered for one test only."""
    register(TASK)
    try:
        yield
    finally:
        unregister(KEY)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("panels") / "shop.intentlens"
    create_demo_project(path, customers=60, seed=3)
    return path


def _window(qtbot, path: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(Settings(), remember=False)
    qtbot.addWidget(window)
    assert window.open_project(str(path))
    qtbot.waitUntil(window.train_page.start_button.isEnabled, timeout=30_000)
    return window


def test_a_registered_task_trains_from_the_page(qtbot, counting, shop):  # type: ignore[no-untyped-def]
    window = _window(qtbot, shop)
    page = window.train_page
    keys = [page.task_combo.itemData(i) for i in range(page.task_combo.count())]
    assert keys == list(TASKS) and KEY in keys
    page.task_combo.setCurrentIndex(keys.index(KEY))
    assert page.task_combo.currentText() == "Purchases counted"
    panel = page.panel
    assert type(panel) is TaskPanel  # no panel of its own: the generic one
    weight = panel.form.widgets["weight"]
    assert isinstance(weight, QSpinBox) and (weight.minimum(), weight.maximum()) == (1, 10)
    assert isinstance(panel.form.widgets["as_of_ms"], QDateEdit)
    assert not panel.form.advanced.isVisibleTo(panel)  # nothing to fold
    assert not page.warm.isVisibleTo(page)  # no warm start for this task
    weight.setValue(2)

    reports: list[Progress] = []
    with qtbot.waitSignal(window.run_saved, timeout=60_000) as saved:
        qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
        assert page.worker is not None
        page.worker.signals.progressed.connect(
            lambda r: reports.append(r) if isinstance(r, Progress) else None
        )
    qtbot.waitUntil(page.start_button.isEnabled, timeout=30_000)
    task, run_id = saved.args
    assert task == KEY
    assert [r.epoch for r in reports if r.step == "epoch"] == [1, 2]
    # The live curves: one point per epoch for the training loss and the task's metric.
    assert len(page.train_epoch_curve.getData()[0]) == 2
    assert page.auc_plot.isVisibleTo(page)  # the task has an extra metric ("customers")

    project = window.project
    assert project is not None
    run = active_run(project, KEY)
    assert run is not None and run.id == run_id and run.settings == {"weight": 2}
    assert page.status.text() == f"Saved as run {run_id}; it is now the active model."
    outputs = run_outputs(project, run_id, names=("counted",))
    assert len(outputs) == 60 and outputs["counted"].max() >= 2  # weight 2 per purchase
    # Its view came through the generic result view: verdict, no table, no charts.
    assert page.verdict.text() == run.summary and page.verdict.isVisibleTo(page)
    rows = [page.runs_model.row(i) for i in range(page.runs_model.rowCount())]
    mine = next(r for r in rows if r[0] == run_id)
    assert mine[1] == "Count" and mine[3] == "60 customers counted (active)"

    # The Customers page hears the broadcast: the task's column in the table, its section on
    # the card, with no edit outside the task's own files.
    customers = window.customers_page
    model = customers.model
    qtbot.waitUntil(lambda: "Purchases counted" in model.headers, timeout=30_000)
    column = model.headers.index("Purchases counted")
    top = outputs.sort_values("counted", ascending=False).iloc[0]
    window.open_customer(int(top["customer_id"]))
    qtbot.waitUntil(
        lambda: customers.card is not None
        and customers.card.customer_id == int(top["customer_id"]), timeout=30_000)
    assert f"Purchases counted: {int(top['counted'])}." in customers.card_view.facts.text()
    # The header is there as soon as the task is registered; the values come with the reload
    # the broadcast starts on the worker.
    def cell() -> object:
        row = model.row_of(int(top["customer_id"]))
        return None if row is None else model.data(model.index(row, column))

    qtbot.waitUntil(lambda: cell() == f"{top['counted']:,.0f}", timeout=30_000)


def test_use_this_model_writes_on_a_worker_thread(  # type: ignore[no-untyped-def]
    qtbot, counting, shop, monkeypatch
):
    project = open_project(shop)
    try:
        for weight in (1, 3):
            for _ in runs.train(project, KEY, CountConfig(weight=weight)):
                pass
        older, newer = list_runs(project, KEY)[1], list_runs(project, KEY)[0]
    finally:
        project.close()
    threads: list[threading.Thread] = []
    original = runs.make_active

    def recording(project, run_id):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread())
        return original(project, run_id)

    monkeypatch.setattr(runs, "make_active", recording)
    window = _window(qtbot, shop)
    page = window.train_page
    row = [page.runs_model.row(i)[0] for i in range(page.runs_model.rowCount())].index(older.id)
    page.runs_view.setCurrentIndex(page.runs_model.index(row, 0))
    assert "active" not in page.runs_model.row(row)[3]
    with qtbot.waitSignal(window.run_saved, timeout=30_000) as saved:
        page.activate_selected_run()
    assert saved.args == [KEY, older.id]
    assert threads and threads[0] is not threading.main_thread()
    assert active_run(window.project, KEY).id == older.id  # type: ignore[arg-type,union-attr]
    row = [page.runs_model.row(i)[0] for i in range(page.runs_model.rowCount())].index(older.id)
    assert page.runs_model.row(row)[3].endswith("(active)")
    assert page.status.text() == f"Run {older.id} is now the active model."
    # Showing a run of this task again uses its own panel; it has no extra curves to plot.
    page.task_combo.setCurrentIndex(page.task_combo.findData("intent"))
    page.show_run(next(r for r in list_runs(window.project) if r.id == newer.id))  # type: ignore[arg-type]
    assert page.verdict.text() == newer.summary
    assert not page.auc_plot.isVisibleTo(page)


def test_the_form_follows_the_setting_metadata(qtbot):  # type: ignore[no-untyped-def]
    form = SettingsForm(IntentConfig)
    qtbot.addWidget(form)
    horizon, lr = form.widgets["horizon_days"], form.widgets["learning_rate"]
    assert isinstance(horizon, QSpinBox) and horizon.suffix() == " days"
    assert (horizon.minimum(), horizon.maximum()) == (1, 365)
    assert isinstance(lr, QDoubleSpinBox) and lr.decimals() == 5 and lr.singleStep() == 1e-4
    top = form.widgets["top_percent"]
    assert isinstance(top, QDoubleSpinBox) and top.text() == "best F1"
    assert form.value("top_percent") is None
    seed = form.widgets["seed"]
    assert isinstance(seed, QSpinBox) and seed.maximum() == 2**31 - 1  # Qt's int, not 2**32 - 1
    assert set(form.advanced_names) >= {"epochs", "cell", "seed", "top_percent"}
    assert not form.advanced_body.isVisibleTo(form)
    form.advanced.setChecked(True)
    assert form.advanced_body.isVisibleTo(form)
    form.set_date_range(day_end(2025, 1, 1), day_end(2025, 3, 31))
    assert form.value("as_of_ms") == day_end(2025, 3, 31)

    profiles = make_panel(TASKS["profiles"])
    qtbot.addWidget(profiles)
    segments = profiles.form.widgets["n_segments"]  # a few whole numbers or "automatic": a list
    assert isinstance(segments, QComboBox) and segments.currentText() == "Find automatically"
    assert [segments.itemText(i) for i in range(1, segments.count())] == [
        str(k) for k in range(2, 13)]
    config = profiles.config()
    assert isinstance(config, ProfileConfig) and config.n_segments is None
    segments.setCurrentIndex(segments.findText("4"))
    assert profiles.config().n_segments == 4
    assert profiles.config().epochs == ProfileConfig().epochs  # folded: the default


def test_intent_presets_fill_the_advanced_settings(qtbot):  # type: ignore[no-untyped-def]
    panel = make_panel(TASKS["intent"])
    qtbot.addWidget(panel)
    assert isinstance(panel, IntentPanel)
    form = panel.form
    assert form.value("preset") == "balanced"
    assert form.value("epochs") == PRESETS["balanced"]["epochs"]
    form.set_value("preset", "fast")
    assert form.value("epochs") == PRESETS["fast"]["epochs"]
    assert form.value("learning_rate") == pytest.approx(PRESETS["fast"]["learning_rate"])
    panel.show_overview(day_end(2025, 6, 1), day_end(2025, 11, 27))
    assert form.value("horizon_days") == 30 and form.value("as_of_ms") == day_end(2025, 11, 27)
    # Folded, the preset decides; unfolded, what is on screen is passed.
    folded = panel.config()
    assert folded == IntentConfig(as_of_ms=day_end(2025, 11, 27), horizon_days=30,
                                  preset="fast")
    form.advanced.setChecked(True)
    form.set_value("epochs", 40)
    opened = panel.config()
    assert opened.epochs == 40 and opened.batch_size == PRESETS["fast"]["batch_size"]
    assert opened.top_percent is None and opened.cell == "lstm" and opened.seed == 0


def test_the_epoch_axis_ticks_whole_epochs_only(qtbot) -> None:  # type: ignore[no-untyped-def]
    from gui.widgets import EpochAxis

    axis = EpochAxis(orientation="bottom")
    for low, high, size in ((0.8, 6.2, 400.0), (0.9, 2.1, 600.0), (1.0, 60.0, 300.0)):
        levels = axis.tickValues(low, high, size)
        values = [v for _, vs in levels for v in vs]
        assert values and all(float(v).is_integer() for v in values), (low, high, levels)
        assert all(low <= v <= high for v in values)


def test_a_task_without_a_loss_shows_its_own_curve_alone(qtbot) -> None:  # type: ignore[no-untyped-def]
    from engine.tasks.base import RunView, Series
    from gui.tasks.curves import TrainingCurves

    curves = TrainingCurves()
    qtbot.addWidget(curves)
    curves.show_view(RunView(task="forecast", run_id=1, headline="", verdict="",
                             extra_curves=[Series("backtest WAPE", [1.0, 2.0], [0.3, 0.2])],
                             extra_title="Error at each backtest date"), "")
    assert curves.loss_plot.isHidden() and not curves.extra_plot.isHidden()
    assert curves.extra_plot.getAxis("bottom").labelText == "step"
    curves.show_view(RunView(task="intent", run_id=2, headline="", verdict="",
                             losses=[Series("training", [1.0], [0.5])]), "")
    assert not curves.loss_plot.isHidden()


def test_the_data_gate_shows_each_tasks_check_before_start(qtbot, shop):  # type: ignore[no-untyped-def]
    window = _window(qtbot, shop)
    page = window.train_page
    project = window.project
    assert project is not None
    keys = [page.task_combo.itemData(i) for i in range(page.task_combo.count())]

    def shown_for(key: str) -> str:
        page.task_combo.setCurrentIndex(keys.index(key))
        expected = runs.data_check(project, key, page.panel.config())
        mark = "✓" if expected.ok else "⚠"
        qtbot.waitUntil(lambda: page.gate_verdict_shown == f"{mark} {expected.message}",
                        timeout=30_000)
        return expected.message

    text = shown_for("value")
    assert "customers bought in the last" in text  # live counts, in words
    # A setting changes the check: a longer horizon counts the buyers of a longer window.
    days = page.panel.form.widgets["horizon_days"]
    assert isinstance(days, QSpinBox)
    days.setValue(days.value() + 10)
    assert f"in the last {days.value()} days" in shown_for("value")
    # Every task has its own sentence; a task the data cannot serve says what is missing.
    for key in ("intent", "profiles", "forecast"):
        assert shown_for(key)
    page.task_combo.setCurrentIndex(keys.index("forecast"))
    weeks = page.panel.form.widgets["weeks"]
    assert isinstance(weeks, QSpinBox)
    weeks.setValue(weeks.maximum())
    qtbot.waitUntil(lambda: page.gate_verdict_shown.startswith("⚠"), timeout=30_000)
    assert "weeks ahead fit" in page.gate_verdict_shown
    assert not page.start_button.isEnabled()  # the run would refuse the same way
    assert "Start is off until the data is enough" in page.status.text()
    weeks.setValue(4)
    qtbot.waitUntil(lambda: page.gate_verdict_shown.startswith("✓"), timeout=30_000)
    assert page.start_button.isEnabled()
    assert page.status.text() == "Choose what to learn and press Start."


def test_preparing_the_data_shows_what_it_does_and_the_time_left(qtbot, shop):  # type: ignore[no-untyped-def]
    page = _window(qtbot, shop).train_page
    page._progressed(Progress("intent", "prepare", elapsed_s=2.0, message="Reading the events…"))
    # No run before: the time so far, and a busy bar.
    assert page.epoch_label.text() == "Preparing the training data: Reading the events… · 2 s"
    assert page.progress.maximum() == 0
    page._progressed(Progress("intent", "prepare", elapsed_s=10.0, eta_s=30.0,
                              message="Building each customer's history from 1,234 events…"))
    assert page.epoch_label.text() == (
        "Preparing the training data: Building each customer's history from 1,234 events… "
        "· elapsed 10 s · about 30 s left")
    assert page.progress.maximum() == 1000 and page.progress.value() == 250  # 10 of 40 s
    assert page._prepare_timer.isActive()  # the line keeps counting between reports
    page._progressed(Progress("intent", "epoch", epoch=1, epochs=3, elapsed_s=12.0))
    assert not page._prepare_timer.isActive()
    assert page.epoch_label.text().startswith("Epoch 1 of at most 3")
