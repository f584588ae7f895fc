"""The served model decides: the transformer asks for whatever the predictor serves (adapter or not), budgets and
max_tokens follow its context length, and the CPU KV cache is sized from its config."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from predictor.kv_cache import cpu_kv_cache_gib, kv_bytes_per_token, needed_gib
from predictor.model_files import ConfigError
from tests.conftest import (
    BASE_NAME,
    RunningPredictor,
    TinyModel,
    predictor_env,
    start_predictor,
    start_transformer,
    stop_predictor,
)
from tests.sample_documents import JOB_TEXT, RESUME_TEXT
from tests.test_predictor_configuration import _assert_refused, _launch
from transformer.errors import InvalidModelOutput, PredictorUnavailable
from transformer.generation.budgets import token_budgets
from transformer.generation.predictor_client import choose_served_model
from transformer.settings import TransformerSettings

# config.json of Qwen/Qwen3-4B-Instruct-2507 and of SmolLM2-135M-Instruct (the fields that size the cache)
QWEN3_4B = {"num_hidden_layers": 36, "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": 128}
SMOLLM2 = {"num_hidden_layers": 30, "num_attention_heads": 9, "num_key_value_heads": 3, "hidden_size": 576}
CONTEXT = 4096  # the short-context predictor below (the sample prompt is about 1,600 tiny-model tokens)


# --- budgets from the context -------------------------------------------------------------------------------


def test_budgets_are_the_settings_when_the_context_is_unknown_or_large() -> None:
    settings = TransformerSettings()
    for context in (None, 262_144):
        budgets = token_budgets(settings, context)
        assert (budgets.resume, budgets.job, budgets.prompt, budgets.max_tokens) == (8000, 4000, 10000, 4096)


def test_a_short_context_shares_itself_between_answer_and_prompt() -> None:
    budgets = token_budgets(TransformerSettings(), 8192)
    assert budgets.max_tokens == 4096 and budgets.prompt == 4096  # half for the answer, the rest for the prompt
    assert budgets.resume == 4096 and budgets.job == 4000
    assert budgets.prompt + budgets.max_tokens <= 8192
    assert "the model's context of 8192 tokens" in budgets.limit_reason("TRANSFORMER_PROMPT_TOKEN_BUDGET")


# --- which model to ask for ----------------------------------------------------------------------------------

BASE_CARD = {"id": "Qwen/Qwen3-4B-Instruct-2507", "max_model_len": 16384, "parent": None}
ADAPTER_CARD = {"id": "resume-optimizer", "parent": "Qwen/Qwen3-4B-Instruct-2507", "max_model_len": None}


def test_the_adapter_is_chosen_when_served_with_its_base_models_context() -> None:
    served = choose_served_model([BASE_CARD, ADAPTER_CARD], None)
    assert (served.name, served.max_model_len) == ("resume-optimizer", 16384)


def test_the_base_model_is_chosen_without_an_adapter() -> None:
    served = choose_served_model([BASE_CARD], None)
    assert (served.name, served.max_model_len) == ("Qwen/Qwen3-4B-Instruct-2507", 16384)


def test_a_pinned_name_must_be_served() -> None:
    assert choose_served_model([BASE_CARD, ADAPTER_CARD], BASE_CARD["id"]).name == BASE_CARD["id"]
    with pytest.raises(InvalidModelOutput, match="serves Qwen/Qwen3-4B-Instruct-2507, not 'resume-optimizer'"):
        choose_served_model([BASE_CARD], "resume-optimizer")
    with pytest.raises(PredictorUnavailable):
        choose_served_model([], None)


# --- the CPU KV cache --------------------------------------------------------------------------------------


def test_kv_cache_is_sized_from_the_model_config() -> None:
    assert kv_bytes_per_token(QWEN3_4B) == 144 * 1024  # 36 x 8 x 128 x 2 x 2 bytes
    assert needed_gib(QWEN3_4B, 16384) == 3  # 2.25 GiB, rounded up: the old fixed 1 GiB could not start it
    assert kv_bytes_per_token(SMOLLM2) == 30 * 3 * 64 * 2 * 2  # head_dim from hidden_size / heads
    assert cpu_kv_cache_gib(SMOLLM2, 8192, None) == 1
    assert cpu_kv_cache_gib(QWEN3_4B, 16384, 4) == 4  # a larger explicit size is kept


def test_a_kv_cache_set_too_small_names_the_gib_needed() -> None:
    with pytest.raises(ConfigError, match="PREDICTOR_MAX_MODEL_LEN=16384 needs 3 GiB"):
        cpu_kv_cache_gib(QWEN3_4B, 16384, 1)
    with pytest.raises(ConfigError, match="lacks what sizes the KV cache"):
        kv_bytes_per_token({"num_hidden_layers": 2})


def test_the_launcher_refuses_a_too_small_kv_cache_before_starting_vllm(tiny_model: TinyModel, tmp_path: Path) -> None:
    config = json.loads((tiny_model.model / "config.json").read_text())
    tokens = 4 * 1024**3 // kv_bytes_per_token(config)  # a context that needs 4 GiB of this model's cache
    env = predictor_env(tiny_model, tmp_path, PREDICTOR_MAX_MODEL_LEN=str(tokens), PREDICTOR_CPU_KV_CACHE_GIB="1")
    _assert_refused(_launch(env), "PREDICTOR_CPU_KV_CACHE_GIB=1", "needs 4 GiB")


# --- the whole stack without an adapter, with a short context ------------------------------------------------


@pytest.fixture(scope="module")
def base_only_predictor(tiny_model: TinyModel, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPredictor]:
    """The tiny model served alone (no adapter), 4096 tokens of context, the KV cache sized by the launcher."""
    tmp = tmp_path_factory.mktemp("base-only")
    env = predictor_env(tiny_model, tmp, PREDICTOR_ADAPTER="", PREDICTOR_MAX_MODEL_LEN=str(CONTEXT))
    proc, url = start_predictor(env, tmp / "predictor.log")
    yield RunningPredictor(url=url, log=tmp / "predictor.log", tiny=tiny_model, process=proc)
    stop_predictor(proc)


def test_without_an_adapter_the_transformer_asks_for_the_base_model(
    base_only_predictor: RunningPredictor, tmp_path: Path
) -> None:
    proc, running = start_transformer(base_only_predictor.url.removeprefix("http://"), tmp_path)
    try:
        body = {"resume_text": RESUME_TEXT, "job_description": JOB_TEXT}
        answer = httpx.post(f"{running.url}/optimize/text", json=body, timeout=180)
        assert answer.status_code == 200, answer.text
        assert answer.json()["schema_valid"] is True
        prompt = json.loads((running.artifacts / answer.json()["request_id"] / "prompt.json").read_text())
        assert prompt["model"] == BASE_NAME  # what the predictor serves, found in its /v1/models
        assert prompt["max_tokens"] == CONTEXT // 2  # the answer's share of this model's context

        too_long = {"resume_text": RESUME_TEXT * 6, "job_description": JOB_TEXT}
        refused = httpx.post(f"{running.url}/optimize/text", json=too_long, timeout=60)
        assert refused.status_code == 413, refused.text
        assert f"within the model's context of {CONTEXT} tokens" in refused.json()["detail"]
    finally:
        stop_predictor(proc)


def test_a_pinned_model_the_predictor_does_not_serve_is_a_clear_502(
    base_only_predictor: RunningPredictor, tmp_path: Path
) -> None:
    host = base_only_predictor.url.removeprefix("http://")
    proc, running = start_transformer(host, tmp_path, TRANSFORMER_PREDICTOR_MODEL="resume-optimizer")
    try:
        body = {"resume_text": RESUME_TEXT, "job_description": JOB_TEXT}
        answer = httpx.post(f"{running.url}/optimize/text", json=body, timeout=60)
        assert answer.status_code == 502, answer.text
        assert f"serves {BASE_NAME}, not 'resume-optimizer'" in answer.json()["detail"]
    finally:
        stop_predictor(proc)
