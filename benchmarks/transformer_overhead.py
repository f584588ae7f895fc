"""Transformer overhead: time per stage and everything but predictor time, for a text resume and a 2-page PDF.

    python -m benchmarks.transformer_overhead [--runs 50]

Starts a real transformer process (`python -m transformer`) in front of an instant OpenAI-compatible stand-in
that answers every chat completion with one fixed, schema-valid tailored resume, so predictor time is close
to zero and what is measured is the transformer: HTTP, parsing, cleaning, prompting, validation, fact check,
scoring, artifact storage. Prints medians over the runs. Targets: overhead under 10 ms (text), 20 ms (PDF).
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from samples.make_resume_pdf import render

ROOT = Path(__file__).resolve().parent.parent

RESUME_TEXT = (ROOT / "samples" / "resume.txt").read_text()
JOB_TEXT = (ROOT / "samples" / "job_description.txt").read_text()

ANSWER = {
    "basics": {
        "name": "José Müller",
        "label": "Senior Data Engineer",
        "email": "jose.mueller@example.com",
        "phone": "+49 30 1234567",
        "url": "github.com/josemueller",
        "location": {"city": "Berlin", "region": "", "countryCode": "DE"},
        "profiles": [],
    },
    "summary": "Data engineer with 8 years of experience building platforms in Python and Go on Kubernetes.",
    "work": [
        {
            "name": "Acme Corporation",
            "position": "Senior Data Engineer",
            "location": "Berlin",
            "startDate": "03/2019",
            "endDate": "Present",
            "summary": "Streaming data platform on Kubernetes.",
            "highlights": [
                "Cut pipeline latency by 40% by moving batch jobs to Kubernetes.",
                "Saved $120,000 a year in cloud costs with autoscaling.",
            ],
        },
        {
            "name": "Globex Inc.",
            "position": "Software Engineer",
            "location": "Remote",
            "startDate": "06/2016",
            "endDate": "02/2019",
            "summary": "REST services in Python and PostgreSQL.",
            "highlights": ["Introduced Prometheus monitoring and on-call runbooks."],
        },
    ],
    "education": [
        {
            "institution": "Technical University of Munich",
            "area": "Computer Science",
            "studyType": "M.Sc.",
            "startDate": "2014",
            "endDate": "2016",
            "score": "",
        }
    ],
    "skills": [
        {"name": "Kubernetes", "level": "", "keywords": ["Helm", "Prometheus", "Grafana"]},
        {"name": "Go", "level": "", "keywords": ["Python", "PostgreSQL", "Terraform"]},
    ],
    "projects": [],
    "certifications": [
        {
            "name": "Certified Kubernetes Administrator (CKA)",
            "issuer": "Cloud Native Computing Foundation",
            "date": "2021",
        }
    ],
    "tailoring": {
        "targetRole": "Senior Platform Engineer",
        "matchedJobKeywords": ["Kubernetes", "Go", "Python", "Terraform", "Prometheus"],
    },
}
USAGE = {"prompt_tokens": 1500, "completion_tokens": 600, "total_tokens": 2100}
# The transformer always streams from the predictor: one chunk with the whole answer, one with the finish reason.
CHUNKS = [
    {"choices": [{"index": 0, "delta": {"content": json.dumps(ANSWER)}, "finish_reason": None}], "usage": USAGE},
    {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}], "usage": USAGE},
]
COMPLETION = ("".join(f"data: {json.dumps(chunk)}\n\n" for chunk in CHUNKS) + "data: [DONE]\n\n").encode()


TOKEN_COUNT = json.dumps({"count": 700, "max_model_len": 16384, "tokens": []}).encode()


class InstantPredictor(BaseHTTPRequestHandler):
    """Answers every chat completion at once with the fixed resume (a benchmark stand-in, not a test double)."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        tokenize = self.path == "/tokenize"
        body = TOKEN_COUNT if tokenize else COMPLETION
        self.send_response(200)
        self.send_header("content-type", "application/json" if tokenize else "text/event-stream")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def two_page_pdf() -> bytes:
    extra = "\n".join(f"• Delivered platform feature {n} with Python, Go and Kubernetes." for n in range(45))
    pdf = render(RESUME_TEXT + "\nMore experience\n" + extra)
    import pypdfium2

    assert len(pypdfium2.PdfDocument(pdf)) == 2, "the benchmark PDF should have 2 pages"
    return pdf


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure(url: str, runs: int, send: callable) -> dict[str, float]:  # type: ignore[valid-type]
    totals, overheads, stages = [], [], {}
    for i in range(runs + 3):
        started = time.perf_counter()
        body = send(url)
        total = time.perf_counter() - started
        if i < 3:  # warm-up
            continue
        seconds = body["quality"]["stage_seconds"]
        totals.append(total)
        overheads.append(total - seconds.get("predict", 0.0))
        for name, value in seconds.items():
            stages.setdefault(name, []).append(value)
    row = {"total_ms": 1000 * statistics.median(totals), "overhead_ms": 1000 * statistics.median(overheads)}
    row.update({f"{k}_ms": 1000 * statistics.median(v) for k, v in stages.items()})
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    stub = ThreadingHTTPServer(("127.0.0.1", 0), InstantPredictor)
    threading.Thread(target=stub.serve_forever, daemon=True).start()
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="bench-transformer-"))
    env = {"TRANSFORMER_ARTIFACTS_DIR": str(workdir / "artifacts"), "PATH": "/usr/bin:/bin"}
    cmd = [
        sys.executable,
        "-m",
        "transformer",
        "--predictor_host",
        f"127.0.0.1:{stub.server_address[1]}",
        "--http_port",
        str(port),
        "--enable_grpc",
        "false",
    ]
    log = (workdir / "transformer.log").open("wb")
    print(f"transformer log: {workdir / 'transformer.log'}")
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    pdf = two_page_pdf()
    try:
        with httpx.Client(timeout=30) as client:
            for _ in range(120):
                try:
                    if client.get(f"{url}/").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.5)
            text_row = measure(
                url,
                args.runs,
                lambda u: client.post(
                    f"{u}/optimize/text", json={"resume_text": RESUME_TEXT, "job_description": JOB_TEXT}
                ).json(),
            )
            pdf_row = measure(
                url,
                args.runs,
                lambda u: client.post(
                    f"{u}/optimize", files={"resume": ("r.pdf", pdf)}, data={"job_description": JOB_TEXT}
                ).json(),
            )
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        stub.shutdown()
    names = [
        "total_ms",
        "overhead_ms",
        "parse_ms",
        "clean_ms",
        "prompt_ms",
        "budget_ms",
        "predict_ms",
        "validate_ms",
        "ground_ms",
    ]
    print(f"median of {args.runs} runs through HTTP; predictor = instant stand-in")
    print(f"{'input':<12}" + "".join(f"{n:>13}" for n in names))
    for label, row in (("text", text_row), ("pdf-2-pages", pdf_row)):
        print(f"{label:<12}" + "".join(f"{row.get(n, 0.0):>13.2f}" for n in names))


if __name__ == "__main__":
    main()
