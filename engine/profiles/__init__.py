"""Customer profiles and segments in plain words.

Importing this package is cheap: ``ProfileConfig`` comes from ``engine.profiles.config``, and
the rest (pandas, scikit-learn; torch in ``train_profiles``) is imported on first use of a name,
so the command line's help and the GUI's startup pay for none of it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from engine.profiles.config import ProfileConfig

if TYPE_CHECKING:
    from engine.profiles.features import customer_features
    from engine.profiles.segments import Segment
    from engine.profiles.training import (
        ProfileEpoch,
        ProfileResult,
        pick_method,
        train_profiles,
    )

#: Where each lazily imported name lives.
_LAZY = {
    "customer_features": "engine.profiles.features",
    "Segment": "engine.profiles.segments",
    "ProfileEpoch": "engine.profiles.training",
    "ProfileResult": "engine.profiles.training",
    "pick_method": "engine.profiles.training",
    "train_profiles": "engine.profiles.training",
}

__all__ = [
    "ProfileConfig",
    "ProfileEpoch",
    "ProfileResult",
    "Segment",
    "customer_features",
    "pick_method",
    "train_profiles",
]


def __getattr__(name: str) -> Any:
    """The heavy names, imported on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
