"""``load_corpus`` on a CSV or JSONL file of paragraphs with metadata columns."""
from __future__ import annotations

import json

import pandas as pd
import pytest

import nlp
from nlp.corpus import PARAGRAPH_COLUMNS


ROWS = [
    {"district": "滨江区", "year": 2024, "section_role": "achievements", "text": "行政复议收案100件。", "labels": ["administrative_review"]},
    {"district": "滨江区", "year": 2024, "section_role": "plans", "text": "开展普法活动20场。", "labels": []},
    {"district": "朝阳区", "province": "吉林省", "year": 2023, "text": "人民调解组织调处纠纷300件。", "labels": ["mediation"]},
]


def test_jsonl_of_paragraphs(tmp_path):
    path = tmp_path / "paragraphs.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in ROWS), encoding="utf-8")
    corpus = nlp.load_corpus(path)
    frame = corpus.paragraphs
    assert list(frame.columns[:len(PARAGRAPH_COLUMNS)]) == PARAGRAPH_COLUMNS
    assert frame["doc_id"].nunique() == 2 and frame["para_id"].tolist() == [0, 1, 0]
    assert frame["section_role"].tolist() == ["achievements", "plans", "other"]
    assert frame["labels"].tolist() == [["administrative_review"], [], ["mediation"]]
    # city and province from the gazetteer; the stated province picks the right 朝阳区
    assert frame["city"].tolist() == ["杭州市", "杭州市", "长春市"]
    assert frame["province"].tolist() == ["浙江省", "浙江省", "吉林省"]
    assert len(corpus.reports) == 2 and corpus.reports[1].city == "长春市"


def test_csv_of_paragraphs_keeps_stated_values(tmp_path):
    rows = [{**r, "labels": ";".join(r["labels"]), "doc_id": f"d{i // 2}"} for i, r in enumerate(ROWS)]
    rows[0]["district"] = rows[1]["district"] = "某某区"  # not a real division: stated, so kept
    path = tmp_path / "paragraphs.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    corpus = nlp.load_corpus(path)
    frame = corpus.paragraphs
    assert frame["doc_id"].tolist() == ["d0", "d0", "d1"]
    assert frame["district"].tolist()[:2] == ["某某区", "某某区"] and pd.isna(frame["city"].iloc[0])
    assert frame["labels"].tolist()[0] == ["administrative_review"]
    assert str(frame["year"].dtype) == "Int64"


def test_table_errors(tmp_path):
    path = tmp_path / "no_text.csv"
    pd.DataFrame({"district": ["滨江区"]}).to_csv(path, index=False)
    with pytest.raises(ValueError, match="'text' column"):
        nlp.load_corpus(path)
    with pytest.raises(FileNotFoundError):
        nlp.corpus.load_paragraph_table(tmp_path / "missing.jsonl")


def test_the_written_corpus_loads_as_a_table():
    corpus = nlp.load_corpus("seeds/corpus/corpus.jsonl")
    with open("seeds/corpus/corpus.jsonl", encoding="utf-8") as handle:
        n_rows = sum(1 for line in handle if line.strip())
    assert n_rows >= 2000 and len(corpus) == n_rows  # every written paragraph, none dropped
    assert corpus.paragraphs["district"].nunique() > 50
    assert corpus.paragraphs["province"].notna().all()
