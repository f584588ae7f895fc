"""Which model the local stack (`make demo`, `up`) serves: SmolLM2 unless Qwen3-4B is cached, tiny when asked for,
and a clear error where the chosen model cannot be had. Nothing is downloaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from predictor import small
from resume_optimizer import local_stack


def _env(cache: Path, tmp_path: Path, model: local_stack.StackModel) -> tuple[dict[str, str], str, list[str]]:
    said: list[str] = []
    env, served = local_stack.environment(tmp_path, cache, 18180, said.append, model)
    return env, served, said


def test_auto_serves_smollm2_without_an_adapter_when_qwen_is_not_cached(
    small_model: small.SmallModel, tmp_path: Path
) -> None:
    assert not local_stack.real_model_cached()  # no Hub cache on this machine
    env, served, said = _env(small_model.model.parent.parent, tmp_path, "auto")
    assert served == local_stack.SMALL_MODEL
    assert env["PREDICTOR_MODEL"] == str(small_model.model) and env["PREDICTOR_ADAPTER"] == ""
    assert env["PREDICTOR_MODEL_ID"] == local_stack.SMALL_MODEL and env["PREDICTOR_MAX_MODEL_LEN"] == "8192"
    assert "TRANSFORMER_PREDICTOR_MODEL" not in env  # the transformer asks for what the predictor serves
    assert any("SmolLM2" in line for line in said)


def test_tiny_is_served_only_when_asked_for(tmp_path: Path) -> None:
    env, served, _ = _env(tmp_path / "cache", tmp_path, "tiny")
    assert served == "tiny" and env["PREDICTOR_MODEL_ID"] == "tiny-qwen3"
    assert (tmp_path / "cache" / "tiny" / "adapter" / "adapter_config.json").is_file()


def test_a_model_that_cannot_be_had_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(local_stack.StackError, match="not in the local Hugging Face cache"):
        _env(tmp_path / "cache", tmp_path, "qwen3-4b")
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "small").write_text("a file where the model folder should be")
    with pytest.raises(local_stack.StackError, match="building the SmolLM2-135M-Instruct model failed"):
        _env(tmp_path / "cache", tmp_path, "smollm2")
