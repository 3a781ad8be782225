"""Training and evaluation data of the classifier.

Sources, each optional but the seeds:

* the seed paragraphs with their gold labels (``seeds/annotations.jsonl``) and
  the clause-level evidence (``seeds/annotations_clauses.jsonl``); group = district;
* the team's short guide examples (``seeds/guide_examples.jsonl``); no group
  (always trained on, never held out);
* the written training corpus (``seeds/corpus/corpus.jsonl``): full-length
  paragraphs written from the annotation guide by several independent writers,
  labelled twice and adjudicated; group = writer batch;
* the development set (``../shared/dev``), read at run time, never trained on.

>>> data = load_training_data("seeds", corpus="seeds/corpus/corpus.jsonl")  # doctest: +SKIP
>>> texts, labels, groups = data.units("clause")                           # doctest: +SKIP
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

import pandas as pd

from ..jsonl import read_jsonl
from ..paths import dev_set_path
from .taxonomy import DEFAULT_LABELS_PATH, Taxonomy, load_taxonomy, to_indicator

__all__ = ["TrainingData", "load_training_data", "load_labelled_paragraphs", "load_dev_set",
           "read_labelled_file", "load_user_training_data", "GUIDE_EXAMPLES_FILE", "CLAUSES_FILE"]

logger = logging.getLogger(__name__)

GUIDE_EXAMPLES_FILE = "guide_examples.jsonl"
CLAUSES_FILE = "annotations_clauses.jsonl"


@dataclass
class TrainingData:
    """Gold paragraphs and clauses of the seeds, guide examples and the written corpus.

    Attributes
    ----------
    paragraphs : DataFrame
        Seed paragraphs: doc_id, district, para_id, text, labels.
    clauses : DataFrame
        Seed clauses: doc_id, district, para_id, sent_id, text, labels.
    guide_examples : DataFrame
        text, labels (may be empty).
    corpus : DataFrame
        Written paragraphs: id, batch, text, labels and provenance columns (may be empty).
    taxonomy : Taxonomy
    data_hash : str
        sha256 over every text and label used.
    sources : list of str
        The files read.
    """

    paragraphs: pd.DataFrame
    clauses: pd.DataFrame
    guide_examples: pd.DataFrame
    taxonomy: Taxonomy
    corpus: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["id", "batch", "text", "labels"]))
    data_hash: str = ""
    sources: list[str] = field(default_factory=list)

    @property
    def districts(self) -> list[str]:
        return sorted(self.paragraphs["district"].unique())

    @property
    def batches(self) -> list[str]:
        return sorted(self.corpus["batch"].unique()) if len(self.corpus) else []

    def units(self, unit: str, districts: list[str] | None = None, with_guide: bool = True,
              batches: list[str] | None = None) -> tuple[list[str], list[list[str]], list[Any]]:
        """Training texts, labels and groups for a classifier's ``unit``.

        Parameters
        ----------
        unit : {"clause", "paragraph", "clause+paragraph"}
            Seed clauses, seed paragraphs, or both. Written-corpus paragraphs
            and guide examples are used whole in every case (they carry
            paragraph labels only).
        districts : list of str, optional
            Seed districts to include (default: all).
        with_guide : bool
            Add the guide examples (group ``None``).
        batches : list of str, optional
            Written-corpus batches to include (default: all; ``[]``: none).

        Returns
        -------
        texts, labels, groups
            Groups are the district for seed units, the batch for corpus
            paragraphs, ``None`` for guide examples.
        """
        tables = {"clause": [self.clauses], "paragraph": [self.paragraphs],
                  "clause+paragraph": [self.clauses, self.paragraphs]}[unit]
        texts: list[str] = []
        labels: list[list[str]] = []
        groups: list[Any] = []
        for table in tables:
            if districts is not None:
                table = table[table["district"].isin(districts)]
            texts += table["text"].tolist()
            labels += table["labels"].tolist()
            groups += table["district"].tolist()
        corpus = self.corpus if batches is None else self.corpus[self.corpus["batch"].isin(batches)]
        texts += corpus["text"].tolist()
        labels += corpus["labels"].tolist()
        groups += corpus["batch"].tolist()
        if with_guide and len(self.guide_examples):
            texts += self.guide_examples["text"].tolist()
            labels += self.guide_examples["labels"].tolist()
            groups += [None] * len(self.guide_examples)
        return texts, labels, groups


def load_labelled_paragraphs(path: Union[str, os.PathLike], taxonomy: Taxonomy) -> pd.DataFrame:
    """A JSONL of labelled paragraphs (``text``, ``labels``; other fields kept), labels validated."""
    rows = read_jsonl(path, required=("text", "labels"))
    frame = pd.DataFrame(rows)
    for i, labels in enumerate(frame["labels"] if len(frame) else []):
        if not isinstance(labels, list):
            raise ValueError(f"{path}: record {i + 1}: 'labels' must be a list of label ids, received {labels!r}")
    if len(frame):
        try:
            to_indicator(frame["labels"].tolist(), taxonomy.ids)
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from None
    return frame


def load_training_data(seeds: str | os.PathLike = "seeds", labels: str | os.PathLike = DEFAULT_LABELS_PATH,
                       guide_examples: bool = True, corpus: str | os.PathLike | None = None) -> TrainingData:
    """Read the annotated seeds (paragraphs and clauses), the guide examples and the written corpus.

    Parameters
    ----------
    seeds : path
        Folder of seed reports with ``annotations.jsonl`` and ``annotations_clauses.jsonl``.
    labels : path
        Taxonomy YAML.
    guide_examples : bool
        Read ``guide_examples.jsonl`` from the seeds folder.
    corpus : path, optional
        The written corpus (JSONL with ``text``, ``labels``, ``batch``).
    """
    from ..corpus import load_corpus

    seed_corpus = load_corpus(seeds)
    if "labels" not in seed_corpus.paragraphs:
        raise FileNotFoundError(f"{seed_corpus.path}: no annotations.jsonl; the classifier needs gold labels")
    taxonomy = load_taxonomy(labels)
    paragraphs = seed_corpus.paragraphs[seed_corpus.paragraphs["labels"].notna()].reset_index(drop=True)
    clause_path = Path(seed_corpus.path) / CLAUSES_FILE
    if not clause_path.exists():
        raise FileNotFoundError(f"{clause_path}: clause-level annotations are missing")
    clauses = pd.DataFrame(read_jsonl(clause_path, required=("doc_id", "para_id", "text", "labels")))
    clauses = clauses.merge(paragraphs[["doc_id", "para_id", "district"]], on=["doc_id", "para_id"], how="inner")
    guide = pd.DataFrame(columns=["text", "labels"])
    guide_path = Path(seed_corpus.path) / GUIDE_EXAMPLES_FILE
    if guide_examples:
        if guide_path.exists():
            guide = load_labelled_paragraphs(guide_path, taxonomy)[["text", "labels"]]
        else:
            logger.warning("%s not found; training without the guide examples", guide_path)
    written = pd.DataFrame(columns=["id", "batch", "text", "labels"])
    if corpus is not None:
        written = load_labelled_paragraphs(corpus, taxonomy)
        if "batch" not in written:
            raise ValueError(f"{corpus}: expected a 'batch' field (the writer) on every record, for grouped evaluation")
    for table in (paragraphs, clauses):
        to_indicator(table["labels"].tolist(), taxonomy.ids)  # validates label ids
    digest = hashlib.sha256()
    for table in (paragraphs[["doc_id", "para_id", "text", "labels"]], clauses[["doc_id", "para_id", "sent_id", "text", "labels"]],
                  guide, written[["text", "labels"]]):
        digest.update(table.to_json(orient="records", force_ascii=False).encode("utf-8"))
    sources = [str(Path(seed_corpus.path) / "annotations.jsonl"), str(clause_path)]
    sources += [str(guide_path)] if len(guide) else []
    sources += [str(corpus)] if corpus is not None else []
    return TrainingData(paragraphs, clauses, guide, taxonomy, written, digest.hexdigest(), sources)


def load_report_set(path: str | os.PathLike) -> pd.DataFrame:
    """Labelled whole reports kept out of training (``seeds/corpus/realistic_reports.jsonl``).

    One row per paragraph with ``doc_id``, ``text`` and ``labels``; scored by
    the ``reports`` evaluation, never trained on.

    >>> load_report_set("seeds/corpus/realistic_reports.jsonl")["doc_id"].nunique()   # doctest: +SKIP
    24
    """
    return pd.DataFrame(read_jsonl(Path(path), required=("doc_id", "text", "labels")))


def load_dev_set(path: str | os.PathLike | None = None) -> pd.DataFrame | None:
    """The development set, read at run time from ``../shared/dev`` (never copied into the repo).

    Returns None, with a warning, when the file is absent.
    """
    path = Path(path) if path is not None else dev_set_path()
    if not path.exists():
        logger.warning("development set not found at %s; skipping the dev column", path)
        return None
    return pd.DataFrame(read_jsonl(path, required=("text", "labels")))



# --- a user's own paragraph labels ---------------------------------------------------------------

_LABEL_SEPARATORS = re.compile(r"\s*[;；|,，]\s*")
USER_GROUP_FOLDS = 5  # rows without doc_id or district are dealt into this many groups for held-out scores


def _parse_labels(value: Any, where: str) -> list[str]:
    if isinstance(value, list):
        if not all(isinstance(v, str) for v in value):
            raise ValueError(f"{where}: 'labels' must be a list of label ids, received {value!r}")
        return [v.strip() for v in value if v.strip()]
    if value is None or (isinstance(value, float) and value != value):
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            import json

            try:
                return _parse_labels(json.loads(text), where)
            except json.JSONDecodeError:
                raise ValueError(f"{where}: 'labels' is not a valid JSON list: {text!r}") from None
        return [part for part in _LABEL_SEPARATORS.split(text) if part]
    raise ValueError(f"{where}: 'labels' must be a list of label ids or a string 'a;b', received {value!r}")


def read_labelled_file(path: str | os.PathLike, taxonomy: Taxonomy) -> pd.DataFrame:
    """A user's labelled paragraphs: JSONL or CSV with ``text`` and ``labels`` (optional ``doc_id``, ``district``).

    In a CSV, ``labels`` holds label ids separated by ``;`` (or ``|`` / ``,``),
    or a JSON list; an empty cell means "none of the labels". Every problem is
    a one-line ``ValueError`` naming the file and the row.

    Returns
    -------
    DataFrame
        ``doc_id, district, para_id, text, labels`` (``doc_id``/``district``
        empty strings where the file has none).

    Examples
    --------
    >>> read_labelled_file("my_labels.csv", default_taxonomy())  # doctest: +SKIP
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"labelled data file not found: {str(path)!r}")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except pd.errors.EmptyDataError:
            raise ValueError(f"{path}: the file is empty; expected a header with 'text' and 'labels' and one row "
                             "per paragraph") from None
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise ValueError(f"{path}: not a readable UTF-8 CSV ({' '.join(str(exc).split())})") from None
        records = frame.to_dict("records")
        row_name = lambda i: f"{path}: row {i + 2}"  # noqa: E731 - the header is row 1, as a spreadsheet shows
        columns = list(frame.columns)
    elif suffix in (".jsonl", ".json"):
        records = read_jsonl(path)
        row_name = lambda i: f"{path}:{i + 1}"  # noqa: E731
        columns = sorted({key for record in records for key in record})
    else:
        raise ValueError(f"{path}: expected a .jsonl or .csv file of labelled paragraphs, received {suffix or 'no extension'!r}")
    if not records:
        raise ValueError(f"{path}: no rows; expected one paragraph per row with 'text' and 'labels'")
    missing = [c for c in ("text", "labels") if c not in columns]
    if missing:
        raise ValueError(f"{path}: expected columns 'text' and 'labels', missing {missing}; found {columns}")
    valid = set(taxonomy.ids)
    rows = []
    for i, record in enumerate(records):
        where = row_name(i)
        text = record.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{where}: empty or missing 'text'")
        labels = _parse_labels(record.get("labels"), where)
        unknown = [label for label in labels if label not in valid]
        if unknown:
            raise ValueError(f"{where}: unknown label {unknown[0]!r}; valid labels are {list(taxonomy.ids)} "
                             "(use --labels for your own taxonomy)")
        rows.append({"doc_id": str(record.get("doc_id") or ""), "district": str(record.get("district") or ""),
                     "para_id": i, "text": text.strip(), "labels": sorted(set(labels), key=taxonomy.ids.index)})
    frame = pd.DataFrame(rows)
    if not any(frame["labels"].map(len)):
        raise ValueError(f"{path}: no row carries a label; a model needs paragraphs labelled with each area "
                         f"(valid labels: {list(taxonomy.ids)})")
    return frame


