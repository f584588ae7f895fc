"""Quality metrics of one tailored resume: overlap with the source, ATS-style keyword coverage, hallucination rate.

All metrics work on plain word tokens (see `tokenize`), so they are cheap, deterministic and need no model.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pydantic import BaseModel, Field

from transformer.generation.schema import TailoredResume
from transformer.quality.tokens import is_keyword, tokenize


def shared_token_ratio(output_text: str, source_text: str) -> float:
    """How much of the output's vocabulary comes from the source resume (Jaccard similarity).

    Defined as |T(output) ∩ T(source)| / |T(output) ∪ T(source)|, where T(x) is the set of distinct
    non-stopword tokens of x (see `tokenize`). 1.0 means the same vocabulary, 0.0 none shared (and 0.0 when
    both texts are empty).
    """
    out, src = set(tokenize(output_text)), set(tokenize(source_text))
    union = out | src
    return len(out & src) / len(union) if union else 0.0


def job_keywords(job_text: str, limit: int = 40) -> list[str]:
    """ATS-style keywords of a job description: its distinct tokens ranked by frequency, then first occurrence.

    Stopwords, generic job-ad filler ("experience", "team") and tokens without a letter (numbers) are excluded.
    Single tokens only (no bigrams).
    """
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for position, token in enumerate(tokenize(job_text)):
        if not is_keyword(token):
            continue
        counts[token] += 1
        first.setdefault(token, position)
    ranked = sorted(counts, key=lambda token: (-counts[token], first[token]))
    return ranked[:limit]


def keyword_coverage(text: str, keywords: list[str]) -> float:
    """Share of `keywords` present in `text` (a keyword of several words needs all of them); 0.0 without keywords."""
    if not keywords:
        return 0.0
    present = set(tokenize(text))
    hits = 0
    for keyword in keywords:
        needed = tokenize(keyword)
        if needed and all(token in present for token in needed):
            hits += 1
    return hits / len(keywords)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def resume_text(resume: TailoredResume) -> str:
    """The flat text of a tailored resume: every non-empty string value, one per line, in document order.

    The `tailoring` metadata is left out: its matched job keywords would count as coverage the resume
    itself does not have.
    """
    data = resume.model_dump(by_alias=True, exclude={"tailoring"})
    return "\n".join(_strings(data))


def count_skill_items(resume: TailoredResume) -> int:
    """Number of skills plus all of their keywords."""
    return len(resume.skills) + sum(len(skill.keywords) for skill in resume.skills)


class QualityMetrics(BaseModel):
    """Per-request quality record, returned with the tailored resume and exported as metrics."""

    json_parse_ok: bool = Field(description="the predictor's first answer parsed as JSON")
    schema_valid: bool = Field(description="the predictor's first answer matched the schema (attempts is then 1)")
    skill_items: int
    shared_token_ratio: float
    keyword_coverage_before: float
    keyword_coverage_after: float
    hallucination_rate: float
    prompt_tokens: int
    output_tokens: int
    stage_seconds: dict[str, float]
    attempts: int = Field(description="answers asked for: 1, or 2 after a refused first answer")
    attempt_causes: list[str] = Field(
        default_factory=list,
        description="why each refused answer was refused (repetition, cut_off, invalid_json, schema); empty when "
        "the first answer was valid",
    )


def score(
    resume: TailoredResume,
    source_text: str,
    job_text: str,
    hallucination_rate: float,
    *,
    prompt_tokens: int,
    output_tokens: int,
    stage_seconds: dict[str, float],
    attempts: int,
    first_answer_parsed: bool = True,
    attempt_causes: list[str] | None = None,
) -> QualityMetrics:
    """Quality metrics of a validated tailored resume against its source resume and job description.

    Keyword coverage is measured with the job's keywords (`job_keywords`) on the source resume text (before)
    and on the tailored resume's flat text (after).
    """
    output = resume_text(resume)
    keywords = job_keywords(job_text)
    return QualityMetrics(
        json_parse_ok=first_answer_parsed,
        schema_valid=attempts == 1,  # the first answer was the valid one
        skill_items=count_skill_items(resume),
        shared_token_ratio=shared_token_ratio(output, source_text),
        keyword_coverage_before=keyword_coverage(source_text, keywords),
        keyword_coverage_after=keyword_coverage(output, keywords),
        hallucination_rate=hallucination_rate,
        prompt_tokens=prompt_tokens,
        output_tokens=output_tokens,
        stage_seconds=dict(stage_seconds),
        attempts=attempts,
        attempt_causes=list(attempt_causes or []),
    )
