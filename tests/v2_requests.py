"""KServe v2 JSON requests for tests: resumes base64-encoded (the REST server cannot decode binary tensors)."""

from __future__ import annotations

import base64
import json
from typing import Any


def v2_json_request(resumes: list[bytes], jobs: list[str], options: dict | None = None) -> dict[str, Any]:
    """A v2 infer body: one row per resume, the job descriptions, and optionally one `options` row."""
    inputs = [
        {
            "name": "resume",
            "datatype": "BYTES",
            "shape": [len(resumes)],
            "data": [base64.b64encode(r).decode() for r in resumes],
            "parameters": {"encoding": "base64"},
        },
        {"name": "job_description", "datatype": "BYTES", "shape": [len(jobs)], "data": jobs},
    ]
    if options is not None:
        inputs.append({"name": "options", "datatype": "BYTES", "shape": [1], "data": [json.dumps(options)]})
    return {"inputs": inputs}
