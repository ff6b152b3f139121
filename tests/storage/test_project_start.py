"""Opening an up-to-date project needs no Alembic: the revisions are read from the migration files
as text and the project's own with plain SQL. Alembic (most of a second to import) runs only
when a project must be created or upgraded, and it still judges everything it did before
(an older file upgraded in place: tests/storage/test_project.py)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory

import storage.project as sp
from storage.project import ProjectError, open_project

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_the_revisions_read_as_text_are_alembics() -> None:
    script = ScriptDirectory.from_config(Config(str(sp._ALEMBIC_INI)))
    graph = sp._revision_graph()
    assert graph is not None, "a migration file does not state its revisions as plain literals"
    assert frozenset(graph) == frozenset(s.revision for s in script.walk_revisions())
    assert sp._head_revision() == script.get_current_head()
    assert sp._known_revisions() == frozenset(graph)


def test_an_up_to_date_project_opens_without_alembic(tmp_path: Path) -> None:
    path = tmp_path / "shop.intentlens"
    open_project(path).close()  # created and migrated: this imports Alembic
    code = (
        "import sys\n"
        "from storage.project import open_project\n"
        f"p = open_project({str(path)!r}, create=False)\n"
        f"q = open_project({str(path)!r}, create=False, writable=False)\n"
        "print(p.get_meta('nothing', 'ok'), q.read_only)\n"
        "p.close(); q.close()\n"
        "print('alembic' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=120, check=False, env={**os.environ})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["ok", "True", "False"]


def test_a_project_of_a_newer_version_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.intentlens"
    open_project(path).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    con.commit()
    con.close()
    for writable in (None, False):
        with pytest.raises(ProjectError) as caught:
            open_project(path, create=False, writable=writable)
        assert "newer version of IntentLens" in str(caught.value)

