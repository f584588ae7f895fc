"""Numbers in resume text, read as values: "40%", "40 percent" and "forty percent" are all 40 percent;
"$2M", "$2,000,000" and "2 million dollars" are all 2,000,000; "15 days" and "fifteen days" are both 15.

Ranges share their unit ("10-15%" is 10% and 15%, "$1-2M" is $1M and $2M). Digits glued to letters are names,
not numbers (S3, EC2, 1st, v1.2), and "one" alone is left out: it is too often a word, not a count.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

Unit = Literal["percent", "money", "plain"]

_DIGITS = re.compile(
    r"(?<![\w.])(?P<cur>[$€£¥]\s?)?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<suffix>\s?%|\s?percent\b|\s?per cent\b|\s?(?:thousand|million|billion|mln|bln)\b|(?:k|m|mm|bn|b|x)\b)?"
    r"(?P<money>\s(?:dollars|usd|eur|euros|gbp|pounds)\b)?(?![\w%])",
    re.IGNORECASE,
)
_MULTIPLIER = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mm": 1e6,
    "mln": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "bln": 1e9,
    "billion": 1e9,
}
_SMALL = {
    word: value
    for value, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen".split()
    )
}
_TENS = {
    word: 10 * value for value, word in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)
}
_SCALES = {"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9}
_NUMBER_WORD = "|".join(sorted([*_SMALL, *_TENS, *_SCALES, "dozen"], key=len, reverse=True))
_WORDS = re.compile(
    rf"(?<![\w-])(?P<cur>[$€£¥]\s?)?(?P<words>(?:{_NUMBER_WORD})(?:(?:[\s-]+|\s+and\s+)(?:{_NUMBER_WORD}))*)\b"
    r"(?P<suffix>\s(?:percent|per cent)\b)?(?P<money>\s(?:dollars|usd|euros|pounds)\b)?",
    re.IGNORECASE,
)
_NUMBER_WORD_SET = frozenset([*_SMALL, *_TENS, *_SCALES, "dozen"])
_LETTERS = re.compile(r"[a-z]+")
_DIGIT = re.compile(r"\d")
_RANGE_GAP = re.compile(r"\s*(?:-|–|—|to|and)\s*", re.IGNORECASE)
_SCALED = re.compile(r"(?:\d\s?(?:k|m|mm|bn|b|mln|bln)|thousand|million|billion)\b", re.IGNORECASE)


@dataclass(frozen=True)
class NumberMention:
    """One number written in text: as written, its value, its unit, and its character span."""

    written: str
    value: float
    unit: Unit
    start: int
    end: int


def _words_value(words: str) -> float | None:
    total = 0.0
    current = 0.0
    seen = False
    for word in re.split(r"[\s-]+", words.lower()):
        if word == "and":
            continue
        if word in _SMALL:
            current += _SMALL[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "dozen":
            current = (current or 1) * 12
        elif word == "hundred":
            current = (current or 1) * 100
        elif word in _SCALES:
            total += (current or 1) * _SCALES[word]
            current = 0
        seen = True
    return total + current if seen else None


def _unit(cur: str | None, suffix: str, money: str | None) -> Unit:
    if "%" in suffix or "per" in suffix:
        return "percent"
    return "money" if cur or money else "plain"


def parse_numbers(text: str, skip: list[tuple[int, int]] | None = None) -> list[NumberMention]:
    """Every number in `text` (any case), in order; spans overlapping one of `skip` (dates) are left out."""
    found: list[NumberMention] = []
    skip = skip or []

    def skipped(start: int, end: int) -> bool:
        return any(start < s_end and s_start < end for s_start, s_end in skip)

    for m in _DIGITS.finditer(text) if _DIGIT.search(text) else ():
        if skipped(m.start("num"), m.end("num")):
            continue
        suffix = (m["suffix"] or "").strip().lower()
        value = float(m["num"].replace(",", "")) * _MULTIPLIER.get(suffix, 1.0)
        found.append(NumberMention(m.group(0).strip(), value, _unit(m["cur"], suffix, m["money"]), m.start(), m.end()))
    # the word pattern is slow to scan: run it only where a number word occurs
    has_words = not _NUMBER_WORD_SET.isdisjoint(_LETTERS.findall(text.lower()))
    for m in _WORDS.finditer(text) if has_words else ():
        words = m["words"].strip()
        if words.lower() in ("one", "a", "hundred", "thousand", "million", "billion", "dozen") or skipped(*m.span()):
            continue
        value = _words_value(words)
        if value is None:
            continue
        suffix = (m["suffix"] or "").strip().lower()
        found.append(NumberMention(m.group(0).strip(), value, _unit(m["cur"], suffix, m["money"]), m.start(), m.end()))
    found.sort(key=lambda mention: mention.start)
    return _share_range_units(text, found)


def _share_range_units(text: str, found: list[NumberMention]) -> list[NumberMention]:
    """In "10-15%", "$1-2M" or "2 to 3 million", the first number takes the unit and scale of the second."""
    out = list(found)
    for i in range(len(out) - 1):
        first, second = out[i], out[i + 1]
        if not _RANGE_GAP.fullmatch(text[first.end : second.start]):
            continue
        if "plain" not in (first.unit, second.unit) and first.unit != second.unit:
            continue  # "40% and $2M" are two figures, not a range
        unit = first.unit if first.unit != "plain" else second.unit
        value = first.value
        if _SCALED.search(second.written) and not _SCALED.search(first.written) and second.value > first.value:
            scale = 10 ** (3 * math.floor(math.log10(second.value) / 3))
            value = first.value * scale
        out[i] = NumberMention(first.written, value, unit, first.start, first.end)
    return out


def numbers_agree(claimed: NumberMention, written: NumberMention) -> bool:
    """Same value; a percentage must be a percentage in the source too."""
    if not math.isclose(claimed.value, written.value, rel_tol=1e-9, abs_tol=1e-9):
        return False
    return claimed.unit != "percent" or written.unit == "percent"
