"""The main job's wiring (the heavy steps have their own tests)."""
from __future__ import annotations

from nlp.pipeline import run_main


def test_main_job_writes_a_report_page(tmp_path):
    report = tmp_path / "report.md"
    outcome = run_main("configs/main.yaml", ["classifier.enabled=false", "topics.enabled=false",
                                             f"report.path={report}"], tracking=False, progress=False)
    assert outcome.report == report
    text = report.read_text(encoding="utf-8")
    assert "## Corpus" in text
    for district in ("滨江区", "西湖区", "瓯海区", "余杭区", "钱塘区"):
        assert district in text
    assert "mlflow ui" in text
    assert "## Indicators" in text and (tmp_path / "indicators" / "comparison_wide.csv").exists()
