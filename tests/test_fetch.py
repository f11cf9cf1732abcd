"""Capture from a URL: fetching with its limits (time, size, redirects, types, charsets), the rule against private
addresses, and the page stored with its bytes, addresses, status and headers. Every page comes from a local
server these tests start; nothing else on the network is reached (private addresses are refused before any
connection is made)."""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import hashlib
import http.server
import ipaddress
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import Provenance
from sqlalchemy import select
from sqlalchemy.orm import Session

from provenance import db, fetch, webcapture
from provenance.errors import Invalid
from provenance.models import Source, WebCapture

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "documents"

ARTICLE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Energy bills set to rise 12% in April</title></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Energy bills set to rise 12% in April</h1>
<p>Household energy bills are set to rise by 12% in April, the regulator said on Tuesday, in a decision that
surprised analysts who had expected a smaller increase.</p>
<p>The regulator said wholesale gas prices had climbed sharply over the winter and that suppliers would pass
the higher costs on to their customers from the first of the month.</p>
<p>Consumer groups said the rise would hurt the poorest households most, and called on the government for more
support before next winter.</p>
</article></body></html>
"""
ARTICLE_WORDS = "Household energy bills are set to rise by 12% in April, the regulator said on Tuesday"
NOTES = "Council meeting notes\n\nThe council approved the flood wall on Tuesday by seven votes to two.\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ETAG = '"bills-v1"'
LAST_MODIFIED = "Tue, 01 Dec 2026 10:00:00 GMT"


@dataclass
class Site:
    """A web site on 127.0.0.1 for one test module: pages by path, and what the server saw."""

    base: str = ""
    port: int = 0
    pages: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)
    hosts: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path


def _handler(site: Site) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            site.hosts.append(self.headers.get("Host", ""))
            path = self.path
            if path == "/slow":
                time.sleep(1.5)
            if path == "/drip":
                self._drip()
                return
            if path == "/endless":
                self._endless()
                return
            if path == "/gzip":
                body = gzip.compress(ARTICLE.encode())
                self._send(200, {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}, body)
                return
            status, headers, body = site.pages.get(path, (404, {"Content-Type": "text/plain"}, b"not here"))
            self._send(status, headers, body)

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value.replace("{port}", str(site.port)))
            if "Content-Length" not in headers:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the client stopped reading (a page refused from its headers)
                self.wfile.write(body)

        def _drip(self) -> None:
            """A page that comes a few bytes at a time, each in time, never all of it (at most 3 s)."""
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(30):
                    self.wfile.write(b"<p>more</p>\n")
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:  # the client gave up
                pass

        def _endless(self) -> None:
            """A page with no length that goes on (1 MB at most)."""
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(1000):
                    self.wfile.write(b"<p>" + b"x" * 996 + b"</p>")
            except OSError:
                pass

    return Handler


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hangs up early is what some tests do: nothing to print over the command's output


@contextlib.contextmanager
def serving() -> Iterator[Site]:
    """The test site, served from a thread while the block runs."""
    site = Site()
    server = QuietServer(("127.0.0.1", 0), _handler(site))
    server.daemon_threads = True
    site.port = server.server_address[1]
    site.base = f"http://127.0.0.1:{site.port}"
    html = {"Content-Type": "text/html; charset=utf-8"}
    site.pages.update(
        {
            "/news/bills-rise.html": (
                200,
                {**html, "ETag": ETAG, "Last-Modified": LAST_MODIFIED},
                ARTICLE.encode(),
            ),
            "/go": (302, {"Location": "/news/bills-rise.html"}, b""),
            "/loop": (302, {"Location": "/loop"}, b""),
            "/missing": (404, {"Content-Type": "text/html"}, b"<h1>Not found</h1>"),
            "/broken": (500, {"Content-Type": "text/html"}, b"<h1>Oops</h1>"),
            "/picture": (200, {"Content-Type": "image/png"}, PNG),
            "/utf8-lies": (200, html, ARTICLE.replace("12%", "12\u00a0%").encode("latin-1")),
            "/meta-lies": (
                200,
                {"Content-Type": "text/html"},
                ARTICLE.replace("rise by", "rise b\u00e9").encode("latin-1"),
            ),
            "/latin1": (200, {"Content-Type": "text/html"}, (FIXTURES / "latin1-article.html").read_bytes()),
            "/notes.txt": (200, {"Content-Type": "text/plain; charset=utf-8"}, NOTES.encode()),
            "/report": (200, {"Content-Type": "application/pdf"}, (FIXTURES / "two-pages.pdf").read_bytes()),
            "/menu": (200, html, (FIXTURES / "no-article.html").read_bytes()),
            "/big": (200, {**html, "Content-Length": "5000"}, b"<p>" + b"x" * 4993 + b"</p>"),
            "/no-content": (204, {}, b""),
            "/to-ftp": (302, {"Location": "ftp://127.0.0.1/file.txt"}, b""),
            "/to-loopback": (302, {"Location": "http://127.0.0.2:{port}/news/bills-rise.html"}, b""),
            "/news/": (200, html, ARTICLE.replace("12%", "twelve per cent").encode()),
        }
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    with serving() as site:
        yield site


def add(provenance: Provenance, *args: str) -> str:
    result = provenance.ok("source", "add", "--allow-private-addresses", *args)
    return result.stdout


def captures(url: str) -> list[tuple[Source, WebCapture]]:
    engine = db.make_engine(url)
    try:
        with Session(engine) as session:
            rows = session.execute(
                select(Source, WebCapture).join(WebCapture, WebCapture.source_id == Source.id).order_by(Source.id)
            ).all()
            return [(s, c) for s, c in rows]
    finally:
        engine.dispose()


# --- fetching and storing -----------------------------------------------------------------------------


def test_a_page_is_stored_with_its_bytes_address_time_status_and_headers(provenance: Provenance, site: Site) -> None:
    before = dt.datetime.now(dt.UTC)
    out = add(provenance, site.url("/news/bills-rise.html"))
    after = dt.datetime.now(dt.UTC)

    assert re.fullmatch(r"bills-rise\tadded \(\d+ paragraphs, \d+ sentences\)\n", out)
    [(source, capture)] = captures(provenance.url)
    assert source.key == "bills-rise"
    assert source.origin == site.url("/news/bills-rise.html")
    assert source.media_type == "text/html"
    assert source.title == "Energy bills set to rise 12% in April"
    assert ARTICLE_WORDS in source.text
    assert "Home" not in source.text  # the navigation is no part of the article
    assert capture.requested_url == capture.final_url == site.url("/news/bills-rise.html")
    assert capture.status == 200
    assert capture.content_type == "text/html; charset=utf-8"
    assert capture.etag == ETAG
    assert capture.last_modified == LAST_MODIFIED
    assert gzip.decompress(capture.content_gzip) == ARTICLE.encode()
    assert capture.content_length == len(ARTICLE.encode())
    assert source.original_sha256 == hashlib.sha256(ARTICLE.encode()).hexdigest()
    assert before <= capture.fetched_at <= after
    assert capture.archive_file is None


def test_a_redirect_is_followed_and_the_final_address_is_the_sources_origin(provenance: Provenance, site: Site) -> None:
    add(provenance, site.url("/go"))

    [(source, capture)] = captures(provenance.url)
    assert capture.requested_url == site.url("/go")
    assert capture.final_url == source.origin == site.url("/news/bills-rise.html")
    assert source.key == "bills-rise"


def test_source_show_says_where_and_when_a_page_was_fetched(provenance: Provenance, site: Site) -> None:
    add(provenance, site.url("/go"))
    shown = provenance.ok("source", "show", "bills-rise").stdout
    final, asked = site.url("/news/bills-rise.html"), site.url("/go")
    assert re.search(
        rf"  fetched:     {re.escape(final)} \(asked for {re.escape(asked)}\), "
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, HTTP 200\n",
        shown,
    )
    size = len(ARTICLE.encode())
    assert (
        f"  served as:   text/html; charset=utf-8, {size} bytes; ETag {ETAG}; Last-Modified {LAST_MODIFIED}\n" in shown
    )
    record = json.loads(provenance.ok("source", "show", "bills-rise", "--json").stdout)["web_capture"]
    assert (record["requested_url"], record["final_url"], record["status"]) == (asked, final, 200)
    assert (record["etag"], record["last_modified"], record["content_length"]) == (ETAG, LAST_MODIFIED, size)
    assert record["archive_file"] is None


def test_a_source_from_a_file_shows_no_fetch(provenance: Provenance, tmp_path: Path) -> None:
    article = tmp_path / "note.txt"
    article.write_text("Energy bills are set to rise next year, the regulator said.", encoding="utf-8")
    provenance.ok("source", "add", str(article))
    assert "fetched:" not in provenance.ok("source", "show", "note").stdout
    assert json.loads(provenance.ok("source", "show", "note", "--json").stdout)["web_capture"] is None


def test_the_same_page_fetched_again_is_left_as_it_is(provenance: Provenance, site: Site) -> None:
    add(provenance, site.url("/news/bills-rise.html"))
    out = add(provenance, site.url("/news/bills-rise.html"))

    assert re.fullmatch(r"bills-rise\talready stored, unchanged \(\d+ paragraphs, \d+ sentences\)\n", out)
    assert len(captures(provenance.url)) == 1


def test_a_corrected_page_becomes_the_next_version_with_a_capture_of_its_own(
    provenance: Provenance, site: Site
) -> None:
    site.pages["/news/live.html"] = site.pages["/news/bills-rise.html"]
    add(provenance, site.url("/news/live.html"))
    corrected = ARTICLE.replace("by 12% in April", "by 9.4% in April")
    site.pages["/news/live.html"] = (200, {"Content-Type": "text/html; charset=utf-8"}, corrected.encode())

    out = add(provenance, site.url("/news/live.html"))

    assert out.startswith("live@2\tnew version 2, supersedes live (")
    rows = captures(provenance.url)
    assert [s.key for s, _ in rows] == ["live", "live@2"]
    assert gzip.decompress(rows[1][1].content_gzip) == corrected.encode()
    assert "by 9.4% in April" in rows[1][0].text


def test_a_compressed_answer_is_kept_as_the_page_it_decompresses_to(provenance: Provenance, site: Site) -> None:
    add(provenance, site.url("/gzip"), "--key", "bills-gzip")

    [(source, capture)] = captures(provenance.url)
    assert gzip.decompress(capture.content_gzip) == ARTICLE.encode()
    assert source.original_sha256 == hashlib.sha256(ARTICLE.encode()).hexdigest()


def test_plain_text_pdf_and_a_declared_latin1_page_are_read_as_their_types(provenance: Provenance, site: Site) -> None:
    add(provenance, site.url("/notes.txt"), site.url("/report"), site.url("/latin1"))

    by_key = {s.key: s for s, _ in captures(provenance.url)}
    assert sorted(by_key) == ["latin1", "notes", "report"]
    assert by_key["notes"].media_type == "text/plain"
    assert (
        by_key["notes"].text
        == "Council meeting notes\n\nThe council approved the flood wall on Tuesday by seven votes to two."
    )
    assert by_key["report"].media_type == "application/pdf"
    assert "Harbour water quality" in by_key["report"].text
    assert "Fermé depuis l’hiver" in by_key["latin1"].text  # iso-8859-1 read as browsers do (windows-1252)


def test_a_page_without_a_name_in_its_path_is_keyed_by_its_last_segment(provenance: Provenance, site: Site) -> None:
    add(provenance, site.url("/news/"))

    [(source, _)] = captures(provenance.url)
    assert source.key == "news"


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://example.org/news/2024/bills-rise.html", "bills-rise"),
        ("https://example.org/2024/05/01/bills-set-to-rise/", "bills-set-to-rise"),
        ("https://example.org/read.php?id=12", "read-id-12"),
        ("https://www.example.org/", "example-org"),
        ("https://example.org", "example-org"),
        ("https://example.org/caf%C3%A9-cr%C3%A8me", "cafe-creme"),
    ],
)
def test_keys_come_from_the_address_as_from_a_file_name(url: str, key: str) -> None:
    assert webcapture.key_from_url(url) == key


def test_a_file_and_a_page_are_captured_in_one_run(provenance: Provenance, site: Site, tmp_path: Path) -> None:
    notes = tmp_path / "minutes.txt"
    notes.write_text("Minutes\n\nThe board met on Monday and agreed the budget for next year.\n")

    out = add(provenance, str(notes), site.url("/news/bills-rise.html"))

    assert [line.split(" (")[0] for line in out.splitlines()] == ["minutes\tadded", "bills-rise\tadded"]
    assert [s.key for s, _ in captures(provenance.url)] == ["bills-rise"]  # only the page has a web capture


def test_json_output_names_the_address(provenance: Provenance, site: Site) -> None:
    import json

    result = provenance.ok("source", "add", "--allow-private-addresses", "--json", site.url("/go"))

    [record] = json.loads(result.stdout)
    assert record["url"] == site.url("/news/bills-rise.html")
    assert record["key"] == "bills-rise"
    assert record["state"] == "added"
    assert record["created"] is True


def test_one_page_that_cannot_be_fetched_among_several_is_listed_and_the_others_are_captured(
    provenance: Provenance, site: Site
) -> None:
    result = provenance("source", "add", "--allow-private-addresses", site.url("/missing"), site.url("/go"))

    assert result.exit_code == 1
    assert result.stdout.startswith("bills-rise\tadded (")
    assert f"not captured: {site.url('/missing')} answered 404 Not Found" in result.stderr
    assert "Error: 1 of 2 files and pages were not captured (reasons above); the other 1 were" in result.stderr
    assert len(captures(provenance.url)) == 1


def test_strict_stops_at_the_first_page_that_cannot_be_fetched(provenance: Provenance, site: Site) -> None:
    line = provenance.fails(
        "source", "add", "--strict", "--allow-private-addresses", site.url("/go"), site.url("/missing")
    )
    assert line.endswith("nothing was captured (--strict stops at the first bad file)")


def test_key_names_one_source_only(provenance: Provenance, site: Site) -> None:
    line = provenance.fails("source", "add", "--key", "x", site.url("/go"), site.url("/news/"))
    assert line == "Error: --key names one source, but 2 were given; give one file or address with it"


# --- what is refused: one line, nothing stored ---------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "options", "expected"),
    [
        ("/missing", (), "{url} answered 404 Not Found: there is no page at that address; check it"),
        ("/broken", (), "{url} answered 500 Internal Server Error: the site failed to answer; try again later"),
        ("/no-content", (), "{url} answered 204 No Content: there is no page there to capture"),
        ("/loop", (), "{url} redirects more than 10 times (a redirect loop?); open it in a browser to check"),
        (
            "/picture",
            (),
            "{url} is 'image/png', which provenance cannot read; give the address of a web page (HTML), plain "
            "text, Markdown or PDF",
        ),
        (
            "/utf8-lies",
            (),
            "{url} says it is utf-8 (its Content-Type header) but is not: byte 0xa0 at offset",
        ),
        ("/meta-lies", (), "{url} says it is utf-8 (the page itself) but is not: byte 0xe9 at offset"),
        (
            "/big",
            ("--max-size", "0.001"),
            "{url} is over the 1 kB limit (it says it is 5 kB); raise the limit with --max-size if the page is "
            "that large",
        ),
        ("/endless", ("--max-size", "0.01"), "{url} is over the 10 kB limit (it sent more than that; stopped reading)"),
        ("/slow", ("--timeout", "0.3"), "{url} did not answer within 0.3 seconds; try again later, or raise --timeout"),
        ("/drip", ("--timeout", "0.3"), "{url} took longer than 1.2 seconds to send the page"),
        ("/to-ftp", (), "{url} redirects to ftp://127.0.0.1/file.txt, which is not an http:// or https:// address"),
        ("/menu", (), "{url} has no article text that could be extracted"),
    ],
)
def test_a_page_that_cannot_be_captured_is_refused_in_one_line(
    provenance: Provenance, site: Site, path: str, options: tuple[str, ...], expected: str
) -> None:
    line = provenance.fails("source", "add", "--allow-private-addresses", *options, site.url(path))

    assert line.startswith("Error: " + expected.format(url=site.url(path))), line


def test_a_server_that_is_not_there_is_refused(provenance: Provenance) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/page"  # nothing listens: the port was free a moment ago

    line = provenance.fails("source", "add", "--allow-private-addresses", url)

    assert line == (
        f"Error: cannot connect to {url}: the connection was refused (no web server there, or not on that port)"
    )


def test_a_name_that_does_not_resolve_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_name(*_args: object, **_kwargs: object) -> list[object]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)
    with pytest.raises(Invalid) as refused:
        fetch.fetch("https://no-such-site.example/news", allow_private=False, max_bytes=1000)
    assert str(refused.value) == (
        "cannot fetch https://no-such-site.example/news: cannot find the web site 'no-such-site.example': the "
        "name does not resolve to any address; check the address (and that this machine is online)"
    )


@pytest.mark.parametrize(
    "url",
    ["ftp://example.org/report.txt", "file:///etc/passwd", "gopher://example.org/"],
)
def test_an_address_that_is_not_http_is_refused_by_its_scheme(provenance: Provenance, url: str) -> None:
    scheme = url.split(":")[0]
    line = provenance.fails("source", "add", url)
    assert line == (
        f"Error: {url} is not a web address (its scheme is {scheme}:); provenance fetches http:// and https:// "
        "addresses only"
    )


def test_an_address_with_a_password_in_it_is_refused_without_showing_it(provenance: Provenance, site: Site) -> None:
    line = provenance.fails("source", "add", f"http://editor:s3cret@127.0.0.1:{site.port}/news/bills-rise.html")
    assert line == (
        "Error: http://127.0.0.1... names a user name or password, which would be stored with the page; provenance "
        "does not sign in: open the page in a browser, save it and add the file"
    )
    assert "s3cret" not in line


# --- private addresses ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "shown"),
    [
        ("127.0.0.1", "127.0.0.1 is a loopback address"),
        ("[::1]", "::1 is a loopback address"),
        ("[::ffff:127.0.0.1]", "::ffff:127.0.0.1 is a loopback address"),
        ("0.0.0.0", "0.0.0.0 is an unspecified address"),
        ("10.20.30.40", "10.20.30.40 is a private address"),
        ("192.168.1.1", "192.168.1.1 is a private address"),
        ("169.254.169.254", "169.254.169.254 is a link-local address"),
    ],
)
def test_private_addresses_are_refused_unless_allowed(
    provenance: Provenance, site: Site, host: str, shown: str
) -> None:
    url = f"http://{host}:{site.port}/news/bills-rise.html"
    seen = len(site.hosts)

    line = provenance.fails("source", "add", url)

    assert line == (
        f"Error: cannot fetch {url}: {shown}; provenance fetches from public addresses only, unless given "
        "--allow-private-addresses"
    )
    assert len(site.hosts) == seen  # refused before any connection


def test_a_name_that_resolves_to_a_loopback_address_is_refused(provenance: Provenance, site: Site) -> None:
    line = provenance.fails("source", "add", f"http://localhost:{site.port}/news/bills-rise.html")
    assert "localhost resolves to " in line
    assert "which is a loopback address" in line


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.0.1", "private"),
        ("169.254.169.254", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.251", "multicast"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "non-public"),  # shared address space (carrier-grade NAT)
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:10.0.0.1", "private"),  # IPv4-mapped
        ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
        ("93.184.215.14", None),
        ("2606:4700:4700::1111", None),
        ("8.8.8.8", None),
    ],
)
def test_which_addresses_are_not_public(address: str, kind: str | None) -> None:
    assert fetch.non_public(ipaddress.ip_address(address)) == kind


def test_every_address_a_name_resolves_to_is_checked() -> None:
    with pytest.raises(Invalid, match=r"news.example resolves to 10.0.0.7, which is a private address"):
        fetch.check_addresses("news.example", ["93.184.215.14", "10.0.0.7"])
    fetch.check_addresses("news.example", ["93.184.215.14", "2606:4700:4700::1111"])


@pytest.fixture
def loopback_as_public(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let 127.0.0.1, where the test site is, pass as a public address (any other loopback address does not)."""
    real = fetch.non_public
    monkeypatch.setattr(fetch, "non_public", lambda a: None if str(a) == "127.0.0.1" else real(a))


