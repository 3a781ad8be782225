"""The ``nlp`` console script.

Each sub-command imports what it needs inside its handler, so ``nlp corpus``
and ``nlp predict`` never import MLflow, gensim or BERTopic.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import sys
import threading
from typing import Callable, Iterator, Sequence

__all__ = ["main", "build_parser"]

logger = logging.getLogger(__name__)


class CLIError(Exception):
    """An error to show to the user as one line, without a traceback."""


# Exit code of a command that finished but passed over some input files (listed on stderr).
EXIT_SKIPPED = 3
_FORMAT_HELP = ("output format: table (readable, the default), json (one record per row) "
                "or csv (for spreadsheets and pandas)")
_SKIP_BAD_HELP = (f"skip reports that cannot be read (scanned or encrypted PDF, .doc, binary) instead of "
                  f"stopping; they are listed on stderr and the exit code is {EXIT_SKIPPED}")
_PROMOTE_HELP = ("make the new model the registry's champion even if it does not beat the current one "
                 "(by default the alias moves only to a model with a better held-out score on the same data)")
_REJOIN_HELP = "re-join lines broken at the page width in text files (text copied out of a PDF); PDFs always are"


def _report_skipped(command: str, skipped) -> int:
    """List skipped files on stderr; the exit code: 0 if none, EXIT_SKIPPED otherwise."""
    for item in skipped:
        print(f"nlp {command}: skipped {item}", file=sys.stderr)
    if skipped:
        print(f"nlp {command}: {len(skipped)} file(s) skipped", file=sys.stderr)
        return EXIT_SKIPPED
    return 0


def _cmd_corpus(args: argparse.Namespace) -> int:
    import pandas as pd

    from .corpus import load_corpus

    corpus = load_corpus(args.path, errors="skip" if args.skip_bad else "raise", rejoin_lines=args.rejoin_lines)
    summary = corpus.summary()
    if args.format == "json":
        print(summary.to_json(orient="records", force_ascii=False, indent=2))
    elif args.format == "csv":
        summary.to_csv(sys.stdout, index=False)
    else:
        with pd.option_context("display.width", 200, "display.max_columns", 20,
                               "display.unicode.east_asian_width", True):
            print(f"{len(corpus.reports)} reports, {len(corpus.paragraphs)} paragraphs in {corpus.path}")
            print(summary.drop(columns=["doc_id"]).to_string(index=False))
    return _report_skipped("corpus", corpus.skipped)


def _add_corpus(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("corpus", help="summarise a folder of reports (district, year, paragraphs, section roles)")
    p.add_argument("path", nargs="?", default="seeds", help="folder of reports (default: the project's seeds/)")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table", help=_FORMAT_HELP)
    p.add_argument("--skip-bad", action="store_true", help=_SKIP_BAD_HELP)
    p.add_argument("--rejoin-lines", action="store_true", help=_REJOIN_HELP)
    p.set_defaults(handler=_cmd_corpus)


def _cmd_topics(args: argparse.Namespace) -> int:
    from .topics.run import run_from_config

    check_output_folder(args.output)

    try:
        outcome = run_from_config(args.config, args.set or (), output_dir=args.output,
                                  track=False if args.no_mlflow else None, progress=not args.quiet)
    except RuntimeError as exc:  # nlp.tracking.TrackingError, without importing MLflow for --no-mlflow
        tracking = sys.modules.get("nlp.tracking")
        if tracking is not None and isinstance(exc, tracking.TrackingError):
            raise CLIError(str(exc)) from exc
        raise
    m = outcome.result.metrics
    print(f"{outcome.result.method}: {outcome.result.n_topics} topics over {int(m['n_units'])} {outcome.result.unit}s; "
          f"c_v={m['coherence_c_v']:.3f} c_npmi={m['coherence_c_npmi']:.3f} u_mass={m['coherence_u_mass']:.3f} "
          f"diversity={m['diversity']:.2f} outliers={m['outlier_share']:.1%} fit={m['fit_seconds']:.1f}s")
    print(outcome.result.top_words(8).to_string(index=False))
    print(f"wrote {len(outcome.files)} files to {outcome.output_dir}")
    if outcome.run_id:
        print(f"MLflow run {outcome.run_id}")
    return 0


def _add_topics(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("topics", help="fit LDA or BERTopic, compare districts, write tables/plots, log to MLflow")
    p.add_argument("--config", required=True, help="configs/topics_lda.yaml or configs/topics_bertopic.yaml")
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a config key, e.g. lda.k_values=[3,4]")
    p.add_argument("--output", help="output folder (default: experiments/results/topics/<method>/ when the project "
                                         "config runs unchanged, else experiments/results/runs/topics-<method>-<hash>/)")
    p.add_argument("--no-mlflow", action="store_true", help="do not log to MLflow")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(handler=_cmd_topics)


def _add_config_args(p: argparse.ArgumentParser, default: str, example: str = "model.C=3") -> None:
    p.add_argument("--config", default=default, help=f"YAML config (default: {default})")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help=f"override one config key, e.g. --set {example} (repeatable)")
    p.add_argument("--no-mlflow", dest="mlflow", action="store_false", help="do not log this run to MLflow")
    p.add_argument("--quiet", action="store_true", help="no progress bars")


def check_output_folder(path: str | None, option: str = "--output") -> None:
    """Refuse an output folder that is a file or cannot be created or written, before any work starts."""
    import os
    from pathlib import Path

    if path is None:
        return
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise CLIError(f"{option}: expected a folder, received the file {str(folder)!r}")
    existing = folder
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise CLIError(f"{option}: cannot create {str(folder)!r}: {str(existing)!r} is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise CLIError(f"{option}: cannot write to {str(existing)!r} (permission denied)")


def _cmd_train(args: argparse.Namespace) -> int:
    from .classifier.run import run_train

    check_output_folder(args.output)

    check_output_folder(args.results, "--results")

    outcome = run_train(args.config, args.overrides, tracking=args.mlflow, progress=not args.quiet,
                        model_dir=args.output, data_path=args.data, eval_path=args.eval,
                        guide_examples=False if args.no_guide_examples else None,
                        results_dir=args.results, promote=args.promote)
    row = outcome.table[outcome.table["model"] == "model"].iloc[0]
    print(f"model written to {outcome.model_dir}")
    print(f"results written to {outcome.results_dir}")
    if outcome.promotion:
        print(f"registry: {outcome.promotion}")
    for prefix, name in (("lodo", "leave-one-group-out" if args.data else "leave-one-district-out"),
                         ("corpus", "corpus folds (writers)"),
                         ("reports", "realistic reports"),
                         ("dev", "held-out file" if args.eval else "development set")):
        if f"{prefix}_macro_f1" in row and row[f"{prefix}_macro_f1"] == row[f"{prefix}_macro_f1"]:
            print(f"  {name:24s} micro-F1 {row[f'{prefix}_micro_f1']:.3f}  macro-F1 {row[f'{prefix}_macro_f1']:.3f}"
                  f" [{row[f'{prefix}_macro_f1_low']:.3f}, {row[f'{prefix}_macro_f1_high']:.3f}]")
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from .classifier.outputs import comparison_markdown
    from .classifier.run import run_evaluate

    check_output_folder(args.output)

    outcome = run_evaluate(args.config, args.overrides, tracking=args.mlflow, progress=not args.quiet,
                           output_dir=args.output)
    print(comparison_markdown(outcome.table))
    print(f"results written to {outcome.results_dir}")
    return 0


def _add_train(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train", help="train the classifier (on the seed annotations, or --data FILE), "
                                     "evaluate held-out, save")
    _add_config_args(p, "configs/classifier.yaml")
    p.add_argument("--output", default=None, help="model folder (default: the config's output.model_dir when the "
                                                   "project config runs unchanged, else models/runs/train-<hash>; "
                                                   "with --data: models/runs/<file>-<hash>)")
    p.add_argument("--results", default=None, metavar="DIR",
                   help="folder of the evaluation tables and plots (default: <output.results_dir>/train when the "
                        "project config runs unchanged, else experiments/results/runs/train-<hash>)")
    p.add_argument("--promote", action="store_true", help=_PROMOTE_HELP)
    p.add_argument("--data", default=None, metavar="FILE",
                   help="train on your own labelled paragraphs: JSONL or CSV with 'text' and 'labels' "
                        "(optional 'doc_id'/'district' for held-out groups); see README")
    p.add_argument("--eval", default=None, metavar="FILE", help="with --data: also score a held-out labelled file")
    p.add_argument("--no-guide-examples", action="store_true",
                   help="leave the package's guide examples (seeds/guide_examples.jsonl) out of training")
    p.set_defaults(handler=_cmd_train)


def _add_evaluate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evaluate", help="compare baselines and models: leave-one-district-out and the dev set")
    _add_config_args(p, "configs/classifier.yaml")
    p.add_argument("--output", default=None, metavar="DIR",
                   help="results folder (default: the config's output.results_dir when the project config runs "
                        "unchanged, else experiments/results/runs/evaluate-<hash>)")
    p.set_defaults(handler=_cmd_evaluate)


def _cmd_predict(args: argparse.Namespace) -> int:
    import pandas as pd

    from .classifier import PolicyClassifier
    from .corpus import SkippedFile, scan_report_paths, unreadable_reason
    from .reader import ReportInputError

    max_bytes = _max_report_bytes(args)
    classifier = PolicyClassifier.load(args.model)
    stdin_position = args.files.index("-") if "-" in args.files else None
    files, skipped = scan_report_paths([f for f in args.files if f != "-"])
    if stdin_position is not None:
        files.insert(min(stdin_position, len(files)), "-")
    if not files:
        raise CLIError("no report files found in the given paths"
                       + (f" ({len(skipped)} other file(s) passed over, e.g. {skipped[0]})" if skipped else ""))
    frames = []
    read: list[str] = []
    for file in files:
        try:
            frame = classifier.classify_report(_read_input(file, max_bytes, args.lenient))
        except (ReportInputError, OSError) as exc:
            if not args.skip_bad or file == "-":
                raise
            skipped.append(SkippedFile(str(file), unreadable_reason(exc, file)))
            continue
        name = "<stdin>" if file == "-" else str(file)
        frame.insert(0, "file", name)
        frames.append(frame)
        read.append(name)
    if not frames:
        _report_skipped("predict", skipped)
        raise CLIError("no report could be read")
    result = pd.concat(frames, ignore_index=True)
    if args.format == "json":
        print(dump_json(result.to_dict("records")))
    elif args.format == "csv":
        out = result.copy()
        out["labels"] = out["labels"].apply(";".join)
        out.to_csv(sys.stdout, index=False)
    else:
        for file in read:
            group = result[result["file"] == file]
            first = group.iloc[0] if len(group) else None
            about = f" ({first['district'] or '?'} {first['year'] if pd.notna(first['year']) else '?'})" if first is not None else ""
            print(f"== {file}{about}: {len(group)} paragraphs")
            for row in group.itertuples():
                labels = ", ".join(row.labels) or "-"
                print(f"{row.para_id:>4}  {row.section_role:<12} {labels:<45} {row.text[:40]}")
    return _report_skipped("predict", skipped)


def _max_report_bytes(args: argparse.Namespace) -> int | None:
    if args.max_report_mb is None:
        return None
    if not args.max_report_mb > 0:
        raise CLIError(f"--max-report-mb: expected a number > 0, received {args.max_report_mb}")
    return int(args.max_report_mb * 1024 * 1024)


def _read_input(file, max_bytes: int | None, lenient: bool):
    """A report for classify_report: the file read with the size limit and decoding mode, or standard input."""
    from .corpus import read_report
    from .reader import MAX_REPORT_BYTES, ReportInputError

    if file == "-":
        limit = max_bytes or MAX_REPORT_BYTES
        data = sys.stdin.buffer.read(limit + 1)
        if len(data) > limit:
            raise ReportInputError(f"<stdin>: more than the limit of {limit:,} bytes for one report; "
                                   "raise it with --max-report-mb")
        return read_report(data, doc_id="stdin", errors="replace" if lenient else "strict")
    return read_report(file, max_bytes=max_bytes, errors="replace" if lenient else "strict")


def _add_predict(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("predict", help="label every paragraph of one or more reports")
    p.add_argument("files", nargs="+",
                   help="report files or folders (.txt, .html, .pdf, .docx); - reads one report from standard input")
    p.add_argument("--max-report-mb", type=float, default=None,
                   help="largest report read, in MB (default: nlp.reader.MAX_REPORT_BYTES, 64 MB)")
    p.add_argument("--lenient", action="store_true",
                   help="replace undecodable bytes (a stray byte, a cut-off character) with U+FFFD and warn")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table", help=_FORMAT_HELP)
    p.add_argument("--skip-bad", action="store_true", help=_SKIP_BAD_HELP)
    p.add_argument("--model", default=None, help="model folder (default: the shipped models/policy_classifier)")
    p.set_defaults(handler=_cmd_predict)


def _cmd_run(args: argparse.Namespace) -> int:
    from .pipeline import run_main

    check_output_folder(args.output)

    outcome = run_main(args.config, args.overrides, tracking=args.mlflow, progress=not args.quiet,
                       output_dir=args.output, promote=args.promote)
    print("\nThe main job is done. Results" + (" (the tracked results of the project):" if outcome.tracked else
                                               " (a run of its own; the tracked results were not touched):"))
    print(f"  report page      {outcome.report}")
    if outcome.model_dir is not None:
        print(f"  model            {outcome.model_dir} (MODEL_CARD.md)")
    if outcome.classifier_results is not None:
        print(f"  classifier       {outcome.classifier_results} (comparison.md, per_label.csv, plots)")
    for method, folder in outcome.topic_outputs.items():
        print(f"  topics ({method:8s}) {folder}")
    if outcome.indicator_output is not None:
        print(f"  indicators       {outcome.indicator_output}")
    if outcome.promotion:
        print(f"  registry         {outcome.promotion}")
    if outcome.run_id:
        print(f"  MLflow run       {outcome.run_id} (the steps are nested under it)")
        from .tracking import resolve_tracking_uri

        print(f"  MLflow UI        .venv/bin/mlflow ui --backend-store-uri {resolve_tracking_uri()}   "
              "(then open http://127.0.0.1:5000)")
    return 0


def _add_run(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="the main job: corpus, classifier, topic models, report page")
    _add_config_args(p, "configs/main.yaml", example="topics.enabled=false")
    p.add_argument("--output", default=None, metavar="DIR",
                   help="folder for the report and every step's results (default: the tracked folders when "
                        "configs/main.yaml runs unchanged, else experiments/results/runs/run-<hash>)")
    p.add_argument("--promote", action="store_true", help=_PROMOTE_HELP)
    p.set_defaults(handler=_cmd_run)


def _add_indicators(sub: argparse._SubParsersAction) -> None:
    from .indicators.commands import add_commands

    add_commands(sub)


_COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    _add_corpus, _add_train, _add_evaluate, _add_predict, _add_topics, _add_run, _add_indicators,
]


def build_parser() -> argparse.ArgumentParser:
    from .version import __version__

    parser = argparse.ArgumentParser(
        prog="nlp",
        description="Corpus, classifier and topic models for rule-of-law government reports.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in _COMMANDS:
        add(sub)
    return parser


def _configure_logging(verbosity: int) -> None:
    level = logging.WARNING - 10 * min(verbosity, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    # jieba sets its own logger to DEBUG when imported, so import it first, then quiet it.
    import jieba

    jieba.setLogLevel(level if verbosity >= 2 else logging.WARNING)


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that open MLflow runs end as FAILED and temporary folders go."""


