"""Report metadata: what the text says about itself, what the user states, and the gazetteer.

Title lines, 发布日期 / 公布日期 / 成文日期 and 发布单位 are parsed from the raw
text (before furniture is stripped), and district and year from the title or
the opening sentence. Three rules make these values trustworthy:

- **The user wins.** Values the user states — a ``metadata.yaml`` beside the
  raw files, the ``metadata=`` argument of :func:`nlp.read_report`, the
  columns of a paragraph table — always replace values parsed from the text; a
  disagreement is a warning (logged and kept in ``Report.warnings``). The raw
  files are never edited.
- **Only real places.** A district name guessed from the text is kept only
  when it is a real county-level division (:mod:`nlp.gazetteer`), so strings
  such as ``现将我区`` or ``政府市`` never become a district. The gazetteer also
  fills city and province from the district (and resolves names such as 朝阳区
  that exist in several cities from a city or province named in the text).
- **No year from the future.** A parsed year is never later than the year of
  the publication date (发布日期, else 成文日期); a plan year such as 2027 in a
  title is skipped for the next earlier year mentioned.
"""
from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Mapping, Sequence

from . import gazetteer
from .reader import Line

__all__ = [
    "ReportMetadata",
    "parse_metadata",
    "find_title",
    "load_metadata_file",
    "merge_metadata",
    "complete_from_gazetteer",
]

logger = logging.getLogger(__name__)


@dataclass
class ReportMetadata:
    """Metadata of one report. Supports ``meta.district`` and ``meta["district"]``.

    Examples
    --------
    >>> meta = ReportMetadata(doc_id="x", district="滨江区", year=2024)
    >>> meta["district"], meta.year
    ('滨江区', 2024)
    """

    doc_id: str
    title: str | None = None
    district: str | None = None
    city: str | None = None
    province: str | None = None
    year: int | None = None
    publisher: str | None = None
    published: str | None = None
    written: str | None = None
    source: str | None = None
    encoding: str | None = None

    def __getitem__(self, key: str) -> Any:
        if key not in self.keys():
            raise KeyError(f"unknown metadata field {key!r}; fields are {self.keys()}")
        return getattr(self, key)

    def keys(self) -> list[str]:
        return [f.name for f in fields(self)]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_DATE = r"(20\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})"
_DATE_FIELDS = {
    "published": ("发布日期", "发布时间", "公布日期"),
    "written": ("成文日期",),
}
_PUBLISHER_KEYS = ("发布单位", "发布机构", "发文机关", "信息来源", "来源")
_NEXT_KEY = r"(?=\s+\S{2,6}\s*[:：]|$)"

_TITLE_CUE = re.compile(r"报告|总结|思路|工作情况|情况的报告|年度报告")
_SENTENCE = re.compile(r"[。！？!?]")
_YEAR = re.compile(r"(20\d{2})\s*年")
_GENERIC_AREAS = {
    "全区", "本区", "我区", "该区", "城区", "辖区", "园区", "社区", "镇区", "街区", "景区", "片区",
    "全县", "本县", "我县", "该县", "各区", "各县", "新区", "市区", "开发区", "示范区", "试验区",
}
_DISTRICT = re.compile(
    r"((?:(?![省市区县旗])[\u4e00-\u9fff]){2,6}?(?:区|县|旗|市))"
    r"(?=司法局|人民政府|政府|委员会|依法治|法治|关于|20\d\d|$|[,，\s]|在|坚持|以|紧扣|扎实|深入|认真|全面)"
)
_PUBLISHER = re.compile(r"([\u4e00-\u9fff]{2,12}?(?:司法局|人民政府|政府办公室|依法治区办|依法治县办))")


def _key_pattern(key: str) -> str:
    return r"\s*".join(map(re.escape, key))


def _field_value(raw_lines: Sequence[str], keys: Sequence[str]) -> str | None:
    for key in keys:
        pattern = re.compile(rf"{_key_pattern(key)}\s*[:：]\s*(.*?){_NEXT_KEY}")
        for line in raw_lines:
            match = pattern.search(line)
            if match and match.group(1).strip():
                return match.group(1).strip()
    return None


