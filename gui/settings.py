"""Typed, versioned application settings (last project, recent projects, language, whether
the first-start tour was dismissed), kept as JSON.

``QSettings`` holds window geometry only. Tests point ``INTENTLENS_HOME`` at a temporary folder,
so they never touch the user's settings.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from PySide6.QtCore import QStandardPaths

SETTINGS_VERSION = 1
MAX_RECENT = 8
#: The languages IntentLens speaks: "system" follows the computer's locale.
LANGUAGES = ("system", "en", "zh_CN")


def home() -> Path:
    """The folder for settings and the demo project."""
    env = os.environ.get("INTENTLENS_HOME")
    if env:
        path = Path(env)
    else:
        path = Path(
            QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
            or Path.home() / ".intentlens"
        )
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Settings:
    """What IntentLens remembers between runs."""

    version: int = SETTINGS_VERSION
    last_project: str | None = None
    recent_projects: list[str] = field(default_factory=list)
    #: One of LANGUAGES; applied when IntentLens starts (gui.app.apply_language).
    language: str = "system"
    #: The first-start tour (gui.tour) was finished or skipped: it is not offered again.
    tour_done: bool = False

    def remember(self, project: str) -> None:
        """Put a project first in the recent list and make it the last one opened."""
        self.last_project = project
        self.recent_projects = [project] + [p for p in self.recent_projects if p != project]
        del self.recent_projects[MAX_RECENT:]

    def forget(self, project: str) -> None:
        """Drop a project that no longer opens."""
        self.recent_projects = [p for p in self.recent_projects if p != project]
        if self.last_project == project:
            self.last_project = None


def settings_path() -> Path:
    """Where the settings file lives."""
    return home() / "settings.json"


def load_settings() -> Settings:
    """Read the settings; a missing or unreadable file gives the defaults."""
    try:
        data = json.loads(settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Settings()
    if not isinstance(data, dict) or data.get("version") != SETTINGS_VERSION:
        return Settings()
    recent = [str(p) for p in data.get("recent_projects", []) if isinstance(p, str)]
    last = data.get("last_project")
    # A file written before the language setting has none: it follows the system.
    language = data.get("language", "system")
    # A file written before the tour existed has no flag: the tour is still to come.
    tour_done = data.get("tour_done", False)
    return Settings(
        last_project=last if isinstance(last, str) else None,
        recent_projects=recent,
        language=language if language in LANGUAGES else "system",
        tour_done=tour_done if isinstance(tour_done, bool) else False,
    )


def save_settings(settings: Settings) -> None:
    """Write the settings atomically (a crash never leaves half a file)."""
    path = settings_path()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(settings), indent=2), encoding="utf-8")
    tmp.replace(path)


def demo_project_path() -> Path:
    """Where the demo project is created on first start."""
    return home() / "demo.intentlens"
