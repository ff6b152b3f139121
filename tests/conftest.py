"""Fixtures shared by every test: headless Qt, isolated settings, the real logs, a fresh project.

The environment is set at import time, before any test module can import Qt, so no test ever
opens a window or writes the user's settings.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

os.environ["QT_QPA_PLATFORM"] = "offscreen"
# The CLI follows the locale's language: tests read its English sentences, whatever the machine.
os.environ["LANGUAGE"] = "en"
_HOME = tempfile.mkdtemp(prefix="intentlens-test-home-")
os.environ["INTENTLENS_HOME"] = _HOME
atexit.register(shutil.rmtree, _HOME, ignore_errors=True)

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from storage.project import Project, open_project  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
DATASETS = (REPO_ROOT / ".." / "shared" / "datasets").resolve()


@pytest.fixture(scope="session")
def datasets() -> Path:
    """The real behavior logs (../shared/datasets); tests that need them skip without them."""
    if not DATASETS.is_dir():
        pytest.skip(f"real datasets not found at {DATASETS} (see GUIDE.md section 6)")
    return DATASETS


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    """A new, empty, migrated project file in the test's temporary folder."""
    prj = open_project(tmp_path / "test.intentlens")
    try:
        yield prj
    finally:
        prj.close()
