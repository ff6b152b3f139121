"""Lines of a file read in blocks (engine.ingest.records.BoundedLines): the same lines, line
endings and over-long lines as reading them one by one says they are, wherever the blocks
cut the text (inside a "\\r\\n", inside an over-long line, at its very end)."""

from __future__ import annotations

import io
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.ingest.records import LONG_LINE_KEEP, BoundedLines, LongLine

#: What a line is: text up to "\r\n", "\r" or "\n" (nothing else breaks a line in a file).
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def _expected(text: str, limit: int) -> list[object]:
    out: list[object] = []
    for found in _LINE.finditer(text):
        line = found.group()
        ended = line[-1] in "\r\n"
        if len(line) > limit or (len(line) == limit and not ended):
            out.append(("long", line[: min(LONG_LINE_KEEP, limit)], len(line), ended))
        else:
            out.append(line)
    return out


def _read(text: str, limit: int, block: int, sizes: list[int]) -> list[object]:
    lines = BoundedLines(io.StringIO(text, newline=""), limit, block)
    got: list[str] = []
    if sizes:  # take() in parts of these sizes, then one by one
        for n in sizes:
            got += lines.take(n)
    got += list(lines)
    assert lines.take(3) == []
    return [
        ("long", str(x)[:limit], x.length, x.ended) if type(x) is LongLine else x for x in got
    ]


PIECES = ["a", "é", ",", "\n", "\r", "\r\n", "\v", "\f", "\u2028", "\x85", "\x00", "x" * 12]


@settings(max_examples=400, deadline=None)
@given(
    text=st.lists(st.sampled_from(PIECES), max_size=80).map("".join),
    limit=st.integers(2, 30),
    block=st.integers(1, 50),
    sizes=st.lists(st.integers(1, 7), max_size=6),
)
def test_blocks_give_the_lines_one_by_one_reading_gives(
    text: str, limit: int, block: int, sizes: list[int]
) -> None:
    assert _read(text, limit, block, sizes) == _expected(text, limit)


def test_a_break_cut_by_the_block_end_is_one_break() -> None:
    text = "ab\r\ncd\r\n" * 5
    for block in range(1, 12):
        assert _read(text, 100, block, []) == ["ab\r\n", "cd\r\n"] * 5


def test_an_over_long_line_is_not_held_whole() -> None:
    """A 5,000,000-character line read in 64 KB blocks: kept as its start and its length."""
    class Counting(io.StringIO):
        biggest = 0

        def read(self, n: int | None = -1) -> str:  # type: ignore[override]
            got = super().read(n)
            Counting.biggest = max(Counting.biggest, len(got))
            return got

    text = "x" * 5_000_000 + "\nnext\n"
    lines = list(BoundedLines(Counting(text, newline=""), 1 << 16, 1 << 16))
    assert [type(x) for x in lines] == [LongLine, str]
    long_line = lines[0]
    assert isinstance(long_line, LongLine)
    assert long_line.length == 5_000_001 and long_line.ended and len(long_line) == LONG_LINE_KEEP
    assert lines[1] == "next\n" and Counting.biggest <= 1 << 16
