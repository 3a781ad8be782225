"""LDA K sweep on the seeds, on paragraphs and on sentences, under both K rules.

Thin script: the sweep, the rules, the files and the MLflow logging are the
library's (nlp.topics.fit_topics, nlp.topics.selection.choose_k,
nlp.topics.outputs). Writes experiments/results/topics_lda_k_sweep/<unit>/
(k_sweep.csv, k_summary.csv, k_curve.png) and k_rules.csv, and logs one run
per unit to the MLflow experiment "topics_lda_k_sweep". With --set or a config of
one's own it writes experiments/results/runs/topics_lda_k_sweep-<hash>/ instead
(or --output), never the tracked results.

    .venv/bin/python experiments/topics_lda_k_sweep.py                 # both units
    .venv/bin/python experiments/topics_lda_k_sweep.py --units paragraph --no-mlflow
"""
from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

import pandas as pd

import nlp
from nlp.paths import results_dir
from nlp.run_folders import is_project_config, run_dir
from nlp.topics.outputs import log_outputs, write_k_sweep
from nlp.topics.schema import fit_options_from_config, load_topics_config
from nlp.topics.selection import K_RULES, choose_k

EXPERIMENT = "topics_lda_k_sweep"


def _output_root(args) -> Path:
    """The tracked folder for the project config without --set, else a folder of this run's own."""
    if args.output:
        return Path(args.output)
    config = load_topics_config(args.config, args.set)
    if not args.set and is_project_config(args.config):
        return results_dir() / EXPERIMENT
    corpus = nlp.load_corpus(config["corpus"]["path"])
    return run_dir(EXPERIMENT, {**config, "units": sorted(args.units)}, corpus.data_hash())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="configs/topics_lda.yaml")
    parser.add_argument("--units", nargs="+", default=["paragraph", "sentence"], choices=["paragraph", "sentence"])
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--no-mlflow", action="store_true")
    parser.add_argument("--output", default=None, metavar="DIR", help="output folder (default: see above)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    out_root = _output_root(args)
    rules = []
    for unit in args.units:
        config = load_topics_config(args.config, [*args.set, f"corpus.unit={unit}", "lda.n_topics=null"])
        corpus = nlp.load_corpus(config["corpus"]["path"])
        start = time.perf_counter()
        result = nlp.fit_topics(corpus, "lda", **fit_options_from_config(config))
        seconds = time.perf_counter() - start
        out = out_root / unit
        write_k_sweep(result, out, dpi=config["plots"]["dpi"])
        for rule in K_RULES:
            k, _ = choose_k(result.sweep, rule, config["lda"]["k_metric"])
            rules.append({"unit": unit, "rule": rule, "metric": config["lda"]["k_metric"], "k": k,
                          "n_units": len(result.unit_topics), "sweep_seconds": round(seconds, 1)})
        if not args.no_mlflow:
            from nlp.tracking import start_run

            with start_run(EXPERIMENT, run_name=f"lda-k-sweep-{unit}", config=config, config_path=args.config,
                           data_hash=corpus.data_hash(), tags={"method": "lda", "unit": unit}):
                log_outputs(out, {**result.metrics, "sweep_seconds": seconds}, result.k_summary)
        cols = ["k", "c_v_mean", "c_v_se", "c_npmi_mean", "u_mass_mean", "diversity_mean", "chosen"]
        print(f"\n{unit}s ({len(result.unit_topics)}), sweep {seconds:.1f}s")
        print(result.k_summary[cols].round(3).to_string(index=False))
    table = pd.DataFrame(rules)
    out_root.mkdir(parents=True, exist_ok=True)
    table.to_csv(out_root / "k_rules.csv", index=False)
    print("\n" + table.to_string(index=False))
    print(f"written to {out_root}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
