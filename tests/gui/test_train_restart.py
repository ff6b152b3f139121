"""After a restart the Train page shows what the models in use learned, not "No training yet"."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

from gui.main_window import MainWindow
from gui.settings import Settings

RELEASE = Path(__file__).resolve().parents[1] / "data" / "release_project"


def test_opening_a_project_shows_the_active_run(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "shop.intentlens"
    with gzip.open(RELEASE / "project.intentlens.gz", "rb") as src, path.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    window = MainWindow(Settings(), remember=False)
    qtbot.addWidget(window)
    assert window.open_project(str(path))
    page = window.train_page
    # Run 3 is the active intent model (run 1 is an older intent run, run 2 the active profiles).
    assert page.epoch_label.text().startswith("Run 3 from")
    assert "AUC" in page.verdict.text() and page.verdict.isVisibleTo(page)
    assert page.metrics_model.rowCount() == 4
