"""Bad input and predictor faults get their status and a JSON reason; artifacts are complete or absent.

The faults are real: a port where no predictor listens (connection refused, as after the predictor stopped),
a TCP server that accepts and never answers (a hung predictor), and the real predictor cut off by a small
max_tokens (its answer is not valid JSON).
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fpdf import FPDF

from tests.conftest import RunningPredictor, RunningTransformer, free_port, start_transformer, stop_predictor
from tests.sample_documents import JOB_TEXT, RESUME_TEXT, resume_pdf
from tests.v2_requests import v2_json_request

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # a PNG's magic bytes, then nothing decodable
HEIC = b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64
OLE_DOC = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 512


def _encrypted_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, "Confidential resume")
    pdf.set_encryption(owner_password="owner", user_password="secret")
    return bytes(pdf.output())


def _upload(transformer: RunningTransformer, data: bytes, job: str | None = JOB_TEXT) -> httpx.Response:
    form = {"job_description": job} if job is not None else {}
    return httpx.post(f"{transformer.url}/optimize", files={"resume": ("resume", data)}, data=form, timeout=60)


def _assert_error(response: httpx.Response, status: int, error: str, *words: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error and body["request_id"]
    for word in words:
        assert word.lower() in body["detail"].lower(), body["detail"]
    return body


@pytest.mark.parametrize(
    ("data", "status", "error", "word"),
    [
        (HEIC, 415, "unsupported_document", "heic"),
        (PNG, 422, "corrupt_document", "image"),
        (OLE_DOC, 415, "unsupported_document", "doc"),
        (resume_pdf()[:400], 422, "corrupt_document", "pdf"),
        (b"", 422, "empty_document", "empty"),
    ],
    ids=["heic-image", "damaged-png", "old-doc", "truncated-pdf", "empty-file"],
)
def test_bad_resume_files_get_their_status(
    transformer: RunningTransformer, data: bytes, status: int, error: str, word: str
) -> None:
    _assert_error(_upload(transformer, data), status, error, word)


def test_encrypted_pdf_is_refused(transformer: RunningTransformer) -> None:
    _assert_error(_upload(transformer, _encrypted_pdf()), 422, "encrypted_document", "password")


def test_missing_or_empty_job_description_is_refused(transformer: RunningTransformer) -> None:
    _assert_error(_upload(transformer, RESUME_TEXT.encode(), job=None), 422, "bad_input", "job description")
    _assert_error(_upload(transformer, RESUME_TEXT.encode(), job=" \n\t "), 422, "empty_document", "job description")


def test_job_description_over_the_limit_is_413(transformer: RunningTransformer) -> None:
    body = {"resume_text": RESUME_TEXT, "job_description": "kubernetes " * 6000}
    response = httpx.post(f"{transformer.url}/optimize/text", json=body, timeout=60)
    _assert_error(response, 413, "too_large", "50000")


def test_v2_bad_requests_are_422(transformer: RunningTransformer) -> None:
    url = f"{transformer.url}/v2/models/resume-optimizer/infer"
    resume = {"name": "resume", "datatype": "BYTES", "shape": [1], "data": [RESUME_TEXT]}
    job = {"name": "job_description", "datatype": "BYTES", "shape": [1], "data": [JOB_TEXT]}
    cases = {
        "unknown input": {"inputs": [resume, job, {"name": "photo", "datatype": "BYTES", "shape": [1], "data": ["x"]}]},
        "job_description": {"inputs": [resume]},
        "stream": {
            "inputs": [
                resume,
                job,
                {"name": "options", "datatype": "BYTES", "shape": [1], "data": [json.dumps({"stream": True})]},
            ]
        },
        "options": {
            "inputs": [
                resume,
                job,
                {"name": "options", "datatype": "BYTES", "shape": [1], "data": [json.dumps({"temperature": 3})]},
            ]
        },
        "base64": {"inputs": [{**resume, "data": ["%%%"], "parameters": {"encoding": "base64"}}, job]},
        "rows": {
            "inputs": [
                {**resume, "shape": [2], "data": [RESUME_TEXT] * 2},
                {**job, "shape": [3], "data": [JOB_TEXT] * 3},
            ]
        },
    }
    for word, body in cases.items():
        _assert_error(httpx.post(url, json=body, timeout=60), 422, "bad_input", word)


@pytest.fixture(scope="module")
def unreachable_transformer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningTransformer]:
    port = free_port()  # bound and released: nothing listens there any more
    proc, running = start_transformer(
        f"127.0.0.1:{port}",
        tmp_path_factory.mktemp("unreachable"),
        TRANSFORMER_MAX_UPLOAD_BYTES="4096",
        TRANSFORMER_RETRY_AFTER_S="7",
    )
    yield running
    stop_predictor(proc)


def test_unreachable_predictor_gives_503_with_retry_after(unreachable_transformer: RunningTransformer) -> None:
    response = _upload(unreachable_transformer, RESUME_TEXT.encode())
    _assert_error(response, 503, "predictor_unavailable", "unreachable")
    assert response.headers["retry-after"] == "7"
    health = httpx.get(f"{unreachable_transformer.url}/health", timeout=10)
    assert health.status_code == 503 and health.json()["predictor_reachable"] is False


def test_upload_over_the_size_limit_is_413(unreachable_transformer: RunningTransformer) -> None:
    _assert_error(_upload(unreachable_transformer, b"a" * 5000), 413, "too_large", "4096")


class HangingServer:
    """A TCP server that accepts connections and reads, but never answers: a hung predictor."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(conn)

    def close(self) -> None:
        for conn in self.connections:
            conn.close()
        self.sock.close()


