"""benchmarks/quality_eval.py against the real stack: every pair answered and counted, figures consistent."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import RunningTransformer

ROOT = Path(__file__).resolve().parent.parent


def test_quality_eval_reports_every_pair_of_the_running_stack(transformer: RunningTransformer, tmp_path: Path) -> None:
    out = tmp_path / "quality.json"
    command = [sys.executable, "-m", "benchmarks.quality_eval", "--url", transformer.url, "--pairs", "6"]
    done = subprocess.run([*command, "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(out.read_text())
    names = [o["name"] for o in summary["outcomes"]]
    # the sample, the four generated layouts (a scan among them), then generated text pairs
    assert names[0] == "sample.pdf" and names[1].startswith("layout-") and names[5].startswith("generated-")
    assert summary["pairs"] == 6 == sum(summary["statuses"].values())
    assert summary["model"]["base_model"] == "tiny-qwen3" and summary["model"]["adapter"] == "resume-optimizer"
    valid = [o for o in summary["outcomes"] if o["status"] == 200]
    assert summary["schema_valid_rate"] == len(valid) / 6 and summary["parse_rate"] >= summary["schema_valid_rate"]
    assert valid, done.stdout  # the tiny model under the schema answers validly
    assert summary["output_tokens_mean"] == sum(o["output_tokens"] for o in valid) / len(valid)
    assert 0 < summary["latency_p50_s"] <= summary["latency_p95_s"]
    assert "schema-valid rate" in done.stdout and "tokens/s" in done.stdout


def test_quality_eval_says_when_nothing_answers(tmp_path: Path) -> None:
    from tests.conftest import free_port

    url = f"http://127.0.0.1:{free_port()}"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.quality_eval", "--url", url, "--pairs", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1 and "did not answer" in done.stderr
