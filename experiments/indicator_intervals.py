"""95 % bootstrap intervals of indicator F1 over paragraphs, for the sets the patterns were not tuned on.

    .venv/bin/python experiments/indicator_intervals.py

Scores the extractor as `nlp evaluate-indicators` does, then resamples paragraphs (2,000 times,
seed 0) and prints tp, fp, fn and the 2.5 / 97.5 percentiles of mention-level F1.
"""
import numpy as np

from nlp.indicators.evaluation import INDEPENDENT_GOLD_FILES, DEV_GOLD_FILE, evaluate_indicators, load_gold
from nlp.paths import seeds_dir

FILES = {"independent_holdout": INDEPENDENT_GOLD_FILES["independent_holdout"],
         "realistic_holdout": INDEPENDENT_GOLD_FILES["realistic_holdout"], "dev": DEV_GOLD_FILE}


def main(n_boot: int = 2000, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    for name, scores in evaluate_indicators(sets=tuple(FILES)).items():
        paragraphs, gold = load_gold(seeds_dir() / FILES[name])
        keys = list(paragraphs[["doc_id", "para_id"]].itertuples(index=False, name=None))

        def per_paragraph(frame):
            counts = frame.groupby(["doc_id", "para_id"]).size()
            return np.array([counts.get(key, 0) for key in keys])

        fn, fp = per_paragraph(scores.false_negatives), per_paragraph(scores.false_positives)
        tp = per_paragraph(gold) - fn
        f1 = []
        for _ in range(n_boot):
            i = rng.integers(0, len(keys), len(keys))
            f1.append(2 * tp[i].sum() / (2 * tp[i].sum() + fp[i].sum() + fn[i].sum()) if tp[i].sum() else 0.0)
        low, high = np.percentile(f1, [2.5, 97.5])
        print(f"{name}: {len(keys)} paragraphs, tp {tp.sum()}, fp {fp.sum()}, fn {fn.sum()}, "
              f"F1 {scores.overall['f1']:.3f} [{low:.3f}, {high:.3f}]")


if __name__ == "__main__":
    main()
