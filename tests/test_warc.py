"""WARC out and in: `source archive` writes a fetched page as a WARC/1.1 file that warcio's own reader and
checker accept, with the page's bytes exactly; `source add FILE.warc.gz` reads it back as the same source."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Provenance
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_fetch import ARTICLE, ETAG, LAST_MODIFIED, PNG, Site, captures, serving
from warcio.archiveiterator import ArchiveIterator  # type: ignore[import-untyped]
from warcio.cli import main as warcio_main  # type: ignore[import-untyped]
from warcio.statusandheaders import StatusAndHeaders  # type: ignore[import-untyped]
from warcio.warcwriter import WARCWriter  # type: ignore[import-untyped]

from provenance import db
from provenance.models import WebCapture


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    with serving() as site:
        yield site


def fetch_and_archive(provenance: Provenance, site: Site, path: str, output: Path) -> None:
    provenance.ok("source", "add", "--allow-private-addresses", site.url(path))
    [(source, _)] = captures(provenance.url)
    provenance.ok("source", "archive", source.key, "--output", str(output))


@pytest.fixture
def fresh(tmp_path: Path, sqlite_template: Path) -> Provenance:
    """A second, empty database (SQLite) to read a WARC back into."""
    path = tmp_path / "fresh.db"
    shutil.copy(sqlite_template, path)
    return Provenance(f"sqlite:///{path}")


def records(path: Path) -> list[dict[str, object]]:
    """Each record of a WARC file as warcio reads it: type, WARC headers, HTTP status and headers, content."""
    found = []
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            found.append(
                {
                    "type": record.rec_type,
                    "headers": dict(record.rec_headers.headers),
                    "status": record.http_headers.get_statuscode() if record.http_headers else None,
                    "http": dict(record.http_headers.headers) if record.http_headers else None,
                    "content": record.content_stream().read(),
                }
            )
    return found


def test_an_archived_page_replays_with_its_address_date_status_headers_and_exact_bytes(
    provenance: Provenance, site: Site, tmp_path: Path
) -> None:
    output = tmp_path / "bills-rise.warc.gz"
    fetch_and_archive(provenance, site, "/news/bills-rise.html", output)
    [(_, capture)] = captures(provenance.url)

    assert output.read_bytes()[:2] == b"\x1f\x8b"  # gzip, record by record
    warcinfo, response = records(output)
    assert warcinfo["type"] == "warcinfo"
    assert b"software: provenance/" in warcinfo["content"]  # type: ignore[operator]
    assert response["type"] == "response"
    headers = response["headers"]
    assert isinstance(headers, dict)
    assert headers["WARC-Target-URI"] == site.url("/news/bills-rise.html")
    assert headers["WARC-Date"] == capture.fetched_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert headers["WARC-Payload-Digest"].startswith("sha1:")
    assert response["status"] == "200"
    assert response["http"] == {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Length": str(len(ARTICLE.encode())),
        "ETag": ETAG,
        "Last-Modified": LAST_MODIFIED,
    }
    assert response["content"] == ARTICLE.encode()


def test_warcio_checks_the_digests_and_indexes_the_response(
    provenance: Provenance, site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "bills-rise.warc.gz"
    fetch_and_archive(provenance, site, "/news/bills-rise.html", output)
    capsys.readouterr()

    with pytest.raises(SystemExit) as checked:
        warcio_main(["check", "-v", str(output)])
    report = capsys.readouterr().out
    assert checked.value.code == 0
    assert report.count("digest pass") == 2  # the warcinfo record's block and the response's
    warcio_main(["index", "-f", "warc-type,warc-target-uri,http:status", str(output)])
    index = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert index == [
        {"warc-type": "warcinfo"},
        {"warc-type": "response", "warc-target-uri": site.url("/news/bills-rise.html"), "http:status": "200"},
    ]


def test_fetch_archive_and_add_the_warc_to_a_fresh_database_give_the_same_source(
    provenance: Provenance, fresh: Provenance, site: Site, tmp_path: Path
) -> None:
    output = tmp_path / "bills-rise.warc.gz"
    fetch_and_archive(provenance, site, "/go", output)  # redirected: the address asked for travels too
    [(source, capture)] = captures(provenance.url)

    out = fresh.ok("source", "add", str(output)).stdout

    assert out.startswith("bills-rise\tadded (")
    [(again, capture_again)] = captures(fresh.url)
    assert again.text == source.text
    assert again.text_sha256 == source.text_sha256
    assert again.original_sha256 == source.original_sha256 == hashlib.sha256(ARTICLE.encode()).hexdigest()
    assert (again.key, again.origin, again.title) == (source.key, source.origin, source.title)
    assert capture_again.final_url == capture.final_url == site.url("/news/bills-rise.html")
    assert capture_again.requested_url == capture.requested_url == site.url("/go")
    assert capture_again.fetched_at == capture.fetched_at
    assert (capture_again.status, capture_again.content_type, capture_again.etag, capture_again.last_modified) == (
        capture.status,
        capture.content_type,
        capture.etag,
        capture.last_modified,
    )
    assert capture_again.content_gzip and gzip.decompress(capture_again.content_gzip) == ARTICLE.encode()
    assert capture_again.archive_file == str(output)
    assert capture.archive_file is None


def test_a_warc_of_a_page_stored_already_gives_it_back_unchanged(
    provenance: Provenance, site: Site, tmp_path: Path
) -> None:
    output = tmp_path / "bills-rise.warc"
    fetch_and_archive(provenance, site, "/news/bills-rise.html", output)
    assert output.read_bytes().startswith(b"WARC/1.1\r\n")  # .warc: not compressed

    out = provenance.ok("source", "add", str(output)).stdout

    assert out.startswith("bills-rise\talready stored, unchanged (")
    assert len(captures(provenance.url)) == 1


def warc(path: Path, *pages: tuple[str, int, str, bytes], info: bool = True) -> Path:
    """A WARC file of response records (address, status, content type, body), as a crawler writes them."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=path.name.endswith(".gz"), warc_version="1.1")
    if info:
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "a crawler"}))
    for url, status, content_type, body in pages:
        headers = StatusAndHeaders(f"{status} X", [("Content-Type", content_type)], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), length=len(body), http_headers=headers
        )
        writer.write_record(record)
    path.write_bytes(buffer.getvalue())
    return path


