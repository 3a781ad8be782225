"""Scores against gold mentions: precision, recall and F1, overall and per indicator.

A predicted mention matches a gold one when paragraph (doc_id, para_id),
indicator and value agree, the value within 0.5 % relative
(:data:`nlp.indicators.table.VALUE_TOLERANCE`); each gold mention is matched
at most once.

Gold sets:

- ``seeds/indicators.jsonl``: every figure of the five seed reports, by the
  guide's JSONL format (one object per paragraph);
- ``seeds/indicator_test_paragraphs.jsonl``: paragraphs written for every
  indicator, exclusion and number form, each with its gold mentions and a
  ``split``: ``tune`` (the patterns were developed on it) or ``holdout``
  (written before the patterns and never used to change them);
- ``seeds/indicator_tune_independent.jsonl`` (set ``independent_tune``):
  130 realistic dense paragraphs (332 mentions, ``split: tune2``) written and
  annotated by an independent writer who never saw the extractor; the
  patterns were scored on it once untouched (the README gives that score) and
  then tuned on it. Gold corrections where a choice contradicted the guide are
  listed with their reasons in
  ``seeds/indicator_tune_independent_adjudication.md``;
- ``seeds/indicator_holdout_independent.jsonl`` (set ``independent_holdout``):
  a second independent set in the same format, scored by the lead; when the
  file is not there the set is skipped with a warning;
- ``seeds/indicator_dev_gold.jsonl``: the figures of the development set
  (``../shared/dev/heldout_dev.jsonl``, paragraphs from other provinces), as
  ids and values only; the text is read from ``../shared`` at run time. It was
  annotated before the extractor was first run on it and never used to change
  the patterns.

>>> gold = pd.DataFrame([{"doc_id": "d", "para_id": 0, "indicator": "mediation.cases", "value": 845.0}])
>>> pred = pd.DataFrame([{"doc_id": "d", "para_id": 0, "indicator": "mediation.cases", "value": 846.0}])
>>> score_mentions(pred, gold).overall["f1"]
1.0
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..checks import check_choice
from ..jsonl import read_jsonl
from ..paths import dev_set_path, seeds_dir
from .spec import IndicatorSpec, resolve_spec
from .table import VALUE_TOLERANCE, extract_indicators

__all__ = ["SEED_GOLD_FILE", "WRITTEN_GOLD_FILE", "WRITTEN_SPLITS", "DEV_GOLD_FILE", "INDEPENDENT_GOLD_FILES", "GOLD_SETS", "scores_table",
           "per_indicator_table", "IndicatorScores", "load_gold", "score_mentions",
           "evaluate_indicators"]

SEED_GOLD_FILE = "indicators.jsonl"
WRITTEN_GOLD_FILE = "indicator_test_paragraphs.jsonl"
WRITTEN_SPLITS = ("tune", "holdout")
DEV_GOLD_FILE = "indicator_dev_gold.jsonl"
#: Independently written gold sets (whole files, text included): set name -> file in the seed folder.
INDEPENDENT_GOLD_FILES = {"independent_tune": "indicator_tune_independent.jsonl",
                          "independent_holdout": "indicator_holdout_independent.jsonl",
                          "realistic_tune": "indicator_realistic_tune.jsonl",
                          "realistic_holdout": "indicator_realistic_holdout.jsonl"}
#: The gold sets :func:`evaluate_indicators` can score.
GOLD_SETS = ("seeds", "tune", "holdout", *INDEPENDENT_GOLD_FILES, "dev")
_KEY = ["doc_id", "para_id", "indicator", "value"]
logger = logging.getLogger(__name__)


def load_gold(path: str | os.PathLike, split: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read a gold file: (paragraphs, mentions).

    Parameters
    ----------
    path
        A JSONL file with one object per paragraph: ``doc_id``, ``para_id``,
        ``indicators`` (a list of mentions) and, for written paragraphs, ``text``,
        ``section_role``, ``split``.
    split
        Keep only paragraphs of this split (written paragraphs).
    """
    records = read_jsonl(path, required=("doc_id", "para_id", "indicators"))
    if split is not None:
        check_choice("split", split, WRITTEN_SPLITS)
        records = [r for r in records if r.get("split") == split]
    paragraphs = pd.DataFrame([{k: v for k, v in r.items() if k != "indicators"} for r in records])
    mentions = pd.DataFrame([{"doc_id": r["doc_id"], "para_id": int(r["para_id"]), **m}
                             for r in records for m in r["indicators"]],
                            columns=["doc_id", "para_id", "indicator", "value", "unit", "approx", "period", "evidence"])
    mentions["value"] = mentions["value"].astype(float)
    return paragraphs, mentions


@dataclass
class IndicatorScores:
    """Mention-level scores: ``overall`` (tp, fp, fn, precision, recall, f1), ``per_indicator`` and the errors."""

    overall: dict
    per_indicator: pd.DataFrame
    false_positives: pd.DataFrame
    false_negatives: pd.DataFrame


def _prf(tp: int, fp: int, fn: int) -> dict:
    precision = tp / (tp + fp) if tp + fp else (1.0 if not fn else 0.0)
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1}


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= VALUE_TOLERANCE * max(abs(a), abs(b))


