"""`nlp train --data FILE`: a user's own paragraph labels, from files the tests write from the seeds."""
from __future__ import annotations

import json

import pytest

from nlp.classifier.data import read_labelled_file
from nlp.classifier.taxonomy import load_taxonomy
from nlp.cli import main


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy("configs/labels.yaml")


def _write_files(tmp_path, corpus):
    paragraphs = corpus.paragraphs
    train = paragraphs[paragraphs["district"] != "西湖区"]
    held = paragraphs[paragraphs["district"] == "西湖区"]
    csv = tmp_path / "my_labels.csv"
    train[["doc_id", "district", "text"]].assign(labels=train["labels"].map(";".join)).to_csv(csv, index=False)
    jsonl = tmp_path / "held_out.jsonl"
    jsonl.write_text("".join(json.dumps({"text": t, "labels": list(l)}, ensure_ascii=False) + "\n"
                             for t, l in zip(held["text"], held["labels"])), encoding="utf-8")
    return csv, jsonl


def test_train_on_own_labels_evaluates_and_saves_a_model_in_its_own_folder(tmp_path, corpus, capsys):
    csv, jsonl = _write_files(tmp_path, corpus)
    out = tmp_path / "model"
    assert main(["train", "--data", str(csv), "--eval", str(jsonl), "--no-mlflow", "--quiet", "--output", str(out),
                 "--set", "evaluation.bootstrap=20"]) == 0
    printed = capsys.readouterr().out
    assert "leave-one-group-out" in printed and "held-out file" in printed
    card = json.loads((out / "model.json").read_text(encoding="utf-8"))
    assert card["params"]["unit"] == "paragraph"  # paragraph labels only: no clause labels needed
    from nlp.classifier import PolicyClassifier

    model = PolicyClassifier.load(out)
    assert model.predict(["全区行政复议收案845件，纠错率12.3%。"]) == [["administrative_review"]]


@pytest.mark.parametrize("content, message", [
    ("", "empty"),
    ("text,labels\n", "no rows"),
    ("text,area\n开展普法活动20场。,legal_outreach\n", "expected columns 'text' and 'labels'"),
    ("text,labels\n开展普法活动20场。,legal_outreach\n召开会议。,outreach\n", r"row 3: unknown label 'outreach'"),
    ("text,labels\n开展普法活动20场。,\n召开会议。,\n", "no row carries a label"),
    ("text,labels\n,legal_outreach\n", "row 2: empty or missing 'text'"),
])
def test_bad_label_files_are_one_line_errors_naming_the_row(tmp_path, taxonomy, capsys, content, message):
    path = tmp_path / "labels.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        read_labelled_file(path, taxonomy)
    assert main(["train", "--data", str(path), "--no-mlflow", "--quiet"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("nlp train: error:") and "\n" not in err and "Traceback" not in err


def test_jsonl_errors_name_the_line(tmp_path, taxonomy):
    path = tmp_path / "labels.jsonl"
    path.write_text('{"text": "开展普法活动20场。", "labels": ["legal_outreach"]}\n{"text": "x", "labels": 3}\n',
                    encoding="utf-8")
    with pytest.raises(ValueError, match=r"labels.jsonl:2: 'labels' must be"):
        read_labelled_file(path, taxonomy)
