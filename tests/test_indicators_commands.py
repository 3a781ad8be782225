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
