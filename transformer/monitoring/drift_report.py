"""The vocabulary-drift report: its format, and the gauges the server serves from the latest report file.

`python -m transformer.drift vocabulary` writes the report; every replica serves it at each scrape as
resume_optimizer_vocabulary_drift_ratio and resume_optimizer_vocabulary_drift_report_timestamp_seconds.
The report lists job-description tokens, so it stays on the artifacts' volume.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from pydantic import BaseModel, ConfigDict, Field, ValidationError

log = logging.getLogger("transformer.drift")  # the logger name the collector has always used


class RankedToken(BaseModel):
    token: str
    documents: int = Field(description="recent distinct job descriptions holding the token")
    in_training: bool


class VocabularyDriftReport(BaseModel):
    """The vocabulary-drift report (on the artifacts' volume: it lists job-description tokens)."""

    model_config = ConfigDict(extra="forbid")
    version: int = 1
    generated_at: datetime
    window_days: float
    window_start: datetime
    requests: int = Field(description="stored requests with a job description in the window")
    documents: int = Field(description="distinct job descriptions among them")
    top_n: int
    absent: int = Field(description="top tokens absent from the training vocabulary")
    drift_ratio: float | None = Field(None, ge=0, le=1, description="absent / top tokens; null without documents")
    baseline_source: str
    baseline_vocabulary_stand_in: bool
    top_tokens: list[RankedToken]


class VocabularyDriftCollector(Collector):
    """Serves the latest report file at each scrape (re-read when it changes); no series without a report."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._cached: tuple[float, VocabularyDriftReport | None] | None = None

    def _report(self) -> VocabularyDriftReport | None:
        try:
            mtime = self.path.stat().st_mtime
        except OSError:
            return None
        if self._cached is None or self._cached[0] != mtime:
            try:
                report: VocabularyDriftReport | None = VocabularyDriftReport.model_validate_json(self.path.read_bytes())
            except (OSError, ValidationError) as exc:
                # Not str(exc): a ValidationError quotes the bad values, and the report holds job-ad tokens.
                reason = f"{exc.error_count()} invalid field(s)" if isinstance(exc, ValidationError) else exc.strerror
                log.warning(
                    "unreadable vocabulary-drift report",
                    extra={"path": str(self.path), "error": type(exc).__name__, "reason": reason},
                )
                report = None
            self._cached = (mtime, report)
        return self._cached[1]

    def collect(self) -> Iterator[GaugeMetricFamily]:
        report = self._report()
        if report is None:
            return
        if report.drift_ratio is not None:
            yield GaugeMetricFamily(
                "resume_optimizer_vocabulary_drift_ratio",
                "Share of the top job-description tokens of the window absent from the training vocabulary",
                value=report.drift_ratio,
            )
        yield GaugeMetricFamily(
            "resume_optimizer_vocabulary_drift_report_timestamp_seconds",
            "When the vocabulary-drift report was computed (Unix time)",
            value=report.generated_at.timestamp(),
        )
