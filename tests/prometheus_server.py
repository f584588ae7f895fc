"""A real Prometheus (Debian's binary) for tests: temporary config, the repo's rule files, short intervals."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import Any

import httpx
import yaml

from tests.conftest import free_port, stop_predictor


@dataclass(frozen=True)
class ScrapeJob:
    """One scrape job: `job` names it, `labels` are added to its series (as a ServiceMonitor would add them)."""

    job: str
    address: str  # host:port
    labels: dict[str, str] = field(default_factory=dict)
    honor_labels: bool = False


class PrometheusServer:
    """Query client of a running Prometheus."""

    def __init__(self, url: str, process: subprocess.Popen, log: Path) -> None:
        self.url = url
        self.process = process
        self.log = log

    def query(self, expr: str) -> list[dict[str, Any]]:
        """Instant query; the result vector (raises on a query error)."""
        response = httpx.get(f"{self.url}/api/v1/query", params={"query": expr}, timeout=30)
        body = response.json()
        if body.get("status") != "success":
            raise AssertionError(f"query failed: {expr}: {body.get('error')}")
        return body["data"]["result"]

    def wait_for(
        self, expr: str, check: Callable[[list[dict[str, Any]]], bool] = bool, timeout_s: float = 60
    ) -> list[dict[str, Any]]:
        """Query until `check(result)` holds; fail with the last result after `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        while True:
            result = self.query(expr)
            if check(result):
                return result
            if time.monotonic() > deadline:
                raise AssertionError(f"no matching result for {expr} within {timeout_s} s; last: {result}")
            time.sleep(0.5)

    def value(self, expr: str, **labels: str) -> float | None:
        """The value of the one series of `expr` whose labels include `labels` (None when there is none)."""
        matches = [r for r in self.query(expr) if labels.items() <= r["metric"].items()]
        assert len(matches) <= 1, matches
        return float(matches[0]["value"][1]) if matches else None

    def targets_up(self) -> dict[str, float]:
        return {r["metric"]["job"]: float(r["value"][1]) for r in self.query("up")}


@contextmanager
def running_prometheus(
    tmp: Path, jobs: list[ScrapeJob], rule_files: list[Path], interval_s: float = 1, timeout_s: float = 60
) -> Iterator[PrometheusServer]:
    """Start Prometheus with the given scrape jobs and rule files (scrape and rule evaluation every interval_s)."""
    binary = shutil.which("prometheus")
    assert binary, "prometheus not found: install Debian's prometheus package (make system-deps)"
    interval = f"{int(interval_s * 1000)}ms"
    config = {
        "global": {"scrape_interval": interval, "evaluation_interval": interval, "scrape_timeout": interval},
        "rule_files": [str(p) for p in rule_files],
        "scrape_configs": [
            {
                "job_name": job.job,
                "honor_labels": job.honor_labels,
                "static_configs": [{"targets": [job.address], "labels": job.labels}],
            }
            for job in jobs
        ],
    }
    config_path = tmp / "prometheus.yml"
    config_path.write_text(yaml.safe_dump(config))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp / "prometheus.log"
    cmd = [
        binary,
        f"--config.file={config_path}",
        f"--storage.tsdb.path={tmp / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--log.level=warn",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"prometheus exited ({process.returncode}):\n{log.read_text()[-4000:]}")
            try:
                if httpx.get(f"{url}/-/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"prometheus not ready after {timeout_s} s:\n{log.read_text()[-4000:]}")
            time.sleep(0.3)
        yield PrometheusServer(url, process, log)
    finally:
        stop_predictor(process)  # conftest's terminate-then-kill, for any child process


@contextmanager
def serving_text(text: Callable[[], str]) -> Iterator[str]:
    """Serve `text()` at /metrics on a free loopback port (for an exporter that cannot run here); yields host:port."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = text().encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
