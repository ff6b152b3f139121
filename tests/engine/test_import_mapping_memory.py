"""The mapping an import stores is the final one, and it is offered again for the same kind of file.

The words of a big file that first appear after the preview's rows (in a later chunk) must be in
the stored mapping; a later file of the same kind (same columns, any order, other rows) gets that
mapping back, a file of another kind gets nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.ingest import ImportCancelled, ImportOptions, import_file, inspect_file, run_import
from engine.ingest.mapping_memory import format_signature, previous_mapping
from storage import schema
from storage.imports import last_mapping
from storage.project import Project, open_project

#: Rows before the late words: more than the preview reads (200) and many chunks of 50.
EARLY_ROWS = 400


def _log(path: Path, *, first: int = 0, order: tuple[int, ...] = (0, 1, 2, 3), sep: str = ",") -> Path:
    """A log whose first rows hold view, cart and the shop's own word "zap"; "addtocart" (known)
    and "wishlisted" (unknown) first appear after ``EARLY_ROWS`` rows."""
    header = ["customer", "time", "event", "item"]
    rows = []
    for i in range(EARLY_ROWS):
        word = ("view", "cart", "zap")[i % 3]
        rows.append([f"c{first + i % 40}", f"2024-03-01 10:{i % 60:02d}:00", word, f"sku{i % 7}"])
    rows.append([f"c{first}", "2024-03-02 11:00:00", "addtocart", "sku1"])
    rows.append([f"c{first + 1}", "2024-03-02 11:05:00", "wishlisted", "sku2"])
    lines = [sep.join(header[j] for j in order)]
    lines += [sep.join(r[j] for j in order) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _stored(project: Project) -> list[dict[str, object]]:
    b = schema.import_batches
    with project.connect() as conn:
        return [json.loads(t) for (t,) in conn.execute(select(b.c.mapping).order_by(b.c.id))]


@pytest.fixture()
def project(tmp_path: Path) -> Project:
    return open_project(tmp_path / "shop.intentlens")


def test_the_stored_mapping_holds_the_words_met_in_later_chunks(project: Project, tmp_path: Path) -> None:
    path = _log(tmp_path / "may.csv")
    preview = inspect_file(path, ImportOptions(events={"zap": "click"}))
    assert "addtocart" not in preview.mapping.events, "the late word must lie beyond the preview"
    report = run_import(project, path, ImportOptions(events={"zap": "click"}, chunk_rows=50))
    assert report.lines_read == EARLY_ROWS + 2 and report.events_by_type["cart"] > EARLY_ROWS // 3
    (mapping,) = _stored(project)
    events = mapping["events"]
    assert isinstance(events, dict)
    assert events["addtocart"] == "cart"  # first met in the last chunk
    assert events["wishlisted"] == "other"
    assert events["zap"] == "click"  # the user's choice
    assert mapping["guessed_words"] == ["wishlisted"]
    assert mapping["columns"] == {"customer": "customer", "time": "time", "event": "event",
                                  "item": "item"}
    assert mapping["signature"] == format_signature(preview)


def test_a_cancelled_import_stores_no_mapping(project: Project, tmp_path: Path) -> None:
    path = _log(tmp_path / "may.csv")
    reports = import_file(project, path, ImportOptions(chunk_rows=50), should_stop=lambda: stop)
    stop = False
    next(reports)
    stop = True
    with pytest.raises(ImportCancelled):
        list(reports)
    assert _stored(project) == []


def test_the_same_kind_of_file_gets_the_last_mapping_back(project: Project, tmp_path: Path) -> None:
    run_import(project, _log(tmp_path / "may.csv"), ImportOptions(events={"zap": "click"},
                                                                  chunk_rows=50))
    # Next month's export: other customers, the columns in another order.
    june = _log(tmp_path / "june.csv", first=100, order=(3, 2, 0, 1))
    june_preview = inspect_file(june)
    assert june_preview.mapping.events["zap"] == "other"  # left alone, IntentLens guesses
    previous = previous_mapping(project, june_preview)
    assert previous is not None and previous.file_name == "may.csv"
    assert previous.options.events["addtocart"] == "cart"
    assert previous.options.events["zap"] == "click"
    assert "wishlisted" not in previous.options.events  # a guess, not a choice: warned again
    assert previous.options.columns["customer"] == "customer"
    assert previous.options.columns["price"] == ""  # not mapped then, not mapped now
    # Applied, it maps this file as the last one was mapped, and imports it that way.
    again = inspect_file(june, previous.options)
    assert again.ready and again.mapping.events["zap"] == "click"
    report = run_import(project, june, previous.options)
    assert report.events_by_type["click"] == EARLY_ROWS // 3
    assert report.mapping == {"item": "item", "event": "event", "customer": "customer",
                              "time": "time"}

    # Another kind: other columns, or another separator.
    other = tmp_path / "orders.csv"
    other.write_text("order,email,total,date\n1,a@example.com,3.5,2024-01-02\n")
    assert previous_mapping(project, inspect_file(other)) is None
    tsv = _log(tmp_path / "may.tsv", sep="\t")
    assert format_signature(inspect_file(tsv)) != format_signature(june_preview)
    assert previous_mapping(project, inspect_file(tsv)) is None


def test_the_last_import_of_the_kind_wins(project: Project, tmp_path: Path) -> None:
    run_import(project, _log(tmp_path / "may.csv"), ImportOptions(events={"zap": "click"}))
    run_import(project, _log(tmp_path / "june.csv", first=100), ImportOptions(events={"zap": "share"}))
    signature = format_signature(inspect_file(tmp_path / "may.csv"))
    stored = last_mapping(project, signature)
    assert stored is not None and stored.file_name == "june.csv"
    assert stored.mapping["events"]["zap"] == "share"  # type: ignore[index]
    assert last_mapping(project, "sig1-" + "0" * 32) is None


def test_a_stored_mapping_that_does_not_fit_is_not_offered(tmp_path: Path) -> None:
    from engine.ingest.mapping_memory import options_from_mapping

    preview = inspect_file(_log(tmp_path / "may.csv"))
    assert options_from_mapping({"events": {}}, preview) is None  # made before mappings had columns
    moved = {"columns": {"customer": "buyer", "time": "time"}, "events": {}}
    assert options_from_mapping(moved, preview) is None  # names a column this file lacks
    odd = {"columns": {"customer": "customer", "time": "time"},
           "events": {"zap": "teleport", "pv": "view"}, "options": {"decimal": "x"}}
    options = options_from_mapping(odd, preview)
    assert options is not None
    assert options.events == {"pv": "view"}  # an unknown meaning is dropped, not raised later
    assert options.decimal is None
    assert options.columns["event"] == ""
