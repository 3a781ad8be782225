"""The indicator spec: ids, areas, units, cue patterns and exclusions, read from YAML.

The default is ``configs/indicators.yaml`` (beside the label taxonomy,
``configs/labels.yaml``), which encodes the 21 indicators of the indicator
guide. A study can pass another file of the same shape to add or change
indicators without touching code. Every regular expression is compiled and
checked when the file is loaded, so a typo is one :class:`nlp.config.ConfigError`
naming the key and the file.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..config import ConfigError, Field, load_config, validate
from ..paths import resolve_project_path

__all__ = ["DEFAULT_SPEC_PATH", "EXCLUSION_SCOPES", "IndicatorDef", "Exclusion", "IndicatorSpec", "load_spec",
           "default_spec", "resolve_spec"]

DEFAULT_SPEC_PATH = "configs/indicators.yaml"
#: Where an exclusion pattern is searched (see configs/indicators.yaml).
EXCLUSION_SCOPES = ("left", "clause", "sentence", "right", "unit")

_SCHEMA = {
    "units": Field(list, item_type=str, min=1),
    "max_distance": Field(int, 12, min=0),
    "comparable_units": Field(dict, {}),
    "exclude_section_roles": Field(list, [], item_type=str),
    "exclusions": Field(list, []),
    "breakdown_markers": Field(str, ""),
    "part_markers": Field(str, ""),
    "total_markers": Field(str, ""),
    "ellipsis": Field(str, ""),
    "respectively": Field(str, ""),
    "after_gap_blockers": Field(str, ""),
    "own_jurisdiction": Field(str, ""),
    "plans_present": Field(str, ""),
    "period": {
        "year": Field(str, r"((?:19|20)\d{2})年(以来|来|度)?"),
        "report_year": Field(str, ""),
    },
    "indicators": Field(list, min=1),
}
_INDICATOR_SCHEMA = {
    "id": Field(str),
    "area": Field(str),
    "name": Field(str),
    "units": Field(list, item_type=str, min=1),
    "stock": Field(bool, False),
    "before": Field(list, [], item_type=str),
    "after": Field(list, [], item_type=str),
    "after_gap": Field(int, 4, min=0),
    "context": Field(str, ""),
    "blockers": Field(str, ""),
    "between": Field(str, ""),
    "parts": Field(str, ""),
    "single": Field(bool, False),
}
_EXCLUSION_SCHEMA = {
    "name": Field(str),
    "scope": Field(str, choices=EXCLUSION_SCOPES),
    "pattern": Field(str),
    "stock_only": Field(bool, False),
}
_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")


def _compile(pattern: str, where: str) -> re.Pattern[str] | None:
    if not pattern:
        return None
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ConfigError(f"{where}: not a valid regular expression ({exc}): {pattern!r}") from None


@dataclass(frozen=True)
class IndicatorDef:
    """One indicator: what it counts, in which units, and the cues that name it."""

    id: str
    area: str
    name: str
    units: frozenset[str]
    stock: bool
    before: tuple[re.Pattern[str], ...]
    after: tuple[re.Pattern[str], ...]
    context: re.Pattern[str] | None
    blockers: re.Pattern[str] | None
    #: When given, the text between a before-cue and the figure must match it (执业律师 *共有* 1153名).
    between: re.Pattern[str] | None = None
    #: A figure whose evidence matches this is a part (调处*医患*纠纷57件), dropped beside a whole.
    parts: re.Pattern[str] | None = None
    #: One value per paragraph and period: of several, those in a sentence with a total marker win, else the first.
    single: bool = False


@dataclass(frozen=True)
class Exclusion:
    """A guide exclusion: figures whose ``scope`` text matches ``pattern`` are not extracted."""

    name: str
    scope: str
    pattern: re.Pattern[str]
    stock_only: bool = False


@dataclass(frozen=True)
class IndicatorSpec:
    """Everything the matching engine reads from the data file.

    Examples
    --------
    >>> spec = default_spec()
    >>> len(spec.indicators), spec["mediation.success_rate"].area
    (21, 'mediation')
    """

    indicators: tuple[IndicatorDef, ...]
    exclusions: tuple[Exclusion, ...]
    units: tuple[str, ...]
    max_distance: int
    exclude_section_roles: frozenset[str]
    breakdown_markers: re.Pattern[str] | None
    part_markers: re.Pattern[str] | None
    total_markers: re.Pattern[str] | None
    ellipsis: re.Pattern[str] | None
    period_year: re.Pattern[str]
    period_report_year: re.Pattern[str] | None
    source: str = ""
    comparable_units: tuple[tuple[str, str], ...] = ()  # (unit, canonical unit)
    respectively: re.Pattern[str] | None = None
    after_gap_blockers: re.Pattern[str] | None = None
    own_jurisdiction: re.Pattern[str] | None = None
    plans_present: re.Pattern[str] | None = None

    def canonical_unit(self, unit: str) -> str:
        """The unit a comparison files ``unit`` under (起 -> 件, 人 -> 名 by default).

        >>> default_spec().canonical_unit("起"), default_spec().canonical_unit("人次")
        ('件', '人次')
        """
        return dict(self.comparable_units).get(unit, unit)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.indicators)

    @property
    def areas(self) -> tuple[str, ...]:
        """Areas in the order their first indicator appears."""
        return tuple(dict.fromkeys(i.area for i in self.indicators))

    def __getitem__(self, indicator_id: str) -> IndicatorDef:
        for indicator in self.indicators:
            if indicator.id == indicator_id:
                return indicator
        raise KeyError(f"unknown indicator {indicator_id!r}; valid indicators are {list(self.ids)}")

    def __repr__(self) -> str:
        return f"IndicatorSpec({len(self.indicators)} indicators in {len(self.areas)} areas from {self.source!r})"

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "<dict>") -> "IndicatorSpec":
        data = validate(data, _SCHEMA, source)
        indicators = []
        for i, entry in enumerate(data["indicators"]):
            where = f"{source}: key 'indicators[{i}]"
            entry = validate(entry, _INDICATOR_SCHEMA, source, _prefix=f"indicators[{i}].")
            if not _ID.match(entry["id"]):
                raise ConfigError(f"{where}.id': expected a dotted lower-case id such as 'mediation.cases', "
                                  f"received {entry['id']!r}")
            if not entry["before"] and not entry["after"]:
                raise ConfigError(f"{where}': expected at least one 'before' or 'after' cue for {entry['id']!r}")
            unknown_units = sorted(set(entry["units"]) - set(data["units"]))
            if unknown_units:
                raise ConfigError(f"{where}.units': units {unknown_units} are not in the top-level 'units' list")
            gap = entry["after_gap"]
            indicators.append(IndicatorDef(
                entry["id"], entry["area"], entry["name"], frozenset(entry["units"]), entry["stock"],
                tuple(_compile(p, f"{where}.before'") for p in entry["before"]),
                # The right is searched from its start: at most `after_gap` characters, then the cue.
                tuple(_compile(rf"^(?P<gap>[^，,。；;]{{0,{gap}}}?)(?:{p})", f"{where}.after'") for p in entry["after"]),
                _compile(entry["context"], f"{where}.context'"), _compile(entry["blockers"], f"{where}.blockers'"),
                _compile(entry["between"], f"{where}.between'"), _compile(entry["parts"], f"{where}.parts'"),
                entry["single"],
            ))
        ids = [i.id for i in indicators]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ConfigError(f"{source}: key 'indicators': duplicate indicator ids {duplicates}")
        exclusions = []
        for i, entry in enumerate(data["exclusions"]):
            entry = validate(entry, _EXCLUSION_SCHEMA, source, _prefix=f"exclusions[{i}].")
            exclusions.append(Exclusion(entry["name"], entry["scope"],
                                        _compile(entry["pattern"], f"{source}: key 'exclusions[{i}].pattern'"),
                                        entry["stock_only"]))
        period = data["period"]
        comparable = []
        for canonical, others in data["comparable_units"].items():
            if not isinstance(others, list) or not all(isinstance(o, str) for o in others):
                raise ConfigError(f"{source}: key 'comparable_units.{canonical}': expected a list of units, received {others!r}")
            comparable.extend((o, canonical) for o in others)
        return cls(
            tuple(indicators), tuple(exclusions), tuple(sorted(set(data["units"]), key=len, reverse=True)),
            data["max_distance"], frozenset(data["exclude_section_roles"]),
            _compile(data["breakdown_markers"], f"{source}: key 'breakdown_markers'"),
            _compile(data["part_markers"], f"{source}: key 'part_markers'"),
            _compile(data["total_markers"], f"{source}: key 'total_markers'"),
            _compile(data["ellipsis"], f"{source}: key 'ellipsis'"),
            _compile(period["year"], f"{source}: key 'period.year'"),
            _compile(period["report_year"], f"{source}: key 'period.report_year'"),
            source, tuple(comparable),
            _compile(data["respectively"], f"{source}: key 'respectively'"),
            _compile(data["after_gap_blockers"], f"{source}: key 'after_gap_blockers'"),
            _compile(data["own_jurisdiction"], f"{source}: key 'own_jurisdiction'"),
            _compile(data["plans_present"], f"{source}: key 'plans_present'"),
        )


def load_spec(path: str | os.PathLike = DEFAULT_SPEC_PATH) -> IndicatorSpec:
    """Read and validate an indicator spec YAML file.

    Raises
    ------
    nlp.config.ConfigError
        For a missing file, an unknown key, a bad value or an invalid regular expression.
    """
    data = load_config(path, _SCHEMA)
    return IndicatorSpec.from_dict(data, str(resolve_project_path(path)))


@lru_cache(maxsize=1)
def default_spec() -> IndicatorSpec:
    """The 21 indicators of the indicator guide (``configs/indicators.yaml``), loaded once."""
    return load_spec(DEFAULT_SPEC_PATH)


def resolve_spec(spec: IndicatorSpec | str | os.PathLike | None) -> IndicatorSpec:
    """A spec as the public functions take it: None (the default spec), a spec, or the path of a spec file.

    >>> resolve_spec(None) is default_spec()
    True
    """
    if spec is None:
        return default_spec()
    if isinstance(spec, IndicatorSpec):
        return spec
    return load_spec(spec)
