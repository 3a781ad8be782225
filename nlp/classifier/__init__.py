"""The policy-area classifier: label report paragraphs with the annotation guide's five areas.

>>> import nlp
>>> clf = nlp.PolicyClassifier.load()                               # the shipped model
>>> clf.predict(["全年共办理人民调解案件1200件，调解成功率98.9%。"])
[['mediation']]

Modules, one concept each (imports run downwards in this list):

* :mod:`~nlp.classifier.taxonomy` — labels, cue terms, label lists <-> indicator matrices;
* :mod:`~nlp.classifier.metrics` — per-label P/R/F1, micro/macro-F1, bootstrap intervals;
* :mod:`~nlp.classifier.base` — inputs and output forms shared by every classifier;
* :mod:`~nlp.classifier.rules` — clauses, cue-term hits, :class:`KeywordLabeler`;
* :mod:`~nlp.classifier.features` — TF-IDF and rule features;
* :mod:`~nlp.classifier.thresholds` — per-label thresholds from out-of-fold scores;
* :mod:`~nlp.classifier.estimator` — :class:`PolicyClassifier`;
* :mod:`~nlp.classifier.persistence` — model folders as JSON + arrays (plain data, no pickle);
* :mod:`~nlp.classifier.schema` — the ``configs/classifier.yaml`` schema, from the estimator's defaults;
* :mod:`~nlp.classifier.data` — seeds, guide examples, written corpus, dev set;
* :mod:`~nlp.classifier.evaluation` — held-out protocols (LODO, grouped corpus folds, dev);
* :mod:`~nlp.classifier.plots`, :mod:`~nlp.classifier.outputs` — figures and files;
* :mod:`~nlp.classifier.run` — the ``nlp train`` / ``nlp evaluate`` jobs;
* :mod:`~nlp.classifier.mlflow_model` — the MLflow pyfunc flavour.

Importing this package imports scikit-learn, never MLflow.
"""
from __future__ import annotations

from .estimator import PolicyClassifier
from .persistence import ModelLoadError
from .rules import KeywordLabeler
from .taxonomy import Label, Taxonomy, default_taxonomy, labels_from_indicator, load_taxonomy, to_indicator

__all__ = ["PolicyClassifier", "KeywordLabeler", "ModelLoadError", "Label", "Taxonomy", "default_taxonomy",
           "load_taxonomy", "to_indicator", "labels_from_indicator"]
