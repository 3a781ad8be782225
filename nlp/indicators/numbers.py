"""Numbers as reports write them: the figures of a paragraph, with their units.

A *figure* is a number followed by a unit: ``845件``, ``12.3%``, ``1.2万件``,
``两千一百余件``, ``百分之九十八点五``, ``3万至4万人次``. The scanner returns every
number token of a paragraph (so that the matching engine can cut the text
between figures) and, for those followed by a recognised unit, the parsed value.

What it reads:

- Arabic and full-width digits, thousands separators (``1,153``, ``２，３４５``),
  decimals, the multipliers 万 and 亿 (``1.26万件`` -> 12600);
- Chinese numerals (``一千二百``, ``两万``, ``一百零五``, ``二十万``; ``千`` alone after
  近/上/逾/约, as in ``近千场``) and ``百分之…`` percentages;
- qualifiers: 余/多 between number and unit (also before 万/亿: ``40余万人次`` -> 400000),
  以上/以下/以内/左右 after the unit,
  and 近/约/超过/逾/突破 before the number -> ``approx``;
- ranges ``1至2名``, ``1-2场``, ``3万至4万人次``: ``value`` is the lower bound,
  ``value_max`` the upper, ``approx`` is true;
- ``个百分点`` as its own unit (a change, never a level).

Malformed numbers followed by a unit (``1..2%``, ``12,34,5件``) are skipped
with a warning and never raise.

>>> [(f.value, f.unit, f.approx) for f in scan_figures("收案845件，纠错率12.3%，受众近1.2万人次").figures]
[(845.0, '件', False), (12.3, '%', False), (12000.0, '人次', True)]
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Sequence

__all__ = ["Figure", "Scan", "scan_figures", "parse_chinese_number", "normalize_digits", "DEFAULT_UNITS"]

logger = logging.getLogger(__name__)

# Full-width digits and number punctuation -> ASCII, one character for one,
# so that offsets in the normalised text are offsets in the paragraph.
_FULLWIDTH = str.maketrans("０１２３４５６７８９．，％～－", "0123456789.,%~-")

#: Units recognised when no spec is given (longest first is handled by the scanner).
DEFAULT_UNITS = ("个百分点", "人次", "件次", "场次", "户次", "家次", "%", "件", "名", "人", "个", "家", "次", "场",
                 "卷", "起", "宗", "所", "期", "份", "项", "处", "户", "条", "批")

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_LARGE = {"万": 10_000, "亿": 100_000_000}
_CN_CHARS = "零〇一二两三四五六七八九十百千万亿"
_CN_NUMBER = rf"[{_CN_CHARS}]+(?:点[零〇一二三四五六七八九]+)?"
_ARABIC = r"\d(?:[\d.,]*\d)?"
_MULT = r"[万亿]?"
_APPROX_BEFORE = ("超过", "将近", "大约", "突破", "近", "约", "逾", "上")
_APPROX_AFTER_NUMBER = ("余", "多")
_APPROX_AFTER_UNIT = ("以上", "以下", "以内", "左右")
_RANGE_SEP = "[-~至到—－～]"

_TOKEN = re.compile(
    rf"(?P<pct>百分之(?P<pctnum>{_CN_NUMBER}|\d+(?:\.\d+)?))"
    rf"|(?P<num>(?P<a1>{_ARABIC}){_MULT}|{_CN_NUMBER})"
)
_STRICT = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")


def normalize_digits(text: str) -> str:
    """Full-width digits and ``．，％～－`` to ASCII, same length.

    >>> normalize_digits("３２５件，１５．２％")
    '325件,15.2%'
    """
    return text.translate(_FULLWIDTH)


def parse_chinese_number(text: str) -> float | None:
    """The value of a Chinese numeral, or None if it is not one.

    >>> [parse_chinese_number(t) for t in ("一千二百", "两万", "一百零五", "二十万", "九十八点五", "百", "十二")]
    [1200.0, 20000.0, 105.0, 200000.0, 98.5, 100.0, 12.0]
    """
    if not text:
        return None
    integer, _, decimals = text.partition("点")
    fraction = 0.0
    if decimals:
        digits = [_CN_DIGITS.get(ch) for ch in decimals]
        if None in digits:
            return None
        fraction = float("0." + "".join(str(d) for d in digits))
    total = section = 0
    digit: int | None = None
    last_small = None
    for ch in integer:
        if ch in _CN_DIGITS:
            if digit is not None and digit != 0 and _CN_DIGITS[ch] != 0:
                # "一二" is not a number (a list or an ordinal fragment).
                if last_small is None:
                    return None
            digit = _CN_DIGITS[ch]
        elif ch in _CN_SMALL:
            section += (digit if digit is not None else 1) * _CN_SMALL[ch]
            digit, last_small = None, _CN_SMALL[ch]
        elif ch in _CN_LARGE:
            section += digit or 0
            total = (total + section) * _CN_LARGE[ch] if ch == "亿" or total == 0 else total + section * _CN_LARGE[ch]
            section, digit, last_small = 0, None, None
        else:
            return None
    if digit is not None:
        # "两千五" = 2500: a trailing digit after a unit scales one step down.
        section += digit * (last_small // 10 if last_small and last_small >= 100 and len(integer) >= 3
                            and integer[-2] in _CN_SMALL else 1)
    return float(total + section) + fraction


def _parse_arabic(token: str) -> float | None:
    if not _STRICT.match(token):
        return None
    return float(token.replace(",", ""))


@dataclass(frozen=True)
class Figure:
    """A number followed by a unit, with offsets into the paragraph."""

    start: int  # first character of the figure (including a leading 百分之 or approx word)
    number_start: int  # first character of the number itself
    end: int  # one past the unit (and 以上/左右 when present)
    value: float
    unit: str
    approx: bool = False
    value_max: float | None = None

    @property
    def is_change(self) -> bool:
        """True for ``个百分点``: a change in a rate, never its level."""
        return self.unit == "个百分点"


@dataclass
class Scan:
    """What :func:`scan_figures` found in one text."""

    figures: list[Figure] = field(default_factory=list)
    #: (start, end) of every Arabic number token and of every figure's number; the engine cuts
    #: segments there (a Chinese numeral that is no figure, as in 一审 or 一站式, cuts nothing).
    numbers: list[tuple[int, int]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _value_of(match: re.Match) -> float | None:
    if match.group("pct"):
        body = match.group("pctnum")
        return float(body) if body[0].isdigit() else parse_chinese_number(body)
    token = match.group("num")
    if match.group("a1") is None:
        return parse_chinese_number(token)
    mult = 1
    if token[-1] in _CN_LARGE:
        mult, token = _CN_LARGE[token[-1]], token[:-1]
    value = _parse_arabic(token)
    return None if value is None else value * mult


def _unit_at(text: str, pos: int, units: Sequence[str]) -> str | None:
    for unit in units:
        if text.startswith(unit, pos):
            return unit
    return None


def scan_figures(text: str, units: Sequence[str] = DEFAULT_UNITS) -> Scan:
    """Find the figures of ``text`` (see the module docstring for the forms read).

    Parameters
    ----------
    text : str
        One paragraph (any digits: full-width are read as half-width).
    units : sequence of str
        The units that make a number a figure.

    Returns
    -------
    Scan
        ``figures`` in text order, ``numbers`` (every number token's span) and
        ``warnings`` for malformed numbers that were skipped.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected the text of a paragraph (str), received {type(text).__name__}")
    units = sorted(set(units), key=len, reverse=True)
    norm = normalize_digits(text)
    scan = Scan()
    matches = list(_TOKEN.finditer(norm))
    skip_until = -1
    for i, match in enumerate(matches):
        start, end = match.span()
        if start < skip_until:
            continue
        token = match.group(0)
        is_chinese = match.group("a1") is None and not match.group("pct")
        if is_chinese:
            # A Chinese numeral counts only when it is a number a figure could hold: it starts with a
            # digit (一二…十), or is 百/千/万 after 近/上/逾/约 ("近千场"); "万家" in 宪法进万家 is not one.
            if token[0] in "百千万亿" and not (start and norm[start - 1] in "近上逾约"):
                continue
            if token[0] in "零〇":
                continue
        if not is_chinese:
            scan.numbers.append((start, end))
        value = _value_of(match)
        pos = end
        value_max = None
        # a range: 1至2名, 1-2场, 3万至4万人次
        range_match = re.match(rf"{_RANGE_SEP}", norm[pos:pos + 1])
        if range_match and i + 1 < len(matches) and matches[i + 1].start() == pos + 1:
            upper = matches[i + 1]
            if (upper.group("a1") is None) == (match.group("a1") is None):
                upper_value = _value_of(upper)
                if upper_value is not None and value is not None and _unit_at(norm, upper.end(), units):
                    value_max, pos = upper_value, upper.end()
                    skip_until = upper.end()
        approx = value_max is not None
        after = _unit_at(norm, pos, _APPROX_AFTER_NUMBER)
        if after and _unit_at(norm, pos + 1, units):
            approx, pos = True, pos + 1
        elif (after and value is not None and norm[pos + 1:pos + 2] in _CN_LARGE and token[-1] not in _CN_LARGE
              and _unit_at(norm, pos + 2, units)):
            # 40余万人次: the qualifier sits between the number and its multiplier
            value, approx, pos = value * _CN_LARGE[norm[pos + 1]], True, pos + 2
        if match.group("pct"):
            unit = "%"
        else:
            unit = _unit_at(norm, pos, units)
            if unit is None:
                continue
            pos += len(unit)
        if value is None:
            message = f"skipped a malformed number {text[start:pos]!r}"
            scan.warnings.append(message)
            logger.warning(message)
            continue
        tail = _unit_at(norm, pos, _APPROX_AFTER_UNIT)
        if tail:
            approx, pos = True, pos + len(tail)
        figure_start = start
        for word in _APPROX_BEFORE:
            if norm.endswith(word, 0, start):
                if word == "上" and not is_chinese:
                    continue  # "上" before Arabic digits is usually 比上年/以上, not "上千"
                approx, figure_start = True, start - len(word)
                break
        scan.figures.append(Figure(figure_start, start, pos, float(value), unit, approx,
                                   None if value_max is None else float(value_max)))
        if is_chinese:
            scan.numbers.append((start, end))
    return scan
