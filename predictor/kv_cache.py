"""The CPU KV cache sized from the model: one full-length sequence must fit, or vLLM refuses to start.

vLLM's CPU backend takes its KV cache as a fixed size (VLLM_CPU_KVCACHE_SPACE, GiB) and refuses to start, after
loading the weights, when a `max_model_len` sequence does not fit. Qwen3-4B at 16384 tokens needs 2.25 GiB (36
layers x 8 KV heads x 128 x 2 (K and V) x 2 bytes = 144 KiB per token), more than the 1 GiB a fixed default gave.
So the size is computed from config.json before vLLM starts, and a size set too small fails in a second with the
GiB needed.
"""

from __future__ import annotations

import math
from typing import Any

from predictor.model_files import ConfigError

GIB = 1024**3
KV_DTYPE_BYTES = 2  # bf16 (the CPU precision) for keys and values


def kv_bytes_per_token(config: dict[str, Any], dtype_bytes: int = KV_DTYPE_BYTES) -> int:
    """Bytes of KV cache one token takes: layers x KV heads x head size x 2 (keys and values) x dtype bytes."""
    text = config.get("text_config") or config  # multimodal configs nest the language model's
    try:
        layers = int(text["num_hidden_layers"])
        heads = int(text["num_attention_heads"])
        kv_heads = int(text.get("num_key_value_heads") or heads)
        head_dim = int(text.get("head_dim") or int(text["hidden_size"]) // heads)
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"the model's config.json lacks what sizes the KV cache ({exc})") from None
    return layers * kv_heads * head_dim * 2 * dtype_bytes


def needed_gib(config: dict[str, Any], max_model_len: int) -> int:
    """Whole GiB that hold one `max_model_len` sequence (at least 1)."""
    return max(1, math.ceil(kv_bytes_per_token(config) * max_model_len / GIB))


def cpu_kv_cache_gib(config: dict[str, Any] | None, max_model_len: int, requested: int | None) -> int:
    """The KV cache to give vLLM on the CPU: `requested` when it is enough, else sized from the model.

    Raises ConfigError (naming the GiB needed) when `requested` cannot hold one full-length sequence.
    """
    if config is None:  # config.json could not be read without downloading: vLLM's own check will tell
        return requested or 1
    need = needed_gib(config, max_model_len)
    if requested is None:
        return need
    if requested < need:
        per_token = kv_bytes_per_token(config)
        raise ConfigError(
            f"PREDICTOR_CPU_KV_CACHE_GIB={requested} holds {requested * GIB // per_token} tokens of this model "
            f"({per_token // 1024} KiB each); PREDICTOR_MAX_MODEL_LEN={max_model_len} needs {need} GiB: raise the "
            "first, lower the second, or leave PREDICTOR_CPU_KV_CACHE_GIB unset to size it from the model"
        )
    return requested
