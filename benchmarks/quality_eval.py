"""What the running stack's model does with real resumes: validity, fact check, coverage, tokens and speed.

    python -m benchmarks.quality_eval [--url http://127.0.0.1:8080] [--pairs 12] [--seed 0] [--out FILE]

Sends N resume/job pairs through a running transformer (`make demo`'s stack, `resume-optimizer up`, or a
cluster's gateway), whatever model its predictor serves: the sample PDF, the project's generated PDF layouts
(one column, two columns, several pages, a scan) with the sample job description, then generated text pairs
(samples/make_training_pairs.py, `--seed`). One request at a time by default, so latencies are per answer.

Prints, and writes as JSON with every pair's figures: the served model; schema-valid rate (a 200 answer) and
parse rate (an answer that parsed as JSON, on any attempt); hallucination rate mean and p95, keyword coverage
before -> after, shared token ratio and skill items (means over valid answers); output tokens; latency p50 and
p95 over all pairs; output tokens per second over valid answers. Figures and how they were measured:
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from samples.make_training_pairs import generate
from samples.resume_layouts import all_layouts
from transformer.baseline import parse_pair

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_JOB = (ROOT / "samples" / "job_description.txt").read_text()


@dataclass(frozen=True)
class Pair:
    name: str
    job: str
    pdf: bytes | None = None  # sent to /optimize as a file
    text: str | None = None  # sent to /optimize/text


@dataclass
class Outcome:
    name: str
    status: int
    seconds: float
    parsed: bool
    schema_valid: bool
    error: str | None = None
    attempts: int | None = None
    hallucination_rate: float | None = None
    keyword_coverage_before: float | None = None
    keyword_coverage_after: float | None = None
    shared_token_ratio: float | None = None
    skill_items: int | None = None
    output_tokens: int | None = None


@dataclass
class Summary:
    model: dict[str, Any]
    pairs: int
    schema_valid_rate: float
    parse_rate: float
    hallucination_rate_mean: float | None
    hallucination_rate_p95: float | None
    keyword_coverage_before_mean: float | None
    keyword_coverage_after_mean: float | None
    shared_token_ratio_mean: float | None
    skill_items_mean: float | None
    output_tokens_mean: float | None
    latency_p50_s: float
    latency_p95_s: float
    output_tokens_per_s: float | None
    statuses: dict[str, int]
    outcomes: list[Outcome] = field(default_factory=list)


def pairs(count: int, seed: int) -> list[Pair]:
    """The sample, the generated layouts, then generated text pairs: `count` in all."""
    chosen = [Pair("sample.pdf", SAMPLE_JOB, pdf=(ROOT / "samples" / "resume.pdf").read_bytes())]
    chosen += [Pair(f"layout-{layout.name}.pdf", SAMPLE_JOB, pdf=layout.pdf) for layout in all_layouts()]
    if len(chosen) < count:
        for i, record in enumerate(generate(count - len(chosen), seed=seed)):
            pair = parse_pair(record)
            chosen.append(Pair(f"generated-{seed}-{i}.txt", pair.job_description, text=pair.resume))
    return chosen[:count]


def quantile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (NumPy's default)."""
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


async def tailor(http: httpx.AsyncClient, pair: Pair) -> Outcome:
    started = time.perf_counter()
    if pair.pdf is not None:
        files = {"resume": (pair.name, pair.pdf, "application/pdf")}
        response = await http.post("/optimize", files=files, data={"job_description": pair.job})
    else:
        response = await http.post("/optimize/text", json={"resume_text": pair.text, "job_description": pair.job})
    seconds = time.perf_counter() - started
    body = response.json()
    if response.status_code != 200:
        attempts = (body.get("report") or {}).get("attempts") or []
        parsed = any(attempt.get("json_parse_ok") for attempt in attempts)
        return Outcome(pair.name, response.status_code, seconds, parsed, False, error=body.get("error"))
    quality = body["quality"]
    return Outcome(
        pair.name,
        200,
        seconds,
        parsed=True,
        schema_valid=bool(body["schema_valid"]),
        attempts=quality["attempts"],
        hallucination_rate=quality["hallucination_rate"],
        keyword_coverage_before=quality["keyword_coverage_before"],
        keyword_coverage_after=quality["keyword_coverage_after"],
        shared_token_ratio=quality["shared_token_ratio"],
        skill_items=quality["skill_items"],
        output_tokens=quality["output_tokens"],
    )


def _mean(values: list[float]) -> float | None:
    return statistics.fmean(values) if values else None


