"""The one settings form: widgets built from a config dataclass's ``Setting`` metadata.

Numbers become spin boxes (range, unit suffix, decimals, step), ``choices`` a combo box,
``kind="date"`` a date edit (a day means the end of it), ``special`` the word shown at the spin
box's lowest value (meaning ``None``: the data decides; a few whole numbers with such a word are
a list instead), and ``advanced`` fields fold under an
"Advanced settings" check box. Their values reach the config only while it is checked; folded,
a field keeps its dataclass default. The CLI builds its flags from the same metadata
(``engine.fields``), so both clients offer the same settings with the same words and limits.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
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


class SettingsForm(QWidget):
    """Editable settings of one config class; :meth:`values` gives them back as its kwargs."""

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
        self.advanced_body = QWidget()
        folded = QFormLayout(self.advanced_body)
        folded.setContentsMargins(18, 0, 0, 0)
        self.advanced_body.setVisible(False)
        self.advanced.toggled.connect(self.advanced_body.setVisible)
        for spec in self.specs.values():
            widget = self._widget(spec)
            label = QLabel(tr(spec.setting.label))
            self.widgets[spec.name] = widget
            self.labels[spec.name] = label
            (folded if spec.setting.advanced else basic).addRow(label, widget)
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
    def _widget(self, spec: FieldSpec) -> QWidget:
        s = spec.setting
        tip = tr(s.help)
        if s.kind == "date":
            edit = QDateEdit()
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setToolTip(tip)
            return edit
        choices = [(value, tr(label)) for value, label in s.choices]
        if not choices and _few_numbers(spec):
            # A handful of whole numbers or "automatic" reads better as a list.
            word = tr(self._special_text.get(spec.name, s.special or ""))
            choices = [(None, word)] + [(k, str(k)) for k in range(int(s.low or 0),
                                                                     int(s.high or 0) + 1)]
        if choices:
            combo = QComboBox()
            for value, label in choices:
                combo.addItem(label, value)
            combo.setToolTip(tip)
            self._set(spec, combo, spec.default)
            return combo
        if spec.type is bool:
            box = QCheckBox()
            box.setToolTip(tip)
            box.setChecked(bool(spec.default))
            return box
        box = QSpinBox() if spec.type is int else QDoubleSpinBox()
        if isinstance(box, QDoubleSpinBox):
            box.setDecimals(2 if s.decimals is None else s.decimals)
        low = -INT_MAX if s.low is None else s.low
        high = INT_MAX if s.high is None else s.high
        if s.special is not None and spec.optional and spec.type is int:
            low -= 1  # a whole number below the range is the special word's slot
        if spec.type is int:
            box.setRange(int(max(-INT_MAX, low)), int(min(INT_MAX, high)))
        else:
            box.setRange(float(low), float(high))
        if s.step is not None:
            box.setSingleStep(s.step)
        if s.unit:
            box.setSuffix(" " + tr(s.unit))
        if s.special is not None and spec.optional:
            # At its lowest value the box reads the special word and means None (for a
            # fractional number, its lowest value itself: "top 0 %" is "best F1").
            box.setSpecialValueText(tr(self._special_text.get(spec.name, s.special)))
        box.setToolTip(tip)
        self._set(spec, box, spec.default)
        return box

    # -- values --------------------------------------------------------------------------
    def value(self, name: str) -> Any:
        """The value on screen of one field (None for a special value)."""
        spec, w = self.specs[name], self.widgets[name]
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
        if isinstance(w, QDateEdit):
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
