"""Learning curve: held-out macro-F1 against the share of the written corpus in training.

    .venv/bin/python experiments/classifier_learning_curve.py [--config configs/classifier.yaml]

Trains the config's model on 25/50/75/100 % of the written corpus (drawn within each
writer batch) plus the seeds and guide examples; scores it leave-one-district-out on the
seeds and once on the development set. Writes experiments/results/classifier/learning_curve.{csv,png}.
"""
import argparse

from nlp.classifier.evaluation import learning_curve
from nlp.classifier.plots import learning_curve_figure
from nlp.classifier.run import load_job_data
from nlp.classifier.schema import load_classifier_config
from nlp.paths import resolve_project_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="configs/classifier.yaml")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    config = load_classifier_config(args.config, args.overrides)
    curve = learning_curve(config["model"], load_job_data(config), with_guide=config["data"]["guide_examples"],
                           dev_path=config["data"]["dev_set"], random_state=config["evaluation"]["seed"])
    folder = resolve_project_path(config["output"]["results_dir"])
    folder.mkdir(parents=True, exist_ok=True)
    curve.to_csv(folder / "learning_curve.csv", index=False)
    learning_curve_figure(curve).savefig(folder / "learning_curve.png", dpi=120)
    print(curve.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"written to {folder / 'learning_curve.csv'} and learning_curve.png")


if __name__ == "__main__":
    main()
