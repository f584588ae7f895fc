"""Plain REST routes beside KServe's own: /, /health, /schema, /optimize, /optimize/text (with SSE streaming).

`build_router` makes an APIRouter from explicit dependencies (pipeline, predictor client, settings); each route
is a method of `TailoringRoutes`, so a handler can be called and tested alone. `install` adds the router and the
error mapping to KServe's FastAPI app.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, field_validator
from sse_starlette.sse import EventSourceResponse

from transformer import MODEL_NAME, __version__, metrics
from transformer.contracts import TailorInput, TailorOptions, TailorResult
from transformer.errors import BadInput, DocumentTooLarge, Forbidden, ServiceError, unicode_text
from transformer.generation.schema import output_schema
from transformer.http_errors import error_response, install_error_handlers, json_text
from transformer.request_ids import new_request_id
from transformer.settings import TransformerSettings

if TYPE_CHECKING:  # types only: the pipeline and the client are handed in (see transformer.__main__)
    from transformer.generation.predictor_client import PredictorClient
    from transformer.pipeline import Pipeline

log = logging.getLogger("transformer.routes")


class OptimizeTextRequest(BaseModel):
    resume_text: str = Field(description="the resume as plain text or Markdown")
    job_description: str | None = Field(None, description="the job description text")
    job_url: str | None = Field(None, description="a job posting URL, instead of job_description")
    options: TailorOptions = TailorOptions()

    @field_validator("resume_text", "job_description", "job_url")
    @classmethod
    def _unicode_text(cls, value: str | None) -> str | None:
        # JSON can escape lone surrogates ("\ud800"), which are no text and cannot be stored or sent on as UTF-8.
        return None if value is None else unicode_text(value)


class ErrorBody(BaseModel):
    error: str
    detail: str
    request_id: str | None
    report: dict[str, Any] | None = None


class Health(BaseModel):
    transformer_ready: bool
    predictor_reachable: bool
    predictor: dict[str, Any] | None = Field(description="the predictor's GET /status document, relayed")


# ?stream=true answers with server-sent events instead of the JSON result
STREAM_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
        "description": "the result, or with ?stream=true events: start, token, retry, then result or error",
    },
}
MULTIPART_FIELDS = ("resume", "job_description", "job_url", "strict", "mode")
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (400, 403, 413, 415, 422, 502, 503, 504)
}
OPTIMIZE_RESPONSES = {**ERROR_RESPONSES, **STREAM_RESPONSES}


class TailoringRoutes:
    """The handlers of the plain routes, over the pipeline, the predictor client and the settings."""

    def __init__(self, pipeline: Pipeline, client: PredictorClient, settings: TransformerSettings) -> None:
        self.pipeline = pipeline
        self.client = client
        self.settings = settings

    async def root(self) -> dict[str, str]:
        return {"name": MODEL_NAME, "version": __version__, "status": "alive"}

    async def health(self) -> JSONResponse:
        reachable, status = await asyncio.gather(self.client.health(), self.client.status())
        body = Health(transformer_ready=True, predictor_reachable=reachable, predictor=status)
        return JSONResponse(body.model_dump(), status_code=200 if reachable else 503)

    async def model_repository(self, request: Request, model_name: str) -> JSONResponse:
        """KServe's model repository API would let any client unload the one model (every v2 infer then answers
        404 until a restart). The transformer serves one fixed model: these routes, matched before KServe's,
        refuse."""
        exc = Forbidden(f"loading and unloading models is turned off; the transformer serves {MODEL_NAME} only")
        exc.request_id = new_request_id(request.headers.get("x-request-id"))
        return error_response(exc)

    async def schema(self) -> dict[str, Any]:
        return output_schema()

    async def optimize(
        self,
        request: Request,
        resume: Annotated[UploadFile, File(description="PDF, DOCX, or text/Markdown; read by content")],
        job_description: Annotated[str | None, Form()] = None,
        job_url: Annotated[str | None, Form()] = None,
        strict: Annotated[bool, Form()] = False,
        mode: Annotated[Literal["realtime", "batch"], Form()] = "realtime",
        stream: Annotated[bool, Query(description="answer with server-sent events")] = False,
    ) -> Any:
        request_id = new_request_id(request.headers.get("x-request-id"))
        form = await request.form()  # the form FastAPI parsed (cached): it keeps only one value of a repeated field
        repeated = [name for name in MULTIPART_FIELDS if len(form.getlist(name)) > 1]
        if repeated:
            exc: ServiceError = BadInput(f"{', '.join(repeated)} given more than once; send one of each")
            exc.request_id = request_id
            return _count("/optimize", error_response(exc))
        limit = self.settings.max_upload_bytes
        data = await resume.read(limit + 1)
        if len(data) > limit:
            exc = DocumentTooLarge(f"the file is larger than {limit} bytes")
            exc.request_id = request_id
            return _count("/optimize", error_response(exc))
        inp = TailorInput(
            resume=data,
            resume_filename=resume.filename,
            job_description=job_description,
            job_url=job_url,
            options=TailorOptions(strict=strict, mode=mode, stream=stream),
        )
        return await self._answer("/optimize", inp, request_id)

    async def optimize_text(
        self,
        request: Request,
        body: OptimizeTextRequest,
        stream: Annotated[bool, Query(description="answer with server-sent events")] = False,
    ) -> Any:
        options = body.options.model_copy(update={"stream": stream or body.options.stream})
        inp = TailorInput(
            resume=body.resume_text.encode(),
            job_description=body.job_description,
            job_url=body.job_url,
            options=options,
        )
        return await self._answer("/optimize/text", inp, new_request_id(request.headers.get("x-request-id")))

    async def _answer(self, route: str, inp: TailorInput, request_id: str) -> Any:
        if inp.options.stream:
            return EventSourceResponse(self._events(route, inp, request_id), ping=15)
        started = time.perf_counter()
        try:
            result = await self.pipeline.run(inp, request_id)
        except ServiceError as exc:
            return _count(route, error_response(exc))
        finally:
            metrics.REQUEST_DURATION.labels(route, inp.options.mode).observe(time.perf_counter() - started)
        body = result.model_dump_json().encode()  # pydantic-core serialises straight to JSON bytes
        return _count(route, Response(body, media_type="application/json", headers={"x-request-id": request_id}))

    async def _events(self, route: str, inp: TailorInput, request_id: str) -> AsyncIterator[dict[str, str]]:
        """Token events as the predictor writes, then one `result` (or `error`) event.

        When the client goes away, sse-starlette cancels this generator; cancelling the pipeline task closes
        the stream to vLLM, which aborts the generation.
        """
        queue: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()

        async def on_event(kind: str, data: dict[str, Any]) -> None:
            await queue.put((kind, data))

        task = asyncio.create_task(self._run_streamed(route, inp, request_id, on_event, queue))
        try:
            yield {"event": "start", "data": json.dumps({"request_id": request_id})}
            while True:
                kind, data = await queue.get()
                yield {"event": kind, "data": json_text(data)}
                if kind in ("result", "error"):
                    break
        finally:
            if not task.done():
                task.cancel()
                metrics.REQUESTS.labels(route, "499").inc()  # client closed the request

    async def _run_streamed(
        self,
        route: str,
        inp: TailorInput,
        request_id: str,
        on_event: Callable[[str, dict[str, Any]], Awaitable[None]],
        queue: asyncio.Queue[tuple[str, dict[str, Any]]],
    ) -> None:
        """Run the pipeline and put its last event (result or error) on the queue, whatever happens."""
        started = time.perf_counter()
        try:
            result = await self.pipeline.run(inp, request_id, on_event)
            await queue.put(("result", result.model_dump(mode="json")))
            metrics.REQUESTS.labels(route, "200").inc()
        except ServiceError as exc:
            await queue.put(("error", {"status": exc.status, **exc.body(exc.request_id)}))
            metrics.REQUESTS.labels(route, str(exc.status)).inc()
        except Exception as exc:  # a bug: still end the stream, or the client would wait on pings forever
            log.error("unhandled error", exc_info=exc, extra={"request_id": request_id, "path": route})
            detail = f"internal error ({type(exc).__name__}); see the transformer log"
            error = {"status": 500, "error": "internal_error", "detail": detail, "request_id": request_id}
            await queue.put(("error", error))
            metrics.REQUESTS.labels(route, "500").inc()
        finally:
            metrics.REQUEST_DURATION.labels(route, inp.options.mode).observe(time.perf_counter() - started)


def _count(route: str, response: Response) -> Response:
    metrics.REQUESTS.labels(route, str(response.status_code)).inc()
    return response


def build_router(pipeline: Pipeline, client: PredictorClient, settings: TransformerSettings) -> APIRouter:
    """The plain routes over explicit dependencies."""
    routes = TailoringRoutes(pipeline, client, settings)
    router = APIRouter(tags=["resume-optimizer"])
    get, post = {"methods": ["GET"]}, {"methods": ["POST"]}
    tailoring = {**post, "response_model": TailorResult, "responses": OPTIMIZE_RESPONSES}
    router.add_api_route("/", routes.root, summary="Name and version (also the liveness probe)", **get)
    health = {"response_model": Health, "responses": {503: {"model": Health}}}
    router.add_api_route("/health", routes.health, summary="Transformer and predictor health", **get, **health)
    for action in ("load", "unload"):
        path = f"/v2/repository/models/{{model_name}}/{action}"
        router.add_api_route(path, routes.model_repository, include_in_schema=False, **post)
    router.add_api_route("/schema", routes.schema, summary="JSON Schema of the tailored resume", **get)
    router.add_api_route("/optimize", routes.optimize, summary="Tailor an uploaded resume file", **tailoring)
    router.add_api_route("/optimize/text", routes.optimize_text, summary="Tailor a resume given as text", **tailoring)
    return router


def install(app: FastAPI, pipeline: Pipeline, client: PredictorClient, settings: TransformerSettings) -> None:
    """Add the plain routes and the error mapping to KServe's FastAPI app (before ModelServer.start)."""
    install_error_handlers(app)
    app.include_router(build_router(pipeline, client, settings))
