"""What the predictor serves and on what: the status document and `GET /status` on vLLM's own port.

The launcher writes the document (atomically) as start-up proceeds; `StatusMiddleware`, which vLLM loads
through its public `--middleware` option, serves it with live GPU figures added, so the transformer's
`/health` can relay it through the same port KServe already routes to.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from common.atomic_files import write_text_atomically

STATUS_PATH = "/status"
State = Literal["starting", "self_check", "ready", "failed"]


class GpuStats(BaseModel):
    index: int
    name: str
    utilization_percent: float | None = None
    memory_used_bytes: int | None = None
    memory_total_bytes: int | None = None


class AdapterStatus(BaseModel):
    name: str = Field(description="model name requests use to reach the adapter")
    path: str
    rank: int
    sha256: str = Field(description="content hash of adapter_config.json and the adapter weights")
    base_model: str | None = Field(None, description="base model named in the adapter's config")
    created_at: datetime | None = Field(
        None, description="newest modification time of the adapter's config and weights (its age's source)"
    )


class BaseModelStatus(BaseModel):
    id: str
    revision: str
    source: str = Field(description="Hub id or directory the weights were loaded from")
    served_name: str


class FallbackStatus(BaseModel):
    from_precision: str
    reason: str


class SelfCheckStatus(BaseModel):
    passed: bool
    seconds: float
    detail: str = ""


class PredictorStatus(BaseModel):
    """The predictor's status document (GET /status)."""

    state: State
    device: str = Field(description="'cpu' or the GPU's name")
    cuda: bool
    precision: str = Field(description="bnb-4bit, awq, fp16 or bf16: what is being served")
    requested_quantization: str
    fallback: FallbackStatus | None = None
    base_model: BaseModelStatus
    adapter: AdapterStatus | None = Field(None, description="None: the base model is served alone")
    max_model_len: int
    max_lora_rank: int
    self_check: SelfCheckStatus | None = None
    detail: str = ""
    gpus: list[GpuStats] = Field(default_factory=list, description="live figures, read at request time")
    updated_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


def write_status(path: Path, status: PredictorStatus) -> None:
    """Replace the status file atomically, so a reader never sees half a document."""
    status.updated_at = datetime.now(UTC)
    write_text_atomically(path, status.model_dump_json())


def gpu_stats() -> list[GpuStats]:
    """Live utilisation and memory of every visible NVIDIA GPU; empty without one (or without NVML)."""
    try:
        import pynvml
    except ImportError:
        return []
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError:
        return []
    stats = []
    try:
        for index in range(pynvml.nvmlDeviceGetCount()):
            handle = pynvml.nvmlDeviceGetHandleByIndex(index)
            name = pynvml.nvmlDeviceGetName(handle)
            memory = pynvml.nvmlDeviceGetMemoryInfo(handle)
            utilization = pynvml.nvmlDeviceGetUtilizationRates(handle)
            stats.append(
                GpuStats(
                    index=index,
                    name=name.decode() if isinstance(name, bytes) else name,
                    utilization_percent=float(utilization.gpu),
                    memory_used_bytes=int(memory.used),
                    memory_total_bytes=int(memory.total),
                )
            )
    finally:
        pynvml.nvmlShutdown()
    return stats


def read_status(path: Path) -> PredictorStatus | None:
    try:
        return PredictorStatus.model_validate_json(path.read_bytes())
    except (OSError, ValueError):
        return None


class StatusMiddleware:
    """ASGI middleware for vLLM's `--middleware`: answers GET /status, passes everything else on."""

    def __init__(self, app) -> None:  # noqa: ANN001 - any ASGI app
        self.app = app
        self.path = Path(os.environ.get("PREDICTOR_STATUS_FILE", "/tmp/resume-optimizer-predictor-status.json"))

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001 - ASGI signature
        if scope["type"] != "http" or scope["path"] != STATUS_PATH:
            await self.app(scope, receive, send)
            return
        status = read_status(self.path)
        if status is None:
            code, body = 503, json.dumps({"error": "status not written yet"}).encode()
        else:
            status.gpus = gpu_stats() if status.cuda else []
            code, body = 200, status.model_dump_json().encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": code, "headers": headers})
        await send({"type": "http.response.body", "body": body})
