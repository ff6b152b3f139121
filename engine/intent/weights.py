"""Stored intent weights without torch: their expected shapes, and a check of plainly sound ones.

A run whose scores a simple method served still has the deep model's weights, and reading its
scores (``lookup``, a customer's card) refuses the run when they are damaged, as for any run.
Nothing runs the network there, yet loading the weights with torch made every such lookup pay
seconds for importing torch. The weights are a ``torch.save`` archive: a zip file whose
``data.pkl`` names each tensor with its storage, offset, shape and stride, and whose ``data/<n>``
records hold the raw values. :func:`plainly_sound` reads what IntentLens writes there without
unpickling anything (``pickletools`` only lists the opcodes; no object is built from the file)
and says True only when every tensor has its expected name and shape, holds floats, and every
value is finite: what torch's own check (``model.load_checked_state``) accepts. Anything else,
damaged or merely unfamiliar (another archive version, another layout), is False, and torch
then reads the bytes and decides: this never refuses what torch would accept.
"""

from __future__ import annotations

import io
import math
import pickletools
import sys
import zipfile
from array import array
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.intent.names import AGG_NAMES, N_NUMERIC, N_TYPES

#: The version of saved weights' layout (a model of another version is not loaded).
STATE_VERSION = 1
#: Embedding sizes of the network (``model.IntentNet``).
TYPE_DIM = 8
ITEM_DIM = 16
CAT_DIM = 8
WORD_DIM = 8

#: Where an ensemble's state_dict keeps each member's weights: ``members.<i>.<name>``
#: (``model.IntentEnsemble``).
MEMBER_PREFIX = "members."

#: Storage classes torch pickles for floating-point tensors, and their ``array`` typecodes
#: (a half-precision tensor has none: torch judges it).
_FLOAT_STORAGES = {"FloatStorage": "f", "DoubleStorage": "d", "HalfStorage": ""}
#: The only callables a state_dict's pickle names: the tensor builder and an empty dict of hooks.
_REBUILD = ("torch._utils", "_rebuild_tensor_v2")
_ORDERED_DICT = ("collections", "OrderedDict")
#: The archive format versions (``<archive>/version``) of the torch releases IntentLens uses.
_ARCHIVE_VERSIONS = {b"3", b"3\n"}


def members_of(settings: Mapping[str, object]) -> int:
    """How many networks the weights of ``settings`` hold (1 for a run saved before ensembles;
    ``check_settings`` bounds it)."""
    value = settings.get("members", 1)
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else 1


def expected_shapes(settings: Mapping[str, object]) -> dict[str, tuple[int, ...]]:
    """Name and shape of every tensor in the state_dict of the network ``settings`` describe,
    computed without building it (a network on the ``meta`` device pulls in torch._dynamo,
    4 s). Mirrors :class:`engine.intent.model.IntentNet` (and ``IntentEnsemble``, whose
    members' names start ``members.<i>.``); a test compares the two. Call ``check_settings``
    first."""
    one = _member_shapes(settings)
    k = members_of(settings)
    if k == 1:
        return one
    return {f"{MEMBER_PREFIX}{i}.{name}": shape for i in range(k) for name, shape in one.items()}


def _member_shapes(settings: Mapping[str, object]) -> dict[str, tuple[int, ...]]:
    h = int(settings["hidden_size"])  # type: ignore[call-overload]
    gates = 4 if settings.get("cell", "lstm") == "lstm" else 3
    in_dim = TYPE_DIM + ITEM_DIM + CAT_DIM + WORD_DIM + N_NUMERIC
    names = settings.get("agg_names")
    n_agg = len(names) if isinstance(names, list) else len(AGG_NAMES)
    return {
        "type_emb.weight": (N_TYPES, TYPE_DIM),
        "item_emb.weight": (int(settings["item_buckets"]), ITEM_DIM),  # type: ignore[call-overload]
        "cat_emb.weight": (int(settings["cat_buckets"]), CAT_DIM),  # type: ignore[call-overload]
        "word_emb.weight": (int(settings["word_buckets"]), WORD_DIM),  # type: ignore[call-overload]
        "rnn.weight_ih_l0": (gates * h, in_dim),
        "rnn.weight_hh_l0": (gates * h, h),
        "rnn.bias_ih_l0": (gates * h,),
        "rnn.bias_hh_l0": (gates * h,),
        "agg_mean": (n_agg,),
        "agg_std": (n_agg,),
        "agg_net.0.weight": (h, n_agg),
        "agg_net.0.bias": (h,),
        "head.1.weight": (h, 2 * h),
        "head.1.bias": (h,),
        "head.4.weight": (1, h),
        "head.4.bias": (1,),
    }


