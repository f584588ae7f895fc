"""Quality metrics: tokenisation, shared-token ratio, ATS-style keyword coverage and the per-request record."""

from __future__ import annotations

import pytest

from tests.resume_builders import make_resume
from transformer.fact_check.report import FactCheckItem, FactCheckReport
from transformer.generation.schema import TailoredResume
from transformer.quality.scoring import (
    QualityMetrics,
    count_skill_items,
    job_keywords,
    keyword_coverage,
    resume_text,
    score,
    shared_token_ratio,
    tokenize,
)

SOURCE_RESUME = """\
José Müller — Senior Software Engineer
Acme Corporation, 03/2019 – Present: cut API latency by 40% with Python; migrated services to Kubernetes.
Skills: Python, Go, PostgreSQL, Kubernetes
"""

JOB_DESCRIPTION = """\
Backend engineer: Rust, Kafka and Terraform. You will run Kafka on Kubernetes and write Rust services.
5+ years of experience with Python. Kafka experience is required.
"""


@pytest.fixture
def tailored() -> TailoredResume:
    return make_resume(
        basics={"name": "José Müller", "label": "Senior Software Engineer"},
        summary="Backend engineer running Python services on Kubernetes.",
        work=[
            {
                "name": "Acme Corp.",
                "position": "Senior Software Engineer",
                "startDate": "Mar 2019",
                "endDate": "Present",
                "highlights": ["Cut API latency by 40% with Python.", "Migrated services to Kubernetes."],
            }
        ],
        skills=[
            {"name": "Languages", "keywords": ["Python", "Go"]},
            {"name": "Infrastructure", "keywords": ["Kubernetes", "PostgreSQL"]},
        ],
        tailoring={"targetRole": "Backend engineer", "matchedJobKeywords": ["Kafka", "Rust", "Terraform"]},
    )


def test_tokenize_keeps_technical_names_and_drops_stopwords() -> None:
    text = "C++, C#, Node.js and CI/CD for the team's full-stack apps."
    assert tokenize(text) == ["c++", "c#", "node.js", "ci/cd", "team", "full", "stack", "apps"]


def test_tokenize_folds_case_and_accents() -> None:
    assert tokenize("José MÜLLER") == ["jose", "muller"]
    assert tokenize("") == []


def test_shared_token_ratio_is_jaccard_over_distinct_tokens() -> None:
    output = "Python developer building APIs"  # python developer building apis
    source = "Senior Python developer, built APIs in Go"  # senior python developer built apis go
    # shared {python, developer, apis} = 3; union adds {building, senior, built, go} = 7
    assert shared_token_ratio(output, source) == pytest.approx(3 / 7)


def test_shared_token_ratio_bounds() -> None:
    assert shared_token_ratio("Python and Go", "go, PYTHON") == 1.0
    assert shared_token_ratio("Rust", "Python") == 0.0
    assert shared_token_ratio("", "") == 0.0
    assert shared_token_ratio("the and of", "a an") == 0.0  # stopwords only


def test_job_keywords_rank_by_frequency_then_first_occurrence() -> None:
    keywords = job_keywords(JOB_DESCRIPTION)
    assert keywords[:3] == ["kafka", "rust", "backend"]
    assert keywords.index("terraform") < keywords.index("python")  # same count, Terraform comes first
    assert "5" not in keywords  # pure numbers are not keywords
    assert "experience" not in keywords  # job-ad filler
    assert "and" not in keywords
    assert job_keywords(JOB_DESCRIPTION, limit=2) == ["kafka", "rust"]


def test_keyword_coverage_is_the_share_of_keywords_present() -> None:
    keywords = ["kafka", "rust", "terraform", "python"]
    assert keyword_coverage("Python and Kafka", keywords) == 0.5
    assert keyword_coverage("Python", []) == 0.0
    assert keyword_coverage("machine learning in Python", ["Machine Learning", "deep learning"]) == 0.5


def test_keyword_coverage_before_and_after_tailoring() -> None:
    keywords = job_keywords(JOB_DESCRIPTION)
    before = keyword_coverage(SOURCE_RESUME, keywords)
    after = keyword_coverage(SOURCE_RESUME + "\nBackend engineer; services run on Kubernetes.", keywords)
    assert 0.0 < before < after < 1.0


def test_resume_text_flattens_strings_but_not_tailoring_metadata(tailored: TailoredResume) -> None:
    text = resume_text(tailored)
    assert "José Müller" in text
    assert "Migrated services to Kubernetes." in text
    assert "PostgreSQL" in text
    assert "Kafka" not in text  # only in tailoring.matchedJobKeywords
    assert "\n\n" not in text  # empty fields leave no blank lines


def test_count_skill_items_counts_skills_and_keywords(tailored: TailoredResume) -> None:
    assert count_skill_items(tailored) == 2 + 4
    assert count_skill_items(make_resume()) == 0


def test_score_builds_the_quality_record(tailored: TailoredResume) -> None:
    item = FactCheckItem(
        path="skills[0].keywords[0]",
        value="Python",
        kind="skill",
        supported=True,
        evidence="Skills: Python",
        reason="exact match",
        source="resume",
    )
    report = FactCheckReport(
        items=[item, item.model_copy(update={"supported": False})], checked=2, unsupported=1, rate=0.5
    )
    stages = {"parse": 0.01, "predict": 1.5}

    quality = score(
        tailored,
        SOURCE_RESUME,
        JOB_DESCRIPTION,
        report.rate,
        prompt_tokens=900,
        output_tokens=400,
        stage_seconds=stages,
        attempts=1,
    )

    assert isinstance(quality, QualityMetrics)
    assert quality.json_parse_ok and quality.schema_valid
    assert quality.skill_items == 6
    assert quality.hallucination_rate == 0.5
    assert quality.shared_token_ratio == pytest.approx(shared_token_ratio(resume_text(tailored), SOURCE_RESUME))
    keywords = job_keywords(JOB_DESCRIPTION)
    assert quality.keyword_coverage_before == pytest.approx(keyword_coverage(SOURCE_RESUME, keywords))
    assert quality.keyword_coverage_after == pytest.approx(keyword_coverage(resume_text(tailored), keywords))
    assert quality.keyword_coverage_after > quality.keyword_coverage_before  # "backend" was added
    assert (quality.prompt_tokens, quality.output_tokens, quality.attempts) == (900, 400, 1)
    assert quality.stage_seconds == stages
    assert quality.stage_seconds is not stages  # a snapshot, not the live per-request dict
