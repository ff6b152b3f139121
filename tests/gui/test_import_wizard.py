"""The import wizard and the Data page, driven as a user would (pytest-qt, offscreen)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
from PySide6.QtCore import Qt

from gui.main_window import MainWindow
from gui.settings import Settings
from storage.project import open_project
from storage.queries import overview


def _window(qtbot, project_path: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(Settings(), remember=False)
    qtbot.addWidget(window)
    assert window.open_project(open_project(project_path).location.removeprefix("sqlite:///"))
    return window


def test_wizard_imports_end_to_end_and_data_page_shows_counts(qtbot, tmp_path, demo_csv):  # type: ignore[no-untyped-def]
    window = _window(qtbot, tmp_path / "shop.intentlens")
    wizard = window.import_file(str(demo_csv))
    assert wizard is not None
    assert wizard.preview is not None and wizard.preview.ready
    assert wizard.import_button.isEnabled()
    assert wizard.column_combos["customer"].currentText() == "customer_id"
    # Small chunks so several progress reports arrive before the end.
    wizard.options = replace(wizard.options, chunk_rows=2_000)
    reports = []
    wizard.worker = None
    with qtbot.waitSignal(wizard.imported, timeout=60_000) as done:
        qtbot.mouseClick(wizard.import_button, Qt.MouseButton.LeftButton)
        wizard.worker.signals.progressed.connect(reports.append)  # type: ignore[union-attr]
    report = done.args[0]
    expected = len(pd.read_csv(demo_csv))
    assert report.imported == expected and report.rejected == 0
    assert len(reports) >= 2, "progress must arrive while importing"
    assert wizard.steps.currentIndex() == 2
    assert f"{expected:,}" in wizard.result_title.text()

    page = window.data_page
    qtbot.waitUntil(
        lambda: page.summary is not None and page.summary.overview.events == expected,
        timeout=20_000,
    )
    assert page.cards["events"].value.text() == f"{expected:,}"
    assert page.cards["customers"].value.text() == "300"
    assert page.categories_model.rowCount() > 0


def test_cancel_leaves_project_unchanged(qtbot, tmp_path, demo_csv):  # type: ignore[no-untyped-def]
    path = tmp_path / "shop.intentlens"
    window = _window(qtbot, path)
    wizard = window.import_file(str(demo_csv))
    assert wizard is not None
    wizard.options = replace(wizard.options, chunk_rows=500)
    cancelled = []

    def cancel_on_first(_progress):  # type: ignore[no-untyped-def]
        if not cancelled:
            cancelled.append(True)
            qtbot.mouseClick(wizard.cancel_button, Qt.MouseButton.LeftButton)

    wizard.start_import()
    wizard.worker.signals.progressed.connect(cancel_on_first)  # type: ignore[union-attr]
    with qtbot.waitSignal(wizard.worker.signals.cancelled, timeout=60_000):  # type: ignore[union-attr]
        pass
    assert cancelled
    assert wizard.steps.currentIndex() == 0
    assert "cancelled" in wizard.problem_label.text()
    assert overview(window.project).events == 0  # type: ignore[arg-type]


def test_wizard_reports_a_bad_file_in_words(qtbot, tmp_path):  # type: ignore[no-untyped-def]
    window = _window(qtbot, tmp_path / "shop.intentlens")
    bad = tmp_path / "empty.csv"
    bad.write_text("")
    wizard = window.import_file(str(bad))
    assert wizard is not None
    assert "empty" in wizard.problem_label.text()
    assert not wizard.import_button.isEnabled()


def test_column_mapping_change_updates_the_preview(qtbot, tmp_path):  # type: ignore[no-untyped-def]
    csv_path = tmp_path / "orders.csv"
    csv_path.write_text("buyer ref,when,total\nA1,2024-01-02 10:00,12.5\nB2,2024-01-03 11:00,7\n")
    window = _window(qtbot, tmp_path / "shop.intentlens")
    wizard = window.import_file(str(csv_path))
    assert wizard is not None and wizard.preview is not None
    assert not wizard.preview.ready  # no column is recognisably the customer
    assert "customer" in wizard.problem_label.text()
    combo = wizard.column_combos["customer"]
    combo.setCurrentIndex(combo.findData("buyer ref"))
    assert wizard.preview.ready
    assert wizard.import_button.isEnabled()
    with qtbot.waitSignal(wizard.imported, timeout=30_000) as done:
        wizard.start_import()
    assert done.args[0].imported == 2
    assert done.args[0].events_by_type == {"purchase": 2}


def test_rows_model_passes_the_model_tester(qtmodeltester):  # type: ignore[no-untyped-def]
    from gui.models import RowsModel

    model = RowsModel(["a", "b"], [(1, "x"), (2, None), (3, "z")])
    qtmodeltester.check(model)
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert model.row(0)[0] == 3


def test_reimporting_the_same_file_asks_first(qtbot, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox

    csv_path = tmp_path / "orders.csv"
    csv_path.write_text("customer,date,amount\nA1,2024-01-02,12.5\nB2,2024-01-03,7\n")
    window = _window(qtbot, tmp_path / "shop.intentlens")
    questions: list[str] = []
    answer = {"value": QMessageBox.StandardButton.No}

    def fake_question(_parent, _title, text, *args, **kwargs):  # type: ignore[no-untyped-def]
        questions.append(text)
        return answer["value"]

    monkeypatch.setattr(QMessageBox, "question", fake_question)
    wizard = window.import_file(str(csv_path))
    with qtbot.waitSignal(wizard.imported, timeout=30_000):  # type: ignore[union-attr]
        wizard.start_import()  # type: ignore[union-attr]
    second = window.import_file(str(csv_path))
    assert second is not None
    with qtbot.waitSignal(second.worker.signals.finished if second.worker else second.imported,
                          timeout=30_000, raising=False):
        second.start_import()
    qtbot.waitUntil(lambda: bool(questions), timeout=30_000)
    assert "already imported" in questions[0]
    assert overview(window.project).events == 2  # type: ignore[arg-type]  # "No": nothing added
    answer["value"] = QMessageBox.StandardButton.Yes
    questions.clear()
    with qtbot.waitSignal(second.imported, timeout=30_000):
        second.start_import()
    assert questions, "asked again"
    assert overview(window.project).events == 4  # type: ignore[arg-type]
