"""The one text fold for matching and counting: casefolded, accents stripped, dashes, quotes and spaces unified.

Used on both sides of every comparison (the fact check, keyword coverage, input features and the drift
vocabulary), so a spelling difference only these rules erase ("München" / "Munchen", "don’t" / "don't")
never counts as a difference anywhere.
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


def fold(text: str) -> str:
    """Casefold, strip accents (for matching only) and unify dashes, quotes and spaces."""
    if text.isascii():  # the common case: skip the Unicode work
        return text.lower()
    stripped = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return stripped.casefold().translate(_PUNCTUATION)