NEWS = ("https://news.example/2026/bills-rise.html", 200, "text/html; charset=utf-8", ARTICLE.encode())


def test_a_warc_of_a_browsing_session_gives_its_first_page_and_says_how_many_more_it_holds(
    provenance: Provenance, tmp_path: Path
) -> None:
    other = ARTICLE.replace("Energy bills", "Water bills").replace("gas", "water").encode()
    path = warc(
        tmp_path / "session.warc.gz",
        ("https://news.example/", 301, "text/html", b"<p>Moved</p>"),
        ("https://news.example/style.css", 200, "text/css", b"p { color: red }"),
        ("https://news.example/logo.png", 200, "image/png", PNG),
        NEWS,
        ("https://ads.example/frame.html", 200, "text/html", other),
    )

    result = provenance.ok("source", "add", str(path))

    assert result.stdout.startswith("bills-rise\tadded (")
    assert f"Warning: {path} holds 1 more readable page(s) after the first; only {NEWS[0]} was read" in result.stderr
    [(source, capture)] = captures(provenance.url)
    assert source.origin == capture.final_url == NEWS[0]
    assert capture.archive_file == str(path)


def test_a_warc_without_a_response_record_is_refused(provenance: Provenance, tmp_path: Path) -> None:
    path = warc(tmp_path / "info-only.warc.gz")

    line = provenance.fails("source", "add", str(path))

    assert line == (
        f"Error: {path} has no response record (WARC-Type: response), so no page to capture; nothing was captured"
    )


def test_a_warc_without_a_readable_page_is_refused(provenance: Provenance, tmp_path: Path) -> None:
    path = warc(
        tmp_path / "no-page.warc.gz",
        ("https://news.example/logo.png", 200, "image/png", PNG),
        ("https://news.example/gone", 404, "text/html", b"<p>Not found</p>"),
    )

    line = provenance.fails("source", "add", str(path))

    assert line == (
        f"Error: {path} has 2 response record(s), none of them a page provenance can read (an http(s) address "
        "answering 2xx with HTML, text, Markdown or PDF); nothing was captured"
    )


def test_a_file_named_warc_that_is_not_one_is_refused(provenance: Provenance, tmp_path: Path) -> None:
    path = tmp_path / "notes.warc"
    path.write_text("These are my notes, not an archive.\n")

    line = provenance.fails("source", "add", str(path))

    assert (
        line == f"Error: {path} is not a WARC file (its records do not start with WARC/1.0 or WARC/1.1); check the file"
    )


def test_a_page_in_a_warc_over_the_size_limit_is_refused(provenance: Provenance, tmp_path: Path) -> None:
    path = warc(tmp_path / "big.warc.gz", NEWS)

    line = provenance.fails("source", "add", "--max-size", "0.0005", str(path))

    assert line == (
        f"Error: {path}: {NEWS[0]} is over the 500 bytes limit (the page in it is larger); raise the limit with "
        "--max-size if the page is that large"
    )


