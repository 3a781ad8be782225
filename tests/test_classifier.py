"""The classifier: API contract, shipped model, held-out behaviour, persistence."""
from __future__ import annotations

import json
import pickle

import numpy as np
import pandas as pd
import pytest

import nlp
from nlp.classifier import PolicyClassifier, to_indicator
from nlp.classifier.thresholds import choose_thresholds
from nlp.classifier.metrics import f1_scores
from nlp.classifier.persistence import ModelLoadError
from nlp.classifier.rules import KeywordLabeler
from nlp.classifier.data import load_training_data

LABELS = ["administrative_review", "enforcement_supervision", "mediation", "legal_outreach", "lawyers"]


@pytest.fixture(scope="session")
def shipped():
    return nlp.PolicyClassifier.load()


@pytest.fixture(scope="session")
def training_data():
    return load_training_data("seeds", "configs/labels.yaml", guide_examples=True)


@pytest.fixture(scope="session")
def held_out_fit(training_data):
    """Trained without Xihu (fixed thresholds to keep the suite fast), Xihu held out."""
    train = [d for d in training_data.districts if d != "西湖区"]
    texts, labels, groups = training_data.units("clause", train)
    clf = PolicyClassifier(thresholds="fixed").fit(texts, labels, groups=groups)
    test = training_data.paragraphs[training_data.paragraphs["district"] == "西湖区"]
    return clf, test


# --- the public API contract -------------------------------------------------

def test_shipped_model_loads_and_predicts_in_guide_order(shipped):
    texts = [
        "全区行政复议收案845件，办结812件，纠错率12.3%。",
        "组织全区16个执法单位对122卷行政处罚案卷开展集中评查。",
        "全年受理人民调解案件13009件，调解成功率99.7%。",
        "开展宪法宣传周活动，组织“法律明白人”培训。",
        "新引进律师事务所5家，全区执业律师达到1200名。",
        "召开局党组会议，研究部署年度重点工作。",
    ]
    labels = shipped.predict(texts)
    assert isinstance(labels, list) and all(isinstance(l, list) for l in labels)
    for row in labels:
        assert row == [l for l in LABELS if l in row]  # guide order
    assert labels[0] == ["administrative_review"]
    assert "enforcement_supervision" in labels[1]
    assert labels[2] == ["mediation"]
    assert labels[3] == ["legal_outreach"]
    assert labels[4] == ["lawyers"]
    assert labels[5] == []


def test_predict_proba_is_a_frame_with_one_column_per_label(shipped):
    proba = shipped.predict_proba(["开展普法活动20场。", "召开会议。"])
    assert isinstance(proba, pd.DataFrame)
    assert list(proba.columns) == LABELS and len(proba) == 2
    assert ((proba.values >= 0) & (proba.values <= 1)).all()


def test_empty_inputs(shipped):
    assert shipped.predict([]) == []
    assert shipped.predict(["", "   "]) == [[], []]
    assert shipped.predict_proba([]).shape == (0, 5)
    with pytest.raises(TypeError, match="single string"):
        shipped.predict("开展普法活动。")


def test_classify_report_on_a_seed(shipped, seed_file):
    frame = shipped.classify_report(seed_file("binjiang"))
    for column in ["para_id", "heading_1", "heading_2", "heading_path", "section_role", "text", "labels", *LABELS]:
        assert column in frame.columns
    assert len(frame) == 17
    lawyers_para = frame[frame["text"].str.startswith("五是多元发展")].iloc[0]
    assert "lawyers" in lawyers_para["labels"]


def test_predictions_agree_with_gold_on_the_seeds(shipped, corpus):
    # in-sample sanity check (the held-out figures are in experiments/results)
    gold = to_indicator(corpus.paragraphs["labels"].tolist(), LABELS)
    pred = to_indicator(shipped.predict(corpus.paragraphs["text"].tolist()), LABELS)
    micro, macro, _ = f1_scores(gold, pred)
    assert macro > 0.8


