"""Chart date axes name months and weekdays in the user's language, not C's English."""

from __future__ import annotations

from datetime import UTC, datetime

import pyqtgraph.graphicsItems.DateAxisItem as pg_dates
import pytest
from PySide6.QtCore import QLocale

from gui.date_axis import LocaleDateAxis
from gui.formats import strftime_local

JUNE_1 = datetime(2025, 6, 1, tzinfo=UTC).timestamp()  # a Sunday
JULY_1 = datetime(2025, 7, 1, tzinfo=UTC).timestamp()


@pytest.fixture
def locale_of():
    before = QLocale()

    def use(language: QLocale.Language, country: QLocale.Country) -> None:
        QLocale.setDefault(QLocale(language, country))

    yield use
    QLocale.setDefault(before)


def _ticks(level: pg_dates.ZoomLevel, spacing: int, values: list[float]) -> list[str]:
    axis = LocaleDateAxis()
    axis.zoomLevel = level
    return axis.tickStrings(values, 1.0, spacing)


def test_months_and_weekdays_follow_the_locale(qapp, locale_of) -> None:
    locale_of(QLocale.Language.Chinese, QLocale.Country.China)
    assert _ticks(pg_dates.MONTH_DAY_ZOOM_LEVEL, pg_dates.MONTH_SPACING,
                  [JUNE_1, JULY_1]) == ["6月", "7月"]
    assert _ticks(pg_dates.DAY_HOUR_ZOOM_LEVEL, pg_dates.DAY_SPACING, [JUNE_1]) == ["周日 01"]
    locale_of(QLocale.Language.German, QLocale.Country.Germany)
    assert _ticks(pg_dates.MONTH_DAY_ZOOM_LEVEL, pg_dates.MONTH_SPACING, [JUNE_1]) == ["Juni"]


def test_english_and_numbers_read_as_pyqtgraph_writes_them(qapp, locale_of) -> None:
    locale_of(QLocale.Language.English, QLocale.Country.UnitedStates)
    plain = pg_dates.DateAxisItem(utcOffset=0)
    for level in (pg_dates.YEAR_MONTH_ZOOM_LEVEL, pg_dates.MONTH_DAY_ZOOM_LEVEL,
                  pg_dates.DAY_HOUR_ZOOM_LEVEL, pg_dates.HMS_ZOOM_LEVEL):
        plain.zoomLevel = level
        for spec in level.tickSpecs:
            values = [JUNE_1, JULY_1 + 3_723.0]
            assert _ticks(level, spec.spacing, values) == plain.tickStrings(values, 1.0,
                                                                            spec.spacing)


def test_a_percent_sign_in_a_name_is_not_a_directive(locale_of) -> None:
    locale_of(QLocale.Language.English, QLocale.Country.UnitedStates)
    moment = datetime(2025, 11, 28, tzinfo=UTC)
    assert strftime_local(moment, "%b %d, %Y") == "Nov 28, 2025"
    assert strftime_local(moment, "%A 100%%") == "Friday 100%"


def test_every_date_chart_of_the_app_uses_it(qapp) -> None:
    from gui.widgets import plot

    assert isinstance(plot("Events per day", date_axis=True).getAxis("bottom"), LocaleDateAxis)


def test_number_axes_group_thousands_and_keep_the_decimals_ticks_need(qtbot) -> None:  # type: ignore[no-untyped-def]
    """A shop's counts read 1,500,000 on a chart, never 1.5e+06; fractions keep the decimals
    their tick spacing needs (a loss of 0.25, an AUC of 0.7)."""
    from PySide6.QtCore import QLocale

    from gui.widgets import NumberAxis, plot

    saved = QLocale()
    try:
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        axis = NumberAxis(orientation="bottom")
        assert axis.tickStrings([0.0, 500_000.0, 1_000_000.0, 1_500_000.0], 1.0, 500_000.0) == [
            "0", "500,000", "1,000,000", "1,500,000"]
        assert axis.tickStrings([25_000.0, 30_000.0], 1.0, 5_000.0) == ["25,000", "30,000"]
        assert axis.tickStrings([0.1, 0.2, 0.3], 1.0, 0.1) == ["0.1", "0.2", "0.3"]
        assert axis.tickStrings([0.65, 0.7], 1.0, 0.05) == ["0.65", "0.70"]
        assert axis.tickStrings([-2.0, 0.0, 2.0], 1.0, 2.0) == ["-2", "0", "2"]
        QLocale.setDefault(QLocale(QLocale.Language.German, QLocale.Country.Germany))
        assert axis.tickStrings([1_500_000.0], 1.0, 500_000.0) == ["1.500.000"]
        assert axis.tickStrings([0.5], 1.0, 0.5) == ["0,5"]
    finally:
        QLocale.setDefault(saved)
    chart = plot("events")
    qtbot.addWidget(chart)
    assert isinstance(chart.getAxis("left"), NumberAxis)
    assert isinstance(chart.getAxis("bottom"), NumberAxis)
