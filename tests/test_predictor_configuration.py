"""Bad configuration ends the real launcher within seconds, with a one-line reason and exit code 2."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from predictor import tiny
from tests.conftest import TinyModel, predictor_env


def _launch(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # The timeout only guards against a hang; a correct launcher refuses long before it.
    return subprocess.run(
        [sys.executable, "-m", "predictor"], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _assert_refused(result: subprocess.CompletedProcess[str], *reason_parts: str) -> None:
    assert result.returncode == 2, result.stderr[-2000:]
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line, got: {lines}"
    record = json.loads(lines[0])
    assert record["level"] == "ERROR" and record["event"] == "config_error"
    for part in reason_parts:
        assert part in record["message"]


def test_missing_model_directory_is_refused(tiny_model: TinyModel, tmp_path: Path) -> None:
    env = predictor_env(tiny_model, tmp_path, PREDICTOR_MODEL=str(tmp_path / "no-such-model"))
    _assert_refused(_launch(env), "PREDICTOR_MODEL", "no such model directory")


def test_directory_without_weights_is_refused(tiny_model: TinyModel, tmp_path: Path) -> None:
    empty = tmp_path / "empty-model"
    empty.mkdir()
    shutil.copy(tiny_model.model / "config.json", empty)
    _assert_refused(_launch(predictor_env(tiny_model, tmp_path, PREDICTOR_MODEL=str(empty))), "no weights")


def test_hub_model_absent_offline_is_refused(tiny_model: TinyModel, tmp_path: Path) -> None:
    env = predictor_env(
        tiny_model,
        tmp_path,
        PREDICTOR_MODEL="Qwen/Qwen3-4B-Instruct-2507",
        PREDICTOR_ADAPTER="",
        HF_HOME=str(tmp_path / "hf"),
    )
    _assert_refused(_launch(env), "not in the Hugging Face cache")


def test_adapter_rank_above_maximum_is_refused(tiny_model: TinyModel, tmp_path: Path) -> None:
    env = predictor_env(tiny_model, tmp_path, PREDICTOR_MAX_LORA_RANK="8")
    _assert_refused(_launch(env), "adapter rank 16 exceeds the maximum LoRA rank 8")


def test_adapter_for_another_base_model_is_refused(tiny_model: TinyModel, tmp_path: Path) -> None:
    _, other_adapter = tiny.build(tmp_path / "wider", hidden_size=256)
    env = predictor_env(tiny_model, tmp_path, PREDICTOR_ADAPTER=str(other_adapter))
    _assert_refused(_launch(env), "PREDICTOR_ADAPTER", "adapter trained for another base model")


def test_adapter_naming_another_hub_base_is_refused(tiny_model: TinyModel, tmp_path: Path) -> None:
    adapter = tmp_path / "adapter"
    shutil.copytree(tiny_model.adapter, adapter)
    config = json.loads((adapter / "adapter_config.json").read_text())
    config["base_model_name_or_path"] = "meta-llama/Llama-3.1-8B-Instruct"
    (adapter / "adapter_config.json").write_text(json.dumps(config))
    env = predictor_env(
        tiny_model, tmp_path, PREDICTOR_ADAPTER=str(adapter), PREDICTOR_MODEL_ID="Qwen/Qwen3-4B-Instruct-2507"
    )
    _assert_refused(_launch(env), "meta-llama/Llama-3.1-8B-Instruct", "Qwen/Qwen3-4B-Instruct-2507")


def test_missing_adapter_directory_is_refused(tiny_model: TinyModel, tmp_path: Path) -> None:
    env = predictor_env(tiny_model, tmp_path, PREDICTOR_ADAPTER=str(tmp_path / "no-adapter"))
    _assert_refused(_launch(env), "no such adapter directory")


@pytest.mark.parametrize("value", ["int3", "gptq", "BNB"])
def test_unknown_quantization_is_refused(tiny_model: TinyModel, tmp_path: Path, value: str) -> None:
    env = predictor_env(tiny_model, tmp_path, PREDICTOR_QUANTIZATION=value)
    _assert_refused(_launch(env), "PREDICTOR_QUANTIZATION", repr(value))


def test_lora_rank_vllm_cannot_reserve_is_refused(tiny_model: TinyModel, tmp_path: Path) -> None:
    env = predictor_env(tiny_model, tmp_path, PREDICTOR_MAX_LORA_RANK="24")
    _assert_refused(_launch(env), "PREDICTOR_MAX_LORA_RANK", "must be one of")
