"""The ``nlp indicators`` and ``nlp evaluate-indicators`` sub-commands (registered by :mod:`nlp.cli`)."""
from __future__ import annotations

import argparse
import sys

__all__ = ["add_commands", "OUTPUT_FORMATS"]

OUTPUT_FORMATS = ("table", "csv", "json")


def _cmd_indicators(args: argparse.Namespace) -> int:
    from pathlib import Path

    import pandas as pd

    from ..cli import CLIError, dump_json
    from ..corpus import iter_report_files, load_corpus, read_report
    from .table import extract_indicators

    frames = []
    for item in args.paths:
        path = Path(item)
        if path.is_dir():
            frames.append(extract_indicators(load_corpus(path, annotations=False), spec=args.spec))
        else:
            for file in iter_report_files([path]):
                frames.append(extract_indicators(read_report(file), spec=args.spec))
    if not frames:
        raise CLIError("no report files found in the given paths")
    table = pd.concat(frames, ignore_index=True)
    if args.format == "json":
        print(dump_json(table.astype(object).where(table.notna(), None).to_dict("records")))
    elif args.format == "csv":
        table.to_csv(sys.stdout, index=False)
    else:
        if table.empty:
            print("no indicator figures found")
        for doc_id, group in table.groupby("doc_id", sort=False):
            first = group.iloc[0]
            print(f"== {doc_id} ({first['district'] or '?'}, {first['year'] if pd.notna(first['year']) else '?'}): "
                  f"{len(group)} figures")
            for row in group.itertuples():
                flags = ("~" if row.approx else " ") + ("!" if row.conflict else " ")
                print(f"{row.para_id:>4} {row.indicator:<36} {row.value:>12g} {row.unit:<3} {flags} {row.evidence}")
        print("~ approximate (余/多/近/约/超过/以上), ! conflicts with another figure for the same district, "
              "indicator and period")
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from ..cli import dump_json
    from .evaluation import evaluate_indicators, per_indicator_table, scores_table

    results = evaluate_indicators(spec=args.spec, sets=tuple(args.sets))
    overall = scores_table(results)
    if args.format == "json":
        columns = ["doc_id", "para_id", "indicator", "value"]
        errors = {name: {"false_positives": r.false_positives.reindex(columns=columns + ["evidence"]).to_dict("records"),
                         "false_negatives": r.false_negatives.reindex(columns=columns).to_dict("records")}
                  for name, r in results.items()}
        print(dump_json({"overall": overall.to_dict("records"),
                         "per_indicator": per_indicator_table(results).to_dict("records"), "errors": errors}))
        return 0
    print(_markdown(overall.round(3)))
    if args.per_indicator:
        table = per_indicator_table(results)
        wide = table.pivot_table(index="indicator", columns="set", values=["gold", "f1"], sort=False)
        wide.columns = [f"{s} {m}" for m, s in wide.columns]
        print()
        print(_markdown(wide.reset_index().round(3)))
    return 0


def _markdown(frame) -> str:
    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "| " + " | ".join("---" for _ in frame.columns) + " |"
    rows = ["| " + " | ".join("" if v != v else str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *rows])


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``indicators`` and ``evaluate-indicators`` on the ``nlp`` parser."""
    from .evaluation import GOLD_SETS

    p = sub.add_parser("indicators", help="read the indicator figures (收案845件, 纠错率12.3%) out of reports")
    p.add_argument("paths", nargs="+", help="report files or folders")
    p.add_argument("--format", choices=OUTPUT_FORMATS, default="table")
    p.add_argument("--spec", default=None, help="indicator spec YAML (default: configs/indicators.yaml)")
    p.set_defaults(handler=_cmd_indicators)

    p = sub.add_parser("evaluate-indicators", help="precision, recall and F1 of the indicator extractor against gold")
    p.add_argument("--sets", nargs="+", choices=GOLD_SETS, default=list(GOLD_SETS), help="gold sets to score")
    p.add_argument("--per-indicator", action="store_true", help="also print the per-indicator scores")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--spec", default=None, help="indicator spec YAML (default: configs/indicators.yaml)")
    p.set_defaults(handler=_cmd_evaluate)
