"""PolicyClassifier: its public API (predict, predict_proba, classify_report) and behaviour.

On the shipped model: predictions in guide order, probabilities as a frame, agreement with the
gold labels of the seeds; bad inputs (empty, blank, non-Chinese, wrong types, binary files,
other encodings and HTML) give a correct result or a clear error, never a traceback from
inside a library; large reports; the same answers from 8 threads as serially. On fitted
models: determinism and parameter checks.

The scikit-learn estimator contract is in ``test_estimator_contract.py``, the stored
predictions of the shipped model in ``test_shipped_model.py``, thresholds in
``test_classifier_thresholds.py``, saving and loading in ``test_classifier_persistence.py``.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import nlp
from nlp.classifier import PolicyClassifier, to_indicator
from nlp.classifier.metrics import f1_scores
from nlp.reader import ReportInputError

from conftest import LABELS, report_page

PROJECT = Path(__file__).resolve().parents[1]
PROBA_COLUMNS = ["doc_id", "district", "year", "title", "para_id", "heading_1", "heading_2", "heading_3", "heading_path",
                 "section_role", "text", "labels"]


# --- the public API on the shipped model ----------------------------------------------------------

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


def test_predictions_agree_with_gold_on_the_seeds(shipped, corpus):
    # in-sample sanity check (the held-out figures are in experiments/results)
    gold = to_indicator(corpus.paragraphs["labels"].tolist(), LABELS)
    pred = to_indicator(shipped.predict(corpus.paragraphs["text"].tolist()), LABELS)
    micro, macro, _ = f1_scores(gold, pred)
    assert macro > 0.8


# --- predict on bad input -------------------------------------------------------------------------

def test_predict_on_empty_blank_and_non_chinese_paragraphs(shipped):
    assert shipped.predict([]) == []
    assert shipped.predict_proba([]).shape == (0, len(shipped.label_ids_))
    assert shipped.predict(["", "   ", "\u3000\n", None]) == [[], [], [], []]
    proba = shipped.predict_proba(["", "   "])
    assert (proba.values == 0).all()
    assert shipped.predict(["This paragraph is in English and names no policy area."]) == [[]]


def test_predict_accepts_any_sequence_and_refuses_a_single_string(shipped, corpus):
    texts = corpus.paragraphs["text"].head(10).tolist()
    expected = shipped.predict(texts)
    assert shipped.predict(pd.Series(texts)) == expected
    assert shipped.predict(np.array(texts)) == expected
    assert shipped.predict(tuple(texts)) == expected
    with pytest.raises(TypeError, match="single string"):
        shipped.predict(texts[0])
    for value, name in ((None, "NoneType"), (texts[0].encode("utf-8"), "bytes"), (42, "int"),
                        (pd.DataFrame({"text": texts}), "DataFrame")):
        with pytest.raises(TypeError, match=f"expected a sequence of paragraph strings, received (a )?{name}"):
            shipped.predict(value)


# --- classify_report -------------------------------------------------------------------------------

def test_classify_report_on_a_seed(shipped, seed_file):
    frame = shipped.classify_report(seed_file("binjiang"))
    for column in ["para_id", "heading_1", "heading_2", "heading_path", "section_role", "text", "labels", *LABELS]:
        assert column in frame.columns
    assert len(frame) == 17
    assert set(frame["doc_id"]) == {seed_file("binjiang").stem} and set(frame["district"]) == {"滨江区"}
    assert set(frame["year"]) == {2024}
    lawyers_para = frame[frame["text"].str.startswith("五是多元发展")].iloc[0]
    assert "lawyers" in lawyers_para["labels"]


@pytest.mark.parametrize("name", ["empty.txt", "blank.txt", "english.txt"])
def test_classify_report_on_empty_input(shipped, bad_files, name):
    frame = shipped.classify_report(bad_files / name)
    assert frame.empty
    assert list(frame.columns) == PROBA_COLUMNS + shipped.label_ids_


def test_classify_report_errors(shipped, bad_files):
    with pytest.raises(ReportInputError, match="binary"):
        shipped.classify_report(bad_files / "image.txt")
    with pytest.raises(FileNotFoundError, match="not found"):
        shipped.classify_report(bad_files / "missing.txt")
    with pytest.raises(IsADirectoryError):
        shipped.classify_report(bad_files / "empty_dir")


def test_classify_report_on_gbk_and_html_equals_utf8(shipped, tmp_path, seed_file):
    original = seed_file("ouhai")
    raw = original.read_text(encoding="utf-8")
    expected = shipped.classify_report(original)
    (tmp_path / "gbk.txt").write_bytes(raw.encode("gb18030"))
    title = nlp.read_report(original).metadata.title
    (tmp_path / "page.html").write_text(report_page(raw, title), encoding="utf-8")
    for name in ("gbk.txt", "page.html"):
        # Rows name their report: the copies have their own doc_id (the file name), the page its <title>.
        got = shipped.classify_report(tmp_path / name)
        assert set(got["doc_id"]) == {Path(name).stem}
        pd.testing.assert_frame_equal(got.drop(columns=["doc_id", "title"]), expected.drop(columns=["doc_id", "title"]))


@pytest.mark.slow
def test_classify_report_on_a_5_mb_report(shipped, tmp_path, corpus):
    # classify_report on 50 MB would take 2-3 minutes (0.3-0.6 MB/s, the clause
    # scoring dominates), too slow for the suite; 5 MB takes 8-17 s.
    seed = corpus.paragraphs[corpus.paragraphs["doc_id"] == "001_e81d252c6a7ddc67"]["text"].tolist()
    block = "\n".join(seed) + "\n"
    repeats = 5 * 1024 * 1024 // len(block.encode("utf-8")) + 1
    path = tmp_path / "big.txt"
    path.write_text("西湖区司法局2024年法治政府建设工作报告\n" + block * repeats, encoding="utf-8")
    start = time.perf_counter()
    frame = shipped.classify_report(path)
    seconds = time.perf_counter() - start
    assert len(frame) == len(seed) * repeats
    expected = shipped.predict(seed)
    assert frame["labels"].head(len(seed)).tolist() == expected
    assert frame["labels"].tail(len(seed)).tolist() == expected
    assert seconds < 120, seconds


# --- fitting ---------------------------------------------------------------------------------------

def test_fit_is_deterministic(training_data):
    texts, labels, groups = training_data.units("clause", ["滨江区", "瓯海区"], with_guide=False)
    a = PolicyClassifier(thresholds="fixed").fit(texts, labels).predict_proba(texts[:20])
    b = PolicyClassifier(thresholds="fixed").fit(texts, labels).predict_proba(texts[:20])
    pd.testing.assert_frame_equal(a, b)


def test_invalid_parameters_name_the_choices():
    with pytest.raises(ValueError, match=r"unit: expected one of \['clause', 'paragraph', 'clause\+paragraph'\]"):
        PolicyClassifier(unit="sentence").fit(["a", "b"], [[], []])
    with pytest.raises(ValueError, match="unknown label 'crime'"):
        PolicyClassifier().fit(["a", "b"], [["crime"], []])


# --- threads ---------------------------------------------------------------------------------------

def test_predict_from_8_threads_equals_serial(shipped, corpus, seed_file):
    texts = corpus.paragraphs["text"].tolist()
    serial = shipped.predict(texts)
    serial_proba = shipped.predict_proba(texts)
    serial_report = shipped.classify_report(seed_file("binjiang"))
    chunks = [texts[i::8] for i in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(3):
            whole = [pool.submit(shipped.predict, texts) for _ in range(8)]
            parts = [pool.submit(shipped.predict, chunk) for chunk in chunks]
            probas = [pool.submit(shipped.predict_proba, texts) for _ in range(8)]
            reports = [pool.submit(shipped.classify_report, seed_file("binjiang")) for _ in range(8)]
            assert all(f.result() == serial for f in whole)
            for i, f in enumerate(parts):
                assert f.result() == serial[i::8]
            for f in probas:
                pd.testing.assert_frame_equal(f.result(), serial_proba)
            for f in reports:
                pd.testing.assert_frame_equal(f.result(), serial_report)


_THREAD_SCRIPT = r"""
import json, sys
from concurrent.futures import ThreadPoolExecutor
import nlp

