"""Job posting URL to plain text, without letting the URL reach anything but the public internet.

The server fetches a URL a client chose, so every hop (the first request and each redirect) is checked
before a connection is opened: http(s) only, the host resolved once, every resolved address public
(or explicitly allow-listed), and the connection made to that very address, so a second DNS answer
(DNS rebinding) cannot send us elsewhere. Bodies are streamed with a byte cap and the whole fetch has
one deadline. HTML is reduced to its main text with trafilatura; plain text / Markdown is decoded.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.message import Message
from html.parser import HTMLParser

import httpx
import trafilatura
from pydantic import BaseModel, Field
from trafilatura.utils import decode_file

from transformer.errors import BadInput, DocumentTooLarge, EmptyDocument, ServiceError, UnsupportedDocument

log = logging.getLogger("transformer.job_fetch")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_REDIRECT_STATUSES = {301, 302, 303, 307, 308}
_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_TEXT_TYPES = {"text/plain", "text/markdown", "text/x-markdown"}

# Ranges that `ipaddress` does not flag (on Python 3.11) but that must not be reachable from a job URL.
_SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT, often internal
_IPV6_SITE_LOCAL = ipaddress.ip_network("fec0::/10")
_IPV6_UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # embeds an IPv4 address a NAT64 gateway would reach
_CLOUD_METADATA = ipaddress.ip_address("169.254.169.254")


class ForbiddenJobUrl(ServiceError):
    """The job URL (or a redirect) points at an address the service must not reach."""

    status, error = 403, "forbidden_job_url"


class JobFetchTimeout(ServiceError):
    """The whole fetch (DNS, every hop, the body) took longer than the policy allows."""

    status, error = 504, "job_url_timeout"


class JobFetchFailed(ServiceError):
    """The job URL's server could not be reached or broke the connection."""

    status, error = 502, "job_url_unreachable"


class JobFetchPolicy(BaseModel):
    """Limits of one job-posting fetch."""

    timeout_s: float = Field(10, gt=0)
    max_bytes: int = Field(2_000_000, gt=0)
    max_redirects: int = Field(5, ge=0)
    # Host names, IPs or CIDR networks that may resolve to / be otherwise-forbidden addresses (tests, in-cluster).
    allowed_hosts: list[str] = []
    user_agent: str = "resume-optimizer/0.1 (+job-description fetcher)"


async def fetch_job_text(url: str, policy: JobFetchPolicy) -> str:
    """Fetch `url` and return the posting's main text.

    Raises `BadInput` (422) for a bad URL, an unresolvable host, too many redirects or a non-2xx answer,
    `ForbiddenJobUrl` (403) for a non-public address, `DocumentTooLarge` (413), `UnsupportedDocument` (415),
    `EmptyDocument` (422), `JobFetchTimeout` (504) and `JobFetchFailed` (502).
    """
    started = time.perf_counter()
    allowed_names, allowed_networks = _parse_allow_list(policy.allowed_hosts)
    try:
        async with asyncio.timeout(policy.timeout_s):
            final_url, status, content_type, body, hops = await _fetch(url, policy, allowed_names, allowed_networks)
    except TimeoutError as exc:
        raise JobFetchTimeout(f"job_url did not answer within {policy.timeout_s:g} s") from exc
    text = await asyncio.to_thread(_to_text, content_type, body)
    if not text:
        raise EmptyDocument("job_url page has no readable text")
    log.info(
        "job url fetched",
        extra={
            "host": final_url.host,
            "status": status,
            "bytes": len(body),
            "chars": len(text),
            "redirects": hops,
            "seconds": round(time.perf_counter() - started, 4),
        },
    )
    return text


