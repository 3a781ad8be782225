"""Reports as governments publish them: PDF and Word files, and text taken out of a PDF.

* **PDF** (text layer) is read with :mod:`pypdf`; the lines of each page are
  re-joined into paragraphs (:func:`rejoin_lines`) and page numbers dropped.
  A scanned PDF (no text layer) or an encrypted one is refused with a
  one-line :class:`~nlp.reader.ReportInputError` saying what to do.
* **Word** ``.docx`` is read with :mod:`python-docx`: one line per paragraph
  (table cells as lines too), in document order.
* ``.doc`` / ``.wps`` (the old binary formats) are refused with a message
  saying to save the file as ``.docx`` or PDF.

A PDF is recognised by its bytes (``%PDF-``), never by its name alone, so a
PDF whose streams happen to be ASCII is never taken for a text report.

>>> rejoin_lines("全区行政复议收案845件，同比下降2.3个百\\n分点。\\n一、存在的问题")
'全区行政复议收案845件，同比下降2.3个百分点。\\n一、存在的问题'
"""
from __future__ import annotations

import io
import logging
import re
import unicodedata
import zipfile

from .reader import ReportInputError, is_furniture

__all__ = [
    "DOCUMENT_SUFFIXES",
    "UNSUPPORTED_SUFFIXES",
    "sniff_format",
    "document_text",
    "pdf_text",
    "docx_text",
    "rejoin_lines",
]

logger = logging.getLogger(__name__)

# Binary document formats this module reads (besides text and HTML, which nlp.reader reads).
DOCUMENT_SUFFIXES = (".pdf", ".docx")
# Formats refused with advice; each is one line of the error message.
UNSUPPORTED_SUFFIXES = {
    ".doc": "an old Word .doc file; open it in Word or WPS and save it as .docx or PDF, then read that",
    ".wps": "a WPS Writer .wps file; open it in WPS and save it as .docx or PDF, then read that",
}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc, .wps, .xls: OLE2 compound files


def sniff_format(data: bytes) -> str | None:
    """``"pdf"``, ``"docx"``, ``"ole"`` (.doc/.wps) or ``"zip"`` from a file's first bytes; None for anything else.

    >>> sniff_format(b"%PDF-1.4\\n1 0 obj")
    'pdf'
    >>> sniff_format("一、主要举措".encode()) is None
    True
    """
    head = data[:1024]
    # The PDF header may follow a few junk bytes (the spec allows it within the first 1024).
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(_OLE_MAGIC):
        return "ole"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return "docx" if "word/document.xml" in archive.namelist() else "zip"
        except zipfile.BadZipFile:
            return "zip"
    return None


def document_text(data: bytes, source: str, rejoin: bool = True) -> str | None:
    """The text of a PDF or .docx given as bytes; None when the bytes are neither.

    Raises
    ------
    ReportInputError
        For a scanned or encrypted PDF, a .doc/.wps file, a zip that is not a
        Word document, or a damaged file.
    """
    kind = sniff_format(data)
    if kind == "pdf":
        return pdf_text(data, source, rejoin=rejoin)
    if kind == "docx":
        return docx_text(data, source)
    if kind == "ole":
        suffix = source.lower().rsplit(".", 1)[-1] if "." in source else ""
        advice = UNSUPPORTED_SUFFIXES.get(f".{suffix}", UNSUPPORTED_SUFFIXES[".doc"])
        raise ReportInputError(f"{source}: {advice}")
    if kind == "zip":
        raise ReportInputError(f"{source}: a zip archive, not a report; unpack it (a .docx is read directly)")
    return None


# --- PDF -----------------------------------------------------------------------

# Page numbers as PDFs print them: "3", "- 3 -", "— 3 —", "第 3 页", "第3页 共10页", "3/10".
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–]\s*\d{1,4}\s*[-—–]|\d{1,4}|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4})$"
)


