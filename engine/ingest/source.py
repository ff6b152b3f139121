"""Opening a behavior-log file whatever its packaging: compression, encoding, delimiter, header.

Everything here looks at a sample from the start of the file; the importer then streams the
whole file with the settings found (or the ones the user chose instead).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

import charset_normalizer

SAMPLE_BYTES = 1 << 20
DELIMITERS = (",", "\t", ";", "|")
csv.field_size_limit(16 * 1024 * 1024)


class FileProblem(Exception):
    """Something about the whole file prevents an import; the message is one plain sentence."""


@dataclass(frozen=True)
class Packaging:
    """How the bytes of a file are stored."""

    compression: str | None  # "gzip", "zip" or None
    member: str | None  # the file inside a zip archive


def sniff_packaging(path: Path) -> Packaging:
    """Recognise gzip and zip by their magic bytes, not by the file name."""
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
    except FileNotFoundError as exc:
        raise FileProblem(f"The file “{path}” does not exist.") from exc
    except IsADirectoryError as exc:
        raise FileProblem(f"“{path}” is a folder, not a file.") from exc
    except PermissionError as exc:
        raise FileProblem(f"IntentLens is not allowed to read “{path}”.") from exc
    if magic[:2] == b"\x1f\x8b":
        return Packaging("gzip", None)
    if magic == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(path) as zf:
                names = [n for n in zf.namelist() if not n.endswith("/") and "__MACOSX" not in n]
                sizes = {n: zf.getinfo(n).file_size for n in names}
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise FileProblem(f"“{path.name}” is a damaged zip archive ({exc}).") from exc
        if not names:
            raise FileProblem(f"The archive “{path.name}” is empty.")
        # An .xlsx is a zip too; its largest part is not always under xl/ (docProps, media).
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            raise FileProblem(
                f"“{path.name}” is an Excel workbook: save it as CSV in Excel, then import the CSV."
            )
        return Packaging("zip", max(names, key=lambda n: sizes[n]))
    return Packaging(None, None)


class CountingReader(io.RawIOBase):
    """Counts the bytes read from the file on disk, so progress works through compression."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:  # noqa: D102
        return True

    # zipfile seeks (to the central directory at the end), so the counter must pass seeks on.
    def seekable(self) -> bool:  # noqa: D102
        return bool(self.raw.seekable())

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:  # noqa: D102
        return int(self.raw.seek(offset, whence))

    def tell(self) -> int:  # noqa: D102
        return int(self.raw.tell())

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]  # noqa: D102
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        return n

    def close(self) -> None:  # noqa: D102
        self.raw.close()
        super().close()


def open_bytes(path: Path, packaging: Packaging) -> tuple[IO[bytes], CountingReader]:
    """The decompressed bytes of the file, and the counter of bytes read from disk."""
    counter = CountingReader(path.open("rb"))
    buffered = io.BufferedReader(counter, buffer_size=1 << 20)
    if packaging.compression == "gzip":
        return cast(IO[bytes], gzip.GzipFile(fileobj=buffered, mode="rb")), counter
    if packaging.compression == "zip":
        zf = zipfile.ZipFile(buffered)
        assert packaging.member is not None
        return zf.open(packaging.member), counter
    return buffered, counter


def read_sample(path: Path, packaging: Packaging, size: int = SAMPLE_BYTES) -> bytes:
    """The first ``size`` decompressed bytes."""
    try:
        stream, _ = open_bytes(path, packaging)
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise FileProblem(f"“{path.name}” is damaged: it cannot be decompressed ({exc}).") from exc
    try:
        return stream.read(size)
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise FileProblem(f"“{path.name}” is damaged: it cannot be decompressed ({exc}).") from exc
    finally:
        stream.close()


_CHINESE = {"gb2312", "gbk", "gb18030", "hz", "hz_gb_2312", "big5", "cp936"}


def detect_encoding(sample: bytes) -> str:
    """The text encoding of a sample: BOMs first, then strict UTF-8, then charset-normalizer."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = sample[:4096]
    if head and head.count(0) > len(head) // 4:
        # UTF-16 without a BOM: ASCII characters leave a zero byte on one side.
        return "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the end of the sample is still UTF-8.
        if exc.start >= len(sample) - 3 and exc.reason == "unexpected end of data":
            return "utf-8"
    results = charset_normalizer.from_bytes(sample[:200_000])
    best = results.best()
    if best is None:
        return "latin-1"
    name = best.encoding.lower()
    # Short Western samples often tie between code pages (cp1250 sorts first and turns "Peña"
    # into "Peńa"); on a tie prefer Windows-1252, what Western Excel and shop systems write.
    for match in results:
        if (
            match.encoding.lower() in ("cp1252", "latin_1")
            and match.chaos == best.chaos
            and match.coherence == best.coherence
        ):
            name = match.encoding.lower()
            break
    if name in _CHINESE or name.startswith("gb"):
        return "gb18030"  # superset of GB2312/GBK, as Chinese Excel writes them
    if name in ("ascii", "utf_8"):
        return "utf-8"
    return name


def decode_sample(sample: bytes, encoding: str) -> str:
    """Decode a sample, dropping a character cut in half at its end."""
    return sample.decode(encoding, errors="replace").rstrip("\ufffd")


def sample_lines(text: str, limit: int = 200) -> list[str]:
    """Complete lines of a sample (the last, possibly cut, line is left out when others exist)."""
    lines = text.splitlines()
    if len(lines) > 1 and not text.endswith(("\n", "\r")):
        lines = lines[:-1]
    return [ln for ln in lines[:limit]]


def detect_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the sample lines into the most consistent number of columns."""
    body = [ln for ln in lines[:50] if ln.strip()]
    if not body:
        return ","
    best, best_score = ",", -1.0
    for delim in DELIMITERS:
        counts = [len(row) for row in csv.reader(body, delimiter=delim)]
        if not counts or max(counts) < 2:
            continue
        mode = max(set(counts), key=counts.count)
        score = counts.count(mode) / len(counts) + (0.01 * min(mode, 30))
        if mode >= 2 and score > best_score:
            best, best_score = delim, score
    return best


def _numeric(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def looks_like_header(first: list[str], second: list[str] | None, known: set[str]) -> bool:
    """Whether the first row names the columns rather than holding data."""
    from engine.ingest.formats import normalize_name

    if any(normalize_name(f) in known for f in first):
        return True
    if second is None:
        return not any(_numeric(f) for f in first if f.strip())
    first_numeric = sum(_numeric(f) for f in first if f.strip())
    second_numeric = sum(_numeric(f) for f in second if f.strip())
    if first_numeric != second_numeric:
        return first_numeric < second_numeric
    # No numbers tell them apart ("kunde_nr,zeitpunkt" over "K1,2023-01-01 08:00"): column
    # names are never dates, and a behavior log's rows always hold one.
    from engine.ingest.timeparse import detect_time_format

    def dates(row: list[str]) -> int:
        return sum(detect_time_format([f]) is not None for f in row if f.strip())

    return dates(first) < dates(second)


def file_sha256(path: Path) -> str:
    """The content hash that recognises a file imported before."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def iter_text_lines(stream: IO[bytes], encoding: str) -> Iterator[str]:
    """Decoded lines, keeping their line endings (needed to see a cut-off last line)."""
    return io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
