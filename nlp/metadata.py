"""Report metadata: what the text says about itself, plus a side file for the rest.

Title lines, 发布日期 / 公布日期 / 成文日期 and 发布单位 are parsed from the raw
text (before furniture is stripped). District, city, province and year that the
text does not carry come from a ``metadata.yaml`` beside the raw files; the raw
files are never edited. Parsed values win; a side-file value that disagrees
with the text is logged.
"""
from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Mapping, Sequence

from .reader import Line

__all__ = [
    "ReportMetadata",
    "parse_metadata",
    "find_title",
    "load_metadata_file",
    "merge_metadata",
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


def _district_in(text: str) -> str | None:
    for match in _DISTRICT.finditer(text):
        name = match.group(1)
        if name in _GENERIC_AREAS or any(name.endswith(g) for g in ("开发区", "示范区", "试验区", "园区")):
            continue
        return name
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
    for text in (meta.title or "", opening[:60]):
        years = _YEAR.findall(text)
        if years:
            meta.year = int(years[0])
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


def merge_metadata(parsed: ReportMetadata, side: Mapping[str, Any] | None) -> ReportMetadata:
    """Fill fields the text lacks from the side file; the text wins on conflict."""
    if not side:
        return parsed
    for key, value in side.items():
        current = getattr(parsed, key)
        if current is None:
            setattr(parsed, key, value)
        elif value is not None and str(current) != str(value):
            logger.warning(
                "%s: metadata file says %s=%r but the text says %r; keeping the text",
                parsed.doc_id, key, value, current,
            )
    return parsed
