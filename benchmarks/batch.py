"""Batch throughput: pairs per minute through the transformer at concurrency 1, 4 and 16, against the predictor
called directly with the same prompts.

    python -m benchmarks.batch [--levels 1:6,4:16,16:48] [--json]

Starts its own local stack (resume_optimizer.local_stack: the real predictor and transformer processes; the
tiny stand-in model unless Qwen3-4B is cached) on free ports with TRANSFORMER_TEMPERATURE=0, so both paths
decode the same tokens for the same prompt. For each level it runs fresh pairs (text resumes, each a little
different) through the batch runner of `resume-optimizer batch` (v2 infer, results written and fsync-ed), then
sends the same chat requests straight to vLLM's /v1/chat/completions with the same concurrency. The direct
requests are built with transformer/prompting.py and the transformer's settings, and checked to be identical
to the prompt.json the transformer stored for each pair. The transformer path runs first, so vLLM's prefix
cache can only favour the direct path: the ratio is a conservative one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from resume_optimizer import local_stack
from resume_optimizer.batch import BatchRunner
from resume_optimizer.pairs import Source, make_pair
from resume_optimizer.results import ResultStore
from resume_optimizer.settings import ClientSettings
from transformer.generation.prompting import ChatRequest, Sampling, build_chat_request
from transformer.generation.schema import GenerationBounds, generation_schema
from transformer.reading.cleaning import clean_document, clean_text
from transformer.reading.parsing import parse_document
from transformer.settings import TransformerSettings

ROOT = Path(__file__).resolve().parent.parent

RESUME_TEXT = (ROOT / "samples" / "resume.txt").read_text()
JOB_TEXT = (ROOT / "samples" / "job_description.txt").read_text()
PINNED = {"TRANSFORMER_TEMPERATURE": "0"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_inputs(folder: Path, level: int, count: int) -> list[Any]:
    """`count` text resumes (one unique line each) against the sample job description."""
    folder.mkdir(parents=True)
    (folder / "job.txt").write_text(JOB_TEXT)
    pairs = []
    for i in range(count):
        path = folder / f"resume-c{level}-{i:03d}.txt"
        path.write_text(RESUME_TEXT + f"\nReferences available on request (batch {level}, candidate {i}).\n")
        pairs.append(make_pair(Source(path.name, path), Source("job.txt", folder / "job.txt")))
    return pairs


def direct_request(pair: Any, settings: TransformerSettings, schema: dict[str, Any]) -> ChatRequest:
    """The chat request the transformer builds for this pair (same stages, same settings)."""
    document = clean_document(
        parse_document(pair.resume.path.read_bytes(), max_bytes=settings.max_upload_bytes, max_pages=settings.max_pages)
    )
    return build_chat_request(
        document.text,
        clean_text(pair.job.path.read_text()),
        model=settings.predictor_model,
        schema=schema,
        max_tokens=settings.max_output_tokens,
        sampling=Sampling.from_settings(settings),
    )


async def run_direct(predictor_url: str, requests: list[ChatRequest], concurrency: int) -> tuple[float, int]:
    """Wall seconds for all requests at this concurrency, and how many answered 200."""
    semaphore = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=predictor_url, timeout=900) as http:

        async def one(request: ChatRequest) -> bool:
            async with semaphore:
                response = await http.post("/v1/chat/completions", json=request.model_dump(exclude_none=True))
                return response.status_code == 200

        started = time.perf_counter()
        answers = await asyncio.gather(*(one(r) for r in requests))
        return time.perf_counter() - started, sum(answers)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", default="1:6,4:16,16:48", help="concurrency:pairs,... (default 1:6,4:16,16:48)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    levels = [tuple(int(x) for x in item.split(":")) for item in args.levels.split(",")]

    work = Path(tempfile.mkdtemp(prefix="resume-optimizer-bench-batch-"))
    say = lambda message: sys.stderr.write(f"bench: {message}\n")  # noqa: E731
    stack = local_stack.start(
        work / "stack",
        cache_dir=ROOT / ".cache",
        predictor_port=free_port(),
        transformer_port=free_port(),
        say=say,
        extra_env=PINNED,
    )
    rows = []
    try:
        # The transformer's settings as its process sees them (the stack's environment), to build identical prompts.
        env, _ = local_stack.environment(work / "stack", ROOT / ".cache", 0, lambda _m: None)
        env.update(PINNED)
        saved = {k: os.environ.get(k) for k in env if k.startswith("TRANSFORMER_")}
        os.environ.update({k: v for k, v in env.items() if k.startswith("TRANSFORMER_")})
        settings = TransformerSettings()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        schema = generation_schema(GenerationBounds.from_settings(settings))
        artifacts = work / "stack" / "artifacts"

        for concurrency, count in levels:
            pairs = make_inputs(work / f"inputs-{concurrency}", concurrency, count)
            client_settings = ClientSettings(url=stack.transformer_url, concurrency=concurrency)
            outcome = asyncio.run(
                BatchRunner(client_settings, ResultStore(work / f"out-{concurrency}"), tty=False).run(pairs)
            )
            summary = outcome.summary
            via_wall = summary["wall_s"]
            results = ResultStore(work / f"out-{concurrency}").results()
            requests = [direct_request(p, settings, schema) for p in pairs]
            identical = all(
                json.loads((artifacts / r["request_id"] / "prompt.json").read_text())
                == requests[[p.pair_id for p in pairs].index(r["pair_id"])].model_dump(exclude_none=True)
                for r in results
            )
            direct_wall, direct_ok = asyncio.run(run_direct(stack.predictor_url, requests, concurrency))
            via_ppm = summary["succeeded"] / via_wall * 60
            direct_ppm = direct_ok / direct_wall * 60
            rows.append(
                {
                    "concurrency": concurrency,
                    "pairs": count,
                    "transformer_succeeded": summary["succeeded"],
                    "transformer_pairs_per_minute": round(via_ppm, 1),
                    "direct_answered": direct_ok,
                    "direct_pairs_per_minute": round(direct_ppm, 1),
                    "ratio": round(via_ppm / direct_ppm, 3),
                    "transformer_attempts": summary["attempts_total"],
                    "prompts_identical": identical,
                    "transformer_latency_p50_s": summary["latency_s"]["p50"],
                    "transformer_latency_p95_s": summary["latency_s"]["p95"],
                }
            )
            say(f"concurrency {concurrency}: {rows[-1]}")
    finally:
        local_stack.stop(stack)

    model = "tiny stand-in (random weights, CPU)" if stack.tiny else "Qwen3-4B-Instruct-2507"
    print(f"model: {model}; {os.cpu_count()} CPU cores (shared, noisy); temperature 0")
    print(
        f"{'conc':>4} {'pairs':>5} {'via transformer /min':>21} {'direct /min':>12} {'ratio':>6} "
        f"{'attempts':>8} {'p50 s':>6} {'p95 s':>6} {'same prompts':>12}"
    )
    for row in rows:
        print(
            f"{row['concurrency']:>4} {row['pairs']:>5} {row['transformer_pairs_per_minute']:>21.1f} "
            f"{row['direct_pairs_per_minute']:>12.1f} {row['ratio']:>6.3f} {row['transformer_attempts']:>8} "
            f"{row['transformer_latency_p50_s']:>6.2f} {row['transformer_latency_p95_s']:>6.2f} "
            f"{'yes' if row['prompts_identical'] else 'NO':>12}"
        )
    if args.json:
        print(json.dumps(rows, indent=2))
    return 0 if all(r["prompts_identical"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
