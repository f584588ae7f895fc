"""The source resume (or job description) indexed once for the fact check.

Each line is read once into canonical tokens, dates and numbers. The resume is also cut into entries (one job,
one degree, one certificate): an entry starts at a line carrying a date (its "anchor"), together with the short
header lines just above it (employer, title), and runs to the next entry or section heading. Lines in no entry
(contact details, summary, skills) are "outside". A `Corpus` is a searchable view over some of the lines: the
whole text, one entry, or the outside lines.
"""

from __future__ import annotations

import bisect
import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from transformer.fact_check.dates import OPEN_ENDED, YEAR_HINT, DateMention, parse_dates
from transformer.fact_check.numbers import NumberMention, parse_numbers
from transformer.fact_check.vocabulary import ACRONYM_FILLERS, NAME_FILLER_WORDS, normalise, tokens
from transformer.text_fold import fold

FUZZY_THRESHOLD = 90.0
EVIDENCE_CHARS = 80
# a fuzzy match must also find each distinctive word of the claim in its window, this close or closer
WORD_SIMILARITY = 84.0

# Runs of capitalised words, small joining words allowed: "Massachusetts Institute of Technology".
_CAPITALISED_RUN = re.compile(r"[A-Z][\w'’-]*(?:(?:\s+(?:of|and|the|for|in|at|&|de|du|la))*\s+[A-Z][\w'’-]*)+")
_WORD = re.compile(r"[\w'’-]+")
_BULLET = re.compile(r"^\s*(?:[-•*·▪‣◦●■□➢►–—]|o\s)")
_DIGIT = re.compile(r"\d")
_SECTION_HEADINGS = frozenset(
    normalise(heading)
    for heading in (
        "summary",
        "professional summary",
        "profile",
        "about",
        "about me",
        "objective",
        "experience",
        "work experience",
        "professional experience",
        "employment",
        "employment history",
        "work history",
        "career history",
        "education",
        "education and training",
        "skills",
        "technical skills",
        "core skills",
        "key skills",
        "competencies",
        "core competencies",
        "certifications",
        "certificates",
        "licenses",
        "licenses and certifications",
        "certifications and licenses",
        "projects",
        "selected projects",
        "publications",
        "awards",
        "honors",
        "languages",
        "interests",
        "volunteering",
        "volunteer experience",
        "references",
        "contact",
        "achievements",
        "training",
        "courses",
    )
)
_MAX_HEADER_LINES = 3
_MAX_HEADER_CHARS = 90
_MAX_ANCHOR_CHARS = 140
# "Present" wrapped onto a line of its own; a longer line without a date is prose ("currently leading...")
_MAX_OPEN_ENDED_CHARS = 20


@dataclass
class _Line:
    text: str
    tokens: list[str]
    dates: list[DateMention]
    numbers: list[NumberMention]
    open_ended: bool
    length: int


def _read_line(text: str) -> _Line:
    folded = fold(text)
    dates: list[DateMention] = []
    numbers: list[NumberMention] = []
    if _DIGIT.search(folded):  # most lines hold no date or number: skip the slower regexes
        if YEAR_HINT.search(folded):
            dates = parse_dates(folded)
        # the month of "03/2019" is no count; the year stays a number ("since 2019")
        numbers = parse_numbers(folded, skip=[(d.start, d.end) for d in dates if d.date[1] is not None])
        numbers += [
            NumberMention(folded[d.start : d.end], float(d.date[0]), "plain", d.start, d.end)
            for d in dates
            if d.date[1] is not None
        ]
    else:
        numbers = parse_numbers(folded)
    return _Line(text, tokens(folded), dates, numbers, OPEN_ENDED.search(folded) is not None, max(len(folded), 1))


@dataclass
class Corpus:
    """Some lines of an indexed text, searchable: tokens, word windows, dates, numbers."""

    index: ResumeIndex
    line_numbers: list[int]
    tokens: list[str] = field(default_factory=list)
    token_line: list[int] = field(default_factory=list)
    token_rel: list[float] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    padded: str = " "
    windows: dict[int, tuple[list[str], list[int]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        parts: list[str] = []
        offset = 1  # `padded` starts with a space
        for line_no in self.line_numbers:
            toks = self.index.lines[line_no].tokens
            for i, tok in enumerate(toks):
                self.tokens.append(tok)
                self.token_line.append(line_no)
                self.token_rel.append(i / max(len(toks), 1))
                self.starts.append(offset)
                offset += len(tok) + 1
                parts.append(tok)
        self.padded = " " + " ".join(parts) + " "

    def snippet(self, line_no: int, rel: float) -> str:
        return self.index.snippet(line_no, rel)

    def _token_snippet(self, index: int) -> str:
        return self.snippet(self.token_line[index], self.token_rel[index])

    def exact(self, value: str) -> str | None:
        """Evidence for `value` (matching form) as a whole token sequence of these lines, or None."""
        if not value:
            return None
        at = self.padded.find(f" {value} ")
        if at < 0:
            return None
        return self._token_snippet(bisect.bisect_left(self.starts, at + 1))

    def fuzzy(self, value: str, critical: frozenset[str]) -> tuple[str, float] | None:
        """Best word window scoring >= FUZZY_THRESHOLD (token order ignored), with evidence and score.

        The window must hold every digit-bearing and every `critical` word of the claim as it is, and a close
        spelling of every other distinctive word: a near spelling of a name is accepted, another name is not.
        """
        words = value.split()
        size = len(words)
        exact_needed = {w for w in words if w in critical or _DIGIT.search(w)}
        distinctive = [w for w in words if w not in exact_needed and w not in NAME_FILLER_WORDS]
        best: tuple[str, float] | None = None
        for width in range(max(1, size - 1), size + 2):
            windows, first_token = self._windows(width)
            if not windows:
                continue
            matches = process.extract(
                value, windows, scorer=fuzz.token_sort_ratio, score_cutoff=FUZZY_THRESHOLD, limit=8
            )
            for window, score, index in matches:
                window_words = window.split()
                if not exact_needed <= set(window_words):
                    continue
                if not all(_close_word(word, window_words) for word in distinctive):
                    continue
                if best is None or score > best[1]:
                    best = (self._token_snippet(first_token[index]), score)
        return best

    def _windows(self, width: int) -> tuple[list[str], list[int]]:
        """Distinct word windows of `width` tokens within one line, and the index of each one's first token."""
        if width not in self.windows:
            toks = self.tokens
            lines = self.token_line
            seen: dict[str, int] = {}
            for i in range(len(toks) - width + 1):
                if lines[i] == lines[i + width - 1]:  # a name does not run from one line into the next
                    seen.setdefault(" ".join(toks[i : i + width]), i)
            self.windows[width] = (list(seen), list(seen.values()))
        return self.windows[width]

    def acronym(self, letters: str) -> str | None:
        """Evidence for an acronym ("MIT") spelled out as capitalised words in these lines, or None."""
        for line_no in self.line_numbers:
            text = self.index.lines[line_no].text
            if len(text) < len(letters):
                continue
            for run in _CAPITALISED_RUN.finditer(text):
                words = [w for w in _WORD.findall(run.group(0)) if w.casefold() not in ACRONYM_FILLERS]
                initials = "".join(w[0] for w in words).casefold()
                at = initials.find(letters)
                if at >= 0:
                    return self.snippet(line_no, run.start() / max(len(text), 1))
        return None

    def uppercase_word(self, word: str) -> str | None:
        """Evidence for `word` written in capitals as a word of its own ("CKA"), or None."""
        pattern = re.compile(rf"(?<![\w.]){re.escape(word)}(?![\w])")
        for line_no in self.line_numbers:
            text = self.index.lines[line_no].text
            if (m := pattern.search(text)) is not None:
                return self.snippet(line_no, m.start() / max(len(text), 1))
        return None

    def open_ended(self) -> str | None:
        """Evidence of an open-ended role: "Present" (or "Current") beside a date, or on a short line of its own."""
        for line_no in self.line_numbers:
            line = self.index.lines[line_no]
            if line.open_ended and (line.dates or len(line.text.strip()) <= _MAX_OPEN_ENDED_CHARS):
                return self.snippet(line_no, 0.5)
        return None

    def year_span(self) -> tuple[int, int, str] | None:
        """(first year, last year, evidence) of the date ranges in these lines; "Present" runs to this year."""
        years: list[int] = []
        evidence = None
        for line_no in self.line_numbers:
            line = self.index.lines[line_no]
            if len(line.dates) >= 2 or (line.dates and line.open_ended):
                years += [m.date[0] for m in line.dates]
                if line.open_ended:
                    years.append(datetime.date.today().year)
                evidence = evidence or self.snippet(line_no, 0.5)
        if not years or evidence is None:
            return None
        return min(years), max(years), evidence

    def find_date(self, year: int, month: int | None) -> str | None:
        """Evidence for a date: the year (and the month, when both sides have one) appear in these lines."""
        written = [(m.date, line_no, m.start) for line_no in self.line_numbers for m in self.index.lines[line_no].dates]
        same_year = [w for w in written if w[0][0] == year]
        if month is None:
            # prefer the year written alone, the closest form
            candidates = sorted(same_year, key=lambda w: w[0][1] is not None)
        elif any(w[0][1] is not None for w in same_year):
            candidates = [w for w in same_year if w[0][1] == month]
        else:
            # the text gives this year without a month, which cannot contradict one
            candidates = same_year
        if not candidates:
            return None
        _, line_no, start = candidates[0]
        return self.snippet(line_no, start / self.index.lines[line_no].length)

    def find_number(self, claimed: NumberMention, agree: Callable[[NumberMention, NumberMention], bool]) -> str | None:
        """Evidence for a number of the same value (and unit, see `numbers_agree`) in these lines."""
        for line_no in self.line_numbers:
            line = self.index.lines[line_no]
            for mention in line.numbers:
                if agree(claimed, mention):
                    return self.snippet(line_no, mention.start / line.length)
        return None


def _close_word(word: str, window_words: list[str]) -> bool:
    if word in window_words:
        return True
    if len(word) < 4:
        return any(word in other for other in window_words)
    return any(fuzz.ratio(word, other) >= WORD_SIMILARITY for other in window_words)


@dataclass
class ResumeIndex:
    """A text read line by line, with its entries (line ranges) and the lines outside any entry."""

    lines: list[_Line]
    entries: list[list[int]]
    anchors: list[int]  # the dated line of each entry
    outside: list[int]

    @classmethod
    def build(cls, text: str) -> ResumeIndex:
        lines = [_read_line(line) for line in (text.splitlines() or [""])]
        entries, anchors = _entries(lines)
        inside = {n for entry in entries for n in entry}
        return cls(lines, entries, anchors, [n for n in range(len(lines)) if n not in inside])

    def has_dates(self, line_no: int) -> bool:
        return bool(self.lines[line_no].dates)

    def corpus(self, line_numbers: list[int] | None = None) -> Corpus:
        """A searchable view over `line_numbers` (default: every line)."""
        return Corpus(self, list(range(len(self.lines))) if line_numbers is None else line_numbers)

    def snippet(self, line_no: int, rel: float) -> str:
        """A short window (at most EVIDENCE_CHARS) of the original line around a relative position."""
        line = " ".join(self.lines[line_no].text.split())
        if len(line) <= EVIDENCE_CHARS:
            return line
        width = EVIDENCE_CHARS - 2  # room for the ellipses
        centre = int(rel * len(line))
        start = max(0, min(centre - width // 2, len(line) - width))
        end = start + width
        # cut at word boundaries so the snippet reads cleanly
        if start > 0 and line[start - 1] != " " and " " in line[start:centre]:
            start = line.index(" ", start) + 1
        if end < len(line) and line[end] != " " and " " in line[max(centre, start) : end]:
            end = line.rindex(" ", max(centre, start), end)
        return ("…" if start > 0 else "") + line[start:end].strip() + ("…" if end < len(line) else "")


def _is_heading(line: _Line) -> bool:
    stripped = line.text.strip().rstrip(":")
    return 0 < len(stripped) <= 50 and " ".join(line.tokens) in _SECTION_HEADINGS


def _is_bullet(line: _Line) -> bool:
    return _BULLET.match(line.text) is not None


def _is_anchor(line: _Line) -> bool:
    """A line that dates an entry: a date range, a date with "Present", or a short line with a date."""
    if not line.dates or _is_bullet(line) or len(line.text.strip()) > _MAX_ANCHOR_CHARS:
        return False
    return len(line.dates) >= 2 or line.open_ended or len(line.text.strip()) <= 70


def _is_header(line: _Line) -> bool:
    text = line.text.strip()
    return bool(text) and not _is_bullet(line) and len(text) <= _MAX_HEADER_CHARS and not text.endswith(".")


def _entries(lines: list[_Line]) -> tuple[list[list[int]], list[int]]:
    """Line numbers of each entry (anchor line, the header lines just above it, the lines below it); anchors."""
    starts: list[int] = []
    anchors: list[int] = []
    boundary = -1  # no entry may reach back past the previous anchor or heading
    for n, line in enumerate(lines):
        if _is_heading(line):
            boundary = n
            continue
        if not _is_anchor(line):
            continue
        start = n
        while start - 1 > boundary and n - (start - 1) <= _MAX_HEADER_LINES and _is_header(lines[start - 1]):
            if lines[start - 1].dates and _is_anchor(lines[start - 1]):
                break
            start -= 1
        starts.append(start)
        anchors.append(n)
        boundary = n
    entries: list[list[int]] = []
    for k, start in enumerate(starts):
        limit = starts[k + 1] if k + 1 < len(starts) else len(lines)
        end = start + 1
        while end < limit and not _is_heading(lines[end]):
            end += 1
        entries.append(list(range(start, end)))
    return entries, anchors
