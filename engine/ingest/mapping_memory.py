"""The mapping an import used, stored with its batch, and offered again for the same kind of file.

An import stores its *final* mapping: the columns, every event and order-status word it met
(also those first met in later chunks, which the preview never saw), and the reading choices
the user made. ``previous_mapping`` finds the last finished import of a file of the same kind
(``format_signature``) and turns its mapping back into ``ImportOptions``, so the wizard can
offer "Same mapping as last time".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from engine.events import EVENT_TYPES, FIELDS
from engine.ingest.preview import FilePreview, ImportOptions
from engine.ingest.vocab import canonical_event, normalize_name, status_meaning
from storage.imports import last_mapping
from storage.project import Project

#: Bumped when what makes two files "the same kind" changes: older batches then stop matching.
SIGNATURE_VERSION = 1


def format_signature(preview: FilePreview) -> str:
    """A short key that is equal for two files of the same kind of export.

    The same kind means: read the same way (CSV or JSON lines, the same separator) with the
    same columns. With a header, the columns are its names as IntentLens compares them (case,
    spaces and punctuation ignored) in any order, since a mapping names its columns; without
    one, their number. The rows, the file name, its size and its encoding do not count: next
    month's export of the same shop has the same signature, another shop's export another.
    """
    if preview.has_header:
        shape = "names:" + "\x1f".join(sorted(normalize_name(h) for h in preview.header))
    else:
        shape = f"columns:{len(preview.header)}"
    delimiter = preview.delimiter if preview.kind == "csv" else ""
    text = "\x1e".join((f"v{SIGNATURE_VERSION}", preview.kind, delimiter, shape))
    return f"sig{SIGNATURE_VERSION}-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def batch_mapping(
    preview: FilePreview,
    options: ImportOptions,
    *,
    pseudonymize: bool,
    seen_events: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The mapping JSON stored with an import batch.

    ``seen_events`` are the words the import met beyond the preview (with the meaning it gave
    them); given at the end of the import, they make the stored mapping the final one.
    """
    mapping = preview.mapping
    seen = dict(seen_events or {})
    guessed = set(mapping.unknown_words) | {w for w in seen if _unknown(w)}
    return {
        "signature": format_signature(preview),
        "format": preview.format_key,
        "columns": mapping.describe(preview.header),
        "events": {**mapping.events, **seen},
        # Words IntentLens had to guess (it warned about them): not offered as choices later.
        "guessed_words": sorted(guessed),
        "time_format": mapping.time_format,
        "delimiter": preview.delimiter,
        "has_header": preview.has_header,
        "default_event": mapping.default_event,
        "pseudonymize": pseudonymize,
        # What the user chose about reading the file (None: detected each time).
        "options": {
            "format": options.format,
            "encoding": options.encoding,
            "skip_rows": options.skip_rows,
            "decimal": options.decimal,
            "date_order": options.date_order,
        },
    }


def _unknown(word: str) -> bool:
    return canonical_event(word) is None and status_meaning(word) is None


@dataclass(frozen=True)
class PreviousMapping:
    """The mapping of the last finished import of the same kind of file, as options."""

    batch_id: int
    file_name: str
    finished_at: str  # ISO 8601 UTC
    signature: str
    options: ImportOptions

    @property
    def day(self) -> str:
        """The day of that import (YYYY-MM-DD)."""
        return self.finished_at[:10]


def previous_mapping(project: Project, preview: FilePreview) -> PreviousMapping | None:
    """The mapping of the last finished import of a file like ``preview``'s, or None.

    One small read of the project's import list; safe to call while another import runs.
    """
    signature = format_signature(preview)
    stored = last_mapping(project, signature)
    if stored is None:
        return None
    options = options_from_mapping(stored.mapping, preview)
    if options is None:
        return None
    return PreviousMapping(
        batch_id=stored.batch_id,
        file_name=stored.file_name,
        finished_at=stored.finished_at,
        signature=signature,
        options=options,
    )


def options_from_mapping(stored: dict[str, Any], preview: FilePreview) -> ImportOptions | None:
    """Import options that repeat a stored mapping on a file like ``preview``'s (None when the
    stored mapping cannot be used: made by an older version, or naming a missing column)."""
    columns = stored.get("columns")
    events = stored.get("events")
    if not isinstance(columns, dict) or not isinstance(events, dict):
        return None
    header = {normalize_name(h) for h in preview.header} | set(preview.header)
    chosen: dict[str, str] = {}
    for fld in FIELDS:
        col = columns.get(fld)
        if col is None:
            chosen[fld] = ""  # not mapped last time: not mapped now either
        elif isinstance(col, str) and (col in header or normalize_name(col) in header):
            chosen[fld] = col
        else:
            return None
    guessed = set(stored.get("guessed_words") or ())
    words = {
        str(w): str(c)
        for w, c in events.items()
        if c in EVENT_TYPES and w not in guessed
    }
    extra = stored.get("options")
    extra = extra if isinstance(extra, dict) else {}
    fmt = extra.get("format")  # as chosen: None (recognised again), "csv" or a format's key
    default_event = stored.get("default_event")
    pseudonymize = stored.get("pseudonymize")
    return ImportOptions(
        format=fmt if isinstance(fmt, str) else None,
        columns=chosen,
        events=words,
        encoding=_text(extra.get("encoding")),
        delimiter=_text(stored.get("delimiter")),
        has_header=stored.get("has_header") if isinstance(stored.get("has_header"), bool) else None,
        skip_rows=extra.get("skip_rows") if isinstance(extra.get("skip_rows"), int) else None,
        decimal=extra.get("decimal") if extra.get("decimal") in (".", ",") else None,
        date_order=(
            extra.get("date_order") if extra.get("date_order") in ("dmy", "mdy", "ymd") else None
        ),
        default_event=default_event if default_event in EVENT_TYPES else None,
        pseudonymize=pseudonymize if isinstance(pseudonymize, bool) else None,
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
