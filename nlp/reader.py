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

import logging
import os
import re
import stat
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
    "read_report_bytes",
    "read_at_most",
]

logger = logging.getLogger(__name__)

PathOrText = Union[str, os.PathLike]

# Far above any real report (the seeds are 6-14 kB): a bigger file (or a device
# such as /dev/zero) is refused before it is read, since decoding and segmenting
# take about eight times its size in memory. Raise it per call (``max_bytes=``),
# here, or with ``nlp predict --max-report-mb``.
MAX_REPORT_BYTES = 64 * 1024 * 1024


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


def _where(data: bytes, offset: int) -> str:
    line = data.count(b"\n", 0, offset) + 1
    return f"byte {offset:,} (line {line}, value 0x{data[offset]:02x})" if offset < len(data) else f"byte {offset:,}"


def _decode_leniently(data: bytes, source: str) -> RawText:
    """UTF-8 or GB18030, whichever needs fewer replacements, with U+FFFD for the bad bytes and a warning."""
    candidates = []
    for encoding in ("utf-8", "gb18030"):
        text = data.decode(encoding, errors="replace")
        candidates.append((text.count("\ufffd") - 0, encoding, text))
    bad, encoding, text = min(candidates, key=lambda c: c[0])
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        logger.warning("%s: replaced %d undecodable byte sequence(s) with U+FFFD, reading it as %s (first at %s)",
                       source, bad, encoding, _where(data, exc.start))
    return RawText(text, source, encoding)


def decode_bytes(data: bytes, source: str = "<bytes>", errors: str = "strict") -> RawText:
    """Decode report bytes: BOM first, then UTF-16 without BOM, strict UTF-8, then GB18030.

    GB18030 is a superset of GBK and GB2312, so one fallback covers the
    encodings Chinese government portals use. UTF-16 without a byte-order
    mark is accepted when one byte order gives plausible text. An error names
    the byte offset and line of the first bad byte; with ``errors="replace"``
    a file with a few bad bytes (a stray byte, a cut-off last character) is
    read with U+FFFD in their place and a logged warning.

    Raises
    ------
    ReportInputError
        If the bytes look binary, decode under none of those encodings, or
        decode as GB18030 only into nonsense (Big5, Shift-JIS, Latin-1 files).
    """
    if b"%PDF-" in data[:1024]:
        # A PDF whose streams are ASCII would otherwise "decode" into paragraphs such as "1 0 obj".
        raise ReportInputError(f"{source}: a PDF file, not text; read it with nlp.read_report(path), "
                               "which reads the PDF's text layer")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return RawText(data.decode(encoding), source, encoding)
            except UnicodeDecodeError as exc:
                raise ReportInputError(
                    f"{source}: starts with a {encoding} byte-order mark but is not valid {encoding} "
                    f"({exc.reason} at byte {exc.start})"
                ) from None
    if b"\x00" in data[:8192]:
        # UTF-16 written without a byte-order mark has NUL bytes too; accept it
        # only when it decodes to plausible text.
        utf16 = _decode_utf16_without_bom(data)
        if utf16 is not None:
            return RawText(utf16[0], source, utf16[1])
    if _looks_binary(data):
        raise ReportInputError(
            f"{source}: expected a text report (UTF-8, GB18030/GBK or UTF-16), "
            "received what looks like a binary file (NUL or control bytes)"
        )
    try:
        return RawText(data.decode("utf-8"), source, "utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = f"not UTF-8 from {_where(data, exc.start)} ({exc.reason})"
    lenient_hint = "; read it with errors='replace' (nlp predict --lenient) to replace the bad bytes"
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        if errors == "replace":
            return _decode_leniently(data, source)
        raise ReportInputError(
            f"{source}: expected UTF-8, GB18030/GBK or UTF-16 text, received bytes "
            f"that decode as none of them: {utf8_error}, not GB18030 from {_where(data, exc.start)}{lenient_hint}"
        ) from None
    share = _common_chinese_share(text)
    if share is not None and share < _MIN_COMMON_SHARE and errors == "replace":
        return _decode_leniently(data, source)
    if share is not None and share < _MIN_COMMON_SHARE:
        # GB18030 maps almost any byte pair to some character, so Big5,
        # Shift-JIS or Latin-1 files "decode" into nonsense; refuse them.
        raise ReportInputError(
            f"{source}: not UTF-8, and read as GB18030/GBK only {share:.0%} of its non-ASCII characters are "
            "common Chinese characters or punctuation; the file is probably in another encoding "
            f"(Big5, Shift-JIS, Latin-1) or not text; re-save it as UTF-8 ({utf8_error}){lenient_hint}"
        )
    return RawText(text, source, "gb18030")


# Below this share of GB2312 characters among the non-ASCII characters, text
# decoded as GB18030 is taken to be in another encoding. Simplified-Chinese
# reports score above 0.99 (the seeds: 0.998-1.0), heavily traditional text
# saved as GBK about 0.65; Big5 and Latin-1 text read as GB18030 score about
# 0.33, Shift-JIS 0.0. (EUC-KR cannot be told apart this way: its bytes are
# valid GB2312.)
_MIN_COMMON_SHARE = 0.5
_PLAUSIBLE = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\u2000-\u206f\x20-\x7e\s]")


