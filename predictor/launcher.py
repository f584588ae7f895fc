"""Start vLLM's OpenAI-compatible server with the project's policy around it.

The launcher checks the configuration, picks the precision, starts `vllm.entrypoints.openai.api_server`
as a child process, waits for it, runs the self-check, falls back to full precision when a quantized load
or self-check fails, keeps the status document current, and then waits on the child, passing signals on.
"""

from __future__ import annotations

import json
import logging
import os
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from types import FrameType

import httpx

from predictor.kv_cache import cpu_kv_cache_gib
from predictor.model_files import Adapter, BaseModel, resolve_adapter, resolve_base_model
from predictor.quantization import Precision, choose_precision, fallback_precision
from predictor.self_check import run_self_check
from predictor.settings import PredictorSettings
from predictor.status import (
    AdapterStatus,
    BaseModelStatus,
    FallbackStatus,
    PredictorStatus,
    write_status,
)

log = logging.getLogger("predictor")

STATUS_MIDDLEWARE = "predictor.status.StatusMiddleware"
# No free-form whitespace between JSON tokens: a small or undertrained model cannot pad an answer with
# blank lines until max_tokens, and every token goes to content.
STRUCTURED_OUTPUTS = {"backend": "xgrammar", "disable_any_whitespace": True}


@dataclass(frozen=True)
class Device:
    name: str  # "cpu" or the GPU's name
    cuda: bool
    bf16_supported: bool


def probe_device() -> Device:
    """CUDA and the first GPU's name where torch sees one; the CPU otherwise."""
    import torch

    if torch.cuda.is_available():
        return Device(torch.cuda.get_device_name(0), True, bool(torch.cuda.is_bf16_supported()))
    return Device("cpu", False, True)


def served_name(settings: PredictorSettings, base: BaseModel) -> str:
    return settings.served_model_name or base.model_id


def vllm_command(
    settings: PredictorSettings, base: BaseModel, adapter: Adapter | None, precision: Precision, device: Device
) -> list[str]:
    """The vLLM server command line for one start-up attempt."""
    memory_share = settings.memory_share or (0.90 if device.cuda else 0.20)
    cmd = [
        sys.executable,
        "-m",
        "vllm.entrypoints.openai.api_server",
        "--model",
        base.source,
        "--served-model-name",
        served_name(settings, base),
        "--host",
        settings.host,
        "--port",
        str(settings.port),
        "--max-model-len",
        str(settings.max_model_len),
        "--max-num-seqs",
        str(settings.max_num_seqs),
        "--gpu-memory-utilization",
        str(memory_share),
        "--middleware",
        STATUS_MIDDLEWARE,
        "--structured-outputs-config",
        json.dumps(STRUCTURED_OUTPUTS),
        *precision.vllm_args,
    ]
    if settings.revision:
        cmd += ["--revision", settings.revision]
    if not device.cuda:
        cmd.append("--enforce-eager")  # the CPU backend has no graph capture
    if adapter is not None:
        module = {"name": adapter.name, "path": str(adapter.path), "base_model_name": served_name(settings, base)}
        cmd += ["--enable-lora", "--max-lora-rank", str(settings.max_lora_rank), "--lora-modules", json.dumps(module)]
    cmd += shlex.split(settings.extra_args)
    return cmd


def child_environment(settings: PredictorSettings, device: Device, kv_cache_gib: int | None = None) -> dict[str, str]:
    """vLLM's environment: the status file, and on the CPU the KV cache size (an explicit
    VLLM_CPU_KVCACHE_SPACE in the environment is left as it is)."""
    env = dict(os.environ)
    env["PREDICTOR_STATUS_FILE"] = str(settings.status_file)
    if not device.cuda:
        env.setdefault("VLLM_CPU_KVCACHE_SPACE", str(kv_cache_gib or settings.cpu_kv_cache_gib or 1))
    return env


