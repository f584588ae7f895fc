"""The tailoring pipeline: bytes + job text in, validated and fact-checked tailored resume out.

    reading (parsing, cleaning, job page) -> prompting -> predictor -> validation (one retry)
        -> fact check -> scoring -> storage

Stages are plain functions over pydantic models; this module only runs them in order, times them, stores
the artifacts and counts the metrics, so the v2 endpoint, the REST routes and streaming share one path.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from transformer import metrics
from transformer.contracts import TailorInput, TailorResult
from transformer.errors import BadInput, DocumentTooLarge, EmptyDocument, InvalidModelOutput, ServiceError
from transformer.fact_check.check import check_claims, strip_unsupported
from transformer.generation.budgets import TokenBudgets, token_budgets
from transformer.generation.predictor_client import Completion, PredictorClient
from transformer.generation.prompting import ChatRequest, Sampling, build_chat_request
from transformer.generation.runaway import RunawayDetector, RunawayLimits
from transformer.generation.schema import GenerationBounds, TailoredResume, generation_schema
from transformer.generation.validation import ValidationOutcome, matches_output_schema, validate_output
from transformer.quality.features import input_features
from transformer.quality.scoring import score
from transformer.reading.cleaning import clean_document, clean_text
from transformer.reading.deadline import Deadline
from transformer.reading.documents import Document
from transformer.reading.job_fetch import JobFetchPolicy, fetch_job_text
from transformer.reading.parsing import parse_with_settings
from transformer.settings import TransformerSettings
from transformer.storage import (
    ERROR_FILE,
    FEATURES_FILE,
    JOB_DESCRIPTION_FILE,
    JOB_URL_FILE,
    PROMPT_FILE,
    RESULT_FILE,
    RESUME_TEXT_FILE,
    UPLOAD_FILE,
    UPLOAD_FILENAME_FILE,
    ArtifactStore,
    raw_output_file,
)

log = logging.getLogger("transformer.pipeline")
MAX_ATTEMPTS = 2  # one retry after an invalid answer
EventCallback = Callable[[str, dict[str, Any]], Awaitable[None]]


async def _parse(data: bytes, settings: TransformerSettings) -> Document:
    """parse_document in a worker thread under the settings' limits; the parse deadline is checked inside,
    and waited for here too (with a little grace), so even a page stuck in native code cannot hang the request."""
    work = asyncio.to_thread(parse_with_settings, data, settings)
    try:
        return await asyncio.wait_for(work, timeout=settings.parse_timeout_s + 5)
    except TimeoutError:
        raise Deadline(settings.parse_timeout_s).expired() from None


@dataclass
class _Inputs:
    """What one request's inputs read as: the cleaned resume and the job description text."""

    resume: Document
    job_text: str


@dataclass
class _Generation:
    """The first valid answer of the predictor, and what it cost."""

    resume: TailoredResume
    prompt_tokens: int
    output_tokens: int
    outcomes: list[ValidationOutcome]  # one per answer asked for; the last is the valid one


