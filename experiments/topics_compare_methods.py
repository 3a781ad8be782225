"""LDA vs BERTopic on the seeds: quality, seed stability, agreement, district divergence.

Thin script over the library: both methods are fitted with their configs
(BERTopic also at LDA's chosen K, for a like-for-like comparison), scored by
the same coherence code, and compared with nlp.topics.compare. Writes
experiments/results/topics_compare_methods/ (methods.csv, agreement.csv) and
logs to the MLflow experiment "topics_compare_methods". With configs of one's own
or other --seeds it writes experiments/results/runs/topics_compare_methods-<hash>/
instead (or --output), never the tracked results.

    .venv/bin/python experiments/topics_compare_methods.py
    .venv/bin/python experiments/topics_compare_methods.py --no-mlflow --seeds 0 1 2
"""
from __future__ import annotations

import argparse
import logging
from pathlib import Path

import pandas as pd

import nlp
from nlp.paths import results_dir
from nlp.run_folders import is_project_config, run_dir
from nlp.topics.compare import partition_agreement, seed_stability
from nlp.topics.schema import fit_options_from_config, load_topics_config

EXPERIMENT = "topics_compare_methods"
DEFAULT_SEEDS = [0, 1, 2]


def _row(name: str, result, seconds: float, stability: dict, compare: dict) -> dict:
    tests = result.compare_districts(**compare).divergence_tests
    m = result.metrics
    return {"model": name, "method": result.method, "n_topics": result.n_topics,
            "coherence_c_v": m["coherence_c_v"], "coherence_c_npmi": m["coherence_c_npmi"],
            "coherence_u_mass": m["coherence_u_mass"], "diversity": m["diversity"],
            "outlier_share": m["outlier_share"], "seed_stability_ari": stability["adjusted_rand"],
            "district_js_mean": tests["js"].mean(), "district_js_null_mean": tests["js_null_mean"].mean(),
            "district_pairs_p_lt_0.05": int((tests["p_value"] < 0.05).sum()), "fit_seconds": round(seconds, 2)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lda-config", default="configs/topics_lda.yaml")
    parser.add_argument("--bertopic-config", default="configs/topics_bertopic.yaml")
    parser.add_argument("--seeds", nargs="+", type=int, default=DEFAULT_SEEDS, help="for BERTopic's seed stability")
    parser.add_argument("--no-mlflow", action="store_true")
    parser.add_argument("--output", default=None, metavar="DIR", help="output folder (default: see above)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    lda_cfg, bert_cfg = load_topics_config(args.lda_config), load_topics_config(args.bertopic_config)
    compare = {k: v for k, v in lda_cfg["compare"].items() if k not in ("by", "weights")}
    corpus = nlp.load_corpus(lda_cfg["corpus"]["path"])

    lda = nlp.fit_topics(corpus, "lda", **fit_options_from_config(lda_cfg))
    lda_seconds = lda.metrics["fit_seconds"]  # the whole K sweep
    k = lda.n_topics
    lda_stability = {"adjusted_rand": lda.metrics.get("seed_stability_ari", float("nan"))}
    rows, fits = [], {f"lda K={k}": lda}
    rows.append(_row(f"lda K={k}", lda, lda_seconds, lda_stability, compare))
    for n_topics in dict.fromkeys([k, bert_cfg["bertopic"]["n_topics"]]):
        options = {**fit_options_from_config(bert_cfg), "n_topics": n_topics}
        runs = [nlp.fit_topics(corpus, "bertopic", **{**options, "random_state": seed}) for seed in args.seeds]
        seconds = runs[0].metrics["fit_seconds"]
        stability = seed_stability([r.doc_topics["topic"] for r in runs])
        rows.append(_row(f"bertopic K={n_topics}", runs[0], seconds, stability, compare))
        fits[f"bertopic K={n_topics}"] = runs[0]
    methods = pd.DataFrame(rows)
    agreement = pd.DataFrame([
        {"a": a, "b": b, **partition_agreement(fits[a].doc_topics["topic"], fits[b].doc_topics["topic"])}
        for i, a in enumerate(fits) for b in list(fits)[i + 1:]
    ])
    tracked = (is_project_config(args.lda_config) and is_project_config(args.bertopic_config)
               and args.seeds == DEFAULT_SEEDS)
    settings = {"lda": lda_cfg, "bertopic": bert_cfg, "seeds": args.seeds}
    out = (Path(args.output) if args.output else results_dir() / EXPERIMENT if tracked
           else run_dir(EXPERIMENT, settings, corpus.data_hash()))
    out.mkdir(parents=True, exist_ok=True)
    methods.to_csv(out / "methods.csv", index=False, float_format="%.4g")
    agreement.to_csv(out / "agreement.csv", index=False, float_format="%.4g")
    print(methods.round(3).to_string(index=False))
    print(agreement.round(3).to_string(index=False))
    print(f"written to {out}")
    if not args.no_mlflow:
        from nlp.tracking import log_artifacts, log_metrics, start_run

        with start_run(EXPERIMENT, run_name="lda-vs-bertopic", config={"lda": lda_cfg, "bertopic": bert_cfg},
                       data_hash=corpus.data_hash()):
            for row in rows:
                tag = row["model"].replace(" ", "_").replace("=", "")
                log_metrics({f"{tag}.{key}": value for key, value in row.items()
                             if isinstance(value, (int, float)) and key != "n_topics"})
            log_artifacts(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