def pdf_text(data: bytes, source: str = "<bytes>", rejoin: bool = True) -> str:
    """The text layer of a PDF, pages in order, lines re-joined into paragraphs.

    Raises
    ------
    ReportInputError
        If the PDF is encrypted (and does not open with an empty password),
        has no text layer (a scan), or cannot be parsed.
    """
    import pypdf
    from pypdf.errors import PdfReadError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # Many published PDFs only restrict printing or copying: they open with an empty password.
            try:
                opened = reader.decrypt("")
            except Exception:  # noqa: BLE001 - pypdf raises several types for unsupported encryption
                opened = 0
            if not opened:
                raise ReportInputError(
                    f"{source}: an encrypted (password-protected) PDF; open it with its password and save or "
                    "print an unprotected copy, or ask the publisher for the text, then read that")
        pages = [page.extract_text() or "" for page in reader.pages]
    except ReportInputError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise ReportInputError(f"{source}: a PDF that cannot be parsed ({type(exc).__name__}: {exc}); "
                               "re-save it from a PDF reader or export its text") from None
    if not any(re.search(r"\S", page) for page in pages):
        raise ReportInputError(
            f"{source}: a PDF with no text layer ({len(pages)} page(s), probably scanned images); "
            "run OCR on it first (for example ocrmypdf --language chi_sim) or get the report as text, HTML or .docx")
    text = "\f".join(pages)
    return rejoin_lines(text, drop_page_numbers=True) if rejoin else text


# --- Word -----------------------------------------------------------------------


def docx_text(data: bytes, source: str = "<bytes>") -> str:
    """The paragraphs of a .docx (body paragraphs and table cells, in document order), one per line.

    Raises
    ------
    ReportInputError
        If the file is not a readable Word document.
    """
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - python-docx raises zip, XML and key errors for damaged files
        raise ReportInputError(f"{source}: a Word file that cannot be read ({type(exc).__name__}: {exc}); "
                               "open it in Word or WPS and save it again as .docx") from None
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            for row in block.rows:
                # A metadata table (索引号 | ... | 发布机构 | ...) stays one line, like HTML table rows.
                cells = []
                for cell in row.cells:
                    if not cells or cell.text != cells[-1]:  # merged cells repeat their text
                        cells.append(cell.text)
                lines.append(" ".join(c.strip() for c in cells if c.strip()))
    return "\n".join(lines)


# --- re-joining wrapped lines ---------------------------------------------------------

# A line that ends one of these closes its paragraph (closing quotes and brackets may follow).
_CLOSED = re.compile(r"[。！？!?；;：:…]\s*[”’」』》）)\]】\"']*\s*$")
_LINE_END = re.compile(r"\r\n|[\n\r\x0b\x1c\x1d\x1e\x85\u2028\u2029]")
_INDENT = re.compile(r"^[ \t\u3000\u00a0]{2,}|^\u3000")
_ASCII_WORD_END = re.compile(r"[A-Za-z0-9]$")
_ASCII_WORD_START = re.compile(r"^[A-Za-z]")


def _is_heading(line: str, items: bool = False) -> bool:
    """A heading line, or a line opening with a numbered marker (一、 (一) 1.); with ``items``, also 一是 ..."""
    from .segment import parse_heading

    heading = parse_heading(line)
    return heading is not None and (heading.standalone or heading.level <= 3 or items)


def parse_heading_standalone(line: str) -> bool:
    """True for a line that is only a heading (no sentence after its marker)."""
    from .segment import parse_heading

    heading = parse_heading(line)
    return heading is not None and heading.standalone


def _is_title(line: str) -> bool:
    return bool(re.search(r"(?:报告|总结|思路|要点|情况)$", line)) and len(line) <= 60


