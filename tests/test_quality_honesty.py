"""The predictor's stream read whole, and quality fields that say what happened across attempts: a first answer
refused, then a valid one, is a 200 whose quality shows the refusal (json_parse_ok / schema_valid of the first
answer, attempts 2, the cause).

The tiny random model cannot be made to write invalid JSON first and a valid resume second, or a given rare
character, on demand, so these tests put a stand-in predictor (a real HTTP server speaking vLLM's OpenAI API:
/v1/models, /tokenize, streamed chat completions) behind a real transformer process. Everything else about
attempts runs against real vLLM.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse

from tests.conftest import free_port, start_transformer, stop_predictor
from tests.resume_builders import make_resume
from tests.sample_documents import JOB_TEXT, RESUME_TEXT
from transformer.generation.predictor_client import sse_lines
from transformer.quality.scoring import score

VALID = make_resume(basics={"name": "Jane Doe"}, skills=[{"name": "Python"}]).model_dump_json(by_alias=True)


def _stand_in_predictor(answers: list[str]) -> FastAPI:
    """Answers each chat completion with the next of `answers`, streamed in small chunks as vLLM does."""
    app = FastAPI()
    calls = iter(answers)

    @app.get("/v1/models")
    async def models() -> dict:
        return {"data": [{"id": "stand-in", "max_model_len": 16384, "parent": None}]}

    @app.post("/tokenize")
    async def tokenize(request: Request) -> dict:
        body = await request.json()
        return {"count": len(json.dumps(body.get("messages") or body.get("prompt"))) // 4}

    @app.post("/v1/chat/completions")
    async def complete() -> StreamingResponse:
        text = next(calls)

        def chunks() -> Iterator[str]:
            for i in range(0, len(text), 16):
                # ensure_ascii=False: like vLLM, U+2028 and friends are sent raw inside the JSON strings
                delta = {"choices": [{"delta": {"content": text[i : i + 16]}}]}
                yield f"data: {json.dumps(delta, ensure_ascii=False)}\n\n"
            usage = {"prompt_tokens": 100, "completion_tokens": len(text) // 4}
            yield f"data: {json.dumps({'choices': [{'delta': {}, 'finish_reason': 'stop'}], 'usage': usage})}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(chunks(), media_type="text/event-stream")

    @app.get("/health")
    async def health() -> dict:
        return {}

    return app


def _serve(answers: list[str]) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(_stand_in_predictor(answers), port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        threading.Event().wait(0.05)
    yield f"127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture()
def stand_in_host() -> Iterator[str]:
    yield from _serve(["this is not JSON", VALID])


# A name holding the characters str.splitlines() (and so httpx's aiter_lines) breaks at, which JSON leaves raw.
LINE_BREAKING_NAME = "Jane\u2028Doe\u0085Smith\u2029"


@pytest.fixture()
def line_breaking_host() -> Iterator[str]:
    yield from _serve([make_resume(basics={"name": LINE_BREAKING_NAME}).model_dump_json(by_alias=True)])


def test_an_answer_with_unicode_line_separators_streams_whole(line_breaking_host: str, tmp_path: Path) -> None:
    proc, running = start_transformer(line_breaking_host, tmp_path)
    try:
        body = {"resume_text": RESUME_TEXT, "job_description": JOB_TEXT}
        answer = httpx.post(f"{running.url}/optimize/text", json=body, timeout=60)
        assert answer.status_code == 200, answer.text  # was a 500: an event's JSON cut at U+2028
        assert answer.json()["tailored_resume"]["basics"]["name"] == LINE_BREAKING_NAME
    finally:
        stop_predictor(proc)


def test_sse_lines_split_at_cr_and_lf_only() -> None:
    async def chunks() -> AsyncIterator[str]:
        for text in ['data: {"a": "x\u2028y', '\u0085z"}\r', "\ndata: [DONE]\n", "\nlast"]:
            yield text

    async def collect() -> list[str]:
        return [line async for line in sse_lines(chunks())]

    lines = asyncio.run(collect())
    assert [line for line in lines if line] == ['data: {"a": "x\u2028y\u0085z"}', "data: [DONE]", "last"]


def test_a_valid_second_answer_is_a_200_whose_quality_shows_the_refused_first(
    stand_in_host: str, tmp_path: Path
) -> None:
    proc, running = start_transformer(stand_in_host, tmp_path)
    try:
        body = {"resume_text": RESUME_TEXT, "job_description": JOB_TEXT}
        answer = httpx.post(f"{running.url}/optimize/text", json=body, timeout=60)
        assert answer.status_code == 200, answer.text
        result = answer.json()
        quality = result["quality"]
        assert (quality["json_parse_ok"], quality["schema_valid"]) == (False, False)  # the first answer's
        assert quality["attempts"] == 2 and quality["attempt_causes"] == ["invalid_json"]
        assert result["schema_valid"] is True  # what is returned is valid against /schema
        assert result["tailored_resume"]["basics"]["name"] == "Jane Doe"
    finally:
        stop_predictor(proc)


def test_a_first_valid_answer_says_so() -> None:
    quality = score(
        make_resume(), RESUME_TEXT, JOB_TEXT, 0.0, prompt_tokens=1, output_tokens=1, stage_seconds={}, attempts=1
    )
    assert (quality.json_parse_ok, quality.schema_valid, quality.attempts, quality.attempt_causes) == (
        True,
        True,
        1,
        [],
    )
    retried = score(
        make_resume(),
        RESUME_TEXT,
        JOB_TEXT,
        0.0,
        prompt_tokens=1,
        output_tokens=1,
        stage_seconds={},
        attempts=2,
        first_answer_parsed=True,
        attempt_causes=["schema"],
    )
    assert (retried.json_parse_ok, retried.schema_valid, retried.attempt_causes) == (True, False, ["schema"])