def test_model_card_records_provenance(shipped):
    info = shipped.info_
    assert info["label_ids"] == LABELS
    assert len(info["data_hash"]) == 64
    assert "lodo" in info["metrics"]
    card = (nlp.paths.default_model_dir() / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert info["data_hash"] in card


# --- behaviour on a held-out district ----------------------------------------

def test_learned_model_beats_empty_baseline_on_held_out_district(held_out_fit):
    clf, test = held_out_fit
    gold = to_indicator(test["labels"].tolist(), LABELS)
    pred = clf.predict_indicator(test["text"].tolist())
    _, macro, _ = f1_scores(gold, pred)
    _, empty_macro, _ = f1_scores(gold, np.zeros_like(gold))
    assert empty_macro == 0.0
    assert macro > 0.5


def test_fit_is_deterministic(training_data):
    texts, labels, groups = training_data.units("clause", ["滨江区", "瓯海区"], with_guide=False)
    a = PolicyClassifier(thresholds="fixed").fit(texts, labels).predict_proba(texts[:20])
    b = PolicyClassifier(thresholds="fixed").fit(texts, labels).predict_proba(texts[:20])
    pd.testing.assert_frame_equal(a, b)


def test_cv_thresholds_come_from_training_groups_only(training_data):
    texts, labels, groups = training_data.units("clause", ["滨江区", "瓯海区", "钱塘区"], with_guide=False)
    clf = PolicyClassifier(rules="none").fit(texts, labels, groups=groups)
    assert clf.thresholds_.shape == (5,)
    assert ((clf.thresholds_ > 0) & (clf.thresholds_ < 1)).all()


def test_invalid_parameters_name_the_choices():
    with pytest.raises(ValueError, match=r"unit: expected one of \['clause', 'paragraph', 'clause\+paragraph'\]"):
        PolicyClassifier(unit="sentence").fit(["a", "b"], [[], []])
    with pytest.raises(ValueError, match="unknown label 'crime'"):
        PolicyClassifier().fit(["a", "b"], [["crime"], []])


def test_choose_thresholds_prefers_point_five_on_ties():
    proba = np.array([[0.9], [0.8], [0.1], [0.2]])
    y = np.array([[1], [1], [0], [0]])
    assert choose_thresholds(proba, y)[0] == 0.5


# --- the keyword baseline -----------------------------------------------------

def test_keyword_labeler_follows_hard_cases():
    labeler = KeywordLabeler().fit([])
    pred = labeler.predict(["将涉企案件调解贯穿行政复议全过程。", "组织律师进社区开展普法宣讲。"])
    assert pred[0] == ["administrative_review"]  # 复议调解 is review, not mediation
    assert pred[1] == ["legal_outreach"]  # 律师进社区 is outreach, not lawyers


# --- persistence -----------------------------------------------------------------

def test_save_load_round_trip(held_out_fit, tmp_path):
    clf, test = held_out_fit
    clf.save(tmp_path / "m", {"data_hash": "x"})
    again = PolicyClassifier.load(tmp_path / "m")
    texts = test["text"].tolist()
    pd.testing.assert_frame_equal(clf.predict_proba(texts), again.predict_proba(texts))
    assert clf.predict(texts) == again.predict(texts)


def test_untrusted_or_damaged_model_files_are_refused(held_out_fit, tmp_path):
    clf, _ = held_out_fit

    def fresh(name):
        return clf.save(tmp_path / name, {})

    # a pickle in place of the arrays: NumPy refuses it, nothing is unpickled
    folder = fresh("pickled")
    (folder / "arrays.npz").write_bytes(pickle.dumps({"evil": print}))
    with pytest.raises(ModelLoadError, match="arrays.npz"):
        PolicyClassifier.load(folder)
    # a model description that names a function outside the trusted list
    folder = fresh("untrusted")
    info = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    info["features"][0]["params"]["preprocessor"] = "os.system"
    (folder / "model.json").write_text(json.dumps(info), encoding="utf-8")
    with pytest.raises(ModelLoadError, match="refusing to load.*os.system"):
        PolicyClassifier.load(folder)
    # an incompatible format version
    folder = fresh("old")
    info = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    info["format_version"] = 99
    (folder / "model.json").write_text(json.dumps(info), encoding="utf-8")
    with pytest.raises(ModelLoadError, match="format version 99"):
        PolicyClassifier.load(folder)
    # truncated files
    folder = fresh("truncated")
    (folder / "model.json").write_text("{\"format_version\": 2, ", encoding="utf-8")
    with pytest.raises(ModelLoadError, match="corrupted"):
        PolicyClassifier.load(folder)
    folder = fresh("truncated-arrays")
    data = (folder / "arrays.npz").read_bytes()
    (folder / "arrays.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelLoadError, match="arrays.npz"):
        PolicyClassifier.load(folder)
    # a missing folder
    with pytest.raises(ModelLoadError, match="not found"):
        PolicyClassifier.load(tmp_path / "nothing")
