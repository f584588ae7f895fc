"""resume_optimizer_adapter_age_days: from TRANSFORMER_ADAPTER_TRAINED_AT, or the adapter's created_at in the
predictor's /status (the newest modification time of its files)."""

from __future__ import annotations

import os
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry, generate_latest

from predictor.model_files import resolve_adapter, resolve_base_model
from predictor.settings import PredictorSettings
from tests.conftest import RunningPredictor, RunningTransformer, TinyModel
from tests.prometheus_text import parse, scrape, value
from transformer.metrics import install_collectors
from transformer.monitoring.adapter_age import AdapterAgeCollector, StatusPoller, created_at_from_status
from transformer.settings import TransformerSettings

AGE = "resume_optimizer_adapter_age_days"


def _age(registry: CollectorRegistry) -> float | None:
    return value(parse(generate_latest(registry).decode()), AGE)


def test_trained_at_setting_gives_the_age_and_no_poller(tmp_path: Path) -> None:
    trained = (datetime.now(UTC) - timedelta(days=100)).date().isoformat()  # a plain ISO date: midnight UTC
    settings = TransformerSettings(adapter_trained_at=trained, artifacts_dir=tmp_path / "artifacts")
    registry = CollectorRegistry()
    assert install_collectors(settings, registry) is None
    expected = (datetime.now(UTC) - datetime.fromisoformat(trained).replace(tzinfo=UTC)).total_seconds() / 86400
    assert _age(registry) == pytest.approx(expected, abs=0.01)
    assert 100 <= _age(registry) < 101


def test_trained_at_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRANSFORMER_ADAPTER_TRAINED_AT", "2026-01-15T12:00:00+02:00")
    assert TransformerSettings().adapter_trained_at == datetime(2026, 1, 15, 10, tzinfo=UTC)
    monkeypatch.setenv("TRANSFORMER_ADAPTER_TRAINED_AT", "not a date")
    with pytest.raises(ValueError):
        TransformerSettings()


def test_unknown_training_date_has_no_series() -> None:
    registry = CollectorRegistry()
    registry.register(AdapterAgeCollector(None))
    assert _age(registry) is None


def test_created_at_is_read_from_a_status_document() -> None:
    status = {"adapter": {"created_at": "2026-03-01T00:00:00Z"}}
    assert created_at_from_status(status) == datetime(2026, 3, 1, tzinfo=UTC)
    assert created_at_from_status({"adapter": None}) is None
    assert created_at_from_status({"adapter": {"created_at": "soon"}}) is None
    assert created_at_from_status(None) is None


def test_predictor_reports_the_adapter_files_modification_time(tiny_model: TinyModel, tmp_path: Path) -> None:
    adapter = shutil.copytree(tiny_model.adapter, tmp_path / "adapter")
    moment = time.time() - 45 * 86400
    for path in adapter.iterdir():
        os.utime(path, (moment, moment))
    settings = PredictorSettings(model=str(tiny_model.model), adapter=str(adapter))
    resolved = resolve_adapter(settings, resolve_base_model(settings))
    assert resolved is not None and resolved.created_at == datetime.fromtimestamp(moment, UTC)


def test_age_follows_the_real_predictors_status(predictor: RunningPredictor) -> None:
    status = httpx.get(f"{predictor.url}/status", timeout=10).json()
    created_at = datetime.fromisoformat(status["adapter"]["created_at"])
    registry = CollectorRegistry()
    collector = AdapterAgeCollector(None)
    registry.register(collector)
    poller = StatusPoller(collector, f"{predictor.url}/status", interval_s=60)
    with httpx.Client(timeout=5) as client:
        poller.poll_once(client)
    expected = (datetime.now(UTC) - created_at).total_seconds() / 86400
    assert _age(registry) == pytest.approx(expected, abs=0.001)


def test_transformer_exports_the_age_of_the_served_adapter(
    transformer: RunningTransformer, predictor: RunningPredictor
) -> None:
    created_at = datetime.fromisoformat(
        httpx.get(f"{predictor.url}/status", timeout=10).json()["adapter"]["created_at"]
    )
    expected = (datetime.now(UTC) - created_at).total_seconds() / 86400
    deadline = time.monotonic() + 30  # the poller reads /status at start-up, then every 60 s
    while (age := value(scrape(transformer.url), AGE)) is None and time.monotonic() < deadline:
        time.sleep(1)
    assert age == pytest.approx(expected, abs=0.001)
    assert 0 <= age < 1  # the tiny adapter was built in this test session


def test_poller_keeps_the_last_date_while_the_predictor_is_unreachable() -> None:
    collector = AdapterAgeCollector(datetime(2026, 1, 1, tzinfo=UTC))
    poller = StatusPoller(collector, "http://127.0.0.1:9/status", interval_s=60)  # port 9 (discard): refused
    with httpx.Client(timeout=2) as client:
        poller.poll_once(client)
    assert collector.trained_at == datetime(2026, 1, 1, tzinfo=UTC)
