"""Structured JSON logs (python-json-logger). Records carry ids, sizes, hashes and timings, never resume text."""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter


def configure_logging(level: str = "INFO", logger_name: str = "transformer") -> None:
    """JSON lines on stderr for `logger_name`'s records (the transformer's, or the command's)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s", rename_fields={"levelname": "level"})
    )
    logger = logging.getLogger(logger_name)
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False  # KServe configures the root logger its own way
