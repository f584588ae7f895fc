"""The training baseline: built from chat-format JSONL, shipped with the adapter's figures, exported as gauges."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from samples.make_stand_in_baseline import stand_in_baseline
from samples.make_training_pairs import generate
from tests.resume_builders import make_resume
from transformer.baseline import build_baseline, parse_pair, read_pairs
from transformer.generation.prompting import build_messages
from transformer.monitoring.baseline_file import Baseline, BaselineCollector, load_baseline
from transformer.settings import DEFAULT_BASELINE_PATH

ROOT = Path(__file__).resolve().parent.parent


def _answer(skills: list[str]) -> str:
    """A valid tailored resume whose only words are the given skill names."""
    return make_resume(skills=[{"name": s} for s in skills]).model_dump_json(by_alias=True)


def _record(resume: str, job: str, answer: str, fmt: str | None) -> dict[str, Any]:
    record: dict[str, Any] = {"messages": [*build_messages(resume, job), {"role": "assistant", "content": answer}]}
    if fmt is not None:
        record["input_format"] = fmt
    return record


def _resume(n: int) -> str:
    return " ".join(f"word{i}" for i in range(n))  # n words, n distinct non-stopword tokens


@pytest.fixture()
def known_pairs(tmp_path: Path) -> Path:
    # resume words 10/20/30/40; job words 3/2/3/3; skills 2/4/(invalid)/5; formats pdf/pdf/docx/unknown
    records = [
        _record(_resume(10), "Kubernetes engineer Go", _answer(["word0", "word1"]), "pdf"),
        _record(_resume(20), "Kubernetes Python", _answer(["word0", "word1", "word2", "word3"]), "pdf"),
        _record(_resume(30), "Kubernetes engineer Go", '{"basics": ', "docx"),
        _record(_resume(40), "Kubernetes engineer Go", _answer([f"word{i}" for i in range(5)]), None),
    ]
    path = tmp_path / "pairs.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n\n")
    return path


def test_build_from_known_pairs_gives_known_figures(known_pairs: Path) -> None:
    baseline = build_baseline(read_pairs(known_pairs), source="known")
    f = baseline.features
    assert baseline.pairs == 4
    assert (f.resume_words.mean, f.resume_words.p5, f.resume_words.p25) == pytest.approx((25, 11.5, 17.5))
    assert (f.resume_words.p50, f.resume_words.p75, f.resume_words.p95) == pytest.approx((25, 32.5, 38.5))
    assert f.job_description_words.mean == pytest.approx(11 / 4)
    assert f.schema_validity.mean == pytest.approx(0.75) and f.schema_validity.p50 is None
    assert f.skill_items.mean == pytest.approx(11 / 3) and f.skill_items.count == 3
    assert f.skill_items.p50 == pytest.approx(4)
    # the answer's tokens are a subset of the resume's: Jaccard = skills / resume words
    assert f.shared_token_ratio.mean == pytest.approx((2 / 10 + 4 / 20 + 5 / 40) / 3)
    assert f.pdf_share.mean == pytest.approx(2 / 3) and f.pdf_share.count == 3
    assert f.lexical_diversity.mean == pytest.approx(1.0)
    # the repeated job description counts once
    assert baseline.vocabulary.documents == 2
    assert baseline.vocabulary.tokens == {"engineer": 1, "go": 1, "kubernetes": 2, "python": 1}
    assert baseline.vocabulary.stand_in is False


def test_baseline_command_writes_a_valid_file(known_pairs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "baseline.json"
    done = subprocess.run(
        [sys.executable, "-m", "transformer.baseline", "build", str(known_pairs), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["pairs"] == 4
    baseline = load_baseline(out)
    assert baseline.pairs == 4 and baseline.features.resume_words.mean == pytest.approx(25)


def test_bad_training_line_is_named(tmp_path: Path) -> None:
    data = tmp_path / "bad.jsonl"
    good = _record(_resume(3), "Go", _answer([]), None)
    data.write_text(json.dumps(good) + "\n" + json.dumps({"messages": [{"role": "user", "content": "hi"}]}) + "\n")
    command = [sys.executable, "-m", "transformer.baseline", "build", str(data), "--out", str(tmp_path / "b.json")]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 2
    assert "bad.jsonl:2" in done.stderr and not (tmp_path / "b.json").exists()


def test_training_file_that_is_not_utf8_is_refused_with_exit_2(tmp_path: Path) -> None:
    data = tmp_path / "latin1.jsonl"
    good = _record(_resume(3), "Go", _answer([]), None)
    data.write_bytes(json.dumps(good).encode() + b"\n" + '{"résumé": 1}\n'.encode("latin-1"))
    command = [sys.executable, "-m", "transformer.baseline", "build", str(data), "--out", str(tmp_path / "b.json")]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "latin1.jsonl: not UTF-8 text" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "b.json").exists()


def test_generated_training_pairs_build_a_plausible_baseline() -> None:
    baseline = build_baseline((parse_pair(r) for r in generate(50, seed=1)), source="generated")
    assert baseline.pairs == 50 and baseline.features.schema_validity.mean == 1.0
    assert 0 < baseline.features.shared_token_ratio.mean < 1
    assert baseline.vocabulary.tokens["kubernetes"] >= 1


def test_shipped_baseline_has_the_adapters_figures_and_a_labelled_stand_in_vocabulary() -> None:
    baseline = load_baseline(DEFAULT_BASELINE_PATH)
    f = baseline.features
    assert baseline.pairs == 1530
    assert (f.resume_words.mean, f.shared_token_ratio.mean) == (1876, 0.157)
    assert (f.skill_items.mean, f.schema_validity.mean) == (29.95, 0.972)
    assert f.job_description_words.mean is None and f.lexical_diversity.mean is None and f.pdf_share.mean is None
    assert baseline.vocabulary.stand_in and "STAND-IN" in baseline.vocabulary.note
    assert len(baseline.vocabulary.tokens) > 300 and "kubernetes" in baseline.vocabulary.tokens


def test_shipped_baseline_is_reproduced_by_its_script() -> None:
    assert stand_in_baseline().model_dump_json(indent=2) + "\n" == DEFAULT_BASELINE_PATH.read_text()


def test_shipped_baseline_becomes_gauges_and_unknown_figures_stay_absent() -> None:
    registry = CollectorRegistry()
    registry.register(BaselineCollector(Baseline.model_validate_json(DEFAULT_BASELINE_PATH.read_bytes())))
    text = generate_latest(registry).decode()
    assert 'resume_optimizer_baseline{feature="resume_words"} 1876.0' in text
    assert 'resume_optimizer_baseline{feature="shared_token_ratio"} 0.157' in text
    assert 'resume_optimizer_baseline{feature="skill_items"} 29.95' in text
    assert 'resume_optimizer_baseline{feature="schema_validity"} 0.972' in text
    assert 'feature="job_description_words"' not in text and 'feature="pdf_share"' not in text
