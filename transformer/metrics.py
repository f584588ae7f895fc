"""Prometheus metrics of the transformer (prometheus-client's default registry, served at /metrics by KServe)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

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
HALLUCINATION_CHECKED = Counter("resume_optimizer_hallucination_items_checked_total", "Generated items fact-checked")
HALLUCINATION_UNSUPPORTED = Counter(
    "resume_optimizer_hallucination_items_unsupported_total", "Generated items not supported by the resume"
)
PROMPT_TOKENS = Counter("resume_optimizer_prompt_tokens_total", "Prompt tokens sent to the predictor")
OUTPUT_TOKENS = Counter("resume_optimizer_output_tokens_total", "Output tokens received from the predictor")
