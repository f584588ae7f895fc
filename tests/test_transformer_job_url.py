"""job_url end to end: the transformer fetches a real local job page (allow-listed) and refuses forbidden ones."""

from __future__ import annotations

import html
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.conftest import RunningTransformer
from tests.sample_documents import JOB_TEXT, RESUME_TEXT

PAGE = (
    "<html><head><title>Careers</title><script>var tracking = 'SECRET-TRACKER';</script></head><body>"
    "<nav>Home | Jobs | About</nav><main><article><h1>Senior Platform Engineer</h1>"
    + "".join(f"<p>{html.escape(p)}</p>" for p in JOB_TEXT.split("\n\n"))
    + "</article></main><footer>© Example Corp</footer></body></html>"
).encode()


class JobPages(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body, kind = (PAGE, "text/html; charset=utf-8") if self.path == "/jobs/42" else (b"gone", "text/plain")
        self.send_response(200 if self.path == "/jobs/42" else 404)
        self.send_header("content-type", kind)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def job_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), JobPages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_job_url_is_fetched_and_its_main_text_used(transformer: RunningTransformer, job_site: str) -> None:
    body = {"resume_text": RESUME_TEXT, "job_url": f"{job_site}/jobs/42"}
    response = httpx.post(
        f"{transformer.url}/optimize/text", json=body, headers={"x-request-id": "from-url"}, timeout=180
    )
    assert response.status_code == 200, response.text
    stored = transformer.artifacts / "from-url"
    job_text = (stored / "job_description.txt").read_text()
    assert "Build and operate Kubernetes operators and Helm charts" in job_text
    assert "SECRET-TRACKER" not in job_text
    assert (stored / "job_url.txt").read_text() == f"{job_site}/jobs/42"


def test_job_url_through_v2_infer(transformer: RunningTransformer, job_site: str) -> None:
    body = {
        "inputs": [
            {"name": "resume", "datatype": "BYTES", "shape": [1], "data": [RESUME_TEXT]},
            {"name": "job_url", "datatype": "BYTES", "shape": [1], "data": [f"{job_site}/jobs/42"]},
        ]
    }
    response = httpx.post(f"{transformer.url}/v2/models/resume-optimizer/infer", json=body, timeout=180)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("url", "status", "error"),
    [
        ("http://169.254.169.254/latest/meta-data/", 403, "forbidden_job_url"),
        ("http://10.20.30.40/jobs", 403, "forbidden_job_url"),
        ("file:///etc/passwd", 422, "bad_input"),
    ],
)
def test_forbidden_job_urls_are_refused(transformer: RunningTransformer, url: str, status: int, error: str) -> None:
    response = httpx.post(
        f"{transformer.url}/optimize/text", json={"resume_text": RESUME_TEXT, "job_url": url}, timeout=60
    )
    assert response.status_code == status, response.text
    assert response.json()["error"] == error


def test_a_missing_job_page_is_422(transformer: RunningTransformer, job_site: str) -> None:
    response = httpx.post(
        f"{transformer.url}/optimize/text",
        json={"resume_text": RESUME_TEXT, "job_url": f"{job_site}/jobs/404"},
        timeout=60,
    )
    assert response.status_code == 422 and "404" in response.json()["detail"]


def test_job_description_and_job_url_together_are_refused(transformer: RunningTransformer, job_site: str) -> None:
    body = {"resume_text": RESUME_TEXT, "job_description": JOB_TEXT, "job_url": f"{job_site}/jobs/42"}
    response = httpx.post(f"{transformer.url}/optimize/text", json=body, timeout=60)
    assert response.status_code == 422 and "either" in response.json()["detail"]
