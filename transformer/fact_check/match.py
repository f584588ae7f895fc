"""Looking one claimed value up in a `Corpus`: names and skills, dates, numbers.

A name is found as an exact token sequence (after aliases), else under a variant (legal suffix dropped, degree
written out or abbreviated, bracketed alias), else fuzzily over word windows (see `Corpus.fuzzy`). Values of
at most SHORT_VALUE_CHARS characters ("Go", "R", "C#") are matched exactly only: fuzzy scores mean nothing there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from transformer.fact_check.dates import is_open_ended, parse_dates
from transformer.fact_check.index import Corpus
from transformer.fact_check.numbers import NumberMention, numbers_agree
from transformer.fact_check.report import Kind
from transformer.fact_check.vocabulary import (
    ACRONYM_FILLERS,
    CRITICAL_WORDS,
    DEGREE_ALIASES,
    DEGREE_LEVELS,
    LEGAL_SUFFIXES,
    SKILL_FILLER_WORDS,
    normalise,
)
from transformer.text_fold import fold

SHORT_VALUE_CHARS = 3
_PARENTHESES = re.compile(r"\(([^()]*)\)")
_NO_CRITICAL: frozenset[str] = frozenset()
_ACRONYM = re.compile(r"[A-Z]{3,6}")
_CAPITALISED = re.compile(r"\b[A-Z][\w'’-]*")


@dataclass
class Hit:
    """Where and how a claim was found."""

    evidence: str
    how: str


def _variants(value: str, kind: Kind) -> list[str]:
    """Matching forms under which a value counts as found (legal suffixes, degree abbreviations)."""
    variants = [value]
    words = value.split()
    if kind in ("employer", "institution"):
        while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
            words = words[:-1]
            variants.append(" ".join(words))
    if kind == "skill" and len(words) > 1 and words[-1] in SKILL_FILLER_WORDS:
        variants.append(" ".join(words[:-1]))  # "Docker containers" says what "Docker" says
    if kind == "degree":
        for group in DEGREE_ALIASES:
            for alias in group:
                if value == alias or value.startswith(alias + " "):
                    rest = value[len(alias) :]
                    variants.extend(other + rest for other in group if other != alias)
                    break
        if words and words[0] in DEGREE_LEVELS and (len(words) == 1 or words[1] != "of"):
            rest = [w for w in words[1:] if w != "degree"]
            variants.extend(" ".join([degree, *rest]) for degree in DEGREE_LEVELS[words[0]])
        # "B.Sc. in Nursing" == "B.Sc. Nursing"
        variants.extend([v.replace(" in ", " ") for v in variants if " in " in v])
    return variants


def _is_short(raw: str, normalised: str) -> bool:
    return len(raw.strip()) <= SHORT_VALUE_CHARS or len(normalised) <= SHORT_VALUE_CHARS


def find_text(corpus: Corpus, raw: str, kind: Kind, fuzzy: bool = True) -> Hit | None:
    """A skill, name, title, degree or certification in the corpus, or None (`fuzzy=False`: exact forms only)."""
    hit = _find_value(corpus, raw, kind, fuzzy)
    if hit is None and "(" in raw:
        # "Amazon Web Services (AWS)": the resume may have written either the name or its bracketed alias
        for part in (_PARENTHESES.sub(" ", raw), " ".join(_PARENTHESES.findall(raw))):
            hit = _find_value(corpus, part, kind, fuzzy)
            if hit is not None:
                break
    return hit


def _find_value(corpus: Corpus, raw: str, kind: Kind, fuzzy: bool) -> Hit | None:
    value = normalise(raw)
    if not value:
        return None
    variants = _variants(value, kind)
    for variant in variants:
        evidence = corpus.exact(variant)
        if evidence is not None:
            how = "exact match" if variant == value else "match after normalising the name"
            return Hit(evidence, how)
    hit = _find_acronym(corpus, raw, value, kind)
    if hit is not None:
        return hit
    if not fuzzy:
        return None
    critical = CRITICAL_WORDS.get(kind, _NO_CRITICAL)
    best: tuple[str, float] | None = None
    for variant in dict.fromkeys(variants):
        if _is_short(raw, variant):
            continue
        found = corpus.fuzzy(variant, critical)
        if found is not None and (best is None or found[1] > best[1]):
            best = found
    if best is not None:
        return Hit(best[0], f"fuzzy match (score {best[1]:.0f})")
    return None


def _find_acronym(corpus: Corpus, raw: str, value: str, kind: Kind) -> Hit | None:
    """ "MIT" for "Massachusetts Institute of Technology" in the resume, or the other way round (3+ letters)."""
    stripped = raw.strip().replace(".", "")
    if _ACRONYM.fullmatch(stripped):
        evidence = corpus.acronym(stripped.casefold())
        return None if evidence is None else Hit(evidence, "acronym of a name in the resume")
    if kind not in ("employer", "institution", "certification"):
        return None
    words = [w for w in _CAPITALISED.findall(raw) if w.casefold() not in ACRONYM_FILLERS]
    if len(words) != len([t for t in value.split() if t not in ACRONYM_FILLERS]):
        return None  # not a name written in capitalised words
    initials = "".join(w[0] for w in words if normalise(w) not in LEGAL_SUFFIXES)
    if len(initials) < 3:
        return None
    evidence = corpus.uppercase_word(initials.upper())
    return None if evidence is None else Hit(evidence, "name written as its acronym in the resume")


def find_date(corpus: Corpus, raw: str) -> Hit | None:
    """A claimed date ("Mar 2019", "2019-03", "Present") in the corpus, or None."""
    folded = fold(raw).strip()
    if is_open_ended(folded):
        evidence = corpus.open_ended()
        return None if evidence is None else Hit(evidence, "open-ended role")
    dates = parse_dates(folded)
    if not dates:
        # not a recognisable date ("Summer term"): fall back to plain text matching
        return find_text(corpus, raw, "date")
    year, month = dates[0].date
    evidence = corpus.find_date(year, month)
    return None if evidence is None else Hit(evidence, "same date")


def find_year_in_span(corpus: Corpus, year: int) -> Hit | None:
    """A year inside the span of the dates of an entry ("2020" under "2019 - Present"), or None."""
    span = corpus.year_span()
    if span is None or not span[0] <= year <= span[1]:
        return None
    return Hit(span[2], "year within the entry's dates")


def find_number(corpus: Corpus, claimed: NumberMention) -> Hit | None:
    """A number of the same value (a percentage only as a percentage) in the corpus, or None."""
    evidence = corpus.find_number(claimed, numbers_agree)
    return None if evidence is None else Hit(evidence, "same number")