def test_a_source_not_captured_from_the_web_cannot_be_archived(provenance: Provenance, tmp_path: Path) -> None:
    article = tmp_path / "minutes.txt"
    article.write_text("Minutes\n\nThe board met on Monday and agreed the budget for next year.\n")
    provenance.ok("source", "add", str(article))
    output = tmp_path / "minutes.warc.gz"

    line = provenance.fails("source", "archive", "minutes", "--output", str(output))

    assert line == (
        f"Error: source 'minutes' was not captured from the web (it came from {article}); only sources added from "
        "an http:// or https:// address or a WARC file can be archived"
    )
    assert not output.exists()


def test_archiving_an_unknown_key_says_so(provenance: Provenance, tmp_path: Path) -> None:
    line = provenance.fails("source", "archive", "nope", "--output", str(tmp_path / "x.warc.gz"))
    assert line == "Error: no source 'nope'; `provenance source list` shows the keys"


def test_the_archive_is_never_written_over_the_database(
    provenance: Provenance, site: Site, backend: str, tmp_path: Path
) -> None:
    if backend != "sqlite":
        pytest.skip("only a SQLite database is a file")
    provenance.ok("source", "add", "--allow-private-addresses", site.url("/news/bills-rise.html"))
    database = db.resolve_url(provenance.url).database
    assert database

    line = provenance.fails("source", "archive", "bills-rise", "--output", database)

    assert line == f"Error: cannot write {database}: {database} is the database; choose another file name"


def test_verify_checks_that_the_page_kept_is_the_page_read_and_archive_refuses_a_changed_one(
    provenance: Provenance, site: Site, tmp_path: Path
) -> None:
    provenance.ok("source", "add", "--allow-private-addresses", site.url("/news/bills-rise.html"))
    assert provenance("verify").exit_code == 0
    engine = db.make_engine(provenance.url)
    try:
        with Session(engine) as session, session.begin():
            capture = session.scalars(select(WebCapture)).one()
            capture.content_gzip = gzip.compress(ARTICLE.replace("12%", "2%").encode())
            capture_id = capture.id
    finally:
        engine.dispose()

    result = provenance("verify", "--json")
    [problem] = json.loads(result.stdout)["problems"]
    line = provenance.fails("source", "archive", "bills-rise", "--output", str(tmp_path / "x.warc.gz"))

    assert result.exit_code == 1
    assert (problem["kind"], problem["table"], problem["row_id"]) == ("web_capture_body", "web_capture", capture_id)
    assert problem["subject"] == "web capture of source bills-rise"
    assert problem["expected"] == (
        f"SHA-256 {hashlib.sha256(ARTICLE.encode()).hexdigest()}, {len(ARTICLE.encode()):,} bytes"
    )
    assert problem["found"].endswith("bytes (the page kept was changed after it was fetched)")
    assert line == (
        "Error: the stored bytes of 'bills-rise' no longer match the page captured (SHA-256 differs); run "
        "`provenance verify` to see what changed"
    )


def test_a_bundle_carries_the_page_kept_so_the_other_database_archives_the_same_bytes(
    provenance: Provenance, fresh: Provenance, site: Site, tmp_path: Path
) -> None:
    provenance.ok("source", "add", "--allow-private-addresses", site.url("/go"))
    bundle = tmp_path / "desk.json"
    provenance.ok("export", "bundle", "--output", str(bundle))
    fresh.ok("import", str(bundle))
    first, second = tmp_path / "first.warc.gz", tmp_path / "second.warc.gz"

    provenance.ok("source", "archive", "bills-rise", "--output", str(first))
    fresh.ok("source", "archive", "bills-rise", "--output", str(second))

    assert fresh("verify").exit_code == 0
    replayed = [(r["type"], r["http"], r["content"]) for r in records(first)]
    assert [(r["type"], r["http"], r["content"]) for r in records(second)] == replayed
    assert [r["content"] for r in records(second) if r["type"] == "metadata"] == [
        f"via: {site.url('/go')}\r\n".encode()
    ]


def test_the_archive_goes_to_stdout_compressed_when_no_file_is_named(
    provenance: Provenance, site: Site, tmp_path: Path
) -> None:
    provenance.ok("source", "add", "--allow-private-addresses", site.url("/news/bills-rise.html"))

    result = provenance.ok("source", "archive", "bills-rise")

    piped = tmp_path / "piped.warc.gz"
    piped.write_bytes(result.stdout_bytes)
    assert result.stdout_bytes[:2] == b"\x1f\x8b"
    assert [r["type"] for r in records(piped)] == ["warcinfo", "response"]
    assert records(piped)[1]["content"] == ARTICLE.encode()
