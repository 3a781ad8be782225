"""Agreement between the two independent annotation passes of the seeds, per label.

    .venv/bin/python experiments/annotation_agreement.py

Reads seeds/annotation_passes/pass_{A,B}.jsonl; prints Cohen's kappa and F1 (pass B
against pass A) per label and lists the paragraphs where the passes differ.
"""
from sklearn.metrics import cohen_kappa_score, f1_score

from nlp.classifier.taxonomy import default_taxonomy
from nlp.jsonl import read_jsonl
from nlp.paths import seeds_dir


def read(name: str) -> list[dict]:
    return read_jsonl(seeds_dir() / "annotation_passes" / name)


def main() -> None:
    first, second = read("pass_A.jsonl"), read("pass_B.jsonl")
    print(f"{'label':26s} kappa   F1     pass A  pass B")
    for label in default_taxonomy().ids:
        a = [label in row["labels"] for row in first]
        b = [label in row["labels"] for row in second]
        print(f"{label:26s} {cohen_kappa_score(a, b):.3f}  {f1_score(a, b):.3f}  {sum(a):6d}  {sum(b):6d}")
    for a, b in zip(first, second):
        if a["labels"] != b["labels"]:
            print(f"differ: {a['doc_id']} para {a['para_id']}: A={a['labels']} B={b['labels']}")


if __name__ == "__main__":
    main()
