"""One time limit for reading a document, checked between pages and handed to OCR, so no upload parses forever."""

from __future__ import annotations

import math
import time

from transformer.errors import ServiceError


class ParseTimeout(ServiceError):
    """Reading the document took longer than its time limit: too big or too slow a file, hence a 4xx."""

    status, error = 413, "parse_timeout"


class Deadline:
    """`seconds` from now (None: no limit). `check()` raises `ParseTimeout` once it has passed."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self._end = math.inf if seconds is None else time.monotonic() + seconds

    def remaining(self) -> float:
        return self._end - time.monotonic()

    def expired(self) -> ParseTimeout:
        return ParseTimeout(
            f"reading the document took longer than {self.seconds:g} s (TRANSFORMER_PARSE_TIMEOUT_S); upload a "
            "smaller file, or a PDF with a text layer instead of a scan"
        )

    def check(self) -> None:
        if self.remaining() <= 0:
            raise self.expired()

    def cap(self, seconds: float) -> float:
        """`seconds`, or what is left of the deadline if that is less (at least a moment, so OCR can start)."""
        self.check()
        return max(0.01, min(seconds, self.remaining()))
