"""The written training corpus: writers' batches, a blind second labelling pass, adjudication.

Layout (``seeds/corpus/``; the raw files are never edited, the corpus is rebuilt from them):

* ``writers/<batch>.jsonl`` — each writer's paragraphs with the writer's labels and
  provenance (batch, province, district, year, section_role, kind, guide_rule);
* ``second_pass/*.jsonl`` — ``{"id", "labels"}`` from an annotator who saw the
  text and the guide, never the writer's labels;
* ``adjudication.jsonl`` — ``{"id", "labels", "reason"}`` for every paragraph
  where the two passes differ, settled by the guide;
* ``corpus.jsonl`` — the built corpus (:func:`build_corpus`): provenance,
  ``labels`` (final), ``labels_writer``, ``labels_second``, ``adjudicated``.

Quality checks: :func:`label_agreement` (Cohen's kappa per label between the
passes), :func:`shared_substrings` (no 20-character overlap with a reference set
such as the dev set) and :func:`near_duplicates` (character 5-gram Jaccard).

>>> corpus = build_corpus("seeds/corpus")                     # doctest: +SKIP
>>> label_agreement(corpus, default_taxonomy().ids)           # doctest: +SKIP
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Iterable, Sequence, Union

import numpy as np
import pandas as pd
from scipy import sparse

from ..jsonl import read_jsonl, write_jsonl
from .taxonomy import Taxonomy, to_indicator

__all__ = ["WRITER_FIELDS", "read_formulae", "read_writer_batches", "read_second_pass", "read_adjudication", "merge_passes",
           "build_corpus", "build_report_set", "REPORT_SET_DIR", "REPORT_SET_FILE", "label_agreement", "shared_substrings",
           "near_duplicates"]

logger = logging.getLogger(__name__)

WRITER_FIELDS = ("id", "batch", "province", "district", "year", "section_role", "kind", "guide_rule", "text", "labels")
WRITERS_DIR, SECOND_PASS_DIR = "writers", "second_pass"
ADJUDICATION_FILE, CORPUS_FILE = "adjudication.jsonl", "corpus.jsonl"


def _jsonl_files(folder: Path) -> list[Path]:
    files = sorted(folder.glob("*.jsonl"))
    if not files:
        raise FileNotFoundError(f"{folder}: expected one or more .jsonl files")
    return files


def read_writer_batches(folder: Union[str, os.PathLike], taxonomy: Taxonomy) -> pd.DataFrame:
    """Every writer's paragraphs (ids unique, labels valid, in taxonomy order)."""
    rows = [r for f in _jsonl_files(Path(folder)) for r in read_jsonl(f, required=WRITER_FIELDS)]
    frame = pd.DataFrame(rows)
    duplicated = frame["id"][frame["id"].duplicated()].tolist()
    if duplicated:
        raise ValueError(f"{folder}: duplicate paragraph ids {duplicated[:5]}")
    frame["labels"] = [taxonomy.order(labels) for labels in frame["labels"]]
    return frame


def _label_pass(frame: pd.DataFrame, where: Union[str, os.PathLike], taxonomy: Taxonomy) -> pd.DataFrame:
    """One labelling pass as ``id``, ``labels`` (in taxonomy order); a paragraph labelled twice is an error."""
    frame = frame[["id", "labels"]].copy()
    if frame["id"].duplicated().any():
        raise ValueError(f"{where}: a paragraph is labelled twice: {frame['id'][frame['id'].duplicated()].tolist()[:5]}")
    frame["labels"] = [taxonomy.order(labels) for labels in frame["labels"]]
    return frame


def read_second_pass(folder: Union[str, os.PathLike], taxonomy: Taxonomy) -> pd.DataFrame:
    """The blind second pass: ``id``, ``labels_second``."""
    rows = [r for f in _jsonl_files(Path(folder)) for r in read_jsonl(f, required=("id", "labels"))]
    return _label_pass(pd.DataFrame(rows), folder, taxonomy).rename(columns={"labels": "labels_second"})


def read_adjudication(path: Union[str, os.PathLike], taxonomy: Taxonomy) -> pd.DataFrame:
    """Settled disagreements: ``id``, ``labels_adjudicated``, ``reason``."""
    path = Path(path)
    if not path.exists():
        return pd.DataFrame(columns=["id", "labels_adjudicated", "reason"])
    frame = pd.DataFrame(read_jsonl(path, required=("id", "labels", "reason")))
    frame["labels"] = [taxonomy.order(labels) for labels in frame["labels"]]
    return frame.rename(columns={"labels": "labels_adjudicated"})[["id", "labels_adjudicated", "reason"]]


