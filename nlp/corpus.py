"""The corpus API: one report (:func:`read_report`) or a folder of them (:func:`load_corpus`).

Both give paragraphs as a pandas DataFrame with the columns in
:data:`PARAGRAPH_COLUMNS`; every other part of the package (classifier, topic
models, experiments) starts from that table.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Union

import pandas as pd

from .jsonl import read_jsonl
from .metadata import (ReportMetadata, complete_from_gazetteer, find_title, load_metadata_file, merge_metadata,
                       parse_metadata)
from .paths import seeds_dir
from .reader import ReportInputError, body_lines, load_text
from .segment import SECTION_ROLES, segment_lines, split_sentences

__all__ = [
    "PARAGRAPH_COLUMNS",
    "REPORT_SUFFIXES",
    "Report",
    "Corpus",
    "read_report",
    "load_corpus",
    "SkippedFile",
    "ERROR_MODES",
    "scan_report_paths",
    "load_paragraph_table",
    "TABLE_SUFFIXES",
]

logger = logging.getLogger(__name__)

PARAGRAPH_COLUMNS = [
    "doc_id", "district", "year", "para_id", "heading_1", "heading_2", "heading_3",
    "heading_path", "section_role", "text",
]
REPORT_SUFFIXES = (".txt", ".htm", ".html", ".pdf", ".docx")
# Files tried as reports so that they fail with advice (save as .docx or PDF) instead of being passed over.
_REFUSED_SUFFIXES = (".doc", ".wps")
# What to do with a file that cannot be read: stop (the default), or skip it and list it.
ERROR_MODES = ("raise", "skip")
METADATA_FILE = "metadata.yaml"
TABLE_SUFFIXES = (".csv", ".jsonl")
#: Columns of a paragraph table that identify its report when ``doc_id`` is absent.
_REPORT_KEYS = ("province", "city", "district", "year")
ANNOTATIONS_FILE = "annotations.jsonl"
_CJK = re.compile(r"[\u4e00-\u9fff]")
_TITLE_WINDOW = 8  # body lines near the top where a repeated title is dropped
_OPENING_CONTEXT = 1000  # characters of the first lines searched for a city or province name


def _empty_paragraphs() -> pd.DataFrame:
    frame = pd.DataFrame({col: pd.Series(dtype="object") for col in PARAGRAPH_COLUMNS})
    frame["para_id"] = frame["para_id"].astype("int64")
    frame["year"] = frame["year"].astype("Int64")
    return frame


@dataclass
class Report:
    """One report: its metadata and its body paragraphs.

    Examples
    --------
    >>> report = read_report("一、主要举措和成效\\n开展普法活动20场。")
    >>> report.paragraphs[["para_id", "section_role", "text"]].values.tolist()
    [[0, 'achievements', '开展普法活动20场。']]
    """

    metadata: ReportMetadata
    paragraphs: pd.DataFrame
    warnings: list[str] = field(default_factory=list)

    @property
    def doc_id(self) -> str:
        return self.metadata.doc_id

    def sentences(self) -> pd.DataFrame:
        """One row per sentence: the paragraph columns plus ``sent_id``."""
        return _sentences(self.paragraphs)

    def indicators(self, spec=None) -> pd.DataFrame:
        """One row per indicator figure (收案845件, 纠错率12.3%): see :func:`nlp.extract_indicators`."""
        from .indicators import extract_indicators  # lazy: the reading layer imports no extractor at import time

        return extract_indicators(self, spec=spec)

    def __repr__(self) -> str:
        m = self.metadata
        return f"Report(doc_id={m.doc_id!r}, district={m.district!r}, year={m.year!r}, paragraphs={len(self.paragraphs)})"


def _sentences(paragraphs: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for record in paragraphs.to_dict("records"):
        for sent_id, sentence in enumerate(split_sentences(record["text"])):
            rows.append({**record, "sent_id": sent_id, "text": sentence})
    if not rows:
        return paragraphs.assign(sent_id=pd.Series(dtype="int64")).iloc[0:0]
    return pd.DataFrame(rows)


def _doc_id_for(text: str) -> str:
    # surrogatepass: a str may hold lone surrogates (from os.fsdecode or JSON); they must not crash hashing.
    return "doc_" + hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def read_report(
    path_or_text: Union[str, os.PathLike, bytes],
    doc_id: str | None = None,
    metadata: dict | None = None,
    max_bytes: int | None = None,
    errors: str = "strict",
    rejoin_lines: bool = False,
) -> Report:
    """Read one report from a path, a string or bytes.

    Parameters
    ----------
    path_or_text
        A file path (UTF-8 with or without BOM, GB18030/GBK, UTF-16, or the
        HTML page source), or the report text itself.
    doc_id
        Identifier for the report; defaults to the file stem, or a hash of
        the text for strings.
    metadata
        Fields you state (district, city, province, year, ...). They win over
        values parsed from the text; a disagreement is a warning. City and
        province are filled from the district by :mod:`nlp.gazetteer` when not
        stated.
    max_bytes
        Largest file or bytes input read (default :data:`nlp.reader.MAX_REPORT_BYTES`).
    errors
        ``"strict"`` refuses a file with undecodable bytes (naming the byte
        offset); ``"replace"`` reads it with U+FFFD in their place and a warning.
    rejoin_lines
        Re-join lines broken at the page width (text copied out of a PDF, or
        pdftotext output): a line that does not end a sentence continues on
        the next unless that is a heading (:func:`nlp.formats.rejoin_lines`).
        PDF files are always re-joined.

    Returns
    -------
    Report
        ``.paragraphs`` has the columns of :data:`PARAGRAPH_COLUMNS`. Empty,
        whitespace-only or non-Chinese input gives an empty table and a
        message in ``.warnings`` (also logged).

    Raises
    ------
    FileNotFoundError, IsADirectoryError, ReportInputError, TypeError
        For a missing path, a directory, binary/undecodable content, or an
        argument of the wrong type.
    """
    raw = load_text(path_or_text, max_bytes=max_bytes, errors=errors)
    if rejoin_lines and raw.encoding != "pdf":
        from .formats import rejoin_lines as _rejoin

        raw = type(raw)(_rejoin(raw.text), raw.source, raw.encoding)
    if doc_id is None:
        doc_id = Path(raw.source).stem if raw.source not in ("<string>", "<bytes>") else _doc_id_for(raw.text)
    lines = body_lines(raw.text)
    meta = parse_metadata(doc_id, raw.text, lines)
    meta.source, meta.encoding = raw.source, raw.encoding
    warnings: list[str] = []
    meta = merge_metadata(meta, metadata, warnings)
    complete_from_gazetteer(meta, " ".join(line.text for line in lines[:3])[:_OPENING_CONTEXT], warnings)
    if not lines:
        warnings.append(f"{raw.source}: no body text found (empty or only page furniture)")
    elif not any(_CJK.search(line.text) for line in lines):
        warnings.append(f"{raw.source}: no Chinese text found; this package reads Chinese reports")
        lines = []
    for message in warnings:
        logger.warning(message)
    title = find_title(lines)
    # A web page may repeat the title (<title>, <h1>, then the first line of
    # the body): every copy of it near the top is the title, not a paragraph.
    skip = [line.line_no for line in lines[:_TITLE_WINDOW] if title and line.text == title.text]
    paragraphs = segment_lines(lines, report_year=meta.year, skip_line_nos=skip)
    if not paragraphs:
        frame = _empty_paragraphs()
    else:
        frame = pd.DataFrame(
            {
                "doc_id": doc_id,
                "district": meta.district,
                "year": meta.year,
                "para_id": [p.para_id for p in paragraphs],
                "heading_1": [p.heading_1 for p in paragraphs],
                "heading_2": [p.heading_2 for p in paragraphs],
                "heading_3": [p.heading_3 for p in paragraphs],
                "heading_path": [p.heading_path for p in paragraphs],
                "section_role": [p.section_role for p in paragraphs],
                "text": [p.text for p in paragraphs],
            },
            columns=PARAGRAPH_COLUMNS,
        )
        frame["year"] = frame["year"].astype("Int64")
    return Report(metadata=meta, paragraphs=frame, warnings=warnings)


@dataclass
class Corpus:
    """A folder of reports read into one paragraph table.

    Attributes
    ----------
    paragraphs : pandas.DataFrame
        One row per body paragraph, columns :data:`PARAGRAPH_COLUMNS`, plus
        ``labels`` (lists of label ids) when the folder has an
        ``annotations.jsonl``.
    reports : list of ReportMetadata
        Each report's metadata, in file-name order.
    skipped : list of SkippedFile
        Files of the folder that were not read, and why (another extension,
        or unreadable with ``errors="skip"``).

    Examples
    --------
    >>> corpus = load_corpus("seeds")  # doctest: +SKIP
    >>> corpus.paragraphs.groupby("district").size()  # doctest: +SKIP
    """

    paragraphs: pd.DataFrame
    reports: list[ReportMetadata]
    path: Path | None = None
    skipped: list["SkippedFile"] = field(default_factory=list)

    @property
    def report_table(self) -> pd.DataFrame:
        """Report metadata as a DataFrame, one row per report."""
        return pd.DataFrame([m.to_dict() for m in self.reports])

    @property
    def districts(self) -> list[str]:
        return sorted({m.district for m in self.reports if m.district})

    def sentences(self) -> pd.DataFrame:
        """One row per sentence: the paragraph columns plus ``sent_id``."""
        return _sentences(self.paragraphs)

    def indicators(self, spec=None) -> pd.DataFrame:
        """One row per indicator figure of every report: see :func:`nlp.extract_indicators`."""
        from .indicators import extract_indicators  # lazy: the reading layer imports no extractor at import time

        return extract_indicators(self, spec=spec)

    def summary(self) -> pd.DataFrame:
        """Per report: district, year, paragraph count and share per section role."""
        rows = []
        for meta in self.reports:
            paras = self.paragraphs[self.paragraphs["doc_id"] == meta.doc_id]
            row = {"doc_id": meta.doc_id, "district": meta.district, "year": meta.year, "paragraphs": len(paras)}
            shares = paras["section_role"].value_counts(normalize=True) if len(paras) else pd.Series(dtype=float)
            for role in SECTION_ROLES:
                row[role] = round(float(shares.get(role, 0.0)), 3)
            rows.append(row)
        return pd.DataFrame(rows)

    def data_hash(self) -> str:
        """SHA-256 of the paragraph texts and labels: identifies the training data."""
        digest = hashlib.sha256()
        columns = ["doc_id", "para_id", "text"] + (["labels"] if "labels" in self.paragraphs else [])
        for record in self.paragraphs[columns].itertuples(index=False):
            digest.update(json.dumps(list(record), ensure_ascii=False, default=list).encode("utf-8"))
        return digest.hexdigest()

    def __len__(self) -> int:
        return len(self.paragraphs)

    def __repr__(self) -> str:
        return f"Corpus(reports={len(self.reports)}, paragraphs={len(self.paragraphs)}, path={str(self.path)!r})"


def _resolve_corpus_dir(path: Union[str, os.PathLike]) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"expected the path of a folder of reports, received {type(path).__name__}")
    if isinstance(path, str) and not path.strip():
        raise ValueError("expected the path of a folder of reports, received an empty string")
    candidate = Path(path)
    if candidate.exists():
        return candidate
    if str(path) == "seeds":
        # The default works from any working directory.
        return seeds_dir()
    raise FileNotFoundError(f"corpus folder not found: {str(path)!r}")


def _report_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES)


@dataclass(frozen=True)
class SkippedFile:
    """A file that was not read as a report, and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


