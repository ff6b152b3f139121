"""The smoke test that the whole window builds: every page renders to a non-empty PNG."""

from __future__ import annotations

from PySide6.QtGui import QImage

from engine.demo_project import create_demo_project
from gui.main_window import MainWindow
from gui.screenshots import render_all
from gui.settings import Settings


def test_every_page_renders(qtbot, tmp_path):  # type: ignore[no-untyped-def]
    project = tmp_path / "demo.intentlens"
    create_demo_project(project, customers=150, seed=5)
    window = MainWindow(Settings(), remember=False)
    qtbot.addWidget(window)
    assert window.open_project(str(project))
    files = render_all(window, tmp_path / "shots")
    assert len(files) == window.pages.count() + 1
    for f in files:
        image = QImage(str(f))
        assert image.width() >= 800 and image.height() >= 600, f
        # A blank grab is one colour; a real page has text and charts.
        colours = {image.pixel(x, y) for x in range(0, image.width(), 37)
                   for y in range(0, image.height(), 29)}
        assert len(colours) > 5, f"{f.name} looks blank"
    assert window.data_page.summary is not None
    assert window.data_page.summary.overview.customers == 150


def test_chinese_translation_loads(qapp):  # type: ignore[no-untyped-def]
    from pathlib import Path

    from PySide6.QtCore import QCoreApplication, QTranslator

    folder = Path(__file__).resolve().parents[2] / "resources" / "translations"
    translator = QTranslator()
    assert translator.load(str(folder / "intentlens_zh_CN.qm"))
    QCoreApplication.installTranslator(translator)
    try:
        assert QCoreApplication.translate("MainWindow", "Data") == "数据"
        assert QCoreApplication.translate("TrainPage", "Start training") == "开始训练"
    finally:
        QCoreApplication.removeTranslator(translator)
