"""Fetching a job posting URL: main text out, SSRF targets refused before any connection is made.

A real HTTP server on 127.0.0.1 serves the pages; forbidden targets are literal IPs (or names resolved by a
stubbed resolver), and the httpx transport is watched to prove no request to them was ever sent.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import certifi
import httpx
import pytest

from transformer.errors import BadInput, DocumentTooLarge, EmptyDocument, ServiceError, UnsupportedDocument
from transformer.reading.job_fetch import (
    ForbiddenJobUrl,
    JobFetchFailed,
    JobFetchPolicy,
    JobFetchTimeout,
    fetch_job_text,
)

ARTICLE = [
    "Acme Robotics is hiring a Senior Platform Engineer to run our Kubernetes fleet across three regions.",
    "You will own the deployment pipeline, write Terraform modules and mentor two junior engineers.",
    "We expect five years of production experience with Go or Python and a habit of writing runbooks.",
]
JOB_PAGE = f"""<!doctype html>
<html><head><title>Senior Platform Engineer - Acme</title>
<script>var trackingSecret = "SCRIPT_CONTENT_MUST_NOT_APPEAR";</script>
<style>.nav {{ color: red }}</style></head>
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/jobs">All jobs</a></li>
<li><a href="/about">About us</a></li></ul></nav>
<main><article>
<h1>Senior Platform Engineer</h1>
<p>{ARTICLE[0]}</p>
<p>{ARTICLE[1]}</p>
<h2>Requirements</h2>
<p>{ARTICLE[2]}</p>
</article></main>
<footer><p>Copyright 2025 Acme Robotics. All rights reserved.</p><a href="/privacy">Privacy</a></footer>
</body></html>
"""
PLAIN_TEXT = "Data Engineer\n\nBuild batch pipelines in Spark and Airflow. Remote within the EU.\n"


@dataclass
class LocalServer:
    """The test server's base URL and the (path, Host header) of every request it received."""

    port: int
    seen: list[tuple[str, str]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _handler(server_state: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep the test output clean

        def _send(self, status: int, body: bytes, content_type: str | None, **headers: str) -> None:
            self.send_response(status)
            if content_type is not None:
                self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(body)

        def _redirect(self, location: str) -> None:
            self._send(302, b"", "text/html", Location=location)

        def do_GET(self) -> None:
            server_state.seen.append((self.path, self.headers.get("Host", "")))
            try:
                self._route()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client hung up on purpose (size cap, deadline)

        def _route(self) -> None:
            path = self.path
            if path == "/job":
                self._send(200, JOB_PAGE.encode(), "text/html; charset=utf-8")
            elif path == "/plain":
                self._send(200, PLAIN_TEXT.encode(), "text/plain; charset=utf-8")
            elif path == "/latin1":
                self._send(200, "Café manager wanted".encode("iso-8859-1"), "text/plain; charset=iso-8859-1")
            elif path == "/markdown":
                self._send(200, b"# Job\n\n* Rust\n* Tokio\n", "text/markdown")
            elif path == "/echo-host":
                self._send(200, f"host header {self.headers.get('Host')}".encode(), "text/plain")
            elif path == "/chain-1":
                self._redirect("/chain-2")
            elif path == "/chain-2":
                self._redirect(f"http://127.0.0.1:{server_state.port}/plain")
            elif path == "/loop":
                self._redirect("/loop")
            elif path == "/to-metadata":
                self._redirect("http://169.254.169.254/latest/meta-data/")
            elif path == "/to-private":
                self._redirect("http://10.0.0.1/admin")
            elif path == "/to-file":
                self._redirect("file:///etc/passwd")
            elif path == "/huge":
                # No Content-Length: the client can only stop by counting what it reads.
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                chunk = b"x" * 65536
                for _ in range(800):  # 50 MiB
                    self.wfile.write(chunk)
            elif path == "/huge-declared":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(10**9))
                self.end_headers()
                self.wfile.write(b"<html>")
                server_state.release.wait(60)
            elif path == "/slow":
                server_state.release.wait(60)
                self._send(200, b"too late", "text/plain")
            elif path == "/drip":
                # Each byte arrives well within a read timeout; only a total deadline stops this.
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                for _ in range(600):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    if server_state.release.wait(0.1):
                        return
            elif path == "/pdf":
                self._send(200, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "application/pdf")
            elif path == "/json":
                self._send(200, b'{"title": "job"}', "application/json")
            elif path == "/no-type":
                self._send(200, b"<!doctype html><html><body><p>Untyped but plainly HTML.</p></body></html>", None)
            elif path == "/empty":
                self._send(200, b"", "text/html")
            elif path == "/only-script":
                self._send(200, b"<html><head><script>var x = 1;</script></head><body> </body></html>", "text/html")
            elif path == "/fallback":
                # Too little for trafilatura's main-text heuristics; the plain tag strip still finds the text.
                self._send(200, b"<html><body><div>Forklift driver</div></body></html>", "text/html")
            else:
                self._send(404, b"not found", "text/plain")

    return Handler


def _serve(state: LocalServer, server: ThreadingHTTPServer) -> Iterator[LocalServer]:
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def local_server() -> Iterator[LocalServer]:
    """A real HTTP server on 127.0.0.1 serving the pages above."""
    state = LocalServer(port=0)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.port = server.server_address[1]
    yield from _serve(state, server)


@pytest.fixture
def server(local_server: LocalServer) -> LocalServer:
    local_server.seen.clear()
    local_server.release.clear()
    return local_server


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[httpx.Request]:
    """Every request httpx actually hands to its network transport."""
    requests: list[httpx.Request] = []
    original = httpx.AsyncHTTPTransport.handle_async_request

    async def recording(self: httpx.AsyncHTTPTransport, request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return await original(self, request)

    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", recording)
    return requests


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], list[str]]]:
    """Names resolved by the test (host -> addresses); `*.invalid` fails; the rest goes to the real resolver."""
    answers: dict[str, Callable[[], list[str]]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name.endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        if name in answers:
            result = []
            for address in answers[name]():
                family = socket.AF_INET6 if ":" in address else socket.AF_INET
                sockaddr = (address, int(port), 0, 0) if family == socket.AF_INET6 else (address, int(port))
                result.append((family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", sockaddr))
            return result
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


LOCAL = JobFetchPolicy(allowed_hosts=["127.0.0.1"], timeout_s=5)
# Slow test pages take 60 s to finish; a refusal well under that shows the limit cut them off, with room for a
# loaded CI machine (speed itself is a benchmark's business, not a test's).
NO_HANG_S = 20


def fetch(url: str, policy: JobFetchPolicy = LOCAL) -> str:
    return asyncio.run(fetch_job_text(url, policy))


def refused(url: str, policy: JobFetchPolicy = LOCAL) -> ServiceError:
    with pytest.raises(ServiceError) as info:
        fetch(url, policy)
    return info.value


# --- pages that are read -------------------------------------------------------------------------------


def test_html_job_page_yields_the_article_without_script_or_boilerplate(server: LocalServer) -> None:
    text = fetch(f"{server.url}/job")
    for sentence in ARTICLE:
        assert sentence in text
    assert "SCRIPT_CONTENT_MUST_NOT_APPEAR" not in text
    assert "color: red" not in text
    assert "All rights reserved" not in text


def test_plain_text_page_is_returned_as_is(server: LocalServer) -> None:
    assert fetch(f"{server.url}/plain") == PLAIN_TEXT.strip()


def test_plain_text_charset_from_header_is_honoured(server: LocalServer) -> None:
    assert fetch(f"{server.url}/latin1") == "Café manager wanted"


def test_markdown_page_is_read(server: LocalServer) -> None:
    assert fetch(f"{server.url}/markdown") == "# Job\n\n* Rust\n* Tokio"


def test_html_without_main_text_falls_back_to_visible_text(server: LocalServer) -> None:
    assert "Forklift driver" in fetch(f"{server.url}/fallback")


def test_untyped_html_page_is_read(server: LocalServer) -> None:
    assert "Untyped but plainly HTML." in fetch(f"{server.url}/no-type")


def test_redirect_chain_is_followed(server: LocalServer) -> None:
    assert fetch(f"{server.url}/chain-1") == PLAIN_TEXT.strip()
    assert [path for path, _ in server.seen] == ["/chain-1", "/chain-2", "/plain"]


def test_allow_listed_host_name_and_cidr_are_fetched(server: LocalServer) -> None:
    by_name = JobFetchPolicy(allowed_hosts=["localhost"], timeout_s=5)
    assert fetch(f"http://localhost:{server.port}/plain", by_name) == PLAIN_TEXT.strip()
    by_network = JobFetchPolicy(allowed_hosts=["127.0.0.0/8"], timeout_s=5)
    assert fetch(f"http://localhost:{server.port}/plain", by_network) == PLAIN_TEXT.strip()


# --- the connection goes to the address that was checked -----------------------------------------------


def test_connection_is_pinned_to_the_checked_address_with_the_original_host_header(
    server: LocalServer, fake_dns: dict[str, Callable[[], list[str]]], sent: list[httpx.Request]
) -> None:
    # The first answer is allowed; any later one (a rebinding attacker's) points where nothing listens.
    answers = iter([["127.0.0.1"]])
    calls: list[int] = []

    def rebinding() -> list[str]:
        calls.append(1)
        return next(answers, ["127.0.0.2"])

    fake_dns["jobs.example"] = rebinding
    text = fetch(f"http://jobs.example:{server.port}/echo-host")
    assert text == f"host header jobs.example:{server.port}"
    assert len(calls) == 1
    assert [str(request.url) for request in sent] == [f"http://127.0.0.1:{server.port}/echo-host"]


def test_https_is_pinned_and_verified_against_the_host_name(
    tmp_path: Path,
    fake_dns: dict[str, Callable[[], list[str]]],
    sent: list[httpx.Request],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=jobs.example"]
        + ["-addext", "subjectAltName=DNS:jobs.example", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    monkeypatch.setattr(certifi, "where", lambda: str(cert))  # httpx's default trust store: our test CA only
    state = LocalServer(port=0)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.handle_error = lambda request, client_address: None  # failed handshakes are expected here
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    state.port = httpd.server_address[1]
    fake_dns["jobs.example"] = lambda: ["127.0.0.1"]
    fake_dns["other.example"] = lambda: ["127.0.0.1"]
    policy = JobFetchPolicy(allowed_hosts=["jobs.example", "other.example"], timeout_s=5)
    serving = _serve(state, httpd)
    next(serving)
    try:
        assert fetch(f"https://jobs.example:{state.port}/plain", policy) == PLAIN_TEXT.strip()
        assert str(sent[0].url) == f"https://127.0.0.1:{state.port}/plain"
        assert sent[0].headers["host"] == f"jobs.example:{state.port}"
        # Same address, but the certificate is not for this name: TLS verification must fail.
        error = refused(f"https://other.example:{state.port}/plain", policy)
        assert isinstance(error, JobFetchFailed) and error.status == 502
    finally:
        next(serving, None)


# --- forbidden targets, refused before any connection --------------------------------------------------


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://127.0.0.1:{port}/plain", "loopback address (127.0.0.1)"),
        ("http://[::1]:{port}/plain", "loopback address (::1)"),
        ("http://localhost:{port}/plain", "loopback address"),
        ("http://10.1.2.3/", "private address (10.1.2.3)"),
        ("http://192.168.0.1/", "private address"),
        ("http://169.254.169.254/latest/meta-data/", "link-local (cloud metadata) address"),
        ("http://224.0.0.1/", "multicast address"),
        ("http://0.0.0.0:{port}/plain", "unspecified address"),
        ("http://100.64.0.1/", "shared address space (100.64.0.0/10)"),
        ("http://[::ffff:127.0.0.1]:{port}/plain", "IPv4-mapped loopback address"),
        ("http://[fd12:3456::1]/", "unique-local address"),
        ("http://[fe80::1]/", "link-local address"),
        ("https://240.0.0.1/", "address (240.0.0.1)"),
    ],
)
def test_forbidden_address_is_refused_without_a_request(
    server: LocalServer, sent: list[httpx.Request], url: str, kind: str
) -> None:
    error = refused(url.format(port=server.port), JobFetchPolicy(timeout_s=5))
    assert isinstance(error, ForbiddenJobUrl)
    assert error.status == 403 and error.error == "forbidden_job_url"
    assert kind in error.detail and error.detail.endswith("; refused")
    assert sent == []
    assert server.seen == []


def test_host_name_resolving_to_a_private_address_is_refused(
    fake_dns: dict[str, Callable[[], list[str]]], sent: list[httpx.Request]
) -> None:
    # One public and one private answer: every address must pass, not just the first.
    fake_dns["intranet.example"] = lambda: ["8.8.8.8", "10.0.0.7"]
    error = refused("http://intranet.example/jobs", JobFetchPolicy(timeout_s=5))
    assert isinstance(error, ForbiddenJobUrl) and "private address (10.0.0.7)" in error.detail
    assert sent == []


def test_redirect_to_metadata_address_is_refused(server: LocalServer, sent: list[httpx.Request]) -> None:
    error = refused(f"{server.url}/to-metadata")
    assert isinstance(error, ForbiddenJobUrl)
    assert "redirect target resolves to a link-local (cloud metadata) address (169.254.169.254)" in error.detail
    assert [request.url.host for request in sent] == ["127.0.0.1"]


def test_redirect_to_private_address_is_refused(server: LocalServer, sent: list[httpx.Request]) -> None:
    error = refused(f"{server.url}/to-private")
    assert isinstance(error, ForbiddenJobUrl) and "private address (10.0.0.1)" in error.detail
    assert [request.url.host for request in sent] == ["127.0.0.1"]


def test_redirect_to_file_url_is_refused(server: LocalServer) -> None:
    error = refused(f"{server.url}/to-file")
    assert isinstance(error, BadInput) and "only http(s) URLs are fetched" in error.detail


@pytest.mark.parametrize("url", ["ftp://example.com/job.txt", "file:///etc/passwd", "gopher://example.com/1"])
def test_non_http_scheme_is_refused(url: str, sent: list[httpx.Request]) -> None:
    error = refused(url)
    assert isinstance(error, BadInput) and error.status == 422
    assert "only http(s) URLs are fetched" in error.detail
    assert sent == []


def test_url_with_credentials_is_refused(server: LocalServer) -> None:
    error = refused(f"http://user:secret@127.0.0.1:{server.port}/plain")
    assert isinstance(error, BadInput) and "credentials" in error.detail
    assert server.seen == []


def test_unresolvable_host_is_bad_input(fake_dns: dict[str, Callable[[], list[str]]]) -> None:
    error = refused("http://no-such-company.invalid/jobs/1")
    assert isinstance(error, BadInput) and error.status == 422
    assert "could not be resolved" in error.detail


# --- limits and unreadable answers ---------------------------------------------------------------------


def test_endless_redirect_loop_stops_at_max_redirects(server: LocalServer) -> None:
    error = refused(f"{server.url}/loop", JobFetchPolicy(allowed_hosts=["127.0.0.1"], max_redirects=3, timeout_s=5))
    assert isinstance(error, BadInput) and "more than 3 times" in error.detail
    assert len(server.seen) == 4


def test_huge_page_is_cut_off_quickly(server: LocalServer) -> None:
    started = time.perf_counter()
    error = refused(f"{server.url}/huge", JobFetchPolicy(allowed_hosts=["127.0.0.1"], max_bytes=100_000))
    assert isinstance(error, DocumentTooLarge) and error.status == 413
    assert time.perf_counter() - started < NO_HANG_S


def test_declared_huge_page_is_refused_before_reading(server: LocalServer) -> None:
    started = time.perf_counter()
    error = refused(f"{server.url}/huge-declared", JobFetchPolicy(allowed_hosts=["127.0.0.1"], max_bytes=100_000))
    assert isinstance(error, DocumentTooLarge)
    assert time.perf_counter() - started < NO_HANG_S


def test_slow_page_times_out(server: LocalServer) -> None:
    started = time.perf_counter()
    error = refused(f"{server.url}/slow", JobFetchPolicy(allowed_hosts=["127.0.0.1"], timeout_s=0.5))
    assert isinstance(error, JobFetchTimeout)
    assert error.status == 504 and error.error == "job_url_timeout"
    assert time.perf_counter() - started < NO_HANG_S


def test_slowly_dripping_page_hits_the_total_deadline(server: LocalServer) -> None:
    started = time.perf_counter()
    error = refused(f"{server.url}/drip", JobFetchPolicy(allowed_hosts=["127.0.0.1"], timeout_s=0.6))
    assert isinstance(error, JobFetchTimeout)
    assert time.perf_counter() - started < NO_HANG_S


def test_unreachable_server_is_a_bad_gateway() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # A long timeout, so a refused connection on a loaded machine cannot pass for a timeout.
    error = refused(f"http://127.0.0.1:{port}/", JobFetchPolicy(allowed_hosts=["127.0.0.1"], timeout_s=60))
    assert isinstance(error, JobFetchFailed)
    assert error.status == 502 and error.error == "job_url_unreachable"


@pytest.mark.parametrize(("path", "media_type"), [("/pdf", "application/pdf"), ("/json", "application/json")])
def test_non_text_content_type_is_unsupported(server: LocalServer, path: str, media_type: str) -> None:
    error = refused(f"{server.url}{path}")
    assert isinstance(error, UnsupportedDocument) and error.status == 415
    assert media_type in error.detail


def test_not_found_is_bad_input(server: LocalServer) -> None:
    error = refused(f"{server.url}/no-such-job")
    assert isinstance(error, BadInput) and error.status == 422
    assert "job_url answered 404" in error.detail


@pytest.mark.parametrize("path", ["/empty", "/only-script"])
def test_page_without_text_is_empty(server: LocalServer, path: str) -> None:
    error = refused(f"{server.url}{path}")
    assert isinstance(error, EmptyDocument) and error.status == 422
