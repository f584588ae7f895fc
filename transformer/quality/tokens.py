"""Word tokens for the quality metrics, the input features and the drift vocabulary: one tokenisation for all.

A token is a run of letters and digits, text folded by `transformer.text_fold.fold`; stopwords are dropped.
Keywords (of a job ad, of the drift vocabulary) also drop generic job-ad filler and tokens without a letter.
"""

from __future__ import annotations

import re

from transformer.text_fold import fold

# A small English stopword list: function words only, so that domain words stay countable.
STOPWORDS = frozenset(
    (
        "a about above after again against all also am an and and/or any are as at be because been before being "
        "below between both but by can could did do does doing done down during each either etc e.g few for from "
        "further had has have having he her here hers herself him himself his how i i.e if in into is it its "
        "itself just may me might more most must my myself no nor not now of off on once only or other our ours "
        "ourselves out over own per same shall she should so some such than that the their theirs them "
        "themselves then there these they this those through to too under until up upon us very via was we were "
        "what when where which while who whom whose why will with within without would you your yours yourself "
        "yourselves"
    ).split()
)
# Words frequent in any job ad that no applicant tracking system scores on.
JOB_FILLER = frozenset(
    (
        "ability able experience experienced years year strong work working team teams role join looking "
        "including include includes new well good great plus preferred required requirements responsibilities "
        "responsible candidate candidates ideal knowledge understanding skills skill using use etc company "
        "opportunity position apply related relevant like across help make"
    ).split()
)

# Letters/digits runs; inner "." and "/" keep node.js, ci/cd, 1.5 whole; trailing "+"/"#" keep c++, c#.
_TOKEN = re.compile(r"[^\W_]+(?:[./'][^\W_]+)*[+#]*")
HAS_LETTER = re.compile(r"[^\W\d_]")


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens of `text` in order, accents stripped, stopwords dropped.

    Technical names stay whole: "C++" -> "c++", "C#" -> "c#", "Node.js" -> "node.js", "CI/CD" -> "ci/cd".
    Hyphenated words split ("full-stack" -> "full", "stack"); a possessive "'s" is dropped.
    """
    tokens = []
    for token in _TOKEN.findall(fold(text)):
        if token.endswith("'s"):
            token = token[:-2]
        if token and token not in STOPWORDS:
            tokens.append(token)
    return tokens


def is_keyword(token: str) -> bool:
    """Whether a token can be a job keyword: not generic job-ad filler, and holding a letter (not a number)."""
    return token not in JOB_FILLER and HAS_LETTER.search(token) is not None
