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
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel

from common.atomic_files import write_text_atomically
from transformer.generation.validation import validate_output
from transformer.monitoring.baseline_file import (
    FEATURES,
    Baseline,
    BaselineError,
    Distribution,
    Features,
    Vocabulary,
)
from transformer.quality.features import input_features, vocabulary_tokens
from transformer.quality.scoring import count_skill_items, resume_text, shared_token_ratio
from transformer.reading.documents import DocumentFormat

log = logging.getLogger("transformer.baseline")
SHARES = frozenset({"schema_validity", "pdf_share"})  # 0/1 per pair: only the mean (the share) means anything
QUANTILES = {"p5": 0.05, "p25": 0.25, "p50": 0.5, "p75": 0.75, "p95": 0.95}
_RESUME = re.compile(r"<resume>\n(.*)\n</resume>", re.DOTALL)
_JOB = re.compile(r"<job_description>\n(.*)\n</job_description>", re.DOTALL)


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
    write_text_atomically(args.out, baseline.model_dump_json(indent=2) + "\n")
    means = {name: getattr(baseline.features, name).mean for name in FEATURES}
    summary = {
        "out": str(args.out),
        "pairs": baseline.pairs,
        "means": means,
        "vocabulary_tokens": len(baseline.vocabulary.tokens),
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
