"""Progress of a batch: a tqdm bar with rate and ETA on a terminal, structured log lines otherwise."""

from __future__ import annotations

import logging
import sys
import time
from typing import TextIO

from tqdm import tqdm

log = logging.getLogger("resume_optimizer.progress")


class Progress:
    def __init__(self, total: int, *, stream: TextIO | None = None, tty: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.total = total
        self.done = self.failed = 0
        self.started = time.monotonic()
        use_bar = self.stream.isatty() if tty is None else tty
        self.bar = (
            tqdm(total=total, unit="pair", file=self.stream, dynamic_ncols=True, smoothing=0.1) if use_bar else None
        )

    def advance(self, pair_key: str, ok: bool) -> None:
        """One pair done; `pair_key` is the pair's hash (never its file names: they can hold a name)."""
        self.done += 1
        self.failed += 0 if ok else 1
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix(failed=self.failed, refresh=False)
            return
        elapsed = time.monotonic() - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else None
        log.info(
            "pair finished",
            extra={
                "pair_key": pair_key,
                "ok": ok,
                "done": self.done,
                "total": self.total,
                "failed": self.failed,
                "pairs_per_minute": round(rate * 60, 2),
                "eta_s": None if eta is None else round(eta, 1),
            },
        )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