def summarise(model: dict[str, Any], outcomes: list[Outcome]) -> Summary:
    valid = [o for o in outcomes if o.status == 200 and o.schema_valid]
    rates = [o.hallucination_rate for o in valid if o.hallucination_rate is not None]
    tokens = [o.output_tokens for o in valid if o.output_tokens is not None]
    latencies = [o.seconds for o in outcomes]
    statuses: dict[str, int] = {}
    for outcome in outcomes:
        statuses[str(outcome.status)] = statuses.get(str(outcome.status), 0) + 1
    return Summary(
        model=model,
        pairs=len(outcomes),
        schema_valid_rate=len(valid) / len(outcomes),
        parse_rate=sum(o.parsed for o in outcomes) / len(outcomes),
        hallucination_rate_mean=_mean(rates),
        hallucination_rate_p95=quantile(rates, 0.95) if rates else None,
        keyword_coverage_before_mean=_mean([o.keyword_coverage_before or 0.0 for o in valid]),
        keyword_coverage_after_mean=_mean([o.keyword_coverage_after or 0.0 for o in valid]),
        shared_token_ratio_mean=_mean([o.shared_token_ratio or 0.0 for o in valid]),
        skill_items_mean=_mean([float(o.skill_items or 0) for o in valid]),
        output_tokens_mean=_mean([float(t) for t in tokens]),
        latency_p50_s=quantile(latencies, 0.5),
        latency_p95_s=quantile(latencies, 0.95),
        output_tokens_per_s=sum(tokens) / sum(o.seconds for o in valid) if valid and tokens else None,
        statuses=statuses,
        outcomes=outcomes,
    )


async def evaluate(url: str, count: int, seed: int, concurrency: int, timeout_s: float) -> Summary:
    async with httpx.AsyncClient(base_url=url, timeout=httpx.Timeout(timeout_s, connect=30)) as http:
        health = (await http.get("/health")).json()
        status = health.get("predictor") or {}
        model = {
            "base_model": (status.get("base_model") or {}).get("id"),
            "adapter": (status.get("adapter") or {}).get("name"),
            "precision": status.get("precision"),
            "device": status.get("device"),
        }
        gate = asyncio.Semaphore(concurrency)

        async def one(pair: Pair) -> Outcome:
            async with gate:
                return await tailor(http, pair)

        outcomes = await asyncio.gather(*(one(pair) for pair in pairs(count, seed)))
    return summarise(model, list(outcomes))


def _figure(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def report(summary: Summary) -> str:
    m = summary.model
    lines = [
        f"model: {m['base_model']} + {m['adapter'] or 'no adapter'} ({m['precision']}, {m['device']})",
        f"pairs: {summary.pairs}  statuses: {summary.statuses}",
        f"schema-valid rate {_figure(summary.schema_valid_rate)}  parse rate {_figure(summary.parse_rate)}",
        f"hallucination rate mean {_figure(summary.hallucination_rate_mean)}  "
        f"p95 {_figure(summary.hallucination_rate_p95)}",
        f"keyword coverage {_figure(summary.keyword_coverage_before_mean)} -> "
        f"{_figure(summary.keyword_coverage_after_mean)}  shared token ratio "
        f"{_figure(summary.shared_token_ratio_mean)}  skill items {_figure(summary.skill_items_mean, 1)}",
        f"output tokens mean {_figure(summary.output_tokens_mean, 0)}  "
        f"{_figure(summary.output_tokens_per_s, 1)} tokens/s  "
        f"latency p50 {summary.latency_p50_s:.1f} s  p95 {summary.latency_p95_s:.1f} s",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.quality_eval", description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8080", help="the transformer's base URL")
    parser.add_argument("--pairs", type=int, default=12, help="how many resume/job pairs")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated text pairs")
    parser.add_argument("--concurrency", type=int, default=1, help="requests in flight at once")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds one answer may take")
    parser.add_argument("--out", type=Path, help="write the summary and every pair's figures as JSON")
    args = parser.parse_args(argv)
    if args.pairs < 1 or args.concurrency < 1:
        parser.error("--pairs and --concurrency must be at least 1")
    try:
        summary = asyncio.run(evaluate(args.url, args.pairs, args.seed, args.concurrency, args.timeout))
    except httpx.HTTPError as exc:
        print(f"error: the transformer at {args.url} did not answer ({type(exc).__name__})", file=sys.stderr)
        return 1
    print(report(summary))
    if args.out is not None:
        args.out.write_text(json.dumps(asdict(summary), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
