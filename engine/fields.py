"""Settings as data: a config dataclass whose field metadata builds the CLI flags and the GUI form.

Each task's config fields are declared with :func:`setting` (label, unit, range, help), so the
command line and the Train page offer the same settings with the same words and limits.
"""

from __future__ import annotations

import math
from dataclasses import MISSING, Field, dataclass, field, fields
from typing import Any, get_type_hints


@dataclass(frozen=True)
class Setting:
    """How one config field is shown and checked: in the GUI form and as a CLI flag.

    ``low``/``high`` bound numbers (inclusive); ``choices`` are the values of a text field with
    their labels; ``special`` is the word for ``None`` ("auto": the data decides), accepted on
    the command line too; ``flag`` is the CLI flag (default ``--field-name``); ``advanced``
    fields fold under "Advanced settings"; ``kind`` "date" fields hold UTC epoch ms and are
    given as YYYY-MM-DD.
    """

    label: str
    help: str
    unit: str = ""
    low: float | None = None
    high: float | None = None
    choices: tuple[tuple[str, str], ...] = ()
    special: str | None = None
    flag: str | None = None
    advanced: bool = False
    kind: str = ""
    step: float | None = None
    decimals: int | None = None

    def cli_flag(self, name: str) -> str:
        """The command-line flag of the field called ``name``."""
        return self.flag or "--" + name.replace("_", "-")


def setting(default: Any = None, **meta: Any) -> Any:
    """A config field with its :class:`Setting` (use as ``x: int | None = setting(...)``)."""
    return field(default=default, metadata={"setting": Setting(**meta)})


@dataclass(frozen=True)
class FieldSpec:
    """One setting of a config class: its name, value type, default and :class:`Setting`."""

    name: str
    type: type
    optional: bool
    default: Any
    setting: Setting


def settings_of(config_type: type) -> list[FieldSpec]:
    """The fields of a config dataclass that carry a :class:`Setting`, in declaration order."""
    hints = get_type_hints(config_type)
    specs = []
    for f in fields(config_type):
        meta = f.metadata.get("setting")
        if meta is None:
            continue
        kind, optional = _value_type(hints[f.name])
        specs.append(FieldSpec(f.name, kind, optional, _default(f), meta))
    return specs


def _default(f: Field[Any]) -> Any:
    if f.default is not MISSING:
        return f.default
    if f.default_factory is not MISSING:
        return f.default_factory()
    return None


def _value_type(hint: Any) -> tuple[type, bool]:
    args = getattr(hint, "__args__", None)
    if args:
        kinds = [a for a in args if a is not type(None)]
        return kinds[0], len(kinds) < len(args)
    return hint, False


def allowed(spec: FieldSpec) -> str:
    """What a setting accepts, as the end of a sentence: "use a whole number from 1 to 365"
    (", or auto" where ``special`` names the automatic choice)."""
    from engine.words import tr

    s = spec.setting
    if s.choices:
        return tr("choose {0}").format(", ".join(c for c, _ in s.choices))
    whole = spec.type is int
    if s.low is not None and s.high is not None:
        words = (tr("use a whole number from {0:,} to {1:,}") if whole
                 else tr("use a number from {0:,} to {1:,}")).format(s.low, s.high)
    else:
        words = tr("use a whole number") if whole else tr("use a number")
    if s.special is not None:
        words += tr(", or {0}").format(s.special.replace(" ", "-"))
    return words


def check_value(spec: FieldSpec, value: Any) -> str | None:
    """Why a value does not fit a setting (:func:`allowed`), or None when it fits. ``None``
    fits an optional setting (the data or the preset decides)."""
    s = spec.setting
    if value is None:
        return None if spec.optional else allowed(spec)
    if s.choices:
        return None if value in [c for c, _ in s.choices] else allowed(spec)
    if spec.type in (int, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return allowed(spec)
        if not math.isfinite(float(value)) or (spec.type is int and value != int(value)):
            return allowed(spec)
        if (s.low is not None and value < s.low) or (s.high is not None and value > s.high):
            return allowed(spec)
    return None
