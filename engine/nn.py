"""The small rules every torch model of the engine shares: which device, weights to bytes and
back, how many CPU threads, and how inputs are standardized.

torch is imported inside the functions only, so importing this module is cheap and
``import engine.intent`` / ``import engine.profiles`` stay torch-free (the GUI imports them at
startup).
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    import torch

F32 = npt.NDArray[np.float32]

#: A column whose standard deviation is below this is treated as constant: it is centred but
#: not scaled (dividing by ~0 would blow float32 rounding noise up to unit variance).
STD_FLOOR = 1e-6


def pick_device(name: str) -> torch.device:
    """``auto`` means CUDA when present, else CPU; any other name is torch's own."""
    import torch

    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def adam(params: Iterable[torch.nn.Parameter], device: torch.device, **options: float
         ) -> torch.optim.Adam:
    """Adam with its fused kernel where the device has one (CPU and CUDA): one pass over every
    parameter instead of a loop of small tensor operations. On the intent network, whose hashed
    embedding tables hold most of its 640,000 weights, a step took 82 ms the plain way and
    4.6 ms fused on 2 CPU cores."""
    import torch

    fused = device.type in ("cpu", "cuda")
    return torch.optim.Adam(params, fused=fused, **options)  # type: ignore[arg-type]


def save_state(state_dict: Mapping[str, torch.Tensor]) -> bytes:
    """Serialize model weights (tensors only, moved to the CPU) to bytes for the project file."""
    import torch

    buf = io.BytesIO()
    torch.save({str(k): v.detach().cpu() for k, v in state_dict.items()}, buf)
    return buf.getvalue()


def load_state(data: bytes) -> dict[str, torch.Tensor]:
    """Read bytes from :func:`save_state` onto the CPU with ``weights_only=True``, so a file can
    never run code. Raises ValueError when the bytes hold anything but named tensors (and
    whatever torch raises for bytes that are no archive at all)."""
    import torch

    obj = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    if not isinstance(obj, dict) or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise ValueError("These bytes are not saved model weights.")
    return {str(k): v for k, v in obj.items()}


_threads_configured = False


def default_threads() -> int:
    """``max(1, cores - 1)``: one core is left to the rest of the application."""
    return max(1, (os.cpu_count() or 1) - 1)


def configure_threads(n: int | None = None) -> int:
    """Set torch's intra-op threads deliberately; default :func:`default_threads`.

    Library defaults use every core; with the GUI thread busy that ran up to 30x slower on two
    cores (shared/notes/intent-baselines.md), so one core is left to the rest of the app.
    Returns the number of threads set.
    """
    import torch

    global _threads_configured
    threads = default_threads() if n is None else max(1, int(n))
    torch.set_num_threads(threads)
    _threads_configured = True
    return threads


def ensure_threads() -> None:
    """Apply the default thread count once, unless the caller already chose one."""
    if not _threads_configured:
        configure_threads()


def cap_threads(most: int) -> int:
    """Lower torch's thread count to at most ``most`` (never raise it); returns the count.

    For small networks, where more threads cost more in synchronisation than they gain. It does
    not count as the deliberate choice :func:`ensure_threads` waits for.
    """
    import torch

    threads = max(1, min(torch.get_num_threads(), int(most)))
    torch.set_num_threads(threads)
    return threads


def standard_stats(x: npt.NDArray[np.floating]) -> tuple[F32, F32]:
    """Per-column mean and (population) standard deviation of ``x`` [rows, columns], float32.

    Constant columns (std below :data:`STD_FLOOR`) get a std of 1, so standardizing centres them
    without dividing by zero; no rows give mean 0 and std 1.
    """
    if len(x) == 0:
        return np.zeros(x.shape[1], np.float32), np.ones(x.shape[1], np.float32)
    mean = x.mean(axis=0)
    std = x.std(axis=0)
    std = np.where(std < STD_FLOOR, 1.0, std)
    return mean.astype(np.float32), std.astype(np.float32)


def standardize(x: npt.NDArray[np.floating]) -> F32:
    """``x`` with every column at mean 0 and standard deviation 1 (see :func:`standard_stats`)."""
    mean, std = standard_stats(x)
    out: F32 = ((x - mean) / std).astype(np.float32)
    return out
