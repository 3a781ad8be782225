"""The matching engine: which indicator, if any, a figure of a paragraph gives.

The patterns and vocabularies are data (:mod:`nlp.indicators.spec`,
``configs/indicators.yaml``); this module is the procedure that applies them:

1. find the figures (:func:`nlp.indicators.numbers.scan_figures`);
2. cut each clause at every number, so that a figure's *left* and *right* are
   the words that belong to it and not to a neighbouring figure;
3. pick the indicator whose cue is nearest to the figure among those whose
   units fit, subject to each indicator's context and blockers; a bare left
   such as 我区为 takes the previous figure's indicator;
4. drop what the guide does not extract: changes, additions to a stock,
   targets and plans, other jurisdictions, ranks, per-unit figures,
   participants, and breakdowns of a total given in the same paragraph.

>>> [(m.indicator, m.value, m.evidence) for m in find_mentions("全区行政复议收案845件，同比增长6%，纠错率12.3%。")[0]]
[('review.applications', 845.0, '行政复议收案845件'), ('review.correction_rate', 12.3, '纠错率12.3%')]
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .numbers import Figure, normalize_digits, scan_figures
from .spec import IndicatorDef, IndicatorSpec, default_spec

__all__ = ["Mention", "find_mentions", "CLAUSE_ENDS", "SENTENCE_ENDS"]

CLAUSE_ENDS = "，,；;。！？!?：:\n"
SENTENCE_ENDS = "。！？!?；;\n"
_BOOK_TITLE = re.compile(r"《[^》]*》")
_JURISDICTION_LEVELS = "区县市旗州盟"


@dataclass(frozen=True)
class Mention:
    """One indicator mention: a figure and the indicator it gives."""

    indicator: str
    area: str
    value: float
    unit: str
    approx: bool
    period: str | None
    evidence: str
    start: int
    end: int
    value_max: float | None = None


@dataclass
class _Candidate:
    figure: Figure
    indicator: IndicatorDef | None
    cue_start: int  # paragraph offsets of the evidence
    cue_end: int
    sentence: int
    excluded: str | None = None


def _boundaries(text: str, ends: str) -> list[int]:
    """Offsets one past each boundary character, with 0 first.

    A comma between two digits is a thousands separator (1,800), not a boundary.

    >>> _boundaries("办理1,800件,审结", "，,")
    [0, 9]
    """
    last = len(text) - 1
    return [0] + [i + 1 for i, ch in enumerate(text) if ch in ends
                  and not (ch == "," and 0 < i < last and text[i - 1].isdigit() and text[i + 1].isdigit())]


def _enclosing(bounds: list[int], pos: int, length: int) -> tuple[int, int]:
    k = bisect.bisect_right(bounds, pos) - 1
    start = bounds[k]
    end = bounds[k + 1] - 1 if k + 1 < len(bounds) else length
    return start, end


def _best_cue(indicator: IndicatorDef, left: str, right: str, max_distance: int) -> tuple[int, int, str, int, int] | None:
    """(distance, -length, side, start, end) of the nearest cue, offsets relative to left/right."""
    best = None
    for pattern in indicator.before:
        for match in pattern.finditer(left):
            if match.end() == match.start():
                continue
            distance = len(left) - match.end()
            if distance > max_distance:
                continue
            key = (distance, -(match.end() - match.start()), "before", match.start(), match.end())
            if best is None or key < best:
                best = key
    for pattern in indicator.after:
        match = pattern.match(right)
        if match and match.end() > len(match.group("gap")):
            gap = len(match.group("gap"))
            key = (gap, -(match.end() - gap), "before~after", match.start(), match.end())  # "before" < "before~after"
            if best is None or key < best:
                best = key
    return best


def _own_marker(jurisdiction: str | None) -> str | None:
    if jurisdiction and jurisdiction[-1] in _JURISDICTION_LEVELS:
        return "全" + jurisdiction[-1]
    return None


def _period(norm_masked: str, pos: int, spec: IndicatorSpec, report_year: int | None) -> str | None:
    prefix = norm_masked[:pos]
    best: tuple[int, str | None] | None = None
    for match in spec.period_year.finditer(prefix):
        suffix = match.group(2) if match.lastindex and match.lastindex >= 2 else None
        value = f"{match.group(1)}年以来" if suffix in ("以来", "来") else match.group(1)
        best = (match.start(), value)
    if spec.period_report_year is not None and report_year is not None:
        for match in spec.period_report_year.finditer(prefix):
            if best is None or match.start() > best[0]:
                best = (match.start(), str(report_year))
    return best[1] if best else None


def find_mentions(text: str, spec: IndicatorSpec | None = None, section_role: str | None = None,
                  report_year: int | None = None, jurisdiction: str | None = None) -> tuple[list[Mention], list[str]]:
    """The indicator mentions of one paragraph.

    Parameters
    ----------
    text : str
        The paragraph.
    spec : IndicatorSpec, optional
        Indicators and exclusions; default ``configs/indicators.yaml``.
    section_role : str, optional
        The paragraph's section role; roles in the spec's
        ``exclude_section_roles`` (plans) give no mentions.
    report_year : int, optional
        Fills ``period`` when the text says 全年 / 今年.
    jurisdiction : str, optional
        The report's district (滨江区, 某某市): 全区 / 全市 of the report's own
        level is not another jurisdiction.

    Returns
    -------
    (list of Mention, list of str)
        The mentions in text order, and warnings (malformed numbers skipped).
    """
    spec = spec or default_spec()
    if not isinstance(text, str):
        raise TypeError(f"expected the text of a paragraph (str), received {type(text).__name__}")
    if section_role is not None and section_role in spec.exclude_section_roles:
        return [], []
    scan = scan_figures(text, spec.units)
    if not scan.figures:
        return [], scan.warnings
    norm = normalize_digits(text)
    clauses = _boundaries(norm, CLAUSE_ENDS)
    sentences = _boundaries(norm, SENTENCE_ENDS)
    # Every number cuts a segment; a figure's own span is one number.
    cuts = sorted({*scan.numbers, *((f.start, f.end) for f in scan.figures)})
    own = _own_marker(jurisdiction)

    candidates: list[_Candidate] = []
    for figure in scan.figures:
        clause_start, clause_end = _enclosing(clauses, figure.start, len(norm))
        sentence_start, _ = _enclosing(sentences, figure.start, len(norm))
        # Context may sit in the sentence before (收案845件，同比增长6%；审结786件).
        context_start = _enclosing(sentences, sentence_start - 1, len(norm))[0] if sentence_start else 0
        left_start = max([clause_start] + [e for s, e in cuts if e <= figure.start])
        right_end = min([clause_end] + [s for s, e in cuts if s >= figure.end])
        left, right = norm[left_start:figure.start], norm[figure.end:right_end]
        clause_left = norm[clause_start:figure.start]
        best, chosen = None, None
        for indicator in spec.indicators:
            if figure.unit not in indicator.units:
                continue
            cue = _best_cue(indicator, left, right, spec.max_distance)
            if cue is None:
                continue
            if indicator.context is not None and not (indicator.context.search(norm, context_start, figure.start)
                                                      or indicator.context.search(right)):
                continue
            if indicator.blockers is not None and indicator.blockers.search(left):
                continue
            if best is None or cue[:3] < best[:3]:
                best, chosen = cue, indicator
        candidate = _Candidate(figure, chosen, figure.start, figure.end, sentence_start)
        if chosen is not None:
            if best[2] == "before":
                candidate.cue_start = left_start + best[3]
            else:
                candidate.cue_end = figure.end + best[4]
        elif spec.ellipsis is not None and spec.ellipsis.search(left.strip()):
            previous = next((c for c in reversed(candidates) if c.sentence == sentence_start and c.indicator), None)
            if previous is not None and figure.unit in previous.indicator.units:
                candidate.indicator, candidate.cue_start = previous.indicator, left_start
        if candidate.indicator is not None:
            candidate.excluded = _exclusion(spec, candidate.indicator, figure, left, right, clause_left, own)
        candidates.append(candidate)

    kept = [c for c in candidates if c.indicator is not None and c.excluded is None]
    kept = _drop_breakdowns(spec, kept, norm, clauses)
    masked = _BOOK_TITLE.sub(lambda m: " " * len(m.group(0)), norm)
    mentions = [
        Mention(c.indicator.id, c.indicator.area, c.figure.value, c.figure.unit, c.figure.approx,
                _period(masked, c.figure.start, spec, report_year), text[c.cue_start:c.cue_end],
                c.cue_start, c.cue_end, c.figure.value_max)
        for c in kept
    ]
    return mentions, scan.warnings


def _exclusion(spec: IndicatorSpec, indicator: IndicatorDef, figure: Figure, left: str, right: str,
               clause_left: str, own: str | None) -> str | None:
    scopes = {"left": left, "right": right, "clause": clause_left, "unit": figure.unit}
    for exclusion in spec.exclusions:
        if exclusion.stock_only and not indicator.stock:
            continue
        found = [m.group(0) for m in exclusion.pattern.finditer(scopes[exclusion.scope])]
        if exclusion.name == "other_jurisdiction" and own is not None:
            found = [f for f in found if f != own]
        if found:
            return exclusion.name
    return None


def _drop_breakdowns(spec: IndicatorSpec, kept: list[_Candidate], norm: str, clauses: list[int]) -> list[_Candidate]:
    """Drop parts of a total: after 其中 in the total's sentence, or a part when the paragraph has the total."""
    dropped: set[int] = set()
    if spec.breakdown_markers is not None:
        for i, candidate in enumerate(kept):
            for earlier in kept[:i]:
                if (earlier.indicator.id == candidate.indicator.id and earlier.sentence == candidate.sentence
                        and spec.breakdown_markers.search(norm[earlier.figure.end:candidate.figure.start])):
                    dropped.add(i)
                    break
    if spec.part_markers is not None and spec.total_markers is not None:
        by_indicator: dict[str, list[int]] = {}
        for i, candidate in enumerate(kept):
            by_indicator.setdefault(candidate.indicator.id, []).append(i)
        for indices in by_indicator.values():
            if len(indices) < 2:
                continue
            clause_lefts = {i: norm[_enclosing(clauses, kept[i].figure.start, len(norm))[0]:kept[i].figure.start]
                            for i in indices}
            totals = [i for i in indices if spec.total_markers.search(clause_lefts[i])]
            if not totals:
                continue
            for i in indices:
                if i not in totals and spec.part_markers.search(clause_lefts[i]):
                    dropped.add(i)
    return [c for i, c in enumerate(kept) if i not in dropped]
