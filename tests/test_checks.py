"""The shared helpers: argument checks (``nlp.checks``), JSON Lines (``nlp.jsonl``) and
project paths (``nlp.paths.resolve_project_path``)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from nlp.checks import check_choice, choice_error
from nlp.config import ConfigError
from nlp.jsonl import read_jsonl, write_jsonl
from nlp.paths import project_root, resolve_project_path


# --- check_choice ----------------------------------------------------------------------------------

def test_check_choice_returns_the_value_itself():
    value = ("clause",)
    assert check_choice("unit", value, [("sentence",), value]) is value
    assert check_choice("unit", "paragraph", ("clause", "paragraph")) == "paragraph"


def test_check_choice_error_lists_the_choices_and_the_received_value():
    expected = "unit: expected one of ['clause', 'paragraph'], received 'sentence'"
    with pytest.raises(ValueError, match=f"^{re.escape(expected)}$"):
        check_choice("unit", "sentence", ("clause", "paragraph"))
    # choices given once as an iterator are still listed whole; a non-string value shows as its repr
    with pytest.raises(ValueError, match=re.escape("k: expected one of [1, 2], received 3")):
        check_choice("k", 3, iter([1, 2]))


def test_check_choice_raises_the_given_error_type():
    with pytest.raises(ConfigError) as info:
        check_choice("x.yaml: key 'lda.alpha'", "flat", ("symmetric", "auto"), ConfigError)
    assert type(info.value) is ConfigError
    assert str(info.value) == "x.yaml: key 'lda.alpha': expected one of ['symmetric', 'auto'], received 'flat'"
    error = choice_error("mode", "b", ["a"], KeyError)  # returned, not raised
    assert type(error) is KeyError and "received 'b'" in str(error)


# --- read_jsonl / write_jsonl ----------------------------------------------------------------------

def test_read_jsonl_skips_blank_lines(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text('\n{"id": 1}\n\n   \n{"id": 2}\n\t\n{"id": 3}', encoding="utf-8")
    assert read_jsonl(path) == [{"id": 1}, {"id": 2}, {"id": 3}]


def test_read_jsonl_names_the_file_and_line_of_bad_json(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text('{"id": 1}\n\n{"id": \n{"id": 4}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=rf"^{re.escape(str(path))}:3: not valid JSON"):
        read_jsonl(path)


def test_read_jsonl_names_the_file_and_line_of_a_missing_key(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text('{"id": 1, "text": "开展普法活动"}\n{"id": 2}\n', encoding="utf-8")
    assert read_jsonl(path) == [{"id": 1, "text": "开展普法活动"}, {"id": 2}]  # no required keys: both read
    expected = f"{path}:2: expected fields ['id', 'text']; missing ['text']"
    with pytest.raises(ValueError, match=f"^{re.escape(expected)}$"):
        read_jsonl(path, required=("id", "text"))


def test_write_jsonl_round_trip_keeps_chinese(tmp_path):
    rows = [{"id": "t-0001", "text": "全区行政复议收案845件。", "labels": ["administrative_review"]},
            {"id": "t-0002", "text": "召开局党组会议。", "labels": []}]
    path = write_jsonl(tmp_path / "rows.jsonl", rows)
    assert path == tmp_path / "rows.jsonl"
    text = path.read_text(encoding="utf-8")
    assert "全区行政复议收案845件。" in text and "\\u" not in text  # characters, not escapes
    assert text.count("\n") == len(rows)  # one record per line
    assert read_jsonl(path, required=("id", "text", "labels")) == rows


# --- resolve_project_path --------------------------------------------------------------------------

def test_absolute_paths_and_paths_that_exist_from_the_working_directory_are_kept(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    absolute = tmp_path / "nowhere" / "config.yaml"  # absolute, even if it does not exist
    assert resolve_project_path(absolute) == absolute
    assert resolve_project_path(str(absolute)) == absolute
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "labels.yaml").write_text("labels: []\n", encoding="utf-8")
    assert resolve_project_path("configs/labels.yaml") == Path("configs/labels.yaml")


def test_other_relative_paths_are_taken_from_the_project_root(tmp_path, monkeypatch):
    monkeypatch.delenv("NLP_PROJECT_ROOT", raising=False)
    monkeypatch.chdir(tmp_path)
    resolved = resolve_project_path("configs/labels.yaml")
    assert resolved == project_root() / "configs" / "labels.yaml" and resolved.is_file()
    monkeypatch.setenv("NLP_PROJECT_ROOT", str(tmp_path / "checkout"))
    assert resolve_project_path("configs/labels.yaml") == (tmp_path / "checkout").resolve() / "configs" / "labels.yaml"
