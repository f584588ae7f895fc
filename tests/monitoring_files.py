"""The monitoring files (rules, promtool tests, dashboards) and the metric names their queries use, for tests."""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
MONITORING = ROOT / "monitoring"
RULE_FILES = sorted((MONITORING / "rules").glob("*.yaml"))
RULE_TEST_FILES = sorted((MONITORING / "tests").glob("*.test.yaml"))
DASHBOARD_FILES = sorted((MONITORING / "dashboards").glob("*.json"))

# Series that do not come from our code: Prometheus' own, vLLM's (checked against a real predictor's /metrics by
# tests/test_monitoring_live.py) and NVIDIA's DCGM exporter (documented at
# https://docs.nvidia.com/datacenter/dcgm/latest/dcgm-api/dcgm-api-field-ids.html; no GPU here).
PROMETHEUS_NAMES = {"up", "ALERTS"}
VLLM_NAMES = {
    "vllm:num_requests_running",
    "vllm:num_requests_waiting",
    "vllm:kv_cache_usage_perc",
    "vllm:time_to_first_token_seconds_bucket",
    "vllm:generation_tokens_total",
    "vllm:prompt_tokens_total",
}
DCGM_NAMES = {"DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE"}

_KEYWORDS = {
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "bool",
    "and",
    "or",
    "unless",
    "offset",
    "inf",
    "nan",
}
_TEMPLATE_VARS = re.compile(r"\$\{?\w+\}?")


def promtool() -> str:
    """The promtool binary (Debian's prometheus package; `make system-deps` installs it)."""
    path = shutil.which("promtool")
    assert path, "promtool not found: install Debian's prometheus package (make system-deps)"
    return path


def metric_names(expr: str) -> set[str]:
    """Metric names a PromQL expression selects (labels, strings, functions, keywords and durations removed)."""
    text = _TEMPLATE_VARS.sub("x", expr)
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)  # string literals
    text = re.sub(r"\{[^}]*\}", "", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)  # ranges and subqueries
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    names = set()
    for match in re.finditer(r"(?<![\w:.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?", text):
        name, call = match.group(1), match.group(2)
        if call or name.lower() in _KEYWORDS or re.fullmatch(r"\d+\w*", name):
            continue
        names.add(name)
    return names


def load_rule_groups() -> list[tuple[Path, dict[str, Any]]]:
    return [(path, group) for path in RULE_FILES for group in yaml.safe_load(path.read_text())["groups"]]


def rules() -> Iterator[dict[str, Any]]:
    for _path, group in load_rule_groups():
        yield from group["rules"]


def alerts() -> list[dict[str, Any]]:
    return [rule for rule in rules() if "alert" in rule]


def recorded_names() -> set[str]:
    return {rule["record"] for rule in rules() if "record" in rule}


def transformer_metric_names() -> set[str]:
    """Every series name the transformer's code can export (histograms and counters with their suffixes)."""
    names = set()
    for source in (ROOT / "transformer").rglob("*.py"):
        for base in re.findall(r'"(resume_optimizer_[a-z0-9_]+)"', source.read_text()):
            names |= {base, f"{base}_bucket", f"{base}_sum", f"{base}_count"}
    return names


def known_names() -> set[str]:
    return transformer_metric_names() | recorded_names() | PROMETHEUS_NAMES | VLLM_NAMES | DCGM_NAMES


def dashboards() -> dict[str, dict[str, Any]]:
    return {path.name: json.loads(path.read_text()) for path in DASHBOARD_FILES}


def panels(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every panel but rows (rows only group panels; collapsed rows hold theirs inside)."""
    for panel in dashboard["panels"]:
        if panel["type"] == "row":
            yield from panel.get("panels", [])
        else:
            yield panel


def panel_queries(dashboard: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(panel title, PromQL expression) for every query of every panel."""
    for panel in panels(dashboard):
        for target in panel.get("targets", []):
            yield panel["title"], target["expr"]


def drift_command(*options: str | Path) -> list[str]:
    """`python -m transformer.drift vocabulary OPTIONS...` with this interpreter."""
    return [sys.executable, "-m", "transformer.drift", "vocabulary", *map(str, options)]
