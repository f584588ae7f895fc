"""The batch output folder: one JSON per finished pair, results.jsonl, failures.jsonl, summary.json.

Crash safety, in order of writes for one pair:
1. results/PAIR.json is written to a temporary file, fsync-ed, and renamed: it is complete or absent.
2. its record is appended to results.jsonl in one write, then fsync-ed.
A run killed between 1 and 2 is repaired on the next start (the missing line is appended); a torn last line
(killed inside the write) is cut off; temporary files are removed. So each finished pair has exactly one
JSON file and exactly one results.jsonl line, whatever moment the previous run died.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from common.atomic_files import write_bytes_atomically

RESULTS_DIR = "results"
RESULTS_JSONL = "results.jsonl"
FAILURES_JSONL = "failures.jsonl"
SUMMARY_JSON = "summary.json"


def _append_line(path: Path, record: dict[str, Any]) -> None:
    line = (json.dumps(record, ensure_ascii=False) + "\n").encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)  # one write: a crash leaves at most one torn last line, repaired on the next start
        os.fsync(fd)
    finally:
        os.close(fd)


def _cut_torn_tail(path: Path) -> None:
    """Drop a last line that has no newline (the previous run died inside its write)."""
    if not path.is_file():
        return
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        keep = data.rfind(b"\n") + 1
        with path.open("r+b") as f:
            f.truncate(keep)
            os.fsync(f.fileno())


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                records.append(json.loads(line))
            except ValueError:
                continue
    return records


class ResultStore:
    """The output folder of one batch (shared by re-runs of the same command)."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.results_dir = out / RESULTS_DIR
        self.results_dir.mkdir(parents=True, exist_ok=True)
        self.results_jsonl = out / RESULTS_JSONL
        self.failures_jsonl = out / FAILURES_JSONL
        self._lock = threading.Lock()
        self._repair()

    def _repair(self) -> None:
        for tmp in list(self.out.glob(".*.tmp")) + list(self.results_dir.glob(".*.tmp")):
            tmp.unlink(missing_ok=True)
        _cut_torn_tail(self.results_jsonl)
        listed = {r.get("pair_id") for r in _read_jsonl(self.results_jsonl)}
        for pair_id in sorted(self.done() - listed):  # died between the JSON file and its line
            record = json.loads((self.results_dir / f"{pair_id}.json").read_text(encoding="utf-8"))
            _append_line(self.results_jsonl, record)
        # Pairs that failed last time are tried again, so the failures file describes the latest run only.
        if self.failures_jsonl.exists():
            write_bytes_atomically(self.failures_jsonl, b"")

    def done(self) -> set[str]:
        """Ids of pairs that have a result (complete by construction)."""
        return {p.stem for p in self.results_dir.glob("*.json")}

    def save_result(self, record: dict[str, Any]) -> None:
        """Record one finished pair (blocking; call from a worker thread)."""
        with self._lock:
            data = json.dumps(record, ensure_ascii=False, indent=2).encode()
            write_bytes_atomically(self.results_dir / f"{record['pair_id']}.json", data)
            _append_line(self.results_jsonl, record)

    def save_failure(self, record: dict[str, Any]) -> None:
        with self._lock:
            _append_line(self.failures_jsonl, record)

    def results(self) -> list[dict[str, Any]]:
        return _read_jsonl(self.results_jsonl)

    def failures(self) -> list[dict[str, Any]]:
        return _read_jsonl(self.failures_jsonl)

    def write_summary(self, summary: dict[str, Any]) -> None:
        write_bytes_atomically(self.out / SUMMARY_JSON, json.dumps(summary, indent=2).encode())
