"""Build the written training corpus and report its checks.

    .venv/bin/python experiments/corpus_build.py

Rebuilds seeds/corpus/corpus.jsonl from the writers' batches (seeds/corpus/writers/), the
blind second pass (seeds/corpus/second_pass/) and the adjudication (seeds/corpus/adjudication.jsonl);
prints the agreement of the two passes per label (Cohen's kappa), the label, kind, role,
province and length counts, the near-duplicate pairs and the overlap with the development set
(read from ../shared/dev at run time, never copied). Also rebuilds the held-out report set
(seeds/corpus/realistic_reports/realistic_reports.jsonl) from its two blind passes and adjudication and
prints their agreement and overlaps. Writes experiments/results/corpus/summary.md.
"""
from collections import Counter

import pandas as pd

from nlp.classifier.data import load_dev_set
from nlp.classifier.taxonomy import default_taxonomy
from nlp.classifier.written_corpus import (build_corpus, build_report_set, label_agreement, near_duplicates,
                                           read_formulae, shared_substrings)
from nlp.paths import results_dir, seeds_dir


def _markdown(frame: pd.DataFrame) -> str:
    lines = ["| " + " | ".join(map(str, frame.columns)) + " |", "| " + " | ".join("---" for _ in frame.columns) + " |"]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in row) + " |")
    return "\n".join(lines)


def main() -> None:
    taxonomy = default_taxonomy()
    folder = seeds_dir() / "corpus"
    corpus = build_corpus(folder, taxonomy)
    agreement = label_agreement(corpus["labels_writer"], corpus["labels_second"], taxonomy.ids)
    labels = Counter(label for row in corpus["labels"] for label in row)
    n_labels = corpus["labels"].map(len)
    lengths = corpus["text"].str.len()
    pairs = near_duplicates(corpus["text"].tolist())
    dev = load_dev_set()
    formulae = read_formulae(folder / "official_formulae.txt")
    overlap = (shared_substrings(corpus["text"].tolist(), dev["text"].tolist(), 20, formulae)
               if dev is not None else None)
    lines = [
        "# The written training corpus", "",
        f"{len(corpus)} paragraphs from {corpus['batch'].nunique()} writers, {corpus['province'].nunique()} provinces, "
        f"{corpus['district'].nunique()} districts, years {corpus['year'].min()}–{corpus['year'].max()}; "
        f"length {lengths.min()}–{lengths.max()} characters (median {int(lengths.median())}, "
        f"{((lengths >= 120) & (lengths <= 300)).mean():.0%} in 120–300).", "",
        "## Labels", "",
        _markdown(pd.DataFrame([{"label": k, "paragraphs": labels[k]} for k in taxonomy.ids])), "",
        f"No label: {(n_labels == 0).sum()}; one: {(n_labels == 1).sum()}; two or more: {(n_labels >= 2).sum()}.", "",
        "## Kinds and section roles", "",
        _markdown(pd.DataFrame(Counter(corpus["kind"]).most_common(), columns=["kind", "paragraphs"])), "",
        _markdown(pd.DataFrame(Counter(corpus["section_role"]).most_common(), columns=["section_role", "paragraphs"])), "",
        "## Agreement of the two labelling passes (writer vs blind second pass)", "",
        _markdown(agreement), "",
        f"Paragraphs where the passes differ (settled in adjudication.jsonl): {int(corpus['adjudicated'].sum())}.", "",
        "## Checks", "",
        f"- near-duplicate pairs (character 5-gram Jaccard > 0.8): {len(pairs)}",
        f"- paragraphs sharing a 20-character substring with the dev set (official formulae masked): "
        f"{'dev set absent' if overlap is None else len(overlap)}", "",
    ]
    reports = build_report_set(seeds_dir(), taxonomy)
    report_labels = Counter(label for row in reports["labels"] for label in row)
    report_dev = (shared_substrings(reports["text"].tolist(), dev["text"].tolist(), 20, formulae)
                  if dev is not None else None)
    report_corpus = shared_substrings(reports["text"].tolist(), corpus["text"].tolist(), 20, formulae)
    lines += [
        "# The held-out report set (the `reports` evaluation, never trained on)", "",
        f"{len(reports)} paragraphs of {reports['doc_id'].nunique()} whole reports, "
        f"{reports['province'].nunique()} provinces, labelled by two blind passes.", "",
        _markdown(pd.DataFrame([{"label": k, "paragraphs": report_labels[k]} for k in taxonomy.ids])), "",
        f"No label: {(reports['labels'].map(len) == 0).sum()}; two or more: {(reports['labels'].map(len) >= 2).sum()}.", "",
        _markdown(label_agreement(reports["labels_a"], reports["labels_b"], taxonomy.ids)), "",
        f"Paragraphs where the passes differ (settled in realistic_reports/adjudication.jsonl): "
        f"{int(reports['adjudicated'].sum())}.", "",
        f"- paragraphs sharing a 20-character substring with the dev set: "
        f"{'dev set absent' if report_dev is None else len(report_dev)}",
        f"- paragraphs sharing a 20-character substring with the training corpus (genre formulae such as the full "
        f"name of the 三项制度): {len(report_corpus)}", "",
    ]
    out = results_dir() / "corpus"
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
