"""Turn the predictor's raw answer into a `TailoredResume`, or say precisely why it is not one."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any, Literal

from jsonschema import Draft202012Validator
from pydantic import BaseModel, ValidationError

from transformer.generation.schema import TailoredResume, output_schema

# Raw control characters, and lone UTF-16 surrogates (json.loads joins valid pairs; a lone one cannot be
# encoded as UTF-8 and would break every JSON response and artifact downstream).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


# Why an answer was refused: stopped by the runaway detector, cut off at max_tokens, not JSON, not the schema.
InvalidCause = Literal["repetition", "cut_off", "invalid_json", "schema"]
INVALID_CAUSES: tuple[InvalidCause, ...] = ("repetition", "cut_off", "invalid_json", "schema")


class ValidationOutcome(BaseModel):
    json_parse_ok: bool
    schema_valid: bool
    finish_reason: str | None = None
    cause: InvalidCause | None = None  # None: the answer is valid
    errors: list[str] = []
    control_characters_removed: int = 0

    @property
    def ok(self) -> bool:
        return self.json_parse_ok and self.schema_valid


def _strip_control(value: Any) -> tuple[Any, int]:
    """Remove raw control characters from every string (a model's fault, tolerated but counted)."""
    if isinstance(value, str):
        cleaned, count = _CONTROL.subn("", value)
        return cleaned, count
    if isinstance(value, list):
        pairs = [_strip_control(v) for v in value]
        return [v for v, _ in pairs], sum(c for _, c in pairs)
    if isinstance(value, dict):
        pairs2 = {k: _strip_control(v) for k, v in value.items()}
        return {k: v for k, (v, _) in pairs2.items()}, sum(c for _, c in pairs2.values())
    return value, 0


def validate_output(
    content: str, finish_reason: str | None, runaway: str | None = None
) -> tuple[TailoredResume | None, ValidationOutcome]:
    """Parse (tolerating raw control characters inside strings) and validate against the output model.

    `runaway`: how the answer repeated itself when the runaway detector stopped it (then it is refused as is).
    """
    if runaway is not None or finish_reason == "repetition":  # ours, or vLLM's own detector where it is on
        reason = f"the answer repeated itself ({runaway or 'vLLM'}) and was stopped after {len(content)} characters"
        return None, ValidationOutcome(
            json_parse_ok=False, schema_valid=False, finish_reason=finish_reason, cause="repetition", errors=[reason]
        )
    cut_off = finish_reason == "length"
    try:
        data = json.loads(content, strict=False)
    except ValueError as exc:
        reason = f"not JSON: {exc}"
        if cut_off:
            reason += " (the answer was cut off at max_tokens)"
        return None, ValidationOutcome(
            json_parse_ok=False,
            schema_valid=False,
            finish_reason=finish_reason,
            cause="cut_off" if cut_off else "invalid_json",
            errors=[reason],
        )
    data, removed = _strip_control(data)
    try:
        resume = TailoredResume.model_validate(data)
    except ValidationError as exc:
        errors = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:20]]
        return None, ValidationOutcome(
            json_parse_ok=True,
            schema_valid=False,
            finish_reason=finish_reason,
            cause="cut_off" if cut_off else "schema",
            errors=errors,
            control_characters_removed=removed,
        )
    return resume, ValidationOutcome(
        json_parse_ok=True, schema_valid=True, finish_reason=finish_reason, control_characters_removed=removed
    )


@cache
def _output_validator() -> Draft202012Validator:
    return Draft202012Validator(output_schema())


def matches_output_schema(document: dict[str, Any]) -> bool:
    """Whether a tailored resume, as returned, is valid against GET /schema."""
    return _output_validator().is_valid(document)