def _on_sigterm(signum, frame) -> None:
    raise _Terminated()


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM"):
        yield
        return
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    with _sigterm_as_interrupt():
        try:
            return _main(argv)
        except _Terminated:  # arrived outside the command itself
            print("terminated", file=sys.stderr)
            return 143


def _main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    _configure_logging(args.verbose)
    try:
        status = int(args.handler(args) or 0)
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        return _quiet_broken_pipe(141)  # 128 + SIGPIPE, what a shell reports for a tool killed by it
    except Exception as exc:
        # Our own errors, the OS's (missing files) and MLflow's are shown as one
        # line; anything else from deep inside a library keeps its traceback.
        ours = (isinstance(exc, (CLIError, OSError, ValueError, TypeError, ImportError))
                or type(exc).__module__.startswith(("nlp.", "mlflow.")))
        if args.verbose >= 2 or not ours:
            raise
        print(f"nlp {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except _Terminated:
        print("terminated", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _quiet_broken_pipe(status: int) -> int:
    """`nlp corpus | head`: the reader closed the pipe; stop quietly, as other command-line tools do."""
    # Point stdout at /dev/null so the interpreter's final flush does not raise again.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return status


def _json_default(value):  # used by sub-commands that print JSON
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def dump_json(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, default=_json_default)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