class Launcher:
    """One predictor process: the vLLM child and the policy around it."""

    def __init__(self, settings: PredictorSettings) -> None:
        self.settings = settings
        self.child: subprocess.Popen[bytes] | None = None
        self.stopping = False
        self.kv_cache_gib: int | None = None
        host = "127.0.0.1" if settings.host in {"0.0.0.0", "::", ""} else settings.host
        self.local_url = f"http://{host}:{settings.port}"

    def run(self) -> int:
        """Check, start, self-check, fall back where needed, then serve until the child ends."""
        settings = self.settings
        base = resolve_base_model(settings)
        adapter = resolve_adapter(settings, base)
        device = probe_device()
        # Checked before vLLM loads anything: a cache too small for one full-length sequence fails here, at once.
        self.kv_cache_gib = (
            None if device.cuda else cpu_kv_cache_gib(base.config, settings.max_model_len, settings.cpu_kv_cache_gib)
        )
        precision = choose_precision(settings.quantization, cuda=device.cuda, bf16_supported=device.bf16_supported)
        status = PredictorStatus(
            state="starting",
            device=device.name,
            cuda=device.cuda,
            precision=precision.name,
            requested_quantization=settings.quantization,
            base_model=BaseModelStatus(
                id=base.model_id, revision=base.revision, source=base.source, served_name=served_name(settings, base)
            ),
            adapter=None
            if adapter is None
            else AdapterStatus(
                name=adapter.name,
                path=str(adapter.path),
                rank=adapter.rank,
                sha256=adapter.sha256,
                base_model=adapter.base_model,
                created_at=adapter.created_at,
            ),
            max_model_len=settings.max_model_len,
            max_lora_rank=settings.max_lora_rank,
        )
        if adapter is None:
            log.warning("no adapter configured: serving the base model alone", extra={"model": base.model_id})
        self._install_signal_handlers()
        while True:
            status.state, status.precision, status.self_check = "starting", precision.name, None
            write_status(settings.status_file, status)
            failure = self._start(settings, base, adapter, precision, device, status)
            if failure is None:
                break
            if self.stopping:
                return 143
            retry = fallback_precision(precision, cuda=device.cuda, bf16_supported=device.bf16_supported)
            if retry is None:
                status.state, status.detail = "failed", failure
                write_status(settings.status_file, status)
                log.error("predictor failed to start", extra={"reason": failure, "precision": precision.name})
                return 1
            log.warning(
                "falling back to full precision",
                extra={"from_precision": precision.name, "to_precision": retry.name, "reason": failure},
            )
            status.fallback = FallbackStatus(from_precision=precision.name, reason=failure)
            precision = retry
        status.state, status.detail = "ready", ""
        write_status(settings.status_file, status)
        log.info(
            "predictor ready",
            extra={"precision": precision.name, "device": device.name, "adapter": adapter and adapter.name},
        )
        assert self.child is not None
        code = self.child.wait()
        return 128 - code if code < 0 else code  # killed by signal N: exit 128 + N, as a shell reports it

    def _start(
        self,
        settings: PredictorSettings,
        base: BaseModel,
        adapter: Adapter | None,
        precision: Precision,
        device: Device,
        status: PredictorStatus,
    ) -> str | None:
        """One attempt: start vLLM and self-check it. None on success, else the reason it failed."""
        cmd = vllm_command(settings, base, adapter, precision, device)
        log.info("starting vLLM", extra={"precision": precision.name, "argv": cmd[3:]})
        self.child = subprocess.Popen(
            cmd, env=child_environment(settings, device, self.kv_cache_gib), start_new_session=True
        )
        failure = self._wait_healthy(settings.startup_timeout_s)
        if failure is None:
            status.state = "self_check"
            write_status(settings.status_file, status)
            model = adapter.name if adapter else served_name(settings, base)
            status.self_check = run_self_check(self.local_url, model, settings.self_check_timeout_s)
            log.info("self-check", extra=status.self_check.model_dump())
            if not status.self_check.passed:
                failure = f"self-check failed: {status.self_check.detail}"
        if failure is not None:
            self._stop_child()
        return failure

    def _wait_healthy(self, timeout_s: float) -> str | None:
        assert self.child is not None
        deadline = time.monotonic() + timeout_s
        with httpx.Client(timeout=5) as client:
            while time.monotonic() < deadline:
                code = self.child.poll()
                if code is not None:
                    return f"vLLM exited with code {code} while loading (its log is above)"
                if self.stopping:
                    return "stopped by signal"
                try:
                    if client.get(f"{self.local_url}/health").status_code == 200:
                        return None
                except httpx.HTTPError:
                    pass
                time.sleep(0.5)
        return f"vLLM did not become healthy within {timeout_s:.0f} s (PREDICTOR_STARTUP_TIMEOUT_S)"

    def _stop_child(self, grace_s: float = 20) -> None:
        child = self.child
        if child is None or child.poll() is not None:
            return
        # vLLM starts engine-core worker processes; signal the whole process group so none outlives us.
        os.killpg(child.pid, signal.SIGTERM)
        try:
            child.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()

    def _install_signal_handlers(self) -> None:
        def handle(signum: int, _frame: FrameType | None) -> None:
            # Only signal here: waiting on the child inside a handler can deadlock Popen's wait lock.
            self.stopping = True
            log.info("stopping", extra={"signal": signal.Signals(signum).name})
            child = self.child
            if child is not None and child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)

        signal.signal(signal.SIGTERM, handle)
        signal.signal(signal.SIGINT, handle)