# Files a corpus folder holds beside its reports; they are not reports and are not listed as skipped.
_SIDE_FILES = {METADATA_FILE, ANNOTATIONS_FILE, "annotations_clauses.jsonl", "guide_examples.jsonl", "README.md",
               "indicators.jsonl", "indicator_test_paragraphs.jsonl", "indicator_dev_gold.jsonl",
               # the independent gold sets (nlp.indicators.evaluation.INDEPENDENT_GOLD_FILES) and the tune set's adjudication
               "indicator_tune_independent.jsonl", "indicator_holdout_independent.jsonl",
               "indicator_tune_independent_adjudication.md",
               "indicator_realistic_tune.jsonl", "indicator_realistic_holdout.jsonl",
               "indicator_realistic_tune_notes.md", "indicator_realistic_holdout_notes.md"}


def scan_report_paths(paths: Iterable[Union[str, os.PathLike]]) -> tuple[list[Path], list[SkippedFile]]:
    """Expand files and folders into the report files to read and the files passed over.

    In a folder, files with a report extension (:data:`REPORT_SUFFIXES`, and
    ``.doc``/``.wps``, which fail with advice when read) are returned; every
    other file is listed as skipped with its reason, except the corpus side
    files (``metadata.yaml``, ``annotations.jsonl`` ...) and hidden files.
    Sub-folders are not entered. A file named directly is always returned.

    >>> files, skipped = scan_report_paths(["seeds"])  # doctest: +SKIP
    """
    files: list[Path] = []
    skipped: list[SkippedFile] = []
    for item in paths:
        path = Path(item)
        if not path.is_dir():
            files.append(path)
            continue
        for child in sorted(path.iterdir()):
            suffix = child.suffix.lower()
            if not child.is_file() or child.name.startswith(".") or child.name in _SIDE_FILES:
                continue
            if suffix in REPORT_SUFFIXES or suffix in _REFUSED_SUFFIXES:
                files.append(child)
            else:
                skipped.append(SkippedFile(str(child), f"not a report format ({suffix or 'no extension'}); "
                                                       f"reports are {', '.join(REPORT_SUFFIXES)}"))
    return files, skipped