def _iso_date(value: str | None) -> str | None:
    if not value:
        return None
    match = re.search(_DATE, value)
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    return f"{year:04d}-{month:02d}-{day:02d}"


def find_title(lines: Sequence[Line]) -> Line | None:
    """The title line, if the report has one before its first paragraph.

    A title is one of the first few body lines: short, with no sentence in it,
    naming a report or summary (报告 / 总结 / 思路).
    """
    for line in lines[:4]:
        text = line.text
        if _SENTENCE.search(text.rstrip("。")) or len(text) > 80:
            return None  # reached body text
        if _TITLE_CUE.search(text) and not re.match(r"^[一二三四五六七八九十(（]", text):
            return line
    return None


def _real_county(candidate: str) -> str | None:
    """``candidate`` or its longest suffix that is a real county-level division (``我们滨江区`` -> ``滨江区``)."""
    for start in range(len(candidate) - 1):
        name = candidate[start:]
        if name in _GENERIC_AREAS:
            return None
        if gazetteer.is_county(name):
            return name
    return None


def _district_in(text: str) -> str | None:
    for match in _DISTRICT.finditer(text):
        name = match.group(1)
        if name in _GENERIC_AREAS or any(name.endswith(g) for g in ("开发区", "示范区", "试验区", "园区")):
            continue
        real = _real_county(name)
        if real:
            return real
    return None


def _publication_year(meta: ReportMetadata) -> int | None:
    for value in (meta.published, meta.written):
        if value:
            return int(str(value)[:4])
    return None


# Metadata fields sit in the first lines of a page, and on short lines.
_HEAD_LINES = 40
_HEAD_LINE_CHARS = 2000
_OPENING_CHARS = 1000


def _head_lines(raw_text: str) -> list[str]:
    """The first non-empty raw lines (furniture included), each cut to a bounded length."""
    out: list[str] = []
    # Only the head of the text is split, never the whole (possibly huge) text.
    chunk = raw_text[: _HEAD_LINES * _HEAD_LINE_CHARS]
    for line in chunk.splitlines():
        line = line[:_HEAD_LINE_CHARS].strip(" •·\t\u3000")
        if line:
            out.append(line)
        if len(out) >= _HEAD_LINES:
            break
    return out


def parse_metadata(doc_id: str, raw_text: str, lines: Sequence[Line]) -> ReportMetadata:
    """Parse what the report text says about itself.

    Parameters
    ----------
    doc_id
        Identifier of the report (the file stem for files).
    raw_text
        The decoded text before page furniture was removed.
    lines
        Body lines (furniture removed), used for the title and opening paragraph.
    """
    raw_lines = _head_lines(raw_text)
    meta = ReportMetadata(doc_id=doc_id)
    meta.published = _iso_date(_field_value(raw_lines, _DATE_FIELDS["published"]))
    meta.written = _iso_date(_field_value(raw_lines, _DATE_FIELDS["written"]))
    title_line = find_title(lines)
    meta.title = title_line.text if title_line else None
    # The district and publisher are named at the start of the opening
    # paragraph; bounding the search keeps a 50 MB one-line input fast.
    opening = next((l.text for l in lines if l is not title_line), "")[:_OPENING_CHARS]
    publisher = _field_value(raw_lines, _PUBLISHER_KEYS)
    for text in (meta.title or "", opening):
        if publisher:
            break
        match = _PUBLISHER.search(text)
        if match:
            publisher = match.group(1)
    meta.publisher = publisher
    for text in (meta.title or "", opening):
        district = _district_in(text)
        if district:
            meta.district = district
            break
    latest = _publication_year(meta)
    for text in (meta.title or "", opening[:60]):
        # A report is published after the year it covers: a later year is a plan year, not the report's.
        years = [int(y) for y in _YEAR.findall(text) if latest is None or int(y) <= latest]
        if years:
            meta.year = years[0]
            break
    return meta


