"""`resume-optimizer up` / `down`: the local stack (a second real vLLM predictor, tiny model) in the background."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import psutil

from tests.cli_runner import cli_env, run_cli
from tests.conftest import free_port


def test_up_starts_the_local_stack_in_the_background_and_down_stops_it(tmp_path: Path) -> None:
    ports = {
        "RESUME_OPTIMIZER_STACK_PREDICTOR_PORT": str(free_port()),
        "RESUME_OPTIMIZER_STACK_TRANSFORMER_PORT": str(free_port()),
    }
    env = cli_env(
        None, RESUME_OPTIMIZER_CACHE_DIR=str(tmp_path / "cache"), RESUME_OPTIMIZER_STACK_MODEL="tiny", **ports
    )
    env = {k: v for k, v in env.items() if not k.startswith(("PREDICTOR_", "TRANSFORMER_"))}
    state_path = tmp_path / "cache" / "local-stack" / "state.json"
    try:
        up = run_cli("up", env=env, timeout=700)
        assert up.returncode == 0, up.stderr[-3000:]
        url = up.stdout.strip()
        assert url == f"http://127.0.0.1:{ports['RESUME_OPTIMIZER_STACK_TRANSFORMER_PORT']}"
        assert "TINY RANDOM STAND-IN" in up.stderr
        # `up` has exited; the stack keeps running, and answers.
        health = httpx.get(f"{url}/health", timeout=10)
        assert health.status_code == 200 and health.json()["predictor_reachable"] is True
        state = json.loads(state_path.read_text())
        pids = [p["pid"] for p in state["processes"]]
        assert [p["name"] for p in state["processes"]] == ["predictor", "transformer"]
        assert all(psutil.pid_exists(pid) for pid in pids)
        children = [c.pid for pid in pids for c in psutil.Process(pid).children(recursive=True)]
        assert children  # vLLM's own processes under the predictor's launcher

        again = run_cli("up", env=env, timeout=60)
        assert again.returncode == 0 and "already runs" in again.stderr
        assert json.loads(state_path.read_text())["processes"] == state["processes"]
    finally:
        down = run_cli("down", env=env, timeout=180)
    assert down.returncode == 0, down.stderr
    assert not state_path.exists()
    for pid in pids + children:
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    try:
        httpx.get(f"{url}/", timeout=2)
        raise AssertionError("the transformer still answers after down")
    except httpx.ConnectError:
        pass
    assert "no local stack" in run_cli("down", env=env, timeout=60).stderr


def test_up_with_an_unusable_cache_folder_says_why_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    env = cli_env(
        None,
        RESUME_OPTIMIZER_CACHE_DIR=str(tmp_path / "file" / "cache"),
        RESUME_OPTIMIZER_STACK_PREDICTOR_PORT=str(free_port()),
        RESUME_OPTIMIZER_STACK_TRANSFORMER_PORT=str(free_port()),
    )
    up = run_cli("up", env=env, timeout=120)
    assert up.returncode == 1, up.stderr[-3000:]
    assert "error:" in up.stderr and "Not a directory" in up.stderr and "Traceback" not in up.stderr
    assert up.stdout == ""


def test_down_with_a_corrupt_state_file_says_why_without_a_traceback(tmp_path: Path) -> None:
    state = tmp_path / "cache" / "local-stack" / "state.json"
    state.parent.mkdir(parents=True)
    state.write_text('{"predictor_url": "http://127.0.0.1:1", "proc')  # cut off mid-write by hand
    env = cli_env(None, RESUME_OPTIMIZER_CACHE_DIR=str(tmp_path / "cache"))
    for command in ("down", "up"):
        result = run_cli(command, env=env, timeout=120)
        assert result.returncode == 1, result.stderr[-3000:]
        assert "state file" in result.stderr and "unreadable" in result.stderr
        assert "Traceback" not in result.stderr
    assert state.exists()  # left for the user to look at, as the message says
