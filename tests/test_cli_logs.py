"""What the command writes to its log (stderr) off a terminal: plain JSON progress lines, and no personal data.

Project rule: logs carry ids, sizes, counts, hashes and timings, never resume or job text, nor resume file
names (they often hold the person's name). The service's log is scanned too: the request id the command
sends it ends up there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.cli_runner import batch_args, cli_env, jsonl, run_cli
from tests.conftest import RunningTransformer
from tests.sample_documents import JOB_TEXT, RESUME_TEXT, resume_pdf

NAMED_FILES = ("Jose-Mueller-CV.txt", "jane_roe resume 2026.pdf")
PERSONAL = [
    "Jose-Mueller",
    "Mueller-CV",
    "jane_roe",
    "jane-roe",
    "Jane-Roe",
    "roe resume",
    # resume and job text
    "José Müller",
    "jose.mueller@example.com",
    "Acme Corporation",
    "streaming data platform",
    "multi-tenant data platform",
    "Kubernetes operators and Helm charts",
]


def _json_lines(stderr: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]


def test_batch_off_a_terminal_logs_plain_progress_lines_without_names_or_text(
    transformer: RunningTransformer, tmp_path: Path
) -> None:
    resumes = tmp_path / "resumes"
    resumes.mkdir()
    (resumes / NAMED_FILES[0]).write_text(RESUME_TEXT)
    (resumes / NAMED_FILES[1]).write_bytes(resume_pdf())
    (tmp_path / "job.txt").write_text(JOB_TEXT)
    out = tmp_path / "out"
    # run_cli captures stderr through a pipe: not a terminal.
    done = run_cli(
        *batch_args(resumes, tmp_path / "job.txt", out, concurrency=2),
        env=cli_env(transformer.url),
    )
    assert done.returncode == 0, done.stderr[-3000:]

    # Progress is one JSON line per finished pair, never a redrawn (carriage-return) bar.
    assert "\r" not in done.stderr
    progress = [r for r in _json_lines(done.stderr) if r["message"] == "pair finished"]
    assert [(r["done"], r["total"]) for r in progress] == [(1, 2), (2, 2)]
    records = jsonl(out / "results.jsonl")
    assert {r["pair_key"] for r in progress} == {r["pair_key"] for r in records}
    assert all(r["request_id"] == f"pair-{r['pair_key']}" for r in records)
    # The output folder still names the files (it is the user's own); the logs do not.
    assert {r["resume"] for r in records} == set(NAMED_FILES)

    service_log = transformer.log.read_text(errors="replace")
    assert all(r["request_id"] in service_log for r in records)  # the service logged these requests ...
    for fragment in PERSONAL:
        assert fragment not in done.stderr, fragment
        assert fragment not in service_log, fragment  # ... under ids without the file names


def test_batch_failures_are_logged_without_names(transformer: RunningTransformer, tmp_path: Path) -> None:
    resumes = tmp_path / "resumes"
    resumes.mkdir()
    (resumes / NAMED_FILES[1]).write_bytes(b"%PDF-1.7\nnot really a PDF\n")  # refused by the service (4xx)
    (tmp_path / "job.txt").write_text(JOB_TEXT)
    out = tmp_path / "out"
    done = run_cli(
        "batch", "--resumes", resumes, "--jd", tmp_path / "job.txt", "--out", out, env=cli_env(transformer.url)
    )
    assert done.returncode == 1, done.stderr[-3000:]
    failed = [r for r in _json_lines(done.stderr) if r["message"] == "pair failed"]
    assert len(failed) == 1 and failed[0]["status"] in (415, 422)
    assert jsonl(out / "failures.jsonl")[0]["resume"] == NAMED_FILES[1]
    for fragment in PERSONAL:
        assert fragment not in done.stderr, fragment
