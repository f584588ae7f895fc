"""The Grafana dashboards parse, have the datasource / namespace / service variables, set a unit and thresholds
on every panel, show the panels the issue asks for, and query only series that exist (the transformer's, the
recording rules', vLLM's and the DCGM exporter's). tests/test_monitoring_live.py runs every query for real."""

from __future__ import annotations

from typing import Any

import pytest

from tests.monitoring_files import DASHBOARD_FILES, dashboards, known_names, metric_names, panel_queries, panels

BOARDS = dashboards()


def test_both_dashboards_are_there() -> None:
    assert {p.name for p in DASHBOARD_FILES} == {"resume-optimizer-service.json", "resume-optimizer-quality.json"}


@pytest.mark.parametrize("name", sorted(BOARDS))
def test_dashboard_model(name: str) -> None:
    board = BOARDS[name]
    assert board["uid"] and board["title"].startswith("Resume optimizer")
    assert 36 <= board["schemaVersion"] <= 41
    variables = {v["name"]: v for v in board["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource" and variables["datasource"]["query"] == "prometheus"
    for var in ("namespace", "service"):
        assert variables[var]["type"] == "query" and "label_values(" in variables[var]["definition"]
    ids = [panel["id"] for panel in board["panels"]]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("name", sorted(BOARDS))
def test_every_panel_has_a_unit_thresholds_and_queries(name: str) -> None:
    for panel in panels(BOARDS[name]):
        defaults: dict[str, Any] = panel["fieldConfig"]["defaults"]
        assert defaults.get("unit"), panel["title"]
        steps = defaults.get("thresholds", {}).get("steps", [])
        assert steps and steps[0]["value"] is None, panel["title"]
        assert panel["targets"] and all(t["expr"].strip() for t in panel["targets"]), panel["title"]
        assert all(t["datasource"]["uid"] == "${datasource}" for t in panel["targets"]), panel["title"]
        assert panel.get("description"), panel["title"]


@pytest.mark.parametrize("name", sorted(BOARDS))
def test_queries_use_the_template_variables(name: str) -> None:
    for title, expr in panel_queries(BOARDS[name]):
        if "ALERTS" not in expr:
            assert 'namespace=~"$namespace"' in expr, title
        if "resume_optimizer" in expr and "predictor" not in expr and "gpu" not in expr:
            assert 'service=~"$service"' in expr, title
        assert "$__range" not in expr and "$__interval" not in expr, title


@pytest.mark.parametrize("name", sorted(BOARDS))
def test_dashboards_reference_only_metrics_that_exist(name: str) -> None:
    known = known_names()
    unknown = {
        (title, metric)
        for title, expr in panel_queries(BOARDS[name])
        for metric in metric_names(expr)
        if metric not in known
    }
    assert not unknown


def test_the_issue_panels_are_there() -> None:
    titles = {panel["title"] for board in BOARDS.values() for panel in panels(board)}
    assert {
        "Requests per second",
        "Latency p50 / p95 / p99",
        "Failure rate (4xx + 5xx)",
        "Time to first token",
        "Tokens per second",
        "Running and waiting requests",
        "KV-cache use",
        "GPU utilisation",
        "GPU memory",
        "Schema validity (30-day rolling)",
        "Mean skill items",
        "Shared token ratio against baseline",
        "Hallucination rate",
        "Input drift",
        "Vocabulary drift",
        "Quality flags (of 3)",
        "Days to quarterly refresh",
        "Alerts (firing and pending)",
    } <= titles


def test_limit_lines_sit_at_the_alert_thresholds() -> None:
    by_title = {panel["title"]: panel for board in BOARDS.values() for panel in panels(board)}

    def values(title: str) -> list[float]:
        steps = by_title[title]["fieldConfig"]["defaults"]["thresholds"]["steps"]
        return [s["value"] for s in steps if s["value"] is not None]

    assert values("Schema validity (30-day rolling)") == [0.93]
    assert values("Mean skill items") == [24]
    assert 0.02 in values("Hallucination rate")
    assert values("Latency p50 / p95 / p99") == [50]
    assert values("Failure rate (4xx + 5xx)") == [0.02]
    assert values("Input drift") == [-0.2, -0.1, 0.1, 0.2]
    assert values("Vocabulary drift")[-1] == 0.3
    assert by_title["Input drift"]["fieldConfig"]["defaults"]["custom"]["cellOptions"]["type"] == "color-background"
