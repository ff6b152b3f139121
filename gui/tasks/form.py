"""The one settings form: widgets built from a config dataclass's ``Setting`` metadata.

Numbers become spin boxes (range, unit suffix, decimals, step), ``choices`` a combo box,
``kind="date"`` a date edit (a day means the end of it), ``kind="items"`` a small text box of
item ids that a file can fill (:class:`ItemsEdit`), ``kind="categories"`` a line of category
names with completion, any other text a line edit, ``special`` the word shown at the spin
box's lowest value (meaning ``None``: the data decides; a few whole numbers with such a word are
a list instead), and ``advanced`` fields fold under an
"Advanced settings" check box. Their values reach the config only while it is checked; folded,
a field keeps its dataclass default. The CLI builds its flags from the same metadata
(``engine.fields``), so both clients offer the same settings with the same words and limits.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engine.dates import day_end
from engine.fields import FieldSpec, settings_of

#: Qt's spin boxes hold 32-bit ints: wider ranges (a seed up to 2**32 - 1) are cut to this.
INT_MAX = 2**31 - 1
#: Whole-number settings with a special word and at most this many values more are a list.
MAX_LISTED = 20


def tr(text: str) -> str:
    """The user's words for a Train page string (one translation context for the page and its
    task panels, so the existing translations keep working)."""
    return QCoreApplication.translate("TrainPage", text)


def _date_of(ms: int) -> QDate:
    d = datetime.fromtimestamp(ms / 1000, UTC)
    return QDate(d.year, d.month, d.day)


def _few_numbers(spec: FieldSpec) -> bool:
    s = spec.setting
    return (spec.type is int and spec.optional and s.special is not None and s.low is not None
            and s.high is not None and s.high - s.low <= MAX_LISTED)


#: First cells of a file's first row that name its column rather than hold an item id.
_HEADER_WORDS = {"item", "items", "item_id", "itemid", "item id", "id", "sku", "product",
                 "product_id", "productid", "product id", "article"}


def read_first_column(path: str | Path) -> list[str]:
    """The first column of a CSV or text file: one item id per non-empty line, in file order,
    each once; a header cell such as "item_id" is skipped. Commas, semicolons and tabs all
    separate columns (a spreadsheet's CSV in any locale)."""
    raw = Path(path).read_bytes()
    text = raw.decode("utf-8-sig", errors="replace")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    ids: list[str] = []
    seen: set[str] = set()
    for n, row in enumerate(csv.reader(text.splitlines(), dialect)):
        cell = row[0].strip() if row else ""
        if not cell or (n == 0 and cell.lower() in _HEADER_WORDS) or cell in seen:
            continue
        seen.add(cell)
        ids.append(cell)
    return ids


class ItemsEdit(QWidget):
    """Item ids, one a line (commas work too), typed or loaded from a file's first column."""

    def __init__(self, tip: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        h = QHBoxLayout(self)
        h.setContentsMargins(0, 0, 0, 0)
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText(tr("item ids, one a line or separated by commas"))
        self.text.setToolTip(tip)
        self.text.setTabChangesFocus(True)
        lines = self.text.fontMetrics().lineSpacing() * 3
        margins = self.text.contentsMargins()
        frame = 2 * self.text.frameWidth() + int(self.text.document().documentMargin() * 2)
        self.text.setFixedHeight(lines + frame + margins.top() + margins.bottom())
        self.load_button = QPushButton(tr("Load from file…"))
        self.load_button.setToolTip(tr(
            "Fill the box from a CSV or text file: its first column is read, one item id per "
            "line (a header such as “item_id” is skipped). Replaces what the box holds."
        ))
        self.load_button.clicked.connect(lambda _checked=False: self.load())
        h.addWidget(self.text, 1)
        h.addWidget(self.load_button, 0, Qt.AlignmentFlag.AlignTop)

    def load(self, path: str | None = None) -> int:
        """Fill the box from a file's first column (asks which unless ``path`` is given);
        returns how many ids were read (0 when cancelled or the file cannot be read, which
        the tooltip then says)."""
        if not path:
            path, _ = QFileDialog.getOpenFileName(
                self, tr("Load item ids"), "", tr("CSV or text files (*.csv *.txt);;All files (*)")
            )
            if not path:
                return 0
        try:
            ids = read_first_column(path)
        except OSError as exc:
            self.load_button.setToolTip(
                tr("Could not read “{0}”: {1}").format(Path(path).name, exc.strerror or exc)
            )
            return 0
        self.text.setPlainText("\n".join(ids))
        return len(ids)

    def value(self) -> str:
        """The box's text, without surrounding blank space."""
        return self.text.toPlainText().strip()

    def set_value(self, value: str | None) -> None:
        """Show ids (a text of ids separated by commas or lines; None: none)."""
        self.text.setPlainText(value or "")


class _ListCompleter(QCompleter):
    """Completes the last name of a comma-separated list, keeping the names before it."""

    def splitPath(self, path: str) -> list[str]:  # noqa: N802 - Qt API
        return [path.split(",")[-1].strip()]

    def pathFromIndex(self, index: Any) -> str:  # noqa: N802 - Qt API
        edit = self.widget()
        done = edit.text().split(",")[:-1] if isinstance(edit, QLineEdit) else []
        return ", ".join([p.strip() for p in done if p.strip()] + [str(index.data())])


class SettingsForm(QWidget):
    """Editable settings of one config class; :meth:`values` gives them back as its kwargs."""

    changed = Signal()
    """A setting's value changed (typed, picked or set from the data)."""

    def __init__(self, config_type: type, parent: QWidget | None = None, *,
                 special_text: dict[str, str] | None = None) -> None:
        super().__init__(parent)
        self.specs = {s.name: s for s in settings_of(config_type)}
        self.widgets: dict[str, QWidget] = {}
        self.labels: dict[str, QLabel] = {}
        self._special_text = special_text or {}
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 0, 0, 0)
        basic = QFormLayout()
        v.addLayout(basic)
        # A check box that unfolds the settings behind it (no empty frame when folded).
        self.advanced = QCheckBox(tr("Advanced settings"))
        self.advanced.setToolTip(tr(
            "Show the finer settings. They are used only while this box is checked; unchecked, "
            "IntentLens chooses them for you."))
        self.advanced_body = QWidget()
        folded = QFormLayout(self.advanced_body)
        folded.setContentsMargins(18, 0, 0, 0)
        self.advanced_body.setVisible(False)
        self.advanced.toggled.connect(self.advanced_body.setVisible)
        for spec in self.specs.values():
            widget = self._widget(spec)
            self._notify(widget)
            label = QLabel(tr(spec.setting.label))
            self.widgets[spec.name] = widget
            self.labels[spec.name] = label
            rows = folded if spec.setting.advanced else basic
            if isinstance(widget, ItemsEdit):
                # A list of ids wants the column's full width: its label above it.
                rows.addRow(label)
                rows.addRow(widget)
            else:
                rows.addRow(label, widget)
        v.addWidget(self.advanced)
        v.addWidget(self.advanced_body)
        has_advanced = any(s.setting.advanced for s in self.specs.values())
        self.advanced.setVisible(has_advanced)
        self.advanced.setEnabled(has_advanced)

    @property
    def advanced_names(self) -> list[str]:
        """The fields folded under "Advanced settings"."""
        return [n for n, s in self.specs.items() if s.setting.advanced]

    def set_label_width(self, width: int) -> None:
        """Align the unfolded labels with a form above this one (the page's task row)."""
        for name, label in self.labels.items():
            if not self.specs[name].setting.advanced:
                label.setMinimumWidth(width)

    # -- building ------------------------------------------------------------------------
    def _notify(self, widget: QWidget) -> None:
        """Emit :attr:`changed` whenever ``widget``'s value changes."""
        emit = lambda *_args: self.changed.emit()  # noqa: E731 - one slot for every signal
        if isinstance(widget, ItemsEdit):
            widget.text.textChanged.connect(emit)
        elif isinstance(widget, QLineEdit):
            widget.textChanged.connect(emit)
        elif isinstance(widget, QDateEdit):
            widget.dateChanged.connect(emit)
        elif isinstance(widget, QComboBox):
            widget.currentIndexChanged.connect(emit)
        elif isinstance(widget, QCheckBox):
            widget.toggled.connect(emit)
        elif isinstance(widget, QSpinBox | QDoubleSpinBox):
            widget.valueChanged.connect(emit)

    def _widget(self, spec: FieldSpec) -> QWidget:
        s = spec.setting
        tip = tr(s.help)
        if s.kind == "date":
            edit = QDateEdit()
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setToolTip(tip)
            return edit
        if spec.type is str and not s.choices:
            return self._text_widget(spec, tip)
        choices: list[tuple[Any, str]] = [(value, tr(label)) for value, label in s.choices]
        if not choices and _few_numbers(spec):
            # A handful of whole numbers or "automatic" reads better as a list.
            word = tr(self._special_text.get(spec.name, s.special or ""))
            choices = [(None, word), *((k, str(k)) for k in range(int(s.low or 0),
                                                                    int(s.high or 0) + 1))]
        if choices:
            combo = QComboBox()
            for value, label in choices:
                combo.addItem(label, value)
            combo.setToolTip(tip)
            self._set(spec, combo, spec.default)
            return combo
        if spec.type is bool:
            check = QCheckBox()
            check.setToolTip(tip)
            check.setChecked(bool(spec.default))
            return check
        box: QSpinBox | QDoubleSpinBox = QSpinBox() if spec.type is int else QDoubleSpinBox()
        if isinstance(box, QDoubleSpinBox):
            box.setDecimals(2 if s.decimals is None else s.decimals)
        low = -INT_MAX if s.low is None else s.low
        high = INT_MAX if s.high is None else s.high
        if s.special is not None and spec.optional and spec.type is int:
            low -= 1  # a whole number below the range is the special word's slot
        if isinstance(box, QSpinBox):
            box.setRange(int(max(-INT_MAX, low)), int(min(INT_MAX, high)))
            if s.step is not None:
                box.setSingleStep(int(s.step))
        else:
            box.setRange(float(low), float(high))
            if s.step is not None:
                box.setSingleStep(s.step)
        if s.unit:
            box.setSuffix(f" {tr(s.unit)}")  # a unit after its number, not a sentence
        if s.special is not None and spec.optional:
            # At its lowest value the box reads the special word and means None (for a
            # fractional number, its lowest value itself: "top 0 %" is "best F1").
            box.setSpecialValueText(tr(self._special_text.get(spec.name, s.special)))
        box.setToolTip(tip)
        self._set(spec, box, spec.default)
        return box

    def _text_widget(self, spec: FieldSpec, tip: str) -> QWidget:
        if spec.setting.kind == "items":
            items = ItemsEdit(tip)
            items.set_value(spec.default)
            return items
        line = QLineEdit()
        line.setToolTip(tip)
        line.setClearButtonEnabled(True)
        if spec.setting.kind == "categories":
            line.setPlaceholderText(tr("all categories"))
            completer = _ListCompleter(QStringListModel([], line), line)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            line.setCompleter(completer)
        elif spec.setting.special:
            line.setPlaceholderText(tr(self._special_text.get(spec.name, spec.setting.special)))
        line.setText(spec.default or "")
        return line

    def set_categories(self, names: list[str]) -> None:
        """Offer these category names while typing in ``kind="categories"`` fields."""
        for name, spec in self.specs.items():
            w = self.widgets[name]
            completer = w.completer() if isinstance(w, QLineEdit) else None
            if spec.setting.kind == "categories" and completer is not None:
                model = completer.model()
                if isinstance(model, QStringListModel):
                    model.setStringList(sorted(names, key=str.lower))

    # -- values --------------------------------------------------------------------------
    def value(self, name: str) -> Any:
        """The value on screen of one field (None for a special value, or for an empty text
        that may be None)."""
        spec, w = self.specs[name], self.widgets[name]
        if isinstance(w, ItemsEdit | QLineEdit):
            text = w.value() if isinstance(w, ItemsEdit) else w.text().strip()
            return None if not text and spec.optional else text
        if isinstance(w, QDateEdit):
            d = w.date()
            return day_end(d.year(), d.month(), d.day())
        if isinstance(w, QComboBox):
            return w.currentData()
        if isinstance(w, QCheckBox):
            return w.isChecked()
        assert isinstance(w, QSpinBox | QDoubleSpinBox)
        if spec.setting.special is not None and spec.optional and w.value() == w.minimum():
            return None
        return w.value()

    def set_value(self, name: str, value: Any) -> None:
        """Show a value in one field (None: the special value or the lowest)."""
        self._set(self.specs[name], self.widgets[name], value)

    def _set(self, spec: FieldSpec, w: QWidget, value: Any) -> None:
        if isinstance(w, ItemsEdit):
            w.set_value(None if value is None else str(value))
        elif isinstance(w, QLineEdit):
            w.setText("" if value is None else str(value))
        elif isinstance(w, QDateEdit):
            if value is not None:
                w.setDate(_date_of(int(value)))
        elif isinstance(w, QComboBox):
            found = [i for i in range(w.count()) if w.itemData(i) == value]
            if found:
                w.setCurrentIndex(found[0])
        elif isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, QSpinBox):
            w.setValue(w.minimum() if value is None else int(value))
        elif isinstance(w, QDoubleSpinBox):
            w.setValue(w.minimum() if value is None else float(value))

    def values(self) -> dict[str, Any]:
        """Every field's value as the config's keyword arguments; folded advanced fields give
        their defaults."""
        opened = self.advanced.isChecked()
        return {
            name: self.value(name) if opened or not spec.setting.advanced else spec.default
            for name, spec in self.specs.items()
        }

    def set_date_range(self, first_ms: int, last_ms: int) -> None:
        """Let date fields choose a day of the data, showing its last day."""
        for name, spec in self.specs.items():
            w = self.widgets[name]
            if spec.setting.kind == "date" and isinstance(w, QDateEdit):
                w.setDateRange(_date_of(first_ms), _date_of(last_ms))
                w.setDate(_date_of(last_ms))
