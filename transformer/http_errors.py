"""Every error answer is JSON `{error, detail, request_id}`: the mapping of all error kinds to responses, in one place.

Our own errors are `ServiceError`s and carry their status. The frameworks raise theirs before our code runs:
FastAPI's request validation (a missing field, a wrong type, JSON that does not parse), Starlette's HTTP errors
(an unreadable body, 404, 405) and KServe's (`InvalidInput` while decoding a v2 request, model not found, anything
unexpected).
Each is answered here in the same shape, so a client reads one error format from every route.
"""

from __future__ import annotations

import json
import logging
import struct
from collections.abc import Awaitable, Callable, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from kserve.errors import InferenceError, InvalidInput
from kserve.protocol.dataplane import DataPlane
from kserve.protocol.rest import server as kserve_rest_server
from starlette.exceptions import HTTPException as StarletteHTTPException

from transformer import metrics
from transformer.errors import BadInput, ServiceError, encodable
from transformer.request_ids import new_request_id

log = logging.getLogger("transformer.http_errors")
MAX_REPORTED_PROBLEMS = 5
COUNTED_ROUTES = {"/optimize", "/optimize/text"}  # the v2 route is counted by the model (transformer.model)


class ErrorJSONResponse(JSONResponse):
    """JSON that always encodes: a lone surrogate quoted from the input or a model's answer (in `report`) is
    written as its JSON escape instead of failing the whole answer with a 500."""

    def render(self, content: Any) -> bytes:
        return json_text(content).encode()


