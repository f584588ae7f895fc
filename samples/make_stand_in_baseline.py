"""Write monitoring/baseline.json: the adapter's training figures plus a STAND-IN job-description vocabulary.

python -m samples.make_stand_in_baseline [--out monitoring/baseline.json]

The figures are those the adapter was trained at (mean resume words 1,876; mean shared token ratio 0.157;
mean skill items 29.95; schema validity 97.2%; 1,530 pairs); every other figure is unknown (null), so its
baseline gauge is absent. The adapter's training set is not in this repository, so the vocabulary is built
from 1,530 synthetic job descriptions (samples/make_training_pairs.py, seed 0) with the same tokenisation
as the real build. Replace the whole file with `python -m transformer.baseline build TRAINING.jsonl` once the
real training set is at hand: until then the vocabulary-drift figure measures distance from the stand-in.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from common.atomic_files import write_text_atomically
from samples.make_training_pairs import generate
from transformer.baseline import build_vocabulary, parse_pair
from transformer.monitoring.baseline_file import Baseline, Distribution, Features

ROOT = Path(__file__).resolve().parent.parent
PAIRS = 1530
STAND_IN_NOTE = (
    "STAND-IN: built by samples/make_stand_in_baseline.py from 1,530 synthetic job descriptions "
    "(samples/make_training_pairs.py, seed 0), not from the adapter's training set, which is not in this "
    "repository. Rebuild with `python -m transformer.baseline build TRAINING.jsonl` from the real training pairs."
)


def stand_in_baseline() -> Baseline:
    jobs = [parse_pair(record).job_description for record in generate(PAIRS, seed=0)]
    vocabulary = build_vocabulary(jobs)
    vocabulary.stand_in, vocabulary.note = True, STAND_IN_NOTE
    return Baseline(
        source="adapter training figures (resume-optimizer LoRA, 1,530 pairs); vocabulary: stand-in",
        created_at=datetime(2026, 11, 30, tzinfo=UTC),  # fixed, so the script reproduces the file byte for byte
        pairs=PAIRS,
        features=Features(
            resume_words=Distribution(count=PAIRS, mean=1876),
            shared_token_ratio=Distribution(count=PAIRS, mean=0.157),
            skill_items=Distribution(count=PAIRS, mean=29.95),
            schema_validity=Distribution(count=PAIRS, mean=0.972),
        ),
        vocabulary=vocabulary,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "monitoring" / "baseline.json")
    args = parser.parse_args()
    write_text_atomically(args.out, stand_in_baseline().model_dump_json(indent=2) + "\n")


if __name__ == "__main__":
    main()
