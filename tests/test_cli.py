"""The console script.

``nlp corpus`` and ``nlp predict`` on the seeds, and on bad input: every error is one line
``nlp <command>: error: ...`` with exit code 1 and no traceback; empty reports, mixed
folders and HTML pages succeed.
"""
from __future__ import annotations

import io
import json
import pickle
import re
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from nlp.cli import build_parser, main
from nlp.paths import default_model_dir

from conftest import report_page


def test_corpus_summary_table(capsys, seeds_path):
    assert main(["corpus", str(seeds_path)]) == 0
    out = capsys.readouterr().out
    for district in ("滨江区", "西湖区", "瓯海区", "余杭区", "钱塘区"):
        assert district in out
    assert "achievements" in out and "plans" in out


def test_corpus_summary_json_shares_sum_to_one(capsys, seeds_path):
    assert main(["corpus", str(seeds_path), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 5
    for row in rows:
        share = sum(row[r] for r in ("preamble", "achievements", "problems", "leadership", "plans", "other"))
        assert abs(share - 1) < 0.01


# --- errors and bad input ------------------------------------------------------------------------

def _one_line_error(capsys, argv: list[str], match: str) -> str:
    code = main(argv)
    captured = capsys.readouterr()
    errors = [line for line in captured.err.splitlines() if not line.startswith(("WARNING ", "INFO "))]
    assert code == 1, captured
    assert len(errors) == 1 and errors[0].startswith(f"nlp {argv[0]}: error: "), captured.err
    assert "Traceback" not in captured.err
    assert match in errors[0], errors[0]
    return errors[0]


def test_cli_corpus_errors_are_one_line(capsys, bad_files, tmp_path):
    _one_line_error(capsys, ["corpus", str(bad_files / "missing")], "not found")
    _one_line_error(capsys, ["corpus", str(bad_files / "empty_dir")], "no report files")
    _one_line_error(capsys, ["corpus", str(bad_files / "no_reports")], "no report files")
    _one_line_error(capsys, ["corpus", str(bad_files / "notes.md")], "expected a folder")
    binary_folder = tmp_path / "binary"
    binary_folder.mkdir()
    shutil.copy(bad_files / "image.txt", binary_folder / "image.txt")
    _one_line_error(capsys, ["corpus", str(binary_folder)], "binary")


def test_cli_predict_errors_are_one_line(capsys, bad_files, tmp_path, seed_file):
    report = str(seed_file("qiantang"))
    _one_line_error(capsys, ["predict", str(bad_files / "missing.txt")], "not found")
    _one_line_error(capsys, ["predict", str(bad_files / "empty_dir")], "no report files")
    _one_line_error(capsys, ["predict", str(bad_files / "image.txt")], "binary")
    _one_line_error(capsys, ["predict", str(bad_files / "shift_jis.txt")], "another encoding")
    _one_line_error(capsys, ["predict", "--model", str(tmp_path / "no-model"), report], "model folder not found")
    corrupted = tmp_path / "corrupted"
    shutil.copytree(default_model_dir(), corrupted)
    (corrupted / "arrays.npz").write_bytes(pickle.dumps({"weights": [1, 2, 3]}))
    _one_line_error(capsys, ["predict", "--model", str(corrupted), report], "arrays.npz")
    (corrupted / "model.json").write_text("{\"format_version\": 2,", encoding="utf-8")
    _one_line_error(capsys, ["predict", "--model", str(corrupted), report], "corrupted")
    (corrupted / "model.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    _one_line_error(capsys, ["predict", "--model", str(corrupted), report], "model.json")


def test_cli_corpus_on_mixed_and_non_chinese_folders(capsys, caplog, tmp_path, seed_file):
    raw = seed_file("binjiang").read_text(encoding="utf-8")
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    (mixed / "a.txt").write_bytes(raw.encode("gbk", errors="ignore"))
    (mixed / "b.html").write_text(report_page(raw, "滨江区司法局2024年法治政府建设年度报告"), encoding="utf-8")
    (mixed / "c.txt").write_bytes(b"")
    assert main(["corpus", str(mixed), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["district"] for r in rows[:2]] == ["滨江区", "滨江区"]
    assert rows[0]["paragraphs"] == rows[1]["paragraphs"] > 10 and rows[2]["paragraphs"] == 0
    english = tmp_path / "english"
    english.mkdir()
    (english / "a.txt").write_text("An English report.")
    assert main(["corpus", str(english)]) == 0
    assert "Traceback" not in capsys.readouterr().err
    assert "no Chinese text" in caplog.text


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_cli_predict_on_an_empty_report_succeeds(capsys, bad_files, fmt):
    assert main(["predict", "--format", fmt, str(bad_files / "empty.txt")]) == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    if fmt == "json":
        assert json.loads(captured.out) == []


def test_cli_predict_on_an_html_page(capsys, tmp_path, seed_file):
    raw = seed_file("yuhang").read_text(encoding="utf-8")
    page = tmp_path / "report.html"
    page.write_text(report_page(raw, "余杭区司法局2023年法治政府建设年度报告"), encoding="utf-8")
    assert main(["predict", "--format", "json", str(page), str(seed_file("yuhang"))]) == 0
    rows = pd.DataFrame(json.loads(capsys.readouterr().out))
    # The page names its title (from <title>) and its own doc_id; everything else is the same.
    by_file = {name: group.drop(columns=["file", "doc_id", "title"]).reset_index(drop=True)
               for name, group in rows.groupby("file")}
    pd.testing.assert_frame_equal(by_file[str(page)], by_file[str(seed_file("yuhang"))])


# --- hostile CLI input: checked before any work starts --------------------------------------------

@pytest.mark.parametrize(("override", "match"), [
    ("model.C=[1", "not valid YAML"),
    ("model.C={a: 1", "not valid YAML"),
    ("model.C=.nan", "expected a finite number"),
    ("model.C=.inf", "expected a finite number"),
    ("model.threshold=.nan", "expected a finite number"),
    ("model.char_ngrams=[1]", "low <= high"),
    ("model.char_ngrams=[3,1]", "low <= high"),
])
def test_bad_overrides_are_one_line_errors_before_any_work(capsys, monkeypatch, override, match):
    from nlp.classifier import run

    def no_work(*args, **kwargs):
        raise AssertionError("work started before the config was checked")

    monkeypatch.setattr(run, "load_job_data", no_work)
    for command in ("train", "evaluate"):
        _one_line_error(capsys, [command, "--no-mlflow", "--set", override], match)


def test_a_bad_output_folder_is_refused_before_training(capsys, monkeypatch, tmp_path):
    from nlp.classifier import run

    monkeypatch.setattr(run, "load_job_data", lambda *a, **k: (_ for _ in ()).throw(AssertionError("work started")))
    a_file = tmp_path / "model.txt"
    a_file.write_text("x", encoding="utf-8")
    _one_line_error(capsys, ["train", "--no-mlflow", "--output", str(a_file)], "expected a folder")
    _one_line_error(capsys, ["train", "--no-mlflow", "--output", str(a_file / "model")], "is a file")
    _one_line_error(capsys, ["topics", "--config", "configs/topics_lda.yaml", "--no-mlflow", "--output", str(a_file)],
                    "expected a folder")


def test_predict_reads_standard_input(capsys, monkeypatch, seed_file):
    import io
    import sys

    data = seed_file("xihu").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    assert main(["predict", "--format", "json", "-"]) == 0
    rows = pd.DataFrame(json.loads(capsys.readouterr().out))
    assert set(rows["file"]) == {"<stdin>"} and set(rows["doc_id"]) == {"stdin"}
    assert main(["predict", "--format", "json", str(seed_file("xihu"))]) == 0
    from_file = pd.DataFrame(json.loads(capsys.readouterr().out))
    # The same report either way; only where it came from (file name, doc id) differs.
    pd.testing.assert_frame_equal(rows.drop(columns=["file", "doc_id"]), from_file.drop(columns=["file", "doc_id"]))


def test_predict_size_limit_special_files_and_lenient_decoding(capsys, tmp_path, seed_file):
    _one_line_error(capsys, ["predict", "/dev/zero"], "special file")
    _one_line_error(capsys, ["predict", "--max-report-mb", "0.001", str(seed_file("xihu"))], "--max-report-mb")
    stray = tmp_path / "stray.txt"
    data = seed_file("xihu").read_bytes()
    stray.write_bytes(data[:2000] + b"\xff" + data[2000:])
    _one_line_error(capsys, ["predict", str(stray)], "byte 2,000")
    assert main(["predict", "--lenient", "--format", "json", str(stray)]) == 0
    assert len(json.loads(capsys.readouterr().out)) > 5


# --- batches with bad files, output rows, small things --------------------------------------------

def _batch(tmp_path, seed_file):
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(seed_file("binjiang"), folder / "a.txt")
    (folder / "b.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\n")
    (folder / "c.xlsx").write_bytes(b"PK\x03\x04")
    return folder


def test_cli_predict_skip_bad_keeps_the_batch_and_exits_non_zero(capsys, tmp_path, seed_file):
    folder = _batch(tmp_path, seed_file)
    assert main(["predict", str(folder), "--format", "json", "--skip-bad"]) == 3
    captured = capsys.readouterr()
    rows = json.loads(captured.out)
    assert {row["doc_id"] for row in rows} == {"a"}
    assert all(row["district"] == "滨江区" and row["year"] == 2024 and "title" in row for row in rows)
    assert "skipped" in captured.err and "b.pdf" in captured.err and "c.xlsx" in captured.err
    # without --skip-bad the bad PDF stops the run with one line naming it
    _one_line_error(capsys, ["predict", str(folder)], "b.pdf")


def test_cli_predict_csv_rows_name_their_report(capsys, seed_file):
    assert main(["predict", str(seed_file("qiantang")), "--format", "csv"]) == 0
    frame = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert list(frame.columns[:6]) == ["file", "doc_id", "district", "year", "title", "para_id"]
    assert set(frame["district"]) == {"钱塘区"} and set(frame["year"]) == {2024}
    assert frame["title"].iloc[0] == "杭州市钱塘区人民政府关于钱塘区2024年法治政府建设年度报告"


def test_cli_corpus_skip_bad(capsys, tmp_path, seed_file):
    folder = _batch(tmp_path, seed_file)
    assert main(["corpus", str(folder), "--skip-bad", "--format", "csv"]) == 3
    captured = capsys.readouterr()
    assert "滨江区" in captured.out and "b.pdf" in captured.err


def test_cli_help_examples_are_accepted():
    from nlp.config import load_config
    from nlp.pipeline import MAIN_SCHEMA

    parser = build_parser()
    run_help = parser._subparsers._group_actions[0].choices["run"].format_help()
    example = re.search(r"e\.g\. --set (\S+=\S+)", " ".join(run_help.split())).group(1)
    load_config("configs/main.yaml", MAIN_SCHEMA, [example])  # raises if `nlp run` would reject it
    topics = parser._subparsers._group_actions[0].choices["topics"]
    assert topics.parse_args(["--config", "x.yaml", "--quiet"]).quiet
    for command in ("corpus", "predict"):
        assert "json" in parser._subparsers._group_actions[0].choices[command].format_help().split("--format")[-1]


def test_cli_closed_pipe_is_quiet(seeds_path):
    """`nlp predict seeds --format csv | head -1`: no Broken-pipe message."""
    process = subprocess.Popen([sys.executable, "-m", "nlp.cli", "predict", str(seeds_path), "--format", "csv"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=str(seeds_path.parent))
    process.stdout.readline()
    process.stdout.close()  # the reader goes away, as `head` does
    err = process.stderr.read().decode("utf-8")
    process.wait(timeout=120)
    assert "Broken pipe" not in err and "Traceback" not in err
    assert "Building prefix dict" not in err  # jieba's start-up lines stay quiet
