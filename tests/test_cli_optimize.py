"""`resume-optimizer optimize` against the real local stack, as a subprocess."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import time
from pathlib import Path

import httpx
import jsonschema

from tests.cli_runner import cli_env, popen_cli, run_cli
from tests.conftest import RunningTransformer
from tests.sample_documents import JOB_TEXT, resume_pdf


def test_optimize_writes_a_valid_json_file(transformer: RunningTransformer, tmp_path: Path) -> None:
    (tmp_path / "resume.pdf").write_bytes(resume_pdf())
    (tmp_path / "job.txt").write_text(JOB_TEXT)
    out = tmp_path / "tailored.json"
    done = run_cli("optimize", tmp_path / "resume.pdf", "--jd", tmp_path / "job.txt", "--out", out,
                   env=cli_env(transformer.url))  # fmt: skip
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
    proc = popen_cli("optimize", tmp_path / "resume.pdf", "--jd", tmp_path / "job.txt", "--stream", "--out", out,
                     env=cli_env(transformer.url), stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
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
