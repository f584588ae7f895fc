"""`resume-optimizer optimize` against the real local stack, as a subprocess."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import httpx
import jsonschema
import pytest

from tests.cli_runner import cli_env, popen_cli, run_cli
from tests.conftest import RunningTransformer
from tests.sample_documents import JOB_TEXT, resume_pdf
from tests.test_transformer_job_url import JobPages


class JobPagesWithQueries(JobPages):
    """The job page at /jobs/42 whatever the query (tracking parameters are common in shared links)."""

    def do_GET(self) -> None:
        self.path = self.path.split("?", 1)[0]
        super().do_GET()


@pytest.fixture(scope="module")
def job_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), JobPagesWithQueries)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_optimize_writes_a_valid_json_file(transformer: RunningTransformer, tmp_path: Path) -> None:
    (tmp_path / "resume.pdf").write_bytes(resume_pdf())
    (tmp_path / "job.txt").write_text(JOB_TEXT)
    out = tmp_path / "tailored.json"
    done = run_cli(
        "optimize", tmp_path / "resume.pdf", "--jd", tmp_path / "job.txt", "--out", out, env=cli_env(transformer.url)
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(out.read_text())
    jsonschema.validate(result["tailored_resume"], httpx.get(f"{transformer.url}/schema", timeout=10).json())
    assert result["schema_valid"] is True
    assert {"checked", "unsupported", "rate", "items"} <= set(result["hallucinations"])
    assert result["quality"]["output_tokens"] > 0


def test_optimize_of_a_corrupt_file_exits_1_with_the_reason(transformer: RunningTransformer, tmp_path: Path) -> None:
    (tmp_path / "resume.pdf").write_bytes(b"%PDF-1.7\nnot really a PDF\n")
    (tmp_path / "job.txt").write_text(JOB_TEXT)
    done = run_cli("optimize", tmp_path / "resume.pdf", "--jd", tmp_path / "job.txt", env=cli_env(transformer.url))
    assert done.returncode == 1
    assert "422" in done.stderr or "415" in done.stderr
    assert done.stdout == ""


def test_optimize_stream_prints_tokens_as_they_come(transformer: RunningTransformer, tmp_path: Path) -> None:
    (tmp_path / "resume.pdf").write_bytes(resume_pdf())
    (tmp_path / "job.txt").write_text(JOB_TEXT)
    out = tmp_path / "tailored.json"
    proc = popen_cli(
        "optimize",
        tmp_path / "resume.pdf",
        "--jd",
        tmp_path / "job.txt",
        "--stream",
        "--out",
        out,
        env=cli_env(transformer.url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stderr is not None
    chunks: list[tuple[float, str]] = []  # (arrival time, text) of each read of the token stream
    selector = selectors.DefaultSelector()
    selector.register(proc.stderr, selectors.EVENT_READ)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if not selector.select(timeout=1):
            continue
        data = os.read(proc.stderr.fileno(), 65536)
        if not data:
            break
        chunks.append((time.monotonic(), data.decode(errors="replace")))
    proc.wait(timeout=60)
    assert proc.returncode == 0, "".join(c for _, c in chunks)[-3000:]
    streamed = "".join(c for _, c in chunks)
    token_chunks = chunks
    # Tokens arrived in many pieces, spread over time, before the process wrote its result.
    assert len(token_chunks) >= 3, chunks
    assert token_chunks[-1][0] - token_chunks[0][0] > 0.05
    result = json.loads(out.read_text())
    assert result["schema_valid"] is True
    # The streamed text is the model's raw JSON answer (the validated result is written to --out).
    assert streamed.lstrip().startswith("{") and '"basics"' in streamed


def test_optimize_with_a_job_url_uses_the_fetched_page(
    transformer: RunningTransformer, job_site: str, tmp_path: Path
) -> None:
    (tmp_path / "resume.pdf").write_bytes(resume_pdf())
    out = tmp_path / "tailored.json"
    url = f"{job_site}/jobs/42?ref=jane.roe%40example.com"  # the query can carry personal data: never logged
    done = run_cli("optimize", tmp_path / "resume.pdf", "--jd-url", url, "--out", out, env=cli_env(transformer.url))
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(out.read_text())
    assert result["schema_valid"] is True
    stored = transformer.artifacts / result["request_id"]
    assert "Build and operate Kubernetes operators and Helm charts" in (stored / "job_description.txt").read_text()
    assert "SECRET-TRACKER" not in (stored / "job_description.txt").read_text()  # the page's script is not text
    assert (stored / "job_url.txt").read_text() == url
    assert "jane.roe" not in done.stderr and "jane.roe" not in transformer.log.read_text(errors="replace")


def test_optimize_with_a_missing_job_page_exits_1_with_the_reason(
    transformer: RunningTransformer, job_site: str, tmp_path: Path
) -> None:
    (tmp_path / "resume.pdf").write_bytes(resume_pdf())
    done = run_cli(
        "optimize", tmp_path / "resume.pdf", "--jd-url", f"{job_site}/jobs/404", env=cli_env(transformer.url)
    )
    assert done.returncode == 1
    assert "422" in done.stderr and "404" in done.stderr
    assert done.stdout == ""
