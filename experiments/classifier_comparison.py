"""Classifier comparison: baselines vs models, leave-one-district-out and the dev set.

    .venv/bin/python experiments/classifier_comparison.py [--config configs/classifier.yaml] [--set key=value]

Writes experiments/results/classifier/ (comparison.csv, comparison.md, per_label.csv, plots)
and logs one MLflow run under the config's experiment.
"""
from nlp.classifier.run import study_main

if __name__ == "__main__":
    study_main("configs/classifier.yaml", __doc__.splitlines()[0])
