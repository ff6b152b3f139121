"""The Qt binding keeps Python's reference counts: a long session must never abort.

PySide6 6.12.0 dropped a reference to None on every Qt call returning nothing; on Python 3.11
the process aborted ("deallocating None") after a few thousand calls, in a subprocess here so
that a crash fails this test instead of the whole run.
"""

from __future__ import annotations

import os
import subprocess
import sys

CODE = """
import sys
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel()
before = sys.getrefcount(None)
for _ in range(20_000):
    label.setText("x")
print(before - sys.getrefcount(None))
"""


def test_many_qt_calls_keep_none_alive() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 0, done.stderr[-500:]
    assert abs(int(done.stdout.strip())) < 100
