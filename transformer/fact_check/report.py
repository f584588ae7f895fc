"""The fact check's report: every checked claim with its verdict (the `hallucinations` field of a response)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

Kind = Literal["skill", "employer", "title", "date", "degree", "institution", "number", "certification"]
Source = Literal["resume", "job_description", "none"]


class FactCheckItem(BaseModel):
    """One checked claim of the tailored resume and whether the source resume supports it."""

    path: str
    value: str
    kind: Kind
    supported: bool
    evidence: str | None
    reason: str
    source: Source


class FactCheckReport(BaseModel):
    """All checked claims; `rate` is unsupported / checked (0.0 when nothing was checked)."""

    items: list[FactCheckItem]
    checked: int
    unsupported: int
    rate: float

    @property
    def unsupported_paths(self) -> set[str]:
        """Field paths (JSON names) holding at least one unsupported claim."""
        return {item.path for item in self.items if not item.supported}
