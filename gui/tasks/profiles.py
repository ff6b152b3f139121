"""The customer-profiles panel: the generic one, with the page's word for automatic segments."""

from __future__ import annotations

from gui.tasks.panel import TaskPanel


class ProfilesPanel(TaskPanel):
    """Customer profiles: "Find automatically" lets the data choose how many segments."""

    special_text = {"n_segments": "Find automatically"}
