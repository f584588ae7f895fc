"""Dates in resume text: "Mar 2019", "March 5, 2019", "03/2019", "2019-03", "2019-03-05", "2019", and open-ended
"Present".

A date is (year, month or None). Two spellings are the same date when their years agree and, where both give a
month, their months agree: "2019" cannot contradict "March 2019", but "April 2019" does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MONTHS = {name: number for number, name in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
_MONTH_NAME = (
    r"(?P<mname>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_YEAR = r"(?:19|20)\d{2}"
_DATE = re.compile(
    rf"\b{_MONTH_NAME}\.?,?\s*(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?(?P<y1>{_YEAR})(?!\d)"  # Mar 2019, March 5, 2019
    rf"|\b{_MONTH_NAME.replace('mname', 'mname5')}\.?\s*'(?P<y5>\d{{2}})(?!\d)"  # Mar '19
    rf"|(?<![\d/.-])(?P<y6>{_YEAR})-(?P<m6>0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?![\d/.-]\d)(?!\d)"  # 2019-03-05
    rf"|(?<!\d)(?P<y2>{_YEAR})[-/.](?P<m2>0?[1-9]|1[0-2])(?![\d/.-]\d)(?!\d)"  # 2019-03, 2019/3
    rf"|(?<![\d/.-])(?P<m3>0?[1-9]|1[0-2])[-/.](?P<y3>{_YEAR})(?!\d)"  # 03/2019, 3-2019
    rf"|(?<!\d)(?P<y4>{_YEAR})(?!\d)"  # 2019
)
YEAR_HINT = re.compile(rf"{_YEAR}|'\d\d")
OPEN_ENDED = re.compile(r"\b(?:present|current|currently|now|today|ongoing)\b")

Date = tuple[int, int | None]


@dataclass(frozen=True)
class DateMention:
    """One date written in text, with the character span it covers."""

    date: Date
    start: int
    end: int


def parse_dates(folded: str) -> list[DateMention]:
    """Every date mentioned in folded (lower-case) text, in order."""
    found: list[DateMention] = []
    for m in _DATE.finditer(folded):
        if m["y1"]:
            date: Date = (int(m["y1"]), MONTHS[m["mname"][:3]])
        elif m["y5"]:
            date = (2000 + int(m["y5"]) if int(m["y5"]) < 70 else 1900 + int(m["y5"]), MONTHS[m["mname5"][:3]])
        elif m["y6"]:
            date = (int(m["y6"]), int(m["m6"]))
        elif m["y2"]:
            date = (int(m["y2"]), int(m["m2"]))
        elif m["y3"]:
            date = (int(m["y3"]), int(m["m3"]))
        else:
            date = (int(m["y4"]), None)
        found.append(DateMention(date, m.start(), m.end()))
    return found


def is_open_ended(folded: str) -> bool:
    """Whether a claimed date says the role is still open ("Present", "Current")."""
    return OPEN_ENDED.fullmatch(folded.strip(" .")) is not None
