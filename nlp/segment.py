"""Headings, paragraphs, section roles and sentences of a report.

These reports share one outline:

* level 1: ``一、主要举措和成效`` (also ``第一部分``),
* level 2: ``(一)`` / ``（一）``,
* level 3: ``1.`` / ``1、`` / ``(1)`` / ``（1）``,
* inline items: ``一是`` / ``二要`` / ``三方面`` ... at the start of a paragraph.

Each marker may stand on a line of its own (a heading: no sentence inside) or
open a paragraph (an inline heading: ``(一)以“统筹引领”推进……。责任再压实,……``).
Heading-only lines are context, not paragraphs. An inline heading's title (the
text up to its first full stop) fills the heading path at its level, and the
paragraph keeps its whole text.

``section_role`` comes from the level-1 heading a paragraph sits under.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Sequence

from .reader import Line

__all__ = [
    "SECTION_ROLES",
    "Heading",
    "Paragraph",
    "parse_heading",
    "section_role_for",
    "segment_lines",
    "split_sentences",
]

SECTION_ROLES = ("preamble", "achievements", "problems", "leadership", "plans", "other")

_CN_NUM = "一二三四五六七八九十百零〇"
_LEVEL1 = re.compile(rf"^(?:[{_CN_NUM}]+\s*[、.．]|第[{_CN_NUM}]+(?:部分|章)\s*[、:：]?)\s*")
_LEVEL2 = re.compile(rf"^[(（]\s*[{_CN_NUM}]+\s*[)）]\s*[、.．]?\s*")
_LEVEL3 = re.compile(r"^(?:\d{1,2}\s*[.．、](?!\d)|[(（]\s*\d{1,2}\s*[)）]\s*[、.．]?|[①②③④⑤⑥⑦⑧⑨⑩])\s*")
_ITEM = re.compile(rf"^(?:[{_CN_NUM}]+是|[{_CN_NUM}]+要|[{_CN_NUM}]+方面|第[{_CN_NUM}]+[，,、])\s*(?=\S)")
_SENTENCE_END = "。！？!?"
# A heading is short and contains no sentence; 60 characters covers the long
# level-1 headings ("三、党政主要负责人履行推进法治建设第一责任人职责情况").
_MAX_HEADING_CHARS = 60


@dataclass(frozen=True)
class Heading:
    """A heading marker found at the start of a line."""

    level: int  # 1, 2, 3, or 4 for inline items (一是)
    marker: str
    title: str  # text after the marker, up to the first sentence end
    standalone: bool  # True when the line is only a heading


@dataclass
class Paragraph:
    """One body paragraph with its heading context."""

    para_id: int
    text: str
    heading_1: str = ""
    heading_2: str = ""
    heading_3: str = ""
    section_role: str = "preamble"
    line_no: int = -1

    @property
    def heading_path(self) -> str:
        return " > ".join(h for h in (self.heading_1, self.heading_2, self.heading_3) if h)


def _first_sentence_end(text: str) -> int:
    """Index of the first sentence terminator outside quotes and brackets, or -1."""
    depth = 0
    for i, ch in enumerate(text):
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS and depth:
            depth -= 1
        elif ch in _SENTENCE_END and depth == 0:
            return i
    return -1


# Headings are short; format characters further into a long line cannot change one.
_FORMAT_WINDOW = 200


def _without_format_characters(line: str) -> str:
    """Drop invisible format characters (Unicode category Cf: U+200B, U+200E, U+FEFF ...) near the start.

    A left-to-right mark before ``二、存在的问题`` or a zero-width space between
    ``二`` and ``、`` would otherwise hide the heading. Only the copy that is
    matched changes; paragraph text is kept as published.
    """
    head = line[:_FORMAT_WINDOW]
    if not any(unicodedata.category(ch) == "Cf" for ch in head):
        return line
    return "".join(ch for ch in head if unicodedata.category(ch) != "Cf") + line[_FORMAT_WINDOW:]


def parse_heading(line: str) -> Heading | None:
    """Recognise a heading marker at the start of ``line``.

    >>> parse_heading("（一）统筹协调抓推进,提升法治政府建设水平").standalone
    True
    >>> h = parse_heading("一是高位推进,法治滨江统筹有力。聚焦高水平法治统抓")
    >>> (h.level, h.title, h.standalone)
    (4, '高位推进,法治滨江统筹有力', False)
    """
    line = _without_format_characters(line)
    for level, pattern in ((1, _LEVEL1), (2, _LEVEL2), (3, _LEVEL3), (4, _ITEM)):
        match = pattern.match(line)
        if not match:
            continue
        rest = line[match.end():]
        if not rest.strip():
            return None
        end = _first_sentence_end(rest)
        title = (rest[:end] if end >= 0 else rest).strip().rstrip("：:；;，,")
        # Headings carry no sentence terminator; "(二)加强调解。" alone is a short paragraph.
        standalone = end < 0 and len(rest) <= _MAX_HEADING_CHARS
        if rest.rstrip().endswith(("，", ",", "、", "…", "；", ";")):
            # "1.行政复议案件数量持续增长，…": a clause that goes on is body text, not a title.
            standalone = False
        if level == 4 and standalone and end < 0 and len(rest) > 30:
            # "一是" followed by a long unpunctuated clause is body text.
            standalone = False
        return Heading(level, match.group(0).strip(), title, standalone)
    return None


# Order matters: the first matching role wins, so the specific cues come first.
_ROLE_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("leadership", re.compile(r"第一责任人|主要负责人|负责人履行|履职情况|述法")),
    ("problems", re.compile(r"问题|不足|短板|差距|薄弱")),
    ("achievements", re.compile(r"成效|成绩|完成情况|举措|取得|亮点|回顾")),
    ("plans", re.compile(r"安排|思路|计划|打算|下一步|展望|重点工作|重点任务|工作要点|努力方向|目标任务")),
    ("achievements", re.compile(r"主要工作|工作情况|基本情况|做法|进展|开展|推进情况|落实情况")),
)
_YEAR = re.compile(r"(20\d{2})\s*年")


def section_role_for(heading_1: str, report_year: int | None = None) -> str:
    """Map a level-1 heading to a section role.

    >>> section_role_for("二、存在的主要问题")
    'problems'
    >>> section_role_for("四、2025年推进法治政府建设的主要安排")
    'plans'
    >>> section_role_for("五、2025年工作", report_year=2024)
    'plans'
    """
    if not heading_1:
        return "preamble"
    for role, cue in _ROLE_CUES:
        if cue.search(heading_1):
            return role
    years = [int(y) for y in _YEAR.findall(heading_1)]
    if report_year and years:
        return "plans" if max(years) > report_year else "achievements"
    return "other"


def segment_lines(lines: Sequence[Line], report_year: int | None = None, skip_line_nos: Iterable[int] = ()) -> list[Paragraph]:
    """Turn body lines into paragraphs with their heading path and section role.

    Parameters
    ----------
    lines
        Body lines from :func:`nlp.reader.body_lines`.
    report_year
        The year the report covers; lets a level-1 heading that names a later
        year ("2025年工作") count as ``plans``.
    skip_line_nos
        Line numbers that are not body (for example the title line).
    """
    skip = set(skip_line_nos)
    heading = {1: "", 2: "", 3: ""}
    paragraphs: list[Paragraph] = []
    role = "preamble"
    item_level: int | None = None
    body = [line for line in lines if line.line_no not in skip]
    parsed = [parse_heading(line.text) for line in body]
    for index, line in enumerate(body):
        found = parsed[index]
        if found is not None and found.level == 3 and found.standalone and _heads_nothing(parsed, index):
            # A numbered line followed by the next numbered line (or a higher heading, or the end) heads
            # no text: it is a statement in a list ("1.行政复议案件数量持续增长，案多人少矛盾突出"), kept as body.
            found = Heading(found.level, found.marker, found.title, standalone=False)
        if found is not None and found.level == 4 and not found.standalone and _lists_items(line.text):
            # "一是……二是……三是……" in one paragraph is a list, not a heading.
            found = None
        if found is not None:
            level = found.level
            if level == 4:
                # Inline items (一是) take the next level below the headings in
                # force when the first item appears, and keep it for its siblings.
                if item_level is None:
                    item_level = 2 if not heading[2] else 3
                level = item_level
            elif level in (1, 2):
                item_level = None
            if level == 1:
                heading = {1: found.title, 2: "", 3: ""}
                role = section_role_for(found.title, report_year)
            elif level == 2:
                heading[2], heading[3] = found.title, ""
            else:
                heading[3] = found.title
            if found.standalone:
                continue
        paragraphs.append(
            Paragraph(
                para_id=len(paragraphs),
                text=line.text,
                heading_1=heading[1],
                heading_2=heading[2],
                heading_3=heading[3],
                section_role=role,
                line_no=line.line_no,
            )
        )
    return paragraphs


def _heads_nothing(parsed: Sequence[Heading | None], index: int) -> bool:
    """True if the heading at ``index`` is followed by the end or by a heading of its level or above."""
    if index + 1 >= len(parsed):
        return True
    following = parsed[index + 1]
    return following is not None and following.level <= parsed[index].level


def _lists_items(text: str) -> bool:
    """True if a paragraph that opens with 一是 also holds 二是 (or 二要 ...)."""
    text = _without_format_characters(text)
    match = _ITEM.match(text)
    if not match:
        return False
    suffix = re.sub(rf"^[{_CN_NUM}]+", "", match.group(0).strip())
    return re.search(rf"[。；;,，]\s*二{re.escape(suffix)}", text) is not None


# --- sentences -------------------------------------------------------------

_OPENERS = "“‘《「『(（[【〈"
_CLOSERS = "”’》」』)）]】〉"
_SPLIT_AFTER = "。！？；!?;"


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences at 。！？； and line ends.

    Terminators inside quotes, book-title marks and brackets do not split, so
    a quoted title such as 《关于……的意见。》 stays whole. Each sentence keeps
    its terminator; empty pieces are dropped.

    >>> split_sentences("开展“八进”活动。出台《实施办法；试行》；完成审批282件！")
    ['开展“八进”活动。', '出台《实施办法；试行》；', '完成审批282件！']
    """
    sentences: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(text):
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            depth = max(0, depth - 1)
        elif ch == "\n" or (ch in _SPLIT_AFTER and depth == 0):
            end = i if ch == "\n" else i + 1
            piece = text[start:end].strip()
            if piece:
                sentences.append(piece)
            start = i + 1
            if ch == "\n":
                depth = 0
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences
