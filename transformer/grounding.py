"""The hallucination check: every factual claim of a tailored resume must be found in the source resume.

Checked claims: skills and skill keywords, employers, job titles, dates, degrees, institutions, certification
names, and every number written in free text (summaries, highlights, project descriptions). A claim is
supported when it is found in the source resume text after normalisation (casefold, accents stripped, punctuation
unified), first as an exact token sequence, then fuzzily over word windows of the resume. A claim not in the
resume but present in the job description is reported as fabricated from it.

CPU only and model-free: the resume and the job description are indexed once per call (tokens, word windows,
dates, numbers), so a two-page resume is checked in a few milliseconds.
"""

from __future__ import annotations

import bisect
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel
from rapidfuzz import fuzz, process

from transformer.schema import TailoredResume

Kind = Literal["skill", "employer", "title", "date", "degree", "institution", "number", "certification"]
Source = Literal["resume", "job_description", "none"]

FUZZY_THRESHOLD = 90.0
EVIDENCE_CHARS = 80
# Values this short ("Go", "R", "C#", "AWS") are matched as whole tokens only: fuzzy scores are meaningless here.
SHORT_VALUE_CHARS = 3

REASON_NOT_FOUND = "not found in the resume"
REASON_FROM_JOB = "found only in the job description (fabricated from it)"
REASON_NUMBER = "number not in resume"
REASON_DATE = "date not in resume"


class GroundingItem(BaseModel):
    """One checked claim of the tailored resume and whether the source resume supports it."""

    path: str
    value: str
    kind: Kind
    supported: bool
    evidence: str | None
    reason: str
    source: Source


class GroundingReport(BaseModel):
    """All checked claims; `rate` is unsupported / checked (0.0 when nothing was checked)."""

    items: list[GroundingItem]
    checked: int
    unsupported: int
    rate: float

    @property
    def unsupported_paths(self) -> set[str]:
        """Field paths (JSON names) holding at least one unsupported claim."""
        return {item.path for item in self.items if not item.supported}


# --- normalisation -------------------------------------------------------------------------------------------

_PUNCTUATION = str.maketrans(
    {
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
    }
)
# Combining marks left by NFKD decomposition (accents); a regex is much faster than testing each character.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# Word characters of any script; inner dots/apostrophes kept for now (node.js, 1.2, o'brien), trailing +/# kept
# because they carry meaning in skill names (c++, c#, f#).
_TOKEN = re.compile(r"[^\W_]+(?:[.'][^\W_]+)*[+#]*")
# A dot survives only between digits (1.2); elsewhere it goes, so "B.Sc." == "BSc" and "Node.js" == "NodeJS".
_INNER_DOT = re.compile(r"(?<!\d)\.|\.(?!\d)")


def _fold(text: str) -> str:
    """Casefold, strip accents (for matching only) and unify dashes, quotes and spaces."""
    if text.isascii():  # the common case: skip the Unicode work
        return text.lower()
    stripped = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return stripped.casefold().translate(_PUNCTUATION)


def _token_form(token: str) -> str:
    if "." in token or "'" in token:
        token = _INNER_DOT.sub("", token).replace("'", "")
    # a light plural fold on both sides, so "APIs" == "API" and "microservices" == "microservice"
    if len(token) > 3 and token[-1] == "s" and token[-2] != "s" and token[-2].isalpha():
        token = token[:-1]
    return token


def _tokens(folded: str) -> list[str]:
    return [_token_form(token) for token in _TOKEN.findall(folded)]


def _normalise(text: str) -> str:
    """The matching form of a value: folded tokens joined by single spaces."""
    return " ".join(_tokens(_fold(text)))


# --- dates and numbers -----------------------------------------------------------------------------------------

_MONTHS = {name: number for number, name in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
_MONTH_NAME = (
    r"(?P<mname>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_YEAR = r"(?:19|20)\d{2}"
_DATE = re.compile(
    rf"\b{_MONTH_NAME}\.?,?\s*(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?(?P<y1>{_YEAR})(?!\d)"  # Mar 2019, March 5, 2019
    rf"|(?<!\d)(?P<y2>{_YEAR})[-/.](?P<m2>0?[1-9]|1[0-2])(?!\d)"  # 2019-03, 2019/3
    rf"|(?<![\d/.-])(?P<m3>0?[1-9]|1[0-2])[-/.](?P<y3>{_YEAR})(?!\d)"  # 03/2019, 3-2019
    rf"|(?<!\d)(?P<y4>{_YEAR})(?!\d)"  # 2019
)
_DIGIT = re.compile(r"\d")
_YEAR_HINT = re.compile(_YEAR)
_OPEN_ENDED = {"present", "current", "now", "today", "ongoing"}

# Money, percentages, multipliers, plain integers and decimals; not digits glued to letters (S3, EC2, 1st, v1.2).
_NUMBER = re.compile(
    r"(?<![\w.])(?:[$€£¥]\s?)?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<suffix>%|\s?percent\b|\s?(?:thousand|million|billion)\b|(?:k|m|mm|bn|b|x)\b)?(?![\w%])",
    re.IGNORECASE,
)
_MULTIPLIER = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mm": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9, "billion": 1e9}


def _parse_dates(folded: str) -> list[tuple[tuple[int, int | None], int]]:
    """Every ((year, month or None), offset) mentioned in folded text, in order."""
    found: list[tuple[tuple[int, int | None], int]] = []
    for m in _DATE.finditer(folded):
        if m["y1"]:
            date: tuple[int, int | None] = (int(m["y1"]), _MONTHS[m["mname"][:3]])
        elif m["y2"]:
            date = (int(m["y2"]), int(m["m2"]))
        elif m["y3"]:
            date = (int(m["y3"]), int(m["m3"]))
        else:
            date = (int(m["y4"]), None)
        found.append((date, m.start()))
    return found


def _parse_numbers(text: str) -> list[tuple[str, float]]:
    """Every number in text as (text as written, numeric value): "$1.2M" -> 1200000, "40%" -> 40."""
    found: list[tuple[str, float]] = []
    for m in _NUMBER.finditer(text):
        value = float(m["num"].replace(",", ""))
        suffix = (m["suffix"] or "").strip().casefold()
        value *= _MULTIPLIER.get(suffix, 1.0)
        found.append((m.group(0).strip(), value))
    return found


# --- the indexed text (resume or job description) ----------------------------------------------------------------


@dataclass
class _Hit:
    evidence: str
    how: str


@dataclass
class _Corpus:
    """A text indexed once for matching: tokens with their lines, word windows, dates and numbers."""

    lines: list[str]
    tokens: list[str] = field(default_factory=list)
    token_line: list[int] = field(default_factory=list)
    token_rel: list[float] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    padded: str = " "
    dates: dict[tuple[int, int | None], tuple[int, float]] = field(default_factory=dict)
    numbers: list[tuple[float, int, float]] = field(default_factory=list)
    windows: dict[int, tuple[list[str], list[int]]] = field(default_factory=dict)

    @classmethod
    def build(cls, text: str) -> _Corpus:
        corpus = cls(lines=text.splitlines() or [""])
        parts: list[str] = []
        offset = 1  # `padded` starts with a space
        for line_no, line in enumerate(corpus.lines):
            folded = _fold(line)
            toks = _tokens(folded)
            for i, tok in enumerate(toks):
                corpus.tokens.append(tok)
                corpus.token_line.append(line_no)
                corpus.token_rel.append(i / max(len(toks), 1))
                corpus.starts.append(offset)
                offset += len(tok) + 1
                parts.append(tok)
            if not _DIGIT.search(folded):  # most lines hold no date or number: skip the two slower regexes
                continue
            length = max(len(folded), 1)
            if _YEAR_HINT.search(folded):
                for date, at in _parse_dates(folded):
                    corpus.dates.setdefault(date, (line_no, at / length))
            for text_, value in _parse_numbers(folded):
                corpus.numbers.append((value, line_no, folded.find(text_) / length))
        corpus.padded = " " + " ".join(parts) + " "
        return corpus

    def snippet(self, line_no: int, rel: float) -> str:
        """A short window (at most EVIDENCE_CHARS) of the original line around a relative position."""
        line = " ".join(self.lines[line_no].split())
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

    def _token_snippet(self, index: int) -> str:
        return self.snippet(self.token_line[index], self.token_rel[index])

    def exact(self, value: str) -> str | None:
        """Evidence for `value` (normalised) as a whole token sequence of the text, or None."""
        if not value:
            return None
        at = self.padded.find(f" {value} ")
        if at < 0:
            return None
        return self._token_snippet(bisect.bisect_left(self.starts, at + 1))

    def fuzzy(self, value: str) -> tuple[str, float] | None:
        """Best word window scoring >= FUZZY_THRESHOLD (token order ignored), with evidence and score."""
        size = value.count(" ") + 1
        digits = {tok for tok in value.split() if any(c.isdigit() for c in tok)}
        best: tuple[str, float] | None = None
        for width in range(max(1, size - 1), size + 2):
            windows, first_token = self._windows(width)
            if not windows:
                continue
            matches = process.extract(
                value, windows, scorer=fuzz.token_sort_ratio, score_cutoff=FUZZY_THRESHOLD, limit=5
            )
            for window, score, index in matches:
                # a version or count differing by one digit must not pass as a wording difference
                if digits and not digits <= set(window.split()):
                    continue
                if best is None or score > best[1]:
                    best = (self._token_snippet(first_token[index]), score)
        return best

    def _windows(self, width: int) -> tuple[list[str], list[int]]:
        """Distinct word windows of `width` tokens, and the index of each one's first token."""
        if width not in self.windows:
            toks = self.tokens
            seen: dict[str, int] = {}
            for i in range(len(toks) - width + 1):
                seen.setdefault(" ".join(toks[i : i + width]), i)
            self.windows[width] = (list(seen), list(seen.values()))
        return self.windows[width]

    def has_open_ended(self) -> str | None:
        for i, tok in enumerate(self.tokens):
            if tok in _OPEN_ENDED:
                return self._token_snippet(i)
        return None

    def find_date(self, year: int, month: int | None) -> str | None:
        """Evidence for a date: the year (and the month, when both sides have one) appear in the text."""
        keys: list[tuple[int, int | None]]
        if month is None:
            # prefer the year written alone, the closest form
            keys = sorted((key for key in self.dates if key[0] == year), key=lambda key: key[1] is not None)
        elif (year, month) in self.dates:
            keys = [(year, month)]
        elif not any(key[0] == year and key[1] is not None for key in self.dates):
            # the resume gives this year without a month, which cannot contradict one
            keys = [key for key in self.dates if key == (year, None)]
        else:
            keys = []
        if not keys:
            return None
        line_no, rel = self.dates[keys[0]]
        return self.snippet(line_no, rel)

    def find_number(self, value: float) -> str | None:
        for number, line_no, rel in self.numbers:
            if math.isclose(number, value, rel_tol=1e-9, abs_tol=1e-9):
                return self.snippet(line_no, rel)
        return None


# --- matching one value ------------------------------------------------------------------------------------------

_LEGAL_SUFFIXES = frozenset(
    _normalise("inc incorporated ltd limited llc llp lp gmbh corp corporation co company plc ag sa").split()
)
_PARENTHESES = re.compile(r"\(([^()]*)\)")
# Degree spellings that name the same degree, compared in matching form ("B.Sc." is "bsc").
_DEGREE_ALIASES = [
    tuple(dict.fromkeys(_normalise(alias) for alias in group.split(",")))
    for group in (
        "bsc,bs,bachelor of science",
        "ba,bachelor of arts",
        "beng,bachelor of engineering",
        "msc,ms,master of science",
        "ma,master of arts",
        "meng,master of engineering",
        "mba,master of business administration",
        "phd,doctor of philosophy,doctorate",
    )
]
# Skill-group headings ("Languages", "Cloud & DevOps") are labels, not claims: skipped when they hold keywords.
_GENERIC_HEADING_WORDS = frozenset(
    _normalise(
        "and other misc miscellaneous core key technical professional soft interpersonal skills "
        "languages programming scripting frameworks libraries tools tooling technologies platforms cloud "
        "databases data storage devops infrastructure ci cd backend frontend back front end web mobile testing "
        "quality observability monitoring security networking methodologies practices operating systems "
        "software development engineering"
    ).split()
)


def _variants(value: str, kind: Kind) -> list[str]:
    """Normalised forms under which a value counts as found (legal suffixes, degree abbreviations)."""
    variants = [value]
    words = value.split()
    if kind in ("employer", "institution"):
        while len(words) > 1 and words[-1] in _LEGAL_SUFFIXES:
            words = words[:-1]
            variants.append(" ".join(words))
    if kind == "degree":
        for group in _DEGREE_ALIASES:
            for alias in group:
                if value == alias or value.startswith(alias + " "):
                    rest = value[len(alias) :]
                    variants.extend(other + rest for other in group if other != alias)
                    break
    return variants


def _is_short(raw: str, normalised: str) -> bool:
    return len(raw.strip()) <= SHORT_VALUE_CHARS or len(normalised) <= SHORT_VALUE_CHARS


def _find_text(corpus: _Corpus, raw: str, kind: Kind) -> _Hit | None:
    hit = _find_value(corpus, raw, kind)
    if hit is None and "(" in raw:
        # "Amazon Web Services (AWS)": the resume may have written either the name or its bracketed alias
        for part in (_PARENTHESES.sub(" ", raw), " ".join(_PARENTHESES.findall(raw))):
            hit = _find_value(corpus, part, kind)
            if hit is not None:
                break
    return hit


def _find_value(corpus: _Corpus, raw: str, kind: Kind) -> _Hit | None:
    value = _normalise(raw)
    if not value:
        return None
    variants = _variants(value, kind)
    for variant in variants:
        evidence = corpus.exact(variant)
        if evidence is not None:
            how = "exact match" if variant == value else "match after normalising the name"
            return _Hit(evidence, how)
    best: tuple[str, float] | None = None
    for variant in dict.fromkeys(variants):
        if _is_short(raw, variant):
            continue
        found = corpus.fuzzy(variant)
        if found is not None and (best is None or found[1] > best[1]):
            best = found
    if best is not None:
        return _Hit(best[0], f"fuzzy match (score {best[1]:.0f})")
    return None


def _find_date(corpus: _Corpus, raw: str) -> _Hit | None:
    folded = _fold(raw).strip()
    if folded in _OPEN_ENDED:
        evidence = corpus.has_open_ended()
        return None if evidence is None else _Hit(evidence, "open-ended role")
    dates = _parse_dates(folded)
    if not dates:
        # not a recognisable date ("Summer term"): fall back to plain text matching
        return _find_text(corpus, raw, "date")
    (year, month), _ = dates[0]
    evidence = corpus.find_date(year, month)
    return None if evidence is None else _Hit(evidence, "same date")


# --- the check ---------------------------------------------------------------------------------------------------


@dataclass
class _Checker:
    resume: _Corpus
    job: _Corpus
    items: list[GroundingItem] = field(default_factory=list)

    def text(self, path: str, raw: str, kind: Kind) -> None:
        if not raw.strip():
            return
        if kind == "date":
            self._record(path, raw, kind, _find_date(self.resume, raw), lambda: _find_date(self.job, raw), REASON_DATE)
        else:
            hit = _find_text(self.resume, raw, kind)
            self._record(path, raw, kind, hit, lambda: _find_text(self.job, raw, kind), REASON_NOT_FOUND)

    def skill(self, path: str, raw: str, has_keywords: bool) -> None:
        words = _normalise(raw).split()
        if has_keywords and words and all(word in _GENERIC_HEADING_WORDS for word in words):
            return
        self.text(path, raw, "skill")

    def numbers(self, path: str, raw: str) -> None:
        for written, value in _parse_numbers(raw):
            resume_evidence = self.resume.find_number(value)

            def in_job(value: float = value) -> _Hit | None:
                evidence = self.job.find_number(value)
                return None if evidence is None else _Hit(evidence, "same number")

            hit = None if resume_evidence is None else _Hit(resume_evidence, "same number")
            self._record(path, written, "number", hit, in_job, REASON_NUMBER)

    def _record(
        self, path: str, raw: str, kind: Kind, hit: _Hit | None, in_job: Callable[[], _Hit | None], not_found: str
    ) -> None:
        # the job description is searched only for claims the resume does not support
        if hit is not None:
            item = GroundingItem(
                path=path, value=raw, kind=kind, supported=True, evidence=hit.evidence, reason=hit.how, source="resume"
            )
        elif (job_hit := in_job()) is not None:
            item = GroundingItem(
                path=path,
                value=raw,
                kind=kind,
                supported=False,
                evidence=job_hit.evidence,
                reason=REASON_FROM_JOB,
                source="job_description",
            )
        else:
            item = GroundingItem(
                path=path, value=raw, kind=kind, supported=False, evidence=None, reason=not_found, source="none"
            )
        self.items.append(item)


def check_grounding(resume: TailoredResume, source_resume_text: str, job_text: str) -> GroundingReport:
    """Check every factual claim of `resume` against the source resume text.

    Paths use the JSON (camelCase) field names, e.g. `work[0].startDate`, `skills[2].keywords[1]`, `summary`.
    Empty strings are not checked, and skill-group headings made only of generic words ("Languages",
    "Cloud & DevOps") are skipped when the group has keywords. Claims absent from the resume but present in
    the job description are reported with `source="job_description"`.
    """
    check = _Checker(_Corpus.build(source_resume_text), _Corpus.build(job_text))

    check.text("basics.label", resume.basics.label, "title")
    check.numbers("summary", resume.summary)
    for i, work in enumerate(resume.work):
        check.text(f"work[{i}].name", work.name, "employer")
        check.text(f"work[{i}].position", work.position, "title")
        check.text(f"work[{i}].startDate", work.start_date, "date")
        check.text(f"work[{i}].endDate", work.end_date, "date")
        check.numbers(f"work[{i}].summary", work.summary)
        for j, highlight in enumerate(work.highlights):
            check.numbers(f"work[{i}].highlights[{j}]", highlight)
    for i, edu in enumerate(resume.education):
        check.text(f"education[{i}].institution", edu.institution, "institution")
        check.text(f"education[{i}].studyType", edu.study_type, "degree")
        check.text(f"education[{i}].startDate", edu.start_date, "date")
        check.text(f"education[{i}].endDate", edu.end_date, "date")
    for i, skill in enumerate(resume.skills):
        check.skill(f"skills[{i}].name", skill.name, has_keywords=any(k.strip() for k in skill.keywords))
        for j, keyword in enumerate(skill.keywords):
            check.text(f"skills[{i}].keywords[{j}]", keyword, "skill")
    for i, project in enumerate(resume.projects):
        check.numbers(f"projects[{i}].description", project.description)
        for j, highlight in enumerate(project.highlights):
            check.numbers(f"projects[{i}].highlights[{j}]", highlight)
    for i, cert in enumerate(resume.certifications):
        check.text(f"certifications[{i}].name", cert.name, "certification")
        check.text(f"certifications[{i}].date", cert.date, "date")

    items = check.items
    unsupported = sum(1 for item in items if not item.supported)
    return GroundingReport(
        items=items, checked=len(items), unsupported=unsupported, rate=unsupported / len(items) if items else 0.0
    )


def strip_unsupported(resume: TailoredResume, report: GroundingReport) -> TailoredResume:
    """A copy of `resume` without its unsupported claims (strict mode).

    Unsupported skills and keywords are removed; work, education and certification entries whose employer,
    title, institution, degree or name is unsupported are removed; unsupported dates become ""; highlights with
    an unsupported number are dropped and single free-text fields with one are set to "".
    """
    bad = report.unsupported_paths
    out = resume.model_copy(deep=True)

    if "basics.label" in bad:
        out.basics.label = ""
    if "summary" in bad:
        out.summary = ""

    work_kept = []
    for i, work in enumerate(out.work):
        if f"work[{i}].name" in bad or f"work[{i}].position" in bad:
            continue
        work.start_date = "" if f"work[{i}].startDate" in bad else work.start_date
        work.end_date = "" if f"work[{i}].endDate" in bad else work.end_date
        work.summary = "" if f"work[{i}].summary" in bad else work.summary
        work.highlights = [h for j, h in enumerate(work.highlights) if f"work[{i}].highlights[{j}]" not in bad]
        work_kept.append(work)
    out.work = work_kept

    education_kept = []
    for i, edu in enumerate(out.education):
        if f"education[{i}].institution" in bad or f"education[{i}].studyType" in bad:
            continue
        edu.start_date = "" if f"education[{i}].startDate" in bad else edu.start_date
        edu.end_date = "" if f"education[{i}].endDate" in bad else edu.end_date
        education_kept.append(edu)
    out.education = education_kept

    skills_kept = []
    for i, skill in enumerate(out.skills):
        if f"skills[{i}].name" in bad:
            continue
        skill.keywords = [k for j, k in enumerate(skill.keywords) if f"skills[{i}].keywords[{j}]" not in bad]
        skills_kept.append(skill)
    out.skills = skills_kept

    for i, project in enumerate(out.projects):
        project.description = "" if f"projects[{i}].description" in bad else project.description
        kept = [h for j, h in enumerate(project.highlights) if f"projects[{i}].highlights[{j}]" not in bad]
        project.highlights = kept

    certs_kept = []
    for i, cert in enumerate(out.certifications):
        if f"certifications[{i}].name" in bad:
            continue
        cert.date = "" if f"certifications[{i}].date" in bad else cert.date
        certs_kept.append(cert)
    out.certifications = certs_kept
    return out
