"""SmolLM2-135M-Instruct end to end: the local stack of `make demo` serves the real small model without an adapter,
the transformer asks for it by its served name within its context, and the guards end every answer in time.

What only a real model gives: its answers are written in English. A share of their words are English function
words ("the", "of", "my", "and"), which the tiny random model's noise, sent the same request, hardly ever forms.
The base model does not tailor well (no adapter is trained for it yet): its quality is measured by
benchmarks/quality_eval.py, not asserted here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from predictor import small
from resume_optimizer import local_stack
from tests.conftest import RunningTransformer, free_port
from tests.sample_documents import JOB_TEXT, RESUME_TEXT
from transformer.quality.tokens import STOPWORDS

MAX_OUTPUT_TOKENS = 768  # two attempts stay around a minute each on 2 cores


def english_share(artifacts: Path) -> float:
    """Share of the words (2+ letters) of the predictor's raw answers that are English function words."""
    words = [
        word
        for path in sorted(artifacts.glob("raw_output_*.txt"))
        for word in re.findall(r"[a-z]{2,}", path.read_text(errors="replace").lower())
    ]
    assert len(words) >= 20, f"too few words to judge: {words}"
    return sum(word in STOPWORDS for word in words) / len(words)


@pytest.fixture(scope="module")
def smollm2_stack(small_model: small.SmallModel, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    stack = local_stack.start(
        tmp_path_factory.mktemp("smollm2-stack"),
        cache_dir=small_model.model.parent.parent,  # the session's build: a cache hit
        predictor_port=free_port(),
        transformer_port=free_port(),
        say=lambda message: None,
        model="smollm2",
        extra_env={"TRANSFORMER_MAX_OUTPUT_TOKENS": str(MAX_OUTPUT_TOKENS)},
    )
    yield stack
    local_stack.stop(stack)


def _tailor(url: str) -> httpx.Response:
    body = {"resume_text": RESUME_TEXT, "job_description": JOB_TEXT}
    return httpx.post(f"{url}/optimize/text", json=body, timeout=600)


def test_smollm2_answers_through_the_stack_in_english_within_its_bounds(
    smollm2_stack: local_stack.Stack, transformer: RunningTransformer
) -> None:
    assert smollm2_stack.model == local_stack.SMALL_MODEL
    health = httpx.get(f"{smollm2_stack.transformer_url}/health", timeout=10).json()
    assert health["predictor"]["base_model"]["id"] == local_stack.SMALL_MODEL and health["predictor"]["adapter"] is None

    answer = _tailor(smollm2_stack.transformer_url)
    # A schema-valid answer, or one refused twice for a named cause: never a run to the predictor's timeout.
    assert answer.status_code in (200, 502), answer.text
    request_id = answer.json()["request_id"]
    artifacts = Path(smollm2_stack.workdir) / "artifacts" / request_id
    prompt = json.loads((artifacts / "prompt.json").read_text())
    assert prompt["model"] == local_stack.SMALL_MODEL and prompt["max_tokens"] == MAX_OUTPUT_TOKENS
    if answer.status_code == 502:
        causes = [attempt["cause"] for attempt in answer.json()["report"]["attempts"]]
        assert set(causes) <= {"repetition", "cut_off", "invalid_json", "schema"} and len(causes) == 2
    else:
        assert answer.json()["schema_valid"] is True

    tiny = _tailor(transformer.url)  # the same request to the tiny random model
    real, noise = english_share(artifacts), english_share(transformer.artifacts / tiny.json()["request_id"])
    assert real >= 0.05 and real > 3 * noise, (real, noise)
