"""Live: a real Prometheus (Debian's binary) loads the repo's rule files and scrapes a real transformer and a real
vLLM predictor (tiny model). After a burst of requests every query of every dashboard panel returns data and
every recording rule produces series; inputs from a shifted distribution move the input-drift series the right
way (the 7- and 30-day windows with their alert timing are unit-tested with promtool in monitoring/tests/).

The one stand-in: GPU series. No GPU (and so no DCGM exporter) exists on these machines, so a small HTTP server
serves the DCGM exporter's metric names in its format, for the GPU panels and rules.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import RunningPredictor, start_transformer, stop_predictor
from tests.monitoring_files import (
    DCGM_NAMES,
    MONITORING,
    RULE_FILES,
    VLLM_NAMES,
    dashboards,
    drift_command,
    panel_queries,
    recorded_names,
)
from tests.prometheus_server import PrometheusServer, ScrapeJob, running_prometheus, serving_text
from tests.prometheus_text import scrape
from tests.sample_documents import JOB_TEXT, RESUME_TEXT, resume_pdf
from transformer.monitoring.baseline_file import load_baseline
from transformer.quality.features import lexical_diversity, word_count

NAMESPACE = "resume-optimizer"
SERVICE = "resume-optimizer-transformer"
FEATURES = ("resume_words", "job_description_words", "lexical_diversity", "shared_token_ratio", "pdf_share")
LONG_RESUME = "\n\n".join([RESUME_TEXT] * 3)  # the shifted distribution: resumes three times as long, no PDFs
DRIFT = 'resume_optimizer:input_drift:ratio{window}{{feature="{feature}"}}'
DCGM_LABELS = (
    f'gpu="0",UUID="GPU-stand-in",modelName="stand-in",namespace="{NAMESPACE}",'
    'pod="resume-optimizer-predictor-0",container="kserve-container"'
)


def dcgm_stand_in() -> str:
    """DCGM exporter's text format and names (dcgm-exporter's default counters), with fixed figures."""
    figures = {"DCGM_FI_DEV_GPU_UTIL": 37, "DCGM_FI_DEV_FB_USED": 70000, "DCGM_FI_DEV_FB_FREE": 11000}
    return "".join(
        f"# HELP {name} stand-in\n# TYPE {name} gauge\n{name}{{{DCGM_LABELS}}} {value}\n"
        for name, value in figures.items()
    )


def write_baseline(path: Path) -> dict[str, float]:
    """The shipped baseline with every input feature's mean set to the unshifted traffic's figures."""
    data = json.loads((MONITORING / "baseline.json").read_text())
    means = {
        "resume_words": word_count(RESUME_TEXT),
        "job_description_words": word_count(JOB_TEXT),
        "lexical_diversity": lexical_diversity(RESUME_TEXT),
        "pdf_share": 0.5,
    }
    for name, mean in means.items():
        data["features"][name]["mean"] = mean
    path.write_text(json.dumps(data))
    load_baseline(path)  # the transformer must accept it
    return means | {"shared_token_ratio": data["features"]["shared_token_ratio"]["mean"]}


@dataclass
class Live:
    prometheus: PrometheusServer
    predictor: RunningPredictor
    transformer_url: str
    baseline: dict[str, float]
    drift_report: dict[str, Any] = field(default_factory=dict)
    drift: dict[str, dict[str, float]] = field(default_factory=dict)  # phase -> feature -> 7-day drift
    drift30: dict[str, dict[str, float]] = field(default_factory=dict)
    pending: dict[str, set[str]] = field(default_factory=dict)  # phase -> features with a drift alert


def send(url: str, kind: str) -> int:
    if kind == "pdf":
        files = {"resume": ("cv.pdf", resume_pdf(), "application/pdf")}
        response = httpx.post(f"{url}/optimize", files=files, data={"job_description": JOB_TEXT}, timeout=240)
    elif kind == "bad":  # no job description: 422
        response = httpx.post(f"{url}/optimize/text", json={"resume_text": RESUME_TEXT}, timeout=60)
    else:
        text = LONG_RESUME if kind == "long" else RESUME_TEXT
        options = {"mode": "batch"} if kind == "batch" else {}
        body = {"resume_text": text, "job_description": JOB_TEXT, "options": options}
        response = httpx.post(f"{url}/optimize/text", json=body, timeout=240)
    return response.status_code


def burst(url: str, kinds: list[str]) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        codes = list(pool.map(lambda kind: send(url, kind), kinds))
    expected = [422 if kind == "bad" else 200 for kind in kinds]
    assert codes == expected


def settle(live: Live, phase: str) -> None:
    """Wait until Prometheus' 7-day mean of resume words is the transformer's own figure, then read the drift."""
    prom = live.prometheus
    samples = scrape(live.transformer_url)
    count = samples[("resume_optimizer_resume_words_count", frozenset())]
    mean = samples[("resume_optimizer_resume_words_sum", frozenset())] / count
    query = 'resume_optimizer:input_feature:mean7d{feature="resume_words"}'
    prom.wait_for(query, lambda r: bool(r) and abs(float(r[0]["value"][1]) - mean) < 1e-6 * mean)
    time.sleep(2.5)  # two more evaluations: the drift rules and the alerts after them
    live.drift[phase] = {f: prom.value(DRIFT.format(window="7d", feature=f)) for f in FEATURES}
    live.drift30[phase] = {f: prom.value(DRIFT.format(window="30d", feature=f)) for f in FEATURES}
    alerts = prom.query('ALERTS{alertname=~"ResumeOptimizerInputDrift.*"}')
    live.pending[phase] = {a["metric"]["feature"] for a in alerts}
    # the rule's arithmetic, against the transformer's own figures
    assert live.drift[phase]["resume_words"] == pytest.approx(mean / live.baseline["resume_words"] - 1, rel=1e-6)


@pytest.fixture(scope="module")
def live(predictor: RunningPredictor, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    tmp = tmp_path_factory.mktemp("monitoring-live")
    baseline = write_baseline(tmp / "baseline.json")
    report = tmp / "drift" / "vocabulary.json"
    proc, transformer = start_transformer(
        predictor.url.removeprefix("http://"),
        tmp,
        TRANSFORMER_BASELINE_PATH=str(tmp / "baseline.json"),
        TRANSFORMER_VOCABULARY_DRIFT_REPORT=str(report),
        TRANSFORMER_ADAPTER_STATUS_INTERVAL_S="1",
    )
    try:
        with serving_text(dcgm_stand_in) as dcgm:
            jobs = [
                ScrapeJob(
                    "resume-optimizer-transformer",
                    transformer.url.removeprefix("http://"),
                    {"namespace": NAMESPACE, "service": SERVICE},
                ),
                ScrapeJob(
                    "resume-optimizer-predictor",
                    predictor.url.removeprefix("http://"),
                    {"namespace": NAMESPACE, "service": "resume-optimizer-predictor"},
                ),
                ScrapeJob("dcgm-exporter", dcgm, {"namespace": "gpu-operator"}, honor_labels=True),
            ]
            with running_prometheus(tmp, jobs, RULE_FILES) as prom:
                prom.wait_for("up == 1", lambda r: len(r) == 3)
                live = Live(prom, predictor, transformer.url, baseline)
                # Unshifted traffic: the baseline's resumes, half of them PDFs; one batch request and one bad one.
                burst(transformer.url, ["text", "pdf", "batch", "pdf", "bad"])
                settle(live, "unshifted")
                # Shifted: four resumes three times as long, as text.
                burst(transformer.url, ["long"] * 4)
                settle(live, "shifted")
                # The vocabulary-drift job over the stored artifacts; the transformer serves its report.
                subprocess.run(
                    drift_command(
                        "--artifacts", transformer.artifacts, "--baseline", tmp / "baseline.json", "--out", report
                    ),
                    check=True,
                    timeout=120,
                )
                live.drift_report = json.loads(report.read_text())
                prom.wait_for("resume_optimizer:vocabulary_drift:ratio")
                yield live
    finally:
        stop_predictor(proc)


def test_prometheus_scrapes_the_transformer_the_predictor_and_the_gpu_exporter(live: Live) -> None:
    assert live.prometheus.targets_up() == {
        "resume-optimizer-transformer": 1,
        "resume-optimizer-predictor": 1,
        "dcgm-exporter": 1,
    }


def test_the_real_predictor_exports_the_vllm_series_the_dashboards_use(live: Live) -> None:
    text = httpx.get(f"{live.predictor.url}/metrics", timeout=10).text
    exported = set(re.findall(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{| )", text, re.MULTILINE))
    assert VLLM_NAMES <= exported, VLLM_NAMES - exported
    assert DCGM_NAMES <= set(re.findall(r"^(DCGM_\w+)\{", dcgm_stand_in(), re.MULTILINE))


@pytest.mark.parametrize("board", sorted(dashboards()))
def test_every_dashboard_query_returns_data(live: Live, board: str) -> None:
    missing = []
    for title, expr in panel_queries(dashboards()[board]):
        query = expr.replace("$namespace", NAMESPACE).replace("$service", SERVICE)
        try:
            live.prometheus.wait_for(query, timeout_s=20)
        except AssertionError:
            missing.append((title, query))
    assert not missing


def test_every_recording_rule_produces_series(live: Live) -> None:
    empty = [name for name in sorted(recorded_names()) if not live.prometheus.query(f'{{__name__="{name}"}}')]
    assert not empty
    statuses = live.prometheus.query("resume_optimizer:retraining_trigger:status")
    assert {s["metric"]["trigger"]: s["value"][1] for s in statuses} == {
        "vocabulary_drift": "1" if live.drift_report["drift_ratio"] >= 0.3 else "0",
        "quality_degradation": "0",  # not 14 days of data
        "quarterly_refresh": "0",  # the tiny adapter was built minutes ago
    }
    for series in live.prometheus.query("resume_optimizer:retraining_trigger:status"):
        assert series["metric"]["namespace"] == NAMESPACE and series["metric"]["service"] == SERVICE


def test_unshifted_inputs_sit_at_the_baseline(live: Live) -> None:
    drift = live.drift["unshifted"]
    assert set(drift) == set(FEATURES) and all(v is not None for v in drift.values())
    assert abs(drift["resume_words"]) < 0.1  # PDF text reads back with about the same words
    assert drift["job_description_words"] == pytest.approx(0, abs=0.02)
    assert drift["pdf_share"] == pytest.approx(0, abs=1e-9)
    assert live.drift30["unshifted"]["pdf_share"] == pytest.approx(0, abs=1e-9)
    assert not {"resume_words", "job_description_words", "pdf_share"} & live.pending["unshifted"]


def test_shifted_inputs_move_the_drift_series_the_right_way(live: Live) -> None:
    before, after = live.drift["unshifted"], live.drift["shifted"]
    assert after["resume_words"] > before["resume_words"] + 0.5  # resumes three times as long: up
    assert after["pdf_share"] == pytest.approx(-0.5, abs=1e-9)  # 2 PDFs of 8 against a baseline of 50%: down
    assert after["job_description_words"] == pytest.approx(before["job_description_words"], abs=0.02)  # unchanged
    assert live.drift30["shifted"]["resume_words"] > live.drift30["unshifted"]["resume_words"] + 0.5
    # the drift alerts go pending for the shifted features only (they fire after their `for:`)
    assert {"resume_words", "pdf_share"} <= live.pending["shifted"]
    assert "job_description_words" not in live.pending["shifted"]


def test_vocabulary_drift_report_reaches_prometheus(live: Live) -> None:
    ratio = live.prometheus.value("resume_optimizer:vocabulary_drift:ratio", namespace=NAMESPACE, service=SERVICE)
    assert ratio == pytest.approx(live.drift_report["drift_ratio"])
    age = live.prometheus.value("resume_optimizer:adapter_age_days:max", namespace=NAMESPACE, service=SERVICE)
    assert age is not None and 0 <= age < 1