def score_mentions(predicted: pd.DataFrame, gold: pd.DataFrame, indicators: tuple[str, ...] | None = None) -> IndicatorScores:
    """Match predicted to gold mentions one to one and score them.

    Parameters
    ----------
    predicted, gold : DataFrame
        At least doc_id, para_id, indicator, value.
    indicators : tuple of str, optional
        Row order of the per-indicator table (default: those that occur).
    """
    for name, frame in (("predicted", predicted), ("gold", gold)):
        missing = [c for c in _KEY if c not in frame.columns]
        if missing:
            raise ValueError(f"{name}: expected columns {_KEY}, missing {missing}")
    pred = predicted.reset_index(drop=True)
    gold = gold.reset_index(drop=True)
    used: set[int] = set()
    matched_pred: set[int] = set()
    gold_groups = {key: list(group.index) for key, group in gold.groupby(["doc_id", "para_id", "indicator"])}
    for i, row in pred.iterrows():
        for j in gold_groups.get((row["doc_id"], row["para_id"], row["indicator"]), []):
            if j not in used and _close(float(row["value"]), float(gold.at[j, "value"])):
                used.add(j)
                matched_pred.add(i)
                break
    fp_rows = pred.loc[[i for i in pred.index if i not in matched_pred]]
    fn_rows = gold.loc[[j for j in gold.index if j not in used]]
    ids = indicators or tuple(dict.fromkeys(list(gold["indicator"]) + list(pred["indicator"])))
    rows = []
    for indicator in ids:
        n_gold = int((gold["indicator"] == indicator).sum())
        n_pred = int((pred["indicator"] == indicator).sum())
        fp = int((fp_rows["indicator"] == indicator).sum())
        fn = int((fn_rows["indicator"] == indicator).sum())
        rows.append({"indicator": indicator, "gold": n_gold, "predicted": n_pred, **_prf(n_pred - fp, fp, fn)})
    overall = _prf(len(matched_pred), len(fp_rows), len(fn_rows))
    return IndicatorScores(overall, pd.DataFrame(rows), fp_rows, fn_rows)


def _written_paragraphs(paragraphs: pd.DataFrame) -> pd.DataFrame:
    frame = paragraphs.copy()
    for column, default in (("district", None), ("year", None), ("section_role", None)):
        if column not in frame:
            frame[column] = default
    return frame


def evaluate_indicators(spec: IndicatorSpec | str | os.PathLike | None = None, seeds: str | os.PathLike | None = None,
                        sets: tuple[str, ...] = GOLD_SETS) -> dict[str, IndicatorScores]:
    """Score the extractor on the seed gold and on the written test paragraphs.

    Parameters
    ----------
    spec : IndicatorSpec or path, optional
        Default ``configs/indicators.yaml``; a path is read with
        :func:`nlp.indicators.spec.load_spec` (``nlp evaluate-indicators --spec``).
    seeds : path, optional
        The seed folder (reports, ``indicators.jsonl``, ``indicator_test_paragraphs.jsonl``,
        the files of :data:`INDEPENDENT_GOLD_FILES`); default the project's ``seeds/``.
    sets : tuple of str
        Any of :data:`GOLD_SETS`. ``"dev"`` is skipped with a warning when
        ``../shared/dev/heldout_dev.jsonl`` is not there, an independent set
        when its file is not in the seed folder.

    Returns
    -------
    dict of str to IndicatorScores
    """
    from ..corpus import load_corpus

    for name in sets:
        check_choice("sets", name, GOLD_SETS)
    spec = resolve_spec(spec)
    folder = Path(seeds) if seeds is not None else seeds_dir()
    out: dict[str, IndicatorScores] = {}
    if "seeds" in sets:
        corpus = load_corpus(folder, annotations=False)
        _, gold = load_gold(folder / SEED_GOLD_FILE)
        out["seeds"] = score_mentions(extract_indicators(corpus, spec), gold, spec.ids)
    for split in WRITTEN_SPLITS:
        if split in sets:
            paragraphs, gold = load_gold(folder / WRITTEN_GOLD_FILE, split=split)
            predicted = extract_indicators(_written_paragraphs(paragraphs), spec)
            out[split] = score_mentions(predicted, gold, spec.ids)
    for name, file in INDEPENDENT_GOLD_FILES.items():
        if name in sets:
            path = folder / file
            if not path.exists():
                logger.warning("gold set %r: %s not found; its scores are skipped", name, path)
                continue
            paragraphs, gold = load_gold(path)
            predicted = extract_indicators(_written_paragraphs(paragraphs), spec)
            out[name] = score_mentions(predicted, gold, spec.ids)
    if "dev" in sets:
        if not dev_set_path().exists():
            logger.warning("development set not found at %s; the 'dev' scores are skipped", dev_set_path())
        else:
            _, gold = load_gold(folder / DEV_GOLD_FILE)
            rows = read_jsonl(dev_set_path(), required=("doc_id", "para_id", "text"))
            paragraphs = pd.DataFrame([{"doc_id": r["doc_id"], "para_id": int(r["para_id"]), "district": r.get("district"),
                                        "year": r.get("year"), "section_role": None, "text": r["text"]} for r in rows])
            out["dev"] = score_mentions(extract_indicators(paragraphs, spec), gold, spec.ids)
    return out


def scores_table(results: dict[str, IndicatorScores]) -> pd.DataFrame:
    """One row per gold set: mentions, tp, fp, fn, precision, recall, F1."""
    rows = []
    for name, scores in results.items():
        o = scores.overall
        rows.append({"set": name, "gold": o["tp"] + o["fn"], "predicted": o["tp"] + o["fp"], **o})
    return pd.DataFrame(rows)


def per_indicator_table(results: dict[str, IndicatorScores]) -> pd.DataFrame:
    """Per indicator and gold set: gold, predicted, precision, recall, F1 (long format)."""
    frames = [scores.per_indicator.assign(set=name) for name, scores in results.items()]
    table = pd.concat(frames, ignore_index=True)
    return table[["set", "indicator", "gold", "predicted", "tp", "fp", "fn", "precision", "recall", "f1"]]
