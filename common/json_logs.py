"""Structured JSON logs, one object a line on stderr (python-json-logger), for every program of the project.

Records carry ids, sizes, hashes and timings, never resume or job text.
"""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def json_handler() -> logging.Handler:
    """A stderr handler writing each record as one JSON object (`level` for the level name)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(FORMAT, rename_fields={"levelname": "level"}))
    return handler


def configure_logging(level: int | str = logging.INFO, logger_name: str | None = None) -> None:
    """JSON lines on stderr for `logger_name`'s records, or for every record (the root logger) when None.

    A named logger stops propagating, so a framework that configures the root logger its own way (KServe)
    neither duplicates nor reformats our records.
    """
    logger = logging.getLogger(logger_name)
    logger.handlers[:] = [json_handler()]
    logger.setLevel(level)
    if logger_name is not None:
        logger.propagate = False
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per health poll or request is noise
