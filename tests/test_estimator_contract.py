"""Every model of the package keeps scikit-learn's estimator contract, checked on real seed text.

The common checks (our own list, in the spirit of ``parametrize_with_checks``, which assumes
numeric X): clone, get/set params, ``__init__`` stores its arguments untouched, not-fitted
error, ``fit`` returns self, learned attributes end in ``_``, and a fixed ``random_state``
gives the same result twice. Then what a scikit-learn user types: ``cross_val_score`` with
groups, ``GridSearchCV`` over ``C`` with an indicator matrix, ``score``, ``classes_`` and
pandas in / pandas out.
"""
from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_val_score

from nlp.classifier import KeywordLabeler, PolicyClassifier, to_indicator
from nlp.classifier.data import load_training_data
from nlp.topics.bertopic_model import BertopicTopicModel
from nlp.topics.documents import make_tokenizer
from nlp.topics.lda import LdaTopicModel

LABELS = ["administrative_review", "enforcement_supervision", "mediation", "legal_outreach", "lawyers"]


@pytest.fixture(scope="module")
def seed_units():
    """Seed clauses with gold labels and their district (real text, small enough to fit fast)."""
    data = load_training_data("seeds", "configs/labels.yaml", guide_examples=False)
    texts, labels, groups = data.units("clause")
    return texts, labels, groups


@pytest.fixture(scope="module")
def seed_tokens(corpus):
    tokenizer = make_tokenizer()
    return [tokenizer(t) for t in corpus.paragraphs["text"]]


def _cases(seed_units, seed_tokens, corpus):
    texts, labels, _ = seed_units
    paragraphs = corpus.paragraphs["text"].tolist()
    return {
        "PolicyClassifier": (PolicyClassifier(C=2.0), texts, labels, "predict_proba"),
        "KeywordLabeler": (KeywordLabeler(), texts, labels, "predict"),
        "LdaTopicModel": (LdaTopicModel(n_topics=3, passes=2, iterations=20, no_below=1, no_above=1.0), seed_tokens,
                          None, "transform"),
        "BertopicTopicModel": (BertopicTopicModel(n_topics=3, embedding_dim=10, reduction_dim=5), paragraphs, None,
                               "topics"),
    }


ESTIMATORS = ["PolicyClassifier", "KeywordLabeler", "LdaTopicModel", "BertopicTopicModel"]


@pytest.fixture
def case(request, seed_units, seed_tokens, corpus):
    return _cases(seed_units, seed_tokens, corpus)[request.param]


def _output(estimator, method: str, X):
    if method == "topics":
        return estimator.topics()
    value = getattr(estimator, method)(X[:20])
    return value.to_numpy() if isinstance(value, pd.DataFrame) else value


@pytest.mark.parametrize("case", ESTIMATORS, indirect=True)
def test_init_only_stores_parameters_and_get_set_params_work(case):
    estimator, *_ = case
    params = estimator.get_params(deep=True)
    signature = [p for p in inspect.signature(type(estimator).__init__).parameters if p != "self"]
    assert sorted(params) == sorted(signature)
    for name in signature:
        assert getattr(estimator, name) is params[name]  # stored untouched, no validation in __init__
    default = params[signature[-1]]
    assert estimator.set_params(**{signature[-1]: default}) is estimator
    with pytest.raises(ValueError, match="Invalid parameter"):
        estimator.set_params(no_such_parameter=1)


@pytest.mark.parametrize("case", ESTIMATORS, indirect=True)
def test_clone_gives_an_unfitted_copy_with_equal_parameters(case):
    estimator, X, y, method = case
    estimator.fit(X, y)
    copy = clone(estimator)
    assert copy is not estimator
    assert copy.get_params(deep=False).keys() == estimator.get_params(deep=False).keys()
    assert repr(copy) == repr(estimator)
    with pytest.raises(NotFittedError):
        _output(copy, method, X)


@pytest.mark.parametrize("case", ESTIMATORS, indirect=True)
def test_calls_before_fit_raise_not_fitted_error(case):
    estimator, X, _, method = case
    with pytest.raises(NotFittedError):
        _output(clone(estimator), method, X)


@pytest.mark.parametrize("case", ESTIMATORS, indirect=True)
def test_fit_returns_self_and_learned_attributes_end_in_underscore(case):
    estimator, X, y, _ = case
    fresh = clone(estimator)
    before = set(vars(fresh))
    assert fresh.fit(X, y) is fresh
    learned = set(vars(fresh)) - before
    assert learned and all(name.endswith("_") for name in learned), sorted(learned)