def _common_chinese_share(text: str, sample: int = 100_000, minimum: int = 50) -> float | None:
    """Share of GB2312-encodable characters among the non-ASCII ones (None if too few to judge)."""
    non_ascii = [ch for ch in text[:sample] if ord(ch) > 127]
    if len(non_ascii) < minimum:
        return None
    common = 0
    for ch in non_ascii:
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            continue
        common += 1
    return common / len(non_ascii)


def _decode_utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """Decode BOM-less UTF-16 when one byte order gives plausible text, else None."""
    sample_bytes = data[:8192]
    nuls = sample_bytes.count(0)
    if len(data) % 2 or nuls < 2:
        return None
    if nuls < len(sample_bytes) // 100:
        # UTF-16 has a NUL byte for every ASCII character (line ends, digits);
        # valid UTF-8 with a few stray NULs is not UTF-16.
        try:
            data.decode("utf-8")
            return None
        except UnicodeDecodeError:
            pass
    best: tuple[float, str] | None = None
    for encoding in ("utf-16-le", "utf-16-be"):
        sample = sample_bytes.decode(encoding, errors="replace")
        score = len(_PLAUSIBLE.findall(sample)) / len(sample)
        if score >= 0.95 and (best is None or score > best[0]):
            best = (score, encoding)
    if best is None:
        return None
    try:
        return data.decode(best[1]), best[1]
    except UnicodeDecodeError:
        return None


# --- HTML ---------------------------------------------------------------

_HTML_HINT = re.compile(r"<\s*(?:!doctype\s+html|html|body|head|div|p|br|span|table|script|meta)\b", re.I)
_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "dl", "dt", "dd",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "blockquote", "title", "hr", "pre",
}
# Table cells stay on their row's line, separated by a space, so that a
# metadata table (索引号: | 001/2025 | 发布机构: | 区司法局) stays one furniture line.
_CELL_TAGS = {"td", "th"}
# Never body text: code, embedded objects, navigation menus, side bars, page
# footers, form controls. (Not <form>: ASP.NET pages wrap the whole page in one.)
_SKIP_TAGS = {
    "script", "style", "noscript", "template", "iframe", "svg", "object", "canvas",
    "nav", "aside", "footer", "select", "button", "textarea",
}
# Elements whose class or id names one of these (as a whole word: "main-nav",
# "footer", "bread_crumb") hold page chrome, on portals that predate <nav>.
_SKIP_CLASS_WORDS = {"nav", "navbar", "menu", "footer", "breadcrumb", "breadcrumbs", "crumb", "crumbs", "share", "sidebar"}
_CLASS_SPLIT = re.compile(r"[\s_\-]+")
_HEAD_TAGS = {"title", "meta", "link", "style", "script", "base", "noscript", "template"}
# Void elements have no end tag, so they never open a skipped region.
_VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def _is_chrome_element(tag: str, attrs: list[tuple[str, str | None]]) -> bool:
    if tag in _SKIP_TAGS:
        return True
    for name, value in attrs:
        if name == "role" and value in ("navigation", "contentinfo", "banner"):
            return True
        if name in ("class", "id") and value and _SKIP_CLASS_WORDS.intersection(_CLASS_SPLIT.split(value.lower())):
            return True
    return False


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title_parts: list[str] = []
        # The outermost skipped element and how many elements of its name are open inside it.
        self._skip_tag: str | None = None
        self._skip_depth = 0
        self._in_title = False
        self._in_head = False

    def handle_starttag(self, tag, attrs):  # noqa: D401 - HTMLParser API
        if self._skip_tag is not None:
            if tag == self._skip_tag:
                self._skip_depth += 1
            return
        if tag == "head":
            self._in_head = True
        elif tag == "title":
            self._in_title = True
        elif tag not in _HEAD_TAGS:
            # <body>, or body content on a page that never closed <head> or <title>
            self._in_head = self._in_title = False
        if tag not in _VOID_TAGS and _is_chrome_element(tag, attrs):
            self._skip_tag, self._skip_depth = tag, 1
            return
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag, attrs):
        if self._skip_tag is None and tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if self._skip_tag is not None:
            if tag == self._skip_tag:
                self._skip_depth -= 1
                if not self._skip_depth:
                    self._skip_tag = None
                    self.parts.append("\n")
            return
        if tag == "head":
            self._in_head = False
        elif tag == "title":
            self._in_title = False
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")
        elif tag in _CELL_TAGS:
            self.parts.append(" ")

    def handle_data(self, data):
        if self._skip_tag is not None:
            return
        if self._in_title:
            self.title_parts.append(data)
        elif not self._in_head:
            self.parts.append(data)


