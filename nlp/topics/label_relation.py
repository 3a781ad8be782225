"""How the five policy-area labels relate to the topics.

Labels per paragraph come from the gold ``labels`` column of
``corpus.paragraphs`` where a paragraph is annotated; for the others the
package classifier (:mod:`nlp.classifier`) predicts them when it is installed
and a trained model is available. If neither is possible those paragraphs are
left out, with a log message.

For every topic k and label l (weights ``theta`` from the topic model; each
paragraph counts by its weight on k):

- ``share_in_topic``: the weighted share of topic k's paragraphs that carry l;
- ``share_overall``: the share of all (labelled) paragraphs that carry l;
- ``lift`` = share_in_topic / share_overall (> 1: the label is concentrated in
  the topic);
- ``share_of_label``: the share of label l's paragraph weight that falls on k
  (sums to 1 over topics for each label).

A paragraph can carry several labels or none, so ``share_in_topic`` does not
sum to 1 over labels.
"""
from __future__ import annotations

import logging
from typing import Sequence

import numpy as np
import pandas as pd

__all__ = ["resolve_labels", "label_topic_table"]

logger = logging.getLogger(__name__)


def _is_label_list(value) -> bool:
    return isinstance(value, (list, tuple, np.ndarray))


def _predict(texts: list[str], model_dir=None) -> list[list[str]] | None:
    from ..classifier import PolicyClassifier

    try:
        classifier = PolicyClassifier.load(model_dir)
        return classifier.predict_labels(texts)
    except Exception as exc:  # a missing or incompatible model must not stop a topic run
        logger.warning("the classifier could not label %d paragraphs (%s: %s); they are left out",
                       len(texts), type(exc).__name__, exc)
        return None


def resolve_labels(paragraphs: pd.DataFrame, use_classifier: bool = True,
                   model_dir=None) -> tuple[list[list[str] | None], list[str | None]]:
    """Label lists per paragraph: gold where present, predicted otherwise.

    Returns
    -------
    labels : list
        One list of label ids per paragraph, or ``None`` when unknown.
    source : list
        ``"gold"``, ``"predicted"`` or ``None`` per paragraph.
    """
    gold = paragraphs["labels"].tolist() if "labels" in paragraphs.columns else [None] * len(paragraphs)
    labels: list[list[str] | None] = [list(v) if _is_label_list(v) else None for v in gold]
    source: list[str | None] = ["gold" if v is not None else None for v in labels]
    missing = [i for i, v in enumerate(labels) if v is None]
    if missing and use_classifier:
        predicted = _predict(paragraphs["text"].iloc[missing].astype(str).tolist(), model_dir)
        if predicted is not None:
            for i, value in zip(missing, predicted):
                labels[i], source[i] = value, "predicted"
    elif missing:
        logger.info("%d paragraphs have no gold labels and the classifier is off; they are left out", len(missing))
    return labels, source


def label_topic_table(theta, labels: Sequence[Sequence[str] | None], topics: Sequence[str] | None = None,
                      source: Sequence[str | None] | None = None) -> pd.DataFrame:
    """Topic x label shares and lift (see the module docstring).

    Parameters
    ----------
    theta
        Paragraph x topic weights.
    labels
        Label ids per paragraph; ``None`` rows are left out.
    topics
        Topic names (default ``T0, T1, ...``).
    source
        ``"gold"`` / ``"predicted"`` per paragraph, summarised in ``n_gold`` /
        ``n_predicted``.

    Returns
    -------
    pandas.DataFrame
        ``topic, label, topic_weight, share_in_topic, share_overall, lift,
        share_of_label, n_labelled, n_gold, n_predicted``; empty when no
        paragraph has labels.

    Examples
    --------
    >>> t = label_topic_table([[1, 0], [0, 1]], [["mediation"], []])
    >>> t[["topic", "label", "share_in_topic", "lift"]].values.tolist()
    [['T0', 'mediation', 1.0, 2.0], ['T1', 'mediation', 0.0, 0.0]]
    """
    theta = np.asarray(theta, dtype=float)
    names = [f"T{k}" for k in range(theta.shape[1])] if topics is None else list(topics)
    keep = [i for i, v in enumerate(labels) if v is not None]
    columns = ["topic", "label", "topic_weight", "share_in_topic", "share_overall", "lift", "share_of_label",
               "n_labelled", "n_gold", "n_predicted"]
    if not keep:
        logger.info("no paragraph has labels; the label x topic table is empty")
        return pd.DataFrame(columns=columns)
    theta = theta[keep]
    kept = [list(labels[i]) for i in keep]
    src = [source[i] for i in keep] if source is not None else ["gold"] * len(keep)
    label_ids = sorted({label for row in kept for label in row})
    indicator = np.array([[label in row for label in label_ids] for row in kept], dtype=float).reshape(len(kept), len(label_ids))
    topic_weight = theta.sum(axis=0)                      # (K,)
    joint = theta.T @ indicator                           # (K, L): weight of topic k on paragraphs with label l
    overall = indicator.mean(axis=0)                      # (L,)
    label_weight = joint.sum(axis=0)                      # (L,)
    rows = []
    for k, name in enumerate(names):
        for j, label in enumerate(label_ids):
            share = joint[k, j] / topic_weight[k] if topic_weight[k] > 0 else float("nan")
            rows.append({
                "topic": name, "label": label, "topic_weight": float(topic_weight[k]), "share_in_topic": float(share),
                "share_overall": float(overall[j]), "lift": float(share / overall[j]) if overall[j] > 0 else float("nan"),
                "share_of_label": float(joint[k, j] / label_weight[j]) if label_weight[j] > 0 else float("nan"),
                "n_labelled": len(kept), "n_gold": int(sum(s == "gold" for s in src)),
                "n_predicted": int(sum(s == "predicted" for s in src)),
            })
    return pd.DataFrame(rows, columns=columns)