def json_text(content: Any) -> str:
    """JSON text that encodes as UTF-8 whatever the strings hold: a lone surrogate becomes its escape (`\\ud800`)."""
    text = json.dumps(content, ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8", "backslashreplace").decode()


def error_response(exc: ServiceError) -> JSONResponse:
    """The response of a ServiceError: its status, its body, and Retry-After where it has one."""
    headers = {"Retry-After": str(exc.retry_after_s)} if exc.retry_after_s else None
    return ErrorJSONResponse(exc.body(exc.request_id), status_code=exc.status, headers=headers)


def _body(request: Request, error: str, detail: str) -> dict[str, Any]:
    request_id = new_request_id(request.headers.get("x-request-id"))
    return {"error": error, "detail": encodable(detail), "request_id": request_id}


def describe_validation_errors(errors: Sequence[Any]) -> str:
    """`field: message` for each problem pydantic found (the values sent are not repeated back)."""
    problems = [e for e in errors if isinstance(e, dict)]
    # KServe's v2 body is `InferenceRequest | bytes`: pydantic reports both alternatives; the bytes one only
    # says "not bytes", which is never the client's problem when the JSON alternative has one to report.
    meaningful = [e for e in problems if e.get("type") != "bytes_type"] or problems
    parts = []
    for problem in meaningful[:MAX_REPORTED_PROBLEMS]:
        loc = [str(p) for p in problem.get("loc", ()) if p != "body"]
        message = str(problem.get("msg", "invalid"))
        if problem.get("type") == "json_invalid":
            reason = (problem.get("ctx") or {}).get("error")
            message = f"the body is not valid JSON ({reason})" if reason else "the body is not valid JSON"
            loc = []
        parts.append(f"{'.'.join(loc)}: {message}" if loc else message)
    more = len(meaningful) - MAX_REPORTED_PROBLEMS
    if more > 0:
        parts.append(f"and {more} more")
    return "malformed request: " + "; ".join(parts) if parts else "malformed request"


def _count(request: Request, status: int) -> None:
    """requests_total for a REST route's request that the framework refused before the route could count it."""
    route = getattr(request.scope.get("route"), "path", None)
    if route in COUNTED_ROUTES:
        metrics.REQUESTS.labels(route, str(status)).inc()


async def _service_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    return error_response(exc)


async def _request_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    detail = describe_validation_errors(exc.errors())
    _count(request, 422)
    return ErrorJSONResponse(_body(request, BadInput.error, detail), status_code=422)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's errors: 404, 405, and 400 for a body that cannot be read (multipart, encoding, part size)."""
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    detail = str(exc.detail)
    cause = exc.__cause__
    # FastAPI says only "There was an error parsing the body": name the cause where it is the client's input.
    if isinstance(cause, UnicodeDecodeError):
        detail = f"{detail}: it is not UTF-8 text ({cause.reason} at byte {cause.start})"
    elif isinstance(cause, RecursionError):
        detail = f"{detail}: it is nested too deeply"
    try:
        error = HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        error = "http_error"
    _count(request, status)
    return ErrorJSONResponse(_body(request, error, detail), status_code=status, headers=exc.headers)


async def _kserve_invalid_input(request: Request, exc: Exception) -> JSONResponse:
    """KServe's own checks of a v2 request (a binary request without its header, a malformed tensor...)."""
    return ErrorJSONResponse(_body(request, "bad_request", str(exc)), status_code=400)


async def _kserve_inference_error(request: Request, exc: Exception) -> JSONResponse:
    # KServe 0.21's REST decoder turns binary BYTES tensors into UTF-8 strings and fails on real files
    # (PDF, DOCX) with an InferenceError, which it would answer with a 500. It is the client's input that
    # cannot be decoded, so say how to send it instead.
    if "Failed to encode" in str(exc) and request.url.path.endswith("/infer"):
        body = BadInput(
            "binary tensor data that is not UTF-8 cannot be decoded by KServe's v2 REST server: send the "
            'file base64-encoded in JSON with parameters {"encoding": "base64"}'
        )
        body.request_id = new_request_id(request.headers.get("x-request-id"))
        return error_response(body)
    return await _unexpected_error(request, exc)


def _kserve_error(status: int, error: str) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
    """KServe's answer to its own error (model not found, not ready...), status kept, body in the service's shape."""

    async def handler(request: Request, exc: Exception) -> JSONResponse:
        return ErrorJSONResponse(_body(request, error, str(exc)), status_code=status)

    return handler


async def _kserve_not_implemented(request: Request, exc: Exception) -> JSONResponse:
    """KServe answers 501 to a request for a model version; that is the client asking for what is not served."""
    if "model_version" in request.query_params or "/versions/" in request.url.path:
        detail = f"model versions are not served ({exc}): leave out model_version"
        return ErrorJSONResponse(_body(request, "bad_request", detail), status_code=400)
    return ErrorJSONResponse(_body(request, "not_implemented", str(exc)), status_code=501)


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    """A bug, not the client's fault: still one JSON shape, with an id to find the traceback in the log."""
    body = _body(request, "internal_error", f"internal error ({type(exc).__name__}); see the transformer log")
    log.error("unhandled error", exc_info=exc, extra={"request_id": body["request_id"], "path": request.url.path})
    return ErrorJSONResponse(body, status_code=500)


def _checked_v2_decoding() -> None:
    """KServe decodes a binary v2 request (`inference-header-content-length`) without checking the JSON part:
    a missing key, a wrong type, a tensor size that does not match its shape or a length prefix past the end
    escape as KeyError, TypeError, ValueError or struct.error, answered 500. They are the client's malformed
    request: make them KServe's own InvalidInput (400)."""
    original = DataPlane.decode_inference_request
    if getattr(original, "_checked", False):
        return

    def decode_inference_request(self: DataPlane, body: Any, headers: Any, model_name: str) -> Any:
        try:
            return original(self, body, headers, model_name)
        except (InvalidInput, InferenceError, ServiceError):
            raise
        except (KeyError, TypeError, ValueError, IndexError, AttributeError, ArithmeticError, struct.error) as exc:
            raise InvalidInput(f"malformed v2 inference request: {type(exc).__name__}: {exc}") from exc

    decode_inference_request._checked = True  # type: ignore[attr-defined]
    DataPlane.decode_inference_request = decode_inference_request  # type: ignore[method-assign]


def install_error_handlers(app: FastAPI) -> None:
    """Map every error kind to a `{error, detail, request_id}` answer (call before ModelServer.start)."""
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(RequestValidationError, _request_validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    # KServe registers its handlers when the server starts, after this runs, and Starlette keeps one handler per
    # exception class: so hand KServe ours under the names it registers.
    kserve_rest_server.invalid_input_handler = _kserve_invalid_input
    kserve_rest_server.inference_error_handler = _kserve_inference_error
    kserve_rest_server.not_implemented_error_handler = _kserve_not_implemented
    kserve_rest_server.model_not_found_handler = _kserve_error(404, "model_not_found")
    kserve_rest_server.model_not_ready_handler = _kserve_error(503, "model_not_ready")
    kserve_rest_server.unsupported_protocol_error_handler = _kserve_error(501, "unsupported_protocol")
    kserve_rest_server.server_not_ready_handler = _kserve_error(503, "server_not_ready")
    kserve_rest_server.server_not_live_handler = _kserve_error(503, "server_not_live")
    kserve_rest_server.generic_exception_handler = _unexpected_error
    _checked_v2_decoding()
