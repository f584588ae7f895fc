"""Matching forms of text for the fact check: casefolded, accent-free, punctuation-unified tokens.

Both sides of every comparison (the source resume and a generated claim) go through the same functions, so a
spelling difference that only these rules erase ("B.Sc." / "BSc", "APIs" / "API", "München" / "Munchen") never
counts as a fabrication.
"""

from __future__ import annotations

import re

# Word characters of any script; inner dots/apostrophes kept for now (node.js, 1.2, o'brien), trailing +/# kept
# because they carry meaning in skill names (c++, c#, f#).
TOKEN = re.compile(r"[^\W_]+(?:[.'][^\W_]+)*[+#]*")
# A dot survives only between digits (1.2); elsewhere it goes, so "B.Sc." == "BSc" and "Node.js" == "NodeJS".
_INNER_DOT = re.compile(r"(?<!\d)\.|\.(?!\d)")


def token_form(token: str) -> str:
    """One token's matching form: inner dots and apostrophes dropped, a light plural fold."""
    if "." in token or "'" in token:
        token = _INNER_DOT.sub("", token).replace("'", "")
    # a light plural fold on both sides, so "APIs" == "API" and "microservices" == "microservice"
    if len(token) > 3 and token[-1] == "s" and token[-2] != "s" and token[-2].isalpha():
        token = token[:-1]
    return token


def raw_tokens(folded: str) -> list[str]:
    """The matching forms of the tokens of already folded text (no aliases applied)."""
    return [token_form(token) for token in TOKEN.findall(folded)]