@pytest.mark.usefixtures("loopback_as_public")
def test_each_redirect_is_checked_as_the_first_address(site: Site) -> None:
    seen = len(site.hosts)
    with pytest.raises(Invalid) as refused:
        fetch.fetch(site.url("/to-loopback"), allow_private=False, max_bytes=100_000)

    assert str(refused.value) == (
        f"cannot fetch {site.url('/to-loopback')}: 127.0.0.2 is a loopback address; provenance fetches from public "
        "addresses only, unless given --allow-private-addresses"
    )
    assert len(site.hosts) == seen + 1  # the first hop only


@pytest.mark.usefixtures("loopback_as_public")
def test_the_address_checked_is_the_address_connected_to(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """A name server answering a public address to the check and another to the connection (DNS rebinding)
    reaches nothing: the name is resolved once, and the checked answer is used; the page still gets its name
    in the Host header."""
    real = socket.getaddrinfo
    answers = iter(["127.0.0.1"])
    asked: list[str] = []

    def rebinding(host: str, port: int, *args: object, **kwargs: object) -> list[object]:
        if host != "news.example":
            return real(host, port, *args, **kwargs)  # type: ignore[arg-type]
        asked.append(host)
        # first the address checked, then one where nothing listens: a second lookup would fail to connect
        return real(next(answers, "127.0.0.3"), port, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    page = fetch.fetch(f"http://news.example:{site.port}/news/bills-rise.html", allow_private=False, max_bytes=100_000)

    assert page.status == 200
    assert page.body == ARTICLE.encode()
    assert asked == ["news.example"]
    assert site.hosts[-1] == f"news.example:{site.port}"


def test_the_rule_has_no_default_for_whoever_fetches() -> None:
    with pytest.raises(TypeError):
        fetch.fetch("https://example.org/", max_bytes=1000)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        webcapture.capture_url(None, "https://example.org/")  # type: ignore[arg-type,call-arg]


def test_a_timeout_out_of_range_is_refused(provenance: Provenance, site: Site) -> None:
    line = provenance.fails("source", "add", "--timeout", "0", site.url("/go"))
    assert line == "Error: --timeout is a number of seconds above 0 and at most 3600, not 0"


def test_another_article_at_the_same_address_is_a_source_of_its_own_and_the_command_says_why(
    provenance: Provenance, site: Site
) -> None:
    site.pages["/news/today.html"] = site.pages["/news/bills-rise.html"]
    add(provenance, site.url("/news/today.html"))
    other = (FIXTURES / "news-article.html").read_bytes()  # an unrelated article, now at the same address
    site.pages["/news/today.html"] = (200, {"Content-Type": "text/html; charset=utf-8"}, other)

    result = provenance.ok("source", "add", "--allow-private-addresses", site.url("/news/today.html"))

    assert result.stdout.startswith("today-2\tadded (")
    assert f"{site.url('/news/today.html')} shares its URL with today but only 0% of its text" in result.stderr
    assert [s.key for s, _ in captures(provenance.url)] == ["today", "today-2"]


def test_version_of_and_not_a_version_decide_for_a_page_too(provenance: Provenance, site: Site) -> None:
    site.pages["/news/changing.html"] = site.pages["/news/bills-rise.html"]
    add(provenance, site.url("/news/changing.html"))
    corrected = ARTICLE.replace("by 12% in April", "by 9.4% in April").encode()
    site.pages["/news/changing.html"] = (200, {"Content-Type": "text/html; charset=utf-8"}, corrected)

    apart = add(provenance, "--not-a-version", site.url("/news/changing.html"))
    site.pages["/news/changing.html"] = (200, {"Content-Type": "text/html"}, corrected.replace(b"9.4%", b"8%"))
    version = add(provenance, "--version-of", "changing", site.url("/news/changing.html"))

    assert apart.startswith("changing-2\tadded (")
    assert version.startswith("changing@2\tnew version 2, supersedes changing (")
    assert [s.key for s, _ in captures(provenance.url)] == ["changing", "changing-2", "changing@2"]


def test_capturing_files_does_not_load_the_http_client() -> None:
    import subprocess
    import sys

    code = (
        "import sys, provenance.webcapture, provenance.ingest; print('httpx' in sys.modules, 'warcio' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]


def fetched(body: bytes, content_type: str | None) -> fetch.Fetched:
    url = "https://news.example/bills-rise.html"
    return fetch.Fetched(url, url, dt.datetime.now(dt.UTC), 200, "OK", content_type, None, None, body)


def test_a_page_starting_with_a_byte_order_mark_must_be_in_that_charset() -> None:
    broken = b"\xef\xbb\xbf" + ARTICLE.replace("rise by", "rise b\u00e9").encode("latin-1")

    with pytest.raises(Invalid) as refused:
        webcapture.read(fetched(broken, "text/html; charset=windows-1252"), max_bytes=100_000)

    assert str(refused.value).startswith(
        "https://news.example/bills-rise.html starts with a utf-8 byte order mark but is not: byte 0xe9 at offset"
    )


def test_a_page_that_declares_no_charset_is_read_as_browsers_guess() -> None:
    page = ARTICLE.replace('<meta charset="utf-8">', "").replace("rise by", "rise b\u00e9")

    extracted = webcapture.read(fetched(page.encode("cp1252"), "text/html"), max_bytes=100_000)

    assert "set to rise b\u00e9 12% in April" in extracted.document.text
    assert extracted.document.origin == "https://news.example/bills-rise.html"
