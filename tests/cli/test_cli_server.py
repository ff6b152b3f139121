"""The command line on a project in a database: ``--db URL`` in place of the project file, on
every command that takes a project; a URL's password is never printed nor logged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import make_url

import cli
from storage.project import open_project
from storage.queries import overview
from tests.cli.test_cli import LOG_LINES

SECRET = "s3cret-Pw"


def _url(location: str) -> str:
    """The location as a URL (an SQLite file too: ``sqlite:///path``)."""
    return location if "://" in location else f"sqlite:///{location}"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "shop-log.csv"
    path.write_text("\n".join(LOG_LINES) + "\n", encoding="utf-8")
    return path


def test_import_lookup_export_and_forget_through_db(
    any_location: str, log: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _url(any_location)
    code, out, err = _run(capsys, "import", "--db", url, str(log), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert (report["lines_read"], report["imported"], report["rejected"]) == (6, 4, 2)
    # The same file again is refused, before anything is written.
    code, _, err = _run(capsys, "import", str(log), "--db", url)
    assert code == 2 and "was already imported" in err
    code, _, err = _run(capsys, "export", "rejected", "--out", str(tmp_path / "r.csv"),
                        f"--db={url}")
    assert code == 0, err
    assert len((tmp_path / "r.csv").read_text(encoding="utf-8-sig").splitlines()) == 3
    code, out, err = _run(capsys, "forget", "--db", url, "alice")
    assert code == 0, err
    assert ("the database vacuumed" if url.startswith("postgresql") else "the file compacted") in out
    project = open_project(any_location, create=False)
    try:
        assert overview(project).customers == 2 and overview(project).imports == 1
    finally:
        project.close()


def test_a_project_named_twice_or_not_at_all_is_one_sentence(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = _run(capsys, "lookup", str(tmp_path / "a.intentlens"), "alice",
                        "--db", "postgresql+psycopg://u@localhost/shop")
    assert code == 2 and "with --db URL, leave out the project file" in err
    code, _, err = _run(capsys, "lookup", "alice", "--db")
    assert code == 2 and err.startswith("Error: --db needs the URL") and err.count("\n") == 1
    code, _, err = _run(capsys, "lookup", "--db", "mysql://u:pw@localhost/shop", "alice")
    assert code == 2 and "PostgreSQL database" in err and ":pw@" not in err


def test_the_password_is_never_printed_nor_logged(
    pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The test server trusts local users: any password connects.
    url = make_url(pg_url).set(password=SECRET).render_as_string(hide_password=False)
    log = tmp_path / "log.csv"
    log.write_text("\n".join(LOG_LINES) + "\n", encoding="utf-8")
    code, out, err = _run(capsys, "import", "--db", url, str(log))
    assert code == 0, err
    assert "python main.py export --db postgresql+psycopg://postgres:***@" in out
    code, out2, err2 = _run(capsys, "train", "profiles", "--db", url, "--segments", "2")
    unreachable = make_url(url).set(port=1).render_as_string(hide_password=False)
    code3, out3, err3 = _run(capsys, "lookup", "--db", unreachable, "alice")
    assert code3 == 2 and "cannot connect" in err3
    log_file = cli._write_log(RuntimeError("boom"), ["lookup", "--db", url, "alice"])
    assert log_file is not None
    logged = log_file.read_text(encoding="utf-8")
    assert "--db postgresql+psycopg://postgres:***@" in logged
    for text in (out, err, out2, err2, out3, err3, logged):
        assert SECRET not in text
