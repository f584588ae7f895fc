"""HTTP client of the transformer: v2 infer for one pair (with retries), and SSE streaming of /optimize.

Transient failures (429, 503, 504, connection refused or reset, timeouts) are retried with exponential
backoff and jitter, honouring Retry-After; everything else (4xx, 502 invalid output after the service's own
retry) is permanent and comes back as a `Failure` with the service's reason.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_exponential_jitter

from resume_optimizer.settings import ClientSettings

MODEL = "resume-optimizer"
INFER_PATH = f"/v2/models/{MODEL}/infer"
TRANSIENT_STATUS = {429, 503, 504}


class Transient(Exception):
    """A failure worth another attempt."""

    def __init__(self, reason: str, retry_after_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after_s = retry_after_s


class Permanent(Exception):
    """A failure that another attempt would repeat (bad input, invalid model output)."""

    def __init__(self, status: int | None, error: str, detail: str) -> None:
        super().__init__(f"{status} {error}: {detail}")
        self.status, self.error, self.detail = status, error, detail


@dataclass
class Answer:
    """One tailored pair as the service returned it."""

    tailored_resume: dict[str, Any]
    schema_valid: bool
    quality: dict[str, Any]
    hallucinations: dict[str, Any]
    request_id: str
    attempts: int = 1
    latency_s: float = 0.0


@dataclass
class Failure:
    status: int | None
    error: str
    detail: str
    attempts: int
    latency_s: float
    transient: bool = False


@dataclass
class PairRequest:
    resume: bytes
    resume_filename: str | None
    job_description: str | None = None
    job_url: str | None = None
    request_id: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


def v2_body(req: PairRequest) -> dict[str, Any]:
    """One-row KServe v2 request; the file goes base64-encoded (KServe's REST server cannot take raw bytes)."""
    inputs: list[dict[str, Any]] = [
        {
            "name": "resume",
            "datatype": "BYTES",
            "shape": [1],
            "data": [base64.b64encode(req.resume).decode()],
            "parameters": {"encoding": "base64"},
        },
    ]
    if req.resume_filename:
        inputs.append({"name": "resume_filename", "datatype": "BYTES", "shape": [1], "data": [req.resume_filename]})
    if req.job_url:
        inputs.append({"name": "job_url", "datatype": "BYTES", "shape": [1], "data": [req.job_url]})
    else:
        inputs.append({"name": "job_description", "datatype": "BYTES", "shape": [1], "data": [req.job_description]})
    if req.options:
        inputs.append({"name": "options", "datatype": "BYTES", "shape": [1], "data": [json.dumps(req.options)]})
    return {"inputs": inputs}


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:  # an HTTP date: rare from our services; fall back to backoff
        return None


def _error_of(response: httpx.Response) -> tuple[str, str]:
    try:
        body = response.json()
    except ValueError:
        return f"http_{response.status_code}", response.text[:300]
    if isinstance(body, dict):
        return str(body.get("error", f"http_{response.status_code}")), str(body.get("detail", body))[:1000]
    return f"http_{response.status_code}", str(body)[:300]


class TransformerClient:
    """Async client for one transformer; share one instance between concurrent pairs."""

    def __init__(self, settings: ClientSettings, url: str | None = None) -> None:
        self.settings = settings
        self.url = (url or settings.url).rstrip("/")
        timeout = httpx.Timeout(settings.timeout_s, connect=settings.connect_timeout_s)
        limits = httpx.Limits(max_connections=max(settings.concurrency, 1) + 4)
        self.http = httpx.AsyncClient(base_url=self.url, timeout=timeout, limits=limits)

    async def __aenter__(self) -> TransformerClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.http.aclose()

    async def schema(self) -> dict[str, Any]:
        """The output JSON Schema (GET /schema), used to check every answer on this side too."""
        response = await self._with_retries(lambda: self.http.get("/schema"))
        return response.json()

    def _wait(self) -> Callable[[RetryCallState], float]:
        backoff = wait_exponential_jitter(initial=self.settings.backoff_initial_s, max=self.settings.backoff_max_s)

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            if isinstance(exc, Transient) and exc.retry_after_s is not None:
                return min(exc.retry_after_s, self.settings.backoff_max_s)
            return backoff(state)

        return wait

    async def _send(self, call: Callable[[], Any]) -> httpx.Response:
        """One attempt: transient outcomes raise Transient, permanent ones Permanent."""
        try:
            response: httpx.Response = await call()
        except httpx.TimeoutException as exc:
            raise Transient(f"timeout ({type(exc).__name__})") from None
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            raise Transient(f"connection failed ({type(exc).__name__}: {exc})") from None
        if response.status_code in TRANSIENT_STATUS:
            error, detail = _error_of(response)
            raise Transient(f"{response.status_code} {error}: {detail}", _retry_after(response))
        if response.status_code != 200:
            error, detail = _error_of(response)
            raise Permanent(response.status_code, error, detail)
        return response

    async def _with_retries(self, call: Callable[[], Any], attempts: list[int] | None = None) -> httpx.Response:
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(Transient),
            stop=stop_after_attempt(self.settings.max_attempts),
            wait=self._wait(),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                if attempts is not None:
                    attempts[0] = attempt.retry_state.attempt_number
                return await self._send(call)
        raise AssertionError("unreachable")  # AsyncRetrying either returns or re-raises

    async def infer(self, req: PairRequest) -> Answer | Failure:
        """Tailor one pair through the v2 endpoint, retrying transient failures."""
        body = v2_body(req)
        headers = {"x-request-id": req.request_id} if req.request_id else {}
        attempts = [0]
        started = time.perf_counter()
        try:
            response = await self._with_retries(
                lambda: self.http.post(INFER_PATH, json=body, headers=headers), attempts
            )
        except Transient as exc:
            return Failure(None, "transient", exc.reason, attempts[0], time.perf_counter() - started, transient=True)
        except Permanent as exc:
            return Failure(exc.status, exc.error, exc.detail, attempts[0], time.perf_counter() - started)
        latency = time.perf_counter() - started
        try:
            outputs = {o["name"]: o["data"] for o in response.json()["outputs"]}
            return Answer(
                tailored_resume=json.loads(outputs["tailored_resume"][0]),
                schema_valid=bool(outputs["schema_valid"][0]),
                quality=json.loads(outputs["quality"][0]),
                hallucinations=json.loads(outputs["hallucinations"][0]),
                request_id=str(outputs["request_id"][0]),
                attempts=attempts[0],
                latency_s=latency,
            )
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            return Failure(
                200, "bad_response", f"the service's answer is not a v2 response ({exc})", attempts[0], latency
            )

    async def stream(self, req: PairRequest) -> AsyncIterator[tuple[str, dict[str, Any]]]:
        """POST /optimize?stream=true: yields (event, data) pairs: start, token..., retry?, result | error."""
        files = {"resume": (req.resume_filename or "resume", req.resume, "application/octet-stream")}
        form = {"job_url": req.job_url} if req.job_url else {"job_description": req.job_description or ""}
        if req.options.get("strict"):
            form["strict"] = "true"
        headers = {"x-request-id": req.request_id} if req.request_id else {}
        async with self.http.stream(
            "POST", "/optimize", params={"stream": "true"}, files=files, data=form, headers=headers
        ) as response:
            if response.status_code != 200:
                await response.aread()
                error, detail = _error_of(response)
                yield "error", {"status": response.status_code, "error": error, "detail": detail}
                return
            event, data_lines = "message", []
            async for line in response.aiter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data_lines.append(line[5:].removeprefix(" "))
                elif line == "" and data_lines:
                    yield event, json.loads("\n".join(data_lines))
                    event, data_lines = "message", []
