"""The parsing layer on its own: what IntentLens detects in a file, and the table as parsed.

``inspect_report`` describes a file (encoding, delimiter, quoting, header row, skipped lines,
column mapping, date order, number forms, warnings, rows that do not fit) as a JSON-ready dict;
``write_normalized`` writes the table exactly as parsed as RFC 4180 UTF-8 CSV. Both work on any
CSV, not only behavior logs, and stream the file (memory stays flat).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from engine.ingest import reader as rd
from engine.ingest.layout import describe_delimiter
from engine.ingest.preview import FilePreview, ImportOptions, inspect_file
from engine.ingest.source import iter_text_lines, open_bytes
from engine.ingest.timeparse import describe_format

_DATE_ORDERS = {"dmy": "day/month/year", "mdy": "month/day/year", "ymd": "year/month/day"}


def _chunk_records(chunk: rd.Chunk) -> Iterator[tuple[int, list[str]]]:
    """A chunk's records, plus the lines the reader rejected itself (an unclosed quote, a line
    too long) as records that fit no table, in line order."""
    out = [(chunk.line_no(i), row) for i, row in enumerate(chunk.rows)]
    out += [(p.line_no, ["\x00" + p.kind]) for p in chunk.problems]
    yield from sorted(out, key=lambda r: r[0])


def _records(preview: FilePreview) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of every record after the header, in file order."""
    stream, _ = open_bytes(preview.path, preview.packaging)
    try:
        lines = iter_text_lines(stream, preview.encoding)
        line_no = 1
        for _ in range(preview.skipped_rows):
            if next(lines, None) is None:
                return
            line_no += 1
        if preview.kind == "jsonl":
            for chunk, _header in rd.jsonl_chunks(lines, first_line_no=line_no, chunk_rows=5000):
                yield from _chunk_records(chunk)
            return
        if preview.has_header:
            for ln in lines:
                line_no += 1
                if ln.strip():
                    break
        for chunk in rd.csv_chunks(
            lines, preview.delimiter, first_line_no=line_no, chunk_rows=5000,
            escapechar=preview.escape,
        ):
            yield from _chunk_records(chunk)
    finally:
        stream.close()


def write_normalized(preview: FilePreview, out: IO[str] | None) -> tuple[int, int, list[int]]:
    """Write the table as parsed (header first when there is one) to ``out`` (or only count).

    Returns (rows that fit, rows left out, the first line numbers left out).
    """
    ncols = len(preview.header)
    writer = csv.writer(out, lineterminator="\r\n") if out is not None else None
    if writer is not None and preview.has_header:
        writer.writerow(preview.header)
    fit = left = 0
    first_bad: list[int] = []
    for line_no, row in _records(preview):
        if len(row) == ncols and row != ["\x00json"]:
            fit += 1
            if writer is not None:
                writer.writerow(row)
        elif row and any(f.strip() for f in row):
            left += 1
            if len(first_bad) < 20:
                first_bad.append(line_no)
    return fit, left, first_bad


def inspect_report(
    path: str | Path, options: ImportOptions | None = None, *, normalized_dir: Path | None = None
) -> dict[str, Any]:
    """What the importer detects in a file, as the JSON object of ``inspect --json``."""
    preview = inspect_file(path, options)
    mapping = preview.mapping
    header = preview.header
    target = None
    if normalized_dir is not None:
        normalized_dir.mkdir(parents=True, exist_ok=True)
        target = normalized_dir / preview.path.name
    if target is not None:
        tmp = target.with_name(target.name + ".part")
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            fit, left, bad = write_normalized(preview, fh)
        tmp.replace(target)
    else:
        fit, left, bad = write_normalized(preview, None)
    header_line = None
    if preview.kind == "csv" and preview.has_header:
        header_line = preview.skipped_rows + 1
    return {
        "file": str(preview.path),
        "size": preview.size,
        "compression": preview.packaging.compression,
        "kind": preview.kind,
        "encoding": preview.encoding,
        "delimiter": preview.delimiter,
        "delimiter_name": describe_delimiter(preview.delimiter),
        "quote": preview.quote,
        "escape": preview.escape,
        "has_header": preview.has_header,
        "header_line": header_line,
        "skipped_rows": preview.skipped_rows,
        "columns": list(header),
        "format": preview.format_key,
        "format_title": preview.format_title,
        "mapping": mapping.describe(header),
        "time_format": describe_format(preview.time_format) if preview.time_format else None,
        "date_order": _DATE_ORDERS.get(preview.date_order or ""),
        "number_forms": {
            header[i]: form.describe() for i, form in mapping.number_forms.items()
        },
        "default_event": None if "event" in mapping.columns else mapping.default_event,
        "events": dict(mapping.events),
        "warnings": [w.as_json() for w in preview.warnings],
        "problems": preview.problems(),
        "rows": fit,
        "rows_not_fitting": left,
        "rows_not_fitting_lines": bad,
        "normalized": None if target is None else str(target),
    }
