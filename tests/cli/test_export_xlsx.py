"""``export ... --out FILE.xlsx`` as a script sees it: every export as an Excel workbook whose
text cells are never formulas, with the same refusals and the same one-sentence failures as CSV.
"""

from __future__ import annotations

import errno
import hashlib
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from tests.cli.test_export_safety import (  # noqa: F401 - scored is a fixture
    FORMULA_IDS,
    WHATS,
    _cli,
    _one_sentence,
    scored,
)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sheet(path: Path) -> Worksheet:
    ws = load_workbook(path).active
    assert isinstance(ws, Worksheet)
    return ws


@pytest.mark.parametrize("what", WHATS)
def test_export_writes_a_workbook(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, scored: Path, what: str  # noqa: F811
) -> None:
    target = tmp_path / f"{what}.xlsx"
    code, out, err = _cli(capsys, "export", scored, what, "--out", target)
    assert code == 0, err
    ws = _sheet(target)
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    n = len(rows) - 1
    assert out.strip() == f"Wrote {n:,} {'row' if n == 1 else 'rows'} to {target}."
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
            if isinstance(cell.value, str):
                assert cell.data_type == "s"
    assert all(c.font.b for c in ws[1]) and ws.freeze_panes == "A2"
    if what == "rejected":
        assert rows[0] == ["file", "line", "reason", "raw"]
        assert str(rows[1][3]).startswith("-2+3+cmd|") and isinstance(rows[1][1], int)
        return
    assert {r[0] for r in rows[1:]} == FORMULA_IDS  # exact ids, none dropped
    score_col = rows[0].index("score" if what == "scores" else "intent_score")
    assert -0.25 in [r[score_col] for r in rows[1:]]
    assert all(isinstance(r[score_col], float) for r in rows[1:])
    if what == "segments":
        assert {r[2] for r in rows[1:]} == {"+SUM(A1) shoppers"}
        assert all(c.quotePrefix for c in ws["C"][1:])


@pytest.mark.parametrize("what", WHATS)
def test_an_xlsx_name_never_overwrites_the_project(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, scored: Path, what: str  # noqa: F811
) -> None:
    link = tmp_path / "project.xlsx"
    link.symlink_to(scored)
    before = _digest(scored)
    listing = sorted(p.name for p in tmp_path.iterdir())
    for target in (scored, link):
        code, out, err = _cli(capsys, "export", scored, what, "--out", target)
        assert code == 2 and out == ""
        _one_sentence(err, target.name)
    assert _digest(scored) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == listing


def test_full_disk_leaves_the_older_workbook(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    scored: Path,  # noqa: F811
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    older = out_dir / "scores.xlsx"
    assert _cli(capsys, "export", scored, "scores", "--out", older)[0] == 0
    before = older.read_bytes()

    def full(self: Workbook, filename: Any) -> None:
        filename.write(b"PK\x03\x04 half a workbook")
        filename.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Workbook, "save", full)
    for target in (older, out_dir / "new.xlsx"):
        code, out, err = _cli(capsys, "export", scored, "scores", "--out", target)
        assert code == 2 and out == ""
        _one_sentence(err, "disk is full", target.name)
    assert [p.name for p in out_dir.iterdir()] == ["scores.xlsx"]
    assert older.read_bytes() == before
