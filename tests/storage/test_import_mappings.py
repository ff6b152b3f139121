"""Reading back the mapping stored with an import: the last finished one of its kind only."""

from __future__ import annotations

from pathlib import Path

from storage.imports import last_mapping, start_batch
from storage.project import Project, open_project


def _batch(project: Project, name: str, mapping: dict[str, object], *, finish: bool = True,
           final: dict[str, object] | None = None) -> None:
    with project.begin() as conn:
        writer = start_batch(conn, file_name=name, sha256=name, fmt="csv", encoding="utf-8",
                             mapping=mapping, pseudonymized=False)
        if finish:
            writer.finish(lines_read=1, imported=1, rejected=0, seconds=0.1, mapping=final)


def test_last_mapping_reads_the_final_mapping_of_the_last_finished_batch(tmp_path: Path) -> None:
    project = open_project(tmp_path / "p.intentlens")
    assert last_mapping(project, "sig1-a") is None
    _batch(project, "old.csv", {"events": {}})  # made before signatures: never matches
    _batch(project, "a.csv", {"signature": "sig1-a", "events": {}},
           final={"signature": "sig1-a", "events": {"late": "cart"}})
    _batch(project, "b.csv", {"signature": "sig1-b", "events": {}})
    _batch(project, "a2.csv", {"signature": "sig1-a", "events": {"x": "view"}}, finish=False)
    found = last_mapping(project, "sig1-a")
    assert found is not None and found.file_name == "a.csv"  # a2 never finished
    assert found.mapping["events"] == {"late": "cart"}  # the final one, not the first
    assert found.finished_at
    b = last_mapping(project, "sig1-b")
    assert b is not None and b.file_name == "b.csv"
    assert last_mapping(project, "sig1-%") is None  # no pattern matching on the signature
    with project.connect() as conn:
        assert last_mapping(conn, "sig1-a") is not None
