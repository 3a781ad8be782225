"""Tokenizer: domain dictionary, stop words, picklability, threads."""
from __future__ import annotations

import pickle
from concurrent.futures import ThreadPoolExecutor

from sklearn.feature_extraction.text import TfidfVectorizer

from nlp.tokenize import Tokenizer, cut, stopwords, tokenize, user_words


def test_domain_terms_stay_whole():
    tokens = tokenize("深化行政复议改革，推行首违不罚清单，培育法律明白人和人民调解员，发展公职律师。")
    for term in ("行政复议", "首违不罚", "法律明白人", "人民调解员", "公职律师"):
        assert term in tokens


def test_stopwords_punctuation_and_numbers_are_dropped():
    tokens = tokenize("全区共受理人民调解案件13009件，调解成功12974件。")
    assert "的" not in tokens and "，" not in tokens and "13009" not in tokens
    assert "人民调解" in tokens
    assert "的" in stopwords()


def test_full_width_text_tokenizes_like_half_width():
    assert tokenize("（一）开展ＡＩ普法２０场") == tokenize("(一)开展AI普法20场")


def test_raw_cut_keeps_everything():
    assert "".join(cut("开展普法，20场。")) == "开展普法,20场。"


def test_user_dictionary_is_package_data():
    assert "合法性审查" in user_words() and len(user_words()) > 50


def test_tokenize_is_picklable_for_sklearn():
    vec = TfidfVectorizer(tokenizer=tokenize, token_pattern=None, lowercase=False)
    vec.fit(["开展行政复议听证", "人民调解成功率"])
    clone = pickle.loads(pickle.dumps(vec))
    assert clone.transform(["行政复议"]).nnz == 1
    configured = Tokenizer(extra_stopwords=["全区"])
    assert pickle.loads(pickle.dumps(configured)) == configured


def test_threads_get_the_same_tokens(corpus):
    texts = corpus.paragraphs["text"].tolist()
    serial = [tokenize(t) for t in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(tokenize, texts))
    assert parallel == serial


def test_public_names_resolve_after_submodules_are_imported():
    import nlp
    import nlp.tokenize as module

    assert callable(module.tokenize)
    assert nlp.Tokenizer is module.Tokenizer
    assert all(hasattr(nlp, name) for name in nlp.__all__)
