"""The registry's champion alias moves only to a better model on the same held-out evaluation, or when asked."""
from __future__ import annotations

import mlflow
import pytest

from nlp.classifier.mlflow_model import champion_decision, log_classifier_model, version_tags


def _tags(dev=None, lodo=None, corpus=None, data="d", dev_data="v"):
    metrics = {"dev_macro_f1": dev, "lodo_macro_f1": lodo, "corpus_macro_f1": corpus}
    return version_tags({k: v for k, v in metrics.items() if v is not None}, data, dev_data)


@pytest.mark.parametrize("candidate, champion, moves, why", [
    (_tags(dev=0.85, lodo=0.90), None, True, "no champion yet"),
    # the grouped score (mean of LODO and writer folds) decides; dev never does
    (_tags(dev=0.80, lodo=0.96, corpus=0.96), _tags(dev=0.90, lodo=0.95, corpus=0.95), True,
     "grouped_macro_f1 0.9600 beats"),
    (_tags(dev=0.90, lodo=0.94, corpus=0.94), _tags(dev=0.80, lodo=0.95, corpus=0.95), False,
     "grouped_macro_f1 0.9400 does not beat"),
    (_tags(dev=0.84, lodo=0.98, corpus=0.92), _tags(dev=0.84, lodo=0.92, corpus=0.98), False,
     "grouped_macro_f1 0.9500 does not beat"),  # a tie
    # only LODO on one side: LODO decides, whatever dev says
    (_tags(dev=0.80, lodo=0.95), _tags(dev=0.90, lodo=0.90, corpus=0.99), True, "lodo_macro_f1 0.9500 beats"),
    (_tags(dev=0.95, lodo=0.89), _tags(dev=0.84, lodo=0.90), False, "lodo_macro_f1 0.8900 does not beat"),
    # other training data: LODO not comparable either; the champion stays
    (_tags(lodo=0.99, data="other"), _tags(lodo=0.90), False, "not comparable"),
])
def test_champion_decision(candidate, champion, moves, why):
    moved, reason = champion_decision(candidate, champion)
    assert moved is moves and why in reason


def test_promote_always_moves():
    moved, reason = champion_decision(_tags(lodo=0.1, data="other"), _tags(lodo=0.9), promote=True)
    assert moved and "--promote" in reason


def test_version_tags_carry_scores_and_data():
    tags = version_tags({"dev_macro_f1": 0.8391, "lodo_macro_f1": 0.911, "corpus_macro_f1": 0.97, "dev_micro_f1": 0.8},
                        "abc", "def")
    assert tags == {"dev_macro_f1": "0.8391", "lodo_macro_f1": "0.9110", "corpus_macro_f1": "0.9700",
                    "grouped_macro_f1": "0.9405", "data_hash": "abc", "dev_data_hash": "def"}
    assert "dev_data_hash" not in version_tags({"lodo_macro_f1": 0.9}, "abc", "def")  # no dev score, no dev hash


@pytest.fixture(scope="module")
def small_model(tmp_path_factory):
    from nlp.classifier import PolicyClassifier

    texts = ["全区行政复议收案845件。", "开展宪法宣传周活动。", "人民调解委员会调解纠纷。", "律师事务所年检。",
             "行政执法监督检查。", "召开局党组会议。"]
    labels = [["administrative_review"], ["legal_outreach"], ["mediation"], ["lawyers"],
              ["enforcement_supervision"], []]
    folder = tmp_path_factory.mktemp("small") / "model"
    PolicyClassifier(unit="paragraph").fit(texts, labels).save(folder)
    return folder


def test_registry_alias_moves_only_on_a_better_score_or_promote(small_model, tracking_uri):
    from nlp.tracking import start_run

    name = "test-registry-champion"
    client = mlflow.MlflowClient(tracking_uri=tracking_uri)

    def register(dev, lodo, promote=False, data="d"):
        with start_run("test-registry", run_name="train char C=10 paragraph", tracking_uri=tracking_uri):
            _, decision = log_classifier_model(small_model, ["开展普法活动。"], name, "champion",
                                               tags=_tags(dev=dev, lodo=lodo, data=data),
                                               description=f"dev {dev}, lodo {lodo}", promote=promote)
        return decision

    assert "version 1 is the new champion: no champion yet" == register(0.80, 0.90)
    assert "champion stays version 1" in register(0.99, 0.89)          # worse held out, better on dev: stays
    assert str(client.get_model_version_by_alias(name, "champion").version) == "1"
    assert "version 3 is the new champion" in register(0.50, 0.91)     # better held out: moves
    assert "version 4 is the new champion: promoted" in register(0.10, 0.10, promote=True)
    champion = client.get_model_version_by_alias(name, "champion")
    assert str(champion.version) == "4"
    assert champion.tags["dev_macro_f1"] == "0.1000" and champion.tags["lodo_macro_f1"] == "0.1000"
    assert champion.tags["data_hash"] == "d" and champion.tags["dev_data_hash"] == "v"
    assert champion.description == "dev 0.1, lodo 0.1" and "\n" not in champion.description
    assert "promoted by request" in champion.tags["promotion"]
    assert client.get_model_version(name, "2").tags["promotion"].startswith("version 2 registered; champion stays")
