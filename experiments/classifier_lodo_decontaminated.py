"""Leave-one-district-out without the round-2 paragraphs that reuse the seeds' wording.

    .venv/bin/python experiments/classifier_lodo_decontaminated.py

The round-2 writer brief (seeds/corpus/WRITER_BRIEF_R2.md) quoted a few phrases of the seed
reports as examples of terse area phrases (高标准开展执法监督, 积极化解行政争议, ...), and writers
reused some of them. A model trained on those paragraphs has, in part, seen the held-out
district's wording, so the plain LODO column is optimistic for models trained on round 2.
This script drops every round-2 paragraph that contains one of the quoted phrases (47) and
re-scores LODO for the shipped configuration and the closest candidates. Prints macro-F1.
"""
from dataclasses import replace

from nlp.classifier.evaluation import learned, lodo_predictions
from nlp.classifier.metrics import f1_scores
from nlp.classifier.run import load_job_data
from nlp.classifier.schema import load_classifier_config

#: Phrases the round-2 brief quoted from the seeds, or close to them.
QUOTED = ("高标准开展执法监督", "积极化解行政争议", "律所和律师招引", "律师招引", "常态化开展普法宣传", "商事调解体系",
          "行政诉讼复盘分析", "全国模范人民调解委员会", "八进")
ROUND_TWO_FIRST_WRITER = 7


def main() -> None:
    config = load_classifier_config("configs/classifier.yaml")
    data = load_job_data(config)
    round_two = data.corpus["batch"].map(lambda batch: int(batch[1:]) >= ROUND_TWO_FIRST_WRITER)
    reused = data.corpus["text"].map(lambda text: any(phrase in text for phrase in QUOTED))
    clean = replace(data, corpus=data.corpus[~(round_two & reused)])
    print(f"dropped {int((round_two & reused).sum())} round-2 paragraphs that reuse quoted seed phrases")
    # Each entry names every setting it changes from configs/classifier.yaml's model.
    candidates = [("model (shipped: char 1-3, threshold 0.6)", {}),
                  ("threshold 0.5", {"threshold": 0.5}),
                  ("CV thresholds (the previous default)", {"thresholds": "cv"}),
                  ("C=3", {"C": 3.0}),
                  ("char 1-4", {"char_ngrams": [1, 4]})]
    for name, override in candidates:
        y_true, y_pred = lodo_predictions(learned({**config["model"], **override}), clean, progress=False)
        print(f"{name}: LODO macro-F1 {f1_scores(y_true, y_pred)[1]:.3f}", flush=True)


if __name__ == "__main__":
    main()
