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


def _cell_texts(wizard, column: int) -> list[str]:  # type: ignore[no-untyped-def]
    table = wizard.events_table
    out = []
    for row in range(table.rowCount()):
        widget = table.cellWidget(row, column)
        # A meaning's event type (the combo shows it in words), else the file's word.
        out.append(widget.currentData() if hasattr(widget, "currentData") else widget.toolTip())
    return out


ORDERS_WITH_EMAILS = (
    "Order,Email,Financial Status,Created at,Total\n"
    "#1001,ann@example.com,paid,2024-01-02 10:00,10.00\n"
    "#1002,bob@example.com,refunded,2024-01-03 10:00,5.00\n"
    "#1003,cy@example.com,voided,2024-01-04 10:00,7.00\n"
    "#1004,ann@example.com,paid,2024-01-05 10:00,3.50\n"
)


def test_order_export_shows_status_words_and_pseudonymizes_email_customers(qtbot, tmp_path):  # type: ignore[no-untyped-def]
    csv_path = tmp_path / "orders_export.csv"
    csv_path.write_text(ORDERS_WITH_EMAILS)
    window = _window(qtbot, tmp_path / "shop.intentlens")
    wizard = window.import_file(str(csv_path))
    assert wizard is not None and wizard.preview is not None and wizard.preview.ready
    assert wizard.column_combos["status"].currentText() == "Financial Status"
    # The status words are listed with what they mean, and can be corrected.
    words = dict(zip(_cell_texts(wizard, 0), _cell_texts(wizard, 2), strict=True))
    assert words == {"paid": "purchase", "refunded": "refund", "voided": "other"}
    assert wizard.events_table.horizontalHeaderItem(0).text() == "Order status"
    # E-mail addresses as customers: pseudonyms unless the user says otherwise.
    assert wizard.pseudo_check.isChecked()
    assert wizard.options.pseudonymize is None
    assert not wizard.pseudo_hint.isHidden()
    assert "e-mail addresses" in wizard.pseudo_hint.text()

    with qtbot.waitSignal(wizard.imported, timeout=30_000) as done:
        wizard.start_import()
    report = done.args[0]
    assert report.pseudonymized
    assert report.imported == 4
    # The refunded order is a purchase and a refund: one more event than lines.
    assert report.events == 5
    assert "5 events stored from 4 lines" in wizard.result_text.text()
    assert "pseudonyms" in wizard.result_text.text()


def test_the_users_pseudonym_choice_wins_and_status_words_can_be_changed(qtbot, tmp_path):  # type: ignore[no-untyped-def]
    csv_path = tmp_path / "orders_export.csv"
    csv_path.write_text(ORDERS_WITH_EMAILS)
    window = _window(qtbot, tmp_path / "shop.intentlens")
    wizard = window.import_file(str(csv_path))
    assert wizard is not None
    wizard.pseudo_check.setChecked(False)
    assert wizard.options.pseudonymize is False
    assert wizard.pseudo_hint.isHidden()
    # "voided" -> refund: the wizard re-inspects, and the unchecked box stays unchecked.
    row = _cell_texts(wizard, 0).index("voided")
    combo = wizard.events_table.cellWidget(row, 2)
    # The meanings in words, the types behind them (internal names never show).
    assert [combo.itemText(i) for i in range(combo.count())] == ["bought", "refunded", "other"]
    assert [combo.itemData(i) for i in range(combo.count())] == ["purchase", "refund", "other"]
    combo.setCurrentText("refunded")
    assert wizard.options.events == {"voided": "refund"}
    assert not wizard.pseudo_check.isChecked()
    with qtbot.waitSignal(wizard.imported, timeout=30_000) as done:
        wizard.start_import()
    report = done.args[0]
    assert not report.pseudonymized
    assert report.events_by_type["refund"] == 2


AMBIGUOUS_DATES = (
    "customer,date,event,amount\n"
    "A1,03/04/2024 10:00,view,\n"
    "B2,05/06/2024 11:00,purchase,7.50\n"
    "C3,01/02/2024 09:00,view,\n"
)


def _parsed_times(wizard) -> list[str]:  # type: ignore[no-untyped-def]
    model = wizard.parsed_model
    col = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    t = col.index("time")
    return [model.row(r)[t] for r in range(model.rowCount())]


def test_ambiguous_dates_warn_and_the_date_order_changes_the_preview(qtbot, tmp_path):  # type: ignore[no-untyped-def]
    csv_path = tmp_path / "visits.csv"
    csv_path.write_text(AMBIGUOUS_DATES)
    window = _window(qtbot, tmp_path / "shop.intentlens")
    wizard = window.import_file(str(csv_path))
    assert wizard is not None and wizard.preview is not None
    assert not wizard.warnings_label.isHidden()
    assert "day-first or month-first" in wizard.warnings_label.text()
    assert "month/day/year" in wizard.found_label.text()
    assert _parsed_times(wizard)[0] == "2024-03-04 10:00:00"

    combo = wizard.date_order_combo
    combo.setCurrentIndex(combo.findText("Day-month-year"))
    assert wizard.options.date_order == "dmy"
    assert _parsed_times(wizard)[0] == "2024-04-03 10:00:00"
    assert "dates read day-month-year, as you chose" in wizard.found_label.text()
    assert wizard.warnings_label.isHidden()  # the user settled it
    assert wizard.column_combos["customer"].currentText() == "customer"


