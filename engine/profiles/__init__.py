"""Customer profiles and segments in plain words.

Importing this package does not import torch: ``train_profiles`` loads it on first use.
"""

from engine.profiles.features import customer_features
from engine.profiles.segments import Segment
from engine.profiles.training import (
    ProfileConfig,
    ProfileEpoch,
    ProfileResult,
    pick_method,
    train_profiles,
)

__all__ = [
    "ProfileConfig",
    "ProfileEpoch",
    "ProfileResult",
    "Segment",
    "customer_features",
    "pick_method",
    "train_profiles",
]
