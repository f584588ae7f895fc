"""Typed errors of the tailoring pipeline; each carries its HTTP status, mapped to a response in one place."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """An error a client is told about: `{error, detail, request_id}` with `status`."""

    status: int = 500
    error: str = "internal_error"
    request_id: str | None = None  # set where the request's id is known, so the response can carry it

    def __init__(self, detail: str, *, report: dict[str, Any] | None = None, retry_after_s: int | None = None):
        super().__init__(detail)
        self.detail = detail
        self.report = report
        self.retry_after_s = retry_after_s

    def body(self, request_id: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.error, "detail": encodable(self.detail), "request_id": request_id}
        if self.report is not None:
            body["report"] = self.report
        return body


class BadInput(ServiceError):
    status, error = 422, "bad_input"


class UnsupportedDocument(ServiceError):
    status, error = 415, "unsupported_document"


class CorruptDocument(ServiceError):
    status, error = 422, "corrupt_document"


class EncryptedDocument(ServiceError):
    status, error = 422, "encrypted_document"


class EmptyDocument(ServiceError):
    status, error = 422, "empty_document"


class DocumentTooLarge(ServiceError):
    status, error = 413, "too_large"


class Forbidden(ServiceError):
    status, error = 403, "forbidden"


class PredictorUnavailable(ServiceError):
    status, error = 503, "predictor_unavailable"


class PredictorTimeout(ServiceError):
    status, error = 504, "predictor_timeout"


class InvalidModelOutput(ServiceError):
    status, error = 502, "invalid_model_output"


def unicode_text(value: str) -> str:
    """`value` if it is encodable text, else ValueError naming the first lone surrogate (JSON can escape them)."""
    try:
        value.encode()
    except UnicodeEncodeError as exc:
        raise ValueError(
            f"not valid Unicode: a lone surrogate (U+{ord(value[exc.start]):04X}) at character {exc.start}"
        ) from None
    return value


def encodable(text: str) -> str:
    """`text` with lone surrogates escaped (`\\ud800`): a message that quotes the client's input must still encode."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