def looks_like_html(text: str) -> bool:
    head = text[:4096]
    return len(_HTML_HINT.findall(head)) >= 2 or head.lstrip().lower().startswith(("<!doctype html", "<html"))


# "标题_滨江区人民政府" / "标题 | 网站" / "标题 - 网站": the site name after the title.
_TITLE_SUFFIX = re.compile(r"\s*(?:[_|｜]|\s[-—–]{1,2}\s).*$")


def _escape_unclosed_tags(text: str) -> str:
    """Escape every ``<`` that no ``>`` closes before the next ``<``, in one linear pass.

    :class:`html.parser.HTMLParser` rescans the rest of the page for each
    unclosed tag (``<a `` repeated: 120 kB took minutes); such a ``<`` is text.
    Comments are kept whole (``<!-- ... <p> ... -->``).
    """
    out: list[str] = []
    start = 0
    n = len(text)
    close = -1  # position of the next ">" at or after i (n: none left)
    comment_end = -1  # position of the next "-->" (n: none left)
    i = text.find("<")
    while i != -1:
        if text.startswith("<!--", i):
            if comment_end < i + 4 and comment_end != n:
                found = text.find("-->", i + 4)
                comment_end = n if found == -1 else found
            if comment_end != n:
                i = text.find("<", comment_end + 3)
                continue
        if close <= i and close != n:
            found = text.find(">", i + 1)
            close = n if found == -1 else found
        following = text.find("<", i + 1)
        if close == n or (following != -1 and following < close):
            out.append(text[start:i])
            out.append("&lt;")
            start = i + 1
        i = following
    if not out:
        return text
    out.append(text[start:])
    return "".join(out)


def html_to_text(text: str) -> str:
    """Strip tags, scripts, styles and navigation from a report page, keeping body text as lines.

    The page ``<title>`` (without a ``_site name`` suffix) becomes the first
    line unless the body already carries it, so the report title is found
    once. Comments and the rest of ``<head>`` are dropped.
    """
    parser = _TextExtractor()
    parser.feed(_escape_unclosed_tags(text))
    parser.close()
    body = "".join(parser.parts)
    title = " ".join("".join(parser.title_parts).split())
    title = _TITLE_SUFFIX.sub("", title).strip()
    if title and title not in body[:20000]:
        body = title + "\n" + body
    return body


# --- loading -------------------------------------------------------------

_PATH_SUFFIXES = (".txt", ".text", ".htm", ".html", ".md", ".csv", ".json", ".jsonl", ".pdf", ".docx", ".doc", ".wps")
_SENTENCE_PUNCTUATION = re.compile(r"[。，；！？、：,;]|\s[\u4e00-\u9fff]")


