"""Classifier ablations: character vs word n-grams, rules on/off, guide examples on/off, clause vs paragraph.

    .venv/bin/python experiments/classifier_ablations.py [--set key=value]

Uses configs/classifier_ablations.yaml; writes experiments/results/classifier_ablations/.
"""
from nlp.classifier.run import study_main

if __name__ == "__main__":
    study_main("configs/classifier_ablations.yaml", __doc__.splitlines()[0])
