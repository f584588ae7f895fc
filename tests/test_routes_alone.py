"""The plain routes built from explicit dependencies: each handler called alone, and the router served by a bare
FastAPI app (no KServe model server), with a real closed port as the unreachable predictor."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import free_port
from transformer import MODEL_NAME, __version__
from transformer.generation.predictor_client import PredictorClient
from transformer.pipeline import Pipeline
from transformer.routes import TailoringRoutes, build_router, install
from transformer.settings import TransformerSettings
from transformer.storage import ERROR_FILE, JOB_DESCRIPTION_FILE, RESUME_TEXT_FILE, ArtifactStore


def _dependencies(tmp_path: Path) -> tuple[Pipeline, PredictorClient, TransformerSettings]:
    settings = TransformerSettings(
        predictor_host=f"127.0.0.1:{free_port()}",  # nothing listens there: the predictor is down, for real
        predictor_connect_timeout_s=2.0,
        artifacts_dir=tmp_path / "artifacts",
    )
    client = PredictorClient(settings)
    store = ArtifactStore(settings.artifacts_dir, enabled=True, retention_days=1)
    return Pipeline(settings, client, store), client, settings


def test_root_and_schema_handlers_answer_when_called_alone(tmp_path: Path) -> None:
    routes = TailoringRoutes(*_dependencies(tmp_path))
    assert asyncio.run(routes.root()) == {"name": MODEL_NAME, "version": __version__, "status": "alive"}
    schema = asyncio.run(routes.schema())
    assert {"basics", "work", "skills", "tailoring"} <= set(schema["properties"])


def test_health_handler_alone_reports_an_unreachable_predictor_as_503(tmp_path: Path) -> None:
    routes = TailoringRoutes(*_dependencies(tmp_path))
    answer = asyncio.run(routes.health())
    assert answer.status_code == 503
    body = json.loads(answer.body)
    assert body["transformer_ready"] is True and body["predictor_reachable"] is False


def test_router_serves_in_a_bare_app_with_the_service_error_shape(tmp_path: Path) -> None:
    pipeline, client, settings = _dependencies(tmp_path)
    app = FastAPI()
    install(app, pipeline, client, settings)
    with TestClient(app) as http:
        paths = {route.path for route in app.routes}
        assert {"/", "/health", "/schema", "/optimize", "/optimize/text"} <= paths
        missing_job = http.post("/optimize/text", json={"resume_text": "Jane Doe, engineer"})
        assert missing_job.status_code == 422
        assert missing_job.json()["error"] and missing_job.json()["request_id"]
        # A resume long enough that its token count must be asked of the (down) predictor: 503 with Retry-After.
        down = http.post(
            "/optimize/text",
            json={"resume_text": "Jane Doe, platform engineer. " * 400, "job_description": "Kubernetes engineer"},
            headers={"x-request-id": "router-alone-1"},
        )
        assert down.status_code == 503, down.text
        assert down.json()["request_id"] == "router-alone-1"
        assert int(down.headers["retry-after"]) == settings.retry_after_s
        unload = http.post(f"/v2/repository/models/{MODEL_NAME}/unload")
        assert unload.status_code == 403
    stored = settings.artifacts_dir / "router-alone-1"
    assert {ERROR_FILE, RESUME_TEXT_FILE, JOB_DESCRIPTION_FILE} <= {p.name for p in stored.iterdir()}


def test_two_routers_from_different_dependencies_do_not_share_state(tmp_path: Path) -> None:
    first, second = _dependencies(tmp_path / "a"), _dependencies(tmp_path / "b")
    router_a, router_b = build_router(*first), build_router(*second)
    endpoint = {r.path: r.endpoint for r in router_a.routes}["/health"]  # type: ignore[attr-defined]
    other = {r.path: r.endpoint for r in router_b.routes}["/health"]  # type: ignore[attr-defined]
    assert endpoint.__self__.client is first[1] and other.__self__.client is second[1]