def _is_path_like(value: PathOrText) -> bool:
    if isinstance(value, os.PathLike):
        return True
    if not isinstance(value, str) or not value or "\n" in value or len(value) > 1024:
        return False
    if os.path.exists(value):
        return True
    # A one-line string ending in a file suffix ("/data/滨江区2024年报告.txt"),
    # or holding a path separator and no sentence punctuation, is a path the
    # user expected to exist; markup ("<p>...</p>", a minified page on one
    # line) and a sentence ("收案845件/年。") are text.
    if looks_like_html(value) or ("<" in value and ">" in value):
        return False
    if value.strip().lower().endswith(_PATH_SUFFIXES):
        return True
    has_separator = "/" in value or os.sep in value
    return has_separator and not _SENTENCE_PUNCTUATION.search(value)


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _replace_surrogates(text: str, source: str) -> str:
    """Lone surrogate code points are not text (no encoding can write them): U+FFFD, with a warning."""
    count = len(_SURROGATE.findall(text))
    if not count:
        return text
    logger.warning("%s: replaced %d lone surrogate code point(s), which are not valid Unicode text, with U+FFFD",
                   source, count)
    return _SURROGATE.sub("\ufffd", text)


def _limit(max_bytes: int | None) -> int:
    limit = MAX_REPORT_BYTES if max_bytes is None else max_bytes
    if not isinstance(limit, int) or isinstance(limit, bool) or limit <= 0:
        raise ValueError(f"max_bytes: expected a positive integer, received {max_bytes!r}")
    return limit


def _check_size(size: int, source: str, max_bytes: int | None) -> None:
    limit = _limit(max_bytes)
    if size > limit:
        raise ReportInputError(
            f"{source}: {size:,} bytes, more than the limit of {limit:,} bytes for one report; "
            "raise it with max_bytes= (nlp predict --max-report-mb) if this really is one report"
        )


