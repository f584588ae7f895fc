"""The predictor launcher's one settings class: every knob is an env var with the PREDICTOR_ prefix.

The Helm chart maps its `predictor.*` values onto these env vars one to one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_BASE_MODEL = "Qwen/Qwen3-4B-Instruct-2507"

Quantization = Literal["auto", "bitsandbytes", "awq", "fp16", "bf16"]


class PredictorSettings(BaseSettings):
    """Settings of `python -m predictor` (env vars `PREDICTOR_*`, or `--flag` on the command line)."""

    model_config = SettingsConfigDict(env_prefix="PREDICTOR_", extra="forbid")

    model: str = Field(
        DEFAULT_BASE_MODEL,
        description="Base model: a Hub id, a local directory, or /mnt/models where KServe's storage "
        "initializer puts a storageUri.",
    )
    model_id: str | None = Field(
        None,
        description="Hub id the weights in a local `model` directory came from (reported in status and "
        "used to check the adapter's base model). Defaults to `model` when that is a Hub id.",
    )
    revision: str | None = Field(None, description="Hub revision of the base model (branch, tag or commit).")
    adapter: str | None = Field(
        None,
        description="LoRA adapter: a local directory or a Hub id. Empty: serve the base model alone.",
    )
    adapter_name: str = Field(
        "resume-optimizer", description="Model name under which the adapter is served (`model` field of requests)."
    )
    served_model_name: str | None = Field(
        None, description="Name under which the base model is served. Defaults to `model_id` or `model`."
    )
    quantization: Quantization = Field(
        "auto",
        description="auto = bitsandbytes 4-bit on CUDA, none (bf16) on CPU; or bitsandbytes, awq, fp16, bf16.",
    )
    max_model_len: int = Field(
        16384, ge=256, description="Context length: room for a 10k-token prompt plus the tailored answer."
    )
    max_lora_rank: int = Field(16, ge=1, description="Largest LoRA rank vLLM reserves memory for.")
    memory_share: float | None = Field(
        None,
        gt=0,
        le=1,
        description="vLLM --gpu-memory-utilization: share of GPU memory (of RAM on CPU). Default 0.90 on "
        "CUDA, 0.20 on CPU.",
    )
    cpu_kv_cache_gib: int | None = Field(
        None,
        ge=1,
        description="KV-cache size in GiB on CPU (VLLM_CPU_KVCACHE_SPACE). Unset: sized from the model's config "
        "to hold one max_model_len sequence; set too small, start-up fails at once with the GiB needed.",
    )
    max_num_seqs: int = Field(32, ge=1, description="Most sequences vLLM decodes concurrently.")
    host: str = Field("0.0.0.0", description="Address vLLM listens on.")
    port: int = Field(8080, ge=1, le=65535, description="Port vLLM listens on (KServe expects 8080).")
    status_file: Path = Field(
        Path("/tmp/resume-optimizer-predictor-status.json"),
        description="Where the launcher writes its status; served at GET /status on the vLLM port.",
    )
    startup_timeout_s: float = Field(
        1800, gt=0, description="Longest wait for vLLM to load the model and answer /health."
    )
    self_check_timeout_s: float = Field(120, gt=0, description="Longest wait for the start-up self-check answer.")
    extra_args: str = Field("", description="Extra vLLM server arguments, appended as they are (shell-split).")

    @field_validator("max_lora_rank")
    @classmethod
    def _rank_vllm_accepts(cls, value: int) -> int:
        ranks = (1, 8, 16, 32, 64, 128, 256, 320, 512)  # vLLM's --max-lora-rank choices
        if value not in ranks:
            raise ValueError(f"must be one of {ranks}")
        return value

    @property
    def adapter_enabled(self) -> bool:
        return bool(self.adapter)
