"""Learning curve: held-out macro-F1 against the share of the written corpus in training.

    .venv/bin/python experiments/classifier_learning_curve.py [--config configs/classifier.yaml]

Trains the config's model on 25/50/75/100 % of the written corpus (drawn within each
writer batch) plus the seeds and guide examples; scores it leave-one-district-out on the
seeds and, trained on everything else, on the held-out realistic reports and the development set. Writes experiments/results/classifier/learning_curve.{csv,png}
when the project config runs unchanged, else experiments/results/runs/learning_curve-<hash>/ (or --output).
"""
import argparse
from pathlib import Path

from nlp.classifier.evaluation import learning_curve
from nlp.classifier.plots import learning_curve_figure
from nlp.classifier.run import job_folders, load_job_data
from nlp.classifier.schema import load_classifier_config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="configs/classifier.yaml")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--output", default=None, metavar="DIR", help="folder for learning_curve.{csv,png}")
    args = parser.parse_args()
    config = load_classifier_config(args.config, args.overrides)
    data = load_job_data(config)
    curve = learning_curve(config["model"], data, with_guide=config["data"]["guide_examples"],
                           dev_path=config["data"]["dev_set"], random_state=config["evaluation"]["seed"],
                           report_path=config["data"]["report_set"])
    folder = Path(args.output) if args.output else job_folders(config, args.config, data, "learning_curve")[0]["results_dir"]
    folder.mkdir(parents=True, exist_ok=True)
    curve.to_csv(folder / "learning_curve.csv", index=False)
    learning_curve_figure(curve).savefig(folder / "learning_curve.png", dpi=120)
    print(curve.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"written to {folder / 'learning_curve.csv'} and learning_curve.png")


if __name__ == "__main__":
    main()
