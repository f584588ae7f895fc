"""Input features: word counts, lexical diversity (MATTR over 50-word windows), vocabulary tokens."""

from __future__ import annotations

import random

import pytest

from tests.sample_documents import RESUME_TEXT
from transformer.quality.features import input_features, lexical_diversity, vocabulary_tokens, word_count, words


def _mattr_by_definition(tokens: list[str], window: int) -> float:
    if len(tokens) <= window:
        return len(set(tokens)) / len(tokens)
    windows = [tokens[i : i + window] for i in range(len(tokens) - window + 1)]
    return sum(len(set(w)) / window for w in windows) / len(windows)


def test_words_are_letter_and_digit_runs_with_inner_apostrophes() -> None:
    assert words("Don't stop — C++ & Node.js, 5+ years!") == ["don't", "stop", "c", "node", "js", "5", "years"]
    assert word_count("  \n• \t— ") == 0
    assert word_count("Résumé  naïve") == 2


def test_lexical_diversity_of_known_texts() -> None:
    assert lexical_diversity("") == 0.0
    assert lexical_diversity("a b c a b c") == pytest.approx(0.5)  # shorter than a window: plain ratio
    assert lexical_diversity(" ".join(f"w{i}" for i in range(200))) == pytest.approx(1.0)
    assert lexical_diversity(" ".join(["a", "b"] * 100)) == pytest.approx(2 / 50)
    # windows of 2 over "a a b b": {a}, {a,b}, {b} -> (1/2 + 2/2 + 1/2) / 3
    assert lexical_diversity("a a b b", window=2) == pytest.approx(2 / 3)


def test_lexical_diversity_matches_its_definition_on_random_text() -> None:
    rng = random.Random(7)
    tokens = [rng.choice(["alpha", "beta", "gamma", "delta"] + [f"t{i}" for i in range(60)]) for _ in range(400)]
    assert lexical_diversity(" ".join(tokens)) == pytest.approx(_mattr_by_definition(tokens, 50))


def test_lexical_diversity_does_not_fall_with_length_like_the_plain_ratio() -> None:
    rng = random.Random(3)
    vocabulary = [f"w{i}" for i in range(300)]
    short = " ".join(rng.choice(vocabulary) for _ in range(200))
    long = " ".join(rng.choice(vocabulary) for _ in range(5000))
    assert abs(lexical_diversity(short) - lexical_diversity(long)) < 0.05


def test_repetitive_resume_is_less_diverse_than_the_sample() -> None:
    repetitive = " ".join(["Python Kubernetes engineer"] * 100)
    assert lexical_diversity(repetitive) < 0.1 < 0.6 < lexical_diversity(RESUME_TEXT)


def test_input_features_of_one_request() -> None:
    features = input_features(RESUME_TEXT, "Senior Go engineer, Kubernetes.", "pdf")
    assert features.resume_words == word_count(RESUME_TEXT) > 100
    assert features.job_description_words == 4
    assert features.input_format == "pdf"


def test_vocabulary_tokens_keep_technical_names_and_drop_filler() -> None:
    text = "Senior C++ engineer with 5+ years of experience in Node.js, CI/CD and the team's Kubernetes."
    assert vocabulary_tokens(text) == {"senior", "c++", "engineer", "node.js", "ci/cd", "kubernetes"}