async def _fetch(
    url: str, policy: JobFetchPolicy, allowed_names: set[str], allowed_networks: list[IPNetwork]
) -> tuple[httpx.URL, int, str | None, bytes, int]:
    """Follow redirects by hand, checking each hop before connecting; return the final URL, status, type, body."""
    current = _parse_url(url)
    headers = {
        "User-Agent": policy.user_agent,
        "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,text/markdown;q=0.9,*/*;q=0.1",
        # Uncompressed, so the byte cap counts what is held in memory (no decompression bombs).
        "Accept-Encoding": "identity",
    }
    # trust_env=False: a proxy from the environment would resolve the host itself and undo the pinning.
    async with httpx.AsyncClient(
        follow_redirects=False, trust_env=False, timeout=httpx.Timeout(policy.timeout_s)
    ) as client:
        for hop in range(policy.max_redirects + 1):
            addresses = await _checked_addresses(current, allowed_names, allowed_networks, redirected=hop > 0)
            async with _open(client, current, addresses, headers) as response:
                if response.status_code in _REDIRECT_STATUSES and "location" in response.headers:
                    try:
                        current = _parse_url(str(current.join(response.headers["location"])))
                    except (httpx.InvalidURL, ValueError) as exc:
                        raise BadInput(f"job_url redirects to an invalid URL: {exc}") from exc
                    log.debug("job url redirect", extra={"status": response.status_code, "host": current.host})
                    continue
                if not 200 <= response.status_code < 300:
                    raise BadInput(f"job_url answered {response.status_code}")
                body = await _read_capped(response, policy.max_bytes)
                return current, response.status_code, response.headers.get("content-type"), body, hop
    raise BadInput(f"job_url redirects more than {policy.max_redirects} times")


@asynccontextmanager
async def _open(
    client: httpx.AsyncClient, url: httpx.URL, addresses: list[IPAddress], headers: dict[str, str]
) -> AsyncIterator[httpx.Response]:
    """Send a GET pinned to the first reachable checked address; map transport errors to typed ones."""
    response: httpx.Response | None = None
    last_error: Exception | None = None
    for address in addresses:
        try:
            response = await client.send(pinned_request(client, url, address, headers), stream=True)
            break
        except httpx.ConnectError as exc:  # try the next checked address, as a browser would
            last_error = exc
        except httpx.TimeoutException as exc:
            raise JobFetchTimeout(f"job_url timed out: {type(exc).__name__}") from exc
        except httpx.TransportError as exc:
            raise JobFetchFailed(f"job_url could not be fetched: {type(exc).__name__}") from exc
    if response is None:
        raise JobFetchFailed(f"job_url host {url.host} could not be reached: {last_error}") from last_error
    try:
        yield response
    finally:
        await response.aclose()


def pinned_request(
    client: httpx.AsyncClient, url: httpx.URL, address: IPAddress, headers: dict[str, str]
) -> httpx.Request:
    """A GET for `url` that connects to `address` (already checked) instead of resolving the host again.

    The URL carries the IP; `Host` carries the original host. For https the `sni_hostname` extension makes
    httpcore send SNI for, and verify the certificate against, the original host name, not the IP.
    """
    extensions: dict[str, str] = {}
    if url.scheme == "https" and not _is_ip_literal(url.host):
        extensions["sni_hostname"] = url.raw_host.decode("ascii")
    target = url.copy_with(host=str(address), fragment=None)
    host_header = url.netloc.decode("ascii")
    return client.build_request("GET", target, headers={**headers, "Host": host_header}, extensions=extensions)


async def _read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    """Read the body, stopping as soon as it exceeds `max_bytes`."""
    too_large = f"job_url page is larger than {max_bytes} bytes"
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise DocumentTooLarge(too_large)
    body = bytearray()
    try:
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > max_bytes:
                raise DocumentTooLarge(too_large)
    except httpx.TimeoutException as exc:
        raise JobFetchTimeout(f"job_url timed out: {type(exc).__name__}") from exc
    except httpx.TransportError as exc:
        raise JobFetchFailed(f"job_url broke off while sending the page: {type(exc).__name__}") from exc
    return bytes(body)


def _parse_url(url: str) -> httpx.URL:
    """Parse and check the parts of a URL that need no network: scheme, host, credentials."""
    try:
        parsed = httpx.URL(url)
        host = parsed.host  # decodes an IDNA host, which fails on a malformed A-label (xn--)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:  # UnicodeError (IDNA, surrogates) is a ValueError
        raise BadInput(f"job_url is not a valid URL: {exc}") from exc
    if parsed.scheme not in ("http", "https"):
        raise BadInput(f"only http(s) URLs are fetched, not {parsed.scheme or 'a relative URL'}")
    if not host:
        raise BadInput("job_url has no host")
    if parsed.userinfo:
        raise BadInput("job_url must not carry credentials")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise BadInput(f"job_url port {parsed.port} is out of range (1-65535)")
    return parsed


