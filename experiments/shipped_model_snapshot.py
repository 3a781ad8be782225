"""Store the shipped model's predictions on the seed paragraphs, for the regression test.

    .venv/bin/python experiments/shipped_model_snapshot.py

Writes tests/data/shipped_model_predictions.json: labels and probabilities (6 decimals)
per seed paragraph. tests/test_shipped_model.py checks that the model in
models/policy_classifier still gives them, so a refactoring that changes a prediction
fails; rerun this script only when the shipped model is retrained on purpose.
"""
import json

import nlp
from nlp.paths import project_root


def main() -> None:
    corpus = nlp.load_corpus("seeds")
    classifier = nlp.PolicyClassifier.load()
    texts = corpus.paragraphs["text"].tolist()
    proba = classifier.predict_proba(texts)
    labels = classifier.predict_labels(texts)
    rows = [{"doc_id": d, "para_id": int(p), "labels": l, "proba": [round(float(x), 6) for x in row]}
            for d, p, l, row in zip(corpus.paragraphs["doc_id"], corpus.paragraphs["para_id"], labels, proba.to_numpy())]
    target = project_root() / "tests" / "data" / "shipped_model_predictions.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps({"model_data_hash": classifier.info_.get("data_hash"), "rows": rows},
                                 ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{len(rows)} paragraphs -> {target}")


if __name__ == "__main__":
    main()
