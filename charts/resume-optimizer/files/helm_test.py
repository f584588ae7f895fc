"""`helm test` check: send a sample resume and job description to the transformer and check the answer.

Usage: python helm_test.py BASE_URL [TIMEOUT_S]. Passes when POST /optimize/text answers 200 with a
tailored resume that validates against the JSON Schema the service publishes at GET /schema.
Standard library + jsonschema only (both in the transformer image).
"""

from __future__ import annotations

import json
import sys
import urllib.request

import jsonschema

RESUME = """Jane Doe
Data Engineer - jane.doe@example.com - Berlin, Germany

Experience
Data Engineer, Acme Analytics (2019-03 - Present)
- Built batch pipelines in Python and SQL on Airflow, processing 2 TB a day.
- Moved reporting from cron scripts to dbt models, halving query costs.

Education
M.Sc. Computer Science, TU Berlin (2015 - 2018)

Skills
Python, SQL, Airflow, dbt, PostgreSQL, Docker
"""

JOB = """Senior Data Engineer. We are looking for an engineer to own our batch and streaming pipelines.
Requirements: Python, SQL, Airflow or Dagster, dbt, cloud data warehouses, Docker and Kubernetes."""


def call(method: str, url: str, body: dict | None, timeout: float) -> tuple[int, dict]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, {"error": exc.read().decode(errors="replace")[:500]}
    except (urllib.error.URLError, OSError) as exc:  # refused, reset, timed out: report it as a failed check
        return 0, {"error": f"{type(exc).__name__}: {exc}"}


def main(base: str, timeout: float) -> int:
    base = base.rstrip("/")
    status, schema = call("GET", f"{base}/schema", None, 30)
    if status != 200:
        print(f"FAIL GET /schema answered {status}: {schema}")
        return 1
    status, answer = call("POST", f"{base}/optimize/text", {"resume_text": RESUME, "job_description": JOB}, timeout)
    if status != 200:
        print(f"FAIL POST /optimize/text answered {status}: {answer}")
        return 1
    errors = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(answer.get("tailored_resume"))]
    if errors:
        print(f"FAIL tailored_resume does not match GET /schema: {errors[:5]}")
        return 1
    if answer.get("schema_valid") is not True:
        print("FAIL the service reported schema_valid != true")
        return 1
    print(f"OK request {answer.get('request_id')}: tailored resume matches the published schema")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 600))
