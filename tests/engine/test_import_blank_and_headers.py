"""Lines that are no events say so in their own words: an empty line is an empty line (not "no
customer id"), also in a file clean enough for the fast reader and with CRLF line ends; a
header repeated where files were joined is rejected as such and warns of no unknown event."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from engine.ingest import run_import
from storage.project import Project

HEADER = "timestamp,visitorid,event,itemid,transactionid"


def _rows(n: int, start: int = 0) -> list[str]:
    kinds = ("view", "addtocart", "transaction")
    return [f"{1434516716964 + i * 1000},{i % 97},{kinds[i % 3]},{i % 50},"
            f"{i if i % 3 == 2 else ''}" for i in range(start, start + n)]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_empty_lines_are_empty_lines(project: Project, tmp_path: Path, newline: str) -> None:
    lines = [HEADER, *_rows(500), "", *_rows(500, 500), "", ""]
    path = tmp_path / "events.csv"
    path.write_bytes(newline.join(lines).encode() + newline.encode())
    report = run_import(project, path)
    assert report.imported == 1000
    assert report.rejected_by_reason == {"empty_line": 3}
    with project.connect() as conn:
        rejected = conn.execute(text("SELECT line_no FROM rejected_rows ORDER BY line_no")).all()
    assert [r[0] for r in rejected] == [502, 1003, 1004]


def test_a_repeated_header_warns_of_no_unknown_event(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "joined.csv"
    path.write_text("\n".join([HEADER, *_rows(300), HEADER, *_rows(300, 300)]) + "\n")
    report = run_import(project, path)
    assert report.imported == 600
    assert report.rejected_by_reason == {"repeated_header": 1}
    assert [w.code for w in report.warnings] == []
    with project.connect() as conn:
        mapping = conn.execute(text("SELECT mapping FROM import_batches")).scalar_one()
    assert '"event"' not in mapping.split('"events"')[1].split("}")[0]
