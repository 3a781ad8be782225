"""The written training corpus: merging the two labelling passes, agreement, and the quality gates.

The unit tests use small hand-written fixtures. The quality gates run on the real corpus in
``seeds/corpus/`` and, for overlap, on the development set read at test time from
``../shared/dev`` (never copied into the repository).
"""
from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest

from nlp.classifier.taxonomy import default_taxonomy
from nlp.classifier.written_corpus import (build_corpus, label_agreement, merge_passes, near_duplicates, read_formulae,
                                           read_second_pass, read_writer_batches, shared_substrings)
from nlp.paths import dev_set_path, seeds_dir

CORPUS_DIR = seeds_dir() / "corpus"
LABELS = list(default_taxonomy().ids)


def _writer_row(i: int, labels: list[str], text: str | None = None) -> dict:
    return {"id": f"t-{i:04d}", "batch": "t", "province": "四川省", "district": "武侯区", "year": 2023,
            "section_role": "achievements", "kind": "positive", "guide_rule": "test",
            "text": text or f"全年共办理人民调解案件{100 + i}件，调解成功率98.{i}%。", "labels": labels}


def _write(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


# --- units ------------------------------------------------------------------------------

def test_merge_takes_the_common_answer_or_the_adjudicated_one(tmp_path):
    tax = default_taxonomy()
    _write(tmp_path / "writers" / "t.jsonl", [_writer_row(1, ["mediation"]), _writer_row(2, ["lawyers", "mediation"])])
    _write(tmp_path / "second_pass" / "t.jsonl", [{"id": "t-0001", "labels": ["mediation"]},
                                                   {"id": "t-0002", "labels": ["mediation"]}])
    _write(tmp_path / "adjudication.jsonl", [{"id": "t-0002", "labels": ["mediation"], "reason": "lawyers only in passing"}])
    corpus = build_corpus(tmp_path, tax)
    assert corpus["labels"].tolist() == [["mediation"], ["mediation"]]
    assert corpus["labels_writer"].tolist()[1] == ["mediation", "lawyers"]  # put in taxonomy order
    assert corpus["adjudicated"].tolist() == [False, True]
    written = [json.loads(l) for l in (tmp_path / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    assert written[1]["reason"] == "lawyers only in passing" and written[0]["reason"] is None


def test_an_unsettled_disagreement_or_a_missing_second_pass_is_an_error(tmp_path):
    tax = default_taxonomy()
    _write(tmp_path / "writers" / "t.jsonl", [_writer_row(1, ["mediation"]), _writer_row(2, [])])
    _write(tmp_path / "second_pass" / "t.jsonl", [{"id": "t-0001", "labels": []}])
    writers = read_writer_batches(tmp_path / "writers", tax)
    second = read_second_pass(tmp_path / "second_pass", tax)
    with pytest.raises(ValueError, match="no second-pass labels"):
        merge_passes(writers, second, pd_empty_adjudication())
    _write(tmp_path / "second_pass" / "t.jsonl", [{"id": "t-0001", "labels": []}, {"id": "t-0002", "labels": []}])
    with pytest.raises(ValueError, match="1 disagreements are not adjudicated"):
        merge_passes(writers, read_second_pass(tmp_path / "second_pass", tax), pd_empty_adjudication())


def pd_empty_adjudication():
    import pandas as pd

    return pd.DataFrame(columns=["id", "labels_adjudicated", "reason"])


def test_unknown_labels_and_duplicate_ids_are_refused(tmp_path):
    tax = default_taxonomy()
    _write(tmp_path / "a" / "t.jsonl", [_writer_row(1, ["mediaton"])])
    with pytest.raises(ValueError, match="unknown labels"):
        read_writer_batches(tmp_path / "a", tax)
    _write(tmp_path / "b" / "t.jsonl", [_writer_row(1, []), _writer_row(1, [])])
    with pytest.raises(ValueError, match="duplicate paragraph ids"):
        read_writer_batches(tmp_path / "b", tax)


def test_kappa_is_one_for_identical_passes_and_zero_for_chance_agreement():
    first = [["mediation"], [], ["mediation"], []]
    table = label_agreement(first, first, ["mediation"])
    assert table.loc[0, "kappa"] == 1.0 and table.loc[0, "disagreements"] == 0
    chance = label_agreement([["mediation"], ["mediation"], [], []], [["mediation"], [], ["mediation"], []], ["mediation"])
    assert chance.loc[0, "kappa"] == pytest.approx(0.0)


def test_shared_substrings_finds_a_copied_window_and_nothing_else():
    reference = ["二〇二三年，全县共受理行政复议申请一百二十件，依法审结一百零五件。"]
    copied = "另外，" + reference[0][3:25] + "。"
    hits = shared_substrings(["开展宪法宣传周活动二十场次。", copied], reference, length=20)
    assert [i for i, _ in hits] == [1]
    formula = "坚持以习近平新时代中国特色社会主义思想为指导"
    assert shared_substrings(["全县" + formula + "。"], ["本区" + formula + "，"], ignore=["习近平新时代中国特色社会主义思想"]) == []
    assert len(shared_substrings(["全县" + formula + "。"], ["本区" + formula + "，"])) == 1


def test_near_duplicates_by_character_five_gram_jaccard():
    a = ("全区各级人民调解组织共排查化解矛盾纠纷1200件，调解成功率98.9%，涉案金额3000万元；"
         "新建行业性专业性调解组织6个，培训人民调解员420人次，评定金牌调解员15名。")
    b = a.replace("1200", "1201")
    c = "组织开展“八五”普法中期评估，发放宣传资料两万余份。"
    pairs = near_duplicates([a, b, c])
    assert [(i, j) for i, j, _ in pairs] == [(0, 1)]
    assert pairs[0][2] > 0.8


# --- the real corpus: quality gates promised in the README --------------------------------

@pytest.fixture(scope="module")
def corpus():
    return build_corpus(CORPUS_DIR, default_taxonomy(), write=False)


def test_built_corpus_matches_the_committed_corpus_file(corpus):
    committed = [json.loads(l) for l in (CORPUS_DIR / "corpus.jsonl").read_text(encoding="utf-8").splitlines() if l]
    assert [r["id"] for r in committed] == corpus["id"].tolist()
    assert [r["labels"] for r in committed] == corpus["labels"].tolist()


def test_size_lengths_and_writers(corpus):
    lengths = corpus["text"].str.len()
    assert len(corpus) >= 2000
    assert lengths.min() >= 80 and lengths.max() <= 600
    assert ((lengths >= 120) & (lengths <= 300)).mean() > 0.5
    assert corpus["batch"].nunique() >= 5
    assert corpus["year"].between(2019, 2025).all()
    assert set(corpus["section_role"]) >= {"achievements", "problems", "plans", "leadership", "preamble"}
    assert corpus["province"].nunique() >= 25


def test_label_counts_are_within_the_promised_ranges(corpus):
    counts = Counter(label for labels in corpus["labels"] for label in labels)
    for label in LABELS:
        assert 500 <= counts[label] <= 1100, (label, counts[label])
    n_labels = corpus["labels"].map(len)
    assert (n_labels >= 2).sum() >= 300  # multi-label paragraphs
    assert 0.3 <= (n_labels == 0).mean() <= 0.5  # paragraphs with no label


def test_dense_report_style_paragraphs_of_round_two_are_there(corpus):
    # Round two: terse area phrases inside multi-topic sentences, and passing mentions in
    # equally dense text, so the model sees both sides of the same surface form.
    kinds = Counter(corpus["kind"])
    assert kinds["dense_multi"] >= 300 and kinds["dense_none"] >= 300
    dense = corpus[corpus["kind"].isin(["dense_multi", "dense_none"])]
    assert dense["text"].str.len().median() >= 200
    assert all(labels == [] for labels in corpus.loc[corpus["kind"] == "dense_none", "labels"])


def test_none_of_the_five_and_hard_cases_are_covered(corpus):
    kinds = Counter(corpus["kind"])
    assert kinds["none_passing"] >= 60 * 8
    assert kinds["hard_case"] >= 40 * 9
    passing = corpus[corpus["kind"] == "none_passing"]
    assert (passing["labels"].map(len) == 0).all()


def _dev_overlap(texts: list[str]) -> list:
    """Texts sharing a 20-character substring with the dev set (read at test time), official formulae masked."""
    path = dev_set_path()
    if not path.exists():
        pytest.skip(f"development set not found at {path}")
    dev = [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return shared_substrings(texts, dev, length=20, ignore=read_formulae(CORPUS_DIR / "official_formulae.txt"))


def test_no_paragraph_shares_20_characters_with_the_dev_set(corpus):
    assert len(read_formulae(CORPUS_DIR / "official_formulae.txt")) <= 20  # a short list of official names, not a loophole
    hits = _dev_overlap(corpus["text"].tolist())
    assert hits == [], hits[:3]


def test_near_duplicates_are_under_two_percent(corpus):
    pairs = near_duplicates(corpus["text"].tolist(), n=5, threshold=0.8)
    involved = {i for i, j, _ in pairs} | {j for i, j, _ in pairs}
    assert len(involved) / len(corpus) < 0.02, pairs[:5]


def test_second_pass_agrees_with_the_writers_beyond_chance(corpus):
    table = label_agreement(corpus["labels_writer"], corpus["labels_second"], LABELS)
    assert (table["kappa"] > 0.6).all(), table
    assert np.isclose(corpus["adjudicated"].sum(), sum(a != b for a, b in zip(corpus["labels_writer"], corpus["labels_second"])))


# --- the held-out report set (the `reports` evaluation) ------------------------------------------

@pytest.fixture(scope="module")
def report_set():
    from nlp.classifier.written_corpus import build_report_set

    return build_report_set(seeds_dir(), default_taxonomy(), write=False)


def test_report_set_matches_its_committed_build(report_set):
    from nlp.classifier.written_corpus import REPORT_SET_DIR, REPORT_SET_FILE

    path = CORPUS_DIR / REPORT_SET_DIR / REPORT_SET_FILE
    committed = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [r["labels"] for r in committed] == report_set["labels"].tolist()
    assert [r["text"] for r in committed] == report_set["text"].tolist()


def test_report_set_is_whole_reports_kept_out_of_training(report_set, corpus):
    assert len(report_set) == 480 and report_set["doc_id"].nunique() == 24
    sizes = report_set.groupby("doc_id").size()
    assert sizes.between(18, 24).all()  # whole reports, not picked paragraphs
    assert not set(report_set["text"]) & set(corpus["text"])
    seed_districts = {"滨江区", "西湖区", "瓯海区", "余杭区", "钱塘区"}
    assert not any(d in str(district) for district in report_set["district"] for d in seed_districts)
    labels = Counter(label for row in report_set["labels"] for label in row)
    assert set(labels) == set(LABELS) and min(labels.values()) >= 30
    assert 0.25 <= (report_set["labels"].map(len) == 0).mean() <= 0.5  # none of the five is common


def test_report_set_shares_no_20_characters_with_the_dev_set(report_set):
    hits = _dev_overlap(report_set["text"].tolist())
    assert hits == [], hits[:3]


def test_report_set_passes_agree_and_every_disagreement_is_settled(report_set):
    table = label_agreement(report_set["labels_a"], report_set["labels_b"], LABELS)
    assert (table["kappa"] > 0.6).all(), table
    differ = [a != b for a, b in zip(report_set["labels_a"], report_set["labels_b"])]
    assert report_set["adjudicated"].tolist() == differ
    assert all(isinstance(r, str) and r for r, d in zip(report_set["reason"], differ) if d)
