"""Prometheus metrics of the transformer (prometheus-client's default registry, served at /metrics by KServe)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram

from transformer.generation.validation import INVALID_CAUSES

if TYPE_CHECKING:
    from transformer.monitoring.adapter_age import StatusPoller
    from transformer.quality.features import InputFeatures
    from transformer.quality.scoring import QualityMetrics
    from transformer.settings import TransformerSettings

log = logging.getLogger("transformer.metrics")

LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 50, 75, 120, 300)

REQUEST_DURATION = Histogram(
    "resume_optimizer_request_duration_seconds",
    "End-to-end duration of tailoring requests",
    ["route", "mode"],
    buckets=LATENCY_BUCKETS,
)
REQUESTS = Counter("resume_optimizer_requests_total", "Tailoring requests by route and HTTP status", ["route", "code"])
STAGE_DURATION = Histogram(
    "resume_optimizer_stage_duration_seconds",
    "Duration of each pipeline stage",
    ["stage"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
JSON_PARSE = Counter("resume_optimizer_json_parse_total", "Predictor answers by JSON parse result", ["result"])
SCHEMA_VALIDATION = Counter(
    "resume_optimizer_schema_validation_total", "Predictor answers by schema validation result", ["result"]
)
INVALID_ANSWERS = Counter(
    "resume_optimizer_invalid_answers_total",
    "Predictor answers refused, by cause: repetition (stopped by the runaway detector), cut_off (max_tokens), "
    "invalid_json, schema",
    ["cause"],
)
HALLUCINATION_CHECKED = Counter("resume_optimizer_hallucination_items_checked_total", "Generated items fact-checked")
HALLUCINATION_UNSUPPORTED = Counter(
    "resume_optimizer_hallucination_items_unsupported_total", "Generated items not supported by the resume"
)
PROMPT_TOKENS = Counter("resume_optimizer_prompt_tokens_total", "Prompt tokens sent to the predictor")
OUTPUT_TOKENS = Counter("resume_optimizer_output_tokens_total", "Output tokens received from the predictor")

# --- Quality and input features (issue 6). Means are _sum / _count; buckets bracket the alert thresholds. ---
RATIO_BUCKETS = tuple(round(0.05 * i, 2) for i in range(1, 21))
SKILL_ITEMS = Histogram(
    "resume_optimizer_skill_items",
    "Skill items (skills plus their keywords) per tailored answer",
    buckets=(0, 5, 10, 15, 20, 24, 25, 30, 35, 40, 50, 75, 100, 150),
)
SHARED_TOKEN_RATIO = Histogram(
    "resume_optimizer_shared_token_ratio",
    "Jaccard similarity of the tailored answer's and the source resume's token sets",
    buckets=RATIO_BUCKETS,
)
JOB_KEYWORD_COVERAGE = Histogram(
    "resume_optimizer_job_keyword_coverage_ratio",
    "Share of the job's keywords present in the resume (phase=before) and the tailored answer (phase=after)",
    ["phase"],
    buckets=RATIO_BUCKETS,
)
RESUME_WORDS = Histogram(
    "resume_optimizer_resume_words",
    "Words in the resume text, as read and cleaned",
    buckets=(50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 2500, 3000, 4000, 5000, 7500, 10000),
)
JOB_DESCRIPTION_WORDS = Histogram(
    "resume_optimizer_job_description_words",
    "Words in the job description text",
    buckets=(25, 50, 100, 200, 300, 400, 500, 750, 1000, 1500, 2000, 3000, 5000),
)
LEXICAL_DIVERSITY = Histogram(
    "resume_optimizer_lexical_diversity_ratio",
    "Moving-average type-token ratio of the resume over 50-word windows",
    buckets=RATIO_BUCKETS,
)
INPUT_FORMAT = Counter("resume_optimizer_input_format_total", "Resumes read, by input format", ["format"])
for _format in ("pdf", "docx", "image", "text"):  # every series exists from the start (rates need a zero)
    INPUT_FORMAT.labels(_format)
for _phase in ("before", "after"):
    JOB_KEYWORD_COVERAGE.labels(_phase)
for _result in ("ok", "error"):
    JSON_PARSE.labels(_result)
for _result in ("valid", "invalid"):
    SCHEMA_VALIDATION.labels(_result)
for _cause in INVALID_CAUSES:
    INVALID_ANSWERS.labels(_cause)


def observe_inputs(features: InputFeatures) -> None:
    """Count one request's input features (called once the inputs are read, whatever happens next)."""
    RESUME_WORDS.observe(features.resume_words)
    JOB_DESCRIPTION_WORDS.observe(features.job_description_words)
    LEXICAL_DIVERSITY.observe(features.lexical_diversity)
    INPUT_FORMAT.labels(features.input_format).inc()


def observe_quality(quality: QualityMetrics) -> None:
    """Count one answer's quality figures (called once per successful request)."""
    SKILL_ITEMS.observe(quality.skill_items)
    SHARED_TOKEN_RATIO.observe(quality.shared_token_ratio)
    JOB_KEYWORD_COVERAGE.labels("before").observe(quality.keyword_coverage_before)
    JOB_KEYWORD_COVERAGE.labels("after").observe(quality.keyword_coverage_after)


def install_collectors(settings: TransformerSettings, registry: CollectorRegistry = REGISTRY) -> StatusPoller | None:
    """Register the file- and status-backed gauges (baseline, vocabulary drift, adapter age).

    Returns the started /status poller when the adapter's age comes from the predictor (None when
    TRANSFORMER_ADAPTER_TRAINED_AT pins it).
    """
    from transformer.monitoring.adapter_age import AdapterAgeCollector, StatusPoller
    from transformer.monitoring.baseline_file import BaselineCollector, BaselineError, load_baseline
    from transformer.monitoring.drift_report import VocabularyDriftCollector

    try:
        registry.register(BaselineCollector(load_baseline(settings.baseline_path)))
    except BaselineError as exc:  # the service works without it; only the drift rules lose their reference
        log.warning("no baseline gauges", extra={"error": str(exc)})
    registry.register(VocabularyDriftCollector(settings.drift_report_path))
    age = AdapterAgeCollector(settings.adapter_trained_at)
    registry.register(age)
    if settings.adapter_trained_at is not None:
        return None
    url = f"{settings.predictor_scheme}://{settings.predictor_host}/status"
    poller = StatusPoller(age, url, settings.adapter_status_interval_s)
    poller.start()
    return poller