def unreadable_reason(exc: Exception, path: Union[str, os.PathLike]) -> str:
    """One line saying why a report could not be read: the error's message without the leading path."""
    message = " ".join(str(exc).split())
    prefix = f"{path}: "
    return message[len(prefix):] if message.startswith(prefix) else message


def load_annotations(path: Path) -> pd.DataFrame:
    """Read an ``annotations.jsonl`` (guide format) into doc_id, para_id, labels."""
    rows = [{"doc_id": record["doc_id"], "para_id": int(record["para_id"]), "labels": list(record["labels"]),
             "annotated_text": record.get("text")}
            for record in read_jsonl(path, required=("doc_id", "para_id", "labels"))]
    return pd.DataFrame(rows, columns=["doc_id", "para_id", "labels", "annotated_text"])


def _attach_annotations(paragraphs: pd.DataFrame, path: Path) -> pd.DataFrame:
    annotations = load_annotations(path)
    merged = paragraphs.merge(annotations, on=["doc_id", "para_id"], how="left")
    stale = merged["annotated_text"].notna() & (merged["annotated_text"] != merged["text"])
    if stale.any():
        bad = merged.loc[stale, ["doc_id", "para_id"]].head(3).values.tolist()
        raise ValueError(
            f"{path}: {int(stale.sum())} annotations no longer match the segmented text "
            f"(first: {bad}); the segmenter changed since annotation, re-align the annotations"
        )
    unlabeled = merged["labels"].isna()
    if unlabeled.any():
        logger.warning("%s: %d paragraphs have no annotation", path, int(unlabeled.sum()))
    return merged.drop(columns=["annotated_text"])


