"""The classifier as an MLflow model: a pyfunc wrapper and the function that logs it.

The wrapper is logged as "model from code" (:mod:`nlp.classifier.pyfunc_code`),
so loading runs the package's source instead of unpickling an object; the
classifier itself is read from its saved folder (JSON + arrays). Generic MLflow
calls (runs, metrics, artifacts) stay in :mod:`nlp.tracking`.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

try:  # the base class is only needed when MLflow is installed
    from mlflow.pyfunc import PythonModel as _PythonModel
except ImportError:  # pragma: no cover
    _PythonModel = object

__all__ = ["PolicyClassifierPyfunc", "log_classifier_model"]


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


def log_classifier_model(model_dir: str | os.PathLike, example_texts: list[str],
                         registered_name: str | None = None, alias: str | None = None) -> Any:
    """Log a saved classifier folder as an MLflow pyfunc model in the active run; register it, set an alias.

    Returns the :class:`mlflow.models.model.ModelInfo`.
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
    if registered_name and alias and info.registered_model_version is not None:
        mlflow.MlflowClient().set_registered_model_alias(registered_name, alias, str(info.registered_model_version))
    return info
