"""YAML run configs, validated before any work starts.

Each config kind (classifier, topics, labels, ...) declares a schema: a mapping
from key to :class:`Field` (or to a nested schema for a section). Loading a file
fills defaults and checks every key; an unknown key, a wrong type, an
out-of-range value, a bad choice or a missing file raises one
:class:`ConfigError` naming the key and the file. ``overrides`` (``"a.b=value"``
strings from the CLI's ``--set``) are applied before validation.
"""
from __future__ import annotations

import copy
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from .checks import check_choice
from .paths import project_root

__all__ = ["ConfigError", "Field", "REQUIRED", "load_config", "validate", "apply_overrides", "flatten"]


class ConfigError(ValueError):
    """A config file or override is invalid; the message names the key and the file."""


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED = _Required()

_TYPE_NAMES = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list", dict: "a mapping"}


@dataclass(frozen=True)
class Field:
    """One config key: its type, default and constraints.

    Parameters
    ----------
    type
        ``bool``, ``int``, ``float``, ``str``, ``list`` or ``dict``. ``float``
        accepts integers. ``None`` values are accepted when ``nullable``.
    default
        Value when the key is absent; :data:`REQUIRED` makes it mandatory.
    choices
        Allowed values (for strings, or for list items when ``type`` is list).
    min, max
        Inclusive bounds for numbers, or for every item of a list of numbers.
    item_type
        Type of list items.
    path
        The value is a path that must exist (relative to the project root or
        the config file's folder).
    """

    type: type
    default: Any = REQUIRED
    choices: tuple | None = None
    min: float | None = None
    max: float | None = None
    item_type: type | None = None
    path: bool = False
    nullable: bool = False
    help: str = ""


Schema = Mapping[str, Any]  # key -> Field | nested Schema

# Names other libraries use for the package's parameters: an unknown key that
# is one of these gets a hint naming the package's own key.
KEY_ALIASES = {
    "num_topics": "n_topics",
    "nr_topics": "n_topics",
    "topn": "top_n_words",
    "seed": "random_state",
    "seeds": "random_state",
}


def _type_ok(value: Any, expected: type) -> bool:
    if expected is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


def _check_scalar(value: Any, spec: Field, expected: type, where: str) -> Any:
    if not _type_ok(value, expected):
        raise ConfigError(f"{where}: expected {_TYPE_NAMES.get(expected, expected.__name__)}, received {value!r} ({type(value).__name__})")
    if spec.choices is not None:
        check_choice(where, value, spec.choices, ConfigError)
    if expected is float and not math.isfinite(value):
        raise ConfigError(f"{where}: expected a finite number, received {value!r}")
    if expected in (int, float):
        if spec.min is not None and value < spec.min:
            raise ConfigError(f"{where}: expected a value >= {spec.min}, received {value!r}")
        if spec.max is not None and value > spec.max:
            raise ConfigError(f"{where}: expected a value <= {spec.max}, received {value!r}")
    return float(value) if expected is float else value


def _check_field(value: Any, spec: Field, where: str, base_dirs: Iterable[Path]) -> Any:
    if value is None:
        if spec.nullable:
            return None
        raise ConfigError(f"{where}: expected {_TYPE_NAMES.get(spec.type, spec.type.__name__)}, received null")
    if spec.type is list:
        if not isinstance(value, list):
            raise ConfigError(f"{where}: expected a list, received {value!r} ({type(value).__name__})")
        if spec.item_type is not None:
            item_spec = Field(spec.item_type, choices=spec.choices, min=spec.min, max=spec.max)
            value = [_check_scalar(v, item_spec, spec.item_type, f"{where}[{i}]") for i, v in enumerate(value)]
        if spec.min is not None and spec.item_type is None and len(value) < spec.min:
            raise ConfigError(f"{where}: expected at least {int(spec.min)} items, received {len(value)}")
        return value
    value = _check_scalar(value, spec, spec.type, where)
    if spec.path:
        candidates = [Path(value)] if Path(value).is_absolute() else [d / value for d in base_dirs]
        if not any(c.exists() for c in candidates):
            raise ConfigError(f"{where}: file not found: {value!r} (looked in {[str(c) for c in candidates]})")
    return value


def validate(data: Mapping[str, Any] | None, schema: Schema, source: str = "<config>",
             base_dirs: Iterable[Path] = (), _prefix: str = "") -> dict[str, Any]:
    """Check ``data`` against ``schema`` and return it with defaults filled in."""
    data = {} if data is None else data
    if not isinstance(data, Mapping):
        raise ConfigError(f"{source}: key {_prefix.rstrip('.') or '<top level>'!r}: expected a mapping, received {type(data).__name__}")
    base_dirs = list(base_dirs) or [project_root()]
    unknown = sorted(set(data) - set(schema))
    if unknown:
        renamed = KEY_ALIASES.get(unknown[0])
        hint = f" (did you mean {renamed!r}?)" if renamed in schema else ""
        if unknown[0] == "seeds" and "n_restarts" in schema:
            hint = " (restarts are 'random_state' for the first seed plus 'n_restarts')"
        raise ConfigError(
            f"{source}: unknown key {_prefix + unknown[0]!r}{hint}; valid keys here are {sorted(schema)}"
        )
    out: dict[str, Any] = {}
    for key, spec in schema.items():
        where = f"{source}: key {_prefix + key!r}"
        if isinstance(spec, Mapping):
            out[key] = validate(data.get(key), spec, source, base_dirs, f"{_prefix}{key}.")
            continue
        if key not in data:
            if spec.default is REQUIRED:
                raise ConfigError(f"{where}: required key is missing")
            out[key] = copy.deepcopy(spec.default)
            continue
        out[key] = _check_field(data[key], spec, where, base_dirs)
    return out


def apply_overrides(data: dict[str, Any], overrides: Iterable[str], source: str = "<config>") -> dict[str, Any]:
    """Apply ``"section.key=value"`` overrides; values are parsed as YAML scalars."""
    data = copy.deepcopy(data)
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"{source}: override {item!r}: expected KEY=VALUE, for example model.C=2.0")
        dotted, raw = item.split("=", 1)
        keys = dotted.strip().split(".")
        target = data
        for key in keys[:-1]:
            target = target.setdefault(key, {})
            if not isinstance(target, dict):
                raise ConfigError(f"{source}: override {item!r}: {key!r} is not a section")
        try:
            target[keys[-1]] = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or type(exc).__name__
            raise ConfigError(f"{source}: override {item!r}: the value {raw!r} is not valid YAML ({problem}); "
                              "quote strings and close brackets, for example model.char_ngrams=[1,3]") from None
    return data


def load_config(path: str | os.PathLike, schema: Schema, overrides: Iterable[str] = ()) -> dict[str, Any]:
    """Read, override and validate a YAML config.

    Parameters
    ----------
    path
        The YAML file. A relative path that does not exist from the working
        directory is looked up under the project root.
    schema
        The config kind's schema.
    overrides
        ``"key=value"`` strings applied before validation.

    Raises
    ------
    ConfigError
        For a missing file, invalid YAML or any invalid key.
    """
    file = Path(path)
    if not file.exists() and not file.is_absolute() and (project_root() / file).exists():
        file = project_root() / file
    if not file.exists():
        raise ConfigError(f"config file not found: {str(path)!r}")
    try:
        with open(file, encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{file}: not valid YAML: {exc}") from exc
    data = apply_overrides(data, overrides, str(file))
    return validate(data, schema, str(file), base_dirs=[project_root(), file.parent])


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}}`` -> ``{"a.b": 1}`` (for logging parameters)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out