def load_corpus(path: Union[str, os.PathLike] = "seeds", annotations: bool = True, errors: str = "raise",
                rejoin_lines: bool = False) -> Corpus:
    """Read every report (``*.txt``, ``*.htm``, ``*.html``, ``*.pdf``, ``*.docx``) in a folder.

    Parameters
    ----------
    path
        The folder. ``"seeds"`` resolves to the project's ``seeds/`` from any
        working directory. A ``metadata.yaml`` in the folder states fields
        (they win over the texts); an ``annotations.jsonl`` adds a ``labels``
        column. A ``.csv`` or ``.jsonl`` file of paragraphs is read with
        :func:`load_paragraph_table`.
    annotations
        Attach ``annotations.jsonl`` when present.
    errors : {"raise", "skip"}
        A report that cannot be read (binary, undecodable, scanned or
        encrypted PDF, .doc): ``"raise"`` stops with its error; ``"skip"``
        leaves it out, logs a warning and lists it in ``Corpus.skipped``.
        Files of other formats are always passed over and listed there.
    rejoin_lines
        Re-join lines broken at the page width in text files (see
        :func:`read_report`); PDFs are always re-joined.

    Raises
    ------
    FileNotFoundError
        If the folder does not exist or holds no report files.
    ReportInputError, OSError
        With ``errors="raise"``, for the first report that cannot be read
        (the message names the file).
    NotADirectoryError
        If ``path`` is a file (use :func:`read_report`).
    """
    from .checks import check_choice

    check_choice("errors", errors, ERROR_MODES)
    folder = _resolve_corpus_dir(path)
    if folder.is_file() and folder.suffix.lower() in TABLE_SUFFIXES:
        return load_paragraph_table(folder, annotations=annotations)
    if not folder.is_dir():
        raise NotADirectoryError(f"expected a folder of reports, received the file {str(folder)!r}; use nlp.read_report for one report")
    files, skipped = scan_report_paths([folder])
    for item in skipped:
        logger.info("skipped %s", item)
    if not files:
        raise FileNotFoundError(f"no report files ({', '.join(REPORT_SUFFIXES)}) in {str(folder)!r}")
    side = load_metadata_file(folder / METADATA_FILE) if (folder / METADATA_FILE).exists() else {}
    reports: list[ReportMetadata] = []
    frames: list[pd.DataFrame] = []
    doc_ids = unique_doc_ids(files)
    for file in files:
        try:
            report = read_report(file, doc_id=doc_ids[file], metadata=side.get(file.stem), rejoin_lines=rejoin_lines)
        except (ReportInputError, OSError) as exc:
            if errors == "raise":
                raise
            skipped.append(SkippedFile(str(file), unreadable_reason(exc, file)))
            logger.warning("skipped %s", skipped[-1])
            continue
        reports.append(report.metadata)
        if len(report.paragraphs):
            frames.append(report.paragraphs)
    paragraphs = pd.concat(frames, ignore_index=True) if frames else _empty_paragraphs()
    if annotations and (folder / ANNOTATIONS_FILE).exists():
        paragraphs = _attach_annotations(paragraphs, folder / ANNOTATIONS_FILE)
    return Corpus(paragraphs=paragraphs, reports=reports, path=folder, skipped=skipped)


