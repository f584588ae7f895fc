"""A model that repeats itself is stopped early, retried once with other sampling, then refused with a 502 that
names the cause, for real: the tiny random model, sampled greedily, writes a run of digits within its first
tokens (what SmolLM2-135M did in a date), and loose size caps would let it run on to max_tokens.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import RunningPredictor, RunningTransformer, engine_counts, start_transformer, stop_predictor
from tests.prometheus_text import scrape, value
from tests.sample_documents import JOB_TEXT, RESUME_TEXT

MAX_TOKENS = 4000  # tens of seconds per attempt for the tiny model on 2 cores, were it not stopped
INVALID = "resume_optimizer_invalid_answers_total"


@pytest.fixture(scope="module")
def looping_transformer(
    predictor: RunningPredictor, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningTransformer]:
    """A transformer whose every attempt is greedy (the retry too), with the default guards but loose size caps."""
    host = predictor.url.removeprefix("http://")
    proc, running = start_transformer(
        host,
        tmp_path_factory.mktemp("looping"),
        TRANSFORMER_GENERATION_MAX_STRING_CHARS="600",  # the caps the tests normally set would end each string soon
        TRANSFORMER_GENERATION_MAX_ITEMS="10",
        TRANSFORMER_MAX_OUTPUT_TOKENS=str(MAX_TOKENS),
        TRANSFORMER_TEMPERATURE="0",
        TRANSFORMER_REPETITION_PENALTY="1",
        TRANSFORMER_RETRY_TEMPERATURE="0",
        TRANSFORMER_RETRY_REPETITION_PENALTY="1",
    )
    yield running
    stop_predictor(proc)


def test_a_looping_model_is_stopped_retried_once_and_refused_with_the_cause(
    looping_transformer: RunningTransformer, predictor: RunningPredictor
) -> None:
    before = scrape(looping_transformer.url)
    _, finished_before = engine_counts(predictor)
    started = time.monotonic()
    response = httpx.post(
        f"{looping_transformer.url}/optimize/text",
        json={"resume_text": RESUME_TEXT, "job_description": JOB_TEXT},
        headers={"x-request-id": "looping"},
        timeout=600,
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 502, response.text
    body = response.json()
    assert body["error"] == "invalid_model_output" and "repetition, repetition" in body["detail"]
    attempts = body["report"]["attempts"]
    assert [a["cause"] for a in attempts] == ["repetition", "repetition"]
    assert all("repeated itself" in a["errors"][0] for a in attempts)
    # Stopped within its first few hundred characters, not at max_tokens (thousands of tokens, minutes here).
    for attempt in (1, 2):
        raw = (looping_transformer.artifacts / "looping" / f"raw_output_{attempt}.txt").read_text()
        assert len(raw) < 1000
    assert elapsed < 60
    # Closing the stream made vLLM abort both generations: nothing runs on, nothing finished normally.
    running = 1.0
    for _ in range(100):
        running, _ = engine_counts(predictor)
        if running == 0:
            break
        time.sleep(0.1)
    assert engine_counts(predictor) == (0, finished_before)
    after = scrape(looping_transformer.url)
    counted = (value(after, INVALID, cause="repetition") or 0) - (value(before, INVALID, cause="repetition") or 0)
    assert counted == 2
    for cause in ("cut_off", "invalid_json", "schema"):  # every cause is exported from the start
        assert value(after, INVALID, cause=cause) == value(before, INVALID, cause=cause) == 0


def test_a_streaming_client_sees_the_retry_and_the_cause(looping_transformer: RunningTransformer) -> None:
    body = {"resume_text": RESUME_TEXT, "job_description": JOB_TEXT}
    url = f"{looping_transformer.url}/optimize/text?stream=true"
    events, kind = [], None
    with httpx.stream("POST", url, json=body, timeout=600) as response:
        for line in response.iter_lines():
            if line.startswith("event:"):
                kind = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and kind:
                events.append((kind, json.loads(line.split(":", 1)[1])))
    kinds = [k for k, _ in events]
    assert kinds[0] == "start" and "token" in kinds and kinds[-1] == "error"
    retry = [data for k, data in events if k == "retry"]
    assert len(retry) == 1 and retry[0]["attempt"] == 1 and retry[0]["cause"] == "repetition"
    error = events[-1][1]
    assert [a["cause"] for a in error["report"]["attempts"]] == ["repetition", "repetition"]
    assert {data["attempt"] for k, data in events if k == "token"} == {1, 2}


def test_the_guards_can_be_turned_off(predictor: RunningPredictor, tmp_path: Path) -> None:
    """Without the detector the same greedy loop runs until max_tokens cuts it off (small here, to stay short)."""
    host = predictor.url.removeprefix("http://")
    proc, running = start_transformer(
        host,
        tmp_path,
        TRANSFORMER_GENERATION_MAX_STRING_CHARS="600",
        TRANSFORMER_MAX_OUTPUT_TOKENS="150",
        TRANSFORMER_TEMPERATURE="0",
        TRANSFORMER_REPETITION_PENALTY="1",
        TRANSFORMER_RETRY_TEMPERATURE="0",
        TRANSFORMER_RETRY_REPETITION_PENALTY="1",
        TRANSFORMER_RUNAWAY_DETECTION="false",
    )
    try:
        body = {"resume_text": RESUME_TEXT, "job_description": JOB_TEXT}
        response = httpx.post(f"{running.url}/optimize/text", json=body, timeout=600)
        assert response.status_code == 502, response.text
        assert [a["cause"] for a in response.json()["report"]["attempts"]] == ["cut_off", "cut_off"]
    finally:
        stop_predictor(proc)
