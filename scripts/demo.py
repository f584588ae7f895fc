"""The README's main job on one machine: tailor the sample resume (PDF) to the sample job description.

Starts the predictor (vLLM) and the transformer (KServe) as real processes, sends samples/resume.pdf and
samples/job_description.txt to POST /optimize, prints the tailored resume, the quality metrics and the
hallucination report, then stops both.

Uses Qwen/Qwen3-4B-Instruct-2507 where its weights are already in the local Hugging Face cache, and
otherwise the tiny random stand-in (built once under .cache/tiny), whose text is meaningless.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
TINY_DIR = ROOT / ".cache" / "tiny"
PREDICTOR_PORT = int(os.environ.get("DEMO_PREDICTOR_PORT", "8180"))
TRANSFORMER_PORT = int(os.environ.get("DEMO_TRANSFORMER_PORT", "8080"))


def say(message: str) -> None:
    sys.stderr.write(f"demo: {message}\n")


def real_model_cached() -> bool:
    from huggingface_hub import try_to_load_from_cache

    return isinstance(try_to_load_from_cache("Qwen/Qwen3-4B-Instruct-2507", "config.json"), str)


def environment(workdir: Path) -> tuple[dict[str, str], bool]:
    """Env vars for both processes, and whether the tiny stand-in is used."""
    env = dict(os.environ, HF_HUB_OFFLINE="1", PREDICTOR_PORT=str(PREDICTOR_PORT), PREDICTOR_HOST="127.0.0.1")
    env.update(PREDICTOR_STATUS_FILE=str(workdir / "status.json"), TRANSFORMER_ARTIFACTS_DIR=str(workdir / "artifacts"))
    if real_model_cached():
        say("serving Qwen/Qwen3-4B-Instruct-2507 from the local Hugging Face cache")
        env.setdefault("PREDICTOR_ADAPTER", "")
        return env, False
    if not (TINY_DIR / "adapter" / "adapter_config.json").is_file():
        say("building the tiny stand-in model under .cache/tiny")
        subprocess.run([sys.executable, "-m", "predictor.tiny", str(TINY_DIR)], check=True, capture_output=True)
    env.update(PREDICTOR_MODEL=str(TINY_DIR / "model"), PREDICTOR_MODEL_ID="tiny-qwen3",
               PREDICTOR_ADAPTER=str(TINY_DIR / "adapter"), PREDICTOR_MAX_MODEL_LEN="16384",
               # The random model fills every string to its cap; small caps keep the CPU answer short.
               TRANSFORMER_GENERATION_MAX_STRING_CHARS="40", TRANSFORMER_GENERATION_MAX_ITEMS="2")  # fmt: skip
    return env, True


def wait_until(proc: subprocess.Popen, url: str, ready: callable, log: Path, what: str) -> None:  # type: ignore[valid-type]
    while proc.poll() is None:
        try:
            if ready(httpx.get(url, timeout=2)):
                return
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(1)
    sys.stderr.write(log.read_text(errors="replace")[-3000:])
    raise SystemExit(f"demo: the {what} exited with code {proc.returncode} (log: {log})")


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="resume-optimizer-demo-"))
    env, tiny = environment(workdir)
    procs: list[subprocess.Popen] = []
    try:
        say(f"starting the predictor on 127.0.0.1:{PREDICTOR_PORT} (log: {workdir / 'predictor.log'})")
        with (workdir / "predictor.log").open("wb") as out:
            procs.append(subprocess.Popen([sys.executable, "-m", "predictor"], env=env, stdout=out, stderr=out))
        say(f"starting the transformer on 127.0.0.1:{TRANSFORMER_PORT} (log: {workdir / 'transformer.log'})")
        with (workdir / "transformer.log").open("wb") as out:
            cmd = [sys.executable, "-m", "transformer", "--predictor_host", f"127.0.0.1:{PREDICTOR_PORT}",
                   "--http_port", str(TRANSFORMER_PORT), "--enable_grpc", "false"]  # fmt: skip
            procs.append(subprocess.Popen(cmd, env=env, stdout=out, stderr=out))
        wait_until(procs[0], f"http://127.0.0.1:{PREDICTOR_PORT}/status", lambda r: r.json().get("state") == "ready",
                   workdir / "predictor.log", "predictor")  # fmt: skip
        url = f"http://127.0.0.1:{TRANSFORMER_PORT}"
        wait_until(procs[1], f"{url}/health", lambda r: r.status_code == 200, workdir / "transformer.log",
                   "transformer")  # fmt: skip
        say("POST /optimize with samples/resume.pdf and samples/job_description.txt")
        files = {"resume": ("resume.pdf", (SAMPLES / "resume.pdf").read_bytes(), "application/pdf")}
        form = {"job_description": (SAMPLES / "job_description.txt").read_text()}
        response = httpx.post(f"{url}/optimize", files=files, data=form, timeout=900)
        body = response.json()
        if response.status_code != 200:
            say(f"the service answered {response.status_code}: {json.dumps(body)}")
            return 1
        if tiny:
            banner = "!" * 78
            say(f"\n{banner}\n!! TINY RANDOM STAND-IN MODEL: Qwen3-4B-Instruct-2507 weights are not cached here.\n"
                f"!! The JSON below has the right shape and is validated and fact-checked for real,\n"
                f"!! but its text is MEANINGLESS noise.\n{banner}")  # fmt: skip
        report = body["hallucinations"]
        print(json.dumps({"request_id": body["request_id"], "tailored_resume": body["tailored_resume"],
                          "quality": body["quality"],
                          "hallucinations": {"checked": report["checked"], "unsupported": report["unsupported"],
                                             "rate": report["rate"], "items": report["items"]},
                          "artifacts": str(workdir / "artifacts" / body["request_id"])},
                         indent=2, ensure_ascii=False))  # fmt: skip
        return 0
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=60)


if __name__ == "__main__":
    raise SystemExit(main())
