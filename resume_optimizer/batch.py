"""Run many pairs through the transformer's v2 endpoint: bounded concurrency, resumable, stoppable.

Pairs already in the output folder are skipped. SIGINT (or SIGTERM) stops starting new pairs and lets the
ones in flight finish and be recorded; a second SIGINT abandons them (nothing half-written is left either way).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jsonschema

from resume_optimizer.client import Answer, Failure, PairRequest, Permanent, TransformerClient, Transient
from resume_optimizer.pairs import Pair
from resume_optimizer.progress import Progress
from resume_optimizer.results import ResultStore
from resume_optimizer.settings import ClientSettings
from resume_optimizer.summary import summarize

log = logging.getLogger("resume_optimizer.batch")


@dataclass
class BatchOutcome:
    summary: dict[str, Any]
    interrupted: bool

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 130
        return 0 if self.summary["failed"] == 0 and self.summary["not_run"] == 0 else 1


def _describe(pair: Pair) -> dict[str, Any]:
    job: dict[str, Any] = {"job": pair.job.name}
    job.update({"job_url": pair.job.url} if pair.job.url else {"job_path": str(pair.job.path)})
    return {
        "pair_id": pair.pair_id,
        "pair_key": pair.key,
        "resume": pair.resume.name,
        "resume_path": str(pair.resume.path),
        **job,
    }


def _read_inputs(pair: Pair) -> PairRequest:
    assert pair.resume.path is not None
    resume = pair.resume.path.read_bytes()
    job_text = None
    if pair.job.url is None:
        assert pair.job.path is not None
        job_text = pair.job.path.read_bytes().decode("utf-8")
    return PairRequest(
        resume=resume,
        resume_filename=pair.resume.name,
        job_description=job_text,
        job_url=pair.job.url,
        request_id=pair.request_id,
    )


class BatchRunner:
    def __init__(self, settings: ClientSettings, store: ResultStore, *, tty: bool | None = None) -> None:
        self.settings = settings
        self.store = store
        self.tty = tty
        self.stop = asyncio.Event()
        self.tasks: set[asyncio.Task[None]] = set()

    async def run(self, pairs: list[Pair]) -> BatchOutcome:
        started = time.monotonic()
        done = self.store.done()
        pending = [p for p in pairs if p.pair_id not in done]
        skipped = len(pairs) - len(pending)
        log.info(
            "batch start",
            extra={
                "pairs": len(pairs),
                "pending": len(pending),
                "skipped": skipped,
                "concurrency": self.settings.concurrency,
                "url": self.settings.url,
            },
        )
        processed = 0
        if pending:
            self._install_signal_handlers()
            try:
                processed = await self._run_pending(pending)
            finally:
                self._remove_signal_handlers()
        ids = {p.pair_id for p in pairs}
        results = [r for r in self.store.results() if r.get("pair_id") in ids]
        failures = [f for f in self.store.failures() if f.get("pair_id") in ids]
        summary = summarize(
            len(pairs),
            results,
            failures,
            skipped=skipped,
            interrupted=self.stop.is_set(),
            wall_s=time.monotonic() - started,
            processed=processed,
        )
        self.store.write_summary(summary)
        return BatchOutcome(summary, interrupted=self.stop.is_set())

    async def _run_pending(self, pending: list[Pair]) -> int:
        progress = Progress(len(pending), tty=self.tty)
        semaphore = asyncio.Semaphore(self.settings.concurrency)
        count = 0
        try:
            async with TransformerClient(self.settings) as client:
                try:
                    validator = jsonschema.Draft202012Validator(await client.schema())
                except (Transient, Permanent) as exc:
                    if isinstance(exc, Transient):
                        failure = Failure(None, "service_unreachable", exc.reason, 0, 0.0, transient=True)
                    else:
                        failure = Failure(exc.status, "service_error", str(exc), 1, 0.0)
                    log.error("service unusable", extra={"url": self.settings.url, "reason": failure.detail})
                    for pair in pending:  # nothing can run: say so per pair, so the failures file lists them
                        self._failed(pair, failure)
                    return 0

                async def one(pair: Pair) -> None:
                    try:
                        ok = await self._one(client, validator, pair)
                        progress.advance(pair.key, ok)
                    finally:
                        semaphore.release()

                for pair in pending:
                    await semaphore.acquire()
                    if self.stop.is_set():
                        semaphore.release()
                        break
                    task = asyncio.create_task(one(pair))
                    self.tasks.add(task)
                    task.add_done_callback(self.tasks.discard)
                    count += 1
                while self.tasks:
                    await asyncio.gather(*self.tasks, return_exceptions=True)
        finally:
            progress.close()
        return count

    async def _one(self, client: TransformerClient, validator: jsonschema.Draft202012Validator, pair: Pair) -> bool:
        try:
            request = await asyncio.to_thread(_read_inputs, pair)
        except (OSError, UnicodeDecodeError) as exc:
            what = "job description" if isinstance(exc, UnicodeDecodeError) else "input"
            self._failed(pair, Failure(None, "unreadable_input", f"cannot read the {what}: {exc}", 0, 0.0))
            return False
        request.options = {"mode": "batch", "strict": self.settings.strict}
        outcome = await client.infer(request)
        if isinstance(outcome, Failure):
            self._failed(pair, outcome)
            return False
        await asyncio.to_thread(self.store.save_result, self._record(pair, outcome, validator))
        return True

    def _record(self, pair: Pair, answer: Answer, validator: jsonschema.Draft202012Validator) -> dict[str, Any]:
        error = next(iter(validator.iter_errors(answer.tailored_resume)), None)
        return {
            **_describe(pair),
            "request_id": answer.request_id,
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "latency_s": round(answer.latency_s, 4),
            "attempts": answer.attempts,
            "schema_valid": answer.schema_valid,
            "schema_valid_client": error is None,
            "schema_error": None if error is None else f"{error.message} at {list(error.absolute_path)}",
            "quality": answer.quality,
            "hallucinations": answer.hallucinations,
            "tailored_resume": answer.tailored_resume,
        }

    def _failed(self, pair: Pair, failure: Failure) -> None:
        record = {
            **_describe(pair),
            "status": failure.status,
            "error": failure.error,
            "detail": failure.detail,
            "attempts": failure.attempts,
            "transient": failure.transient,
            "latency_s": round(failure.latency_s, 4),
        }
        self.store.save_failure(record)
        log.warning(
            "pair failed",
            extra={
                "pair_key": pair.key,
                "status": failure.status,
                "error": failure.error,
                "attempts": failure.attempts,
            },
        )

    def _install_signal_handlers(self) -> None:
        loop = asyncio.get_running_loop()

        def on_signal(signum: int) -> None:
            if self.stop.is_set():  # second signal: abandon the pairs in flight (they are simply not recorded)
                log.warning("stopping now", extra={"signal": signal.Signals(signum).name, "abandoned": len(self.tasks)})
                for task in self.tasks:
                    task.cancel()
                return
            log.warning(
                "stopping after the pairs in flight",
                extra={"signal": signal.Signals(signum).name, "in_flight": len(self.tasks)},
            )
            self.stop.set()

        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, on_signal, signum)

    def _remove_signal_handlers(self) -> None:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
