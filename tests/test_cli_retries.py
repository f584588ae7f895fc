"""Retries: a real local HTTP server that the test controls stands between the command and the real transformer.

For each POST to the v2 infer route it plays the next scripted answer (503, 422, a connection reset) or
forwards the request to the real transformer; GET /schema is always forwarded.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.cli_runner import cli_env, jsonl, run_cli
from tests.conftest import RunningTransformer
from tests.sample_documents import JOB_TEXT, RESUME_TEXT

INFER = "/v2/models/resume-optimizer/infer"


class FlakyProxy:
    def __init__(self, upstream: str, script: list[str]) -> None:
        self.upstream = upstream
        self.script = list(script)
        self.attempts: list[float] = []  # arrival time of each infer POST
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _forward(self, method: str, body: bytes | None = None) -> None:
                headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "x-request-id")}
                response = httpx.request(
                    method, f"{proxy.upstream}{self.path}", content=body, headers=headers, timeout=300
                )
                self._answer(response.status_code, response.content, response.headers.get("content-type", ""))

            def _answer(
                self,
                status: int,
                body: bytes,
                content_type: str = "application/json",
                extra: dict[str, str] | None = None,
            ) -> None:
                self.send_response(status)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(body)))
                for key, value in (extra or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                self._forward("GET")

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                proxy.attempts.append(time.monotonic())
                action = proxy.script.pop(0) if proxy.script else "forward"
                if action == "503":
                    error = {"error": "predictor_unavailable", "detail": "scripted 503", "request_id": None}
                    self._answer(503, json.dumps(error).encode(), extra={"Retry-After": "1"})
                elif action == "422":
                    error = {"error": "bad_input", "detail": "scripted 422: the resume is refused", "request_id": None}
                    self._answer(422, json.dumps(error).encode())
                elif action == "reset":
                    # SO_LINGER 0: close() sends a TCP RST, which the client sees as "connection reset by peer".
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    self.close_connection = True
                else:
                    self._forward("POST", body)

            def finish(self) -> None:
                try:
                    super().finish()
                except OSError:  # the socket was reset on purpose
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FlakyProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def one_pair(tmp_path: Path) -> Path:
    (tmp_path / "resume.txt").write_text(RESUME_TEXT)
    (tmp_path / "job.txt").write_text(JOB_TEXT)
    (tmp_path / "pairs.jsonl").write_text(json.dumps({"resume": "resume.txt", "jd": "job.txt"}) + "\n")
    return tmp_path / "pairs.jsonl"


@pytest.fixture
def proxy_factory(transformer: RunningTransformer) -> Iterator[type]:
    yield lambda script: FlakyProxy(transformer.url, script)


def test_503_twice_then_success_gives_one_success_after_three_attempts(
    proxy_factory: type, one_pair: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    with proxy_factory(["503", "503", "forward"]) as proxy:
        done = run_cli("batch", "--pairs", one_pair, "--out", out, env=cli_env(proxy.url))
    assert done.returncode == 0, done.stderr[-3000:]
    assert len(proxy.attempts) == 3
    # Retry-After: 1 is honoured (the backoff alone would wait about 0.2 s, then 0.4 s).
    assert all(later - earlier >= 0.95 for earlier, later in zip(proxy.attempts, proxy.attempts[1:], strict=False))
    (record,) = jsonl(out / "results.jsonl")
    assert record["attempts"] == 3 and record["schema_valid"]
    summary = json.loads((out / "summary.json").read_text())
    assert (summary["succeeded"], summary["failed"], summary["attempts_total"]) == (1, 0, 3)


def test_a_4xx_is_recorded_with_its_reason_and_not_retried(proxy_factory: type, one_pair: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with proxy_factory(["422"]) as proxy:
        done = run_cli("batch", "--pairs", one_pair, "--out", out, env=cli_env(proxy.url))
    assert done.returncode == 1
    assert len(proxy.attempts) == 1
    (failure,) = jsonl(out / "failures.jsonl")
    assert (failure["status"], failure["error"], failure["attempts"]) == (422, "bad_input", 1)
    assert "the resume is refused" in failure["detail"]
    assert jsonl(out / "results.jsonl") == []


def test_a_connection_reset_is_retried(proxy_factory: type, one_pair: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with proxy_factory(["reset", "forward"]) as proxy:
        done = run_cli("batch", "--pairs", one_pair, "--out", out, env=cli_env(proxy.url))
    assert done.returncode == 0, done.stderr[-3000:]
    assert len(proxy.attempts) == 2
    (record,) = jsonl(out / "results.jsonl")
    assert record["attempts"] == 2


def test_transient_failures_beyond_the_attempt_limit_fail_the_pair(
    proxy_factory: type, one_pair: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    with proxy_factory(["503", "503", "503"]) as proxy:
        done = run_cli(
            "batch", "--pairs", one_pair, "--out", out, env=cli_env(proxy.url, RESUME_OPTIMIZER_MAX_ATTEMPTS="2")
        )
    assert done.returncode == 1
    assert len(proxy.attempts) == 2
    (failure,) = jsonl(out / "failures.jsonl")
    assert failure["transient"] is True and failure["attempts"] == 2 and "503" in failure["detail"]
