"""The Segments page as a user meets it (pytest-qt, offscreen): the list, the map, a click on a
customer, a segment's description and traits, exports, and the empty state."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from engine import runs
from engine.demo_project import create_demo_project
from engine.profiles import ProfileConfig
from engine.tasks.base import RunSaved
from gui.pages.segments_page import SegmentsPage, load_segments
from storage.project import Project, open_project
from storage.run_writes import save_run, set_active
from storage.runs import active_run, run_outputs
from tests.project_checks import segments_of

CUSTOMERS = 300


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """A 300-customer demo project with a (quickly trained) profiles run."""
    path = tmp_path_factory.mktemp("segments-page") / "demo.intentlens"
    create_demo_project(path, customers=CUSTOMERS, seed=9)
    project = open_project(path, create=False)
    last = list(runs.train(project, "profiles", ProfileConfig(epochs=3, seed=0)))[-1]
    assert isinstance(last, RunSaved)
    yield project
    project.close()


def _page(qtbot, project: Project) -> SegmentsPage:  # type: ignore[no-untyped-def]
    page = SegmentsPage()
    qtbot.addWidget(page)
    page.resize(1100, 800)
    page.show()
    qtbot.waitExposed(page)
    with qtbot.waitSignal(page.loaded, timeout=30_000):
        page.set_project(project)
    return page


def _widget_pos(page: SegmentsPage, customer_id: int) -> QPoint:
    scene = page.scene_pos_of(customer_id)
    assert scene is not None
    return page.map_plot.mapFromScene(scene)


def test_lists_segments_and_draws_every_customer(qtbot, trained: Project) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, trained)
    segments = segments_of(trained)
    assert segments
    assert page.stack.currentIndex() == 1
    model = page.model
    assert model.rowCount() == len(segments)
    shown = {model.index(r, 0).data() for r in range(model.rowCount())}
    assert shown == {s["name"] for s in segments}
    sizes = {model.index(r, 0).data(): model.index(r, 1).data() for r in range(model.rowCount())}
    assert sizes == {s["name"]: f"{s['size']:,}" for s in segments}
    assert page.map_point_count() == CUSTOMERS == len(run_outputs(trained, page.data.run.id))
    assert f"All {CUSTOMERS:,} customers" in page.map_note.text()
    words = page.method_label.text()
    assert "Segments found by k-means" in words and "Stability" in words
    assert "Silhouette" in words
    assert page.export_all_button.isEnabled() and not page.export_one_button.isEnabled()


def test_click_on_a_point_emits_that_customer(qtbot, trained: Project) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, trained)
    data = page.data
    assert data is not None
    # The customer drawn farthest from any other, so the click cannot hit a neighbour.
    pos = np.array(
        [[p.x(), p.y()] for p in (_widget_pos(page, int(c)) for c in data.customer_ids)],
        dtype=float,
    )
    d = np.linalg.norm(pos[:, None, :] - pos[None, :, :], axis=2)
    np.fill_diagonal(d, np.inf)
    i = int(np.argmax(d.min(axis=1)))
    assert d[i].min() > 3, "points too crowded for a reliable click"
    target = int(data.customer_ids[i])
    where = _widget_pos(page, target)

    # QTest's mouseMove does not reach a widget on the offscreen platform: send the event.
    viewport = page.map_plot.viewport()
    QApplication.sendEvent(
        viewport,
        QMouseEvent(
            QEvent.Type.MouseMove,
            QPointF(where),
            QPointF(viewport.mapToGlobal(where)),
            Qt.MouseButton.NoButton,
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
        ),
    )
    qtbot.waitUntil(lambda: str(data.keys[i]) in page.hover_label.text(), timeout=5_000)
    with qtbot.waitSignal(page.customer_selected, timeout=5_000) as clicked:
        qtbot.mouseClick(page.map_plot.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert clicked.args == [target]
    # Empty space selects nobody.
    corner = QPoint(3, 3)
    with qtbot.assertNotEmitted(page.customer_selected, wait=200):
        qtbot.mouseClick(page.map_plot.viewport(), Qt.MouseButton.LeftButton, pos=corner)


def test_selecting_a_segment_describes_highlights_and_exports(  # type: ignore[no-untyped-def]
    qtbot, trained: Project, tmp_path: Path
) -> None:
    page = _page(qtbot, trained)
    page.table.selectRow(1)
    sid = int(page.model.row(1)[-1])
    seg = next(s for s in segments_of(trained) or [] if s["id"] == sid)
    assert page.selected_segment == sid
    assert page.segment_title.text() == seg["name"]
    assert seg["description"].split(" — ", 1)[1].split(";")[0] in page.description.text()
    charted = [t for t in seg["traits"] if t["label"] != "share of revenue"]
    assert len(page.segment_bars.opts["width"]) == len(charted)
    assert len(page.overall_bars.opts["width"]) == len(charted)
    assert max(page.segment_bars.opts["width"].max(), page.overall_bars.opts["width"].max()) == 1
    faded = [item.opacity() for k, item in enumerate(page.scatters) if k != sid]
    assert page.scatters[sid].opacity() == 1.0 and max(faded) < 0.5
    assert page.export_one_button.isEnabled()

    out = tmp_path / "one.csv"
    with qtbot.waitSignal(page.exported, timeout=10_000) as done:
        page.export_selected(str(out))
    assert done.args == [str(out), seg["size"]]
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["customer", "segment_id", "segment_name"]
    assert len(rows) == seg["size"] + 1 and {r[2] for r in rows[1:]} == {seg["name"]}

    page.select_segment(None)
    assert all(item.opacity() == 1.0 for item in page.scatters)
    assert not page.export_one_button.isEnabled()


def test_large_runs_show_a_sample_and_say_so(qtbot, trained: Project) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, trained)
    data = load_segments(trained, max_points=120)
    assert len(data.shown) == 120 and len(data.customer_ids) == CUSTOMERS
    page.show_data(data)
    assert page.map_point_count() == 120
    assert "random sample of 120 of 300 customers" in page.map_note.text()


def test_empty_state_says_how_to_get_segments(qtbot, project: Project) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, project)
    assert page.stack.currentIndex() == 0
    assert "Train customer profiles on the Train page" in page.empty.text()
    assert page.map_point_count() == 0
    assert not page.export_all_button.isEnabled()
    page.set_project(None)
    assert "Open a project" in page.empty.text()


def test_coming_back_after_a_new_run_shows_it(qtbot, trained: Project) -> None:  # type: ignore[no-untyped-def]
    page = _page(qtbot, trained)
    page.hide()
    run = active_run(trained, "profiles")
    assert run is not None
    renamed = [{**s, "name": f"Renamed {s['id']}"} for s in run.metrics["segments"]]
    new_id = save_run(
        trained,
        "profiles",
        status="done",
        settings=run.settings,
        history=run.history,
        metrics={**run.metrics, "segments": renamed},
        summary="",
        seconds=0.0,
        warm_started=False,
        weights=None,
        outputs=run_outputs(trained, run.id),
    )
    try:
        with qtbot.waitSignal(page.loaded, timeout=30_000):
            page.show()
        names = {page.model.index(r, 0).data() for r in range(page.model.rowCount())}
        assert names == {s["name"] for s in renamed} and page.data.run.id == new_id
    finally:
        set_active(trained, run.id)  # the other tests expect the trained run


def test_a_hidden_page_reads_the_segments_when_first_shown(qtbot, trained: Project) -> None:  # type: ignore[no-untyped-def]
    """Opening a project reads only what the first pages show: a hidden Segments page waits
    until the user goes there."""
    page = SegmentsPage()
    qtbot.addWidget(page)
    page.resize(1100, 800)
    loads: list[object] = []
    page.loaded.connect(loads.append)
    page.set_project(trained)
    qtbot.wait(300)
    assert loads == [] and page.data is None and not page._loader.busy
    with qtbot.waitSignal(page.loaded, timeout=30_000):
        page.show()
    assert page.data is not None and page.model.rowCount() >= 2
