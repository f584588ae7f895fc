"""The output contract: one pydantic model, aligned with JSON Resume, plus tailoring metadata.

Everything else derives from `TailoredResume`: `GET /schema`, the `response_format` JSON schema sent to the
predictor (optionally with tighter size bounds, see `generation_schema`), and validation of the answer.
Field names follow JSON Resume (https://jsonresume.org/schema), camelCase on the wire.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

SCHEMA_VERSION = "1.0.0"


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)


class Location(_Part):
    city: str = Field(max_length=200)
    region: str = Field(max_length=200)
    country_code: str = Field(max_length=200)


class Profile(_Part):
    network: str = Field(max_length=200)
    username: str = Field(max_length=200)
    url: str = Field(max_length=200)


class Basics(_Part):
    name: str = Field(max_length=200)
    label: str = Field(max_length=200, description="headline / current title")
    email: str = Field(max_length=200)
    phone: str = Field(max_length=200)
    url: str = Field(max_length=200)
    location: Location
    profiles: list[Profile] = Field(max_length=10)


class Work(_Part):
    name: str = Field(max_length=200, description="employer")
    position: str = Field(max_length=200, description="job title")
    location: str = Field(max_length=200)
    start_date: str = Field(max_length=200, description="as in the resume, e.g. 2019-03 or March 2019")
    end_date: str = Field(max_length=200, description="as in the resume, or Present")
    summary: str = Field(max_length=2000)
    highlights: list[str] = Field(max_length=20)


class Education(_Part):
    institution: str = Field(max_length=200)
    area: str = Field(max_length=200, description="field of study")
    study_type: str = Field(max_length=200, description="degree, e.g. M.Sc.")
    start_date: str = Field(max_length=200)
    end_date: str = Field(max_length=200)
    score: str = Field(max_length=200)


class Skill(_Part):
    name: str = Field(max_length=200)
    level: str = Field(max_length=200)
    keywords: list[str] = Field(max_length=30)


class Project(_Part):
    name: str = Field(max_length=200)
    description: str = Field(max_length=2000)
    highlights: list[str] = Field(max_length=20)
    url: str = Field(max_length=200)


class Certificate(_Part):
    name: str = Field(max_length=200)
    issuer: str = Field(max_length=200)
    date: str = Field(max_length=200)


class Tailoring(_Part):
    target_role: str = Field(max_length=200, description="the role the resume is tailored to")
    matched_job_keywords: list[str] = Field(
        max_length=60, description="job-description keywords the tailored resume covers"
    )


class TailoredResume(_Part):
    """A resume tailored to one job description (JSON Resume sections + tailoring metadata)."""

    model_config = ConfigDict(title="TailoredResume")

    basics: Basics
    summary: str = Field(max_length=2000)
    work: list[Work] = Field(max_length=30)
    education: list[Education] = Field(max_length=15)
    skills: list[Skill] = Field(max_length=60)
    projects: list[Project] = Field(max_length=20)
    certifications: list[Certificate] = Field(max_length=30)
    tailoring: Tailoring


@cache  # building it takes milliseconds; callers treat the result as read-only
def output_schema() -> dict[str, Any]:
    """The JSON Schema of a tailored resume, as served at GET /schema (camelCase field names)."""
    schema = TailoredResume.model_json_schema(by_alias=True)
    schema["$id"] = f"https://resume-optimizer.dev/schema/tailored-resume/{SCHEMA_VERSION}"
    return schema


def generation_schema(max_string_chars: int | None = None, max_items: int | None = None) -> dict[str, Any]:
    """The schema sent as `response_format`: the output schema, optionally with tighter size bounds.

    Tighter bounds cap how long the predictor may write (a smaller answer is still valid output).
    """
    schema = copy.deepcopy(output_schema())
    schema.pop("$id", None)

    def tighten(node: Any) -> None:
        if isinstance(node, dict):
            if max_string_chars is not None and node.get("type") == "string":
                node["maxLength"] = min(node.get("maxLength", max_string_chars), max_string_chars)
            if max_items is not None and node.get("type") == "array":
                node["maxItems"] = min(node.get("maxItems", max_items), max_items)
            for value in node.values():
                tighten(value)
        elif isinstance(node, list):
            for value in node:
                tighten(value)

    tighten(schema)
    return schema
