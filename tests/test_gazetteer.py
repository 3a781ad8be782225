"""The gazetteer: real county- and prefecture-level divisions from the data jionlp ships."""
from __future__ import annotations

import pytest

from nlp import gazetteer


@pytest.mark.parametrize("junk", ["现将我区", "统筹推进全区", "政府市", "北京市", "全区", "我区", "开发区", "区"])
def test_junk_and_non_county_names_are_not_districts(junk):
    assert not gazetteer.is_county(junk)


def test_real_districts_with_their_city_and_province():
    (binjiang,) = gazetteer.lookup_county("滨江区")
    assert (binjiang.city, binjiang.province, binjiang.code) == ("杭州市", "浙江省", "330108")
    # created in 2021: the data is maintained, not a 2020 snapshot
    assert gazetteer.lookup_county("钱塘区")[0].city == "杭州市"
    # a county-level city governed by its province directly is its own city
    assert gazetteer.lookup_county("仙桃市")[0].city == "仙桃市"
    # a municipality is its own city and province
    assert gazetteer.lookup_county("东城区")[0].city == "北京市"
    assert gazetteer.is_city("北京市") and gazetteer.is_city("杭州市") and not gazetteer.is_city("政府市")


def test_ambiguous_names_resolve_only_with_a_city_or_province():
    assert {d.city for d in gazetteer.lookup_county("朝阳区")} == {"北京市", "长春市"}
    assert gazetteer.resolve_division("朝阳区") is None
    assert gazetteer.resolve_division("朝阳区", province="吉林").city == "长春市"
    assert gazetteer.resolve_division("朝阳区", city="北京市").province == "北京市"
    assert gazetteer.resolve_division("滨江区", province="河北省") is None
    assert gazetteer.resolve_province("浙江") == "浙江省"


def test_counties_in_text():
    assert gazetteer.counties_in("杭州市滨江区司法局关于温州市瓯海区") == ["滨江区", "瓯海区"]
    assert gazetteer.counties_in("现将我区情况报告如下") == []