def merge_passes(writers: pd.DataFrame, second: pd.DataFrame, adjudication: pd.DataFrame) -> pd.DataFrame:
    """Final labels: the passes' common answer, or the adjudicated one where they differ.

    Raises
    ------
    ValueError
        If a paragraph has no second-pass labels, or the passes differ and no
        adjudication settles it.
    """
    merged = writers.rename(columns={"labels": "labels_writer"}).merge(second, on="id", how="left")
    missing = merged.loc[merged["labels_second"].isna(), "id"].tolist()
    if missing:
        raise ValueError(f"{len(missing)} paragraphs have no second-pass labels (first: {missing[:5]})")
    merged = merged.merge(adjudication, on="id", how="left")
    differ = [a != b for a, b in zip(merged["labels_writer"], merged["labels_second"])]
    unsettled = merged.loc[[d and not isinstance(adj, list) for d, adj in zip(differ, merged["labels_adjudicated"])], "id"]
    if len(unsettled):
        raise ValueError(f"{len(unsettled)} disagreements are not adjudicated (first: {unsettled.tolist()[:5]})")
    merged["adjudicated"] = differ
    merged["labels"] = [adj if d else w for d, adj, w in zip(differ, merged["labels_adjudicated"], merged["labels_writer"])]
    # object dtype: pandas would otherwise store the missing reasons as NaN, not None
    merged["reason"] = pd.Series([r if d else None for d, r in zip(differ, merged["reason"])], dtype=object,
                                 index=merged.index)
    return merged.drop(columns=["labels_adjudicated"])


def build_corpus(folder: Union[str, os.PathLike], taxonomy: Taxonomy, write: bool = True) -> pd.DataFrame:
    """Rebuild ``corpus.jsonl`` from the writers' batches, the second pass and the adjudication."""
    folder = Path(folder)
    corpus = merge_passes(read_writer_batches(folder / WRITERS_DIR, taxonomy),
                          read_second_pass(folder / SECOND_PASS_DIR, taxonomy),
                          read_adjudication(folder / ADJUDICATION_FILE, taxonomy))
    if write:
        columns = [*WRITER_FIELDS[:-1], "labels", "labels_writer", "labels_second", "adjudicated", "reason"]
        write_jsonl(folder / CORPUS_FILE, corpus[columns].to_dict("records"))
    return corpus


#: Whole reports held out of training (the ``reports`` evaluation): two blind label passes over the
#: paragraphs of the realistic indicator gold sets, their adjudication, and the built file.
REPORT_SET_DIR = "realistic_reports"
REPORT_PASS_FILES = ("pass_A.jsonl", "pass_B.jsonl")
REPORT_SET_FILE = "realistic_reports.jsonl"
REPORT_TEXT_FILES = ("indicator_realistic_tune.jsonl", "indicator_realistic_holdout.jsonl")
REPORT_FIELDS = ("doc_id", "para_id", "province", "district", "year", "section_role", "text")


def build_report_set(seeds: Union[str, os.PathLike], taxonomy: Taxonomy, write: bool = True) -> pd.DataFrame:
    """Rebuild the held-out report set from its texts, two blind label passes and the adjudication.

    The texts are the paragraphs of the two realistic indicator gold sets
    (:data:`REPORT_TEXT_FILES`, whole reports of other provinces written by
    two writers who never saw the training corpus); the labels are the two
    passes' common answer, or the adjudicated one (``id`` = ``doc_id:para_id``)
    where they differ. Writes ``seeds/corpus/realistic_reports/realistic_reports.jsonl``.

    >>> from nlp.classifier.taxonomy import default_taxonomy
    >>> report_set = build_report_set("seeds", default_taxonomy(), write=False)  # doctest: +SKIP
    >>> report_set["doc_id"].nunique()                                            # doctest: +SKIP
    24
    """
    seeds = Path(seeds)
    folder = seeds / "corpus" / REPORT_SET_DIR
    texts = pd.DataFrame([{key: row.get(key) for key in REPORT_FIELDS}
                          for name in REPORT_TEXT_FILES for row in read_jsonl(seeds / name, required=("doc_id", "para_id", "text"))])
    texts["id"] = texts["doc_id"] + ":" + texts["para_id"].astype(str)
    passes = []
    for name in REPORT_PASS_FILES:
        frame = pd.DataFrame(read_jsonl(folder / name, required=("doc_id", "para_id", "labels")))
        frame["id"] = frame["doc_id"] + ":" + frame["para_id"].astype(str)
        passes.append(_label_pass(frame, folder / name, taxonomy))
    first = texts.merge(passes[0], on="id", how="left")
    missing = first.loc[first["labels"].isna(), "id"].tolist()
    if missing:
        raise ValueError(f"{len(missing)} paragraphs have no labels in {REPORT_PASS_FILES[0]} (first: {missing[:5]})")
    merged = merge_passes(first, passes[1].rename(columns={"labels": "labels_second"}),
                          read_adjudication(folder / ADJUDICATION_FILE, taxonomy))
    merged = merged.rename(columns={"labels_writer": "labels_a", "labels_second": "labels_b"})
    if write:
        columns = [*REPORT_FIELDS, "labels", "labels_a", "labels_b", "adjudicated", "reason"]
        write_jsonl(folder / REPORT_SET_FILE, merged[columns].to_dict("records"))
    return merged


