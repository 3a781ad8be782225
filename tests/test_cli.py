"""The console script."""
from __future__ import annotations

import json

from nlp.cli import main


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


def test_missing_folder_is_one_line_error(capsys, tmp_path):
    assert main(["corpus", str(tmp_path / "nope")]) == 1
    err = capsys.readouterr().err
    assert "not found" in err and "Traceback" not in err
