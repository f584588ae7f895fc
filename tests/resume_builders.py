"""Builders for TailoredResume values in tests: every required field defaulted, sections given as JSON dicts."""

from __future__ import annotations

from typing import Any

from transformer.generation.schema import TailoredResume


def make_resume(**sections: Any) -> TailoredResume:
    """A valid TailoredResume with every required field defaulted ("" or []), sections given as JSON dicts."""
    work_defaults = {
        "name": "",
        "position": "",
        "location": "",
        "startDate": "",
        "endDate": "",
        "summary": "",
        "highlights": [],
    }
    education_defaults = {
        "institution": "",
        "area": "",
        "studyType": "",
        "startDate": "",
        "endDate": "",
        "score": "",
    }
    basics = {
        "name": "",
        "label": "",
        "email": "",
        "phone": "",
        "url": "",
        "location": {"city": "", "region": "", "countryCode": ""},
        "profiles": [],
    }
    basics.update(sections.pop("basics", {}))
    data: dict[str, Any] = {
        "basics": basics,
        "summary": sections.pop("summary", ""),
        "work": [{**work_defaults, **w} for w in sections.pop("work", [])],
        "education": [{**education_defaults, **e} for e in sections.pop("education", [])],
        "skills": [{"name": "", "level": "", "keywords": [], **s} for s in sections.pop("skills", [])],
        "projects": [
            {"name": "", "description": "", "highlights": [], "url": "", **p} for p in sections.pop("projects", [])
        ],
        "certifications": [{"name": "", "issuer": "", "date": "", **c} for c in sections.pop("certifications", [])],
        "tailoring": {"targetRole": "", "matchedJobKeywords": [], **sections.pop("tailoring", {})},
    }
    assert not sections, f"unknown sections: {sorted(sections)}"
    return TailoredResume.model_validate(data)
