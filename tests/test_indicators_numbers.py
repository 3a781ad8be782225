"""Numbers as reports write them (nlp.indicators.numbers)."""
from __future__ import annotations

import logging

import pytest

from nlp.indicators.numbers import parse_chinese_number, scan_figures


def _one(text):
    figures = scan_figures(text).figures
    assert len(figures) == 1, figures
    f = figures[0]
    return f.value, f.unit, f.approx


@pytest.mark.parametrize("text, expected", [
    ("收案845件", (845.0, "件", False)),
    ("执业律师1,153名", (1153.0, "名", False)),
    ("受理３２５件", (325.0, "件", False)),
    ("处罚２，３４５件", (2345.0, "件", False)),
    ("纠错率12.3%", (12.3, "%", False)),
    ("纠错率１５．２％", (15.2, "%", False)),
    ("1.2万件", (12000.0, "件", False)),
    ("受众56万人次", (560000.0, "人次", False)),
    ("罚没1.2亿件", (120000000.0, "件", False)),
    ("一千二百件", (1200.0, "件", False)),
    ("两万人次", (20000.0, "人次", False)),
    ("两千一百余件", (2100.0, "件", True)),
    ("四百多名", (400.0, "名", True)),
    ("近500场", (500.0, "场", True)),
    ("近千场", (1000.0, "场", True)),
    ("约3200起", (3200.0, "起", True)),
    ("超过50万人次", (500000.0, "人次", True)),
    ("达97%以上", (97.0, "%", True)),
    ("百分之百", (100.0, "%", False)),
    ("百分之九十八点五", (98.5, "%", False)),
    ("受教育群众达40余万人次", (400000.0, "人次", True)),   # 余 before the multiplier
    ("两千多万人次", (20000000.0, "人次", True)),
])
def test_number_forms(text, expected):
    assert _one(text) == expected


def test_ranges_keep_both_ends():
    (f,) = scan_figures("覆盖3万至4万人次").figures
    assert (f.value, f.value_max, f.unit, f.approx) == (30000.0, 40000.0, "人次", True)
    (f,) = scan_figures("开展1-2场").figures
    assert (f.value, f.value_max) == (1.0, 2.0)


def test_percentage_points_are_their_own_unit():
    (f,) = scan_figures("下降5.6个百分点").figures
    assert f.unit == "个百分点" and f.is_change


def test_years_and_numbers_without_units_are_not_figures():
    assert scan_figures("2024年12月，万人比(4.1)，13.4:1").figures == []


def test_chinese_numerals_inside_words_are_not_numbers():
    assert scan_figures("宪法进万家，千家万户").figures == []
    assert parse_chinese_number("一二") is None


@pytest.mark.parametrize("text", ["受理行政复议申请1..2件", "纠错率12,34,5%"])
def test_malformed_numbers_are_skipped_with_a_warning(text, caplog):
    with caplog.at_level(logging.WARNING, logger="nlp.indicators.numbers"):
        scan = scan_figures(text)
    assert scan.figures == [] and len(scan.warnings) == 1
    assert "malformed" in caplog.text


def test_offsets_point_into_the_original_text():
    text = "纠错率１５．２％。"
    (f,) = scan_figures(text).figures
    assert text[f.start:f.end] == "１５．２％"


def test_rejects_non_text():
    with pytest.raises(TypeError, match="expected the text"):
        scan_figures(None)
