"""Drift: vocabulary drift from stored artifacts (known content -> known share), served as a metric; feature
metrics move the right way when the inputs shift."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry, generate_latest

from common.atomic_files import write_text_atomically
from tests.conftest import RunningTransformer
from tests.monitoring_files import drift_command
from tests.prometheus_text import mean, parse, scrape, value
from tests.sample_documents import JOB_TEXT, RESUME_TEXT
from transformer.drift import build_report
from transformer.monitoring.baseline_file import Baseline, Features, Vocabulary
from transformer.monitoring.drift_report import VocabularyDriftCollector
from transformer.quality.features import lexical_diversity, word_count

ROOT = Path(__file__).resolve().parent.parent
DAY = 86400
KNOWN = [f"known{i:03d}" for i in range(70)]  # in the training vocabulary
NOVEL = [f"novel{i:03d}" for i in range(30)]  # not in it


def _baseline(path: Path) -> Path:
    vocabulary = Vocabulary(documents=10, tokens={token: 3 for token in KNOWN} | {"kubernetes": 5})
    baseline = Baseline(
        source="test", created_at=datetime.now(UTC), pairs=10, features=Features(), vocabulary=vocabulary
    )
    write_text_atomically(path, baseline.model_dump_json())
    return path


def _store(artifacts: Path, request_id: str, job: str, age_days: float = 0) -> None:
    folder = artifacts / request_id
    folder.mkdir(parents=True)
    (folder / "job_description.txt").write_text(job)
    if age_days:
        moment = time.time() - age_days * DAY
        os.utime(folder / "job_description.txt", (moment, moment))


@pytest.fixture()
def artifacts(tmp_path: Path) -> Path:
    """Recent traffic: 100 tokens in each of three ads (70 known, 30 novel) beat everything else."""
    root = tmp_path / "artifacts"
    common = " ".join(KNOWN + NOVEL)
    for n, extra in enumerate(["alpha", "beta", "gamma"]):
        _store(root, f"recent-{n}", f"{common} {extra}")
    # one ad sent with four resumes: its 40 novel tokens count once (1 ad), not 4 times
    for n in range(4):
        _store(root, f"batch-{n}", " ".join(f"repeated{i:02d}" for i in range(40)))
    # 40 days old: outside the 30-day window, would dominate the ranking if counted
    for n in range(5):
        _store(root, f"old-{n}", " ".join(f"ancient{i:03d}" for i in range(100)), age_days=40)
    # a request that failed before its job was read, an unreadable entry, and an unpublished staging folder
    (root / "failed-early").mkdir()
    (root / "odd-entry" / "job_description.txt").mkdir(parents=True)
    _store(root, ".incoming-x", " ".join(f"staging{i:03d}" for i in range(100)))
    return root


def test_vocabulary_drift_of_known_artifacts_is_the_known_share(artifacts: Path, tmp_path: Path) -> None:
    report = build_report(artifacts, _baseline(tmp_path / "baseline.json"), days=30)
    assert report.requests == 7 and report.documents == 4
    assert len(report.top_tokens) == 100 and report.absent == 30
    assert report.drift_ratio == pytest.approx(0.30)
    assert {t.token for t in report.top_tokens} == set(KNOWN + NOVEL)
    assert all(t.documents == 3 for t in report.top_tokens)


def test_old_artifacts_count_once_the_window_reaches_them(artifacts: Path, tmp_path: Path) -> None:
    report = build_report(artifacts, _baseline(tmp_path / "baseline.json"), days=45)
    assert report.documents == 5  # the five old copies are one ad
    # now 100 "ancient" tokens (1 ad) tie with the 40 "repeated" ones below the 100 tokens held by 3 ads
    assert report.drift_ratio == pytest.approx(0.30)
    wider = build_report(artifacts, _baseline(tmp_path / "baseline.json"), days=45, top_n=200)
    assert wider.absent == 130 and wider.drift_ratio == pytest.approx(0.65)


def test_no_recent_job_descriptions_gives_no_ratio(tmp_path: Path) -> None:
    report = build_report(tmp_path / "missing", _baseline(tmp_path / "baseline.json"), days=30)
    assert report.documents == 0 and report.drift_ratio is None
    path = tmp_path / "report.json"
    write_text_atomically(path, report.model_dump_json())
    registry = CollectorRegistry()
    registry.register(VocabularyDriftCollector(path))
    samples = parse(generate_latest(registry).decode())
    assert value(samples, "resume_optimizer_vocabulary_drift_ratio") is None
    assert value(samples, "resume_optimizer_vocabulary_drift_report_timestamp_seconds") == pytest.approx(
        report.generated_at.timestamp()
    )


def test_drift_command_writes_the_report_that_the_collector_serves(artifacts: Path, tmp_path: Path) -> None:
    out = tmp_path / "drift" / "vocabulary.json"
    registry = CollectorRegistry()
    registry.register(VocabularyDriftCollector(out))
    assert "vocabulary_drift" not in generate_latest(registry).decode()  # no report yet: no series
    command = drift_command(
        "--artifacts",
        artifacts,
        "--baseline",
        _baseline(tmp_path / "baseline.json"),
        "--out",
        out,
        "--days",
        "30",
    )
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["drift_ratio"] == pytest.approx(0.30)
    assert not any(token in done.stdout + done.stderr for token in KNOWN + NOVEL)  # counts only, no job tokens
    assert [p.name for p in out.parent.iterdir()] == ["vocabulary.json"]  # no temporary file left behind
    samples = parse(generate_latest(registry).decode())
    assert value(samples, "resume_optimizer_vocabulary_drift_ratio") == pytest.approx(0.30)
    assert time.time() - value(samples, "resume_optimizer_vocabulary_drift_report_timestamp_seconds") < 60


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_an_unreadable_report_is_logged_without_its_tokens(tmp_path: Path) -> None:
    report = build_report(tmp_path / "missing", _baseline(tmp_path / "baseline.json"), days=30).model_dump(mode="json")
    report["top_tokens"] = [{"token": "novel000", "documents": "confidentialterm", "in_training": False}]
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report))
    handler, logger = _Records(), logging.getLogger("transformer.drift")
    logger.addHandler(handler)
    try:
        registry = CollectorRegistry()
        registry.register(VocabularyDriftCollector(path))
        assert "vocabulary_drift" not in generate_latest(registry).decode()  # a bad report: no series
    finally:
        logger.removeHandler(handler)
    [record] = handler.records
    logged = json.dumps({k: str(v) for k, v in vars(record).items()})
    assert record.error == "ValidationError" and "1 invalid field" in record.reason
    assert "confidentialterm" not in logged and "novel000" not in logged


def test_drift_command_refuses_a_missing_baseline(tmp_path: Path) -> None:
    command = drift_command("--artifacts", tmp_path, "--baseline", tmp_path / "nope.json", "--out", tmp_path / "r.json")
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 2 and "nope.json" in done.stderr and not (tmp_path / "r.json").exists()


def _tailor(transformer: RunningTransformer, resume: str, job: str) -> None:
    body = {"resume_text": resume, "job_description": job}
    response = httpx.post(f"{transformer.url}/optimize/text", json=body, timeout=180)
    assert response.status_code == 200, response.text


def test_shifted_inputs_move_the_feature_metrics_and_vocabulary_drift(transformer: RunningTransformer) -> None:
    # baseline-like traffic: the sample resume and job description
    before = scrape(transformer.url)
    _tailor(transformer, RESUME_TEXT, JOB_TEXT)
    normal = scrape(transformer.url)
    # shifted traffic: a long, repetitive resume and a job description from another field
    long_resume = RESUME_TEXT + "\n" + "\n".join(["Python Kubernetes engineer building data platforms."] * 60)
    shifted_job = (
        "Quantum photonics researcher: cryostat, interferometry, superconducting qubits, "
        "waveguides, lithography, spectroscopy and Hamiltonian tomography."
    )
    _tailor(transformer, long_resume, shifted_job)
    shifted = scrape(transformer.url)

    words = "resume_optimizer_resume_words"
    assert mean(before, normal, words) == word_count(RESUME_TEXT)
    assert mean(normal, shifted, words) == word_count(long_resume) > mean(before, normal, words)
    diversity = "resume_optimizer_lexical_diversity_ratio"
    assert mean(normal, shifted, diversity) == pytest.approx(lexical_diversity(long_resume))
    assert mean(normal, shifted, diversity) < mean(before, normal, diversity)
    job_words = "resume_optimizer_job_description_words"
    assert mean(normal, shifted, job_words) < mean(before, normal, job_words)
    text = value(shifted, "resume_optimizer_input_format_total", format="text") or 0
    assert text - (value(before, "resume_optimizer_input_format_total", format="text") or 0) == 2

    # the drift job over this transformer's artifacts: the quantum ad's tokens are unseen in training
    out = transformer.artifacts.parent / "drift" / "vocabulary.json"  # the transformer's default report path
    command = drift_command("--artifacts", transformer.artifacts, "--out", out)
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    absent = {t["token"] for t in report["top_tokens"] if not t["in_training"]}
    assert {"quantum", "photonics", "cryostat", "qubits"} <= absent and "kubernetes" not in absent
    served = scrape(transformer.url)
    assert value(served, "resume_optimizer_vocabulary_drift_ratio") == pytest.approx(report["drift_ratio"])
    assert report["drift_ratio"] > 0
