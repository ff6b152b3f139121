"""The project a benchmark measures: the user's own (``--project``), or a demo built for it.

Not a benchmark itself: ``run_all.py`` skips files whose names start with an underscore."""

from __future__ import annotations

import time
from pathlib import Path

from engine.demo_project import create_demo_project
from storage.project import open_project
from storage.queries import overview


def ensure_demo(path: Path, customers: int, seed: int) -> None:
    """Reuse the project at ``path`` when it holds events; otherwise build a demo of
    ``customers`` customers there. Says which on stdout."""
    if path.exists():
        probe = open_project(path, writable=False)
        try:
            have_events = overview(probe).events > 0
        finally:
            probe.close()
        if have_events:
            print(f"project: reusing {path}")
            return
    t = time.perf_counter()
    create_demo_project(path, customers=customers, seed=seed)
    print(f"project: built a {customers:,}-customer demo in {time.perf_counter() - t:.1f} s "
          f"({path})")
