"""Fetching a web page to capture it: within a time limit, a size limit and a redirect limit, from public
addresses only unless the caller allows others, each failure one line for the user.

What :func:`fetch` does with ``https://...`` (or ``http://...``):

- Only ``http`` and ``https`` addresses are fetched, and only with a host name or address in them; any other
  scheme (``ftp:``, ``file:``, ``data:``...) is refused, also when a redirect leads to it.
- The host name is resolved, and every address it resolves to is checked: loopback (127.0.0.0/8, ::1), private
  networks (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16, where clouds answer with their
  machines' credentials, and fe80::/10), multicast, unspecified (0.0.0.0, ::), reserved and other non-public
  ranges are refused, in IPv4 and IPv6, including IPv4 addresses carried in IPv6 ones (``::ffff:127.0.0.1``,
  6to4, Teredo, NAT64). The connection is then made to one of the addresses checked, never to a second answer
  from the name server (a name that answers a public address to the check and a private one to the connection
  reaches nothing). TLS still checks the certificate against the host name. ``allow_private=True`` lifts the
  rule: for a user fetching from their own machine, never for a server fetching on someone else's behalf.
- Redirects are followed, at most :data:`MAX_REDIRECTS`; each hop is checked like the first address.
- The server must answer within ``timeout`` seconds (to connect, and between two pieces of the page), and the
  whole page must have come within :data:`TOTAL_TIMEOUTS` times ``timeout``.
- A page declared larger than ``max_bytes`` (``Content-Length``) is refused before its body is read; one that
  sends more is refused as soon as it passes the limit, without reading further. The limit counts the body as
  the page is read, after any ``Content-Encoding`` (gzip, deflate) is undone.
- Only types provenance reads are taken: HTML (``text/html``, ``application/xhtml+xml``), ``text/plain``,
  ``text/markdown`` and ``application/pdf``. Another ``Content-Type`` is refused, naming it, before the body is
  read. A response without one is judged from its bytes, as a file is.
- A final answer other than 2xx (404, 500, a redirect with nowhere to go) is refused with its status.
- Proxies named in the environment (``HTTPS_PROXY``...) are not used: a proxy would reach addresses the rule
  cannot see.

Nothing here touches the database: :mod:`provenance.webcapture` stores what was fetched.
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from provenance import __version__
from provenance.errors import Invalid

if TYPE_CHECKING:
    import ssl

    import httpcore
    import httpx

DEFAULT_TIMEOUT = 30.0
"""Seconds a server has to accept the connection, and to send each next piece of the page."""
TOTAL_TIMEOUTS = 4
"""The whole page must have come within this many times the timeout (a server sending a byte now and then)."""
MAX_REDIRECTS = 10
MAX_TIMEOUT = 3600.0  # seconds: an hour is more than any page needs

READABLE_TYPES = frozenset(
    ("text/html", "application/xhtml+xml", "text/plain", "text/markdown", "text/x-markdown", "application/pdf")
)
"""The ``Content-Type`` values (without parameters) of the pages provenance reads."""

USER_AGENT = f"provenance/{__version__} (claim provenance tracker; captures one page for fact-checking)"
_ACCEPT = "text/html,application/xhtml+xml,text/plain;q=0.9,text/markdown;q=0.9,application/pdf;q=0.8,*/*;q=0.1"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Fetched:
    """A page as the server sent it: the bytes of its body (any ``Content-Encoding`` undone), the address asked
    for and the one that answered after redirects, when the answer came, its status and the headers that say
    which copy of the page it is."""

    requested_url: str
    final_url: str
    fetched_at: dt.datetime
    status: int
    reason: str
    content_type: str | None
    etag: str | None
    last_modified: str | None
    body: bytes
    http_version: str = "HTTP/1.1"

    @property
    def media_type(self) -> str | None:
        """The ``Content-Type`` without its parameters, lowercase; ``None`` when the server sent none."""
        return media_type_of(self.content_type)


def media_type_of(content_type: str | None) -> str | None:
    if not content_type:
        return None
    return content_type.partition(";")[0].strip().lower() or None


class Unreachable(Invalid):
    """A host that is not fetched from: its name does not resolve, or it resolves to an address not public."""


# --- addresses ----------------------------------------------------------------------------------------

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def _carried_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, 6to4, Teredo client, NAT64), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def non_public(address: Address) -> str | None:
    """What kind of address ``address`` is when it is not a public one (``"loopback"``, ``"private"``...), else
    ``None``. An IPv6 address carrying an IPv4 one is judged by both."""
    if isinstance(address, ipaddress.IPv6Address):
        carried = _carried_ipv4(address)
        if carried is not None and (kind := non_public(carried)) is not None:
            return kind
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("non-public", not address.is_global),
    )
    return next((kind for kind, found in checks if found), None)


def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to, in the order to try them; one line for the user when it does not."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Unreachable(
            f"cannot find the web site {host!r}: the name does not resolve to any address; check the address "
            "(and that this machine is online)"
        ) from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in answers))
    if not addresses:
        raise Unreachable(f"cannot find the web site {host!r}: the name resolves to no address; check the address")
    return addresses


def check_addresses(host: str, addresses: Iterable[str]) -> None:
    """Refuse ``host`` if any address it resolves to is not public: one private answer is enough for a name
    server to hand out, so every answer is checked, not only the one connected to."""
    for text in addresses:
        address = ipaddress.ip_address(text.partition("%")[0])  # fe80::1%eth0: the zone is no part of it
        kind = non_public(address)
        if kind is not None:
            shown = host if host == text else f"{host} resolves to {text}, which"
            article = "an" if kind[0] in "aeiou" else "a"
            raise Unreachable(
                f"{shown} is {article} {kind} address; provenance fetches from public addresses only, unless given "
                "--allow-private-addresses"
            )


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """The certificates a site's is checked against (certifi's, or ``SSL_CERT_FILE``/``SSL_CERT_DIR``): loaded
    once, as loading them takes longer than fetching a small page."""
    import httpx

    return httpx.create_ssl_context(trust_env=True)


def _guarded_transport(allow_private: bool) -> httpx.HTTPTransport:
    """httpx's own transport (its request and response handling, its errors), over a connection pool that
    connects through the backend below. Made on the first fetch: capturing files never loads httpx."""
    import httpcore
    import httpx

    class _GuardedBackend(httpcore.NetworkBackend):
        """Connects to the addresses a host name resolved to after checking every one of them: the address
        checked is the address connected to. httpcore hands this the host of the URL; the Host header and TLS
        (SNI and the certificate's name) keep using that name."""

        def __init__(self, allow_private: bool) -> None:
            self._allow_private = allow_private
            self._backend = httpcore.SyncBackend()

        def connect_tcp(
            self,
            host: str,
            port: int,
            timeout: float | None = None,
            local_address: str | None = None,
            socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
        ) -> httpcore.NetworkStream:
            addresses = resolve(host, port)
            if not self._allow_private:
                check_addresses(host, addresses)
            failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
            for address in addresses:
                try:
                    return self._backend.connect_tcp(address, port, timeout, local_address, socket_options)
                except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                    failure = exc
            assert failure is not None  # resolve() returns at least one address
            raise failure

        def connect_unix_socket(
            self,
            path: str,
            timeout: float | None = None,
            socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
        ) -> httpcore.NetworkStream:
            raise Invalid("provenance fetches web pages over the network only, not through a local socket")

        def sleep(self, seconds: float) -> None:
            self._backend.sleep(seconds)

    class _GuardedTransport(httpx.HTTPTransport):
        def __init__(self, allow_private: bool) -> None:
            context = _tls_context()
            super().__init__(verify=context, trust_env=False, retries=0)
            self._pool = httpcore.ConnectionPool(
                ssl_context=context,
                max_connections=4,
                max_keepalive_connections=4,
                network_backend=_GuardedBackend(allow_private),
            )

    return _GuardedTransport(allow_private)


# --- fetching -----------------------------------------------------------------------------------------


def check_url(url: str) -> str:
    """``url`` if provenance can fetch it (``http`` or ``https`` with a host), without its ``#fragment``, which
    is no part of what a server sends; else one line saying what is wrong."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise Invalid(f"{url!r} is not a web address provenance can read ({exc}); check it") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        shown = f" (its scheme is {scheme}:)" if scheme else ""
        raise Invalid(f"{url} is not a web address{shown}; provenance fetches http:// and https:// addresses only")
    if not parts.hostname:
        raise Invalid(f"{url} names no web site (nothing between // and the path); check the address")
    if parts.username is not None or parts.password is not None:
        raise Invalid(
            f"{parts.scheme}://{parts.hostname}... names a user name or password, which would be stored with the "
            "page; provenance does not sign in: open the page in a browser, save it and add the file"
        )
    if port == 0:
        raise Invalid(f"{url} names port 0, which no server listens on; check the address")
    return urlunsplit((scheme, parts.netloc, parts.path or "/", parts.query, ""))


def check_timeout(seconds: float) -> float:
    if not (0 < seconds <= MAX_TIMEOUT):  # also refuses nan
        raise Invalid(f"--timeout is a number of seconds above 0 and at most {MAX_TIMEOUT:g}, not {seconds:g}")
    return seconds


def fetch(
    url: str,
    *,
    allow_private: bool,
    max_bytes: int,
    timeout: float = DEFAULT_TIMEOUT,
    max_redirects: int = MAX_REDIRECTS,
) -> Fetched:
    """Fetch ``url`` as the module says: the page, or :class:`~provenance.errors.Invalid` with one line saying
    why not. ``allow_private`` has no default: whoever fetches decides whether private addresses may be
    reached."""
    requested = check_url(url)
    check_timeout(timeout)
    deadline = time.monotonic() + TOTAL_TIMEOUTS * timeout
    import httpx

    client = httpx.Client(
        transport=_guarded_transport(allow_private),
        timeout=httpx.Timeout(timeout),
        follow_redirects=True,
        max_redirects=max_redirects,
        headers={"User-Agent": USER_AGENT, "Accept": _ACCEPT},
        trust_env=False,
    )
    try:
        with client, client.stream("GET", requested) as response:
            fetched_at = dt.datetime.now(dt.UTC)
            final = str(response.url)
            _check_answer(requested, final, response)
            body = _read_body(final, response, max_bytes, deadline, timeout)
            return Fetched(
                requested_url=requested,
                final_url=final,
                fetched_at=fetched_at,
                status=response.status_code,
                reason=response.reason_phrase,
                content_type=response.headers.get("content-type"),
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
                body=body,
                http_version=response.http_version,
            )
    except httpx.HTTPError as exc:
        raise Invalid(_failure(requested, exc, timeout, max_redirects)) from exc
    except Unreachable as exc:  # raised while connecting, maybe to a host redirected to: say which page
        raise Invalid(f"cannot fetch {requested}: {exc}") from exc


def _check_answer(requested: str, final: str, response: httpx.Response) -> None:
    status = response.status_code
    shown = requested if final == requested else f"{requested} (redirected to {final})"
    if not 200 <= status < 300:
        raise Invalid(f"{shown} answered {status} {response.reason_phrase}: {_status_advice(status)}")
    if status == 204:
        raise Invalid(f"{shown} answered 204 No Content: there is no page there to capture")
    media_type = media_type_of(response.headers.get("content-type"))
    if media_type is not None and media_type not in READABLE_TYPES:
        raise Invalid(
            f"{shown} is {media_type!r}, which provenance cannot read; give the address of a web page (HTML), "
            "plain text, Markdown or PDF"
        )


def _status_advice(status: int) -> str:
    if status in (401, 403, 407):
        return "the site refuses provenance or wants a sign-in; open the page in a browser, save it and add the file"
    if status in (404, 410):
        return "there is no page at that address; check it"
    if status == 429:
        return "the site says too many requests were made; try again later"
    if status >= 500:
        return "the site failed to answer; try again later"
    if 300 <= status < 400:
        return "a redirect with nowhere to go, or not a page; open it in a browser to see where it leads"
    return "not a page provenance can capture; check the address"


def _read_body(final: str, response: httpx.Response, max_bytes: int, deadline: float, timeout: float) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes and "content-encoding" not in response.headers:
        raise Invalid(too_large(final, max_bytes, f"it says it is {_size(int(declared))}"))
    chunks: list[bytes] = []
    received = 0
    for chunk in response.iter_bytes():
        received += len(chunk)
        if received > max_bytes:
            raise Invalid(too_large(final, max_bytes, "it sent more than that; stopped reading"))
        chunks.append(chunk)
        if time.monotonic() > deadline:
            raise Invalid(
                f"{final} took longer than {TOTAL_TIMEOUTS * timeout:g} seconds to send the page "
                f"({_size(received)} so far); try again later, or raise --timeout"
            )
    return b"".join(chunks)


def too_large(url: str, limit: int, how: str) -> str:
    """The line refusing a page over the size limit, ``how`` saying how it was found to be."""
    return f"{url} is over the {_size(limit)} limit ({how}); raise the limit with --max-size if the page is that large"


def _size(count: int) -> str:
    for unit, scale in (("MB", 1_000_000), ("kB", 1_000)):
        if count >= scale:
            return f"{count / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{count} bytes"


def _failure(url: str, exc: httpx.HTTPError, timeout: float, max_redirects: int) -> str:
    """One line for the user for what httpx could not do."""
    import httpx

    where = str(exc.request.url) if _has_request(exc) else url
    shown = url if where == url else f"{url} (at {where})"
    if isinstance(exc, httpx.TooManyRedirects):
        return f"{url} redirects more than {max_redirects} times (a redirect loop?); open it in a browser to check"
    if isinstance(exc, httpx.ConnectTimeout):
        return f"{shown} did not accept a connection within {timeout:g} seconds; try again later, or raise --timeout"
    if isinstance(exc, httpx.TimeoutException):
        return f"{shown} did not answer within {timeout:g} seconds; try again later, or raise --timeout"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return f"{url} redirects to {where}, which is not an http:// or https:// address; provenance does not follow it"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect to {shown}: {_connect_reason(exc)}"
    if isinstance(exc, httpx.DecodingError):
        return f"{shown} sent a page that cannot be decompressed ({exc}); try again later"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"{shown} broke off or sent a malformed answer ({exc}); try again later"
    return f"cannot fetch {shown}: {exc}"


def _has_request(exc: httpx.HTTPError) -> bool:
    try:
        exc.request  # noqa: B018 (httpx raises when the error has no request)
    except RuntimeError:
        return False
    return True


def _connect_reason(exc: httpx.ConnectError) -> str:
    text = str(exc)
    lowered = text.lower()
    if "refused" in lowered:
        return "the connection was refused (no web server there, or not on that port)"
    if "certificate" in lowered or "ssl" in lowered:
        return f"its secure connection (TLS) could not be checked ({text}); the site may be misconfigured"
    if "unreachable" in lowered:
        return "the network is unreachable"
    return text or "the connection failed"