def load_user_training_data(path: str | os.PathLike, labels: str | os.PathLike = DEFAULT_LABELS_PATH,
                            guide_examples: bool = False, seeds: str | os.PathLike = "seeds") -> TrainingData:
    """Training data from a user's labelled paragraphs alone (clause labels are not needed).

    Held-out groups are the rows' ``district``, else their ``doc_id``, else
    :data:`USER_GROUP_FOLDS` groups dealt in file order, so the leave-one-group-out
    scores never test on a group that was trained on.

    Parameters
    ----------
    path : path
        JSONL or CSV (see :func:`read_labelled_file`).
    labels : path
        The taxonomy YAML the labels belong to.
    guide_examples : bool
        Also train on the package's guide examples (``seeds/guide_examples.jsonl``;
        only meaningful with the default taxonomy).
    """
    taxonomy = load_taxonomy(labels)
    frame = read_labelled_file(path, taxonomy)
    if (frame["district"] != "").all() and frame["district"].nunique() >= 2:
        frame["group"] = frame["district"]
    elif (frame["doc_id"] != "").all() and frame["doc_id"].nunique() >= 2:
        frame["group"] = frame["doc_id"]
    else:
        frame["group"] = [f"fold{i % USER_GROUP_FOLDS + 1}" for i in range(len(frame))]
    frame["district"] = frame["group"]  # the grouping column TrainingData's protocols hold out
    frame["doc_id"] = frame["doc_id"].where(frame["doc_id"] != "", frame["group"])
    paragraphs = frame[["doc_id", "district", "para_id", "text", "labels"]]
    clauses = pd.DataFrame(columns=["doc_id", "district", "para_id", "sent_id", "text", "labels"])
    guide = pd.DataFrame(columns=["text", "labels"])
    sources = [str(path)]
    if guide_examples:
        guide_path = resolve_seeds(seeds) / GUIDE_EXAMPLES_FILE
        guide = load_labelled_paragraphs(guide_path, taxonomy)[["text", "labels"]]
        sources.append(str(guide_path))
    digest = hashlib.sha256()
    for table in (paragraphs[["doc_id", "district", "text", "labels"]], guide):
        digest.update(table.to_json(orient="records", force_ascii=False).encode("utf-8"))
    return TrainingData(paragraphs, clauses, guide, taxonomy, data_hash=digest.hexdigest(), sources=sources)


def resolve_seeds(seeds: str | os.PathLike) -> Path:
    from ..paths import resolve_project_path

    return resolve_project_path(str(seeds))