def test_every_line_is_sets_the_event_of_a_file_without_events(qtbot, tmp_path):  # type: ignore[no-untyped-def]
    csv_path = tmp_path / "views.inter"
    csv_path.write_text(
        "user_id\titem_id\ttimestamp\n"
        "1\t10\t1700000000\n2\t11\t1700000100\n1\t12\t1700000200\n"
    )
    window = _window(qtbot, tmp_path / "shop.intentlens")
    wizard = window.import_file(str(csv_path))
    assert wizard is not None and wizard.preview is not None
    assert not wizard.default_event_row.isHidden()
    assert wizard.events_table.isHidden()  # no words to list
    assert wizard.default_event_combo.currentData() == wizard.preview.mapping.default_event
    assert "no column that says what each line is" in wizard.warnings_label.text()
    wizard.default_event_combo.setCurrentText("viewed")
    assert wizard.options.default_event == "view"
    assert wizard.preview.mapping.default_event == "view"
    assert wizard.warnings_label.isHidden()
    with qtbot.waitSignal(wizard.imported, timeout=30_000) as done:
        wizard.start_import()
    assert done.args[0].events_by_type == {"view": 3}


def test_result_page_and_data_page_list_the_import_warnings(qtbot, tmp_path):  # type: ignore[no-untyped-def]
    csv_path = tmp_path / "visits.csv"
    csv_path.write_text(AMBIGUOUS_DATES)
    window = _window(qtbot, tmp_path / "shop.intentlens")
    wizard = window.import_file(str(csv_path))
    assert wizard is not None
    with qtbot.waitSignal(wizard.imported, timeout=30_000) as done:
        wizard.start_import()
    assert [w.code for w in done.args[0].warnings] == ["date_order_ambiguous"]
    assert wizard.steps.currentIndex() == 2
    assert not wizard.result_warnings.isHidden()
    assert "day-first or month-first" in wizard.result_warnings.text()
    assert "events stored" not in wizard.result_text.text()  # one event per line here
    assert wizard.rejected_view.isHidden()  # nothing rejected: no empty table

    page = window.data_page
    qtbot.waitUntil(lambda: page.summary is not None and page.summary.overview.events == 3,
                    timeout=20_000)
    assert page.summary.import_warnings[0][0] == "visits.csv"
    text = page.warnings.text()
    assert "<b>visits.csv</b>" in text and "day-first or month-first" in text


def test_separator_list_offers_aligned_columns(qtbot, tmp_path):  # type: ignore[no-untyped-def]
    csv_path = tmp_path / "aligned.txt"
    csv_path.write_text(
        "customer   time                 amount\n"
        "A1         2024-01-02T10:00:00  12.50\n"
        "B2         2024-01-03T11:00:00  7.00\n"
    )
    window = _window(qtbot, tmp_path / "shop.intentlens")
    wizard = window.import_file(str(csv_path))
    assert wizard is not None
    combo = wizard.delimiter_combo
    assert combo.currentText() == "Spaces (aligned columns)"  # detected
    combo.setCurrentIndex(combo.findData(","))
    assert wizard.options.delimiter == ","
    assert wizard.preview is None and "no line splits into columns" in wizard.problem_label.text()
    assert not wizard.import_button.isEnabled()
    # After a file problem the controls still work: back to spaces.
    combo.setCurrentIndex(combo.findData(" "))
    assert wizard.options.delimiter == " "
    assert wizard.preview is not None
    assert wizard.preview.header == ["customer", "time", "amount"]
    assert wizard.preview.ready and wizard.import_button.isEnabled()


def test_lines_above_the_table_can_be_skipped_and_the_decimal_mark_chosen(qtbot, tmp_path):  # type: ignore[no-untyped-def]
    csv_path = tmp_path / "report.csv"
    csv_path.write_text(
        "Orders report\nExported 2024-02-01 by admin\n\n"
        "customer;time;amount\n"
        "A1;2024-01-02 10:00;12,50\nB2;2024-01-03 11:00;7,00\nC3;2024-01-04 11:00;1 234,00\n"
    )
    window = _window(qtbot, tmp_path / "shop.intentlens")
    wizard = window.import_file(str(csv_path))
    assert wizard is not None
    if wizard.skip_spin.value() != 3:  # not detected: the user says so
        wizard.skip_spin.setValue(3)
        assert wizard.options.skip_rows == 3
    assert wizard.preview is not None
    assert wizard.preview.header == ["customer", "time", "amount"]
    assert wizard.preview.ready
    assert "3 lines above the table are left out" in wizard.found_label.text()
    assert "“amount”: decimal comma" in wizard.found_label.text()
    wizard.decimal_combo.setCurrentIndex(wizard.decimal_combo.findData(","))
    assert wizard.options.decimal == ","
    assert wizard.skip_spin.value() == 3  # the other choices stay
    with qtbot.waitSignal(wizard.imported, timeout=30_000) as done:
        wizard.start_import()
    assert done.args[0].imported == 3
    assert done.args[0].revenue == 12.5 + 7 + 1234
