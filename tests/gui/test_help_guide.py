"""Help → Guide to this page (F1) opens the guide of the page shown; Help → What do these
numbers mean? explains every number in plain words, with the expert's term second; the guides
link to each other and never to the web."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialogButtonBox

from gui.help_guide import PAGES, HelpDialog, numbers_html, page_guide_html
from gui.main_window import MainWindow
from gui.settings import Settings


def _window(qtbot):  # type: ignore[no-untyped-def]
    window = MainWindow(Settings(), remember=False)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    return window


def _help_actions(window: MainWindow) -> list[QAction]:
    help_menu = next(m.menu() for m in window.menuBar().actions() if m.text() == "&Help")
    return [a for a in help_menu.actions() if not a.isSeparator()]


def _sentences(html: str) -> int:
    text = re.sub(r"<[^>]+>", " ", html)
    return len(re.findall(r"[.!?](?:\s|$)", text))


def test_f1_opens_the_guide_of_the_page_shown(qtbot):  # type: ignore[no-untyped-def]
    window = _window(qtbot)
    actions = {a.text(): a for a in _help_actions(window)}
    assert list(actions) == ["&Guide to this page", "What do these &numbers mean?",
                             "Take the &tour", "&About IntentLens"]
    assert actions["&Guide to this page"].shortcut().toString() == "F1"
    assert actions["&About IntentLens"].shortcut().isEmpty()
    pages = (window.data_page, window.train_page, window.customers_page,
             window.campaign_page, window.forecast_page, window.segments_page)
    for key, page in zip(PAGES, pages, strict=True):
        window.show_page(page)
        qtbot.keyClick(window, Qt.Key.Key_F1)
        dialog = window.findChild(HelpDialog)
        assert dialog is not None and dialog.isVisible()
        assert dialog.shown == key
        assert window.nav.currentItem().text() in dialog.browser.toPlainText().split("\n")[0]
        assert not dialog.isModal()  # the page it explains stays usable
    # One dialog, reused: F1 on every page did not pile up windows.
    assert len(window.findChildren(HelpDialog)) == 1


def test_every_page_guide_says_what_for_what_to_do_and_the_numbers_in_a_few_sentences(
        qtbot):  # type: ignore[no-untyped-def]
    for key in PAGES:
        html = page_guide_html(key)
        for heading in ("What this page is for", "What to do here", "What the numbers mean"):
            assert f"<h2>{heading}</h2>" in html, (key, heading)
        assert 5 <= _sentences(html) <= 10, (key, _sentences(html))
        # Every guide leads to the numbers explanation.
        assert 'href="numbers' in html, key
    assert len({page_guide_html(k) for k in PAGES}) == len(PAGES)


def test_the_numbers_explanation_names_the_terms_after_the_plain_words() -> None:
    html = numbers_html()
    # The plain heading first, the term after it in brackets.
    pairs = re.findall(r"<h2><a name=\"(\w+)\"></a>([^<]+) <span class=\"term\">\(([^)]+)\)",
                       html)
    terms = {term for _anchor, _plain, term in pairs}
    for term in ("intent score", "lift", "AUC", "accuracy, precision, recall, F1",
                 "validation period, time-based split", "95% interval",
                 "expected spend, P10–P90 range", "churn risk", "next order date", "WAPE, MASE",
                 "segments"):
        assert term in terms, term
    text = re.sub(r"<[^>]+>", " ", html)
    # The words the app itself shows, explained.
    for words in ("0.5 is chance", "1 is perfect", "more buyers in its top 10% than chance",
                  "about as well as", "High means 70% or more", "Off by 12% a week on average",
                  "P10", "P90", "under 1 means the forecast beats that guess"):
        assert words in text, words


def test_links_go_between_the_guides_and_never_to_the_web(qtbot):  # type: ignore[no-untyped-def]
    window = _window(qtbot)
    window.show_page(window.customers_page)
    dialog = window.show_page_guide()
    assert dialog.shown == "customers"
    scroll = dialog.browser.verticalScrollBar()
    # "More about these numbers" opens the explanation at the customer's score.
    dialog.browser.anchorClicked.emit(QUrl("numbers#intent"))
    assert dialog.shown == "numbers"
    assert "What do these numbers mean?" in dialog.windowTitle()
    dialog.browser.anchorClicked.emit(QUrl("numbers#segments"))
    assert scroll.value() > 0  # scrolled down to the segments, the last section
    dialog.browser.anchorClicked.emit(QUrl("guide:forecast"))
    assert dialog.shown == "forecast"
    assert dialog.browser.toPlainText().startswith("The Forecast page")
    assert scroll.value() == 0
    dialog.browser.anchorClicked.emit(QUrl("https://example.com"))
    assert dialog.shown == "forecast"  # a web address changes nothing
    # Every link the texts hold is one the dialog follows.
    links = set(re.findall(r'href="([^"]+)"', numbers_html()))
    for key in PAGES:
        links |= set(re.findall(r'href="([^"]+)"', page_guide_html(key)))
    for link in links:
        dialog.show_page_guide("data")
        dialog.browser.anchorClicked.emit(QUrl(link))
        assert dialog.shown != "data" or link == "guide:data", link


def test_the_numbers_dialog_fits_a_1280_by_800_screen_and_scrolls(qtbot):  # type: ignore[no-untyped-def]
    window = _window(qtbot)
    actions = {a.text(): a for a in _help_actions(window)}
    actions["What do these &numbers mean?"].trigger()
    dialog = window.findChild(HelpDialog)
    assert dialog is not None and dialog.shown == "numbers"
    assert dialog.width() <= 1280 - 80 and dialog.height() <= 800 - 120
    assert dialog.width() >= 600 and dialog.height() >= 500
    assert dialog.browser.verticalScrollBar().maximum() > 0  # longer than the dialog: scrolls
    # Nothing runs wider than the dialog (no sideways scrolling to read a line).
    assert dialog.browser.horizontalScrollBar().maximum() == 0
    close = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Close)
    assert close.text() == "Close"
    close.click()
    assert not dialog.isVisible()
