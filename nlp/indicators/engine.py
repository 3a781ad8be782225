"""The matching engine: which indicator, if any, a figure of a paragraph gives.

The patterns and vocabularies are data (:mod:`nlp.indicators.spec`,
``configs/indicators.yaml``); this module is the procedure that applies them:

1. find the figures (:func:`nlp.indicators.numbers.scan_figures`);
2. cut each clause at every number, so that a figure's *left* and *right* are
   the words that belong to it and not to a neighbouring figure;
3. pick the indicator whose cue is nearest to the figure among those whose
   units fit, subject to each indicator's context and blockers; a bare left
   such as 我区为 takes the previous figure's indicator; in a list read
   "respectively" (收到、受理行政复议申请分别为238件、221件) the k-th figure is
   read with the k-th item of the list;
4. drop what the guide does not extract: changes, additions to a stock,
   targets and plans, other jurisdictions (also named: the city or province
   the reporting district lies in, and a figure that continues a sentence
   about one), ranks, honours, per-unit figures, participants, breakdowns of a
   total given in the same paragraph, parts beside the whole, and further
   values of a one-value stock (执业律师5400人 … 入库律师73名).

>>> [(m.indicator, m.value, m.evidence) for m in find_mentions("全区行政复议收案845件，同比增长6%，纠错率12.3%。")[0]]
[('review.applications', 845.0, '收案845件'), ('review.correction_rate', 12.3, '纠错率12.3%')]
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
#: Full sentences (a ； does not end one): the window for an indicator's context and for 其中 breakdowns.
PERIOD_ENDS = "。！？!?\n"
_LIST_SEPARATOR = re.compile(r"[、和及与]?")
_PARENT = re.compile(r".+?(?:省|自治区|特别行政区|自治州|地区|盟|市|州)")
_SHORT_DURATION = re.compile(r"\d{1,2}年")
_BOOK_TITLE = re.compile(r"《[^》]*》")
_QUOTED = re.compile(r"《[^》]*》|“[^”]*”")  # a name in quotes (“山西省行政执法监督平台”) is no jurisdiction
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
    period_start: int = 0  # the full sentence
    clause_left: str = ""
    part: bool = False
    period: str | None = None
    period_key: str | None = None  # the period, else the report year: what "one value per period" compares
    segment_start: int = 0  # where the figure's own left begins


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


def _best_cue(indicator: IndicatorDef, left: str, right: str, max_distance: int,
              gap_blockers: re.Pattern[str] | None = None) -> tuple[int, int, str, int, int] | None:
    """(distance, -length, side, start, end) of the nearest cue, offsets relative to left/right."""
    best = None
    for pattern in indicator.before:
        for match in pattern.finditer(left):
            if match.end() == match.start():
                continue
            distance = len(left) - match.end()
            if distance > max_distance:
                continue
            if indicator.between is not None and not indicator.between.search(left[match.end():]):
                continue
            key = (distance, -(match.end() - match.start()), "before", match.start(), match.end())
            if best is None or key < best:
                best = key
    for pattern in indicator.after:
        match = pattern.match(right)
        if match and match.end() > len(match.group("gap")):
            if gap_blockers is not None and gap_blockers.search(match.group("gap")):
                continue  # 1,200余家企业与律师事务所: the figure counts 企业
            gap = len(match.group("gap"))
            key = (gap, -(match.end() - gap), "before~after", match.start(), match.end())  # "before" < "before~after"
            if best is None or key < best:
                best = key
    return best


def _own_marker(jurisdiction: str | None) -> str | None:
    if jurisdiction and jurisdiction[-1] in _JURISDICTION_LEVELS:
        return "全" + jurisdiction[-1]
    return None


def _split_jurisdiction(jurisdiction: str | None) -> tuple[tuple[str, ...], str | None]:
    """(the divisions a full name lies in, its own name).

    >>> _split_jurisdiction("山西省太原市杏花岭区")
    (('山西省', '太原市'), '杏花岭区')
    >>> _split_jurisdiction("滨江区")
    ((), '滨江区')
    """
    if not jurisdiction:
        return (), None
    parents, rest = [], jurisdiction
    while True:
        match = _PARENT.match(rest)
        if match is None or match.end() >= len(rest):
            break
        parents.append(match.group(0))
        rest = rest[match.end():]
    return tuple(parents), rest


def _respective_left(spec: IndicatorSpec, norm: str, figures: list[Figure], index: int, clause: tuple[int, int],
                     cuts: list[tuple[int, int]]) -> tuple[str, int] | None:
    """The list item a figure of "A、B分别为x件、y件" is read with, and where the list starts.

    The k-th figure of a run of figures joined by 、 takes the k-th item of the
    list before ``respectively`` (分别为); an item without a cue of its own
    (收到 in 收到、受理行政复议申请) borrows the noun of the last item.
    """
    if spec.respectively is None:
        return None
    clause_start, clause_end = clause

    def joined(a: int, b: int) -> bool:
        return _LIST_SEPARATOR.fullmatch(norm[figures[a].end:figures[b].start]) is not None

    first = index
    while first > 0 and figures[first - 1].start >= clause_start and joined(first - 1, first):
        first -= 1
    last = index
    while last + 1 < len(figures) and figures[last + 1].end <= clause_end and joined(last, last + 1):
        last += 1
    n = last - first + 1
    if n < 2:
        return None
    list_start = max([clause_start] + [e for s, e in cuts if e <= figures[first].start])
    list_text = norm[list_start:figures[first].start]
    marker = spec.respectively.search(list_text)
    if marker is None:
        return None
    items = list_text[:marker.start()].split("、")
    if len(items) != n:
        return None
    item = items[index - first]
    if index < last and len(items[-1]) > 2 and not any(
            pattern.search(item) for indicator in spec.indicators for pattern in indicator.before):
        item += items[-1][2:]
    return item, list_start


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
    in_plans = section_role is not None and section_role in spec.exclude_section_roles
    if in_plans and spec.plans_present is None:
        return [], []
    scan = scan_figures(text, spec.units)
    if not scan.figures:
        return [], scan.warnings
    norm = normalize_digits(text)
    clauses = _boundaries(norm, CLAUSE_ENDS)
    sentences = _boundaries(norm, SENTENCE_ENDS)
    periods = _boundaries(norm, PERIOD_ENDS)
    # Every number cuts a segment; a figure's own span is one number. A short duration
    # (连续3年保持100%) does not cut: its clause still speaks of the figure after it.
    cuts = sorted({*((s, e) for s, e in scan.numbers
                     if not ((duration := _SHORT_DURATION.match(norm, s)) and duration.end() == e + 1)),
                   *((f.start, f.end) for f in scan.figures)})
    own = _own_marker(jurisdiction)
    parents, own_name = _split_jurisdiction(jurisdiction)
    masked = _BOOK_TITLE.sub(lambda m: " " * len(m.group(0)), norm)

    candidates: list[_Candidate] = []
    for index, figure in enumerate(scan.figures):
        clause_start, clause_end = _enclosing(clauses, figure.start, len(norm))
        sentence_start, _ = _enclosing(sentences, figure.start, len(norm))
        period_start, _ = _enclosing(periods, figure.start, len(norm))
        # Context may sit in the full sentence before (收案845件，同比增长6%；审结786件).
        context_start = _enclosing(periods, period_start - 1, len(norm))[0] if period_start else 0
        left_start = max([clause_start] + [e for s, e in cuts if e <= figure.start])
        right_end = min([clause_end] + [s for s, e in cuts if s >= figure.end])
        left, right = norm[left_start:figure.start], norm[figure.end:right_end]
        respective = _respective_left(spec, norm, scan.figures, index, (clause_start, clause_end), cuts)
        if respective is not None:
            left, left_start = respective
            right = ""
        clause_left = norm[clause_start:figure.start]
        best, chosen = None, None
        for indicator in spec.indicators:
            if figure.unit not in indicator.units:
                continue
            cue = _best_cue(indicator, left, right, spec.max_distance, spec.after_gap_blockers)
            if cue is None:
                continue
            if indicator.context is not None and not (indicator.context.search(norm, context_start, figure.start)
                                                      or indicator.context.search(right)):
                continue
            if indicator.blockers is not None and indicator.blockers.search(left):
                continue
            if best is None or cue[:3] < best[:3]:
                best, chosen = cue, indicator
        candidate = _Candidate(figure, chosen, figure.start, figure.end, sentence_start,
                               period_start=period_start, clause_left=clause_left)
        if respective is not None:
            candidate.cue_start = left_start if chosen is not None else figure.start
        elif chosen is not None:
            if best[2] == "before":
                candidate.cue_start = left_start + best[3]
            else:
                candidate.cue_end = figure.end + best[4]
        if chosen is None and spec.ellipsis is not None and spec.ellipsis.search(left.strip()):
            previous = next((c for c in reversed(candidates) if c.sentence == sentence_start and c.indicator), None)
            if previous is not None and figure.unit in previous.indicator.units:
                candidate.indicator, candidate.cue_start = previous.indicator, left_start
        if candidate.indicator is not None:
            candidate.excluded = _exclusion(spec, candidate.indicator, figure, left, right, clause_left,
                                            norm[period_start:figure.start], own)
            if candidate.excluded is None and any(name in _QUOTED.sub("", clause_left) for name in parents):
                candidate.excluded = "other_jurisdiction"  # 太原市各级人民调解组织… in a district of 太原市
            if (candidate.excluded is None and spec.own_jurisdiction is not None
                    and not _names_own(spec, clause_left, own, own_name)):
                previous = next((c for c in reversed(candidates) if c.sentence == sentence_start and c.indicator), None)
                if previous is not None and previous.excluded == "other_jurisdiction":
                    candidate.excluded = "other_jurisdiction"  # 全省…新收案件6.8万件，纠错率13.1%
            if candidate.excluded is None and in_plans and not spec.plans_present.search(clause_left):
                candidate.excluded = "plans"
            own_words = norm[min(left_start, candidate.cue_start):candidate.cue_end]  # its left and its evidence
            after_figure = norm[figure.end:candidate.cue_end]
            # 全区32个行政执法部门…录入行政检查1.9万次: a total marker makes the clause a whole
            marked_part = spec.part_markers is not None and (spec.part_markers.search(clause_left)
                                                             or spec.part_markers.search(after_figure))
            marked_total = spec.total_markers is not None and spec.total_markers.search(clause_left)
            candidate.part = bool((marked_part and not marked_total)
                                  or (candidate.indicator.parts is not None and candidate.indicator.parts.search(own_words)))
            candidate.period = _period(masked, figure.start, spec, report_year)
            candidate.period_key = candidate.period or (str(report_year) if report_year is not None else None)
        candidates.append(candidate)

    kept = [c for c in candidates if c.indicator is not None and c.excluded is None]
    kept = _drop_breakdowns(spec, kept, norm)
    mentions = [
        Mention(c.indicator.id, c.indicator.area, c.figure.value, c.figure.unit, c.figure.approx,
                c.period, text[c.cue_start:c.cue_end], c.cue_start, c.cue_end, c.figure.value_max)
        for c in kept
    ]
    return mentions, scan.warnings


def _names_own(spec: IndicatorSpec, clause_left: str, own: str | None, own_name: str | None) -> bool:
    """True when the clause names the reporting jurisdiction (我区, 全区 of its level, its name)."""
    return bool((spec.own_jurisdiction is not None and spec.own_jurisdiction.search(clause_left))
                or (own is not None and own in clause_left) or (own_name and own_name in clause_left))


def _exclusion(spec: IndicatorSpec, indicator: IndicatorDef, figure: Figure, left: str, right: str,
               clause_left: str, sentence_left: str, own: str | None) -> str | None:
    scopes = {"left": left, "right": right, "clause": clause_left, "sentence": sentence_left, "unit": figure.unit}
    for exclusion in spec.exclusions:
        if exclusion.stock_only and not indicator.stock:
            continue
        found = [m.group(0) for m in exclusion.pattern.finditer(scopes[exclusion.scope])]
        if exclusion.name == "other_jurisdiction" and own is not None:
            found = [f for f in found if f != own]
        if found:
            return exclusion.name
    return None


def _drop_breakdowns(spec: IndicatorSpec, kept: list[_Candidate], norm: str) -> list[_Candidate]:
    """Drop parts of a total, in three steps.

    1. After 其中 / 分别 in the total's full sentence (a ； does not end it).
    2. A part (a part marker before the figure or between it and its cue, or
       the indicator's ``parts`` in its evidence) when the paragraph also gives a
       figure of the same indicator that is not a part.
    3. For ``single`` indicators (one stock per jurisdiction), of several
       figures with the same period (a figure without one is of the report
       year): those whose clause has a total marker, else those whose sentence
       has one, else the first.
    """
    dropped: set[int] = set()
    if spec.breakdown_markers is not None:
        for i, candidate in enumerate(kept):
            for earlier in kept[:i]:
                if (earlier.indicator.id == candidate.indicator.id and earlier.period_start == candidate.period_start
                        and spec.breakdown_markers.search(norm[earlier.figure.end:candidate.figure.start])):
                    dropped.add(i)
                    break
    by_indicator: dict[str, list[int]] = {}
    for i, candidate in enumerate(kept):
        if i not in dropped:
            by_indicator.setdefault(candidate.indicator.id, []).append(i)
    for indices in by_indicator.values():
        if any(not kept[i].part for i in indices):
            dropped.update(i for i in indices if kept[i].part)
    by_period: dict[tuple[str, str | None], list[int]] = {}
    for i, candidate in enumerate(kept):
        if i not in dropped and candidate.indicator.single:
            by_period.setdefault((candidate.indicator.id, candidate.period_key), []).append(i)
    for indices in by_period.values():
        if len(indices) < 2:
            continue
        keep = []
        if spec.total_markers is not None:  # a total marker in the clause, else in the sentence
            keep = ([i for i in indices if spec.total_markers.search(kept[i].clause_left)]
                    or [i for i in indices if spec.total_markers.search(norm, kept[i].period_start, kept[i].figure.start)])
        keep = keep or indices[:1]
        dropped.update(i for i in indices if i not in keep)
    return [c for i, c in enumerate(kept) if i not in dropped]
