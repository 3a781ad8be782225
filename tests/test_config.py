"""Config validation: one clear error naming the key and the file, before any work."""
from __future__ import annotations

import pytest

from nlp.cli import main
from nlp.config import ConfigError, Field, apply_overrides, load_config, validate
from nlp.classifier.schema import CLASSIFIER_SCHEMA, load_classifier_config

SCHEMA = {
    "name": Field(str, "x"),
    "model": {"C": Field(float, 1.0, min=0.001), "kind": Field(str, "a", choices=("a", "b"))},
    "data": Field(str, "seeds", path=True),
}


def write(tmp_path, text):
    path = tmp_path / "cfg.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_filled(tmp_path):
    cfg = load_config(write(tmp_path, "name: y\n"), SCHEMA)
    assert cfg == {"name": "y", "model": {"C": 1.0, "kind": "a"}, "data": "seeds"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("nmae: y\n", r"unknown key 'nmae'; valid keys here are \['data', 'model', 'name'\]"),
        ("model: {C: high}\n", r"key 'model.C': expected a number, received 'high'"),
        ("model: {C: -1}\n", r"key 'model.C': expected a value >= 0.001, received -1"),
        ("model: {kind: c}\n", r"key 'model.kind': expected one of \['a', 'b'\], received 'c'"),
        ("model: {gamma: 2}\n", r"unknown key 'model.gamma'"),
        ("data: no/such/folder\n", r"key 'data': file not found"),
        ("model: [1, 2]\n", r"key 'model': expected a mapping"),
    ],
)
def test_invalid_configs_name_the_key_and_the_file(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as info:
        load_config(path, SCHEMA)
    assert str(path) in str(info.value)


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "none.yaml", SCHEMA)
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(write(tmp_path, "model: {C: [\n"), SCHEMA)


def test_overrides_are_parsed_as_yaml_and_validated(tmp_path):
    path = write(tmp_path, "name: y\n")
    assert load_config(path, SCHEMA, ["model.C=2.5"])["model"]["C"] == 2.5
    with pytest.raises(ConfigError, match="model.C"):
        load_config(path, SCHEMA, ["model.C=-3"])
    with pytest.raises(ConfigError, match="KEY=VALUE"):
        apply_overrides({}, ["model.C"])


def test_shipped_configs_are_valid():
    cfg = load_classifier_config("configs/classifier.yaml")
    assert cfg["model"]["unit"] == "clause"
    load_classifier_config("configs/classifier_ablations.yaml")
    from nlp.pipeline import MAIN_SCHEMA

    main_cfg = load_config("configs/main.yaml", MAIN_SCHEMA)
    assert main_cfg["topics"]["configs"]


def test_cli_reports_a_bad_override_before_any_work(capsys):
    assert main(["train", "--set", "model.unit=sentence", "--no-mlflow"]) == 1
    err = capsys.readouterr().err
    assert "model.unit" in err and "classifier.yaml" in err and "['clause', 'paragraph', 'clause+paragraph']" in err
    assert "Traceback" not in err


def test_schema_rejects_unknown_classifier_keys():
    with pytest.raises(ConfigError, match="unknown key 'modle'"):
        validate({"modle": {}}, CLASSIFIER_SCHEMA, "x.yaml")


def test_other_libraries_names_for_a_key_get_a_hint_naming_ours():
    from nlp.topics.schema import validate_fit_options

    for alias in ("num_topics", "nr_topics"):
        with pytest.raises(ConfigError, match=rf"unknown key '{alias}' \(did you mean 'n_topics'\?\)"):
            validate_fit_options("bertopic", {alias: 5})
    with pytest.raises(ConfigError, match=r"'topn' \(did you mean 'top_n_words'\?\)"):
        validate_fit_options("lda", {"topn": 5})
    with pytest.raises(ConfigError, match=r"'seeds' \(restarts are 'random_state' .* 'n_restarts'\)"):
        validate_fit_options("lda", {"seeds": [0, 1]})
