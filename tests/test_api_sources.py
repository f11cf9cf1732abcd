"""The API's sources, search and entities answer what the command line prints for the same request: the same JSON
as --json, the same text as its stdout (Accept: text/plain); uploads are captured as `source add FILE` captures
files; writes below the role they need are refused with nothing written; bad input is one problem line."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import SEED_2020, DeskApi, Provenance, row_counts

from provenance import fetch

pytestmark = [
    # starlette's test client asks for httpx2 where the environment has httpx: a note about its future, once.
    pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`"),
]

API = "/api/v1"
TEXT = {"Accept": "text/plain"}
MEDICAL = "india-medical-aid-2020"
KOREA = "india-north-korea-2018"
ARTICLE = (
    b"Title: Bills rise again\n"
    b"Published: 2026-05-02\n\n"
    b"Household energy bills rose by ten percent in May. The ministry confirmed the figure on Friday.\n\n"
    b"Consumer groups called the rise unfair."
)
ARTICLE_LINE = "bills-rise\tadded (2 paragraphs, 3 sentences)"


def cli_json(seeded: Provenance, *args: str) -> Any:
    return json.loads(seeded.ok(*args, "--json").stdout)


def cli_text(seeded: Provenance, *args: str) -> str:
    """What the command prints on stdout, as the API sends it (without the final newline)."""
    return seeded.ok(*args).stdout.removesuffix("\n")


def cli_error(seeded: Provenance, *args: str) -> str:
    return seeded.fails(*args).removeprefix("Error: ")


def as_text(response: Any) -> str:
    assert response.status_code in (200, 201), response.text
    assert response.headers["content-type"].startswith("text/plain"), response.headers
    return str(response.text)


def refused(api: DeskApi, status: int, method: str, path: str, who: str | None = "editor", **kwargs: Any) -> str:
    """The problem line of a request that must change nothing."""
    if who is not None:  # a token's first use is logged (once an hour): made before counting
        assert api.get(f"{API}/sources", who).status_code == 200
    before = row_counts(api.url)
    line = api.problem(api.request(method, path, who, **kwargs), status)
    assert row_counts(api.url) == before
    return line


def upload(api: DeskApi, *files: tuple[str, bytes], who: str = "researcher", **kwargs: Any) -> Any:
    return api.post(
        f"{API}/sources", who, files=[("files", (name, data, "text/plain")) for name, data in files], **kwargs
    )


# --- reading --------------------------------------------------------------------------------------------


def test_source_list_and_show_are_what_the_commands_print(seeded_api: DeskApi, seeded: Provenance) -> None:
    listed = seeded_api.get(f"{API}/sources", who="viewer")
    assert listed.status_code == 200 and "Link" not in listed.headers
    assert listed.json() == cli_json(seeded, "source", "list")
    assert [s["key"] for s in listed.json()] == [KOREA, MEDICAL]
    assert as_text(seeded_api.get(f"{API}/sources", who="viewer", headers=TEXT)) == cli_text(seeded, "source", "list")

    for args, params in [((), {}), (("--passages",), {"passages": "true"})]:
        shown = seeded_api.get(f"{API}/sources/{MEDICAL}", who="viewer", params=params)
        assert shown.json() == cli_json(seeded, "source", "show", MEDICAL, *args)
        text = as_text(seeded_api.get(f"{API}/sources/{MEDICAL}", who="viewer", params=params, headers=TEXT))
        assert text == cli_text(seeded, "source", "show", MEDICAL, *args)
    assert "passages" not in seeded_api.get(f"{API}/sources/{KOREA}").json()


def test_the_source_list_pages_with_link_headers(seeded_api: DeskApi, seeded: Provenance) -> None:
    first = seeded_api.get(f"{API}/sources", params={"limit": 1})
    assert [s["key"] for s in first.json()] == [KOREA]
    link = first.headers["Link"]
    assert link.startswith(f"<http://testserver{API}/sources?") and link.endswith('>; rel="next"')
    second = seeded_api.get(link[1 : link.index(">")])
    assert [s["key"] for s in second.json()] == [MEDICAL] and "Link" not in second.headers
    assert first.json() + second.json() == cli_json(seeded, "source", "list")
    line = seeded_api.problem(seeded_api.get(f"{API}/sources", params={"limit": 0}), 422)
    assert line == "limit must be between 1 and 1000, not 0"


def test_passages_page_through_what_source_show_passages_lists(seeded_api: DeskApi, seeded: Provenance) -> None:
    expected = cli_json(seeded, "source", "show", MEDICAL, "--passages")["passages"]
    got: list[dict[str, Any]] = []
    address: str | None = f"{API}/sources/{MEDICAL}/passages?limit=7"
    pages = 0
    while address is not None:
        answer = seeded_api.get(address, who="viewer")
        assert answer.status_code == 200 and len(answer.json()) <= 7
        got += answer.json()
        pages += 1
        link = answer.headers.get("Link")
        address = link[1 : link.index(">")] if link else None
    assert got == expected and pages == -(-len(expected) // 7)
    paragraphs = seeded_api.get(f"{API}/sources/{MEDICAL}/passages", params={"kind": "paragraph"}).json()
    assert paragraphs == [p for p in expected if p["kind"] == "paragraph"] and len(paragraphs) == 9
    line = seeded_api.problem(seeded_api.get(f"{API}/sources/{MEDICAL}/passages", params={"kind": "chapter"}), 422)
    assert line == "query.kind.0: Input should be 'paragraph', 'sentence' or 'quote'"


def test_an_unknown_source_is_404_with_the_commands_line(seeded_api: DeskApi, seeded: Provenance) -> None:
    line = cli_error(seeded, "source", "show", "no-such-source")
    assert line == "no source 'no-such-source'; `provenance source list` shows the keys"
    for path in ("/sources/no-such-source", "/sources/no-such-source/passages"):
        assert seeded_api.problem(seeded_api.get(API + path), 404) == line
    assert refused(seeded_api, 404, "POST", f"{API}/sources/no-such-source/retraction", json={"reason": "x"}) == line


# --- capturing ------------------------------------------------------------------------------------------


def test_an_upload_is_captured_as_source_add_captures_the_file(
    seeded_api: DeskApi, seeded: Provenance, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer = upload(seeded_api, ("bills-rise.txt", ARTICLE), data={"publisher": "The Desk", "reliability": "C"})
    assert answer.status_code == 201, answer.text
    assert answer.headers["Location"] == f"{API}/sources/bills-rise"
    assert answer.json() == [
        {
            "path": "bills-rise.txt",
            "captured": True,
            "key": "bills-rise",
            "state": "added",
            "created": True,
            "version": 1,
            "supersedes": None,
            "paragraphs": 2,
            "sentences": 3,
            "warnings": [],
            "not_a_version": None,
            "key_not_used": None,
            "reanchor": [],
        }
    ]
    shown = cli_json(seeded, "source", "show", "bills-rise")
    assert shown["original_sha256"] == hashlib.sha256(ARTICLE).hexdigest()
    assert (shown["origin"], shown["title"], shown["published"]) == ("bills-rise.txt", "Bills rise again", "2026-05-02")
    assert (shown["publisher"], shown["reliability"], shown["captured_by"]) == ("The Desk", "C", "researcher")
    # The command line, given the same file under the same name, finds it stored: the same source.
    monkeypatch.chdir(tmp_path)
    Path("bills-rise.txt").write_bytes(ARTICLE)
    again = cli_json(seeded, "source", "add", "bills-rise.txt")
    assert again == [{**answer.json()[0], "state": "unchanged", "created": False}]
    # ... and prints what the API sends as text for it
    text = as_text(upload(seeded_api, ("bills-rise.txt", ARTICLE), headers=TEXT))
    assert text == cli_text(seeded, "source", "add", "bills-rise.txt")
    assert text == "bills-rise\talready stored, unchanged (2 paragraphs, 3 sentences)"


def test_uploads_tell_what_the_command_says_on_stderr(seeded_api: DeskApi, tmp_path: Path) -> None:
    answer = upload(seeded_api, ("aid.txt", SEED_2020.read_bytes()), data={"key": "aid"}, headers=TEXT)
    assert answer.status_code == 200 and "Location" not in answer.headers  # nothing new stored
    assert as_text(answer) == f"{MEDICAL}\talready stored, unchanged (9 paragraphs, 16 sentences)"
    assert answer.headers["Provenance-Notice"] == (
        f"aid.txt: the same text is already stored as {MEDICAL}; --key aid was not used"
    )
    # one file of several refused: the others are captured, each refusal told, as `source add` does
    before = row_counts(seeded_api.url)
    several = upload(seeded_api, ("bills-rise.txt", ARTICLE), ("empty.txt", b""), headers=TEXT)
    assert several.status_code == 201 and as_text(several) == ARTICLE_LINE
    assert several.headers["Provenance-Notice"] == "not captured: empty.txt is empty; give an article with text"
    assert several.headers["Provenance-Notice-1"] == (
        "1 of 2 files were not captured (reasons above); the other 1 were"
    )
    assert row_counts(seeded_api.url)["source"] == before["source"] + 1


def test_a_pasted_text_is_stored_as_an_inline_text_is(seeded_api: DeskApi, seeded: Provenance) -> None:
    pasted = seeded_api.post(
        f"{API}/sources",
        "researcher",
        json={"text": "The port reopened on Monday. Ships queued for a week.", "key": "port-note", "title": "Port"},
    )
    assert pasted.status_code == 201 and pasted.headers["Location"] == f"{API}/sources/port-note"
    assert pasted.json()[0] | {"text": None} == {
        "text": None,
        "captured": True,
        "key": "port-note",
        "state": "added",
        "created": True,
        "version": 1,
        "supersedes": None,
        "paragraphs": 1,
        "sentences": 2,
        "warnings": [],
        "not_a_version": None,
        "key_not_used": None,
        "reanchor": [],
    }
    shown = cli_json(seeded, "source", "show", "port-note")
    assert (shown["title"], shown["origin"], shown["characters"]) == ("Port", None, 53)
    # the article of a stored file, pasted, is that source's text
    same = seeded_api.post(f"{API}/sources", json={"text": SEED_2020.read_text(encoding="utf-8"), "key": "aid"})
    assert same.status_code == 200
    assert (same.json()[0]["key"], same.json()[0]["state"], same.json()[0]["key_not_used"]) == (
        MEDICAL,
        "unchanged",
        "aid",
    )
    line = refused(seeded_api, 422, "POST", f"{API}/sources", json={"text": "Words with no key."})
    assert line == "a source given as text needs a key"


def test_a_web_address_is_fetched_by_the_server_and_private_ones_refused(
    seeded_api: DeskApi, seeded: Provenance, monkeypatch: pytest.MonkeyPatch
) -> None:
    line = cli_error(seeded, "source", "add", "http://127.0.0.1:9/page.html")
    assert line.startswith("cannot fetch http://127.0.0.1:9/page.html: 127.0.0.1 is a loopback address")
    assert refused(seeded_api, 422, "POST", f"{API}/sources", json={"url": "http://127.0.0.1:9/page.html"}) == line

    asked: list[dict[str, Any]] = []
    page = b"<html><head><title>Bills</title></head><body><article><p>" + b"Energy bills rose again. " * 12
    page += b"</p></article></body></html>"

    def fetched(url: str, **options: Any) -> fetch.Fetched:
        asked.append({"url": url, **options})
        when = dt.datetime(2026, 5, 2, 9, 30, tzinfo=dt.UTC)
        return fetch.Fetched(url, url, when, 200, "OK", "text/html; charset=utf-8", None, None, page)

    monkeypatch.setattr(fetch, "fetch", fetched)
    address = "https://news.example.org/2026/bills.html"
    answer = seeded_api.post(f"{API}/sources", "researcher", json={"url": address, "reliability": "B"})
    assert answer.status_code == 201, answer.text
    assert asked[0]["allow_private"] is False and asked[0]["url"] == address
    [record] = answer.json()
    assert (record["url"], record["key"], record["state"], record["archive_file"]) == (address, "bills", "added", None)
    shown = cli_json(seeded, "source", "show", "bills")
    assert shown["web_capture"]["final_url"] == address and shown["reliability"] == "B"
    assert shown["original_sha256"] == hashlib.sha256(page).hexdigest()


def test_capture_needs_a_researcher_and_writes_nothing_when_refused(seeded_api: DeskApi) -> None:
    files = {"files": ("bills-rise.txt", ARTICLE, "text/plain")}
    line = refused(seeded_api, 403, "POST", f"{API}/sources", "viewer", files=files)
    assert line == (
        "viewer is a viewer and may not capture sources: that needs the researcher role or above (an admin changes "
        "roles with `provenance user role NAME ROLE`)"
    )
    assert refused(seeded_api, 403, "POST", f"{API}/sources", "viewer", json={"text": "x", "key": "x"}) == line
    assert refused(seeded_api, 401, "POST", f"{API}/sources", None, files=files).startswith("sign in first")


def test_bad_captures_are_one_line_each_and_write_nothing(
    seeded_api: DeskApi, seeded: Provenance, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("empty.txt").write_bytes(b"")
    Path("bills-rise.txt").write_bytes(ARTICLE)
    empty = refused(seeded_api, 422, "POST", f"{API}/sources", files={"files": ("empty.txt", b"", "text/plain")})
    assert empty == cli_error(seeded, "source", "add", "empty.txt") == "empty.txt is empty; give an article with text"
    bad_date = refused(
        seeded_api,
        422,
        "POST",
        f"{API}/sources",
        files={"files": ("bills-rise.txt", ARTICLE, "text/plain")},
        data={"published": "soon"},
    )
    assert bad_date == cli_error(seeded, "source", "add", "bills-rise.txt", "--published", "soon")
    two = [("files", ("a.txt", ARTICLE, "text/plain")), ("files", ("b.txt", b"Other words. More.", "text/plain"))]
    key_of_two = refused(seeded_api, 422, "POST", f"{API}/sources", files=two, data={"key": "one"})
    assert key_of_two == "--key names one source, but 2 files were given; give one file with it"

    unknown_field = refused(
        seeded_api, 422, "POST", f"{API}/sources", files={"files": ("a.txt", ARTICLE)}, data={"colour": "red"}
    )
    assert unknown_field == "unknown field 'colour'; leave it out (see /openapi.json for the fields)"
    unknown_json = refused(seeded_api, 422, "POST", f"{API}/sources", json={"text": "x", "key": "x", "colour": "red"})
    assert unknown_json == "unknown field 'colour'; leave it out (see /openapi.json for the fields)"
    usage = (
        "send files as multipart/form-data (one 'files' field per file), or JSON: {\"url\": ...} for a web page, "
        '{"text": ..., "key": ...} for a pasted text'
    )
    no_files = refused(seeded_api, 422, "POST", f"{API}/sources", data={"title": "T"}, files={"x": ("", b"")})
    assert no_files == "unknown field 'x'; leave it out (see /openapi.json for the fields)"
    assert refused(seeded_api, 422, "POST", f"{API}/sources", files={"title": (None, "T")}) == (
        f"no files were sent; {usage}"
    )
    both = refused(seeded_api, 422, "POST", f"{API}/sources", json={"url": "https://example.org/a", "text": "x"})
    assert both == f"give either 'url' or 'text' (not both); {usage}"
    assert refused(seeded_api, 422, "POST", f"{API}/sources", json={"key": "x"}) == (
        f"give either 'url' or 'text' (not both); {usage}"
    )
    plain = refused(seeded_api, 415, "POST", f"{API}/sources", content=b"words", headers={"Content-Type": "text/plain"})
    assert plain == f"the body is text/plain; {usage}"
    not_json = refused(
        seeded_api, 400, "POST", f"{API}/sources", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert not_json == "the request body is not valid JSON; send a JSON object (Content-Type: application/json)"
    nameless = refused(seeded_api, 422, "POST", f"{API}/sources", files={"files": ("/", ARTICLE, "text/plain")})
    assert nameless == "an uploaded file came without a file name; send each file with its name (e.g. article.txt)"


# --- retraction -----------------------------------------------------------------------------------------


def test_retraction_is_source_retract(seeded_api: DeskApi, seeded: Provenance) -> None:
    reason = "The publisher withdrew the article"
    missing = cli_error(seeded, "source", "retract", MEDICAL)
    assert refused(seeded_api, 422, "POST", f"{API}/sources/{MEDICAL}/retraction", json={}) == missing
    forbidden = refused(
        seeded_api, 403, "POST", f"{API}/sources/{MEDICAL}/retraction", "researcher", json={"reason": reason}
    )
    assert forbidden.startswith("researcher is a researcher and may not retract sources: that needs the editor role")

    answer = seeded_api.post(f"{API}/sources/{MEDICAL}/retraction", json={"reason": reason}, headers=TEXT)
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert as_text(answer) == f"{MEDICAL}\tretracted {today} by editor: {reason}"
    evidence = cli_json(seeded, "source", "retract", MEDICAL, "--undo", "--reason", "checking")["evidence"]
    assert answer.headers["Provenance-Notice"] == (
        f"claim show, reports and exports now mark the {evidence} evidence quoting {MEDICAL} as retracted"
    )
    again = seeded_api.post(f"{API}/sources/{MEDICAL}/retraction", json={"reason": reason})
    shown = cli_json(seeded, "source", "show", MEDICAL)
    assert again.json() == {**{k: v for k, v in shown.items() if k in again.json()}, "evidence": evidence}
    assert again.json()["retracted"]["by"] == "editor" and again.json()["retracted"]["reason"] == reason
    undone = seeded_api.post(
        f"{API}/sources/{MEDICAL}/retraction", json={"reason": "wrong source", "undo": True}, headers=TEXT
    )
    assert as_text(undone) == f"{MEDICAL}\treinstated"
    assert cli_json(seeded, "source", "show", MEDICAL)["retracted"] is None


# --- search ---------------------------------------------------------------------------------------------


def test_search_is_what_the_search_command_finds(seeded_api: DeskApi, seeded: Provenance) -> None:
    for query, options in [
        ('"nuclear materials" Pakistan', ()),
        ("india", ("--since", "2019-01-01", "--limit", "3")),
        ("korea", ("--source", KOREA, "--until", "2018-12-31")),
    ]:
        params = {"q": query, **{options[n][2:]: options[n + 1] for n in range(0, len(options), 2)}}
        found = seeded_api.get(f"{API}/search", "viewer", params=params)
        assert found.status_code == 200 and found.json() == cli_json(seeded, "search", query, *options)
        assert found.json(), query
        text = as_text(seeded_api.get(f"{API}/search", "viewer", params=params, headers=TEXT))
        assert text == cli_text(seeded, "search", query, *options)
    unknown = seeded_api.problem(seeded_api.get(f"{API}/search", params={"q": "india", "source": "nope"}), 404)
    assert unknown == cli_error(seeded, "search", "india", "--source", "nope")
    bad_date = seeded_api.problem(seeded_api.get(f"{API}/search", params={"q": "india", "since": "soon"}), 422)
    assert bad_date == cli_error(seeded, "search", "india", "--since", "soon")
    too_many = seeded_api.problem(seeded_api.get(f"{API}/search", params={"q": "india", "limit": 0}), 422)
    assert too_many.startswith("--limit must be from 1 to ")
    missing = seeded_api.problem(seeded_api.get(f"{API}/search"), 422)
    assert missing == "query.q: Field required"


# --- entities -------------------------------------------------------------------------------------------


def test_entity_list_and_show_are_what_the_commands_print(seeded_api: DeskApi, seeded: Provenance) -> None:
    listed = seeded_api.get(f"{API}/entities", "viewer")
    assert listed.json() == cli_json(seeded, "entity", "list") and len(listed.json()) > 3
    assert as_text(seeded_api.get(f"{API}/entities", "viewer", headers=TEXT)) == cli_text(seeded, "entity", "list")
    for name in ("North Korea", "north korea"):
        shown = seeded_api.get(f"{API}/entities/{name}", "viewer")
        assert shown.json() == cli_json(seeded, "entity", "show", name)
        text = as_text(seeded_api.get(f"{API}/entities/{name}", "viewer", headers=TEXT))
        assert text == cli_text(seeded, "entity", "show", name)
    unknown = seeded_api.problem(seeded_api.get(f"{API}/entities/Atlantis"), 404)
    assert unknown == cli_error(seeded, "entity", "show", "Atlantis")


def test_entities_are_added_aliased_and_merged_as_the_commands_do(seeded_api: DeskApi, seeded: Provenance) -> None:
    made = seeded_api.post(f"{API}/entities", "researcher", json={"name": "Mumbai", "aliases": ["Bombay"]})
    assert made.status_code == 201 and made.headers["Location"] == f"{API}/entities/Mumbai"
    assert made.json() == {"name": "Mumbai", "aliases": ["Bombay"], "claim_count": 0}
    assert seeded_api.get(f"{API}/entities/Bombay").json() == cli_json(seeded, "entity", "show", "Bombay")
    there = seeded_api.post(f"{API}/entities", "researcher", json={"name": "mumbai"}, headers=TEXT)
    assert there.status_code == 200 and there.text == "Mumbai (also: Bombay): 0 claims"

    taken = refused(seeded_api, 409, "POST", f"{API}/entities/India/aliases", json={"aliases": ["Bombay"]})
    assert taken == cli_error(seeded, "entity", "alias", "India", "Bombay")
    aliased = seeded_api.post(f"{API}/entities/North Korea/aliases", json={"aliases": ["DPRK"], "reason": "short"})
    assert aliased.json() == {"name": "North Korea", "aliases": ["DPRK"], "claim_count": 12}
    unaliased = seeded_api.request("DELETE", f"{API}/entities/aliases/DPRK", params={"reason": "ambiguous"})
    assert unaliased.json() == {"name": "North Korea", "aliases": [], "claim_count": 12}
    assert refused(seeded_api, 404, "DELETE", f"{API}/entities/aliases/DPRK") == cli_error(
        seeded, "entity", "unalias", "DPRK"
    )

    no_reason = refused(seeded_api, 422, "POST", f"{API}/entities/Mumbai/merge", json={"into": "India"})
    assert no_reason == "say why the two entities are one with --reason, e.g. --reason 'DPRK is North Korea'"
    merged = seeded_api.post(f"{API}/entities/Mumbai/merge", json={"into": "India", "reason": "a city of India"})
    assert merged.status_code == 200 and merged.headers["Location"] == f"{API}/entities/India"
    assert merged.json() == next(e for e in cli_json(seeded, "entity", "list") if e["name"] == "India")
    assert merged.json()["aliases"] == ["Bombay", "Mumbai"]

    forbidden = refused(seeded_api, 403, "POST", f"{API}/entities", "viewer", json={"name": "Delhi"})
    assert forbidden.startswith("viewer is a viewer and may not edit entities: that needs the researcher role")
    unknown = refused(seeded_api, 422, "POST", f"{API}/entities", json={"name": "Delhi", "kind": "city"})
    assert unknown == "unknown field 'kind'; leave it out (see /openapi.json for the fields)"