def test_hanging_predictor_gives_504_within_the_timeout(tmp_path: Path) -> None:
    server = HangingServer()
    proc, running = start_transformer(f"127.0.0.1:{server.port}", tmp_path, TRANSFORMER_PREDICTOR_TIMEOUT_S="3")
    try:
        started = time.monotonic()
        response = _upload(running, RESUME_TEXT.encode())
        elapsed = time.monotonic() - started
        _assert_error(response, 504, "predictor_timeout", "3 s")
        assert elapsed < 30  # bounded by the configured 3 s, not by the client's 60 s
    finally:
        stop_predictor(proc)
        server.close()


def test_invalid_model_output_gets_one_retry_then_502_with_report(predictor: RunningPredictor, tmp_path: Path) -> None:
    host = predictor.url.removeprefix("http://")
    proc, running = start_transformer(host, tmp_path, TRANSFORMER_MAX_OUTPUT_TOKENS="20")  # answers get cut off
    try:
        response = httpx.post(
            f"{running.url}/optimize/text",
            json={"resume_text": RESUME_TEXT, "job_description": JOB_TEXT},
            headers={"x-request-id": "cut-off"},
            timeout=120,
        )
        body = _assert_error(response, 502, "invalid_model_output", "2 attempts")
        attempts = body["report"]["attempts"]
        assert len(attempts) == 2
        assert all(not a["json_parse_ok"] and a["finish_reason"] == "length" for a in attempts)
        assert [a["cause"] for a in attempts] == ["cut_off", "cut_off"]
        stored = {p.name for p in (running.artifacts / "cut-off").iterdir()}
        assert {"upload.bin", "prompt.json", "raw_output_1.txt", "raw_output_2.txt", "error.json"} <= stored
        assert "result.json" not in stored
    finally:
        stop_predictor(proc)


def test_artifacts_are_complete_or_absent(transformer: RunningTransformer) -> None:
    _upload(transformer, PNG)  # a failure ...
    httpx.post(
        f"{transformer.url}/optimize/text", json={"resume_text": RESUME_TEXT, "job_description": JOB_TEXT}, timeout=180
    )  # ... and a success
    entries = list(transformer.artifacts.iterdir())
    assert entries
    for entry in entries:
        assert not entry.name.startswith("."), f"half-written artifact folder left behind: {entry.name}"
        names = {p.name for p in entry.iterdir()}
        if "error.json" in names:
            assert "upload.bin" in names and "result.json" not in names
            assert _is_folder_of(entry, json.loads((entry / "error.json").read_text())["request_id"])
        else:
            assert {"upload.bin", "resume.txt", "prompt.json", "raw_output_1.txt", "result.json"} <= names
            assert _is_folder_of(entry, json.loads((entry / "result.json").read_text())["request_id"])


def _is_folder_of(entry: Path, request_id: str) -> bool:
    """A request's folder is named by its id; a reused id (a client's retry) gets `ID.N` beside the first."""
    return re.fullmatch(rf"{re.escape(request_id)}(\.[1-9][0-9]*)?", entry.name) is not None


def test_base64_resume_round_trips_through_v2(transformer: RunningTransformer) -> None:
    data = resume_pdf()
    body = v2_json_request([data], [JOB_TEXT], {"mode": "batch"})
    response = httpx.post(f"{transformer.url}/v2/models/resume-optimizer/infer", json=body, timeout=180)
    assert response.status_code == 200, response.text
    request_id = {o["name"]: o["data"] for o in response.json()["outputs"]}["request_id"][0]
    assert (transformer.artifacts / request_id / "upload.bin").read_bytes() == data


def test_token_budgets_name_the_part_and_the_overage(predictor: RunningPredictor, tmp_path: Path) -> None:
    """Counted by the predictor's own tokenizer (vLLM's /tokenize); budgets set just under the real counts."""
    from transformer.generation.prompting import build_messages
    from transformer.reading.cleaning import clean_document, clean_text
    from transformer.reading.parsing import parse_document

    def count(**body: object) -> int:
        reply = httpx.post(f"{predictor.url}/tokenize", json={"model": "resume-optimizer", **body}, timeout=30)
        return reply.json()["count"]

    resume = clean_document(parse_document(RESUME_TEXT.encode(), max_bytes=10**6, max_pages=5)).text
    job = clean_text(JOB_TEXT)
    resume_tokens = count(prompt=resume, add_special_tokens=False)
    job_tokens = count(prompt=job, add_special_tokens=False)
    prompt_tokens = count(messages=build_messages(resume, job))
    host = predictor.url.removeprefix("http://")
    budgets = {
        "TRANSFORMER_RESUME_TOKEN_BUDGET": str(resume_tokens),
        "TRANSFORMER_JOB_TOKEN_BUDGET": str(job_tokens),
        "TRANSFORMER_PROMPT_TOKEN_BUDGET": str(prompt_tokens - 1),
    }
    proc, running = start_transformer(host, tmp_path, **budgets)
    try:

        def send(resume_text: str, job_text: str) -> httpx.Response:
            body = {"resume_text": resume_text, "job_description": job_text}
            return httpx.post(f"{running.url}/optimize/text", json=body, timeout=60)

        longer = "\nVolunteer: taught Python to high-school students every Saturday."
        _assert_error(
            send(RESUME_TEXT + longer, JOB_TEXT), 413, "too_large", "the resume is", "TRANSFORMER_RESUME_TOKEN_BUDGET"
        )
        _assert_error(
            send(RESUME_TEXT, JOB_TEXT + longer),
            413,
            "too_large",
            "the job description is",
            "TRANSFORMER_JOB_TOKEN_BUDGET",
        )
        _assert_error(
            send(RESUME_TEXT, JOB_TEXT), 413, "too_large", f"the whole prompt is {prompt_tokens} tokens, 1 over"
        )
    finally:
        stop_predictor(proc)
