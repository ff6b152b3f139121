"""Opening a behavior-log file whatever its packaging: compression and encoding.

Everything here looks at a sample from the start of the file (``layout`` finds the delimiter,
quoting and header in its lines); the importer then streams the whole file with the settings
found (or the ones the user chose instead).
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

import charset_normalizer

from engine.ingest.records import bounded_lines
from engine.words import tr

SAMPLE_BYTES = 1 << 20


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
        raise FileProblem(tr("The file “{0}” does not exist.").format(path)) from exc
    except IsADirectoryError as exc:
        raise FileProblem(tr("“{0}” is a folder, not a file.").format(path)) from exc
    except PermissionError as exc:
        raise FileProblem(tr("IntentLens is not allowed to read “{0}”.").format(path)) from exc
    if magic[:2] == b"\x1f\x8b":
        return Packaging("gzip", None)
    if magic == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(path) as zf:
                names = [n for n in zf.namelist() if not n.endswith("/") and "__MACOSX" not in n]
                sizes = {n: zf.getinfo(n).file_size for n in names}
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise FileProblem(
                tr("“{0}” is a damaged zip archive ({1}).").format(
                    path.name, exc
                )
            ) from exc
        if not names:
            raise FileProblem(tr("The archive “{0}” is empty.").format(path.name))
        # An .xlsx is a zip too; its largest part is not always under xl/ (docProps, media).
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            raise FileProblem(
                tr("“{0}” is an Excel workbook: save it as CSV in Excel, then import the CSV.").format(
                    path.name
                )
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
        raise FileProblem(
            tr("“{0}” is damaged: it cannot be decompressed ({1}).").format(
                path.name, exc
            )
        ) from exc
    try:
        return stream.read(size)
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise FileProblem(
            tr("“{0}” is damaged: it cannot be decompressed ({1}).").format(
                path.name, exc
            )
        ) from exc
    finally:
        stream.close()


_CHINESE = {"gb2312", "gbk", "gb18030", "hz", "hz_gb_2312", "big5", "cp936"}


_RARE_WESTERN = {
    "cp437", "cp850", "cp852", "cp858", "cp860", "cp861", "cp863", "cp865", "cp775", "cp1257",
    "mac_roman", "mac_latin2", "mac_iceland", "mac_turkish", "iso8859_4", "iso8859_10",
    "iso8859_13",
}


def _reads_as_cp1252(sample: bytes) -> bool:
    try:
        text = sample.decode("cp1252")
    except UnicodeDecodeError:
        return False
    letters = sum(ch.isalpha() for ch in text)
    return letters > 0 and not any(0x80 <= ord(ch) < 0xA0 for ch in text)


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
    if name in _RARE_WESTERN and _reads_as_cp1252(sample):
        # DOS, Mac and Baltic code pages are guesses on short samples, not what Excel or a
        # shop writes: a sample that Windows-1252 reads cleanly ("€" is byte 0x80) is that.
        name = "cp1252"
    if name in _CHINESE or name.startswith("gb"):
        return "gb18030"  # superset of GB2312/GBK, as Chinese Excel writes them
    if name in ("ascii", "utf_8"):
        return "utf-8"
    return name


def decode_sample(sample: bytes, encoding: str) -> str:
    """Decode a sample, dropping a character cut in half at its end."""
    return sample.decode(encoding, errors="replace").rstrip("\ufffd")


_NEWLINE = re.compile(r"\r\n|\r|\n")


def sample_lines(text: str, limit: int = 200) -> list[str]:
    """Complete lines of a sample (the last, possibly cut, line is left out when others exist).

    Lines break at ``\\n``, ``\\r\\n`` and ``\\r`` only, as the importer reads the file, so line
    ``i`` of the sample is line ``i + 1`` of the file (``str.splitlines`` also breaks at form
    feeds and other separators, which would shift the numbers).
    """
    if not text:
        return []
    lines = _NEWLINE.split(text)
    if text.endswith(("\n", "\r")):
        lines.pop()  # the empty text after the last line break
    elif len(lines) > 1:
        lines.pop()  # cut by the end of the sample
    return lines[:limit]


def iter_text_lines(stream: IO[bytes], encoding: str) -> Iterator[str]:
    """Decoded lines, keeping their line endings (needed to see a cut-off last line).

    Lines longer than ``MAX_LINE_CHARS`` come as ``LongLine`` (see ``bounded_lines``); the
    bytes are decompressed and decoded in small pieces whatever the length of a line.
    """
    return bounded_lines(io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline=""))


def file_sha256(path: Path) -> str:
    """The content hash that recognises a file imported before."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
