"""Read a report from disk or from a string into clean body lines.

Reports arrive as UTF-8 (with or without BOM), GB18030/GBK, UTF-16, with
Windows or old-Mac line endings, sometimes as the HTML source of the page they
were published on. Government portals wrap the body in *page furniture*
(索引号, 发布日期, 访问次数, 分享: ...) that is not part of the report.
This module turns any of that into a list of :class:`Line` objects holding body
text only; heading detection and paragraphing live in :mod:`nlp.segment`.

Body text is never rewritten: full-width and half-width punctuation are kept
as published, and downstream regexes accept both.
"""
from __future__ import annotations

import html
import logging
import os
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Union

__all__ = [
    "ReportInputError",
    "Line",
    "RawText",
    "decode_bytes",
    "html_to_text",
    "load_text",
    "is_furniture",
    "body_lines",
    "MAX_REPORT_BYTES",
]

logger = logging.getLogger(__name__)

PathOrText = Union[str, os.PathLike]

# Long enough for any real report (the seeds are 6-14 kB); a bigger input is
# still read, this only bounds what we try to decode as a single report.
MAX_REPORT_BYTES = 200 * 1024 * 1024


class ReportInputError(ValueError):
    """Raised when an input cannot be read as a report (binary, undecodable, ...)."""


@dataclass(frozen=True)
class Line:
    """One non-empty line of body text and its 0-based position in the source."""

    line_no: int
    text: str