def max_archive_bytes(shapes: Mapping[str, tuple[int, ...]]) -> int:
    """The largest weights archive these shapes can need: float32 weights plus the archive's
    own records; a float64 copy would still fit. Larger bytes are refused unread."""
    return 8 * sum(math.prod(s) for s in shapes.values()) + (1 << 20)


def plainly_sound(data: bytes, settings: Mapping[str, object]) -> bool:
    """True when ``data`` holds exactly the finite float tensors ``settings`` describe, in the
    archive layout IntentLens writes; False when they are damaged or this reader does not know
    their layout (torch then decides). Never raises, never runs code from the bytes."""
    try:
        return _sound(bytes(data), settings)
    except Exception:  # noqa: BLE001 - whatever the bytes hold, torch decides
        return False


class _Unfamiliar(Exception):
    """Something this reader does not vouch for."""


@dataclass(frozen=True)
class _Global:
    module: str
    name: str


@dataclass(frozen=True)
class _Storage:
    kind: str
    key: str
    numel: int


@dataclass(frozen=True)
class _Tensor:
    storage: _Storage
    offset: int
    shape: tuple[int, ...]
    stride: tuple[int, ...]


def _sound(data: bytes, settings: Mapping[str, object]) -> bool:
    from engine.intent import check_settings

    check_settings(settings)
    if settings.get("state_version", STATE_VERSION) != STATE_VERSION:
        return False
    shapes = expected_shapes(settings)
    if len(data) > max_archive_bytes(shapes):
        return False
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        pickles = [n for n in names if n.endswith("/data.pkl") and n.count("/") == 1]
        if len(pickles) != 1:
            return False
        prefix = pickles[0].removesuffix("data.pkl")
        if _record(archive, f"{prefix}byteorder") != b"little":
            return False
        if _record(archive, f"{prefix}version") not in _ARCHIVE_VERSIONS:
            return False
        state = _unpickled_state(_record(archive, pickles[0]))
        if set(state) != set(shapes):
            return False
        storages: dict[str, _Storage] = {}
        for key, tensor in state.items():
            if not isinstance(tensor, _Tensor) or tensor.shape != shapes[key]:
                return False
            storage = tensor.storage
            if not storage.key.isdigit() or storages.setdefault(storage.key, storage) != storage:
                return False
            if tensor.stride != _contiguous_strides(tensor.shape):
                return False
            count = math.prod(tensor.shape)
            if tensor.offset < 0 or tensor.offset + count > storage.numel:
                return False
            raw = _record(archive, f"{prefix}data/{storage.key}")
            if not storage.kind:
                return False
            values = array(storage.kind)
            if len(raw) != storage.numel * values.itemsize:
                return False
            start = tensor.offset * values.itemsize
            values.frombytes(raw[start:start + count * values.itemsize])
            if sys.byteorder != "little":
                values.byteswap()
            # A NaN or an infinity makes the sum NaN or infinite, and nothing cancels it; an
            # overflowing sum of finite values only sends the file to torch. No numpy needed.
            if not math.isfinite(sum(values)):
                return False
    return True


def _record(archive: zipfile.ZipFile, name: str) -> bytes:
    """One record of the archive, checked against its CRC. torch stores records uncompressed;
    a compressed one is left to torch (so no small file can inflate to gigabytes here)."""
    if archive.getinfo(name).compress_type != zipfile.ZIP_STORED:
        raise _Unfamiliar(name)
    return archive.read(name)


def _contiguous_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    strides = []
    step = 1
    for size in reversed(shape):
        strides.append(step)
        step *= size
    return tuple(reversed(strides))


