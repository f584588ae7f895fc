"""Structured JSON log lines on stderr for the command (ids, counts, timings; never resume text)."""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s", rename_fields={"levelname": "level"})
    )
    logger = logging.getLogger("resume_optimizer")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False
