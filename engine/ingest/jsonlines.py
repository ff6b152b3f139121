"""JSON-lines records: a nested OTTO-style session flattened into one record per event, and a
line nested too deep for a real event caught before it is parsed.

``reader.jsonl_chunks`` streams a file with these.
"""

from __future__ import annotations

import json
import re

import numpy as np

#: Columns of a flattened nested OTTO-style JSON line.
JSON_EVENT_COLUMNS = ["session", "aid", "ts", "type"]

#: Deepest nesting of a JSON line (an OTTO session is 3 levels deep).
MAX_JSON_DEPTH = 100


_JSON_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_STEP = np.zeros(256, dtype=np.int32)
_JSON_STEP[[ord("["), ord("{")]] = 1
_JSON_STEP[[ord("]"), ord("}")]] = -1


def _json_depth(text: str, *, strings: bool = True) -> int:
    """How deeply the brackets of a JSON text nest; ``strings=False`` skips removing string
    values first (faster, and never lower for a line without brackets inside its strings)."""
    if strings:
        text = _JSON_STRINGS.sub("", text)
    steps = _JSON_STEP[np.frombuffer(text.encode("utf-8", "replace"), dtype=np.uint8)]
    return int(np.cumsum(steps).max()) if len(steps) else 0


def too_deep(raw: str) -> bool:
    """Whether a JSON line nests deeper than ``MAX_JSON_DEPTH``. Cheap for the usual line (it
    cannot nest deeper than it has opening brackets); a line whose strings hide closing
    brackets may pass here, and is then caught by ``RecursionError`` when it is parsed."""
    if raw.count("[") + raw.count("{") <= MAX_JSON_DEPTH:
        return False
    return _json_depth(raw, strings=False) > MAX_JSON_DEPTH and _json_depth(raw) > MAX_JSON_DEPTH


def json_rows(
    raw: str, header: list[str] | None
) -> tuple[list[list[str]], list[str] | None, bool]:
    """(records, header, whether the line held the nested OTTO form) of one JSON line."""
    try:
        obj = json.loads(raw)
    except ValueError:
        obj = None
    if isinstance(obj, dict) and isinstance(obj.get("events"), list):
        session = str(obj.get("session", ""))
        rows = [
            [session, str(ev.get("aid", "")), str(ev.get("ts", "")), str(ev.get("type", ""))]
            if isinstance(ev, dict)
            else ["\x00json"]
            for ev in obj["events"]
        ]
        return rows, JSON_EVENT_COLUMNS, True
    if isinstance(obj, dict):
        if header is None:
            header = [str(k) for k in obj]
        return [["" if obj.get(k) is None else str(obj.get(k)) for k in header]], header, False
    return [["\x00json"]], header, False
