"""Loads per click or per refresh: a late result for an earlier click never replaces a newer one.

Each test makes the first of two loads slow, so that it finishes last, and checks that what
the user sees is the second one.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication

from engine.demo_project import create_demo_project
from gui.worker import Caller
from storage.project import Project, open_project


@pytest.fixture(autouse=True)
def two_threads() -> Iterator[None]:
    """Two loads must run side by side for the first to finish last."""
    pool = QThreadPool.globalInstance()
    before = pool.maxThreadCount()
    pool.setMaxThreadCount(max(2, before))
    yield
    pool.setMaxThreadCount(before)


def _settle() -> None:
    """Let every worker end and every queued result arrive."""
    assert QThreadPool.globalInstance().waitForDone(30_000)
    for _ in range(3):
        QApplication.processEvents()


@pytest.fixture(scope="module")
def shops(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Project, Project]]:
    """Two small demo projects of different sizes (30 and 60 customers)."""
    folder = tmp_path_factory.mktemp("loaders")
    projects = []
    for n in (30, 60):
        path = folder / f"shop{n}.intentlens"
        create_demo_project(path, customers=n, seed=n)
        projects.append(open_project(path, create=False))
    yield projects[0], projects[1]
    for project in projects:
        project.close()


def test_caller_delivers_only_the_newest_call(qtbot) -> None:  # type: ignore[no-untyped-def]
    release = threading.Event()
    done: list[str] = []
    errors: list[str] = []

    def slow(name: str) -> str:
        assert release.wait(30)
        return name

    def broken() -> str:
        raise ValueError("superseded before it could be shown")

    caller = Caller()
    caller.call(slow, "first", on_done=done.append, on_error=lambda e: errors.append(str(e)))
    caller.call(broken, on_done=done.append, on_error=lambda e: errors.append(str(e)))
    caller.call(lambda: "third", on_done=done.append)
    qtbot.waitUntil(lambda: done == ["third"], timeout=10_000)
    assert not caller.busy
    release.set()
    _settle()
    assert done == ["third"] and errors == []

    # cancel() drops the call in flight too (the page was closed or the project changed).
    caller.call(slow, "late", on_done=done.append)
    assert caller.busy
    caller.cancel()
    _settle()
    assert done == ["third"] and not caller.busy

    # The newest call's failure does arrive.
    caller.call(broken, on_done=done.append, on_error=lambda e: errors.append(str(e)))
    qtbot.waitUntil(lambda: errors == ["superseded before it could be shown"], timeout=10_000)
    assert not caller.busy


def test_the_card_shows_the_customer_clicked_last(qtbot, shops, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    cards = importlib.import_module("engine.customers")  # where the card is read
    from gui.pages.customers_page import CustomersPage

    page = CustomersPage()
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    page.set_project(shops[1])
    qtbot.waitUntil(lambda: page.model.rowCount() == 60, timeout=30_000)
    first, second = page.model.customer_id(0), page.model.customer_id(1)

    release = threading.Event()
    real = cards.customer_card

    def customer_card(
        project: Project, customer_id: int, *args: object, **kwargs: object
    ) -> object:
        if customer_id == first:
            assert release.wait(30), "the test never released the first card"
        return real(project, customer_id, *args, **kwargs)

    monkeypatch.setattr(cards, "customer_card", customer_card)
    page.table.selectRow(0)  # slow: its card arrives last
    page.table.selectRow(1)
    qtbot.waitUntil(lambda: page.card is not None, timeout=30_000)
    assert page.card.customer_id == second
    release.set()
    _settle()
    assert page.card.customer_id == second, "an earlier click's card replaced the newer one"
    assert page.card_view.title.text() == f"Customer {page.card.customer}"
    assert page.table.currentIndex().row() == 1


def test_the_data_page_shows_the_project_opened_last(qtbot, shops, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from gui.pages import data_page
    from gui.pages.data_page import DataPage

    small, large = shops
    release = threading.Event()
    real = data_page.summarize

    def summarize(project: Project) -> object:
        if project is small:
            assert release.wait(30), "the test never released the first summary"
        return real(project)

    monkeypatch.setattr(data_page, "summarize", summarize)
    page = DataPage()
    qtbot.addWidget(page)
    page.set_project(small)  # slow: its summary arrives last
    page.set_project(large)
    qtbot.waitUntil(lambda: page.summary is not None, timeout=30_000)
    release.set()
    _settle()
    assert page.summary.overview.customers == 60, "the earlier project's summary came back"
    assert page.cards["customers"].value.text() == "60"
    assert large.name in page.heading.text() and small.name not in page.heading.text()


def test_a_card_asked_for_before_a_reload_still_opens(qtbot, shops, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from gui.pages.customers_page import CustomersPage

    page = CustomersPage()
    qtbot.addWidget(page)
    page.set_project(shops[0])
    qtbot.waitUntil(lambda: page.model.rowCount() == 30, timeout=30_000)
    wanted = page.model.customer_id(3)
    cards = importlib.import_module("engine.customers")  # where the card is read
    release = threading.Event()
    real = cards.customer_card

    def customer_card(
        project: Project, customer_id: int, *args: object, **kwargs: object
    ) -> object:
        assert release.wait(30), "the test never released the card"
        return real(project, customer_id, *args, **kwargs)

    monkeypatch.setattr(cards, "customer_card", customer_card)
    page.show_customer(wanted)
    page.refresh()  # the list reloads (a model was trained) while the card is still loading
    qtbot.waitUntil(lambda: not page._loader.busy, timeout=30_000)
    release.set()
    qtbot.waitUntil(lambda: page.card is not None, timeout=30_000)
    _settle()
    assert page.card.customer_id == wanted and page.card_stack.currentIndex() == 1
    assert page.model.customer_id(page.table.currentIndex().row()) == wanted
