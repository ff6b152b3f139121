"""The command line starts fast: its help imports none of the heavy libraries.

Every command imports what it works with (pandas, SQLAlchemy, torch, Qt) itself, and the task
registry states names, titles and settings without importing the models; so ``python main.py
--help`` and ``python main.py train intent --help`` take a fraction of a second instead of
seconds. Each case runs in a fresh interpreter under ``-X importtime``, which lists every module
the process imported. (Timings are measured by ``benchmarks/startup_speed.py``, not here.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
#: Libraries that each cost a tenth of a second to seconds to import.
HEAVY = frozenset({
    "pandas", "numpy", "pyarrow", "torch", "sklearn", "scipy", "statsforecast", "sqlalchemy",
    "alembic", "PySide6", "pyqtgraph", "openpyxl", "charset_normalizer",
})
#: Every help builds the whole parser (every task's settings); these also print their own.
HELP_COMMANDS = [[], ["import"], ["train", "intent"], ["lookup"], ["campaign"]]


def imported_modules(*args: str) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    """Top-level names of every module ``python -X importtime ARGS`` imported, and the run."""
    env = {**os.environ, "LANGUAGE": "en", "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *args], cwd=REPO_ROOT, env=env,
        capture_output=True, text=True, timeout=120, check=False,
    )
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":  # the header line
                names.add(name.split(".")[0])
    return names, done


def test_the_probe_sees_a_heavy_import() -> None:
    """The check below can fail: importing the campaign engine pulls pandas in."""
    names, done = imported_modules("-c", "import engine.campaign")
    assert done.returncode == 0, done.stderr[-2000:]
    assert {"pandas", "numpy", "sqlalchemy"} <= names & HEAVY


@pytest.mark.parametrize("command", HELP_COMMANDS, ids=lambda c: " ".join(c) or "main")
def test_help_imports_no_heavy_library(command: list[str]) -> None:
    names, done = imported_modules("main.py", *command, "--help")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "usage: python main.py" in done.stdout
    assert not names & HEAVY, (
        f"python main.py {' '.join(command)} --help imports {sorted(names & HEAVY)}: import them "
        "inside the function that uses them (or under TYPE_CHECKING)"
    )


def test_the_task_registry_reads_without_heavy_libraries() -> None:
    """Names, titles and settings of every task, as the Train page and the CLI list them."""
    code = (
        "from engine.fields import settings_of\n"
        "from engine.tasks import TASKS\n"
        "for task in TASKS.values():\n"
        "    print(task.key, task.title, len(settings_of(task.config_type)), task.output_names)\n"
    )
    names, done = imported_modules("-c", code)
    assert done.returncode == 0, done.stderr[-2000:]
    keys = {line.split()[0] for line in done.stdout.splitlines()}
    assert {"intent", "profiles", "recommend", "value", "forecast"} <= keys
    assert not names & HEAVY, sorted(names & HEAVY)


def test_a_bad_flag_is_refused_without_heavy_libraries() -> None:
    names, done = imported_modules("main.py", "train", "intent", "shop.intentlens",
                                   "--epochs", "0")
    assert done.returncode == 2
    errors = [ln for ln in done.stderr.splitlines() if ln.startswith("Error:")]
    assert errors and errors[0].startswith("Error: --epochs 0:"), done.stderr[-2000:]
    assert not names & HEAVY, sorted(names & HEAVY)
