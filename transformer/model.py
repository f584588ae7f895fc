"""The KServe model: v2 infer requests in, N tailored resumes out (rows run concurrently, answered in order)."""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import time
from typing import TYPE_CHECKING, Any

import kserve
from kserve.errors import InvalidInput
from kserve.model import InferenceVerb
from kserve.protocol.infer_type import InferInput, InferOutput, InferRequest, InferResponse
from pydantic import ValidationError

from transformer import metrics
from transformer.contracts import TailorInput, TailorOptions, TailorResult
from transformer.errors import BadInput, ServiceError, unicode_text
from transformer.request_ids import new_request_id

if TYPE_CHECKING:  # types only: the pipeline and the client are handed in (see transformer.__main__)
    from transformer.pipeline import Pipeline

INPUTS = [
    {
        "name": "resume",
        "datatype": "BYTES",
        "shape": [-1],
        "description": "resume file bytes (binary tensor extension, or a base64 string with parameters "
        '{"encoding": "base64"}) or the resume as text',
    },
    {
        "name": "resume_filename",
        "datatype": "BYTES",
        "shape": [-1],
        "optional": True,
        "description": "original file name, a hint only (the format is read from the content)",
    },
    {"name": "job_description", "datatype": "BYTES", "shape": [-1], "description": "job description text"},
    {
        "name": "job_url",
        "datatype": "BYTES",
        "shape": [-1],
        "optional": True,
        "description": "job posting URL, instead of job_description",
    },
    {
        "name": "options",
        "datatype": "BYTES",
        "shape": [-1],
        "optional": True,
        "description": "JSON per row (or one row for all): {strict: bool, mode: realtime|batch}",
    },
]
OUTPUTS = [
    {"name": "tailored_resume", "datatype": "BYTES", "shape": [-1], "description": "JSON, see GET /schema"},
    {"name": "schema_valid", "datatype": "BOOL", "shape": [-1]},
    {"name": "quality", "datatype": "BYTES", "shape": [-1], "description": "JSON quality metrics"},
    {
        "name": "hallucinations",
        "datatype": "BYTES",
        "shape": [-1],
        "description": "JSON fact-check report (every generated claim looked up in the resume)",
    },
    {"name": "request_id", "datatype": "BYTES", "shape": [-1], "description": "artifact id of each row"},
]


def _as_bytes(value: Any, encoding: str | None, name: str, row: int) -> bytes:
    if isinstance(value, bytes):
        return value
    if not isinstance(value, str):
        raise BadInput(f"input {name!r} row {row}: expected BYTES (a string), got {type(value).__name__}")
    if encoding == "base64":
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise BadInput(f"input {name!r} row {row}: not valid base64") from None
    try:
        return unicode_text(value).encode()
    except ValueError as exc:
        raise BadInput(f"input {name!r} row {row}: {exc}") from None


def _as_text(value: Any, name: str, row: int) -> str:
    data = _as_bytes(value, None, name, row)
    try:
        return data.decode()
    except UnicodeDecodeError:
        raise BadInput(f"input {name!r} row {row}: not UTF-8 text") from None


def _check_tensor(tensor: InferInput) -> None:
    """Every input is a one-dimensional BYTES tensor whose shape counts its rows (a mismatch would drop rows)."""
    if tensor.datatype != "BYTES":
        raise BadInput(f"input {tensor.name!r} has datatype {tensor.datatype}; every input is BYTES")
    rows = len(tensor.data or [])
    if list(tensor.shape) != [rows]:
        raise BadInput(f"input {tensor.name!r} has shape {list(tensor.shape)} but {rows} values; expected [{rows}]")