def _kappa(a: np.ndarray, b: np.ndarray) -> float:
    observed = float(np.mean(a == b))
    expected = float(a.mean() * b.mean() + (1 - a.mean()) * (1 - b.mean()))
    return 1.0 if expected == 1.0 else (observed - expected) / (1.0 - expected)


def label_agreement(first: Sequence[Sequence[str]], second: Sequence[Sequence[str]],
                    label_ids: Sequence[str]) -> pd.DataFrame:
    """Per label: Cohen's kappa, F1 of the second pass against the first, and positives in each.

    >>> label_agreement([["mediation"], []], [["mediation"], ["mediation"]], ["mediation"]).round(2).to_dict("records")
    [{'label': 'mediation', 'kappa': 0.0, 'f1': 0.67, 'first': 1, 'second': 2, 'disagreements': 1}]
    """
    from .metrics import f1_scores

    a = to_indicator(list(first), label_ids)
    b = to_indicator(list(second), label_ids)
    _, _, f1 = f1_scores(a, b)
    rows = [{"label": label, "kappa": _kappa(a[:, j], b[:, j]), "f1": float(f1[j]), "first": int(a[:, j].sum()),
             "second": int(b[:, j].sum()), "disagreements": int((a[:, j] != b[:, j]).sum())}
            for j, label in enumerate(label_ids)]
    return pd.DataFrame(rows)


def read_formulae(path: Union[str, os.PathLike]) -> list[str]:
    """Official formulae, one per line (``#`` comments and blank lines skipped)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _mask(text: str, formulae: Sequence[str]) -> str:
    # Longest first, so a title is masked whole before a formula inside it.
    for formula in sorted(formulae, key=len, reverse=True):
        text = text.replace(formula, "\u25a1")
    return text


def shared_substrings(texts: Iterable[str], reference: Iterable[str], length: int = 20,
                      ignore: Sequence[str] = ()) -> list[tuple[int, str]]:
    """``(index, substring)`` for each text that shares a ``length``-character substring with ``reference``.

    ``ignore``: official formulae masked in both before comparing (shared by the
    whole genre, not evidence of copying).
    """
    reference = [_mask(t, ignore) for t in reference]
    texts = [_mask(t, ignore) for t in texts]
    windows = {t[i:i + length] for t in reference for i in range(len(t) - length + 1)}
    hits = []
    for index, text in enumerate(texts):
        for i in range(len(text) - length + 1):
            if text[i:i + length] in windows:
                hits.append((index, text[i:i + length]))
                break
    return hits


def near_duplicates(texts: Sequence[str], n: int = 5, threshold: float = 0.8) -> list[tuple[int, int, float]]:
    """Pairs ``(i, j, jaccard)`` with character ``n``-gram Jaccard similarity above ``threshold``.

    >>> near_duplicates(["全区共办理人民调解案件120件", "全区共办理人民调解案件121件", "开展普法宣传"], n=3, threshold=0.6)
    [(0, 1, 0.733)]
    """
    vocabulary: dict[str, int] = {}
    rows, cols = [], []
    for i, text in enumerate(texts):
        grams = {text[k:k + n] for k in range(max(1, len(text) - n + 1))}
        for gram in grams:
            rows.append(i)
            cols.append(vocabulary.setdefault(gram, len(vocabulary)))
    matrix = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(texts), len(vocabulary)))
    sizes = np.asarray(matrix.sum(axis=1)).ravel()
    overlap = (matrix @ matrix.T).tocoo()
    pairs = []
    for i, j, inter in zip(overlap.row, overlap.col, overlap.data):
        if i < j:
            jaccard = inter / (sizes[i] + sizes[j] - inter)
            if jaccard > threshold:
                pairs.append((int(i), int(j), round(float(jaccard), 3)))
    return sorted(pairs)