async def _checked_addresses(
    url: httpx.URL, allowed_names: set[str], allowed_networks: list[IPNetwork], *, redirected: bool
) -> list[IPAddress]:
    """Resolve the URL's host once and refuse it unless every address is public or allow-listed."""
    host = url.raw_host.decode("ascii").lower().rstrip(".")
    port = url.port or (443 if url.scheme == "https" else 80)
    addresses = await _resolve(host, port)
    if host in allowed_names:
        return addresses
    what = "job_url redirect target" if redirected else "job_url"
    for address in addresses:
        if any(_in_network(address, network) for network in allowed_networks):
            continue
        kind = forbidden_kind(address)
        if kind is not None:
            article = "an" if kind[0] in "aeiouIU" else "a"
            raise ForbiddenJobUrl(f"{what} resolves to {article} {kind} address ({address}); refused")
    return addresses


async def _resolve(host: str, port: int) -> list[IPAddress]:
    """The host's addresses, in resolver order; a literal IP is used as is (no DNS query)."""
    if _is_ip_literal(host):
        return [ipaddress.ip_address(host)]
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise BadInput(f"job_url host {host} could not be resolved") from exc
    addresses: list[IPAddress] = []
    for family, _, _, _, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])  # drop an IPv6 scope id
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise BadInput(f"job_url host {host} could not be resolved")
    return addresses


def forbidden_kind(address: IPAddress) -> str | None:
    """Why `address` must not be fetched ("loopback", "private", ...), or None for a public address."""
    if isinstance(address, ipaddress.IPv6Address):
        # An IPv6 address that embeds an IPv4 one reaches that IPv4 host: judge the embedded address.
        if address.ipv4_mapped is not None:
            kind = forbidden_kind(address.ipv4_mapped)
            return f"IPv4-mapped {kind}" if kind else None
        embedded = address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            kind = forbidden_kind(embedded)
            return f"IPv4-embedding {kind}" if kind else None
        if address in _IPV6_UNIQUE_LOCAL:
            return "unique-local"
        if address in _IPV6_SITE_LOCAL:
            return "site-local"
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address == _CLOUD_METADATA:
        return "link-local (cloud metadata)"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address in _SHARED_ADDRESS_SPACE:
        return "shared address space (100.64.0.0/10)"
    if address.is_private:
        return "private"
    if address.is_reserved:
        return "reserved"
    if not address.is_global:
        return "non-public"
    return None


def _parse_allow_list(entries: list[str]) -> tuple[set[str], list[IPNetwork]]:
    """Split `allowed_hosts` into host names and IP networks (a single IP is a /32 or /128)."""
    names: set[str] = set()
    networks: list[IPNetwork] = []
    for entry in entries:
        entry = entry.strip().strip("[]")
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            names.add(entry.lower().rstrip("."))
    return names, networks


def _in_network(address: IPAddress, network: IPNetwork) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.version == network.version and address in network


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _to_text(content_type: str | None, body: bytes) -> str:
    """The readable text of a response body, by content type."""
    if content_type is None:
        # No declared type: accept only what plainly is HTML rather than guess at binary data.
        if body.lstrip()[:200].lower().startswith((b"<!doctype html", b"<html")):
            return _html_to_text(body.decode("utf-8", errors="replace"))
        raise UnsupportedDocument("job_url answered without a Content-Type; expected HTML or plain text")
    header = Message()
    header["content-type"] = content_type
    media_type = header.get_content_type()
    charset = header.get_param("charset")
    charset = charset if isinstance(charset, str) else None
    if media_type in _HTML_TYPES:
        # Without a declared charset, trafilatura's own detection (meta tags, byte statistics) decides.
        html = _decode(body, charset) if charset else decode_file(body)
        return _html_to_text(html)
    if media_type in _TEXT_TYPES:
        return _decode(body, charset or "utf-8").strip()
    raise UnsupportedDocument(f"job_url answered {media_type}; only HTML and plain text / Markdown pages are read")


def _decode(body: bytes, charset: str) -> str:
    try:
        return body.decode(charset, errors="replace")
    except LookupError:  # an unknown charset name in the header
        return body.decode("utf-8", errors="replace")


def _html_to_text(html: str) -> str:
    """The main text of a page (trafilatura), or all visible text when trafilatura finds no main part."""
    text = trafilatura.extract(html, include_comments=False, include_tables=True, favor_recall=True)
    if text and text.strip():
        return text.strip()
    return _visible_text(html)


class _VisibleText(HTMLParser):
    """Collects text outside script/style/template, one line per block."""

    _HIDDEN = {"script", "style", "noscript", "template"}
    _BLOCKS = {"p", "div", "br", "li", "ul", "ol", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "section"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self.hidden_depth += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self.hidden_depth = max(0, self.hidden_depth - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden_depth:
            self.parts.append(data)


def _visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)
