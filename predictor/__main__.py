"""`python -m predictor`: check the configuration, then start and supervise vLLM's server."""

from __future__ import annotations

import logging
import sys

from pydantic import ValidationError
from pydantic_settings import SettingsError

from common.json_logs import configure_logging
from predictor.launcher import Launcher
from predictor.model_files import ConfigError
from predictor.settings import PredictorSettings

CONFIG_ERROR_EXIT = 2
log = logging.getLogger("predictor")


def _one_line(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        field = ".".join(str(p) for p in error["loc"])
        parts.append(f"PREDICTOR_{field.upper()}: {error['msg']} (got {error.get('input')!r})")
    return "; ".join(parts)


def main(argv: list[str] | None = None) -> int:
    configure_logging()
    try:
        settings = PredictorSettings(_cli_parse_args=sys.argv[1:] if argv is None else argv)
        return Launcher(settings).run()
    except ValidationError as exc:
        reason = _one_line(exc)
    except (ConfigError, SettingsError) as exc:
        reason = str(exc).splitlines()[0]
    log.error(f"configuration error: {reason}", extra={"event": "config_error"})
    return CONFIG_ERROR_EXIT


if __name__ == "__main__":
    raise SystemExit(main())
