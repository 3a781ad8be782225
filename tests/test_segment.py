"""Segmenter units on small hand-written fixtures."""
from __future__ import annotations

import pytest

import nlp

from nlp.reader import body_lines
from nlp.segment import parse_heading, section_role_for, segment_lines, split_sentences


@pytest.mark.parametrize(
    ("line", "level", "standalone"),
    [
        ("一、主要举措和成效", 1, True),
        ("二、存在的主要问题", 1, True),
        ("(一)统筹协调抓推进,提升法治政府建设水平", 2, True),
        ("（二）精准发力抓关键，优化法治化营商环境", 2, True),
        ("(一)以“统筹引领”推进法治建设整体跃升。责任再压实,召开会议。", 2, False),
        ("1.强化执法监督", 3, True),
        ("（1）强化执法监督。全年评查案卷80卷。", 3, False),
        ("一是高位推进,法治滨江统筹有力。聚焦高水平法治统抓。", 4, False),
    ],
)
def test_heading_markers(line, level, standalone):
    heading = parse_heading(line)
    assert heading is not None
    assert (heading.level, heading.standalone) == (level, standalone)


@pytest.mark.parametrize("line", ["2024年,全区开展普法活动。", "全年受理人民调解案件13009件。", "1月至12月共办理案件"])
def test_body_lines_have_no_heading(line):
    assert parse_heading(line) is None or not parse_heading(line).standalone


@pytest.mark.parametrize(
    ("heading", "role"),
    [
        ("2024年推进法治政府建设的主要举措和突出成效", "achievements"),
        ("2024年主要工作", "achievements"),
        ("存在的主要问题", "problems"),
        ("存在的不足和原因", "problems"),
        ("党政主要负责人履行推进法治建设第一责任人职责情况", "leadership"),
        ("2025年推进法治政府建设的主要安排", "plans"),
        ("2025年工作思路", "plans"),
        ("2025年重点工作", "plans"),
        ("下一步工作打算", "plans"),
        ("", "preamble"),
        ("附件", "other"),
    ],
)
def test_section_roles(heading, role):
    assert section_role_for(heading, report_year=2024) == role


def test_headings_are_context_not_paragraphs():
    text = (
        "2024年全区法治建设取得成效。\n"
        "一、主要举措和成效\n"
        "（一）强化执法监督\n"
        "开展案卷评查80卷。\n"
        "（二）以“普法”提升素养。开展普法活动20场。\n"
        "二、存在的问题\n"
        "一是执法监督力度不够。二是普法形式单一。\n"
        "三、2025年工作安排\n"
        "一要深化复议改革。推进简案快办。\n"
        "二要加强调解。\n"
    )
    paras = segment_lines(body_lines(text), report_year=2024)
    assert [p.text[:4] for p in paras] == ["2024", "开展案卷", "（二）以", "一是执法", "一要深化", "二要加强"]
    assert [p.section_role for p in paras] == ["preamble", "achievements", "achievements", "problems", "plans", "plans"]
    assert paras[1].heading_path == "主要举措和成效 > 强化执法监督"
    assert paras[2].heading_2 == "以“普法”提升素养"
    # a paragraph listing 一是……二是…… is not titled by its first item
    assert paras[3].heading_2 == ""
    assert paras[4].heading_2 == "深化复议改革"
    assert paras[5].heading_2 == "加强调解"
    assert [p.para_id for p in paras] == list(range(6))


def test_sentence_splitter_keeps_quoted_titles_whole():
    text = "出台《关于加强调解工作的意见。试行》。开展“谁执法谁普法！”活动；完成审批282件\n新一行"
    assert split_sentences(text) == [
        "出台《关于加强调解工作的意见。试行》。",
        "开展“谁执法谁普法！”活动；",
        "完成审批282件",
        "新一行",
    ]


def test_sentence_splitter_on_empty_text():
    assert split_sentences("") == []
    assert split_sentences("   ") == []


def test_numbered_problem_lines_are_body_not_headings():
    text = ("二、存在的问题\n"
            "1.行政复议案件数量持续增长，案多人少矛盾突出\n"
            "2.基层执法人员法治素养有待提高，…\n"
            "三、下一步工作安排\n"
            "1.加强法治督察\n"
            "开展督察3次。\n")
    paragraphs = nlp.read_report(text).paragraphs
    assert paragraphs["text"].tolist() == ["1.行政复议案件数量持续增长，案多人少矛盾突出", "2.基层执法人员法治素养有待提高，…",
                                           "开展督察3次。"]
    assert paragraphs["section_role"].tolist() == ["problems", "problems", "plans"]
    assert paragraphs["heading_3"].tolist()[-1] == "加强法治督察"  # a numbered line that heads text is a heading


@pytest.mark.parametrize("line", ["分类：政务公开", "所属栏目：法治政府建设", "关键词：法治 报告", "阅读量：1024"])
def test_more_page_furniture_is_dropped(line):
    assert nlp.read_report(f"{line}\n一、主要举措和成效\n开展普法活动20场。").paragraphs["text"].tolist() == ["开展普法活动20场。"]
