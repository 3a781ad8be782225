"""Agreement between two independent indicator annotation passes of the seeds.

    .venv/bin/python experiments/indicator_agreement.py

Reads seeds/indicator_passes/pass_A.jsonl and pass_B.jsonl (guide format) and prints the
mention-level agreement (F1 of pass B against pass A: same paragraph, indicator and value
within 0.5 %) overall and per indicator, and the mentions only one pass has. Without
pass_B.jsonl it says so: so far only pass A exists (see README, Indicators).
"""
from __future__ import annotations

import sys

from nlp.indicators.evaluation import load_gold, score_mentions
from nlp.indicators.spec import default_spec
from nlp.paths import seeds_dir


def main() -> int:
    folder = seeds_dir() / "indicator_passes"
    a, b = folder / "pass_A.jsonl", folder / "pass_B.jsonl"
    if not b.exists():
        print(f"no second pass ({b} is missing): agreement cannot be computed yet")
        return 1
    _, gold_a = load_gold(a)
    _, gold_b = load_gold(b)
    scores = score_mentions(gold_b, gold_a, default_spec().ids)
    o = scores.overall
    print(f"pass A {len(gold_a)} mentions, pass B {len(gold_b)}; agreed {o['tp']}, "
          f"only A {o['fn']}, only B {o['fp']}; F1 {o['f1']:.3f}")
    print(scores.per_indicator[scores.per_indicator["gold"] + scores.per_indicator["predicted"] > 0].to_string(index=False))
    print("only in pass A:\n", scores.false_negatives.to_string(index=False))
    print("only in pass B:\n", scores.false_positives.to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