def read_at_most(fd: int, limit: int, chunk_size: int = 1 << 24) -> bytes:
    """Read an open file descriptor to its end, but never more than ``limit + 1`` bytes.

    One byte past the limit is read so that the caller can tell a file of
    exactly ``limit`` bytes from a longer one (or one that grew while read).

    >>> import os, tempfile
    >>> fd, name = tempfile.mkstemp(); _ = os.write(fd, b"abcdef"); _ = os.lseek(fd, 0, 0)
    >>> read_at_most(fd, 3), os.close(fd)
    (b'abcd', None)
    """
    chunks, size = [], 0
    while size <= limit:
        chunk = os.read(fd, min(chunk_size, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def read_report_bytes(path: Union[str, os.PathLike], max_bytes: int | None = None) -> bytes:
    """The bytes of a report file, refusing what is not a regular file or exceeds the size limit.

    A FIFO, a device (``/dev/zero``) or a socket is refused before reading
    (it could block forever or never end); a file over ``max_bytes``
    (default :data:`MAX_REPORT_BYTES`) is refused before it is read.

    Raises
    ------
    ReportInputError
        For a special file or one over the limit.
    """
    limit = _limit(max_bytes)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ReportInputError(f"{path}: expected a report file, received a device, FIFO or other special file")
        _check_size(info.st_size, str(path), limit)
        data = read_at_most(fd, limit)
        _check_size(len(data), str(path), limit)  # a file that grew while it was read
        return data
    finally:
        os.close(fd)


def _decode_document(data: bytes, source: str, errors: str = "strict") -> RawText:
    """PDF and Word files by their bytes (:mod:`nlp.formats`), anything else as text."""
    from .formats import document_text, sniff_format

    text = document_text(data, source)
    if text is not None:
        return RawText(text, source, sniff_format(data) or "document")
    return decode_bytes(data, source, errors)


def load_text(path_or_text: PathOrText | bytes, max_bytes: int | None = None, errors: str = "strict") -> RawText:
    """Return the decoded text of a report given as a path, a string or bytes.

    A :class:`os.PathLike`, or a one-line string naming an existing file or
    looking like a file name, is read from disk; any other string is taken as
    the report text itself. ``max_bytes`` bounds a file or bytes (default
    :data:`MAX_REPORT_BYTES`); ``errors="replace"`` decodes bad bytes as U+FFFD
    with a warning instead of refusing the file (see :func:`decode_bytes`).

    Raises
    ------
    FileNotFoundError
        If a path is given that does not exist.
    IsADirectoryError
        If the path is a directory (use :func:`nlp.load_corpus` for folders).
    ReportInputError
        If the content is binary, cannot be decoded, is a special file or
        exceeds the size limit.
    TypeError
        If the argument is neither a string, bytes nor a path.
    """
    if isinstance(path_or_text, (bytes, bytearray)):
        _check_size(len(path_or_text), "<bytes>", max_bytes)
        raw = _decode_document(bytes(path_or_text), "<bytes>", errors)
    elif _is_path_like(path_or_text):
        path = Path(path_or_text)
        if not path.exists():
            raise FileNotFoundError(f"report file not found: {str(path)!r}")
        if path.is_dir():
            raise IsADirectoryError(
                f"expected a report file, received the directory {str(path)!r}; "
                "use nlp.load_corpus(path) to read every report in a folder"
            )
        raw = _decode_document(read_report_bytes(path, max_bytes), _replace_surrogates(str(path), "<path>"), errors)
    elif isinstance(path_or_text, str):
        raw = RawText(_replace_surrogates(path_or_text, "<string>"), "<string>", "str")
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
    "当前位置", "您现在的位置", "您的位置", "你的位置", "所在位置",
    # Seen on portals after the first list: 分类：政务公开, 栏目：, 所属栏目：, 关键词：, 阅读量：, 编辑：.
    "分类", "所属栏目", "栏目", "关键词", "关键字", "阅读量", "阅读次数", "编辑", "审核", "发布者",
)
_KEY_PATTERNS = "|".join(r"\s*".join(map(re.escape, key)) for key in _FURNITURE_KEYS)
# A furniture line starts with a key and a colon.
_FURNITURE_START = re.compile(rf"^(?:{_KEY_PATTERNS})\s*[:：]")
# Stand-alone page chrome that has no colon.
# Each stretch of white space can be matched one way only, so the pattern runs
# in linear time (the earlier form, with optional spaces on both sides of each
# item, backtracked exponentially: 16 x "打印 " took 20 s).
_CHROME_WORD = (r"(?:打印本页|打印|关闭窗口|关闭|返回顶部|收藏|字体[:：]?(?:\s*[大中小])*|"
                r"扫一扫在手机打开当前页|扫一扫在手机上查看当前页面|相关链接|附件[:：]?)")
_CHROME_ITEM = rf"(?:【\s*)?{_CHROME_WORD}(?:\s*】)?"
_CHROME = re.compile(rf"^{_CHROME_ITEM}(?:\s*{_CHROME_ITEM})*$")
# A breadcrumb trail: 首页 > 政务公开 > 法治政府建设.
_BREADCRUMB = re.compile(r"^首\s*页\s*[>＞»›/]")
_BULLETS = "•·●▪■◆◇○◦‣∙"
_BULLET_PREFIX = re.compile(rf"^[{_BULLETS}]\s*")
# Any Unicode white space (\s covers U+3000, U+00A0 and the U+2000 spaces such as
# &emsp; indentation) and the invisible format characters portals leave around text.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_SPACE = re.compile(rf"[\s{_INVISIBLE}]+")


def _strip(text: str) -> str:
    """Strip white space and invisible characters from both ends (linear time, unlike a ``\\s+$`` regex)."""
    while True:
        stripped = text.strip().strip(_INVISIBLE)
        if stripped == text:
            return text
        text = stripped


def is_furniture(line: str) -> bool:
    """True if ``line`` (already stripped of bullets) is page furniture, not body."""
    stripped = line.strip()
    if not stripped:
        return True
    if _FURNITURE_START.match(stripped):
        return True
    if _CHROME.match(stripped):
        return True
    if _BREADCRUMB.match(stripped):
        return True
    return False


def _clean_line(line: str) -> str:
    return _strip(_BULLET_PREFIX.sub("", _strip(line)))


def body_lines(text: str) -> list[Line]:
    """Split decoded text into non-empty body lines, dropping page furniture.

    Every line end Python knows is a line break: ``\\n``, Windows ``\\r\\n``,
    old-Mac ``\\r``, form feeds (page breaks in text taken from PDFs), U+0085,
    U+2028 and U+2029 (see :meth:`str.splitlines`). White space (including
    full-width and ``&emsp;`` indentation) and leading bullet dots are removed
    from both ends of a line; the rest of every body line is kept as is.
    """
    lines: list[Line] = []
    for line_no, raw_line in enumerate(text.splitlines()):
        line = _clean_line(raw_line)
        if not line or _SPACE.fullmatch(line) or is_furniture(line):
            continue
        lines.append(Line(line_no, line))
    return lines