def load_metadata_file(path: Path) -> dict[str, dict[str, Any]]:
    """Read ``metadata.yaml``: a mapping ``reports: {doc_id: {field: value}}``."""
    import yaml

    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    reports = data.get("reports", {})
    if not isinstance(reports, dict):
        raise ValueError(f"{path}: expected 'reports' to be a mapping of doc_id to fields, received {type(reports).__name__}")
    valid = set(ReportMetadata.__dataclass_fields__) - {"doc_id"}
    for doc_id, entry in reports.items():
        unknown = set(entry or {}) - valid
        if unknown:
            raise ValueError(f"{path}: report {doc_id!r} has unknown fields {sorted(unknown)}; valid fields are {sorted(valid)}")
    return {str(k): dict(v or {}) for k, v in reports.items()}


def merge_metadata(parsed: ReportMetadata, side: Mapping[str, Any] | None,
                   warnings: list[str] | None = None) -> ReportMetadata:
    """Apply the values the user states (side file, ``metadata=`` argument); they win over the text.

    Parameters
    ----------
    parsed
        Metadata parsed from the text (changed in place and returned).
    side
        The user's values; ``None`` values are ignored.
    warnings
        A list to which each disagreement is appended (it is also logged).

    Examples
    --------
    >>> meta = merge_metadata(ReportMetadata("r1", district="政府区", year=2027), {"district": "滨江区", "year": 2024})
    >>> meta.district, meta.year
    ('滨江区', 2024)
    """
    if not side:
        return parsed
    valid = set(parsed.keys()) - {"doc_id"}
    unknown = set(side) - valid
    if unknown:
        raise ValueError(f"{parsed.doc_id}: unknown metadata fields {sorted(unknown)}; valid fields are {sorted(valid)}")
    for key, value in side.items():
        if value is None or (isinstance(value, float) and value != value):
            continue
        if key == "year":
            value = int(value)
        current = getattr(parsed, key)
        if current is not None and str(current) != str(value):
            message = f"{parsed.doc_id}: you state {key}={value!r} but the text says {current!r}; keeping {value!r}"
            logger.warning(message)
            if warnings is not None:
                warnings.append(message)
        setattr(parsed, key, value)
    return parsed


def complete_from_gazetteer(meta: ReportMetadata, context: str = "",
                            warnings: list[str] | None = None) -> ReportMetadata:
    """Fill a missing city and province from the district; check the year against the publication date.

    The district is looked up in :mod:`nlp.gazetteer`, narrowed by the city or
    province already known and, for a name several cities share (朝阳区), by a
    city or province named in ``context`` (the title and opening). Values
    already set are never replaced; a city or province that contradicts the
    gazetteer is a warning. A year later than the publication year is a warning.

    >>> complete_from_gazetteer(ReportMetadata("r1", district="瓯海区")).city
    '温州市'
    """
    def warn(message: str) -> None:
        logger.warning(message)
        if warnings is not None:
            warnings.append(message)

    if meta.district:
        candidates = gazetteer.lookup_county(meta.district)
        if not candidates:
            logger.info("%s: district %r is not in the gazetteer; city and province are not filled",
                        meta.doc_id, meta.district)
        narrowed = [c for c in candidates
                    if (not meta.city or c.city == meta.city)
                    and (not meta.province or c.province == gazetteer.resolve_province(meta.province))]
        if len(narrowed) > 1 and context:
            in_text = [c for c in narrowed if c.city in context or c.province in context]
            narrowed = in_text or narrowed
        if candidates and not narrowed:
            warn(f"{meta.doc_id}: district {meta.district!r} is not in city={meta.city!r} / "
                 f"province={meta.province!r} according to the gazetteer "
                 f"({', '.join(f'{c.province}{c.city}' for c in candidates)})")
        elif len(narrowed) == 1:
            meta.city = meta.city or narrowed[0].city
            meta.province = meta.province or narrowed[0].province
        elif len(narrowed) > 1:
            logger.info("%s: district %r exists in %s; state city or province to fill them", meta.doc_id,
                        meta.district, ", ".join(c.city for c in narrowed))
    elif meta.city and not meta.province:
        division = gazetteer.resolve_division(city=meta.city)
        if division:
            meta.province = division.province
    latest = _publication_year(meta)
    if meta.year is not None and latest is not None and int(meta.year) > latest:
        warn(f"{meta.doc_id}: year {meta.year} is later than the publication date ({latest}); check the year")
    return meta
