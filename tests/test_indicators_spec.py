"""The indicator data file: 21 indicators in the taxonomy's areas, validated on load."""
from __future__ import annotations

import pytest
import yaml

from nlp.classifier.taxonomy import default_taxonomy
from nlp.config import ConfigError
from nlp.indicators import extract_indicators
from nlp.indicators.spec import default_spec, load_spec
from nlp.paths import project_root


def test_default_spec_has_the_guides_indicators():
    spec = default_spec()
    assert len(spec.ids) == 21
    assert set(spec.areas) == set(default_taxonomy().ids)


def _write(tmp_path, data):
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_study_can_add_an_indicator_without_code(tmp_path):
    data = yaml.safe_load((project_root() / "configs/indicators.yaml").read_text(encoding="utf-8"))
    data["indicators"].append({"id": "legal_aid.cases", "area": "legal_aid", "name": "法律援助案件", "units": ["件"],
                               "before": ["法律援助案件"]})
    table = extract_indicators("一、主要举措和成效\n受理法律援助案件1200件。", spec=_write(tmp_path, data))
    assert table[["indicator", "value"]].values.tolist() == [["legal_aid.cases", 1200.0]]


@pytest.mark.parametrize("change, message", [
    (lambda d: d["indicators"][0].update(before=["(unclosed"]), "not a valid regular expression"),
    (lambda d: d["indicators"][0].update(units=["斤"]), "not in the top-level 'units'"),
    (lambda d: d["indicators"].append(dict(d["indicators"][0])), "duplicate indicator ids"),
    (lambda d: d["exclusions"][0].update(scope="page"), "expected one of"),
    (lambda d: d.update(colour="red"), "unknown key"),
    (lambda d: d.update(respectively="分别(为"), "key 'respectively': not a valid regular expression"),
    (lambda d: d["indicators"][0].update(parts="(unclosed"), r"key 'indicators\[0\]\.parts': not a valid regular"),
    (lambda d: d["indicators"][0].update(single="yes"), r"key 'indicators\[0\]\.single': expected a boolean"),
])
def test_invalid_files_name_the_problem(tmp_path, change, message):
    data = yaml.safe_load((project_root() / "configs/indicators.yaml").read_text(encoding="utf-8"))
    change(data)
    with pytest.raises(ConfigError, match=message):
        load_spec(_write(tmp_path, data))
