"""Property-based tests (hypothesis) of the reader and the segmenter.

Definitions used below.

* A *line* is what :meth:`str.splitlines` gives: ``\\n``, ``\\r\\n``, ``\\r``, form
  feeds, U+0085, U+2028 and U+2029 all end a line.
* A line's *body characters* are its non-white-space characters, after a
  leading bullet dot (•, ·, ...), on lines that are not page furniture
  (索引号: ..., 发布日期: ..., 分享:, 【打印本页】, breadcrumbs), not a heading
  alone on its line (``一、主要举措和成效``, ``（一）……``, ``1.……``, ``一是……``)
  and not the title line.
* "No body text is lost" means: the body characters of all lines, in order,
  equal the non-white-space characters of the paragraph texts, in order, and
  each body line is exactly one paragraph.

The generated documents mix Chinese body sentences, headings of every level,
inline headings, furniture, a title, blank lines, bullets, mixed line ends and
indentation; for those the truth is known by construction. Arbitrary Unicode
(``st.text()``) is checked against the same definition computed line by line.
Examples are derandomized, so every run checks the same cases.
"""
from __future__ import annotations

import html
import re

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nlp
from nlp.metadata import find_title
from nlp.reader import ReportInputError, body_lines, decode_bytes, is_furniture, load_text
from nlp.segment import parse_heading, segment_lines, split_sentences

SETTINGS = settings(derandomize=True, max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# whole generated reports are slower to read; fewer of them keep the file under 30 s
DOC_SETTINGS = settings(SETTINGS, max_examples=100)

# Body characters: common Chinese characters (GB2312, so every encoding can
# write them) that are not numerals (一是, 三、 open headings), not 第 (第一部分)
# and not in the title cues (报告, 总结, 思路, 工作情况).
_POOL = "的国在了人有中大为上个和地到以说时要就出会也下而能过子可对生同行面方成法治政府建设区司依规范执监督调解纠纷律师普宣传教育复议应诉案件开展推进加强完善提升组织落实制度机制服务群众企业社会全年共计"
_PUNCT = "，、；“”《》（）"
_NUMERALS = "一二三四五六七八九十"
_SPACES = ["", " ", "  ", "\u3000\u3000", "\u2003\u2003", "\t", "\u00a0"]
_LINE_ENDS = ["\n", "\r\n", "\r", "\n\n", "\r\n\r\n", "\u2029", "\f"]
_FURNITURE = ["索引号：001008003012008/2025-80292", "索 引 号:00250220-7/2025-00935", "发布日期：2025-01-16 15:38 访问次数：",
              "发布单位:区司法局", "来源：区司法局", "分享:", "分享到：", "【打印本页】【关闭窗口】", "打印 关闭",
              "当前位置：首页 > 政务公开", "首页 > 政务公开 > 法治政府建设", "公开方式：主动公开", "成文日期：2025-01-16"]

chars = st.text(alphabet=_POOL, min_size=2, max_size=12)


@st.composite
def sentence(draw) -> str:
    parts = [draw(chars)]
    for _ in range(draw(st.integers(0, 3))):
        parts.append(draw(st.sampled_from(_PUNCT + "0123456789")) + draw(chars))
    return "".join(parts) + draw(st.sampled_from("。！？"))


@st.composite
def body_paragraph(draw) -> str:
    return "".join(draw(st.lists(sentence(), min_size=1, max_size=4)))


@st.composite
def heading(draw) -> tuple[int, str, str]:
    """(level, marker, title) of a heading; the title has no sentence end."""
    level = draw(st.sampled_from([1, 2, 3, 4]))
    n = draw(st.sampled_from(_NUMERALS))
    marker = {1: n + "、", 2: draw(st.sampled_from(["(", "（"])) + n + draw(st.sampled_from([")", "）"])),
              3: draw(st.sampled_from(["1.", "2、", "3．", "（1）", "(2)"])), 4: n + draw(st.sampled_from(["是", "要"]))}[level]
    title = draw(st.text(alphabet=_POOL, min_size=2, max_size=20))
    return level, marker, title


@st.composite
def document(draw):
    """(text, expected paragraph texts, expected heading_1 per paragraph)."""
    lines: list[str] = []
    expected: list[str] = []
    heading_1: list[str] = []
    current_1 = ""
    if draw(st.booleans()):
        lines.extend(draw(st.lists(st.sampled_from(_FURNITURE), max_size=3)))
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(["滨江区司法局2024年法治政府建设年度报告",
                                           "杭州市钱塘区人民政府关于钱塘区2024年法治政府建设工作情况的报告"])))
    for _ in range(draw(st.integers(0, 14))):
        kind = draw(st.sampled_from(["body", "body", "heading", "inline", "furniture", "blank"]))
        if kind == "body":
            text = draw(body_paragraph())
            lines.append(text)
            expected.append(text)
            heading_1.append(current_1)
        elif kind == "heading":
            level, marker, title = draw(heading())
            lines.append(marker + title)
            if level == 1:
                current_1 = title
            if level == 3:
                # A numbered line that heads no text is a statement in a list (body), so a level-3
                # heading here always heads a paragraph; test_numbered_lines_that_head_nothing_are_body
                # covers the other case.
                text = draw(body_paragraph())
                lines.append(text)
                expected.append(text)
                heading_1.append(current_1)
        elif kind == "inline":
            level, marker, title = draw(heading())
            text = marker + title + "。" + draw(body_paragraph())
            lines.append(text)
            if level == 1:
                current_1 = title
            expected.append(text)
            heading_1.append(current_1)
        elif kind == "furniture":
            lines.append(draw(st.sampled_from(["", "• ", "· "])) + draw(st.sampled_from(_FURNITURE)))
        else:
            lines.append(draw(st.sampled_from(_SPACES)))
    out = []
    for line in lines:
        out.append(draw(st.sampled_from(_SPACES)) + line + draw(st.sampled_from(_SPACES)))
        out.append(draw(st.sampled_from(_LINE_ENDS)))
    return "".join(out), expected, heading_1


