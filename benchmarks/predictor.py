"""Structured-output throughput of any OpenAI-compatible endpoint at 1, 4 and 16 concurrent requests.

    python -m benchmarks.predictor http://127.0.0.1:8080 [--model NAME] [--requests-per-slot 4]

Per concurrency level: time to first token (median, p95), output tokens/s per request (median),
aggregate output tokens/s, and requests/s. Every request streams and carries a JSON schema.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from dataclasses import dataclass

import httpx

SCHEMA = {
    "type": "object",
    "properties": {
        "summary": {"type": "string", "maxLength": 200},
        "skills": {"type": "array", "items": {"type": "string", "maxLength": 24}, "maxItems": 8},
        "years": {"type": "integer", "minimum": 0, "maximum": 60},
    },
    "required": ["summary", "skills", "years"],
    "additionalProperties": False,
}
PROMPT = (
    "Resume: Senior data engineer, 8 years, Python, Kafka, Kubernetes, led 5 engineers.\n"
    "Job: Platform engineer, Kubernetes and Go. Tailor the resume as JSON."
)


@dataclass
class Sample:
    ttft_s: float
    total_s: float
    output_tokens: int


async def one_request(client: httpx.AsyncClient, url: str, model: str, max_tokens: int) -> Sample:
    body = {
        "model": model,
        "messages": [{"role": "user", "content": PROMPT}],
        "max_tokens": max_tokens,
        "temperature": 0,
        "stream": True,
        "stream_options": {"include_usage": True},
        "response_format": {"type": "json_schema", "json_schema": {"name": "bench", "schema": SCHEMA}},
    }
    started = time.perf_counter()
    first = None
    tokens = 0
    async with client.stream("POST", f"{url}/v1/chat/completions", json=body) as response:
        response.raise_for_status()
        async for line in response.aiter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            if first is None and any(c["delta"].get("content") for c in chunk.get("choices", [])):
                first = time.perf_counter()
            if chunk.get("usage"):
                tokens = chunk["usage"]["completion_tokens"]
    end = time.perf_counter()
    return Sample(ttft_s=(first or end) - started, total_s=end - started, output_tokens=tokens)


async def run_level(url: str, model: str, concurrency: int, requests: int, max_tokens: int) -> dict[str, float]:
    semaphore = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(timeout=600, limits=limits) as client:

        async def bounded() -> Sample:
            async with semaphore:
                return await one_request(client, url, model, max_tokens)

        started = time.perf_counter()
        samples = await asyncio.gather(*(bounded() for _ in range(requests)))
        wall = time.perf_counter() - started
    ttfts = sorted(s.ttft_s for s in samples)
    per_request = [
        (s.output_tokens - 1) / (s.total_s - s.ttft_s) for s in samples if s.output_tokens > 1 and s.total_s > s.ttft_s
    ]
    return {
        "concurrency": concurrency,
        "requests": requests,
        "ttft_p50_ms": 1000 * statistics.median(ttfts),
        "ttft_p95_ms": 1000 * ttfts[min(len(ttfts) - 1, int(0.95 * len(ttfts)))],
        "tok_s_per_request": statistics.median(per_request) if per_request else 0.0,
        "tok_s_total": sum(s.output_tokens for s in samples) / wall,
        "req_s": requests / wall,
    }


def pick_model(url: str) -> str:
    """The LoRA adapter where one is served (it has a parent), else the first model."""
    models = httpx.get(f"{url}/v1/models", timeout=30).json()["data"]
    adapters = [m["id"] for m in models if m.get("parent")]
    return adapters[0] if adapters else models[0]["id"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="base URL of the OpenAI-compatible server, e.g. http://127.0.0.1:8080")
    parser.add_argument("--model", help="model name (default: the adapter, else the first served model)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--requests-per-slot", type=int, default=4, help="requests = concurrency x this")
    parser.add_argument("--max-tokens", type=int, default=128)
    args = parser.parse_args()
    url = args.url.rstrip("/")
    model = args.model or pick_model(url)
    asyncio.run(run_level(url, model, 1, 2, args.max_tokens))  # warm-up: grammar compilation, caches
    columns = [("conc", 4), ("reqs", 5), ("TTFT p50 ms", 12), ("TTFT p95 ms", 12), ("tok/s/req", 10), ("tok/s", 8)]
    header = " ".join(f"{name:>{width}}" for name, width in [*columns, ("req/s", 7)])
    print(f"model={model} url={url} max_tokens={args.max_tokens}")
    print(header)
    for concurrency in args.concurrency:
        row = asyncio.run(run_level(url, model, concurrency, concurrency * args.requests_per_slot, args.max_tokens))
        print(
            f"{row['concurrency']:>4} {row['requests']:>5} {row['ttft_p50_ms']:>12.1f} {row['ttft_p95_ms']:>12.1f} "
            f"{row['tok_s_per_request']:>10.1f} {row['tok_s_total']:>8.1f} {row['req_s']:>7.2f}"
        )


if __name__ == "__main__":
    main()
