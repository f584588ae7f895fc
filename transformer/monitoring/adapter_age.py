"""resume_optimizer_adapter_age_days: how old the served LoRA adapter is (the quarterly-refresh trigger's input).

The training date comes from TRANSFORMER_ADAPTER_TRAINED_AT when set; otherwise from the adapter's
`created_at` in the predictor's GET /status, read in a background thread every
TRANSFORMER_ADAPTER_STATUS_INTERVAL_S (so a new adapter rolled out behind the same transformer is noticed).
The age itself is computed at scrape time; the series is absent while the date is unknown.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

log = logging.getLogger("transformer.adapter_age")


def as_utc(moment: datetime) -> datetime:
    """A naive date-time is taken as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def created_at_from_status(status: object) -> datetime | None:
    """The adapter's created_at in a predictor /status document (None when absent or unreadable)."""
    if not isinstance(status, dict) or not isinstance(status.get("adapter"), dict):
        return None
    value = status["adapter"].get("created_at")
    if not isinstance(value, str):
        return None
    try:
        return as_utc(datetime.fromisoformat(value))
    except ValueError:
        return None


class AdapterAgeCollector(Collector):
    """Exports the age in days of the adapter's training date, wherever that date came from."""

    def __init__(self, trained_at: datetime | None = None) -> None:
        self.trained_at = as_utc(trained_at) if trained_at else None

    def collect(self) -> Iterator[GaugeMetricFamily]:
        trained_at = self.trained_at
        if trained_at is None:
            return
        age = (datetime.now(UTC) - trained_at).total_seconds() / 86400
        yield GaugeMetricFamily(
            "resume_optimizer_adapter_age_days", "Days since the served LoRA adapter was trained", value=age
        )


class StatusPoller:
    """Reads the predictor's /status every `interval_s` and feeds the adapter's created_at to the collector."""

    def __init__(self, collector: AdapterAgeCollector, status_url: str, interval_s: float) -> None:
        self.collector, self.status_url, self.interval_s = collector, status_url, interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="adapter-status-poller", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def poll_once(self, client: httpx.Client) -> None:
        try:
            response = client.get(self.status_url)
            status = response.json() if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError):
            return  # predictor not up yet: keep the last known date and try again later
        created_at = created_at_from_status(status)
        if created_at is not None and created_at != self.collector.trained_at:
            log.info("adapter creation time read", extra={"created_at": created_at.isoformat()})
        if created_at is not None or (isinstance(status, dict) and status.get("adapter") is None):
            self.collector.trained_at = created_at  # None: the base model alone is served, no adapter age

    def _run(self) -> None:
        with httpx.Client(timeout=5) as client:
            while not self._stop.is_set():
                started = time.monotonic()
                self.poll_once(client)
                self._stop.wait(max(0.0, self.interval_s - (time.monotonic() - started)))