texts = json.loads(open(sys.argv[2], encoding="utf-8").read())
clf = nlp.PolicyClassifier.load(sys.argv[1])
# threads first, while the jieba engine is still unbuilt, then serially
with ThreadPoolExecutor(max_workers=8) as pool:
    threaded = [f.result() for f in [pool.submit(clf.predict, texts) for _ in range(8)]]
serial = clf.predict(texts)
print(json.dumps({"same": all(t == serial for t in threaded), "labelled": sum(bool(l) for l in serial)}))
"""


def test_word_and_rule_model_from_8_threads_on_a_cold_start(tmp_path, corpus):
    # The shipped model uses character n-grams only; this one also runs the jieba
    # tokenizer and the cue rules, loaded lazily on first use, in a fresh process.
    labelled = corpus.paragraphs[corpus.paragraphs["labels"].notna()]
    clf = nlp.PolicyClassifier(unit="paragraph", analyzer="char+word", rules="blend", thresholds="fixed")
    clf.fit(labelled["text"].tolist(), labelled["labels"].tolist())
    clf.save(tmp_path / "model")
    (tmp_path / "texts.json").write_text(json.dumps(corpus.paragraphs["text"].tolist(), ensure_ascii=False), encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", _THREAD_SCRIPT, str(tmp_path / "model"), str(tmp_path / "texts.json")],
                            capture_output=True, text=True, timeout=120, cwd=PROJECT)
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["same"] and out["labelled"] > 0
