"""What one tailoring request takes and gives, whichever route it came by (v2, REST, streaming, batch)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from transformer.fact_check.report import FactCheckReport
from transformer.quality.scoring import QualityMetrics


class TailorOptions(BaseModel):
    """Per-request options (`options` input of v2, fields of the REST routes)."""

    model_config = ConfigDict(extra="forbid")
    stream: bool = Field(False, description="stream the predictor's tokens as server-sent events")
    strict: bool = Field(False, description="drop items the resume does not support from the returned resume")
    mode: Literal["realtime", "batch"] = Field("realtime", description="realtime (interactive) or batch traffic")


class TailorInput(BaseModel):
    resume: bytes
    resume_filename: str | None = None
    job_description: str | None = None
    job_url: str | None = None
    options: TailorOptions = TailorOptions()


class TailorResult(BaseModel):
    """The answer to one tailoring request."""

    request_id: str = Field(description="artifact id of the request (the caller's x-request-id when usable)")
    tailored_resume: dict[str, Any] = Field(description="the tailored resume, valid against GET /schema")
    schema_valid: bool
    quality: QualityMetrics
    hallucinations: FactCheckReport = Field(
        description="the fact check's report: every generated claim looked up in the source resume"
    )
