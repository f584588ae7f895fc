"""The output contract: one pydantic model, aligned with JSON Resume, plus tailoring metadata.

Everything else derives from `TailoredResume`: `GET /schema`, the `response_format` JSON schema sent to the
predictor (with tighter size bounds and shapes, see `generation_schema`), and validation of the answer.
Field names follow JSON Resume (https://jsonresume.org/schema), camelCase on the wire.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

if TYPE_CHECKING:
    from transformer.settings import TransformerSettings

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


# The shapes a bounded answer's dates, e-mail, URLs and phone numbers take (anchored; "" is always allowed), with
# the longest string each admits. Dates are what the fact check reads (fact_check/dates.py): YYYY, YYYY-MM,
# YYYY-MM-DD, or Present for an open end. vLLM's xgrammar refuses `pattern` together with `maxLength`, so a shape
# carries its length in bounded repetitions, none over {,128}: xgrammar 0.2.8 fails to compile a longer one
# ("per_rule_fsm_hashes[...].has_value()"), and vLLM answers each such request with an internal error.
DATE_PATTERN = r"^((19|20)[0-9]{2}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?|[Pp]resent)?$"
EMAIL_PATTERN = r"^([A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,100}\.[A-Za-z]{2,24})?$"
URL_PATTERN = (
    r"^((https?://)?[A-Za-z0-9.-]{1,100}\.[A-Za-z]{2,24}(:[0-9]{1,5})?(/[A-Za-z0-9._~%+&=?#/:@!,;-]{0,120})?)?$"
)
PHONE_PATTERN = r"^(\+?[0-9 ()./-]{4,24})?$"
SHAPES: dict[str, tuple[str, int]] = {
    "date": (DATE_PATTERN, 10),
    "email": (EMAIL_PATTERN, 64 + 1 + 100 + 1 + 24),
    "url": (URL_PATTERN, 8 + 100 + 1 + 24 + 6 + 1 + 120),
    "phone": (PHONE_PATTERN, 25),
}

# What bounds each string and list of the output schema, by "Model.field" ("Model.field[]": a list's items).
STRING_KINDS: dict[str, str] = {
    **dict.fromkeys(
        [
            "Location.city",
            "Location.region",
            "Location.countryCode",
            "Profile.network",
            "Profile.username",
            "Basics.name",
            "Basics.label",
            "Work.name",
            "Work.position",
            "Work.location",
            "Education.institution",
            "Education.area",
            "Education.studyType",
            "Education.score",
            "Skill.name",
            "Skill.level",
            "Skill.keywords[]",
            "Project.name",
            "Certificate.name",
            "Certificate.issuer",
            "Tailoring.targetRole",
            "Tailoring.matchedJobKeywords[]",
        ],
        "short_text_chars",
    ),
    **dict.fromkeys(["TailoredResume.summary", "Work.summary", "Project.description"], "long_text_chars"),
    **dict.fromkeys(["Work.highlights[]", "Project.highlights[]"], "highlight_chars"),
    **dict.fromkeys(
        ["Work.startDate", "Work.endDate", "Education.startDate", "Education.endDate", "Certificate.date"], "date"
    ),
    "Basics.email": "email",
    "Basics.url": "url",
    "Profile.url": "url",
    "Project.url": "url",
    "Basics.phone": "phone",
}
LIST_KINDS: dict[str, str] = {
    "Basics.profiles": "max_profiles",
    "TailoredResume.work": "max_work",
    "TailoredResume.education": "max_education",
    "TailoredResume.skills": "max_skills",
    "TailoredResume.projects": "max_projects",
    "TailoredResume.certifications": "max_certifications",
    "Work.highlights": "max_highlights",
    "Project.highlights": "max_highlights",
    "Skill.keywords": "max_keywords",
    "Tailoring.matchedJobKeywords": "max_matched_keywords",
}


class GenerationBounds(BaseModel):
    """How much the structured-output schema lets the predictor write (the TRANSFORMER_GENERATION_* settings).

    None (the default here) adds no bound to the output schema's own. The bounds only narrow what the model is
    forced into: a bounded answer is always valid against the output schema, which stays as it is.
    """

    short_text_chars: int | None = Field(None, ge=1)
    long_text_chars: int | None = Field(None, ge=1)
    highlight_chars: int | None = Field(None, ge=1)
    max_profiles: int | None = Field(None, ge=0)
    max_work: int | None = Field(None, ge=0)
    max_education: int | None = Field(None, ge=0)
    max_skills: int | None = Field(None, ge=0)
    max_projects: int | None = Field(None, ge=0)
    max_certifications: int | None = Field(None, ge=0)
    max_highlights: int | None = Field(None, ge=0)
    max_keywords: int | None = Field(None, ge=0)
    max_matched_keywords: int | None = Field(None, ge=0)
    formats: bool = False
    max_string_chars: int | None = Field(None, ge=1)  # overall caps on every string and list, applied last
    max_items: int | None = Field(None, ge=0)

    @classmethod
    def from_settings(cls, settings: TransformerSettings) -> GenerationBounds:
        """The bounds the transformer's settings give (`generation_<field>` for each field)."""
        return cls.model_validate({name: getattr(settings, f"generation_{name}") for name in cls.model_fields})


def _smallest(*bounds: int | None) -> int | None:
    present = [b for b in bounds if b is not None]
    return min(present) if present else None


def generation_schema(bounds: GenerationBounds | None = None) -> dict[str, Any]:
    """The schema sent as `response_format`: the output schema narrowed by `bounds`.

    Tighter bounds cap how long the predictor may write (a smaller answer is still valid output); with
    `bounds.formats`, dates, e-mail, URLs and phone numbers must also take their shape (`SHAPES`).
    """
    bounds = bounds or GenerationBounds()
    schema = copy.deepcopy(output_schema())
    schema.pop("$id", None)
    models = {"TailoredResume": schema, **schema["$defs"]}
    for model_name, model in models.items():
        for field, node in model["properties"].items():
            key = f"{model_name}.{field}"
            if node.get("type") == "string":
                _bound_string(node, STRING_KINDS.get(key), bounds)
            elif node.get("type") == "array":
                limit = getattr(bounds, LIST_KINDS[key]) if key in LIST_KINDS else None
                if (cap := _smallest(node.get("maxItems"), limit, bounds.max_items)) is not None:
                    node["maxItems"] = cap
                if node["items"].get("type") == "string":
                    _bound_string(node["items"], STRING_KINDS.get(f"{key}[]"), bounds)
    return schema


def _bound_string(node: dict[str, Any], kind: str | None, bounds: GenerationBounds) -> None:
    if kind in SHAPES:
        pattern, longest = SHAPES[kind]
        # An overall cap below the shape's longest form wins: then the plain capped string (tiny local models).
        if bounds.formats and (bounds.max_string_chars is None or longest <= bounds.max_string_chars):
            node.pop("maxLength", None)  # the pattern bounds the length (xgrammar refuses both together)
            node["pattern"] = pattern
            return
        limit = bounds.short_text_chars  # without its shape, a date, e-mail, URL or phone number is short text
    else:
        limit = getattr(bounds, kind) if kind is not None else None
    if (cap := _smallest(node.get("maxLength"), limit, bounds.max_string_chars)) is not None:
        node["maxLength"] = cap
