"""The start-up self-check: one short structured request whose answer must parse and match its schema."""

from __future__ import annotations

import json
import time

import httpx
import jsonschema

from predictor.status import SelfCheckStatus

SELF_CHECK_SCHEMA = {
    "type": "object",
    "properties": {
        "status": {"type": "string", "enum": ["ok", "error"]},
        "digits": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 9}, "maxItems": 3},
    },
    "required": ["status", "digits"],
    "additionalProperties": False,
}


def run_self_check(base_url: str, model: str, timeout_s: float) -> SelfCheckStatus:
    """Ask `model` for a tiny JSON answer under a schema; passed only if it parses and validates."""
    started = time.monotonic()
    request = {
        "model": model,
        "messages": [{"role": "user", "content": 'Reply with {"status": "ok", "digits": [1, 2, 3]}.'}],
        "max_tokens": 64,
        "temperature": 0,
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "self_check", "schema": SELF_CHECK_SCHEMA, "strict": True},
        },
    }
    try:
        response = httpx.post(f"{base_url}/v1/chat/completions", json=request, timeout=timeout_s)
        response.raise_for_status()
        content = response.json()["choices"][0]["message"]["content"]
        jsonschema.validate(json.loads(content), SELF_CHECK_SCHEMA)
    except (httpx.HTTPError, KeyError, IndexError, TypeError, ValueError, jsonschema.ValidationError) as exc:
        detail = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}"
        return SelfCheckStatus(passed=False, seconds=time.monotonic() - started, detail=detail)
    return SelfCheckStatus(passed=True, seconds=time.monotonic() - started)
