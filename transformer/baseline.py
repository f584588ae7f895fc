"""The training baseline: what the adapter's training pairs looked like, for drift rules and vocabulary drift.

`python -m transformer.baseline build DATA.jsonl [--out monitoring/baseline.json]` reads training pairs in the
chat-format JSONL used for fine-tuning, one object per line:

    {"messages": [{"role": "system", ...}, {"role": "user", "content": "...<resume>..</resume>..
                   <job_description>..</job_description>"}, {"role": "assistant", "content": "{tailored JSON}"}],
     "input_format": "pdf"}            # optional (also accepted as metadata.input_format)

(the user message as `transformer.prompting.build_messages` writes it) and writes, for each input feature and
quality metric, the mean and the 5/25/50/75/95th percentiles (linear interpolation between closest ranks,
NumPy's default), the pair count, and the training vocabulary of job descriptions: token -> number of distinct
job descriptions holding it (tokens as `features.vocabulary_tokens` makes them, shared with the drift job).

The transformer exports each feature's mean as `resume_optimizer_baseline{feature}`; a feature whose mean is
null in the file has no series.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, get_args

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from transformer.documents import DocumentFormat
from transformer.features import input_features, vocabulary_tokens
from transformer.scoring import count_skill_items, resume_text, shared_token_ratio
from transformer.validation import validate_output

log = logging.getLogger("transformer.baseline")
Feature = Literal[
    "resume_words", "job_description_words", "lexical_diversity", "shared_token_ratio", "skill_items",
    "schema_validity", "pdf_share",
]  # fmt: skip
FEATURES: tuple[Feature, ...] = get_args(Feature)
SHARES = frozenset({"schema_validity", "pdf_share"})  # 0/1 per pair: only the mean (the share) means anything
QUANTILES = {"p5": 0.05, "p25": 0.25, "p50": 0.5, "p75": 0.75, "p95": 0.95}
TOKENIZATION = (
    "features.vocabulary_tokens: scoring.tokenize (NFKD accent strip, casefold, letter/digit runs with inner "
    "'.', '/', ''' and trailing '+'/'#' kept, possessive 's dropped, stopwords dropped), less tokens without a "
    "letter and generic job-ad filler; counted once per distinct job description"
)
_RESUME = re.compile(r"<resume>\n(.*)\n</resume>", re.DOTALL)
_JOB = re.compile(r"<job_description>\n(.*)\n</job_description>", re.DOTALL)


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


class TrainingPair(BaseModel):
    resume: str
    job_description: str
    answer: str
    input_format: DocumentFormat | None = None


def quantile(ordered: list[float], q: float) -> float:
    """The q-quantile of sorted values by linear interpolation between closest ranks (NumPy's default)."""
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def distribution(values: list[float], *, share: bool = False) -> Distribution:
    """Mean and quantiles of `values` (only the mean for a 0/1 share); all null without values."""
    if not values:
        return Distribution(count=0)
    ordered = sorted(values)
    figures = {} if share else {name: quantile(ordered, q) for name, q in QUANTILES.items()}
    return Distribution(count=len(values), mean=sum(values) / len(values), **figures)


def parse_pair(record: Any) -> TrainingPair:
    """One JSONL record -> resume, job description, assistant answer (and the input format where given)."""
    if not isinstance(record, dict) or not isinstance(record.get("messages"), list):
        raise BaselineError('expected an object with a "messages" list')
    by_role: dict[str, str] = {}
    for message in record["messages"]:
        if isinstance(message, dict) and isinstance(message.get("content"), str):
            by_role.setdefault(str(message.get("role")), message["content"])
    user, answer = by_role.get("user"), by_role.get("assistant")
    if user is None or answer is None:
        raise BaselineError("expected a user and an assistant message")
    resume, job = _RESUME.search(user), _JOB.search(user)
    if resume is None or job is None:
        raise BaselineError("the user message has no <resume> or <job_description> section")
    metadata = record.get("metadata") if isinstance(record.get("metadata"), dict) else {}
    fmt = record.get("input_format", metadata.get("input_format"))
    if fmt is not None and fmt not in get_args(DocumentFormat):
        raise BaselineError(f"input_format {fmt!r} is not one of {get_args(DocumentFormat)}")
    return TrainingPair(resume=resume.group(1), job_description=job.group(1), answer=answer, input_format=fmt)


def read_pairs(path: Path) -> Iterator[TrainingPair]:
    """Training pairs of a chat-format JSONL file (blank lines skipped); BaselineError names the bad line."""
    with path.open(encoding="utf-8") as fh:
        try:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    yield parse_pair(json.loads(line))
                except (ValueError, BaselineError) as exc:
                    raise BaselineError(f"{path}:{number}: {exc}") from None
        except UnicodeDecodeError as exc:  # raised by the file iterator (it decodes ahead): no line number
            raise BaselineError(f"{path}: not UTF-8 text ({exc.reason})") from None


def build_vocabulary(job_descriptions: Iterable[str]) -> Vocabulary:
    """Token -> number of distinct job descriptions holding it."""
    counts: Counter[str] = Counter()
    seen: set[str] = set()
    for text in job_descriptions:
        key = text.strip()
        if key in seen:
            continue
        seen.add(key)
        counts.update(vocabulary_tokens(text))
    return Vocabulary(documents=len(seen), tokens=dict(sorted(counts.items())))


def build_baseline(pairs: Iterable[TrainingPair], source: str) -> Baseline:
    """Figures of every feature over the training pairs (quality figures from the assistant answers)."""
    values: dict[str, list[float]] = {name: [] for name in FEATURES}
    jobs: list[str] = []
    count = 0
    for pair in pairs:
        count += 1
        jobs.append(pair.job_description)
        features = input_features(pair.resume, pair.job_description, pair.input_format or "text")
        values["resume_words"].append(features.resume_words)
        values["job_description_words"].append(features.job_description_words)
        values["lexical_diversity"].append(features.lexical_diversity)
        if pair.input_format is not None:
            values["pdf_share"].append(1.0 if pair.input_format == "pdf" else 0.0)
        tailored, outcome = validate_output(pair.answer, None)
        values["schema_validity"].append(1.0 if outcome.ok else 0.0)
        if tailored is not None:
            values["skill_items"].append(count_skill_items(tailored))
            values["shared_token_ratio"].append(shared_token_ratio(resume_text(tailored), pair.resume))
    return Baseline(
        source=source,
        created_at=datetime.now(UTC),
        pairs=count,
        features=Features(**{name: distribution(v, share=name in SHARES) for name, v in values.items()}),
        vocabulary=build_vocabulary(jobs),
    )


def load_baseline(path: Path) -> Baseline:
    try:
        return Baseline.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise BaselineError(f"cannot read the baseline {path}: {exc.strerror}") from None
    except ValidationError as exc:
        raise BaselineError(f"{path} is not a baseline file: {exc.errors()[0]['msg']} at {exc.errors()[0]['loc']}") \
            from None  # fmt: skip


def write_json_atomically(path: Path, text: str) -> None:
    """Replace `path` in one rename, so a reader sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m transformer.baseline", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="build a baseline from chat-format JSONL training pairs")
    build.add_argument("data", type=Path, help="training pairs, chat-format JSONL")
    build.add_argument("--out", type=Path, default=Path("monitoring/baseline.json"), help="baseline file to write")
    args = parser.parse_args(argv)
    try:
        baseline = build_baseline(read_pairs(args.data), source=args.data.name)
    except (OSError, BaselineError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    write_json_atomically(args.out, baseline.model_dump_json(indent=2) + "\n")
    means = {name: getattr(baseline.features, name).mean for name in FEATURES}
    summary = {"out": str(args.out), "pairs": baseline.pairs, "means": means,
               "vocabulary_tokens": len(baseline.vocabulary.tokens)}  # fmt: skip
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