def _no_space(text: str) -> str:
    return re.sub(r"\s", "", text)


@DOC_SETTINGS
@given(document())
def test_every_body_character_lands_in_exactly_one_paragraph(doc):
    text, expected, heading_1 = doc
    paragraphs = nlp.read_report(text + "\n").paragraphs
    assert [_no_space(t) for t in paragraphs["text"]] == [_no_space(t) for t in expected]
    assert paragraphs["para_id"].tolist() == list(range(len(expected)))
    assert paragraphs["heading_1"].tolist() == heading_1
    # and nothing else: furniture, headings and the title never make a paragraph
    for t in paragraphs["text"]:
        assert t == t.strip() and not is_furniture(t)


@DOC_SETTINGS
@given(document(), st.sampled_from(["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "utf-16-le", "utf-16-be"]))
def test_every_encoding_and_the_html_page_give_the_same_paragraphs(doc, encoding):
    text, expected, _ = doc
    text += "\n\n"
    reference = nlp.read_report(text, doc_id="d").paragraphs
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:  # GBK has no bullet dot, em space or no-break space
        data = text.encode("gb18030")
    from_bytes = nlp.read_report(data, doc_id="d").paragraphs
    pd.testing.assert_frame_equal(from_bytes, reference)
    page = "<html><body>" + "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines()) + "</body></html>"
    pd.testing.assert_frame_equal(nlp.read_report(page, doc_id="d").paragraphs, reference)


def _expected_body(text: str) -> list[str]:
    """Body lines of arbitrary text by the module docstring's definition, from the line primitives."""
    lines = body_lines(text)
    if not any(re.search(r"[\u4e00-\u9fff]", line.text) for line in lines):
        return []  # not a Chinese report: empty result and a warning
    title = find_title(lines)
    out = []
    kept = [line for line in lines
            if not (title is not None and line.text == title.text and line.line_no - title.line_no < 20)]
    parsed = [parse_heading(line.text) for line in kept]
    for i, line in enumerate(kept):
        found = parsed[i]
        heads_nothing = found is not None and found.level == 3 and (
            i + 1 == len(kept) or (parsed[i + 1] is not None and parsed[i + 1].level <= 3))
        if found is not None and found.standalone and not heads_nothing:
            continue
        out.append(line.text)
    return out


unicode_lines = st.lists(
    st.one_of(st.text(max_size=40),  # any Unicode, including controls and separators
              st.sampled_from(_FURNITURE), body_paragraph(), heading().map(lambda h: h[1] + h[2]),
              st.sampled_from(_SPACES)),
    max_size=12,
)


@SETTINGS
@given(unicode_lines, st.lists(st.sampled_from(_LINE_ENDS), min_size=12, max_size=12))
def test_arbitrary_unicode_never_crashes_and_loses_no_body_text(pieces, ends):
    text = "".join(p + e for p, e in zip(pieces, ends)) + "\n"
    report = nlp.read_report(text)
    got = report.paragraphs["text"].tolist()
    assert [_no_space(t) for t in got] == [_no_space(t) for t in _expected_body(text)]
    # body text is never rewritten: every paragraph is a line of the input, stripped
    source_lines = [line.strip() for line in text.splitlines()]
    for t in got:
        assert any(t in line for line in source_lines), t
    report.sentences()


@SETTINGS
@given(st.text())
def test_split_sentences_keeps_every_character(text):
    pieces = split_sentences(text)
    assert _no_space("".join(pieces)) == _no_space(text)
    assert all(p == p.strip() and p for p in pieces)


@SETTINGS
@given(st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc")) | st.sampled_from("\n\t"), max_size=200))
def test_utf8_bytes_decode_to_the_same_text_or_a_clear_error(text):
    data = text.encode("utf-8")
    try:
        raw = decode_bytes(data)
    except ReportInputError as exc:
        assert "<bytes>" in str(exc)
        return
    assert raw.text == (text[1:] if text.startswith("\ufeff") else text)


@SETTINGS
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_give_text_or_a_clear_error(data):
    try:
        report = nlp.read_report(data)
    except ReportInputError as exc:
        assert str(exc).startswith("<bytes>: ")
        return
    assert list(report.paragraphs["para_id"]) == list(range(len(report.paragraphs)))


@SETTINGS
@given(st.lists(st.one_of(st.sampled_from(["<p>", "</p>", "<div class='nav'>", "<div>", "</div>", "<script>", "</script>",
                                           "<br/>", "<td>", "</td>", "&emsp;", "&amp;", "&#x4e00;", "<!-- c -->",
                                           "<title>", "</title>", "<footer>", "</footer>", "<", ">", "&"]),
                          st.text(max_size=10), body_paragraph()), max_size=30))
def test_arbitrary_markup_never_crashes(pieces):
    text = "<html><body>" + "".join(pieces)
    load_text(text)
    nlp.read_report(text + "\n")


@DOC_SETTINGS
@given(document())
def test_segmenting_is_idempotent_on_its_own_output(doc):
    # Reading the paragraphs back (one per line) gives the same paragraphs.
    text, _, _ = doc
    first = nlp.read_report(text + "\n").paragraphs["text"].tolist()
    again = segment_lines(body_lines("\n".join(first)))
    assert [p.text for p in again] == first
