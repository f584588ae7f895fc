"""The document a resume or job description becomes once read: text plus what is known about its source."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

DocumentFormat = Literal["pdf", "docx", "text", "image"]


class Document(BaseModel):
    text: str
    format: DocumentFormat
    pages: int = Field(1, ge=0, description="pages (PDF), 1 for other formats")
    sha256: str = Field(description="hash of the original bytes (logged instead of content)")
    size_bytes: int = Field(ge=0)
