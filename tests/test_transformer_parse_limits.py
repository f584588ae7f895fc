"""Through the real transformer over HTTP: each parsing limit gives its status and reason, and what was read
from a two-column PDF (stored as the request's resume.txt artifact) keeps its reading order.

Parsing happens before the predictor is called, so the transformer here points at a port where nothing
listens: uploads that pass parsing end in a 503, which is enough to see what was read.
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Iterator

import httpx
import pytest

from samples.resume_layouts import two_column
from tests.conftest import RunningTransformer, free_port, start_transformer, stop_predictor
from tests.sample_documents import JOB_TEXT, RESUME_TEXT, resume_docx
from tests.test_ocr import LINES, pdf_with_pages, render_page


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningTransformer]:
    proc, running = start_transformer(
        f"127.0.0.1:{free_port()}",
        tmp_path_factory.mktemp("parse-limits"),
        TRANSFORMER_MAX_RESUME_CHARS="5000",
        TRANSFORMER_PARSE_TIMEOUT_S="1",
        TRANSFORMER_DOCX_MAX_ENTRIES="200",
    )
    yield running
    stop_predictor(proc)


def upload(transformer: RunningTransformer, data: bytes, request_id: str = "") -> httpx.Response:
    headers = {"x-request-id": request_id} if request_id else {}
    return httpx.post(
        f"{transformer.url}/optimize",
        files={"resume": ("resume", data)},
        data={"job_description": JOB_TEXT},
        headers=headers,
        timeout=60,
    )


def refused(response: httpx.Response, status: int, error: str, *words: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error, body
    for word in words:
        assert word.lower() in body["detail"].lower(), body["detail"]


def rezip(base: bytes, replace: dict[str, bytes] | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, (replace or {}).get(info.filename, src.read(info.filename)))
        for name, content in (extra or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


def test_docx_zip_bomb_is_413(limited: RunningTransformer) -> None:
    bomb = rezip(resume_docx(), replace={"word/document.xml": b'<?xml version="1.0"?>' + b" " * 50_000_000})
    refused(upload(limited, bomb), 413, "too_large", "zip bomb", "TRANSFORMER_DOCX_MAX_COMPRESSION_RATIO")


def test_docx_with_too_many_entries_is_413(limited: RunningTransformer) -> None:
    crowded = rezip(resume_docx(), extra={f"word/media/{i}.bin": b"" for i in range(300)})
    refused(upload(limited, crowded), 413, "too_large", "entries", "limit is 200")


def test_resume_with_too_many_characters_is_413(limited: RunningTransformer) -> None:
    refused(upload(limited, (RESUME_TEXT * 10).encode()), 413, "too_large", "characters", "limit is 5000")


def test_scan_that_reads_past_the_parse_timeout_is_413_quickly(limited: RunningTransformer) -> None:
    scan = pdf_with_pages([render_page(LINES * 4, size=(2400, 3200)) for _ in range(3)])
    started = time.monotonic()
    response = upload(limited, scan)
    assert time.monotonic() - started < 20  # the 1 s deadline bounds it, not 3 pages of OCR
    refused(response, 413, "parse_timeout", "1 s", "TRANSFORMER_PARSE_TIMEOUT_S")


def test_old_doc_is_415(limited: RunningTransformer) -> None:
    ole = bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504) + "WordDocument".encode("utf-16-le")
    refused(upload(limited, ole), 415, "unsupported_document", ".doc")


def test_two_column_pdf_is_read_in_order_through_http(limited: RunningTransformer) -> None:
    layout = two_column()
    response = upload(limited, layout.pdf, request_id="two-column")
    assert response.status_code == 503, response.text  # parsed, then no predictor
    assert (limited.artifacts / "two-column" / "resume.txt").read_text().splitlines() == layout.expected.splitlines()