@pytest.mark.parametrize("case", ESTIMATORS, indirect=True)
def test_a_fixed_random_state_gives_the_same_result(case):
    estimator, X, y, method = case
    first = _output(clone(estimator).fit(X, y), method, X)
    second = _output(clone(estimator).fit(X, y), method, X)
    if isinstance(first, np.ndarray):
        np.testing.assert_allclose(first, second)
    else:
        assert first == second


@pytest.mark.parametrize("case", ESTIMATORS, indirect=True)
def test_invalid_parameters_are_refused_in_fit_naming_the_choices(case):
    estimator, X, y, _ = case
    name = {"PolicyClassifier": "unit", "KeywordLabeler": "min_clauses", "LdaTopicModel": "alpha",
            "BertopicTopicModel": "clustering"}[type(estimator).__name__]
    bad = clone(estimator).set_params(**{name: 0 if name == "min_clauses" else "nonsense"})
    with pytest.raises(ValueError, match=name):
        bad.fit(X, y)


# --- what a scikit-learn user types ---------------------------------------------------

def test_cross_val_score_with_groups_and_an_indicator_matrix(seed_units):
    texts, labels, groups = seed_units
    Y = to_indicator(labels, LABELS)
    scores = cross_val_score(PolicyClassifier(C=2.0), np.array(texts, dtype=object), Y, groups=groups,
                             cv=GroupKFold(n_splits=5), scoring="f1_macro")
    assert scores.shape == (5,) and np.all((scores > 0.2) & (scores <= 1.0))


def test_grid_search_over_c_with_an_indicator_matrix(seed_units):
    texts, labels, groups = seed_units
    Y = to_indicator(labels, LABELS)
    search = GridSearchCV(PolicyClassifier(), {"C": [0.5, 5.0]}, cv=GroupKFold(n_splits=3), scoring="f1_macro")
    search.fit(np.array(texts, dtype=object), Y, groups=groups)
    assert search.best_params_["C"] in (0.5, 5.0)
    assert search.predict(texts[:3]).shape == (3, 5)  # the refit model answers as y was given: a matrix


def test_predict_answers_in_the_form_y_was_given(seed_units):
    texts, labels, _ = seed_units
    as_lists = PolicyClassifier().fit(texts, labels)
    as_matrix = PolicyClassifier().fit(texts, to_indicator(labels, LABELS))
    lists = as_lists.predict(texts[:10])
    matrix = as_matrix.predict(texts[:10])
    assert isinstance(lists, list) and isinstance(matrix, np.ndarray)
    assert to_indicator(lists, LABELS).tolist() == matrix.tolist()
    assert as_lists.predict_labels(texts[:10]) == as_matrix.predict_labels(texts[:10]) == lists
    np.testing.assert_array_equal(as_lists.predict_indicator(texts[:10]), matrix)
    assert list(as_lists.classes_) == LABELS


def test_keyword_labeler_answers_in_the_same_forms_as_the_classifier(seed_units):
    texts, labels, _ = seed_units
    keywords = KeywordLabeler().fit(texts, labels)
    model = PolicyClassifier().fit(texts, labels)
    assert type(keywords.predict(texts[:5])) is type(model.predict(texts[:5])) is list
    assert keywords.predict_indicator(texts[:5]).shape == model.predict_indicator(texts[:5]).shape
    assert list(keywords.classes_) == list(model.classes_)


def test_score_is_macro_f1_with_label_lists_or_a_matrix(seed_units):
    from nlp.classifier.metrics import f1_scores

    texts, labels, _ = seed_units
    clf = PolicyClassifier().fit(texts, labels)
    expected = f1_scores(to_indicator(labels, LABELS), clf.predict_indicator(texts))[1]
    assert clf.score(texts, labels) == pytest.approx(expected)
    assert clf.score(texts, to_indicator(labels, LABELS)) == pytest.approx(expected)


def test_pandas_in_pandas_out(seed_units):
    texts, labels, _ = seed_units
    clf = PolicyClassifier().fit(pd.Series(texts), labels)
    series = pd.Series(texts[:4], index=["a", "b", "c", "d"])
    proba = clf.predict_proba(series)
    assert list(proba.index) == ["a", "b", "c", "d"] and list(proba.columns) == LABELS
    frame = pd.DataFrame({"doc": ["x"] * 4, "text": texts[:4]})
    with pytest.raises(TypeError, match=r"frame\['text'\]"):
        clf.fit(frame, labels[:4])
    with pytest.raises(TypeError, match=r"frame\['text'\]"):
        clf.predict(frame)