class ResumeOptimizerModel(kserve.Model):
    def __init__(self, name: str, pipeline: Pipeline, max_rows: int) -> None:
        super().__init__(name)
        self.pipeline = pipeline
        self.max_rows = max_rows

    @property
    def route(self) -> str:
        """The `route` label of v2 infer requests (one per model: bounded)."""
        return f"/v2/models/{self.name}/infer"

    async def __call__(
        self, body: Any, headers: dict[str, str] | None = None, verb: InferenceVerb = InferenceVerb.PREDICT
    ) -> Any:
        """KServe's preprocess -> predict -> postprocess, counted in requests_total by status like the REST routes."""
        try:
            answer = await super().__call__(body, headers, verb)
        except ServiceError as exc:
            metrics.REQUESTS.labels(self.route, str(exc.status)).inc()
            raise
        except InvalidInput:
            metrics.REQUESTS.labels(self.route, "400").inc()
            raise
        except Exception:
            metrics.REQUESTS.labels(self.route, "500").inc()
            raise
        metrics.REQUESTS.labels(self.route, "200").inc()
        return answer

    def load(self) -> bool:
        self.ready = True
        return self.ready

    def get_input_types(self) -> list[dict[str, Any]]:
        return INPUTS

    def get_output_types(self) -> list[dict[str, Any]]:
        return OUTPUTS

    async def preprocess(self, payload: InferRequest, headers: dict[str, str] | None = None) -> list[TailorInput]:
        try:
            return self._decode(payload)
        except ServiceError as exc:
            exc.request_id = new_request_id((headers or {}).get("x-request-id"))
            raise

    def _decode(self, payload: InferRequest) -> list[TailorInput]:
        if not isinstance(payload, InferRequest):
            raise BadInput("expected a KServe v2 inference request")
        tensors: dict[str, InferInput] = {}
        for tensor in payload.inputs:
            if tensor.name in tensors:
                raise BadInput(f"input {tensor.name!r} is given twice")
            tensors[tensor.name] = tensor
        unknown = set(tensors) - {i["name"] for i in INPUTS}
        if unknown:
            raise BadInput(f"unknown inputs {sorted(unknown)}; expected {[i['name'] for i in INPUTS]}")
        for tensor in tensors.values():
            _check_tensor(tensor)
        if "resume" not in tensors:
            raise BadInput("input 'resume' is required")
        rows = len(tensors["resume"].data or [])
        if rows == 0:
            raise BadInput("input 'resume' has no rows")
        if rows > self.max_rows:
            raise BadInput(f"{rows} rows; at most {self.max_rows} per request (TRANSFORMER_MAX_BATCH_ROWS)")

        def column(name: str) -> list[Any] | None:
            tensor = tensors.get(name)
            if tensor is None:
                return None
            data = list(tensor.data or [])
            if len(data) == 1 and rows > 1:
                data = data * rows  # one value for every row
            if len(data) != rows:
                raise BadInput(f"input {name!r} has {len(data)} rows, 'resume' has {rows}")
            return data

        encoding = (tensors["resume"].parameters or {}).get("encoding")
        if encoding not in (None, "base64"):
            raise BadInput(f"input 'resume': unknown encoding {encoding!r}; the only one is \"base64\"")
        resumes, filenames = column("resume") or [], column("resume_filename")
        jobs, urls, options = column("job_description"), column("job_url"), column("options")
        if jobs is None and urls is None:
            raise BadInput("input 'job_description' (or 'job_url') is required")
        inputs = []
        for row in range(rows):
            try:
                row_options = (
                    TailorOptions.model_validate_json(_as_text(options[row], "options", row))
                    if options
                    else TailorOptions()
                )
            except ValidationError as exc:
                first = exc.errors()[0]
                where = f" at {'.'.join(str(part) for part in first['loc'])}" if first["loc"] else ""
                raise BadInput(f"input 'options' row {row}: {first['msg']}{where}") from None
            if row_options.stream:
                raise BadInput("stream is not available through v2 infer; use POST /optimize?stream=true")
            inputs.append(
                TailorInput(
                    resume=_as_bytes(resumes[row], encoding, "resume", row),
                    resume_filename=_as_text(filenames[row], "resume_filename", row) if filenames else None,
                    job_description=_as_text(jobs[row], "job_description", row) if jobs else None,
                    job_url=_as_text(urls[row], "job_url", row) if urls else None,
                    options=row_options,
                )
            )
        return inputs

    async def predict(self, inputs: list[TailorInput], headers: dict[str, str] | None = None) -> list[TailorResult]:
        started = time.perf_counter()
        base = new_request_id((headers or {}).get("x-request-id"))
        ids = [base] if len(inputs) == 1 else [f"{base}-{i}" for i in range(len(inputs))]
        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(self.pipeline.run(inp, rid)) for inp, rid in zip(inputs, ids, strict=True)]
        except* ServiceError as errors:
            first = errors.exceptions[0]
            assert isinstance(first, ServiceError)
            if len(inputs) > 1:
                first.detail = f"row {ids.index(first.request_id) if first.request_id in ids else '?'}: {first.detail}"
            raise first from None
        modes = {inp.options.mode for inp in inputs}
        mode = modes.pop() if len(modes) == 1 else "batch"
        metrics.REQUEST_DURATION.labels(self.route, mode).observe(time.perf_counter() - started)
        return [task.result() for task in tasks]

    async def postprocess(self, results: list[TailorResult], headers: dict[str, str] | None = None) -> InferResponse:
        n = len(results)

        def text_output(name: str, values: list[str]) -> InferOutput:
            return InferOutput(name=name, shape=[n], datatype="BYTES", data=values)

        outputs = [
            text_output("tailored_resume", [json.dumps(r.tailored_resume, ensure_ascii=False) for r in results]),
            InferOutput(name="schema_valid", shape=[n], datatype="BOOL", data=[r.schema_valid for r in results]),
            text_output("quality", [r.quality.model_dump_json() for r in results]),
            text_output("hallucinations", [r.hallucinations.model_dump_json() for r in results]),
            text_output("request_id", [r.request_id for r in results]),
        ]
        return InferResponse(
            response_id=results[0].request_id.rsplit("-", 1)[0] if n > 1 else results[0].request_id,
            model_name=self.name,
            infer_outputs=outputs,
        )
