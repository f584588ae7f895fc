"""Talk to the predictor (vLLM's OpenAI-compatible server) over HTTP; map its failures to typed errors."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
from pydantic import BaseModel

from transformer.errors import DocumentTooLarge, InvalidModelOutput, PredictorTimeout, PredictorUnavailable
from transformer.generation.prompting import ChatRequest
from transformer.generation.runaway import RunawayDetector
from transformer.settings import TransformerSettings

TokenCallback = Callable[[str], Awaitable[None]]


class Completion(BaseModel):
    content: str
    finish_reason: str | None
    prompt_tokens: int = 0
    output_tokens: int = 0
    runaway: str | None = None  # how the answer repeated itself when the runaway detector stopped it


class ServedModel(BaseModel):
    """The model the transformer asks for, as the predictor serves it."""

    name: str
    max_model_len: int | None = None


SERVED_MODEL_TTL_S = 60.0  # a predictor restarted with another model is picked up within a minute


class PredictorClient:
    """One shared async HTTP client to the predictor."""

    def __init__(self, settings: TransformerSettings) -> None:
        self.settings = settings
        self.base_url = f"{settings.predictor_scheme}://{settings.predictor_host}"
        timeout = httpx.Timeout(settings.predictor_timeout_s, connect=settings.predictor_connect_timeout_s)
        self.http = httpx.AsyncClient(base_url=self.base_url, timeout=timeout)
        self._served: tuple[float, ServedModel] | None = None

    async def served_model(self) -> ServedModel:
        """The model to ask for: TRANSFORMER_PREDICTOR_MODEL when set (it must be served), else the predictor's
        LoRA adapter when it has one, else its base model; with the context length the predictor reports."""
        now = time.monotonic()
        if self._served is not None and now - self._served[0] < SERVED_MODEL_TTL_S:
            return self._served[1]
        async with self._call("listing its models"):
            response = await self.http.get("/v1/models")
        self._raise_for_status(response.status_code, response.text)
        served = choose_served_model(response.json().get("data") or [], self.settings.predictor_model)
        self._served = (now, served)
        return served

    def forget_served_model(self) -> None:
        """Look the served model up again at the next request (after the predictor said it does not serve it)."""
        self._served = None

    async def aclose(self) -> None:
        await self.http.aclose()

    async def complete(
        self, request: ChatRequest, on_token: TokenCallback | None = None, detector: RunawayDetector | None = None
    ) -> Completion:
        """One chat completion, always streamed from the predictor; tokens go to `on_token` when given.

        `detector` watches the text as it grows and stops the generation once it runs away (vLLM aborts it when
        the stream closes). Raises PredictorUnavailable/Timeout.
        """
        async with self._call("answer"):
            return await self._stream(request, on_token, detector)

    @contextlib.asynccontextmanager
    async def _call(self, what: str) -> AsyncIterator[None]:
        """One deadline for the whole call, and transport failures mapped to 503/504 (in one place)."""
        try:
            async with asyncio.timeout(self.settings.predictor_timeout_s):
                yield
        except (TimeoutError, httpx.TimeoutException):
            raise PredictorTimeout(
                f"the predictor did not answer within {self.settings.predictor_timeout_s:g} s ({what})"
            ) from None
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            raise PredictorUnavailable(
                f"the predictor at {self.base_url} is unreachable ({type(exc).__name__})",
                retry_after_s=self.settings.retry_after_s,
            ) from None

    async def count_tokens(self, *, text: str | None = None, messages: list[dict[str, str]] | None = None) -> int:
        """Tokens of a text, or of chat messages as the chat template renders them, by the predictor's tokenizer."""
        body: dict[str, Any] = {"model": (await self.served_model()).name}
        body.update({"messages": messages} if messages is not None else {"prompt": text, "add_special_tokens": False})
        async with self._call("counting tokens"):
            response = await self.http.post("/tokenize", json=body)
        self._raise_for_status(response.status_code, response.text)
        return int(response.json()["count"])

    async def _stream(
        self, request: ChatRequest, on_token: TokenCallback | None, detector: RunawayDetector | None
    ) -> Completion:
        pieces: list[str] = []
        finish_reason = runaway = None
        usage: dict[str, Any] = {}
        body = request.model_dump(exclude_none=True)
        # Leaving this block early (runaway, client gone, task cancelled) closes the connection, and vLLM aborts.
        async with self.http.stream("POST", "/v1/chat/completions", json=body) as response:
            if response.status_code != 200:
                self._raise_for_status(response.status_code, (await response.aread()).decode(errors="replace"))
            async for line in sse_lines(response.aiter_text()):
                if not line.startswith("data: ") or line == "data: [DONE]":
                    continue
                try:
                    chunk = json.loads(line[6:])
                except ValueError:
                    raise InvalidModelOutput("the predictor's stream held a malformed event") from None
                if "error" in chunk:  # vLLM reports a failure inside the stream once it has answered 200
                    error = chunk["error"] if isinstance(chunk["error"], dict) else {"message": str(chunk["error"])}
                    code = error.get("code")
                    status = code if isinstance(code, int) and code >= 400 else 500
                    self._raise_for_status(status, str(error.get("message", "")))
                usage = chunk.get("usage") or usage  # running counts (continuous_usage_stats), then the total
                for choice in chunk.get("choices", []):
                    text = choice.get("delta", {}).get("content") or ""
                    if text:
                        pieces.append(text)
                        if on_token is not None:
                            await on_token(text)
                        if detector is not None:
                            runaway = detector.feed(text)
                    finish_reason = choice.get("finish_reason") or finish_reason
                if runaway is not None:
                    break
        return Completion(
            content="".join(pieces),
            finish_reason=finish_reason,
            prompt_tokens=usage.get("prompt_tokens", 0),
            output_tokens=usage.get("completion_tokens", 0),
            runaway=runaway,
        )

    def _raise_for_status(self, status: int, text: str) -> None:
        if status == 200:
            return
        lowered = text.lower()
        if status == 404 and "does not exist" in lowered:  # vLLM: the model named in the request is not served
            self.forget_served_model()
            raise PredictorUnavailable(
                "the predictor does not serve the model asked for (restarted with another model?); try again",
                retry_after_s=self.settings.retry_after_s,
            )
        if status == 400 and ("context length" in lowered or "maximum model length" in lowered):
            raise DocumentTooLarge("the resume and job description are longer than the model's context")
        if status >= 500:
            raise PredictorUnavailable(f"the predictor answered {status}", retry_after_s=self.settings.retry_after_s)
        raise InvalidModelOutput(f"the predictor refused the request ({status}): {text[:300]}")

    async def health(self) -> bool:
        try:
            return (await self.http.get("/health", timeout=5)).status_code == 200
        except httpx.HTTPError:
            return False

    async def status(self) -> dict[str, Any] | None:
        try:
            response = await self.http.get("/status", timeout=5)
            return response.json() if response.status_code == 200 else None
        except (httpx.HTTPError, ValueError):
            return None