class Pipeline:
    def __init__(self, settings: TransformerSettings, client: PredictorClient, store: ArtifactStore) -> None:
        self.settings = settings
        self.client = client
        self.store = store
        self.schema = generation_schema(GenerationBounds.from_settings(settings))
        self.sampling = Sampling.from_settings(settings)
        self.retry_sampling = Sampling.from_settings(settings, retry=True)
        self.runaway_limits = RunawayLimits.from_settings(settings)
        self.job_fetch_policy = JobFetchPolicy(
            timeout_s=settings.job_fetch_timeout_s,
            max_bytes=settings.job_fetch_max_bytes,
            allowed_hosts=settings.job_fetch_allowed_hosts,
        )

    async def run(self, request: TailorInput, request_id: str, on_event: EventCallback | None = None) -> TailorResult:
        """Tailor one resume to one job description. Raises a ServiceError subclass on failure."""
        artifacts: dict[str, Any] = {UPLOAD_FILE: request.resume}
        if request.resume_filename:
            artifacts[UPLOAD_FILENAME_FILE] = request.resume_filename
        if request.job_url:
            artifacts[JOB_URL_FILE] = request.job_url
        stages: dict[str, float] = {}
        started = time.perf_counter()
        try:
            result = await self._run(request, request_id, on_event, artifacts, stages)
        except ServiceError as exc:
            exc.request_id = request_id
            artifacts[ERROR_FILE] = exc.body(request_id)
            await self._store(request_id, artifacts)
            seconds = round(time.perf_counter() - started, 4)
            log.warning(
                "request failed",
                extra={"request_id": request_id, "error": exc.error, "status": exc.status, "seconds": seconds},
            )
            raise
        with _stage(stages, "store"):
            await self._store(request_id, artifacts)
        log.info(
            "request done",
            extra={
                "request_id": request_id,
                "seconds": round(time.perf_counter() - started, 4),
                "stages": stages,
                "skill_items": result.quality.skill_items,
                "unsupported": result.hallucinations.unsupported,
                "attempts": result.quality.attempts,
            },
        )
        return result

    async def _store(self, request_id: str, artifacts: dict[str, Any]) -> None:
        if not self.store.enabled:
            return
        try:  # fsync-ing files blocks: keep it off the event loop
            await asyncio.to_thread(self.store.save, request_id, artifacts)
        except OSError as exc:  # storage trouble must not lose the answer; say so loudly
            log.error("artifact storage failed", extra={"request_id": request_id, "error": str(exc)})

    async def _run(
        self,
        request: TailorInput,
        request_id: str,
        on_event: EventCallback | None,
        artifacts: dict[str, Any],
        stages: dict[str, float],
    ) -> TailorResult:
        """The stages in order: read, prompt, generate (validated), fact check and score."""
        inputs = await self._read_inputs(request, request_id, artifacts, stages)
        chat = await self._prompt(inputs, artifacts=artifacts, stages=stages)
        generation = await self._generate(request_id, chat, on_event, artifacts, stages)
        result = self._check_and_score(request_id, generation, inputs, request.options.strict, stages)
        artifacts[RESULT_FILE] = result.model_dump_json(indent=2).encode()
        return result

    async def _read_inputs(
        self, request: TailorInput, request_id: str, artifacts: dict[str, Any], stages: dict[str, float]
    ) -> _Inputs:
        """Parse and clean the resume, get the job description, and count the input features."""
        with _stage(stages, "parse"):
            resume_doc = await _parse(request.resume, self.settings)
        with _stage(stages, "job"):
            job_text = await self._job_text(request)
        with _stage(stages, "clean"):
            resume_doc = clean_document(resume_doc)
        log.info(
            "inputs read",
            extra={
                "request_id": request_id,
                "format": resume_doc.format,
                "pages": resume_doc.pages,
                "resume_bytes": resume_doc.size_bytes,
                "resume_sha256": resume_doc.sha256[:16],
                "resume_chars": len(resume_doc.text),
                "job_chars": len(job_text),
            },
        )
        artifacts[RESUME_TEXT_FILE] = resume_doc.text
        artifacts[JOB_DESCRIPTION_FILE] = job_text  # the vocabulary-drift job reads it (transformer.drift)
        # Off the event loop: lexical diversity over a 100k-character resume takes tens of milliseconds.
        features = await asyncio.to_thread(input_features, resume_doc.text, job_text, resume_doc.format)
        metrics.observe_inputs(features)
        artifacts[FEATURES_FILE] = features.model_dump()
        return _Inputs(resume_doc, job_text)

    async def _prompt(self, inputs: _Inputs, *, artifacts: dict[str, Any], stages: dict[str, float]) -> ChatRequest:
        """The chat request for the model the predictor serves, refused (413) when a part is over its budget
        (the settings' bounds within the model's context)."""
        settings = self.settings
        with _stage(stages, "prompt"):
            served = await self.client.served_model()
            budgets = token_budgets(settings, served.max_model_len)
            chat = build_chat_request(
                inputs.resume.text,
                inputs.job_text,
                model=served.name,
                schema=self.schema,
                max_tokens=budgets.max_tokens,
                sampling=self.sampling,
            )
        artifacts[PROMPT_FILE] = chat.model_dump(exclude_none=True)
        with _stage(stages, "budget"):
            await self._check_token_budgets(inputs.resume.text, inputs.job_text, chat.messages, budgets)
        return chat

    async def _generate(
        self,
        request_id: str,
        chat: ChatRequest,
        on_event: EventCallback | None,
        artifacts: dict[str, Any],
        stages: dict[str, float],
    ) -> _Generation:
        """Ask the predictor, validate, and ask once more, sampled differently, after an invalid answer (502 after
        the second, with each attempt's cause: repetition, cut_off, invalid_json or schema)."""
        outcomes: list[ValidationOutcome] = []
        prompt_tokens = output_tokens = 0
        resume: TailoredResume | None = None
        for attempt in range(1, MAX_ATTEMPTS + 1):
            request = chat if attempt == 1 else chat.model_copy(update=self.retry_sampling.model_dump())
            detector = RunawayDetector(self.runaway_limits) if self.settings.runaway_detection else None
            with _stage(stages, "predict"):
                completion: Completion = await self.client.complete(
                    request, None if on_event is None else _token_forwarder(on_event, attempt), detector
                )
            prompt_tokens += completion.prompt_tokens
            output_tokens += completion.output_tokens
            artifacts[raw_output_file(attempt)] = completion.content
            with _stage(stages, "validate"):
                resume, outcome = validate_output(completion.content, completion.finish_reason, completion.runaway)
            outcomes.append(outcome)
            metrics.JSON_PARSE.labels("ok" if outcome.json_parse_ok else "error").inc()
            metrics.SCHEMA_VALIDATION.labels("valid" if outcome.schema_valid else "invalid").inc()
            if resume is not None:
                break
            assert outcome.cause is not None  # validate_output names the cause of every refused answer
            metrics.INVALID_ANSWERS.labels(outcome.cause).inc()
            log.warning(
                "invalid answer",
                extra={
                    "request_id": request_id,
                    "attempt": attempt,
                    "cause": outcome.cause,
                    "output_chars": len(completion.content),
                    "output_tokens": completion.output_tokens,
                },
            )
            if on_event is not None and attempt < MAX_ATTEMPTS:
                await on_event("retry", {"attempt": attempt, "cause": outcome.cause, "errors": outcome.errors})
        metrics.PROMPT_TOKENS.inc(prompt_tokens)
        metrics.OUTPUT_TOKENS.inc(output_tokens)
        if resume is None:
            causes = ", ".join(o.cause or "" for o in outcomes)
            report = {"attempts": [o.model_dump() for o in outcomes]}
            raise InvalidModelOutput(
                f"the predictor's answer was not a valid tailored resume after {MAX_ATTEMPTS} attempts ({causes})",
                report=report,
            )
        return _Generation(resume, prompt_tokens, output_tokens, outcomes)

    def _check_and_score(
        self, request_id: str, generation: _Generation, inputs: _Inputs, strict: bool, stages: dict[str, float]
    ) -> TailorResult:
        """Fact-check every claim against the resume (strict: drop the unsupported ones), then score the answer."""
        with _stage(stages, "fact_check"):
            report = check_claims(generation.resume, inputs.resume.text, inputs.job_text)
        metrics.HALLUCINATION_CHECKED.inc(report.checked)
        metrics.HALLUCINATION_UNSUPPORTED.inc(report.unsupported)
        returned = strip_unsupported(generation.resume, report) if strict else generation.resume
        with _stage(stages, "score"):
            quality = score(
                returned,
                inputs.resume.text,
                inputs.job_text,
                report.rate,
                prompt_tokens=generation.prompt_tokens,
                output_tokens=generation.output_tokens,
                stage_seconds=stages,
                attempts=len(generation.outcomes),
                first_answer_parsed=generation.outcomes[0].json_parse_ok,
                attempt_causes=[o.cause for o in generation.outcomes if o.cause is not None],
            )
        metrics.observe_quality(quality)
        tailored = returned.model_dump(by_alias=True)
        return TailorResult(
            request_id=request_id,
            tailored_resume=tailored,
            # Validation already matched the answer to the schema; strict mode may have removed items since.
            schema_valid=matches_output_schema(tailored) if strict else True,
            quality=quality,
            hallucinations=report,
        )

    async def _check_token_budgets(
        self, resume_text: str, job_text: str, messages: list[dict[str, str]], budgets: TokenBudgets
    ) -> None:
        """Count with the predictor's own tokenizer; over a budget is a 413 that names the part, the overage and
        where the budget comes from (the setting, or the model's context)."""

        async def count_text(text: str, budget: int) -> int:
            # Byte-level BPE (Qwen's tokenizer) spends at least one byte per token, so a text no longer than its
            # budget in UTF-8 bytes cannot exceed it: skip the round trip.
            if len(text.encode()) <= budget:
                return 0
            return await self.client.count_tokens(text=text)

        counts = await asyncio.gather(
            count_text(resume_text, budgets.resume),
            count_text(job_text, budgets.job),
            self.client.count_tokens(messages=messages),
        )
        parts = [
            ("the resume", budgets.resume, "TRANSFORMER_RESUME_TOKEN_BUDGET"),
            ("the job description", budgets.job, "TRANSFORMER_JOB_TOKEN_BUDGET"),
            ("the whole prompt", budgets.prompt, "TRANSFORMER_PROMPT_TOKEN_BUDGET"),
        ]
        for count, (part, budget, setting) in zip(counts, parts, strict=True):
            if count > budget:
                raise DocumentTooLarge(
                    f"{part} is {count} tokens, {count - budget} over its budget of {budget} "
                    f"({budgets.limit_reason(setting)}); shorten it and try again"
                )

    async def _job_text(self, request: TailorInput) -> str:
        """The job description: the text given, or the main text of the page at job_url (fetched safely)."""
        has_text = request.job_description is not None and request.job_description.strip() != ""
        if has_text and request.job_url:
            raise BadInput("send either job_description or job_url, not both")
        if request.job_url:
            raw = await fetch_job_text(request.job_url, self.job_fetch_policy)
        elif request.job_description is not None:
            raw = request.job_description
        else:
            raise BadInput("a job description is required (job_description or job_url)")
        if len(raw) > self.settings.max_job_description_chars:
            raise DocumentTooLarge(
                f"the job description has {len(raw)} characters; the limit is {self.settings.max_job_description_chars}"
            )
        text = clean_text(raw)
        if not text:
            raise EmptyDocument("the job description is empty")
        return text


class _stage:
    """Time a stage into the per-request record and the stage histogram (repeated stages add up)."""

    def __init__(self, stages: dict[str, float], name: str) -> None:
        self.stages, self.name = stages, name

    def __enter__(self) -> None:
        self.started = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        seconds = time.perf_counter() - self.started
        self.stages[self.name] = self.stages.get(self.name, 0.0) + seconds
        metrics.STAGE_DURATION.labels(self.name).observe(seconds)


def _token_forwarder(on_event: EventCallback, attempt: int) -> Callable[[str], Awaitable[None]]:
    async def forward(text: str) -> None:
        await on_event("token", {"text": text, "attempt": attempt})

    return forward
