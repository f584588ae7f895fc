"""The README's main job on one machine: tailor the sample resume (PDF) to the sample job description.

Starts the predictor (vLLM) and the transformer (KServe) as real processes (resume_optimizer.local_stack),
sends samples/resume.pdf and samples/job_description.txt to POST /optimize, prints the tailored resume, the
quality metrics and the fact-check report, then stops both.

Uses Qwen/Qwen3-4B-Instruct-2507 where its weights are already in the local Hugging Face cache, and
otherwise the tiny random stand-in (built once under .cache/tiny), whose text is meaningless.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import httpx

from resume_optimizer import local_stack

ROOT = Path(__file__).resolve().parent.parent

SAMPLES = ROOT / "samples"
PREDICTOR_PORT = int(os.environ.get("DEMO_PREDICTOR_PORT", "8180"))
TRANSFORMER_PORT = int(os.environ.get("DEMO_TRANSFORMER_PORT", "8080"))


def say(message: str) -> None:
    sys.stderr.write(f"demo: {message}\n")


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="resume-optimizer-demo-"))
    try:
        stack = local_stack.start(
            workdir,
            cache_dir=ROOT / ".cache",
            predictor_port=PREDICTOR_PORT,
            transformer_port=TRANSFORMER_PORT,
            say=say,
        )
    except local_stack.StackError as exc:
        raise SystemExit(f"demo: {exc}") from None
    try:
        say("POST /optimize with samples/resume.pdf and samples/job_description.txt")
        files = {"resume": ("resume.pdf", (SAMPLES / "resume.pdf").read_bytes(), "application/pdf")}
        form = {"job_description": (SAMPLES / "job_description.txt").read_text()}
        response = httpx.post(f"{stack.transformer_url}/optimize", files=files, data=form, timeout=900)
        body = response.json()
        if response.status_code != 200:
            say(f"the service answered {response.status_code}: {json.dumps(body)}")
            return 1
        if stack.tiny:
            banner = "!" * 78
            say(
                f"\n{banner}\n!! TINY RANDOM STAND-IN MODEL: Qwen3-4B-Instruct-2507 weights are not cached here.\n"
                f"!! The JSON below has the right shape and is validated and fact-checked for real,\n"
                f"!! but its text is MEANINGLESS noise.\n{banner}"
            )
        report = body["hallucinations"]
        print(
            json.dumps(
                {
                    "request_id": body["request_id"],
                    "tailored_resume": body["tailored_resume"],
                    "quality": body["quality"],
                    "hallucinations": {
                        "checked": report["checked"],
                        "unsupported": report["unsupported"],
                        "rate": report["rate"],
                        "items": report["items"],
                    },
                    "artifacts": str(workdir / "artifacts" / body["request_id"]),
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return 0
    finally:
        local_stack.stop(stack)


if __name__ == "__main__":
    raise SystemExit(main())
