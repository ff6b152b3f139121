"""Looking at a file before importing it: what it is, and how its columns and events map.

``inspect_file`` reads only the start of a file; the wizard shows its ``FilePreview`` and the
CLI applies it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from engine.dates import second
from engine.events import FIELDS
from engine.ingest import reader as rd
from engine.ingest.formats import (
    FORMAT_KEYS,
    KNOWN_COLUMN_NAMES,
    REQUIRED_FIELDS,
    Mapping,
    column_index,
    detect_known_format,
    normalize_name,
    propose_columns,
)
from engine.ingest.layout import detect_layout, looks_like_header
from engine.ingest.notices import ImportWarning
from engine.ingest.source import (
    FileProblem,
    Packaging,
    decode_sample,
    detect_encoding,
    read_sample,
    sample_lines,
    sniff_packaging,
)
from engine.ingest.timeparse import parse_times
from engine.ingest.values import settle_values
from engine.words import field_list_name, field_word, tr


@dataclass(frozen=True)
class ImportOptions:
    """What the user chose (or the CLI flags said); None means "detect"."""

    format: str | None = None  # a known format key, "csv" for the generic mapping, None = detect
    columns: dict[str, str] = field(default_factory=dict)  # field -> column name/number; "" unmaps
    events: dict[str, str] = field(default_factory=dict)  # raw event word -> canonical event
    encoding: str | None = None
    delimiter: str | None = None
    has_header: bool | None = None
    time_format: str | None = None
    #: None: pseudonymize when the customer column holds e-mail addresses.
    pseudonymize: bool | None = None
    allow_duplicate: bool = False
    #: Lines per chunk: 50,000 keeps a large import under 400 MB at no cost in speed (measured).
    chunk_rows: int = 30_000
    skip_rows: int | None = None  # lines above the header to leave out (None: detect)
    decimal: str | None = None  # "." or ","; None: decide per column from its values
    date_order: str | None = None  # "dmy", "mdy" or "ymd"; None: decide from the values
    default_event: str | None = None  # the event of every line of a file without events


@dataclass(frozen=True)
class FilePreview:
    """What IntentLens found in a file, and the mapping it proposes."""

    path: Path
    size: int
    packaging: Packaging
    kind: str  # "csv" or "jsonl"
    encoding: str
    delimiter: str
    has_header: bool
    format_key: str
    format_title: str
    header: list[str]
    rows: list[list[str]]
    mapping: Mapping
    ambiguous: dict[str, list[int]]
    missing: list[str]
    event_counts: list[tuple[str, int, str]]  # raw word, rows in the sample, canonical event
    time_format: str | None
    #: What the importer noticed that changes numbers; shown before Import and in the report.
    warnings: list[ImportWarning] = field(default_factory=list)
    #: Problems found from the values (not the mapping): stop the CLI, red line in the wizard.
    value_problems: list[tuple[str, str]] = field(default_factory=list)  # (cli, wizard) sentences
    skipped_rows: int = 0  # lines above the header that are not part of the table
    date_order: str | None = None
    email_customer: bool = False  # the customer column holds e-mail addresses
    order_lines: int = 0  # multi-line orders seen in the preview (order-export shape)
    quote: str = '"'
    escape: str | None = None

    @property
    def ready(self) -> bool:
        """True when the mapping is complete enough to import."""
        return not self.problems()

    def problems(self, *, for_cli: bool = True) -> list[str]:
        """What must be settled before importing, in plain sentences. For the command line they
        name the ``--map`` flag to use; for the wizard, the column choice on screen."""

        def how(fld: str) -> str:
            # The flag keeps the field's own (English) name; the prose says it in words.
            if for_cli:
                return tr("choose one with --map {0}=COLUMN.").format(fld)
            return tr("choose one in the {0} list below.").format(field_list_name(fld))

        out: list[str] = []
        for fld in self.missing:
            out.append(tr("No column looks like the {0}: {1}").format(field_word(fld), how(fld)))
        for fld, cands in self.ambiguous.items():
            if fld in self.mapping.columns:
                continue
            names = tr(" or ").join(f"“{self.header[i]}”" for i in cands)
            out.append(
                tr("The {0} could be {1}: {2}").format(field_word(fld), names, how(fld))
            )
        if "time" in self.mapping.columns and self.time_format is None:
            col = self.header[self.mapping.columns["time"]]
            out.append(
                (
                    tr("The times in column “{0}” are in a form IntentLens does not know: "
                       "choose another column with --map time=COLUMN.")
                    if for_cli
                    else tr("The times in column “{0}” are in a form IntentLens does not know: "
                            "choose another column in the Time list below.")
                ).format(col)
            )
        out.extend(cli if for_cli else gui for cli, gui in self.value_problems)
        return out

    @property
    def pseudonymize_default(self) -> bool:
        """Whether customer keys are pseudonymized unless the user says otherwise."""
        return self.email_customer

    def parsed_preview(self, limit: int = 20) -> pd.DataFrame:
        """The first rows as they would be imported (canonical fields), for the wizard."""
        rows = [r for r in self.rows[:limit] if len(r) == len(self.header)]
        data: dict[str, list[Any]] = {}
        for fld in FIELDS:
            idx = self.mapping.columns.get(fld)
            if idx is not None:
                data[fld] = [r[idx] for r in rows]
        frame = pd.DataFrame(data)
        if "time" in frame and self.time_format:
            ms = parse_times(frame["time"], self.time_format)
            frame["time"] = [
                second(None if m == np.iinfo(np.int64).min else int(m)) for m in ms
            ]
        if "event" in frame:
            frame["event"] = [self.mapping.events.get(v.strip(), "?") for v in frame["event"]]
        elif "status" in frame:
            frame["event"] = [self.mapping.events.get(v.strip(), "purchase") for v in frame["status"]]
        elif rows:
            frame["event"] = self.mapping.default_event
        return frame


def _binary_text(text: str) -> bool:
    if not text:
        return False
    controls = sum(1 for ch in text[:20_000] if ord(ch) < 32 and ch not in "\r\n\t")
    return controls > 0.02 * min(len(text), 20_000)


def inspect_file(path: str | Path, options: ImportOptions | None = None) -> FilePreview:
    """Look at the start of a file and propose how to import it.

    Raises FileProblem with one sentence for problems with the whole file: missing, empty,
    not text, an Excel workbook.
    """
    options = options or ImportOptions()
    path = Path(path)
    packaging = sniff_packaging(path)
    size = path.stat().st_size
    if size == 0:
        raise FileProblem(tr("“{0}” is empty: there is nothing to import.").format(path.name))
    if packaging.member and packaging.member.startswith(("xl/", "[Content_Types]")):
        raise FileProblem(
            tr("“{0}” is an Excel workbook: save it as CSV in Excel, then import the CSV.").format(
                path.name
            )
        )
    sample = read_sample(path, packaging)
    if not sample.strip():
        raise FileProblem(tr("“{0}” is empty: there is nothing to import.").format(path.name))
    encoding = options.encoding or detect_encoding(sample)
    try:
        text = decode_sample(sample, encoding)
    except LookupError as exc:
        raise FileProblem(
            tr("IntentLens does not know the text encoding “{0}”.").format(
                encoding
            )
        ) from exc
    if _binary_text(text):
        raise FileProblem(
            tr("“{0}” is not a text (CSV) file: it holds binary data.").format(
                path.name
            )
        )
    lines = sample_lines(text)
    skipped = 0
    quote, escape = '"', None
    first = next((ln for ln in lines if ln.strip()), "")
    kind = "jsonl" if first.lstrip().startswith("{") else "csv"

    if kind == "jsonl":
        chunk, header = next(
            rd.jsonl_chunks(iter(lines), first_line_no=1, chunk_rows=len(lines) or 1),
            (rd.Chunk([]), None),
        )
        delimiter, has_header = ",", True
        header = header or []
        rows = [r for r in chunk.rows if r and r != ["\x00json"]][:200]
    else:
        layout = detect_layout(
            lines, KNOWN_COLUMN_NAMES, delimiter=options.delimiter, skip_rows=options.skip_rows
        )
        delimiter, quote, escape = layout.delimiter, layout.quotechar, layout.escapechar
        skipped = min(layout.skip, len(lines))
        lines = lines[skipped:]
        parsed = [r for r in rd._parse_block(lines, delimiter, escapechar=escape)[0] if r][:201]
        if not parsed:
            raise FileProblem(tr("“{0}” is empty: there is nothing to import.").format(path.name))
        ncols = max(set(map(len, parsed)), key=[len(r) for r in parsed].count)
        if ncols < 2:
            raise FileProblem(
                tr("“{0}” does not look like a CSV file: no line splits into columns.").format(
                    path.name
                )
            )
        named = {normalize_name(c) for c in options.columns.values() if c and not c.isdigit()}
        if options.has_header is not None:
            has_header = options.has_header
        elif named & {normalize_name(f) for f in parsed[0]}:
            has_header = True  # the user mapped a column by a name the first line holds
        else:
            has_header = looks_like_header(
                parsed[0], parsed[1] if len(parsed) > 1 else None, KNOWN_COLUMN_NAMES
            )
        if has_header:
            header = [h.strip().lstrip("\ufeff") for h in parsed[0]]
            rows = parsed[1:]
        else:
            header = [f"column {i + 1}" for i in range(ncols)]
            rows = parsed[:200]

    known = None
    if options.format not in (None, "csv"):
        known = FORMAT_KEYS.get(str(options.format))
        if known is None:
            names = ", ".join(sorted(FORMAT_KEYS))
            raise FileProblem(
                tr("Unknown format “{0}”: use one of {1} or csv.").format(
                    options.format, names
                )
            )
    elif options.format is None:
        known = detect_known_format(header if has_header else None, rows)

    ambiguous: dict[str, list[int]] = {}
    missing: list[str] = []
    refund_prefix = None
    cat_fallback = None
    default_event = "purchase"
    if known is not None:
        columns = {}
        for fld, col in known.columns.items():
            idx = column_index(header, col)
            if idx is not None:
                columns[fld] = idx
        refund_prefix = known.refund_prefix
        default_event = known.default_event
        if known.category_fallback:
            cat_fallback = column_index(header, known.category_fallback)
        format_key, format_title = known.key, known.title
    else:
        proposal = propose_columns(header, rows)
        columns, ambiguous, missing = proposal.columns, proposal.ambiguous, proposal.missing
        format_key, format_title = "csv", tr("columns matched by their names")
    for fld, col in options.columns.items():
        if fld not in FIELDS:
            raise FileProblem(
                tr("“{0}” is not a field IntentLens knows; use one of: {1}.").format(
                    fld, ', '.join(FIELDS
                ))
            )
        if col == "":  # the user unmapped this field
            columns.pop(fld, None)
            ambiguous.pop(fld, None)
            if fld in REQUIRED_FIELDS and fld not in missing:
                missing.append(fld)
            continue
        idx = column_index(header, col)
        if idx is None:
            cols = ", ".join(f"“{h}”" for h in header)
            raise FileProblem(
                tr("The file has no column “{0}” (its columns: {1}).").format(
                    col, cols
                )
            )
        columns = {f: i for f, i in columns.items() if i != idx or f == fld}
        columns[fld] = idx
        ambiguous.pop(fld, None)
        if fld in missing:
            missing.remove(fld)
    if options.columns and known is None:
        missing = [f for f in REQUIRED_FIELDS if f not in columns and f not in ambiguous]

    settled = settle_values(
        header, rows, columns, options, delimiter=delimiter,
        known_default=default_event if known is not None else None,
        refund_prefix=refund_prefix,
    )
    order_cols = settled.filldown if "session" in columns else ()
    mapping = Mapping(
        columns=columns,
        events=settled.events,
        default_event=settled.default_event,
        time_format=settled.time_format,
        refund_prefix=settled.refund_prefix,
        category_fallback=cat_fallback,
        filldown=order_cols,
        order_level=settled.order_level,
        number_forms=settled.number_forms,
        unknown_words=frozenset(settled.unknown_words),
    )
    return FilePreview(
        path=path,
        size=size,
        packaging=packaging,
        kind=kind,
        encoding=encoding,
        delimiter=delimiter,
        has_header=has_header,
        format_key=format_key,
        format_title=format_title,
        header=header,
        rows=rows,
        mapping=mapping,
        ambiguous=ambiguous,
        missing=missing,
        event_counts=settled.event_counts,
        time_format=settled.time_format,
        warnings=settled.warnings,
        value_problems=settled.problems,
        date_order=settled.date_order,
        email_customer=settled.email_customer,
        order_lines=settled.multi_line_orders,
        skipped_rows=skipped,
        quote=quote,
        escape=escape,
    )
