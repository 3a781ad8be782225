"""The classifier as an MLflow model: a pyfunc wrapper and the function that logs it.

The wrapper is logged as "model from code" (:mod:`nlp.classifier.pyfunc_code`),
so loading runs the package's source instead of unpickling an object; the
classifier itself is read from its saved folder (JSON + arrays). Generic MLflow
calls (runs, metrics, artifacts) stay in :mod:`nlp.tracking`.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

try:  # the base class is only needed when MLflow is installed
    from mlflow.pyfunc import PythonModel as _PythonModel
except ImportError:  # pragma: no cover
    _PythonModel = object

__all__ = ["PolicyClassifierPyfunc", "log_classifier_model", "champion_decision", "version_tags", "PROMOTION_SCORES"]

# The held-out scores that decide promotion, in order of preference, each with the tag of the data it
# was computed on. They are the grouped scores the model selection uses (README, "Choosing the model"):
# the mean of leave-one-district-out, writer-fold and realistic-report macro-F1 (those measured, at
# least the first two), else leave-one-district-out alone. The development set is reported on every
# version but never decides: moving the alias to the version with the best dev score would be
# choosing a model on dev.
PROMOTION_SCORES = (("grouped_macro_f1", "data_hash"), ("lodo_macro_f1", "data_hash"))
_SCORE_TAGS = ("dev_macro_f1", "lodo_macro_f1", "corpus_macro_f1", "reports_macro_f1", "grouped_macro_f1")
# The grouped held-out scores the selection score averages.
GROUPED_SCORES = ("lodo_macro_f1", "corpus_macro_f1", "reports_macro_f1")


class PolicyClassifierPyfunc(_PythonModel):
    """MLflow pyfunc wrapper: a DataFrame with a ``text`` column in, labels and probabilities out."""

    def load_context(self, context) -> None:
        from .estimator import PolicyClassifier

        self.classifier = PolicyClassifier.load(context.artifacts["model_dir"])

    def predict(self, context, model_input: pd.DataFrame, params: dict | None = None) -> pd.DataFrame:
        if isinstance(model_input, pd.DataFrame):
            column = model_input["text"] if "text" in model_input else model_input.iloc[:, 0]
            texts = column.astype(str).tolist()
        else:
            texts = [str(t) for t in model_input]
        proba = self.classifier.predict_proba(texts)
        labels = self.classifier.predict_labels(texts)
        out = proba.copy()
        out.insert(0, "labels", [";".join(l) for l in labels])
        return out


def version_tags(metrics: Mapping[str, float], data_hash: str, dev_data_hash: str | None) -> dict[str, str]:
    """The tags a registered version carries: its held-out scores and the hashes of the data behind them.

    ``grouped_macro_f1`` (the selection score) is the mean of
    ``lodo_macro_f1``, ``corpus_macro_f1`` and ``reports_macro_f1`` (those
    measured) when the first two were.

    >>> version_tags({"lodo_macro_f1": 0.95, "corpus_macro_f1": 0.97}, "d", None)["grouped_macro_f1"]
    '0.9600'
    """
    metrics = dict(metrics)
    if metrics.get("lodo_macro_f1") is not None and metrics.get("corpus_macro_f1") is not None:
        measured = [metrics[name] for name in GROUPED_SCORES if metrics.get(name) is not None]
        metrics["grouped_macro_f1"] = sum(measured) / len(measured)
    tags = {name: f"{metrics[name]:.4f}" for name in _SCORE_TAGS if metrics.get(name) is not None}
    tags["data_hash"] = data_hash
    if dev_data_hash and "dev_macro_f1" in tags:
        tags["dev_data_hash"] = dev_data_hash
    return tags


def champion_decision(candidate: Mapping[str, str], champion: Mapping[str, str] | None,
                      promote: bool = False) -> tuple[bool, str]:
    """Whether a new version takes the champion alias, and why (one line).

    It does when asked (``promote``), when there is no champion, or when it
    beats the champion on the same grouped held-out evaluation of the same
    training data (``data_hash``): ``grouped_macro_f1`` (the mean of the
    leave-one-district-out, writer-fold and realistic-report scores) when both
    versions have it, else leave-one-district-out macro-F1. Dev macro-F1 never
    decides. A tie keeps the champion; versions scored on different data are
    not compared and the champion stays.

    >>> champion_decision({"grouped_macro_f1": "0.96", "data_hash": "d"}, {"grouped_macro_f1": "0.95", "data_hash": "d"})
    (True, "grouped_macro_f1 0.9600 beats the champion's 0.9500")
    """
    if promote:
        return True, "promoted by request (--promote)"
    if champion is None:
        return True, "no champion yet"
    for score, data_tag in PROMOTION_SCORES:
        if score not in candidate or score not in champion:
            continue
        if not candidate.get(data_tag) or candidate.get(data_tag) != champion.get(data_tag):
            continue
        new, old = float(candidate[score]), float(champion[score])
        if new > old:
            return True, f"{score} {new:.4f} beats the champion's {old:.4f}"
        return False, f"{score} {new:.4f} does not beat the champion's {old:.4f}"
    return False, ("not comparable with the champion (no held-out score on the same data: "
                   + ", ".join(f"{s} on {t}" for s, t in PROMOTION_SCORES) + "); use --promote to move it")


def log_classifier_model(model_dir: str | os.PathLike, example_texts: list[str],
                         registered_name: str | None = None, alias: str | None = None,
                         tags: Mapping[str, str] | None = None, description: str | None = None,
                         promote: bool = False) -> tuple[Any, str | None]:
    """Log a saved classifier folder as an MLflow pyfunc model in the active run, register it, maybe promote it.

    The registered version gets ``tags`` (:func:`version_tags`: held-out
    scores, data hashes) and the one-line ``description``; the ``alias``
    (``champion``) moves to it only as :func:`champion_decision` says.

    Returns the :class:`mlflow.models.model.ModelInfo` and the decision
    (one line; None when nothing was registered).
    """
    import mlflow
    from mlflow.models import infer_signature

    from .estimator import PolicyClassifier

    example = pd.DataFrame({"text": example_texts})
    wrapper = PolicyClassifierPyfunc()
    wrapper.classifier = PolicyClassifier.load(model_dir)
    signature = infer_signature(example, wrapper.predict(None, example))
    info = mlflow.pyfunc.log_model(
        name="model",
        python_model=str(Path(__file__).with_name("pyfunc_code.py")),
        artifacts={"model_dir": str(model_dir)},
        signature=signature,
        input_example=example,
        registered_model_name=registered_name,
    )
    if not registered_name or info.registered_model_version is None:
        return info, None
    client = mlflow.MlflowClient()
    version = str(info.registered_model_version)
    tags = dict(tags or {})
    for key, value in tags.items():
        client.set_model_version_tag(registered_name, version, key, value)
    if description:
        client.update_model_version(registered_name, version, description=description)
    if not alias:
        return info, None
    champion = _alias_version(client, registered_name, alias)
    if champion is not None and str(champion.version) == version:  # pragma: no cover - a fresh version never is
        champion = None
    moved, reason = champion_decision(tags, dict(champion.tags) if champion is not None else None, promote)
    if moved:
        client.set_registered_model_alias(registered_name, alias, version)
        decision = f"version {version} is the new {alias}: {reason}"
    else:
        decision = f"version {version} registered; {alias} stays version {champion.version}: {reason}"
    client.set_model_version_tag(registered_name, version, "promotion", decision)
    mlflow.set_tag("promotion", decision)
    return info, decision


def _alias_version(client, name: str, alias: str):
    from mlflow.exceptions import MlflowException

    try:
        return client.get_model_version_by_alias(name, alias)
    except MlflowException:
        return None
