"""Reports as published: PDF (text layer) and .docx, made inside the tests from the seed texts.

The PDFs are written with fpdf2 and the TrueType CJK font that the set-up installs (SimHei from
mplfonts), wrapped at the page width as a real PDF is; the .docx files with python-docx. Each
must give the same paragraphs, headings, section roles and metadata as the report in text.
"""
from __future__ import annotations

import io
import re
import unicodedata

import pytest

import nlp
from nlp.fonts import cjk_font_path
from nlp.formats import document_text, pdf_text, rejoin_lines, sniff_format
from nlp.reader import ReportInputError, decode_bytes

fpdf = pytest.importorskip("fpdf")
docx = pytest.importorskip("docx")

COLUMNS = ["heading_1", "heading_2", "heading_3", "section_role"]


def _no_space(text: str) -> str:
    # A space at a wrap point is dropped by the PDF's line break; nothing else may differ.
    return re.sub(r"\s", "", text)


def write_pdf(lines: list[str], path, font_size: int = 11) -> None:
    """A text-layer PDF with one wrapped paragraph per line (several pages for a seed report)."""
    font = cjk_font_path(prefer="SimHei.ttf")
    assert font is not None, "the CJK font of the set-up (mplfonts) is missing"
    pdf = fpdf.FPDF()
    pdf.add_font("cjk", fname=str(font))
    pdf.set_font("cjk", size=font_size)
    pdf.add_page()
    for line in lines:
        if line.strip():
            pdf.multi_cell(0, 7, line.strip().lstrip("•· "), new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


def write_docx(lines: list[str], path) -> None:
    document = docx.Document()
    for line in lines:
        if line.strip():
            document.add_paragraph(line.strip())
    document.save(str(path))


def _same_report(got: nlp.Report, expected: nlp.Report) -> None:
    assert len(got.paragraphs) == len(expected.paragraphs)
    assert [_no_space(t) for t in got.paragraphs["text"]] == [_no_space(t) for t in expected.paragraphs["text"]]
    assert got.paragraphs[COLUMNS].values.tolist() == expected.paragraphs[COLUMNS].values.tolist()
    for field in ("title", "district", "year", "published"):
        assert getattr(got.metadata, field) == getattr(expected.metadata, field), field


@pytest.mark.parametrize("name", ["xihu", "qiantang", "ouhai"])
def test_a_pdf_gives_the_paragraphs_of_the_text(tmp_path, seed_file, name):
    source = seed_file(name)
    pdf = tmp_path / "report.pdf"
    write_pdf(source.read_text(encoding="utf-8").splitlines(), pdf)
    report = nlp.read_report(pdf)
    assert report.metadata.encoding == "pdf"
    _same_report(report, nlp.read_report(source))


def test_pdf_lines_are_rejoined_and_page_breaks_do_not_cut_paragraphs(tmp_path, seed_file):
    source = seed_file("qiantang")
    pdf = tmp_path / "report.pdf"
    write_pdf(source.read_text(encoding="utf-8").splitlines(), pdf)
    raw = pdf_text(pdf.read_bytes(), rejoin=False)
    assert raw.count("\f") >= 1  # several pages
    clean = len(nlp.read_report(source).paragraphs)
    assert len(nlp.read_report(raw).paragraphs) > 2 * clean  # every visual line a paragraph
    assert len(nlp.read_report(raw, rejoin_lines=True).paragraphs) == clean


def test_a_docx_gives_the_paragraphs_of_the_text(tmp_path, seed_file):
    source = seed_file("xihu")
    path = tmp_path / "report.docx"
    write_docx(source.read_text(encoding="utf-8").splitlines(), path)
    report = nlp.read_report(path)
    assert report.metadata.encoding == "docx"
    _same_report(report, nlp.read_report(source))


def test_docx_tables_become_one_line_per_row(tmp_path):
    document = docx.Document()
    table = document.add_table(rows=1, cols=4)
    for cell, text in zip(table.rows[0].cells, ["索引号：", "001/2025", "发布机构：", "区司法局"]):
        cell.text = text
    document.add_paragraph("一、主要举措和成效")
    document.add_paragraph("全年办理行政复议案件120件。")
    buffer = io.BytesIO()
    document.save(buffer)
    text = document_text(buffer.getvalue(), "<test>")
    assert "索引号： 001/2025 发布机构： 区司法局" in text.splitlines()
    paragraphs = nlp.read_report(buffer.getvalue()).paragraphs
    assert paragraphs["text"].tolist() == ["全年办理行政复议案件120件。"]  # the table row is furniture


# --- what is refused, and how -------------------------------------------------------------

ASCII_PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.mark.parametrize("name", ["report.pdf", "report.txt"])
def test_a_pdf_is_never_read_as_text(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(ASCII_PDF)
    with pytest.raises(ReportInputError, match="PDF") as info:
        nlp.read_report(path)
    assert "\n" not in str(info.value) and str(path) in str(info.value)
    with pytest.raises(ReportInputError, match="a PDF file, not text"):
        decode_bytes(ASCII_PDF)
    assert sniff_format(ASCII_PDF) == "pdf"


def test_a_scanned_pdf_says_it_has_no_text_layer(tmp_path):
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 150, style="F")  # an image-only page, as a scan is
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    with pytest.raises(ReportInputError, match="no text layer.*OCR") as info:
        nlp.read_report(path)
    assert "\n" not in str(info.value)


def test_an_encrypted_pdf_says_so(tmp_path):
    from pypdf import PdfReader, PdfWriter

    plain = tmp_path / "plain.pdf"
    write_pdf(["滨江区司法局2024年法治政府建设年度报告", "全年办理行政复议案件120件。"], plain)
    writer = PdfWriter()
    for page in PdfReader(plain).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    locked = tmp_path / "locked.pdf"
    with open(locked, "wb") as handle:
        writer.write(handle)
    with pytest.raises(ReportInputError, match="encrypted") as info:
        nlp.read_report(locked)
    assert "\n" not in str(info.value)
    # Restrictions without a password to open (printing, copying) do not stop reading.
    writer = PdfWriter()
    for page in PdfReader(plain).pages:
        writer.add_page(page)
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    restricted = tmp_path / "restricted.pdf"
    with open(restricted, "wb") as handle:
        writer.write(handle)
    assert nlp.read_report(restricted).paragraphs["text"].tolist() == ["全年办理行政复议案件120件。"]


@pytest.mark.parametrize("suffix, match", [(".doc", r"\.doc file.*save it as \.docx"),
                                           (".wps", r"\.wps file.*save it as \.docx")])
def test_old_word_and_wps_files_are_refused_with_advice(tmp_path, suffix, match):
    path = tmp_path / f"report{suffix}"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(ReportInputError, match=match) as info:
        nlp.read_report(path)
    assert "\n" not in str(info.value)


# --- re-joining lines ---------------------------------------------------------------------

def test_rejoin_lines_mends_cut_figures_and_keeps_headings():
    text = ("一、主要举措和成效\n全区行政复议收案845件，同比下降2.3个百\n分点。调解纠纷\n1200件。\n"
            "（一）加强调解\n人民调解组织\n覆盖全区。\n- 2 -\n二、存在的问题")
    assert rejoin_lines(text, drop_page_numbers=True).splitlines() == [
        "一、主要举措和成效", "全区行政复议收案845件，同比下降2.3个百分点。调解纠纷1200件。",
        "（一）加强调解", "人民调解组织覆盖全区。", "二、存在的问题"]


def test_rejoin_lines_keeps_a_clean_report_unchanged(corpus, seeds_path):
    for path in sorted(seeds_path.glob("*.txt")):
        rejoined = nlp.read_report(path, rejoin_lines=True).paragraphs
        assert rejoined["text"].tolist() == nlp.read_report(path).paragraphs["text"].tolist(), path.name


def _wrap(line: str, width: int) -> list[str]:
    """Break a line at a display width (wide characters count 2), as a PDF's layout does."""
    pieces, current, used = [], "", 0
    for char in line:
        size = 2 if unicodedata.east_asian_width(char) in "WF" else 1
        if used + size > width:
            pieces.append(current)
            current, used = "", 0
        current += char
        used += size
    return pieces + [current] if current else pieces or [""]


@pytest.mark.parametrize("width", [70, 90])
def test_rejoin_lines_on_text_copied_out_of_a_pdf(seeds_path, width):
    """Text wrapped at a fixed width (pdftotext, copy-paste) gives the clean paragraphs back."""
    for source in sorted(seeds_path.glob("*.txt")):
        wrapped = "\n".join(piece for line in source.read_text(encoding="utf-8").splitlines()
                            for piece in _wrap(line.strip(), width))
        clean = nlp.read_report(source).paragraphs
        assert len(nlp.read_report(wrapped).paragraphs) > 2 * len(clean)
        rejoined = nlp.read_report(wrapped, rejoin_lines=True).paragraphs
        assert [_no_space(t) for t in rejoined["text"]] == [_no_space(t) for t in clean["text"]], source.name
        assert rejoined[COLUMNS].values.tolist() == clean[COLUMNS].values.tolist()