def choose_served_model(cards: list[dict[str, Any]], wanted: str | None) -> ServedModel:
    """Pick from vLLM's /v1/models cards: `wanted` if given, else the (first) LoRA adapter, else the base model.

    vLLM lists the base model with its max_model_len and each adapter with `parent` naming its base.
    """
    by_id = {str(card.get("id")): card for card in cards if card.get("id")}
    if not by_id:
        raise PredictorUnavailable("the predictor serves no model yet")
    if wanted is not None and wanted not in by_id:
        raise InvalidModelOutput(
            f"the predictor serves {', '.join(sorted(by_id))}, not {wanted!r} (TRANSFORMER_PREDICTOR_MODEL)"
        )
    adapters = [card for card in by_id.values() if card.get("parent")]
    card = by_id[wanted] if wanted is not None else (adapters[0] if adapters else next(iter(by_id.values())))
    context = card.get("max_model_len") or by_id.get(str(card.get("parent")), {}).get("max_model_len")
    return ServedModel(name=str(card["id"]), max_model_len=int(context) if context else None)


_LINE_END = re.compile(r"\r\n|\r|\n")


async def sse_lines(chunks: AsyncIterator[str]) -> AsyncIterator[str]:
    """The lines of a server-sent event stream, split at CR, LF or CRLF only (the SSE line ends).

    Not httpx's aiter_lines: it also splits at U+2028, U+2029 and U+0085 (str.splitlines), which JSON leaves
    unescaped inside strings, so a model writing one of them would cut an event's JSON in two.
    """
    pending = ""
    async for text in chunks:
        *lines, pending = _LINE_END.split(pending + text)
        for line in lines:
            yield line
    if pending:
        yield pending
