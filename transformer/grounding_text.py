"""Matching forms of text for the hallucination check: casefolded, accent-free, punctuation-unified tokens.

Both sides of every comparison (the source resume and a generated claim) go through the same functions, so a
spelling difference that only these rules erase ("B.Sc." / "BSc", "APIs" / "API", "München" / "Munchen") never
counts as a fabrication.
"""

from __future__ import annotations

import re
import unicodedata

_PUNCTUATION = str.maketrans(
    {
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
    }
)
# Combining marks left by NFKD decomposition (accents); a regex is much faster than testing each character.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# Word characters of any script; inner dots/apostrophes kept for now (node.js, 1.2, o'brien), trailing +/# kept
# because they carry meaning in skill names (c++, c#, f#).
TOKEN = re.compile(r"[^\W_]+(?:[.'][^\W_]+)*[+#]*")
# A dot survives only between digits (1.2); elsewhere it goes, so "B.Sc." == "BSc" and "Node.js" == "NodeJS".
_INNER_DOT = re.compile(r"(?<!\d)\.|\.(?!\d)")


def fold(text: str) -> str:
    """Casefold, strip accents (for matching only) and unify dashes, quotes and spaces."""
    if text.isascii():  # the common case: skip the Unicode work
        return text.lower()
    stripped = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return stripped.casefold().translate(_PUNCTUATION)


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
