"""Privacy: the pseudonym key lives outside the project, and identifying text is masked.

A pseudonymized project stores keyed hashes (HMAC-SHA256) of customer ids. The key that makes them
is kept in a key file beside the project (``shop.intentlens.key``), never in the project file, so a
project sent to someone else cannot be reversed by hashing guessed ids: without the key file the
pseudonyms are just random-looking names. Keep the key file to import more data into the same
project with the same pseudonyms; delete it to make the pseudonyms permanent.

What a shared project still reveals: event times, items, categories, prices and amounts, and how
many events each (pseudonymous) customer has. E-mail addresses and phone numbers found in any text
column are masked when pseudonymizing, and rejected lines are stored with them masked.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

import pandas as pd

from storage.forget import Forgotten, forget_customer
from storage.project import Project

#: Where projects made before the key file kept their key (moved out on the next import).
LEGACY_META_KEY = "pseudonym_key"

EMAIL = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"
#: Phone numbers as exports write them: international (+33 6 12 34 56 78), Chinese mobiles
#: (13812341001, 138****1001) and bracketed local forms ((030) 1234-5678).
PHONE = (
    r"\+\d{1,3}[\s.\-]?(?:\(?\d{1,4}\)?[\s.\-]?){2,5}\d{2,4}"
    r"|(?<!\d)1[3-9]\d(?:\d{4}|\*{4})\d{4}(?!\d)"
    r"|\(\d{2,5}\)\s?\d{3,4}[\s.\-]?\d{3,4}"
)
_EMAIL_RX = re.compile(EMAIL)
_PHONE_RX = re.compile(PHONE)
_LONG_NUMBER_RX = re.compile(r"\d{5,}")
EMAIL_MASK = "[e-mail]"
PHONE_MASK = "[phone]"


def key_file(project: Project) -> Path:
    """Where the project's pseudonym key is kept: beside the project file, or, for a project on
    a database server, in the user's IntentLens folder."""
    path = project.path
    if path is not None:
        return path.with_name(path.name + ".key")
    home = Path(os.environ.get("INTENTLENS_HOME") or Path.home() / ".intentlens")
    # The address without its password: the same key however the password is given.
    digest = hashlib.sha256(project.address.encode("utf-8")).hexdigest()[:16]
    return home / "keys" / f"{digest}.key"


def read_key(project: Project) -> bytes | None:
    """The project's pseudonym key, or None when it has none (or it was deleted)."""
    path = key_file(project)
    if path.is_file():
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    legacy = project.get_meta(LEGACY_META_KEY)
    return bytes.fromhex(legacy) if legacy else None


def ensure_key(project: Project) -> tuple[bytes, bool]:
    """The project's key, made now when it has none: (key, made now).

    The key file is created exclusively, so two first imports running at once agree on one key
    (the second reads the file the first made). A key still inside an older project is moved out
    to the key file (the caller removes it from the project)."""
    path = key_file(project)
    if path.is_file():
        return bytes.fromhex(path.read_text(encoding="ascii").strip()), False
    legacy = project.get_meta(LEGACY_META_KEY)
    key = bytes.fromhex(legacy) if legacy else new_key()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return bytes.fromhex(path.read_text(encoding="ascii").strip()), False
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key.hex() + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return key, legacy is None


def new_key() -> bytes:
    """A fresh random pseudonym key."""
    return secrets.token_bytes(32)


def pseudonym(value: str, key: bytes) -> str:
    """The pseudonym of one customer id."""
    return "anon-" + hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def pseudonymize(values: list[str], key: bytes) -> list[str]:
    """Keyed hashes of customer ids: stable within a project, useless without its key."""
    return [pseudonym(v, key) for v in values]


def mask_text(values: pd.Series, *, phones: bool = True) -> pd.Series:
    """E-mail addresses (and phone numbers) in a text column replaced by a mask, vectorized."""
    text = values.astype("string[pyarrow]")
    if not text.str.contains("@", regex=False).fillna(False).any() and not phones:
        return values
    out = text.str.replace(EMAIL, EMAIL_MASK, regex=True)
    if phones:
        # Python's regular expressions: Arrow's RE2 has no look-around, which PHONE needs.
        masked = out.astype(object).str.replace(_PHONE_RX, PHONE_MASK, regex=True)
        out = masked.astype("string[pyarrow]")
    return out


def mask_line(raw: str, secrets_: list[str], *, numbers: bool = False) -> str:
    """A rejected line's text with the given identifying values, e-mails and phones masked;
    with ``numbers``, also every run of 5 digits or more (ids in a line that could not be split
    into fields)."""
    for value in sorted({s for s in secrets_ if s}, key=len, reverse=True):
        raw = raw.replace(value, "[customer]")
    raw = _EMAIL_RX.sub(EMAIL_MASK, raw)
    raw = _PHONE_RX.sub(PHONE_MASK, raw)
    return _LONG_NUMBER_RX.sub("[number]", raw) if numbers else raw


def forget(project: Project, customer: str) -> Forgotten | None:
    """Delete everything about one customer, given their id as the shop knows it (or their
    pseudonym). None when the project has no such customer."""
    done = forget_customer(project, customer)
    if done is None:
        key = read_key(project)
        if key is not None:
            done = forget_customer(project, pseudonym(customer, key))
    return done
