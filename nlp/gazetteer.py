"""Chinese administrative divisions: is a name a real district, and which city and province is it in?

The divisions come from the province / prefecture / county table that the
``jionlp`` package ships and maintains (``jionlp/dictionary/china_location.zip``,
with the 2021 and later changes such as 杭州市钱塘区 and 临平区). Only that data
file is read; ``jionlp`` itself is never imported (its import loads far more
than this needs). The table is parsed once, lazily, and kept in memory
(about 3,200 county-level and 370 prefecture-level entries).

Metadata parsing uses it in two ways:

- a district or city name guessed from a report's text is kept only when it is
  a real county-level (区 / 县 / 县级市 / 旗) or prefecture-level division, so
  strings such as ``现将我区`` or ``政府市`` never become a district;
- a district (with the city or province when the name is ambiguous, e.g.
  朝阳区 in 北京市 and in 长春市) fills in its city and province, so a user
  needs no side file for them.

>>> [d.city for d in lookup_county("滨江区")]
['杭州市']
>>> resolve_division(district="朝阳区", province="吉林省").city
'长春市'
>>> is_county("现将我区"), is_county("政府市")
(False, False)
"""
from __future__ import annotations

import importlib.util
import io
import logging
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Division",
    "GazetteerUnavailable",
    "gazetteer_path",
    "lookup_county",
    "lookup_city",
    "is_county",
    "is_city",
    "resolve_division",
    "resolve_province",
    "counties_in",
]

logger = logging.getLogger(__name__)

_DATA_FILE = ("dictionary", "china_location.zip")
_LOCK = threading.Lock()
_TABLE: "_Table | None" = None


class GazetteerUnavailable(RuntimeError):
    """The division table could not be found (the ``jionlp`` package is not installed)."""


@dataclass(frozen=True)
class Division:
    """One county-level (or prefecture-level) division and where it sits.

    Attributes
    ----------
    name : str
        Full name, e.g. ``"滨江区"`` (or ``"杭州市"`` for a prefecture).
    level : {"county", "city"}
    code : str
        Six-digit administrative code.
    city, province : str
        The prefecture and province it belongs to (for a prefecture, ``city``
        is its own name). 直辖市 are their own city: 北京市 / 北京市.
    """

    name: str
    level: str
    code: str
    city: str
    province: str


@dataclass
class _Table:
    counties: dict[str, list[Division]]
    cities: dict[str, list[Division]]
    provinces: dict[str, str]  # name and alias -> full name


def gazetteer_path() -> Path:
    """The division data file shipped by ``jionlp`` (found without importing it)."""
    spec = importlib.util.find_spec("jionlp")
    if spec is None or not spec.submodule_search_locations:
        raise GazetteerUnavailable(
            "the division table comes with the 'jionlp' package, which is not installed; "
            "install the project's dependencies (pip install -e .)"
        )
    path = Path(list(spec.submodule_search_locations)[0]).joinpath(*_DATA_FILE)
    if not path.exists():
        raise GazetteerUnavailable(f"division table not found at {str(path)!r}; reinstall 'jionlp'")
    return path


def _parse(path: Path) -> _Table:
    counties: dict[str, list[Division]] = {}
    cities: dict[str, list[Division]] = {}
    provinces: dict[str, str] = {}
    province = city = None
    with zipfile.ZipFile(path) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".txt"))
        with archive.open(name) as raw:
            for line in io.TextIOWrapper(raw, encoding="utf-8"):
                depth = len(line) - len(line.lstrip("\t"))
                if depth > 2:
                    continue  # towns and villages
                parts = line.strip().split("\t")
                if len(parts) < 2:
                    continue
                full, code = parts[0], parts[1]
                alias = parts[2] if len(parts) > 2 else None
                if depth == 0:
                    province = full
                    provinces[full] = full
                    if alias:
                        provinces.setdefault(alias, full)
                elif depth == 1:
                    city = full
                    if full != "省直辖行政区划" and province:
                        cities.setdefault(full, []).append(Division(full, "city", code, full, province))
                elif province and city:
                    # Counties governed by the province directly (仙桃市, 石河子市) count as their own city.
                    owner = full if city == "省直辖行政区划" else city
                    counties.setdefault(full, []).append(Division(full, "county", code, owner, province))
    return _Table(counties, cities, provinces)


def _table() -> _Table:
    global _TABLE
    if _TABLE is None:
        with _LOCK:
            if _TABLE is None:
                _TABLE = _parse(gazetteer_path())
                logger.debug("gazetteer: %d county names, %d city names", len(_TABLE.counties), len(_TABLE.cities))
    return _TABLE


def resolve_province(province: str | None) -> str | None:
    """The full province name for a full or short one (``浙江`` -> ``浙江省``); unknown names unchanged."""
    if not isinstance(province, str) or not province.strip():
        return None
    return _table().provinces.get(province.strip(), province.strip())


def lookup_county(name: str | None) -> list[Division]:
    """Every county-level division with exactly this full name (empty list if none)."""
    if not isinstance(name, str) or not name.strip():
        return []
    return list(_table().counties.get(name.strip(), []))


def lookup_city(name: str | None) -> list[Division]:
    """Every prefecture-level division with exactly this full name (直辖市 included)."""
    if not isinstance(name, str) or not name.strip():
        return []
    return list(_table().cities.get(name.strip(), []))


def is_county(name: str | None) -> bool:
    """True when ``name`` is the full name of a real county-level division."""
    return bool(lookup_county(name))


def is_city(name: str | None) -> bool:
    """True when ``name`` is the full name of a real prefecture-level division."""
    return bool(lookup_city(name))


def resolve_division(district: str | None = None, city: str | None = None,
                     province: str | None = None) -> Division | None:
    """The one division matching these names, or None when there is none or several.

    A district is matched first, narrowed by ``city`` and ``province`` when
    given; without a district the city is matched. ``province`` may be the
    short name (浙江 / 浙江省).

    >>> resolve_division("西湖区", province="浙江省").city
    '杭州市'
    >>> resolve_division("朝阳区") is None   # 北京市 or 长春市: ambiguous
    True
    """
    province = resolve_province(province)
    candidates = lookup_county(district) if district else lookup_city(city)
    if district and city:
        candidates = [c for c in candidates if c.city == city.strip()]
    if province:
        candidates = [c for c in candidates if c.province == province]
    return candidates[0] if len(candidates) == 1 else None


def counties_in(text: str) -> list[str]:
    """Full county-level names that occur in ``text``, in order of appearance, longest match first.

    >>> counties_in("杭州市滨江区司法局")
    ['滨江区']
    """
    table = _table()
    found: list[tuple[int, str]] = []
    i = 0
    while i < len(text):
        best = None
        for length in range(min(8, len(text) - i), 1, -1):
            if text[i:i + length] in table.counties:
                best = text[i:i + length]
                break
        if best:
            found.append((i, best))
            i += len(best)
        else:
            i += 1
    return [name for _, name in found]
