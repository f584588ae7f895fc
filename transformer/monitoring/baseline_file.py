"""The baseline file (monitoring/baseline.json): its format, loading, and the gauges the server exports from it.

`python -m transformer.baseline build` writes the file from the adapter's training pairs; the live server only
reads it, through this module, and exports each feature's mean as `resume_optimizer_baseline{feature}` (a
feature whose mean is null has no series). The vocabulary-drift job reads its training vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Literal, get_args

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from pydantic import BaseModel, ConfigDict, Field, ValidationError

Feature = Literal[
    "resume_words",
    "job_description_words",
    "lexical_diversity",
    "shared_token_ratio",
    "skill_items",
    "schema_validity",
    "pdf_share",
]
FEATURES: tuple[Feature, ...] = get_args(Feature)
TOKENIZATION = (
    "features.vocabulary_tokens: scoring.tokenize (NFKD accent strip, casefold, letter/digit runs with inner "
    "'.', '/', ''' and trailing '+'/'#' kept, possessive 's dropped, stopwords dropped), less tokens without a "
    "letter and generic job-ad filler; counted once per distinct job description"
)


class BaselineError(ValueError):
    """A training file or baseline file that cannot be used."""


class Distribution(BaseModel):
    model_config = ConfigDict(extra="forbid")
    count: int | None = Field(None, ge=0, description="values the figures were computed from (null: unknown)")
    mean: float | None = None
    p5: float | None = None
    p25: float | None = None
    p50: float | None = None
    p75: float | None = None
    p95: float | None = None


class Features(BaseModel):
    """One distribution per monitored feature (names as in the resume_optimizer_baseline{feature} gauge)."""

    model_config = ConfigDict(extra="forbid")
    resume_words: Distribution = Distribution()
    job_description_words: Distribution = Distribution()
    lexical_diversity: Distribution = Distribution()
    shared_token_ratio: Distribution = Distribution()
    skill_items: Distribution = Distribution()
    schema_validity: Distribution = Distribution()
    pdf_share: Distribution = Distribution()


class Vocabulary(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tokenization: str = TOKENIZATION
    stand_in: bool = Field(False, description="true: not the adapter's training vocabulary (see note)")
    note: str = ""
    documents: int = Field(0, ge=0, description="distinct job descriptions counted")
    tokens: dict[str, int] = Field(default_factory=dict, description="token -> job descriptions holding it")


class Baseline(BaseModel):
    """monitoring/baseline.json."""

    model_config = ConfigDict(extra="forbid")
    version: Literal[1] = 1
    source: str = Field(description="what the figures were computed from")
    created_at: datetime
    pairs: int | None = Field(None, ge=0, description="training pairs read")
    features: Features
    vocabulary: Vocabulary


def load_baseline(path: Path) -> Baseline:
    try:
        return Baseline.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise BaselineError(f"cannot read the baseline {path}: {exc.strerror}") from None
    except ValidationError as exc:
        raise BaselineError(
            f"{path} is not a baseline file: {exc.errors()[0]['msg']} at {exc.errors()[0]['loc']}"
        ) from None


class BaselineCollector(Collector):
    """resume_optimizer_baseline{feature}: the baseline's mean of each feature that has one."""

    def __init__(self, baseline: Baseline) -> None:
        self.baseline = baseline

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "resume_optimizer_baseline", "Training-baseline mean of each monitored feature", labels=["feature"]
        )
        for name in FEATURES:
            mean = getattr(self.baseline.features, name).mean
            if mean is not None:
                family.add_metric([name], mean)
        yield family
