"""Vocabulary drift: how much of what recent job descriptions talk about the adapter never saw in training.

`python -m transformer.drift vocabulary [--artifacts DIR] [--baseline FILE] [--out FILE] [--days 30]` reads the
job descriptions stored with each request's artifacts (`<artifacts>/<request id>/job_description.txt`, written
by every replica to the shared volume, so the figure counts all replicas and survives restarts), keeps those
of the last `--days` days (by the file's modification time), counts each distinct job description once, ranks
its vocabulary tokens (`features.vocabulary_tokens`, the baseline's tokenisation) by how many of them hold the
token (ties: alphabetical), and reports the share of the top 100 absent from the baseline's training
vocabulary. The report is written atomically (JSON); the transformer serves it to Prometheus with
`VocabularyDriftCollector` as resume_optimizer_vocabulary_drift_ratio and
resume_optimizer_vocabulary_drift_report_timestamp_seconds. Defaults come from the TRANSFORMER_* settings.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from common.atomic_files import write_text_atomically
from transformer.monitoring.baseline_file import BaselineError, load_baseline
from transformer.monitoring.drift_report import RankedToken, VocabularyDriftReport
from transformer.quality.features import vocabulary_tokens
from transformer.storage import JOB_DESCRIPTION_FILE

log = logging.getLogger("transformer.drift")
TOP_TOKENS = 100


def recent_job_descriptions(artifacts: Path, since: float) -> Iterator[str]:
    """Texts of the stored job descriptions modified at or after `since` (epoch seconds)."""
    if not artifacts.is_dir():
        return
    for folder in sorted(artifacts.iterdir()):
        if folder.name.startswith("."):  # an unpublished (staging) folder
            continue
        path = folder / JOB_DESCRIPTION_FILE
        try:
            if path.stat().st_mtime < since:
                continue
            yield path.read_text(encoding="utf-8", errors="replace")
        except (FileNotFoundError, NotADirectoryError):  # failed before the job was read, or swept meanwhile
            continue
        except OSError:  # one unreadable entry (permissions, a folder in its place) must not fail the whole job
            continue


def vocabulary_drift(
    artifacts: Path, vocabulary: dict[str, int], *, days: float, top_n: int = TOP_TOKENS, now: float | None = None
) -> tuple[int, int, list[RankedToken]]:
    """(requests, distinct job descriptions, top tokens with whether training saw them)."""
    since = (now if now is not None else time.time()) - days * 86400
    counts: Counter[str] = Counter()
    seen: set[bytes] = set()
    requests = 0
    for text in recent_job_descriptions(artifacts, since):
        requests += 1
        digest = hashlib.sha256(text.strip().encode(errors="replace")).digest()
        if digest in seen:  # the same ad sent with many resumes counts once
            continue
        seen.add(digest)
        counts.update(vocabulary_tokens(text))
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top_n]
    top = [RankedToken(token=t, documents=n, in_training=t in vocabulary) for t, n in ranked]
    return requests, len(seen), top


def build_report(
    artifacts: Path, baseline_path: Path, *, days: float, top_n: int = TOP_TOKENS, now: float | None = None
) -> VocabularyDriftReport:
    baseline = load_baseline(baseline_path)
    now = now if now is not None else time.time()
    requests, documents, top = vocabulary_drift(artifacts, baseline.vocabulary.tokens, days=days, top_n=top_n, now=now)
    absent = sum(not t.in_training for t in top)
    return VocabularyDriftReport(
        generated_at=datetime.fromtimestamp(now, UTC),
        window_days=days,
        window_start=datetime.fromtimestamp(now - days * 86400, UTC),
        requests=requests,
        documents=documents,
        top_n=top_n,
        absent=absent,
        drift_ratio=absent / len(top) if top else None,
        baseline_source=baseline.source,
        baseline_vocabulary_stand_in=baseline.vocabulary.stand_in,
        top_tokens=top,
    )


def main(argv: list[str] | None = None) -> int:
    from transformer.settings import TransformerSettings

    settings = TransformerSettings()
    parser = argparse.ArgumentParser(prog="python -m transformer.drift", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    vocab = commands.add_parser("vocabulary", help="share of recent top job-description tokens unseen in training")
    vocab.add_argument("--artifacts", type=Path, default=settings.artifacts_dir, help="artifact folder")
    vocab.add_argument("--baseline", type=Path, default=settings.baseline_path, help="baseline file")
    vocab.add_argument("--out", type=Path, default=settings.drift_report_path, help="report file to write")
    vocab.add_argument("--days", type=float, default=settings.vocabulary_drift_window_days, help="window in days")
    vocab.add_argument("--top", type=int, default=TOP_TOKENS, help="how many top tokens to compare")
    args = parser.parse_args(argv)
    if args.days <= 0 or args.top < 1:
        parser.error("--days must be positive and --top at least 1")
    try:
        report = build_report(args.artifacts, args.baseline, days=args.days, top_n=args.top)
    except BaselineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    write_text_atomically(args.out, report.model_dump_json(indent=2) + "\n")
    summary = {
        "out": str(args.out),
        "requests": report.requests,
        "documents": report.documents,
        "absent": report.absent,
        "top": len(report.top_tokens),
        "drift_ratio": report.drift_ratio,
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
