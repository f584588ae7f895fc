"""The Prometheus rule files pass `promtool check rules`, their promtool unit tests pass, every alert carries
`for:`, a severity, a summary and a description, and has a unit test in which it fires and one in which it stays
silent; the rules select only series that exist."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from tests.monitoring_files import (
    MONITORING,
    RULE_FILES,
    RULE_TEST_FILES,
    alerts,
    known_names,
    metric_names,
    promtool,
    rules,
)

SEVERITIES = {"critical", "warning", "info"}


def test_there_are_rule_files_and_rule_tests() -> None:
    assert {p.name for p in RULE_FILES} == {"resume-optimizer-service.yaml", "resume-optimizer-quality.yaml"}
    assert RULE_TEST_FILES


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_promtool_check_rules(path: Path) -> None:
    result = subprocess.run([promtool(), "check", "rules", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


@pytest.mark.parametrize("path", RULE_TEST_FILES, ids=lambda p: p.name)
def test_promtool_unit_tests(path: Path) -> None:
    result = subprocess.run(
        [promtool(), "test", "rules", path.name], cwd=path.parent, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAILED" not in result.stdout + result.stderr


def test_every_rule_file_is_unit_tested() -> None:
    tested = {
        (path.parent / rule_file).resolve()
        for path in RULE_TEST_FILES
        for rule_file in yaml.safe_load(path.read_text())["rule_files"]
    }
    assert set(RULE_FILES) <= tested


def test_every_alert_has_for_severity_summary_and_description() -> None:
    problems = []
    for alert in alerts():
        name = alert["alert"]
        if not alert.get("for"):
            problems.append(f"{name}: no for:")
        if alert.get("labels", {}).get("severity") not in SEVERITIES:
            problems.append(f"{name}: severity not one of {sorted(SEVERITIES)}")
        for key in ("summary", "description"):
            if len(alert.get("annotations", {}).get(key, "").strip()) < 20:
                problems.append(f"{name}: no {key}")
    assert not problems, problems


def test_every_alert_has_a_unit_test_where_it_fires_and_one_where_it_stays_silent() -> None:
    fired: set[str] = set()
    silent: set[str] = set()
    for path in RULE_TEST_FILES:
        for test in yaml.safe_load(path.read_text())["tests"]:
            for case in test.get("alert_rule_test", []):
                (fired if case.get("exp_alerts") else silent).add(case["alertname"])
    names = {alert["alert"] for alert in alerts()}
    assert names - fired == set(), "alerts never shown firing"
    assert names - silent == set(), "alerts never shown silent"
    assert (fired | silent) <= names, "unit tests of alerts that do not exist"


def test_the_issue_alerts_are_all_there() -> None:
    names = {alert["alert"] for alert in alerts()}
    assert {
        "ResumeOptimizerLatencyHigh",
        "ResumeOptimizerFailureRateHigh",
        "ResumeOptimizerSchemaValidityLow",
        "ResumeOptimizerSkillItemsLow",
        "ResumeOptimizerHallucinationRateHigh",
        "ResumeOptimizerSharedTokenRatioOffBaseline",
        "ResumeOptimizerInputDriftWarning",
        "ResumeOptimizerInputDriftCritical",
        "ResumeOptimizerRetrainingVocabularyDrift",
        "ResumeOptimizerRetrainingQualityDegradation",
        "ResumeOptimizerRetrainingQuarterlyRefresh",
        "ResumeOptimizerPredictorDown",
        "ResumeOptimizerPredictorQueueGrowing",
        "ResumeOptimizerGPUMemoryHigh",
    } <= names


def test_rules_select_only_series_that_exist() -> None:
    known = known_names()
    unknown = {
        (rule.get("record") or rule["alert"], name)
        for rule in rules()
        for name in metric_names(rule["expr"])
        if name not in known
    }
    assert not unknown


def test_recording_rules_follow_the_mixin_naming() -> None:
    for rule in rules():
        if "record" in rule:
            level, metric, operations = rule["record"].split(":")
            assert level == "resume_optimizer" and metric and operations, rule["record"]


def test_retraining_triggers_are_exported_as_status_series() -> None:
    status = "resume_optimizer:retraining_trigger:status"
    triggers = {rule["labels"]["trigger"] for rule in rules() if rule.get("record") == status}
    assert triggers == {"vocabulary_drift", "quality_degradation", "quarterly_refresh"}


def test_the_predictor_selector_is_one_convention() -> None:
    """The README tells users to replace job=~".*predictor.*" to select their predictor: it must be the only one."""
    texts = [path.read_text() for path in (MONITORING / "rules").glob("*.yaml")]
    texts += [path.read_text() for path in (MONITORING / "dashboards").glob("*.json")]
    for text in texts:
        for line in text.splitlines():
            if "job=" in line and "vllm" in line:
                assert 'job=~".*predictor.*"' in line or 'job=~\\".*predictor.*\\"' in line, line
