"""Metadata you can trust: the user's values win, places come from the gazetteer, no future years."""
from __future__ import annotations

import logging

import pytest
import yaml

import nlp
from nlp.metadata import ReportMetadata, complete_from_gazetteer, merge_metadata

from conftest import SEED_IDS

BODY = "一、主要举措和成效\n开展普法活动20场，行政复议收案100件。\n"


@pytest.mark.parametrize("opening", [
    "现将我区2024年法治政府建设情况报告如下。",
    "2024年，统筹推进全区法治政府建设。",
    "区政府市场监管局2024年开展执法检查。",
    "北京市2024年法治政府建设情况。",
])
def test_junk_guessed_from_the_text_is_never_a_district(opening):
    meta = nlp.read_report(opening + "\n" + BODY).metadata
    assert meta.district is None


def test_a_real_district_fills_city_and_province_without_a_side_file():
    meta = nlp.read_report("瓯海区司法局2024年法治政府建设年度报告\n" + BODY).metadata
    assert (meta.district, meta.city, meta.province, meta.year) == ("瓯海区", "温州市", "浙江省", 2024)
    # a name several cities share is resolved from the city the text names
    meta = nlp.read_report("北京市朝阳区人民政府2024年法治政府建设情况的报告\n" + BODY).metadata
    assert (meta.district, meta.city, meta.province) == ("朝阳区", "北京市", "北京市")
    meta = nlp.read_report("朝阳区人民政府2024年法治政府建设情况的报告\n" + BODY).metadata
    assert meta.district == "朝阳区" and meta.city is None  # ambiguous, nothing guessed


def test_a_year_is_never_later_than_the_publication_date():
    text = "发布日期：2025-01-10\n瓯海区司法局2027年法治政府建设年度报告\n2024年，瓯海区坚持依法行政。\n" + BODY
    assert nlp.read_report(text).metadata.year == 2024
    text = "发布日期：2025-01-10\n瓯海区司法局2027年法治政府建设年度报告\n" + BODY
    assert nlp.read_report(text).metadata.year is None


def test_the_argument_wins_over_the_text_with_a_warning(seed_file, caplog):
    with caplog.at_level(logging.WARNING, logger="nlp.metadata"):
        report = nlp.read_report(seed_file("ouhai"), metadata={"district": "鹿城区", "year": 2023})
    assert (report.metadata.district, report.metadata.year) == ("鹿城区", 2023)
    assert set(report.paragraphs["district"]) == {"鹿城区"} and set(report.paragraphs["year"]) == {2023}
    assert report.metadata.city == "温州市"  # still filled, now for the stated district
    assert any("鹿城区" in w and "瓯海区" in w for w in report.warnings)
    assert any("keeping '鹿城区'" in r.getMessage() for r in caplog.records)


def test_the_side_file_wins_over_the_text(tmp_path, seed_file):
    target = tmp_path / f"{SEED_IDS['xihu']}.txt"
    target.write_bytes(seed_file("xihu").read_bytes())
    side = {"reports": {SEED_IDS["xihu"]: {"district": "上城区", "year": 2022, "city": "杭州市"}}}
    (tmp_path / "metadata.yaml").write_text(yaml.safe_dump(side, allow_unicode=True), encoding="utf-8")
    corpus = nlp.load_corpus(tmp_path)
    (meta,) = corpus.reports
    assert (meta.district, meta.year, meta.city, meta.province) == ("上城区", 2022, "杭州市", "浙江省")
    assert set(corpus.paragraphs["district"]) == {"上城区"}


def test_merge_and_complete_units():
    meta = merge_metadata(ReportMetadata("r", district="政府区", year=2027), {"district": "滨江区", "year": 2024,
                                                                              "city": None})
    assert (meta.district, meta.year, meta.city) == ("滨江区", 2024, None)
    with pytest.raises(ValueError, match="unknown metadata fields"):
        merge_metadata(ReportMetadata("r"), {"county": "滨江区"})
    warnings: list[str] = []
    complete_from_gazetteer(ReportMetadata("r", district="滨江区", province="河北省"), warnings=warnings)
    assert warnings and "gazetteer" in warnings[0]
    warnings = []
    complete_from_gazetteer(ReportMetadata("r", district="滨江区", year=2026, published="2025-02-01"), warnings=warnings)
    assert warnings and "later than the publication" in warnings[0]
