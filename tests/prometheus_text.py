"""Read a /metrics page into samples, for tests (prometheus-client's own text parser)."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def scrape(base_url: str) -> Samples:
    response = httpx.get(f"{base_url}/metrics", timeout=10)
    response.raise_for_status()
    return parse(response.text)


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


def mean(before: Samples, after: Samples, histogram: str, **labels: str) -> float:
    """Mean of the observations made between two scrapes (delta _sum / delta _count)."""
    count = (value(after, f"{histogram}_count", **labels) or 0) - (value(before, f"{histogram}_count", **labels) or 0)
    total = (value(after, f"{histogram}_sum", **labels) or 0) - (value(before, f"{histogram}_sum", **labels) or 0)
    assert count > 0, f"no observations of {histogram} {labels}"
    return total / count
