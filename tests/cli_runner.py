"""Run the real `resume-optimizer` command as a subprocess (python -m resume_optimizer, this checkout first)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def cli_env(url: str | None = None, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESUME_OPTIMIZER_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    if url is not None:
        env["RESUME_OPTIMIZER_URL"] = url
    env.update(RESUME_OPTIMIZER_BACKOFF_INITIAL_S="0.2", RESUME_OPTIMIZER_TIMEOUT_S="300")
    env.update(overrides)
    return env


def batch_args(resumes: Path, job: Path, out: Path, *, concurrency: int) -> list[str | Path]:
    """`resume-optimizer batch` over a folder of resumes and one job description."""
    return ["batch", "--resumes", resumes, "--jd", job, "--out", out, "--concurrency", str(concurrency)]


def command(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "resume_optimizer", *map(str, args)]


def run_cli(*args: str | Path, env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command(*args), env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def popen_cli(*args: str | Path, env: dict[str, str], **kwargs: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(command(*args), env=env, text=True, cwd=ROOT, **kwargs)


def jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