def _display_width(line: str) -> int:
    """Columns a line takes: 2 for a wide (CJK, full-width) character, 1 for any other."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def _full_width(lines: list[str]) -> int | None:
    """The width at which the text was wrapped, or None if it does not look wrapped.

    Wrapped text has many lines of (nearly) the same, maximal width; text with
    one paragraph per line has widths spread from short to long.
    """
    widths = sorted(_display_width(line) for line in lines if line)
    if len(widths) < 5:
        return None
    width = widths[int(0.9 * (len(widths) - 1))]
    near = sum(1 for w in widths if w >= 0.9 * width)
    return width if near >= 0.4 * len(widths) and width >= 20 else None


def rejoin_lines(text: str, drop_page_numbers: bool = False) -> str:
    """Re-join lines that a PDF (or a copy from one) broke at the page width.

    A line continues on the next one unless it ends a sentence (``。！？；：``,
    possibly followed by a closing quote), is a heading or a title, is page
    furniture, or the next line is a heading or furniture. In text that was
    wrapped at a fixed width (most lines equally long), a sentence that ends
    exactly at the right margin does not end the paragraph unless the next
    line is indented. Blank lines end a paragraph; page breaks (form feeds) do
    not, so a sentence cut by a page break is whole again. Characters are
    never changed, only line ends removed (a space is put back between two
    Latin words).

    Parameters
    ----------
    text : str
        Text with one visual line per line.
    drop_page_numbers : bool
        Drop lines that are only a page number (``3``, ``- 3 -``, ``第3页 共10页``).

    Examples
    --------
    >>> rejoin_lines("一、主要举措和成效\\n全年办理行政复议案件\\n120件。")
    '一、主要举措和成效\\n全年办理行政复议案件120件。'
    """
    # Blank lines around a page break are the page's margins, not paragraph breaks.
    text = re.sub(r"(?:[ \t\u3000]*\n)*\f(?:[ \t\u3000]*\n)*", "\f", text)
    # Every line end str.splitlines knows except the form feed, which stays as a page-break marker.
    raw_lines = _LINE_END.split(text.replace("\f", "\n\f\n"))
    stripped = [raw.strip() for raw in raw_lines]
    wrap_width = _full_width([line for line in stripped if line != "\f"])
    # Indented paragraph starts are a cue only when some lines are indented and most are not.
    indents = [bool(_INDENT.match(raw)) for raw, line in zip(raw_lines, stripped) if line and line != "\f"]
    uses_indent = 0 < sum(indents) < 0.5 * len(indents)
    out: list[str] = []
    open_line: str | None = None  # the paragraph being built, when it may continue
    at_margin = False  # the last closed line reached the right margin, so its paragraph may go on
    for raw, line in zip(raw_lines, stripped):
        if raw == "\f" or (drop_page_numbers and line and _PAGE_NUMBER.match(line)):
            continue  # a page break or a page number: the paragraph may go on
        if not line:
            if open_line is not None:
                out.append(open_line)
                open_line = None
            at_margin = False
            out.append("")
            continue
        furniture = is_furniture(line)
        heading = _is_heading(line)  # a heading, or a numbered item opening a paragraph
        # Does this line start a paragraph of its own?
        new_paragraph = furniture or heading or (uses_indent and bool(_INDENT.match(raw)))
        if at_margin and not new_paragraph and not _is_heading(line, items=True):
            open_line = out.pop()
        at_margin = False
        if open_line is not None:
            if new_paragraph:
                out.append(open_line)
            else:
                joiner = " " if _ASCII_WORD_END.search(open_line) and _ASCII_WORD_START.match(line) else ""
                line = open_line + joiner + line
            open_line = None
        full = wrap_width is not None and _display_width(raw.strip()) >= 0.95 * wrap_width
        closed = _CLOSED.search(line) is not None
        # A line that fills the width without ending a sentence goes on, even when it looks like a
        # heading: a long heading wraps too ("二、……加强法治政" / "府建设情况").
        standalone_heading = parse_heading_standalone(line) and not full
        title = sum(1 for o in out if o) < 4 and _is_title(line) and not full
        if furniture or standalone_heading or closed or title:
            out.append(line)
            at_margin = closed and full and not furniture
        else:
            open_line = line
    if open_line is not None:
        out.append(open_line)
    return "\n".join(out)
