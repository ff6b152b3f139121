"""The wizard's "What IntentLens found" box: how the file is read (format, encoding, separator,
header, lines above the table, decimal mark, date order) and what was found in it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QWidget,
)

from engine.ingest import FilePreview, ImportOptions
from engine.ingest.formats import KNOWN_FORMATS
from engine.ingest.timeparse import describe_format
from engine.words import join_sentences
from gui.wizard_common import (
    DATE_ORDER_WORDS,
    DATE_ORDERS,
    DELIMITERS,
    ENCODINGS,
    MONEY_FIELDS,
    select_data,
    translate,
)


class ReadingBox(QGroupBox):
    """How the file is read: the same choices as the command line's reading flags."""

    reading_changed = Signal()
    """The format, encoding, separator, header or skipped lines changed (no payload)."""
    values_changed = Signal()
    """The decimal mark or the date order changed (no payload)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            translate("ImportWizard", "What IntentLens found (change it if it is wrong)"), parent
        )
        form = QGridLayout(self)
        self.format_combo = QComboBox()
        self.format_combo.addItem(translate("ImportWizard", "Recognise automatically"), None)
        for fmt in KNOWN_FORMATS:
            self.format_combo.addItem(fmt.title, fmt.key)
        self.format_combo.addItem(
            translate("ImportWizard", "Other CSV (map the columns below)"), "csv"
        )
        self.format_combo.setToolTip(translate(
            "ImportWizard",
            "The shop system or file kind the file comes from; a known one needs no mapping.",
        ))
        self.encoding_combo = QComboBox()
        self.encoding_combo.setToolTip(translate(
            "ImportWizard",
            "How the file stores its letters. Change it when names show odd signs such as “Ã©”.",
        ))
        self.encoding_combo.setEditable(True)
        self.encoding_combo.addItems(ENCODINGS)
        self.delimiter_combo = QComboBox()
        self.delimiter_combo.setToolTip(translate(
            "ImportWizard", "The sign between the columns of a line (comma, semicolon, tab…)"))
        for value, label in DELIMITERS:
            self.delimiter_combo.addItem(translate("ImportWizard", label), value)
        self.skip_spin = QSpinBox()
        self.skip_spin.setRange(0, 999)
        self.skip_spin.setMaximumWidth(90)
        self.skip_spin.setToolTip(translate(
            "ImportWizard",
            "Lines above the table that are not part of it: a title, notes, blank lines.",
        ))
        self.header_check = QCheckBox(
            translate("ImportWizard", "The first line holds column names")
        )
        self.header_check.setToolTip(translate(
            "ImportWizard",
            "Checked: the first line names the columns and is not imported as data.",
        ))
        self.decimal_combo = QComboBox()
        self.decimal_combo.setToolTip(translate(
            "ImportWizard", "Whether prices write their cents after a point or a comma"))
        self.decimal_combo.addItem(translate("ImportWizard", "Automatic"), None)
        self.decimal_combo.addItem(translate("ImportWizard", "Point (1,234.50)"), ".")
        self.decimal_combo.addItem(translate("ImportWizard", "Comma (1.234,50)"), ",")
        self.date_order_combo = QComboBox()
        self.date_order_combo.setToolTip(translate(
            "ImportWizard",
            "How the file writes its dates, e.g. day first (31/01/2024) or month first "
            "(01/31/2024)",
        ))
        self.date_order_combo.addItem(translate("ImportWizard", "Automatic"), None)
        for key in DATE_ORDERS:
            self.date_order_combo.addItem(translate("ImportWizard", DATE_ORDER_WORDS[key]), key)
        self.found_label = QLabel()
        self.found_label.setWordWrap(True)
        cells: list[tuple[str, QWidget]] = [
            (translate("ImportWizard", "Format"), self.format_combo),
            (translate("ImportWizard", "Text encoding"), self.encoding_combo),
            (translate("ImportWizard", "Separator"), self.delimiter_combo),
            (translate("ImportWizard", "Decimal mark"), self.decimal_combo),
            (translate("ImportWizard", "Date order"), self.date_order_combo),
            (translate("ImportWizard", "Lines to skip above the table"), self.skip_spin),
        ]
        for n, (label, widget) in enumerate(cells):
            form.addWidget(QLabel(label), n // 3, (n % 3) * 2)
            form.addWidget(widget, n // 3, (n % 3) * 2 + 1)
        for col in (1, 3, 5):
            form.setColumnStretch(col, 1)
        form.addWidget(self.header_check, 2, 0, 1, 6)
        form.addWidget(self.found_label, 3, 0, 1, 6)
        self.format_combo.currentIndexChanged.connect(self.reading_changed)
        self.encoding_combo.currentTextChanged.connect(self.reading_changed)
        self.delimiter_combo.currentIndexChanged.connect(self.reading_changed)
        self.header_check.toggled.connect(self.reading_changed)
        self.skip_spin.valueChanged.connect(self.reading_changed)
        self.decimal_combo.currentIndexChanged.connect(self.values_changed)
        self.date_order_combo.currentIndexChanged.connect(self.values_changed)

    def show_preview(self, pv: FilePreview, options: ImportOptions) -> None:
        """Show how ``pv`` was read with ``options`` (the caller ignores the change signals)."""
        select_data(self.format_combo, options.format)
        self.encoding_combo.setCurrentText(pv.encoding)
        if self.delimiter_combo.findData(pv.delimiter) < 0:
            self.delimiter_combo.addItem(f"“{pv.delimiter}”", pv.delimiter)
        select_data(self.delimiter_combo, pv.delimiter)
        self.header_check.setChecked(pv.has_header)
        self.skip_spin.setValue(pv.skipped_rows)
        select_data(self.decimal_combo, options.decimal)
        select_data(self.date_order_combo, options.date_order)
        detected_order = DATE_ORDER_WORDS.get(pv.date_order or "")
        self.date_order_combo.setItemText(0, (
            translate("ImportWizard", "Automatic ({0})").format(
                translate("ImportWizard", detected_order).lower()
            )
            if detected_order and options.date_order is None
            else translate("ImportWizard", "Automatic")
        ))
        for widget in (self.delimiter_combo, self.header_check, self.decimal_combo):
            widget.setEnabled(pv.kind == "csv")
        self.found_label.setText(found_text(pv, options))

    def reading_options(self, pv: FilePreview | None, o: ImportOptions) -> ImportOptions:
        """``o`` with the reading shown here; the column choices start over."""

        def chosen(shown: Any, detected: Any, before: Any) -> Any:
            # Only what the user changed becomes a fixed choice; the rest stays detected, so
            # skipping a title line can still re-detect the separator and the header. After a
            # file problem (no preview) what is shown is all there is to go on.
            return shown if pv is None or shown != detected else before

        return replace(
            o,
            format=self.format_combo.currentData(),
            encoding=chosen(self.encoding_combo.currentText() or None,
                            pv and pv.encoding, o.encoding),
            delimiter=chosen(self.delimiter_combo.currentData(), pv and pv.delimiter, o.delimiter),
            has_header=chosen(self.header_check.isChecked(), pv and pv.has_header, o.has_header),
            skip_rows=chosen(self.skip_spin.value(), pv and pv.skipped_rows, o.skip_rows),
            columns={},
        )

    def value_options(self, o: ImportOptions) -> ImportOptions:
        """``o`` with the decimal mark and the date order shown here."""
        return replace(
            o,
            decimal=self.decimal_combo.currentData(),
            date_order=self.date_order_combo.currentData(),
        )


def found_text(pv: FilePreview, options: ImportOptions) -> str:
    """One paragraph: what kind of file, its times, its money columns' number form."""
    packaging = {"gzip": "gzip-compressed ", "zip": "zipped "}.get(
        pv.packaging.compression or "", ""
    )
    parts = [
        translate("ImportWizard", "A {0}{1} file — {2}.").format(
            packaging, "JSON-lines" if pv.kind == "jsonl" else "CSV", pv.format_title
        )
    ]
    if pv.time_format:
        times = describe_format(pv.time_format)
        if pv.date_order in DATE_ORDER_WORDS:
            how = (
                translate("ImportWizard", "as you chose") if options.date_order
                else translate("ImportWizard", "decided from the values")
            )
            times += translate("ImportWizard", "; dates read {0}, {1}").format(
                translate("ImportWizard", DATE_ORDER_WORDS[pv.date_order]).lower(), how
            )
        parts.append(translate("ImportWizard", "Times: {0}.").format(times))
    else:
        parts.append(translate("ImportWizard", "Times: not found."))
    forms: dict[str, list[str]] = {}
    for fld in MONEY_FIELDS:
        idx = pv.mapping.columns.get(fld)
        form = None if idx is None else pv.mapping.number_forms.get(idx)
        if idx is not None and form is not None:
            forms.setdefault(form.describe(), []).append(f"“{pv.header[idx]}”")
    if forms:
        parts.append(
            translate("ImportWizard", "Money: {0}.").format(
                "; ".join(f"{', '.join(cols)}: {words}" for words, cols in forms.items())
            )
        )
    if pv.skipped_rows:
        parts.append(
            translate("ImportWizard", "{0} lines above the table are left out.").format(
                pv.skipped_rows
            )
        )
    parts.append(
        translate("ImportWizard", "The first {0:,} rows are shown below.").format(
            min(len(pv.rows), 200)
        )
    )
    return join_sentences(*parts)
