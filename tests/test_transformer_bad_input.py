"""Malformed requests on every route get a 4xx whose JSON body `{error, detail, request_id}` names the problem.

Each case was once answered with a 500 or with a framework's own body (`{"detail": [...]}`, `{"error": "..."}`).
All are refused before the predictor is needed, so the transformer runs against a port where nothing listens: a
request that got past the checks would be answered 503 and fail its case.
"""

from __future__ import annotations

import json
import socket
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests import prometheus_text
from tests.conftest import RunningTransformer, free_port, start_transformer, stop_predictor
from tests.sample_documents import JOB_TEXT, RESUME_TEXT

TEXT = "/optimize/text"
UPLOAD = "/optimize"
INFER = "/v2/models/resume-optimizer/infer"
JSON_TYPE = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def parse_only_transformer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningTransformer]:
    proc, running = start_transformer(f"127.0.0.1:{free_port()}", tmp_path_factory.mktemp("bad-input"))
    yield running
    stop_predictor(proc)


def _raw_json(text: str) -> dict[str, Any]:
    """A body sent as written: JSON may escape a lone surrogate (\\ud800), which json.dumps would not produce."""
    return {"content": text.encode(), "headers": JSON_TYPE}


def _tensor(name: str, data: list[Any], shape: list[Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {"name": name, "datatype": "BYTES", "shape": [len(data)] if shape is None else shape, "data": data, **extra}


RESUME = _tensor("resume", [RESUME_TEXT])
JOB = _tensor("job_description", [JOB_TEXT])


def _binary_infer(header: dict[str, Any], tail: bytes) -> dict[str, Any]:
    """KServe's binary tensor extension: a JSON header of `inference-header-content-length` bytes, then the data."""
    head = json.dumps(header).encode()
    headers = {"content-type": "application/octet-stream", "inference-header-content-length": str(len(head))}
    return {"content": head + tail, "headers": headers}


TEXT_BYTES = RESUME_TEXT.encode()
BINARY_RESUME = {"name": "resume", "datatype": "BYTES", "shape": [1], "parameters": {"binary_data_size": 4 + 12}}
# (route, request keyword arguments, status, error, words the detail must hold)
CASES: dict[str, tuple[str, dict[str, Any], int, str, tuple[str, ...]]] = {
    # /optimize/text: FastAPI's validation, answered in the service's shape
    "text-invalid-json": (TEXT, {"content": b"{nope", "headers": JSON_TYPE}, 422, "bad_input", ("not valid json",)),
    "text-missing-resume": (
        TEXT,
        {"json": {"job_description": JOB_TEXT}},
        422,
        "bad_input",
        ("resume_text", "required"),
    ),
    "text-resume-not-string": (
        TEXT,
        {"json": {"resume_text": 5, "job_description": JOB_TEXT}},
        422,
        "bad_input",
        ("resume_text", "string"),
    ),
    "text-body-is-a-list": (TEXT, {"json": [RESUME_TEXT]}, 422, "bad_input", ("dictionary",)),
    "text-unknown-mode": (
        TEXT,
        {"json": {"resume_text": RESUME_TEXT, "job_description": JOB_TEXT, "options": {"mode": "fast"}}},
        422,
        "bad_input",
        ("options.mode", "realtime"),
    ),
    "text-unknown-option": (
        TEXT,
        {"json": {"resume_text": RESUME_TEXT, "job_description": JOB_TEXT, "options": {"temperature": 2}}},
        422,
        "bad_input",
        ("options.temperature",),
    ),
    "text-stream-not-bool": (
        TEXT + "?stream=perhaps",
        {"json": {"resume_text": RESUME_TEXT, "job_description": JOB_TEXT}},
        422,
        "bad_input",
        ("stream", "boolean"),
    ),
    "text-body-not-utf8": (
        TEXT,
        {"content": b'{"resume_text": "\xff", "job_description": "x"}', "headers": JSON_TYPE},
        400,
        "bad_request",
        ("utf-8",),
    ),
    "text-body-nested-too-deeply": (
        TEXT,
        {"content": b'{"options": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "headers": JSON_TYPE},
        400,
        "bad_request",
        ("nested too deeply",),
    ),
    # lone surrogates: valid JSON, but no text (UnicodeEncodeError, 500, before)
    "text-surrogate-resume": (
        TEXT,
        _raw_json('{"resume_text": "\\ud800 Jane", "job_description": "Python"}'),
        422,
        "bad_input",
        ("resume_text", "surrogate"),
    ),
    "text-surrogate-job": (
        TEXT,
        _raw_json('{"resume_text": "Jane Doe", "job_description": "\\udc00 Python"}'),
        422,
        "bad_input",
        ("job_description", "surrogate"),
    ),
    "text-surrogate-url": (
        TEXT,
        _raw_json('{"resume_text": "Jane Doe", "job_url": "https://example.com/\\udc00"}'),
        422,
        "bad_input",
        ("job_url", "surrogate"),
    ),
    # job_url hosts and ports that failed inside httpx/idna/the socket layer (500, before); no DNS is needed
    "url-malformed-a-label": (
        TEXT,
        {"json": {"resume_text": RESUME_TEXT, "job_url": "https://xn--a.example/"}},
        422,
        "bad_input",
        ("job_url", "not a valid url"),
    ),
    "url-empty-a-label": (
        TEXT,
        {"json": {"resume_text": RESUME_TEXT, "job_url": "https://xn--/jobs"}},
        422,
        "bad_input",
        ("job_url", "not a valid url"),
    ),
    "url-port-too-large": (
        TEXT,
        {"json": {"resume_text": RESUME_TEXT, "job_url": "http://192.0.2.1:99999999999/"}},
        422,
        "bad_input",
        ("port", "65535"),
    ),
    "url-port-zero": (
        TEXT,
        {"json": {"resume_text": RESUME_TEXT, "job_url": "http://192.0.2.1:0/"}},
        422,
        "bad_input",
        ("port", "out of range"),
    ),
    # /optimize (multipart)
    "upload-no-file": (UPLOAD, {"data": {"job_description": JOB_TEXT}}, 422, "bad_input", ("resume", "required")),
    "upload-file-as-text-field": (
        UPLOAD,
        {"data": {"resume": RESUME_TEXT, "job_description": JOB_TEXT}},
        422,
        "bad_input",
        ("resume", "uploadfile"),
    ),
    "upload-unknown-mode": (
        UPLOAD,
        {"files": {"resume": ("r.txt", TEXT_BYTES)}, "data": {"job_description": JOB_TEXT, "mode": "fast"}},
        422,
        "bad_input",
        ("mode", "realtime"),
    ),
    "upload-strict-not-bool": (
        UPLOAD,
        {"files": {"resume": ("r.txt", TEXT_BYTES)}, "data": {"job_description": JOB_TEXT, "strict": "perhaps"}},
        422,
        "bad_input",
        ("strict", "boolean"),
    ),
    "upload-two-resumes": (
        UPLOAD,
        {
            "files": [("resume", ("a.txt", TEXT_BYTES)), ("resume", ("b.txt", TEXT_BYTES))],
            "data": {"job_description": JOB_TEXT},
        },
        422,
        "bad_input",
        ("resume", "more than once"),
    ),
    "upload-two-job-descriptions": (
        UPLOAD,
        {
            "files": [
                ("resume", ("a.txt", TEXT_BYTES)),
                ("job_description", (None, JOB_TEXT.encode())),
                ("job_description", (None, b"another job")),
            ]
        },
        422,
        "bad_input",
        ("job_description", "more than once"),
    ),
    "upload-no-boundary": (
        UPLOAD,
        {"content": b"x", "headers": {"content-type": "multipart/form-data"}},
        400,
        "bad_request",
        ("boundary",),
    ),
    "upload-url-port-too-large": (
        UPLOAD,
        {"files": {"resume": ("r.txt", TEXT_BYTES)}, "data": {"job_url": "http://192.0.2.1:70000/"}},
        422,
        "bad_input",
        ("port",),
    ),
    # v2 infer, JSON: KServe's pydantic validation, answered in the service's shape
    "v2-invalid-json": (INFER, {"content": b"{nope", "headers": JSON_TYPE}, 422, "bad_input", ("not valid json",)),
    "v2-inputs-not-a-list": (INFER, {"json": {"inputs": {"name": "resume"}}}, 422, "bad_input", ("inputs", "list")),
    "v2-input-without-name": (
        INFER,
        {"json": {"inputs": [{"datatype": "BYTES", "shape": [1], "data": ["x"]}]}},
        422,
        "bad_input",
        ("inputs.0.name", "required"),
    ),
    # v2 infer: tensors that were read wrongly rather than refused (rows dropped or misread, before)
    "v2-shape-counts-more-rows": (
        INFER,
        {"json": {"inputs": [_tensor("resume", [RESUME_TEXT], [2]), JOB]}},
        422,
        "bad_input",
        ("resume", "shape [2]", "1 values"),
    ),
    "v2-negative-shape": (
        INFER,
        {"json": {"inputs": [_tensor("resume", [RESUME_TEXT], [-1]), JOB]}},
        422,
        "bad_input",
        ("shape [-1]",),
    ),
    "v2-not-bytes": (
        INFER,
        {"json": {"inputs": [{**RESUME, "datatype": "FP32"}, JOB]}},
        422,
        "bad_input",
        ("datatype fp32", "bytes"),
    ),
    "v2-input-twice": (
        INFER,
        {"json": {"inputs": [RESUME, JOB, _tensor("job_description", ["other"])]}},
        422,
        "bad_input",
        ("job_description", "twice"),
    ),
    "v2-unknown-encoding": (
        INFER,
        {"json": {"inputs": [{**RESUME, "parameters": {"encoding": "rot13"}}, JOB]}},
        422,
        "bad_input",
        ("encoding", "rot13"),
    ),
    "v2-options-not-json": (
        INFER,
        {"json": {"inputs": [RESUME, JOB, _tensor("options", ["{strict"])]}},
        422,
        "bad_input",
        ("options", "json"),
    ),
    "v2-surrogate-job": (
        INFER,
        _raw_json(
            json.dumps({"inputs": [RESUME, _tensor("job_description", ["@"])]}).replace('["@"]', '["\\ud800 Python"]')
        ),
        422,
        "bad_input",
        ("job_description", "surrogate"),
    ),
    "v2-surrogate-resume": (
        INFER,
        _raw_json(json.dumps({"inputs": [_tensor("resume", ["@"]), JOB]}).replace('["@"]', '["\\udfff"]')),
        422,
        "bad_input",
        ("resume", "surrogate"),
    ),
    # an error message that quotes a lone surrogate back could not be encoded (500, before)
    "v2-surrogate-datatype": (
        INFER,
        _raw_json(json.dumps({"inputs": [{**RESUME, "datatype": "@"}, JOB]}).replace('"@"', '"\\ud800"')),
        422,
        "bad_input",
        ("datatype", "\\ud800"),
    ),
    "v2-url-malformed-a-label": (
        INFER,
        {"json": {"inputs": [RESUME, _tensor("job_url", ["http://xn--/"])]}},
        422,
        "bad_input",
        ("not a valid url",),
    ),
    # v2 infer, binary tensor extension: KServe's decoder raised KeyError/ValueError/struct.error (500, before)
    "v2-binary-without-header": (
        INFER,
        {
            "content": json.dumps({"inputs": [RESUME, JOB]}).encode(),
            "headers": {"content-type": "application/octet-stream"},
        },
        400,
        "bad_request",
        ("inference-header-content-length",),
    ),
    "v2-binary-no-inputs": (INFER, _binary_infer({}, b""), 400, "bad_request", ("malformed", "inputs")),
    "v2-binary-size-short": (
        INFER,
        _binary_infer({"inputs": [BINARY_RESUME, JOB]}, b""),
        400,
        "bad_request",
        ("malformed", "reshape"),
    ),
    "v2-binary-length-past-end": (
        INFER,
        _binary_infer({"inputs": [BINARY_RESUME, JOB]}, struct.pack("<I", 1000) + b"Jane Doe 123"),
        400,
        "bad_request",
        ("malformed", "1000"),
    ),
    # KServe answered 501 (Not Implemented) to a model version the client asked for
    "v2-model-version": (
        INFER + "?model_version=2",
        {"json": {"inputs": [RESUME, JOB]}},
        400,
        "bad_request",
        ("model_version",),
    ),
    # Starlette's own answers
    "unknown-route": ("/nowhere", {}, 404, "not_found", ("not found",)),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_malformed_request_gets_a_4xx_that_names_the_problem(
    parse_only_transformer: RunningTransformer, case: str
) -> None:
    route, kwargs, status, error, words = CASES[case]
    method = "GET" if route == "/nowhere" else "POST"
    response = httpx.request(method, f"{parse_only_transformer.url}{route}", timeout=60, **kwargs)
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "detail", "request_id"}, body
    assert body["error"] == error and body["request_id"], body
    for word in words:
        assert word.lower() in body["detail"].lower(), body["detail"]


def test_wrong_method_is_405_in_the_error_shape(parse_only_transformer: RunningTransformer) -> None:
    response = httpx.get(f"{parse_only_transformer.url}{UPLOAD}", timeout=30)
    assert response.status_code == 405 and "POST" in response.headers["allow"]
    assert response.json()["error"] == "method_not_allowed"


def test_caller_request_id_is_echoed_in_framework_errors(parse_only_transformer: RunningTransformer) -> None:
    response = httpx.post(
        f"{parse_only_transformer.url}{TEXT}", json={}, headers={"x-request-id": "fuzz-42"}, timeout=30
    )
    assert response.status_code == 422 and response.json()["request_id"] == "fuzz-42"
    unsafe = httpx.post(
        f"{parse_only_transformer.url}{TEXT}", json={}, headers={"x-request-id": "../../etc"}, timeout=30
    )
    assert unsafe.json()["request_id"] not in ("../../etc", "")


def test_refused_requests_leave_no_traceback(parse_only_transformer: RunningTransformer) -> None:
    """The cases above ran first in this module: none of them reached the unexpected-error handler."""
    log = parse_only_transformer.log.read_text(errors="replace")
    assert "Traceback" not in log and "unhandled error" not in log


@pytest.mark.parametrize("action", ["unload", "load"])
def test_model_repository_api_cannot_unload_the_model(parse_only_transformer: RunningTransformer, action: str) -> None:
    url = parse_only_transformer.url
    response = httpx.post(f"{url}/v2/repository/models/resume-optimizer/{action}", timeout=30)
    assert response.status_code == 403 and response.json()["error"] == "forbidden", response.text
    ready = httpx.get(f"{url}/v2/models/resume-optimizer/ready", timeout=30)
    assert ready.status_code == 200 and ready.json()["ready"] is True


def test_stream_ends_with_an_error_event_for_a_malformed_job_url(parse_only_transformer: RunningTransformer) -> None:
    """Once a non-ServiceError inside the pipeline left the stream waiting on pings forever; now the stream ends.
    The read timeout (10 s) is shorter than the SSE ping (15 s), so a stream that never ends fails here."""
    body = {"resume_text": RESUME_TEXT, "job_url": "https://xn--/jobs"}
    response = httpx.post(f"{parse_only_transformer.url}{TEXT}?stream=true", json=body, timeout=10)
    events = [line.removeprefix("event: ") for line in response.text.splitlines() if line.startswith("event: ")]
    assert events == ["start", "error"], response.text
    error = json.loads(response.text.split("event: error", 1)[1].split("data: ", 1)[1].splitlines()[0])
    assert error["status"] == 422 and "not a valid url" in error["detail"].lower()


def test_refused_bodies_are_counted_in_requests_total(parse_only_transformer: RunningTransformer) -> None:
    def count() -> float:
        samples = prometheus_text.scrape(parse_only_transformer.url)
        return prometheus_text.value(samples, "resume_optimizer_requests_total", route=TEXT, code="422") or 0.0

    before = count()
    httpx.post(f"{parse_only_transformer.url}{TEXT}", json={"job_description": JOB_TEXT}, timeout=30)
    assert count() == before + 1


def test_no_grpc_server_is_started_by_default(tmp_path: Path) -> None:
    """KServe's gRPC server has its own model load/unload calls; the transformer serves REST only."""
    grpc_port = free_port()
    proc, _ = start_transformer(f"127.0.0.1:{free_port()}", tmp_path, args=("--grpc_port", str(grpc_port)))
    try:
        with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", grpc_port), timeout=5):
            pass
    finally:
        stop_predictor(proc)
