"""Figures draw Chinese: the set-up's CJK font is registered in one place, and no glyph is a box."""
from __future__ import annotations

import numpy as np
import pandas as pd

from nlp.fonts import cjk_font_path, missing_glyphs, use_cjk_font


def _figure(text: str, family: str | None = None):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(3, 2))
    axes = figure.add_subplot()
    axes.set_title(text, **({"fontfamily": family} if family else {}))
    return figure


def test_the_setup_brings_a_cjk_font():
    path = cjk_font_path()
    assert path is not None and path.is_file(), "scripts/setup.sh installs mplfonts, which ships Noto Sans CJK SC"
    assert use_cjk_font() is not None


def test_chinese_text_renders_without_missing_glyphs():
    use_cjk_font()
    assert missing_glyphs(_figure("滨江区 行政复议 普法 T0")) == []


def test_the_check_sees_missing_glyphs():
    # DejaVu Sans alone has no Chinese: the check must report the boxes a reader would see.
    assert missing_glyphs(_figure("滨江区", family="DejaVu Sans")) == ["滨", "江", "区"]


def test_topic_figures_show_chinese_names(lda_result):
    from nlp.topics.plots import prevalence_heatmap

    comparison = lda_result.compare_districts()
    words = {row.topic: row.words.split() for row in lda_result.top_words(3).itertuples()}
    figure = prevalence_heatmap(comparison.prevalence_matrix(), "district", None, words, "lda")
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert "滨江区" in labels
    assert missing_glyphs(figure) == []


def test_lift_colour_bar_is_positive_and_centred_on_one():
    from nlp.topics.plots import label_topic_heatmap

    table = pd.DataFrame({"topic": ["T0", "T0", "T1", "T1"], "label": ["mediation", "lawyers"] * 2,
                          "lift": [0.0, 3.2, 1.0, 0.5]})
    figure = label_topic_heatmap(table)
    image = figure.axes[0].images[0]
    assert image.norm.vmin > 0
    assert np.isclose(np.sqrt(image.norm.vmin * image.norm.vmax), 1.0)  # 1 in the middle of a log scale
    ticks = [float(t.get_text()) for t in figure.axes[1].get_yticklabels() if t.get_text()]
    assert ticks and min(ticks) > 0 and 1.0 in ticks
    assert missing_glyphs(figure) == []


def _result(model: str, evaluation: str, f1: float):
    from nlp.classifier.metrics import EvaluationResult

    labels = ["administrative_review", "enforcement_supervision", "mediation", "legal_outreach", "lawyers"]
    table = pd.DataFrame({"label": labels + ["micro", "macro"], "f1": [f1] * 7})
    intervals = {f"f1_{j}": (f1 - 0.1, f1 + 0.05) for j in range(5)} | {"macro_f1": (f1 - 0.05, f1 + 0.03)}
    return EvaluationResult(model, evaluation, table, intervals, np.zeros((2, 5)), np.zeros((2, 5)), labels)


def test_per_label_chart_has_few_bars_per_group_and_a_legend_off_the_bars():
    from nlp.classifier.plots import per_label_f1_figure

    results = [_result(model, evaluation, f1) for evaluation in ("lodo", "dev")
               for model, f1 in (("keywords", 0.8), ("model", 0.85), ("char+word", 0.86), ("C=3", 0.84))]
    figure = per_label_f1_figure(results)
    assert len(figure.axes) == 2  # one panel per evaluation
    for axes in figure.axes:
        groups = len(axes.get_xticks())  # five labels and macro
        assert groups == 6 and len(axes.patches) == 2 * groups  # the model and the keyword baseline
        colours = [tuple(np.round(p.get_facecolor(), 3)) for p in axes.patches]
        assert len(set(colours)) == 2
        assert axes.get_legend() is None  # the figure's legend sits above the panels
    assert missing_glyphs(figure) == []  # draws the figure
    top_of_panels = max(a.get_position().y1 for a in figure.axes)
    assert figure.legends[0].get_window_extent().y0 / figure.bbox.height >= top_of_panels
