"""The corpus API on the real seeds, and ``load_corpus`` on bad folders.

A missing, empty or wrong folder raises an error naming it; a binary file in a folder is
named; a folder mixing GBK, HTML, empty and English reports reads each one, and a folder
of empty reports gives an empty corpus, not an error.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import nlp
from nlp.corpus import PARAGRAPH_COLUMNS
from nlp.reader import ReportInputError
from nlp.segment import SECTION_ROLES

from conftest import report_page

EXPECTED = {
    "000_631c43eba3159a46": ("滨江区", 2024),
    "001_e81d252c6a7ddc67": ("西湖区", 2024),
    "002_8b4bfc1f67bb86b5": ("瓯海区", 2024),
    "003_a3f4c3cd9186b897": ("余杭区", 2023),
    "004_ecc42fa0d9da8aca": ("钱塘区", 2024),
}
FURNITURE_MARKERS = ("索引号", "索 引 号", "分享:", "访问次数", "公开方式", "发布日期", "成文日期", "文件编号", "主题分类")


def test_every_report_has_its_district_and_year(corpus):
    got = {m.doc_id: (m.district, m.year) for m in corpus.reports}
    assert got == EXPECTED
    assert sorted(corpus.paragraphs["district"].unique()) == sorted(d for d, _ in EXPECTED.values())


def test_district_and_year_are_parsed_from_the_text_alone(seeds_path):
    # without metadata.yaml: the text itself names the district and year
    for doc_id, (district, year) in EXPECTED.items():
        meta = nlp.read_report(seeds_path / f"{doc_id}.txt").metadata
        assert (meta.district, meta.year) == (district, year), doc_id


def test_text_metadata_is_parsed(corpus):
    meta = {m.doc_id: m for m in corpus.reports}
    ouhai = meta["002_8b4bfc1f67bb86b5"]
    assert ouhai.title == "瓯海区司法局2024年法治政府建设年度报告"
    assert ouhai.published == "2025-01-16" and ouhai.written == "2025-01-16"
    assert ouhai.publisher == "区司法局"
    assert meta["001_e81d252c6a7ddc67"].published == "2025-03-13"
    assert meta["004_ecc42fa0d9da8aca"].published == "2025-02-24"
    assert meta["000_631c43eba3159a46"].published is None  # the text gives no date
    assert meta["000_631c43eba3159a46"].publisher == "滨江区司法局"
    # from the side file, because the texts do not say it
    assert {m.province for m in corpus.reports} == {"浙江省"}
    assert ouhai.city == "温州市" and ouhai["city"] == "温州市"


def test_paragraph_table_has_the_documented_columns(corpus):
    df = corpus.paragraphs
    assert list(df.columns[: len(PARAGRAPH_COLUMNS)]) == PARAGRAPH_COLUMNS
    assert set(df["section_role"]) <= set(SECTION_ROLES)
    for _, group in df.groupby("doc_id"):
        assert group["para_id"].tolist() == list(range(len(group)))
    assert 60 <= len(df) <= 90


def test_no_furniture_survives(corpus):
    for text in corpus.paragraphs["text"]:
        for marker in FURNITURE_MARKERS:
            assert marker not in text, (marker, text[:40])
    assert not corpus.paragraphs["text"].str.strip().eq("").any()


def test_headings_are_not_paragraphs(corpus):
    texts = corpus.paragraphs["text"].tolist()
    for heading in ("一、主要举措和成效", "二、存在的主要问题", "(一)统筹协调抓推进,提升法治政府建设水平",
                    "四、2025年重点工作", "三、存在的问题和不足"):
        assert heading not in texts
    assert not any(t.startswith(("一、", "二、", "三、", "四、")) for t in texts)
    # titles are metadata, not paragraphs
    assert "瓯海区司法局2024年法治政府建设年度报告" not in texts


def _para(corpus, doc_id, prefix):
    rows = corpus.paragraphs[(corpus.paragraphs["doc_id"] == doc_id) & corpus.paragraphs["text"].str.startswith(prefix)]
    assert len(rows) == 1, prefix
    return rows.iloc[0]


@pytest.mark.parametrize(
    ("doc_id", "prefix", "role"),
    [
        ("000_631c43eba3159a46", "一是法治滨江建设指向欠精准", "problems"),
        ("000_631c43eba3159a46", "六要持续建强司法工作队伍", "plans"),
        ("000_631c43eba3159a46", "五是多元发展,律师管理赋能有方", "achievements"),
        ("000_631c43eba3159a46", "2024年,在区政府的坚强领导下", "preamble"),
        ("001_e81d252c6a7ddc67", "(五)继续保持西湖律师行业首位度", "plans"),
        ("002_8b4bfc1f67bb86b5", "局主要负责人致力于推进", "leadership"),
        ("003_a3f4c3cd9186b897", "2023年,余杭区司法局扎实推进法治政府建设", "problems"),
        ("004_ecc42fa0d9da8aca", "(二)强化述职述法", "leadership"),
    ],
)
def test_known_paragraphs_get_their_section_role(corpus, doc_id, prefix, role):
    assert _para(corpus, doc_id, prefix)["section_role"] == role


def test_heading_paths(corpus):
    row = _para(corpus, "001_e81d252c6a7ddc67", "统筹推进全面依法治区")
    assert row["heading_1"] == "2024年主要工作"
    assert row["heading_2"] == "统筹协调抓推进,提升法治政府建设水平"
    row = _para(corpus, "000_631c43eba3159a46", "二是强化监督")
    assert row["heading_path"].endswith("强化监督,依法行政规范有序")


def test_yuhang_share_line_is_gone(corpus):
    yuhang = corpus.paragraphs[corpus.paragraphs["doc_id"] == "003_a3f4c3cd9186b897"]
    assert not yuhang["text"].str.contains("分享").any()
    assert yuhang["text"].iloc[-1].startswith("(三)助力推进全区法治政府建设")


@pytest.mark.parametrize(
    ("name", "encoding"),
    # GBK cannot encode the bullet dots (Ouhai) or no-break spaces (Xihu); GB18030 can.
    [("binjiang", "gbk"), ("qiantang", "gbk"), ("xihu", "gb18030"), ("ouhai", "gb18030"), ("yuhang", "utf-8-sig")],
)
def test_re_encoded_seed_parses_identically(tmp_path, seed_file, name, encoding):
    original = seed_file(name)
    copy = tmp_path / original.name
    copy.write_bytes(original.read_text(encoding="utf-8").replace("\n", "\r\n").encode(encoding))
    a = nlp.read_report(original).paragraphs
    b = nlp.read_report(copy).paragraphs
    pd.testing.assert_frame_equal(a, b)


def test_report_from_string_equals_report_from_path(seed_file):
    path = seed_file("qiantang")
    from_path = nlp.read_report(path).paragraphs
    from_text = nlp.read_report(path.read_text(encoding="utf-8"), doc_id=path.stem).paragraphs
    pd.testing.assert_frame_equal(from_path, from_text)


def test_sentences_table(corpus):
    sentences = corpus.sentences()
    assert len(sentences) > 3 * len(corpus.paragraphs)
    assert set(sentences.columns) >= set(PARAGRAPH_COLUMNS) | {"sent_id"}
    joined = sentences.groupby(["doc_id", "para_id"])["text"].apply("".join)
    original = corpus.paragraphs.set_index(["doc_id", "para_id"])["text"].str.replace(r"\s", "", regex=True)
    assert (joined.str.replace(r"\s", "", regex=True) == original.loc[joined.index]).all()


def test_data_hash_is_stable(corpus, seeds_path):
    assert corpus.data_hash() == nlp.load_corpus(seeds_path).data_hash()


# --- load_corpus on bad folders ------------------------------------------------------------------

def test_load_corpus_bad_folders(bad_files):
    with pytest.raises(FileNotFoundError, match="corpus folder not found"):
        nlp.load_corpus(bad_files / "missing")
    with pytest.raises(FileNotFoundError, match=r"no report files \(.txt, .htm, .html, .pdf, .docx\)"):
        nlp.load_corpus(bad_files / "empty_dir")
    with pytest.raises(FileNotFoundError, match="no report files"):
        nlp.load_corpus(bad_files / "no_reports")
    with pytest.raises(NotADirectoryError, match="read_report"):
        nlp.load_corpus(bad_files / "notes.md")
    with pytest.raises(TypeError, match="folder of reports"):
        nlp.load_corpus(None)
    with pytest.raises(ValueError, match="empty string"):
        nlp.load_corpus("")


def test_load_corpus_names_the_bad_file(tmp_path, seed_file):
    shutil.copy(seed_file("qiantang"), tmp_path / "a.txt")
    (tmp_path / "b.txt").write_bytes(b"\x00\x01binary" * 100)
    with pytest.raises(ReportInputError, match=r"b\.txt.*binary"):
        nlp.load_corpus(tmp_path)


def test_load_corpus_mixed_folder(tmp_path, seed_file):
    raw = seed_file("qiantang").read_text(encoding="utf-8")
    (tmp_path / "a_gbk.txt").write_bytes(raw.replace("\n", "\r\n").encode("gbk"))
    (tmp_path / "b_page.html").write_text(report_page(raw, raw.splitlines()[0]), encoding="utf-8")
    (tmp_path / "c_empty.txt").write_bytes(b"")
    (tmp_path / "d_english.txt").write_text("No Chinese.")
    corpus = nlp.load_corpus(tmp_path)
    assert [m.doc_id for m in corpus.reports] == ["a_gbk", "b_page", "c_empty", "d_english"]
    expected = nlp.read_report(seed_file("qiantang")).paragraphs["text"].tolist()
    for doc_id in ("a_gbk", "b_page"):
        assert corpus.paragraphs.loc[corpus.paragraphs["doc_id"] == doc_id, "text"].tolist() == expected
    summary = corpus.summary().set_index("doc_id")
    assert summary.loc["c_empty", "paragraphs"] == 0 and summary.loc["d_english", "paragraphs"] == 0


def test_load_corpus_of_only_empty_reports_is_empty_not_an_error(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"")
    (tmp_path / "b.txt").write_text("   \n")
    corpus = nlp.load_corpus(tmp_path)
    assert corpus.paragraphs.empty and list(corpus.paragraphs.columns) == PARAGRAPH_COLUMNS
    assert len(corpus.reports) == 2
    assert corpus.summary()["paragraphs"].tolist() == [0, 0]


def test_reports_that_share_a_file_stem_keep_unique_doc_ids(tmp_path, seed_file):
    shutil.copy(seed_file("xihu"), tmp_path / "r00.txt")
    (tmp_path / "r00.html").write_text(report_page(seed_file("ouhai").read_text(encoding="utf-8"), "瓯海区报告"),
                                       encoding="utf-8")
    shutil.copy(seed_file("binjiang"), tmp_path / "r01.txt")
    corpus = nlp.load_corpus(tmp_path)
    assert [m.doc_id for m in corpus.reports] == ["r00.html", "r00.txt", "r01"]
    assert not corpus.paragraphs.duplicated(["doc_id", "para_id"]).any()
    assert corpus.paragraphs.groupby("doc_id")["district"].first().to_dict() == {
        "r00.html": "瓯海区", "r00.txt": "西湖区", "r01": "滨江区"}


# --- folders with files that cannot be read ----------------------------------------------------

def _mixed_folder(tmp_path, seed_file):
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(seed_file("binjiang"), folder / "a.txt")
    shutil.copy(seed_file("xihu"), folder / "b.txt")
    (folder / "c.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\n")  # damaged: no text layer to read
    (folder / "d.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    (folder / "notes.xlsx").write_bytes(b"PK\x03\x04")
    return folder


def test_load_corpus_skips_bad_files_and_lists_them(tmp_path, seed_file):
    folder = _mixed_folder(tmp_path, seed_file)
    corpus = nlp.load_corpus(folder, errors="skip")
    assert sorted(corpus.paragraphs["doc_id"].unique()) == ["a", "b"]
    reasons = {Path(item.path).name: item.reason for item in corpus.skipped}
    assert set(reasons) == {"c.pdf", "d.doc", "notes.xlsx"}
    assert "PDF" in reasons["c.pdf"]
    assert ".docx" in reasons["d.doc"]
    assert "not a report format (.xlsx)" in reasons["notes.xlsx"]
    assert all("\n" not in reason for reason in reasons.values())


def test_load_corpus_raises_on_the_first_bad_file_by_default(tmp_path, seed_file):
    folder = _mixed_folder(tmp_path, seed_file)
    with pytest.raises(ReportInputError, match=r"c\.pdf"):
        nlp.load_corpus(folder)
    with pytest.raises(ValueError, match=r"errors.*'raise', 'skip'"):
        nlp.load_corpus(folder, errors="ignore")


def test_seeds_skip_nothing(corpus):
    assert corpus.skipped == []