@dataclass(frozen=True)
class RawText:
    """Decoded text of a report and where it came from."""

    text: str
    source: str  # the path, or "<string>"
    encoding: str


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return control > max(4, len(sample) // 50)


def decode_bytes(data: bytes, source: str = "<bytes>") -> RawText:
    """Decode report bytes: BOM first, then strict UTF-8, then GB18030.

    GB18030 is a superset of GBK and GB2312, so one fallback covers the
    encodings Chinese government portals use.

    Raises
    ------
    ReportInputError
        If the bytes look binary or decode under none of those encodings.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return RawText(data.decode(encoding), source, encoding)
    if _looks_binary(data):
        raise ReportInputError(
            f"{source}: expected a text report (UTF-8, GB18030/GBK or UTF-16), "
            "received what looks like a binary file (NUL or control bytes)"
        )
    for encoding in ("utf-8", "gb18030"):
        try:
            return RawText(data.decode(encoding), source, encoding)
        except UnicodeDecodeError:
            continue
    raise ReportInputError(
        f"{source}: expected UTF-8, GB18030/GBK or UTF-16 text, received bytes "
        "that decode as none of them"
    )


# --- HTML ---------------------------------------------------------------

_HTML_HINT = re.compile(r"<\s*(?:!doctype\s+html|html|body|head|div|p|br|span|table|script|meta)\b", re.I)
_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "footer", "blockquote", "title",
}
_SKIP_TAGS = {"script", "style", "noscript", "template", "iframe", "svg", "head"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag, attrs):  # noqa: D401 - HTMLParser API
        if tag in _SKIP_TAGS and tag != "head":
            self._skip_depth += 1
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag, attrs):
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _SKIP_TAGS and tag != "head" and self._skip_depth:
            self._skip_depth -= 1
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip_depth:
            self.parts.append(data)


def looks_like_html(text: str) -> bool:
    head = text[:4096]
    return len(_HTML_HINT.findall(head)) >= 2 or head.lstrip().lower().startswith(("<!doctype html", "<html"))


def html_to_text(text: str) -> str:
    """Strip tags, scripts and styles from a report page, keeping body text as lines."""
    parser = _TextExtractor()
    parser.feed(text)
    parser.close()
    out = "".join(parser.parts)
    return html.unescape(out)


# --- loading -------------------------------------------------------------

_PATH_SUFFIXES = (".txt", ".text", ".htm", ".html", ".md", ".csv", ".json", ".jsonl")


def _is_path_like(value: PathOrText) -> bool:
    if isinstance(value, os.PathLike):
        return True
    if not isinstance(value, str) or not value or "\n" in value or len(value) > 1024:
        return False
    if os.path.exists(value):
        return True
    # A short string ending in a file suffix or containing a separator and no
    # CJK text is a path the user expected to exist.
    has_cjk = re.search(r"[\u4e00-\u9fff]", value) is not None
    return not has_cjk and (value.lower().endswith(_PATH_SUFFIXES) or os.sep in value)


def load_text(path_or_text: PathOrText | bytes) -> RawText:
    """Return the decoded text of a report given as a path, a string or bytes.

    A :class:`os.PathLike`, or a one-line string naming an existing file or
    looking like a file name, is read from disk; any other string is taken as
    the report text itself.

    Raises
    ------
    FileNotFoundError
        If a path is given that does not exist.
    IsADirectoryError
        If the path is a directory (use :func:`nlp.load_corpus` for folders).
    ReportInputError
        If the content is binary or cannot be decoded.
    TypeError
        If the argument is neither a string, bytes nor a path.
    """
    if isinstance(path_or_text, (bytes, bytearray)):
        raw = decode_bytes(bytes(path_or_text), "<bytes>")
    elif _is_path_like(path_or_text):
        path = Path(path_or_text)
        if not path.exists():
            raise FileNotFoundError(f"report file not found: {str(path)!r}")
        if path.is_dir():
            raise IsADirectoryError(
                f"expected a report file, received the directory {str(path)!r}; "
                "use nlp.load_corpus(path) to read every report in a folder"
            )
        raw = decode_bytes(path.read_bytes(), str(path))
    elif isinstance(path_or_text, str):
        raw = RawText(path_or_text, "<string>", "str")
    else:
        raise TypeError(
            "expected a path, a report string or bytes, received "
            f"{type(path_or_text).__name__}"
        )
    text = raw.text
    if looks_like_html(text):
        logger.debug("%s: HTML source detected, stripping tags", raw.source)
        text = html_to_text(text)
    return RawText(text, raw.source, raw.encoding)


# --- furniture -------------------------------------------------------------

# Field names that portals print above or below the body. Spaces may be
# inserted between the characters (索 引 号), so they are matched loosely.
_FURNITURE_KEYS = (
    "信息索引号", "索引号", "文件编号", "统一编号", "文号", "主题分类", "体裁分类", "组配分类",
    "服务对象", "发布单位", "发布机构", "发文机关", "发布日期", "发布时间", "公布日期", "成文日期",
    "生效日期", "公开方式", "公开范围", "公开时限", "访问次数", "浏览次数", "点击数", "信息来源",
    "来源", "作者", "责任编辑", "字号", "分享到", "分享", "时间", "有效性",
)
_KEY_PATTERNS = "|".join(r"\s*".join(map(re.escape, key)) for key in _FURNITURE_KEYS)
# A furniture line starts with a key and a colon.
_FURNITURE_START = re.compile(rf"^(?:{_KEY_PATTERNS})\s*[:：]")
# Stand-alone page chrome that has no colon.
_CHROME = re.compile(
    r"^(?:【?\s*(?:打印本页|打印|关闭窗口|关闭|返回顶部|收藏|字体[:：]?\s*[大中小\s]*|"
    r"扫一扫在手机打开当前页|扫一扫在手机上查看当前页面|相关链接|附件[:：]?)\s*】?\s*)+$"
)
_BULLETS = "•·●▪■◆◇○◦‣∙"
_BULLET_PREFIX = re.compile(rf"^[{_BULLETS}]\s*")
_SPACE = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")


def is_furniture(line: str) -> bool:
    """True if ``line`` (already stripped of bullets) is page furniture, not body."""
    stripped = line.strip()
    if not stripped:
        return True
    if _FURNITURE_START.match(stripped):
        return True
    if _CHROME.match(stripped):
        return True
    return False


def _clean_line(line: str) -> str:
    line = _BULLET_PREFIX.sub("", line.strip(" \t\u3000\u00a0\u200b\ufeff"))
    return line.strip(" \t\u3000\u00a0\u200b\ufeff")


def body_lines(text: str) -> list[Line]:
    """Split decoded text into non-empty body lines, dropping page furniture.

    Windows (``\\r\\n``) and old-Mac (``\\r``) line ends are both line breaks.
    Leading bullet dots are removed; the rest of every body line is kept as is.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    lines: list[Line] = []
    for line_no, raw_line in enumerate(text.split("\n")):
        line = _clean_line(raw_line)
        if not line or _SPACE.fullmatch(line) or is_furniture(line):
            continue
        lines.append(Line(line_no, line))
    return lines
