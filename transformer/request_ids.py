"""Request ids: the caller's `x-request-id` where it is safe as an artifact folder name, else a fresh one."""

from __future__ import annotations

import re
import uuid

_REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def new_request_id(proposed: str | None = None) -> str:
    """The caller's id where it is safe as a folder name, else a fresh one."""
    if proposed and _REQUEST_ID.match(proposed) and proposed not in {".", ".."}:
        return proposed
    return uuid.uuid4().hex