def unique_doc_ids(files: Iterable[Path]) -> dict[Path, str]:
    """A report's doc_id is its file stem; files that share a stem (``r00.txt``, ``r00.html``) keep their suffix.

    >>> unique_doc_ids([Path("r00.txt"), Path("r00.html"), Path("r01.txt")])
    {PosixPath('r00.txt'): 'r00.txt', PosixPath('r00.html'): 'r00.html', PosixPath('r01.txt'): 'r01'}
    """
    files = list(files)
    stems: dict[str, int] = {}
    for file in files:
        stems[file.stem] = stems.get(file.stem, 0) + 1
    shared = sorted(stem for stem, count in stems.items() if count > 1)
    if shared:
        logger.warning("reports %s share a file stem; their doc_ids keep the file suffix (%s)", shared,
                       ", ".join(f.name for f in files if f.stem in shared))
    return {file: file.name if stems[file.stem] > 1 else file.stem for file in files}


def iter_report_files(paths: Iterable[Union[str, os.PathLike]]) -> list[Path]:
    """Expand files and folders into a sorted list of report files."""
    out: list[Path] = []
    for item in paths:
        p = Path(item)
        if p.is_dir():
            out.extend(_report_files(p))
        else:
            out.append(p)
    return out


def _parse_labels(value) -> list[str]:
    """A labels cell: a list, a JSON list, or label ids separated by ``;``/``,``/``|``."""
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    if value is None or (isinstance(value, float) and value != value) or not str(value).strip():
        return []
    text = str(value).strip()
    if text.startswith("["):
        return [str(v) for v in json.loads(text)]
    return [part.strip() for part in re.split(r"[;,|]", text) if part.strip()]


