"""The label taxonomy: ids, Chinese names, descriptions and cue terms, from YAML.

The five policy areas of the annotation guide are the default
(``configs/labels.yaml``); a study can swap in another taxonomy file with the
same shape. Label order is the file's order, which is the guide's order.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Sequence

import numpy as np

from ..config import ConfigError, Field, load_config, validate
from ..paths import resolve_project_path

__all__ = ["Label", "Taxonomy", "load_taxonomy", "default_taxonomy", "taxonomy_from_data", "DEFAULT_LABELS_PATH",
           "to_indicator", "labels_from_indicator", "is_indicator", "check_cue_pattern"]

DEFAULT_LABELS_PATH = "configs/labels.yaml"

_LABEL_SCHEMA = {
    "id": Field(str),
    "name": Field(str),
    "description": Field(str),
    "cues": Field(list, item_type=str, default=[]),
    "blockers": Field(list, item_type=str, default=[]),
    "strong": Field(list, item_type=str, default=[]),
}
_SCHEMA = {"labels": Field(list, min=1)}
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def _compile(terms: list[str]) -> re.Pattern[str] | None:
    parts = [t[3:] if t.startswith("re:") else re.escape(t) for t in terms]
    return re.compile("|".join(parts)) if parts else None


# Cue patterns ("re:" terms) may come from a model file, which must not be able
# to hang prediction. Python's regex engine backtracks, so ``(\S*)*@`` takes
# exponential time; a pattern is accepted only when its cost per position is
# bounded by construction: repeats only of single characters (a literal, ``.``,
# a class) with a finite upper bound, no repeated groups, no back-references.
MAX_PATTERN_CHARS = 200
MAX_REPEAT = 20
MAX_REPEAT_PRODUCT = 1000


def _pattern_parser():
    try:
        from re import _parser as parser  # Python >= 3.11
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_parse as parser
    return parser


def check_cue_pattern(term: str) -> None:
    """Refuse a regular-expression cue that does not compile or could backtrack without bound.

    Raises
    ------
    ValueError
        Naming the pattern and the rule it breaks.

    >>> check_cue_pattern("re:复议.{0,6}案件")
    >>> check_cue_pattern("re:(复议)*@")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    ValueError: cue pattern '(复议)*@': a repeat needs an upper bound of at most 20 (write .{0,10}, not .* or .+)
    """
    pattern = term[3:]
    if len(pattern) > MAX_PATTERN_CHARS:
        raise ValueError(f"cue pattern {pattern[:40]!r}...: expected at most {MAX_PATTERN_CHARS} characters, "
                         f"received {len(pattern)}")
    parser = _pattern_parser()
    try:
        tree = parser.parse(pattern)
    except re.error as exc:
        raise ValueError(f"cue pattern {pattern!r} is not a valid regular expression ({exc})") from None
    constants = parser
    single = {constants.LITERAL, constants.NOT_LITERAL, constants.ANY, constants.IN}
    repeats = {constants.MAX_REPEAT, constants.MIN_REPEAT}
    product = [1]

    def walk(items) -> None:
        for op, arg in items:
            if op in single or op is constants.AT:
                continue
            if op in repeats:
                low, high, body = arg
                if high == constants.MAXREPEAT or high > MAX_REPEAT:
                    raise ValueError(f"cue pattern {pattern!r}: a repeat needs an upper bound of at most {MAX_REPEAT} "
                                     "(write .{0,10}, not .* or .+)")
                if len(body) != 1 or body[0][0] not in single:
                    raise ValueError(f"cue pattern {pattern!r}: a repeat may only apply to one character (a literal, "
                                     "'.', or a class), not to a group, so matching cannot backtrack without bound")
                product[0] *= high + 1
                if product[0] > MAX_REPEAT_PRODUCT:
                    raise ValueError(f"cue pattern {pattern!r}: too many repeats (their bounds multiply to more than "
                                     f"{MAX_REPEAT_PRODUCT})")
            elif op is constants.BRANCH:
                for branch in arg[1]:
                    walk(branch)
            elif op is constants.SUBPATTERN:
                walk(arg[-1])
            elif op in (constants.ASSERT, constants.ASSERT_NOT):
                walk(arg[1])
            else:
                raise ValueError(f"cue pattern {pattern!r}: {str(op).lower()} is not allowed in a cue; use literals, "
                                 "'.', classes, groups, alternatives, anchors, look-arounds and bounded repeats")

    walk(tree)


@dataclass(frozen=True)
class Label:
    """One label: id, Chinese name, description and cue terms."""

    id: str
    name: str
    description: str
    cues: tuple[str, ...] = ()
    blockers: tuple[str, ...] = ()
    strong: tuple[str, ...] = ()
    _patterns: dict = field(default_factory=dict, compare=False, repr=False)

    def pattern(self, kind: str) -> re.Pattern[str] | None:
        if kind not in self._patterns:
            self._patterns[kind] = _compile(list(getattr(self, kind)))
        return self._patterns[kind]


@dataclass(frozen=True)
class Taxonomy:
    """An ordered set of labels.

    Examples
    --------
    >>> tax = default_taxonomy()
    >>> tax.ids[:2]
    ('administrative_review', 'enforcement_supervision')
    >>> tax["mediation"].name
    '人民调解与矛盾纠纷化解'
    """

    labels: tuple[Label, ...]
    source: str = ""

    def __repr__(self) -> str:
        where = f" from {self.source!r}" if self.source else ""
        return f"Taxonomy({len(self.labels)} labels: {', '.join(self.ids)}{where})"

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(l.id for l in self.labels)

    def __getitem__(self, label_id: str) -> Label:
        for label in self.labels:
            if label.id == label_id:
                return label
        raise KeyError(f"unknown label {label_id!r}; valid labels are {list(self.ids)}")

    def __len__(self) -> int:
        return len(self.labels)

    def order(self, label_ids) -> list[str]:
        """Label ids in taxonomy order, validated."""
        wanted = set(label_ids)
        unknown = wanted - set(self.ids)
        if unknown:
            raise ValueError(f"unknown labels {sorted(unknown)}; valid labels are {list(self.ids)}")
        return [i for i in self.ids if i in wanted]

    def to_dict(self) -> dict[str, Any]:
        return {"labels": [{"id": l.id, "name": l.name, "description": l.description, "cues": list(l.cues),
                            "blockers": list(l.blockers), "strong": list(l.strong)} for l in self.labels]}

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "<dict>") -> "Taxonomy":
        data = validate(data, _SCHEMA, source)
        labels = []
        for i, entry in enumerate(data["labels"]):
            entry = validate(entry, _LABEL_SCHEMA, source, _prefix=f"labels[{i}].")
            if not _ID.match(entry["id"]):
                raise ConfigError(f"{source}: key 'labels[{i}].id': expected a lower-case identifier, received {entry['id']!r}")
            for kind in ("cues", "blockers", "strong"):
                for term in entry[kind]:
                    if term.startswith("re:"):
                        try:
                            check_cue_pattern(term)
                        except ValueError as exc:
                            raise ConfigError(f"{source}: key 'labels[{i}].{kind}': {exc}") from None
            labels.append(Label(entry["id"], entry["name"], entry["description"].strip(), tuple(entry["cues"]),
                                tuple(entry["blockers"]), tuple(entry["strong"])))
        ids = [l.id for l in labels]
        if len(set(ids)) != len(ids):
            raise ConfigError(f"{source}: key 'labels': duplicate label ids in {ids}")
        return cls(tuple(labels), source)


def load_taxonomy(path: str | os.PathLike = DEFAULT_LABELS_PATH) -> Taxonomy:
    """Read and validate a taxonomy YAML file."""
    data = load_config(path, _SCHEMA)
    return Taxonomy.from_dict(data, str(resolve_project_path(path)))


@lru_cache(maxsize=1)
def default_taxonomy() -> Taxonomy:
    """The five policy areas of the annotation guide."""
    return load_taxonomy(DEFAULT_LABELS_PATH)


@lru_cache(maxsize=8)
def _taxonomy_from_json(payload: str) -> Taxonomy:
    return Taxonomy.from_dict(json.loads(payload), "<model>")


def taxonomy_from_data(data: dict[str, Any]) -> Taxonomy:
    """A taxonomy from plain data (as stored in a model), built and compiled once per process."""
    return _taxonomy_from_json(json.dumps(data, ensure_ascii=False, sort_keys=True))


def is_indicator(y: Any) -> bool:
    """True for a 2-D array or DataFrame (an indicator matrix), False for label lists."""
    return hasattr(y, "shape") and len(getattr(y, "shape")) == 2


def to_indicator(labels: Any, label_ids: Sequence[str]) -> np.ndarray:
    """Label-id lists -> 0/1 matrix in ``label_ids`` order; a matrix is checked and passed through.

    >>> to_indicator([["mediation"], []], ["administrative_review", "mediation"]).tolist()
    [[0, 1], [0, 0]]
    """
    if is_indicator(labels):
        matrix = np.asarray(labels)
        if matrix.shape[1] != len(label_ids):
            raise ValueError(f"expected an indicator matrix with {len(label_ids)} columns, received shape {matrix.shape}")
        if matrix.size and not np.isin(matrix, (0, 1)).all():
            raise ValueError("expected an indicator matrix of 0/1 values, received other values")
        return matrix.astype(int)
    index = {label: j for j, label in enumerate(label_ids)}
    out = np.zeros((len(labels), len(label_ids)), dtype=int)
    for i, row in enumerate(labels):
        if isinstance(row, str):
            raise TypeError(f"expected a list of label ids per example, received the string {row!r}")
        for label in row:
            if label not in index:
                raise ValueError(f"unknown label {label!r}; valid labels are {list(label_ids)}")
            out[i, index[label]] = 1
    return out


def labels_from_indicator(matrix: np.ndarray, label_ids: Sequence[str]) -> list[list[str]]:
    """0/1 matrix -> label-id lists (taxonomy order).

    >>> labels_from_indicator(np.array([[0, 1], [0, 0]]), ["administrative_review", "mediation"])
    [['mediation'], []]
    """
    return [[label_ids[j] for j in np.flatnonzero(row)] for row in np.asarray(matrix)]
