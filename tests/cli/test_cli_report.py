"""``report PROJECT OUT`` as a script sees it: HTML or PDF by the ending, the PDF one A4 page
for the demo shop, other endings and the project itself refused in one sentence."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from engine import runs
from engine.profiles import ProfileConfig
from engine.report import build_report
from storage.project import open_project
from storage.queries import overview
from tests.cli.test_clear_failures import _cli, _one_sentence, trained  # noqa: F401

A4_POINTS = (595, 842)


@pytest.fixture(scope="module")
def shop(trained: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    """The trained demo shop (a real intent run) with real segments."""
    path = tmp_path_factory.mktemp("report-cli") / "shop.intentlens"
    shutil.copy(trained, path)
    project = open_project(path, create=False)
    try:
        for _ in runs.train(project, "profiles", ProfileConfig(epochs=2, seed=0)):
            pass
    finally:
        project.close()
    return path


def _pages(pdf: bytes) -> int:
    """Page objects of a PDF (not the /Pages tree that holds them)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def test_html_report(shop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.html"
    code, said, err = _cli(capsys, "report", shop, out)
    assert (code, err) == (0, "")
    assert said == f"Wrote the report to {out}.\n"
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html.lower()
    project = open_project(shop, create=False)
    try:
        customers = overview(project).customers
        made = build_report(project)
    finally:
        project.close()
    assert f"{customers:,}" in html and html == made
    assert "Not trained yet: Recommendations, Customer value, Sales forecast." in html


def test_pdf_report_is_one_a4_page(shop: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "Report.PDF"
    code, said, err = _cli(capsys, "report", shop, out)
    assert (code, err) == (0, "")
    assert said == f"Wrote the report to {out}.\n"
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert _pages(pdf) == 1
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert box is not None
    assert tuple(round(float(v)) for v in box.groups()) == A4_POINTS
    assert [p.name for p in tmp_path.iterdir()] == ["Report.PDF"]  # no temporary file left


def test_the_page_counter_sees_more_pages(tmp_path: Path) -> None:
    """The check above can fail: a report too long for one page gives two page objects."""
    from PySide6.QtWidgets import QApplication

    from gui.report import pdf_bytes

    app = QApplication.instance() or QApplication(["test"])
    assert app is not None
    long = "<html><body>" + "<p>line</p>" * 400 + "</body></html>"
    data, pages = pdf_bytes(long)
    assert pages > 1 and _pages(data) == pages


def test_other_endings_and_the_project_are_refused(
    shop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _cli(capsys, "report", shop, tmp_path / "report.docx")
    assert code == 2
    _one_sentence(err, "report.docx", ".html or .pdf")
    other = tmp_path / "other.html"  # a project file that happens to end in .html
    shutil.copy(shop, other)
    before = other.read_bytes()
    code, _, err = _cli(capsys, "report", shop, other)
    assert code == 2
    _one_sentence(err, "other.html", "database")
    assert other.read_bytes() == before  # a database is never written over
