"""Batch summary: counts, schema-validity and hallucination rates, latency percentiles; JSON and a table."""

from __future__ import annotations

import math
from typing import Any

INVALID_OUTPUT = "invalid_model_output"


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def summarize(
    total_pairs: int,
    results: list[dict[str, Any]],
    failures: list[dict[str, Any]],
    *,
    skipped: int,
    interrupted: bool,
    wall_s: float,
    processed: int,
) -> dict[str, Any]:
    """Figures over every result in the folder (earlier runs included) and this run's failures.

    schema_validity_rate: answers valid against the schema (checked here too) over all answers the model
    gave, counting the service's "invalid model output" failures as invalid ones.
    hallucination_rate: unsupported items over checked items, over all results.
    """
    valid = sum(1 for r in results if r.get("schema_valid") and r.get("schema_valid_client"))
    invalid = len(results) - valid + sum(1 for f in failures if f.get("error") == INVALID_OUTPUT)
    checked = sum(int(r.get("hallucinations", {}).get("checked", 0)) for r in results)
    unsupported = sum(int(r.get("hallucinations", {}).get("unsupported", 0)) for r in results)
    latencies = [float(r["latency_s"]) for r in results if "latency_s" in r]
    by_error: dict[str, int] = {}
    for failure in failures:
        by_error[failure.get("error", "?")] = by_error.get(failure.get("error", "?"), 0) + 1
    return {
        "pairs": total_pairs,
        "succeeded": len(results),
        "failed": len(failures),
        "not_run": max(0, total_pairs - len(results) - len(failures)),
        "skipped_already_done": skipped,
        "processed_this_run": processed,
        "interrupted": interrupted,
        "failures_by_error": by_error,
        "schema_validity_rate": valid / (valid + invalid) if valid + invalid else None,
        "hallucination_rate": unsupported / checked if checked else None,
        "hallucination_items": {"checked": checked, "unsupported": unsupported},
        "latency_s": {
            "p50": percentile(latencies, 50),
            "p95": percentile(latencies, 95),
            "p99": percentile(latencies, 99),
        },
        "attempts_total": sum(int(r.get("attempts", 1)) for r in results),
        "wall_s": round(wall_s, 3),
        "pairs_per_minute": round(processed / wall_s * 60, 2) if wall_s > 0 and processed else None,
    }


def table(summary: dict[str, Any]) -> str:
    """A short human-readable table of the summary."""

    def fmt(value: Any, pct: bool = False) -> str:
        if value is None:
            return "-"
        if pct:
            return f"{value * 100:.1f}%"
        return f"{value:.2f}" if isinstance(value, float) else str(value)

    lat = summary["latency_s"]
    rows = [
        ("pairs", fmt(summary["pairs"])),
        ("succeeded", fmt(summary["succeeded"])),
        ("failed", fmt(summary["failed"])),
        ("not run", fmt(summary["not_run"])),
        ("skipped (already done)", fmt(summary["skipped_already_done"])),
        ("schema-valid", fmt(summary["schema_validity_rate"], pct=True)),
        ("hallucination rate", fmt(summary["hallucination_rate"], pct=True)),
        ("latency p50 / p95 / p99 s", " / ".join(fmt(lat[k]) for k in ("p50", "p95", "p99"))),
        ("pairs per minute", fmt(summary["pairs_per_minute"])),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)
