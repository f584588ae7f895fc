"""Precision and recall of the fact check, per kind of claim, on generated labelled cases.

    python -m benchmarks.fact_check_eval [--seed 1] [--size 400] [--only SLUG ...] [--json] [--show-errors 10]

Cases come from benchmarks/fact_check_seeds.py: seed resumes rendered as text in random layouts, faithful
tailored resumes written from the same facts, and one injected fabrication per case (kinds in turn). Per kind:

- precision: the share of faithful items the check leaves unflagged (the issue's "precision on faithful items");
- recall: the share of fabricated items it flags;
- flag precision: of the labelled items it flags, the share that were fabricated.

An item is one labelled path of the tailored resume (a highlight counts once, flagged when any of its numbers
is). Also prints milliseconds per check (CPU time of one `check_claims` call on one case).
Targets: recall >= 0.95 and precision >= 0.95 for every kind.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.fact_check_seeds import KINDS, Case, generate
from transformer.fact_check.check import check_claims
from transformer.fact_check.report import FactCheckReport
from transformer.generation.schema import TailoredResume

ROOT = Path(__file__).resolve().parent.parent

TARGET = 0.95


@dataclass
class KindScore:
    """Counts for one kind of claim."""

    faithful: int = 0
    faithful_passed: int = 0
    fabricated: int = 0
    fabricated_flagged: int = 0

    @property
    def precision(self) -> float:
        return self.faithful_passed / self.faithful if self.faithful else 1.0

    @property
    def recall(self) -> float:
        return self.fabricated_flagged / self.fabricated if self.fabricated else 1.0

    @property
    def flag_precision(self) -> float:
        flagged = self.fabricated_flagged + self.faithful - self.faithful_passed
        return self.fabricated_flagged / flagged if flagged else 1.0


@dataclass
class Evaluation:
    """Scores per kind, timings, and the misjudged items (for reading)."""

    seed: int
    size: int
    kinds: dict[str, KindScore] = field(default_factory=lambda: {kind: KindScore() for kind in KINDS})
    ms_per_check: list[float] = field(default_factory=list)
    errors: list[dict[str, object]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "seed": self.seed,
            "size": self.size,
            "kinds": {
                kind: {
                    "faithful": s.faithful,
                    "precision": round(s.precision, 4),
                    "fabricated": s.fabricated,
                    "recall": round(s.recall, 4),
                    "flag_precision": round(s.flag_precision, 4),
                }
                for kind, s in self.kinds.items()
            },
            "ms_per_check": {
                "mean": round(statistics.fmean(self.ms_per_check), 3),
                "median": round(statistics.median(self.ms_per_check), 3),
                "p95": round(sorted(self.ms_per_check)[int(0.95 * (len(self.ms_per_check) - 1))], 3),
            },
        }


Check = Callable[[TailoredResume, str, str], FactCheckReport]


def score_case(case: Case, evaluation: Evaluation, check: Check = check_claims) -> None:
    """Run the check on one case and count each labelled path."""
    resume = TailoredResume.model_validate(_complete(case.tailored))
    # CPU time of this process: other programs sharing the machine do not inflate it
    started = time.process_time()
    report = check(resume, case.resume_text, case.job_text)
    evaluation.ms_per_check.append((time.process_time() - started) * 1000)
    flagged: dict[str, list[str]] = {}
    for item in report.items:
        if not item.supported:
            flagged.setdefault(item.path, []).append(f"{item.value!r}: {item.reason} [{item.evidence}]")
    for path, (kind, fabricated) in case.labels.items():
        score = evaluation.kinds[kind]
        if fabricated:
            score.fabricated += 1
            score.fabricated_flagged += path in flagged
        else:
            score.faithful += 1
            score.faithful_passed += path not in flagged
        if fabricated != (path in flagged):
            evaluation.errors.append(
                {
                    "seed": case.seed,
                    "layout": case.layout,
                    "path": path,
                    "kind": kind,
                    "fabricated": fabricated,
                    "injected": case.fabrication,
                    "value": _value_at(case.tailored, path),
                    "flags": flagged.get(path, []),
                }
            )


def evaluate(seed: int, size: int, only: list[str] | None = None, check: Check = check_claims) -> Evaluation:
    """Generate `size` cases with `seed` (from the seed resumes named in `only`, default all) and score `check`."""
    evaluation = Evaluation(seed, size)
    for case in generate(seed, size, only=only):
        score_case(case, evaluation, check)
    return evaluation


def _complete(sections: dict[str, object]) -> dict[str, object]:
    """Fill the schema's required fields the generator leaves out."""
    from tests.resume_builders import make_resume

    return make_resume(**json.loads(json.dumps(sections))).model_dump(by_alias=True)


def _value_at(tailored: dict[str, object], path: str) -> object:
    node: object = tailored
    for part in path.replace("]", "").replace("[", ".").split("."):
        node = node[int(part)] if part.isdigit() else node.get(part)  # type: ignore[index,union-attr]
    return node


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=1, help="random seed of the generated set")
    parser.add_argument("--size", type=int, default=400, help="number of cases (one fabrication each)")
    parser.add_argument("--only", nargs="*", help="seed resumes to use (file names without .json); default all")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--show-errors", type=int, default=0, help="print this many misjudged items")
    args = parser.parse_args()

    evaluation = evaluate(args.seed, args.size, args.only)
    figures = evaluation.as_dict()
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(f"fact-check evaluation: seed {args.seed}, {args.size} cases")
        print(f"{'kind':<14}{'faithful':>9}{'precision':>11}{'fabricated':>12}{'recall':>8}{'flag prec.':>12}")
        for kind, s in evaluation.kinds.items():
            print(
                f"{kind:<14}{s.faithful:>9}{s.precision:>11.3f}{s.fabricated:>12}{s.recall:>8.3f}"
                f"{s.flag_precision:>12.3f}"
            )
        ms = figures["ms_per_check"]
        print(f"ms per check (CPU): mean {ms['mean']}, median {ms['median']}, p95 {ms['p95']}")  # type: ignore[index]
    for error in evaluation.errors[: args.show_errors]:
        print(json.dumps(error, ensure_ascii=False))
    failed = [k for k, s in evaluation.kinds.items() if s.precision < TARGET or s.recall < TARGET]
    if failed:
        print(f"below target ({TARGET}): {', '.join(failed)}")


if __name__ == "__main__":
    main()
