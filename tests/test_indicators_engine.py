"""The matching engine: which indicator a figure gives, and the guide's exclusions."""
from __future__ import annotations

import pytest

from nlp.indicators.engine import find_mentions


def _found(text, **kwargs):
    return [(m.indicator, m.value) for m in find_mentions(text, **kwargs)[0]]


@pytest.mark.parametrize("text, expected", [
    ("全年新收行政复议申请845件", ("review.applications", 845.0)),
    ("全年审结行政复议案件721件", ("review.closed", 721.0)),
    ("直接纠错率12.3%", ("review.correction_rate", 12.3)),
    ("复议案件调解和解率达到35.6%", ("review.mediated", 35.6)),
    ("全年办理行政应诉案件156件", ("litigation.cases", 156.0)),
    ("负责人出庭应诉率100%", ("litigation.head_appearance_rate", 100.0)),
    ("行政诉讼败诉率为8.5%", ("litigation.loss_rate", 8.5)),
    ("评查案卷860卷", ("enforcement.case_files_reviewed", 860.0)),
    ("对150件行政处罚案卷进行评查", ("enforcement.case_files_reviewed", 150.0)),
    ("持证行政执法人员2,345名", ("enforcement.certified_staff", 2345.0)),
    ("办理行政处罚案件8,760件", ("enforcement.penalty_cases", 8760.0)),
    ("开展行政检查2.1万次", ("enforcement.inspections", 21000.0)),
    ("人民调解组织352个", ("mediation.committees", 352.0)),
    ("专兼职人民调解员1,420名", ("mediation.mediators", 1420.0)),
    ("调解矛盾纠纷1.2万件", ("mediation.cases", 12000.0)),
    ("调解成功率98.9%", ("mediation.success_rate", 98.9)),
    ("开展普法活动300余场", ("outreach.events", 300.0)),
    ("普法宣传受众10万余人次", ("outreach.people_reached", 100000.0)),
    ("培育法律明白人1,560名", ("outreach.legal_understanding_persons", 1560.0)),
    ("执业律师1153名", ("lawyers.count", 1153.0)),
    ("律师事务所46家", ("lawyers.firms", 46.0)),
    ("公职律师89名", ("lawyers.public_lawyers", 89.0)),
])
def test_every_indicator(text, expected):
    assert _found(text) == [expected]


def test_generic_cues_need_their_area_nearby():
    assert _found("信用修复成功率98.97%") == []
    assert _found("受理法律援助案件1200件") == []
    assert _found("全年新收行政复议申请845件；审结786件") == [("review.applications", 845.0), ("review.closed", 786.0)]


@pytest.mark.parametrize("text", [
    "行政复议案件同比增长15.5%",            # change
    "调解成功率较上年提高2%",               # change
    "败诉率下降5.6个百分点",                # change in points
    "新增律师事务所6家",                    # addition to a stock
    "力争调解成功率达到98%以上",            # target
    "全市行政复议收案5,620件",              # another jurisdiction
    "每个村配备3名法律明白人",              # per unit
    "全区108名律师参加",                    # participants
])
def test_exclusions(text):
    assert _found(text) == []


def test_targets_to_the_right_and_levels_reached_by_a_change_verb():
    assert _found("调解成功率达99.1%，超过年初确定的95%目标") == [("mediation.success_rate", 99.1)]
    assert _found("败诉率降至3.4%") == [("litigation.loss_rate", 3.4)]


def test_plans_section_gives_nothing():
    assert _found("培育法律明白人500名", section_role="plans") == []
    assert _found("培育法律明白人500名", section_role="achievements") == [("outreach.legal_understanding_persons", 500.0)]


def test_own_jurisdiction_level_is_not_another_jurisdiction():
    assert _found("全市人民调解组织1500个", jurisdiction="南京市") == [("mediation.committees", 1500.0)]
    assert _found("全市人民调解组织1500个", jurisdiction="鼓楼区") == []


def test_breakdowns_of_a_total_are_dropped():
    assert _found("复议收案1,024件，其中市场监管13件、公安领域收案402件") == [("review.applications", 1024.0)]
    assert _found("街道调解组织23个。全县共有调委会260个。") == [("mediation.committees", 260.0)]


def test_ellipsis_takes_the_previous_indicator():
    assert _found("全省负责人出庭应诉率为92.3%，我区为100%") == [("litigation.head_appearance_rate", 100.0)]


def test_evidence_is_a_substring_and_period_is_read():
    text = "2023年以来，全县累计新收复议案件两千一百余件，调解成功率99%。全年调解纠纷300件。"
    mentions, _ = find_mentions(text, report_year=2024)
    assert all(m.evidence in text and text[m.start:m.end] == m.evidence for m in mentions)
    assert [m.period for m in mentions] == ["2023年以来", "2023年以来", "2024"]
    assert mentions[0].approx is True


def test_book_titles_do_not_give_the_period():
    mentions, _ = find_mentions("落实《纲要(2021—2025年)》，调解矛盾纠纷300件")
    assert mentions[0].period is None
