"""nlp indicators and nlp evaluate-indicators."""
from __future__ import annotations

import json

from nlp.cli import main
from nlp.paths import seeds_dir


def test_indicators_command_formats(capsys):
    assert main(["indicators", str(seeds_dir()), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"indicator": "review.applications", "value": 845.0} in [{k: r[k] for k in ("indicator", "value")} for r in rows]
    assert main(["indicators", str(seeds_dir() / "001_e81d252c6a7ddc67.txt"), "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("doc_id,district,year,para_id")
    assert main(["indicators", str(seeds_dir() / "000_631c43eba3159a46.txt")]) == 0
    assert "no indicator figures found" in capsys.readouterr().out


def test_indicators_command_missing_path(capsys, tmp_path):
    assert main(["indicators", str(tmp_path / "missing.txt")]) == 1
    assert "error" in capsys.readouterr().err


def test_evaluate_indicators_command(capsys):
    assert main(["evaluate-indicators", "--sets", "seeds", "holdout", "--per-indicator"]) == 0
    out = capsys.readouterr().out
    assert "| seeds |" in out and "| holdout |" in out and "lawyers.firms" in out


def test_evaluate_indicators_with_another_spec_file(capsys, tmp_path):
    from nlp.indicators.spec import DEFAULT_SPEC_PATH

    # the project's spec without its lawyers.firms indicator: that figure of the seeds is no longer found
    text = open(DEFAULT_SPEC_PATH, encoding="utf-8").read()
    start = text.index("  - id: lawyers.firms")
    end = text.index("  - id: lawyers.public_lawyers")
    spec_file = tmp_path / "spec.yaml"
    spec_file.write_text(text[:start] + text[end:], encoding="utf-8")
    assert main(["evaluate-indicators", "--sets", "holdout", "--format", "json", "--spec", str(spec_file)]) == 0
    reduced = json.loads(capsys.readouterr().out)
    assert main(["evaluate-indicators", "--sets", "holdout", "--format", "json"]) == 0
    full = json.loads(capsys.readouterr().out)
    assert full["overall"][0]["recall"] == 1.0
    assert reduced["overall"][0]["recall"] < 1.0 and reduced["overall"][0]["fn"] > 0