def load_paragraph_table(path: Union[str, os.PathLike], annotations: bool = True) -> Corpus:
    """Read a CSV or JSONL file of paragraphs with metadata columns into a :class:`Corpus`.

    Every value in the file is one you state, so it is used as given. Columns:
    ``text`` (required); ``doc_id`` (default: one report per
    province/city/district/year, or one per row when none of these is
    present); ``district``, ``city``, ``province``, ``year``; ``section_role``
    (default ``"other"``); ``para_id`` (default: the row's position within its
    report); ``heading_1``..``heading_3``, ``heading_path``; ``labels`` (a
    list, a JSON list or ids separated by ``;``, kept when ``annotations``).
    Missing city and province are filled from the district by
    :mod:`nlp.gazetteer` when the name is unambiguous.

    Examples
    --------
    >>> corpus = load_paragraph_table("seeds/corpus/corpus.jsonl")  # doctest: +SKIP
    >>> corpus.paragraphs[["district", "year", "section_role"]].head()  # doctest: +SKIP
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise ValueError(f"expected a {' or '.join(TABLE_SUFFIXES)} file of paragraphs, received {str(path)!r}")
    if not path.is_file():
        raise FileNotFoundError(f"paragraph table not found: {str(path)!r}")
    if suffix == ".jsonl":
        frame = pd.DataFrame(read_jsonl(path, required=("text",)))
    else:
        frame = pd.read_csv(path, dtype={"doc_id": str, "district": str, "city": str, "province": str})
    if "text" not in frame.columns:
        raise ValueError(f"{path}: a paragraph table needs a 'text' column; it has {list(frame.columns)}")
    frame = frame[frame["text"].notna() & frame["text"].astype(str).str.strip().astype(bool)].reset_index(drop=True)
    if frame.empty:
        raise ValueError(f"{path}: no paragraphs with text")
    for column in ("district", "city", "province"):
        if column not in frame.columns:
            frame[column] = None
    frame["year"] = pd.to_numeric(frame["year"], errors="raise").astype("Int64") if "year" in frame else pd.array(
        [pd.NA] * len(frame), dtype="Int64")
    if "doc_id" not in frame.columns or frame["doc_id"].isna().any():
        keys = [c for c in _REPORT_KEYS if frame[c].notna().any()]
        if keys:
            cells = frame[keys].apply(lambda col: col.map(lambda v: "" if pd.isna(v) else str(v)))
            ids = cells.agg("-".join, axis=1)
        else:
            ids = pd.Series([f"row{i}" for i in range(len(frame))])
        frame["doc_id"] = frame["doc_id"].fillna(ids) if "doc_id" in frame.columns else ids
    frame["doc_id"] = frame["doc_id"].astype(str)
    if "para_id" not in frame.columns:
        frame["para_id"] = frame.groupby("doc_id", sort=False).cumcount()
    frame["para_id"] = frame["para_id"].astype("int64")
    frame["section_role"] = frame["section_role"].fillna("other") if "section_role" in frame else "other"
    for column in ("heading_1", "heading_2", "heading_3", "heading_path"):
        if column not in frame.columns:
            frame[column] = None
    frame["text"] = frame["text"].astype(str)

    reports: list[ReportMetadata] = []
    firsts = frame.drop_duplicates("doc_id")[["doc_id", "district", "city", "province", "year"]]
    for first in firsts.to_dict("records"):
        stated = {k: (None if pd.isna(first[k]) else first[k]) for k in ("district", "city", "province", "year")}
        stated["year"] = None if stated["year"] is None else int(stated["year"])
        meta = ReportMetadata(doc_id=first["doc_id"], source=str(path), **stated)
        complete_from_gazetteer(meta)
        reports.append(meta)
    filled = pd.DataFrame([{"doc_id": m.doc_id, "city": m.city, "province": m.province} for m in reports])
    frame = frame.drop(columns=["city", "province"]).merge(filled, on="doc_id", how="left")
    extra = ["city", "province"] + (["labels"] if annotations and "labels" in frame.columns else [])
    paragraphs = frame[PARAGRAPH_COLUMNS + extra].copy()
    if "labels" in extra:
        paragraphs["labels"] = paragraphs["labels"].map(_parse_labels)
    return Corpus(paragraphs=paragraphs, reports=reports, path=path)
