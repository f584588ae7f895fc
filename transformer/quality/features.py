"""Input features of one request, the same for live traffic (metrics) and training pairs (the baseline).

Definitions (also in docs/monitoring.md):

- A *word* is a maximal run of letters and digits, with inner apostrophes kept ("don't" is one word);
  punctuation, bullets and symbols are not words. Word counts count every word, stopwords included.
- *Lexical diversity* is the moving-average type-token ratio (MATTR, Covington & McFall 2010) of the
  resume over windows of 50 words: the mean, over every run of 50 consecutive words, of
  distinct words / 50 (words case-folded). A text shorter than one window gets its plain type-token
  ratio; an empty text gets 0. Unlike the plain ratio, MATTR does not fall as a text gets longer.
- *Vocabulary tokens* (for vocabulary drift) are `quality.tokens.tokenize`'s tokens of a job description
  (case-folded, accents stripped, stopwords dropped, "c++"/"node.js"/"ci/cd" kept whole) less tokens
  without a letter and generic job-ad filler ("experience", "team"), as for ATS keywords.
"""

from __future__ import annotations

import re
from collections import Counter

from pydantic import BaseModel, Field

from transformer.quality.tokens import is_keyword, tokenize  # one tokenisation for keywords and drift
from transformer.reading.documents import DocumentFormat
from transformer.text_fold import fold

MATTR_WINDOW = 50
_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")


class InputFeatures(BaseModel):
    """What the monitoring compares with the training baseline, per request."""

    resume_words: int = Field(ge=0)
    job_description_words: int = Field(ge=0)
    lexical_diversity: float = Field(ge=0, le=1, description="MATTR of the resume over 50-word windows")
    input_format: DocumentFormat


def words(text: str) -> list[str]:
    """The words of `text` in order (see the module docstring), case-folded and accent-stripped."""
    return _WORD.findall(fold(text))


def word_count(text: str) -> int:
    return len(words(text))


def lexical_diversity(text: str, window: int = MATTR_WINDOW) -> float:
    """Moving-average type-token ratio of `text` over `window`-word windows (see the module docstring)."""
    tokens = words(text)
    n = len(tokens)
    if n == 0:
        return 0.0
    if n <= window:
        return len(set(tokens)) / n
    counts: Counter[str] = Counter(tokens[:window])
    total = len(counts)
    for i in range(window, n):  # slide by one word: add the next, drop the oldest
        counts[tokens[i]] += 1
        old = tokens[i - window]
        counts[old] -= 1
        if counts[old] == 0:
            del counts[old]
        total += len(counts)
    return total / ((n - window + 1) * window)


def input_features(resume_text: str, job_text: str, input_format: DocumentFormat) -> InputFeatures:
    """The input features of one request."""
    return InputFeatures(
        resume_words=word_count(resume_text),
        job_description_words=word_count(job_text),
        lexical_diversity=lexical_diversity(resume_text),
        input_format=input_format,
    )


def vocabulary_tokens(job_text: str) -> set[str]:
    """The distinct vocabulary tokens of a job description (see the module docstring)."""
    return {t for t in tokenize(job_text) if is_keyword(t)}