def _unpickled_state(pickled: bytes) -> dict[str, Any]:
    """The state_dict a ``torch.save`` pickle describes, as names to :class:`_Tensor`, read
    opcode by opcode: only the opcodes and callables of a plain dict of tensors are known, and
    nothing is called. Raises for anything else."""
    stack: list[Any] = []
    marks: list[int] = []
    memo: dict[int, Any] = {}
    for op, opcode_arg, _pos in pickletools.genops(pickled):
        name = op.name
        arg: Any = opcode_arg
        if name in ("PROTO", "FRAME"):
            continue
        if name in ("BINPUT", "LONG_BINPUT"):
            memo[int(arg)] = stack[-1]
        elif name == "MEMOIZE":
            memo[len(memo)] = stack[-1]
        elif name in ("BINGET", "LONG_BINGET"):
            stack.append(memo[int(arg)])
        elif name == "MARK":
            marks.append(len(stack))
        elif name in ("BINUNICODE", "SHORT_BINUNICODE"):
            stack.append(str(arg))
        elif name in ("BININT", "BININT1", "BININT2", "LONG1"):
            stack.append(int(arg))
        elif name in ("NEWFALSE", "NEWTRUE"):
            stack.append(name == "NEWTRUE")
        elif name == "EMPTY_TUPLE":
            stack.append(())
        elif name == "EMPTY_DICT":
            stack.append({})
        elif name == "TUPLE":
            start = marks.pop()
            items = tuple(stack[start:])
            del stack[start:]
            stack.append(items)
        elif name in ("TUPLE1", "TUPLE2", "TUPLE3"):
            n = int(name[-1])
            items = tuple(stack[-n:])
            del stack[-n:]
            stack.append(items)
        elif name == "GLOBAL":
            module, _, attr = str(arg).partition(" ")
            stack.append(_known_global(module, attr))
        elif name == "BINPERSID":
            stack.append(_storage(stack.pop()))
        elif name == "REDUCE":
            args = stack.pop()
            stack.append(_reduce(stack.pop(), args))
        elif name == "SETITEMS":
            start = marks.pop()
            pairs = stack[start:]
            del stack[start:]
            target = stack[-1]
            if not isinstance(target, dict) or len(pairs) % 2:
                raise _Unfamiliar(name)
            for key, value in zip(pairs[::2], pairs[1::2], strict=True):
                if not isinstance(key, str):
                    raise _Unfamiliar(name)
                target[key] = value
        elif name == "STOP":
            if len(stack) != 1 or marks or not isinstance(stack[0], dict):
                raise _Unfamiliar(name)
            state: dict[str, Any] = stack[0]
            return state
        else:
            raise _Unfamiliar(name)
    raise _Unfamiliar("no STOP")


def _known_global(module: str, attr: str) -> _Global:
    if (module, attr) in (_REBUILD, _ORDERED_DICT) or (
        module == "torch" and attr in _FLOAT_STORAGES
    ):
        return _Global(module, attr)
    raise _Unfamiliar(f"{module}.{attr}")


def _storage(pid: Any) -> _Storage:
    """A persistent id ``('storage', torch.FloatStorage, key, location, numel)``."""
    if not isinstance(pid, tuple) or len(pid) != 5 or pid[0] != "storage":
        raise _Unfamiliar("persistent id")
    _, kind, key, location, numel = pid
    if not (isinstance(kind, _Global) and kind.module == "torch" and isinstance(key, str)
            and isinstance(location, str) and isinstance(numel, int) and numel >= 0):
        raise _Unfamiliar("persistent id")
    return _Storage(_FLOAT_STORAGES[kind.name], key, numel)


def _reduce(fn: Any, args: Any) -> Any:
    """``OrderedDict()`` (a tensor's empty hooks) or ``_rebuild_tensor_v2(storage, offset,
    shape, stride, requires_grad, hooks[, metadata])`` of a plain tensor; nothing else."""
    if fn == _Global(*_ORDERED_DICT) and args == ():
        return {}
    if fn != _Global(*_REBUILD) or not isinstance(args, tuple) or len(args) not in (6, 7):
        raise _Unfamiliar("reduce")
    storage, offset, shape, stride, requires_grad, hooks, *metadata = args
    if not (isinstance(storage, _Storage) and isinstance(offset, int)
            and isinstance(requires_grad, bool) and hooks == {} and metadata in ([], [{}])):
        raise _Unfamiliar("reduce")
    for dims in (shape, stride):
        if not isinstance(dims, tuple) or not all(
            isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in dims
        ):
            raise _Unfamiliar("reduce")
    return _Tensor(storage, offset, shape, stride)
