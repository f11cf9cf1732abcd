"""The API's evidence, contradiction and suggestion routes: the same domain functions as the command line, so the
same quote gives the same characters, and every refusal is one problem line with nothing written."""

from __future__ import annotations

import json
from typing import Any

from conftest import DeskApi, Provenance, row_counts
from sqlalchemy import select

from provenance import db
from provenance.models import Source

KEY_2018 = "india-north-korea-2018"
TALKS = "talks-may-be-called-off"
OTHER = "dprk-denuclearisation-willingness"
EVIDENCE = "/api/v1/claims/{}/evidence"
NK = "North Korea"
# "North Korea" occurs 13 times in the 2018 article; the third is in this sentence.
POMPEO_PREFIX = "Mike Pompeo visited "
POMPEO_START = 163


def source_text(url: str, key: str) -> str:
    engine = db.make_engine(url)
    try:
        with db.session_scope(engine, readonly=True) as session:
            return str(session.scalar(select(Source.text).where(Source.key == key)))
    finally:
        engine.dispose()


def cli_evidence(seeded: Provenance, claim: str, *options: str) -> dict[str, Any]:
    record: dict[str, Any] = json.loads(
        seeded.ok("evidence", "add", claim, KEY_2018, "--stance", "mentions", "--json", *options).stdout
    )
    return record


def refused(api: DeskApi, path: str, status: int, who: str = "editor", **kwargs: Any) -> str:
    """The problem line of a POST that must be refused with ``status``, having written nothing."""
    api.get("/api/v1/contradictions", who, params={"limit": 1})  # a token's first use is logged: not counted here
    before = row_counts(api.url)
    line = api.problem(api.post(path, who, **kwargs), status)
    assert row_counts(api.url) == before
    return line


def test_a_quote_gets_the_characters_the_command_line_stores(seeded: Provenance, seeded_api: DeskApi) -> None:
    response = seeded_api.post(
        EVIDENCE.format(TALKS),
        "researcher",
        json={"source": KEY_2018, "quote": NK, "occurrence": 3, "stance": "mentions", "confidence": "likely"},
    )
    assert response.status_code == 201, response.text
    added = response.json()
    cli = cli_evidence(seeded, OTHER, "--quote", NK, "--occurrence", "3", "--confidence", "likely")
    assert added["passage"] == cli["passage"]
    assert (added["passage"]["char_start"], added["passage"]["char_end"]) == (POMPEO_START, POMPEO_START + len(NK))
    assert {k: v for k, v in added.items() if k not in ("claim", "evidence_id")} == {
        k: v for k, v in cli.items() if k not in ("claim", "evidence_id")
    }
    assert (added["claim"], added["anchor_method"], added["needs_review"]) == (TALKS, "exact_occurrence", False)
    assert response.headers["location"] == f"/api/v1/evidence/{added['evidence_id']}"
    shown = seeded_api.get(response.headers["location"], "viewer").json()
    assert (shown["evidence_id"], shown["claim"], shown["created_by"]) == (added["evidence_id"], TALKS, "researcher")
    listed = seeded_api.get(EVIDENCE.format(TALKS), "viewer").json()
    assert [e["evidence_id"] for e in listed][-1] == added["evidence_id"] and len(listed) == 2
    first = seeded_api.get(EVIDENCE.format(TALKS), "viewer", params={"limit": 1})
    assert first.json() == listed[:1]
    following = first.headers["link"].removeprefix("<").split(">;")[0]
    assert first.headers["link"].endswith('>; rel="next"')
    rest = seeded_api.get(following.removeprefix("http://testserver"), "viewer")
    assert rest.json() == listed[1:] and "link" not in rest.headers


def test_text_plain_is_what_evidence_add_prints(seeded: Provenance, seeded_api: DeskApi) -> None:
    response = seeded_api.post(
        EVIDENCE.format(TALKS),
        headers={"Accept": "text/plain"},
        json={"source": KEY_2018, "quote": NK, "prefix": POMPEO_PREFIX, "stance": "supports", "confidence": 0.7},
    )
    assert response.status_code == 201, response.text
    cli = seeded.ok(
        "evidence", "add", OTHER, KEY_2018, "--quote", NK, "--prefix", POMPEO_PREFIX, "--stance", "supports",
        "--confidence", "0.7",
    )  # fmt: skip
    line = f"{TALKS} <- {KEY_2018} characters {POMPEO_START}–{POMPEO_START + 11} (quote, supports)"
    assert response.text == line == cli.stdout.rstrip("\n").replace(OTHER, TALKS)
    # the command's stderr (what the evidence did to the likelihood) comes as a notice
    assert response.headers["provenance-notice"].startswith(f"computed likelihood of {TALKS}: likely (59 %) -> ")


def test_a_quote_selector_picks_what_prefix_and_suffix_pick(seeded: Provenance, seeded_api: DeskApi) -> None:
    selector = {"type": "TextQuoteSelector", "exact": NK, "prefix": POMPEO_PREFIX, "suffix": " for preparatory"}
    response = seeded_api.post(
        EVIDENCE.format(TALKS), json={"source": KEY_2018, "selector": [selector], "stance": "mentions"}
    )
    assert response.status_code == 201, response.text
    cli = cli_evidence(seeded, OTHER, "--quote", NK, "--prefix", POMPEO_PREFIX, "--suffix", " for preparatory")
    assert response.json()["passage"] == cli["passage"]
    assert response.json()["anchor_method"] == cli["anchor_method"] == "exact_context"


def test_a_position_selector_alone_quotes_the_text_at_those_code_points(seeded_api: DeskApi) -> None:
    text = source_text(seeded_api.url, KEY_2018)
    start = 535  # the fourth "North Korea": a position alone picks it among the 13
    selector = {"type": "TextPositionSelector", "start": start, "end": start + len(NK)}
    response = seeded_api.post(
        EVIDENCE.format(TALKS), json={"source": KEY_2018, "selector": selector, "stance": "mentions"}
    )
    assert response.status_code == 201, response.text
    added = response.json()
    assert (added["passage"]["char_start"], added["passage"]["char_end"]) == (start, start + 11)
    assert added["passage"]["text"] == text[start : start + 11] == NK
    assert (added["quote"], added["anchor_method"]) == (NK, "exact_occurrence")


def test_both_selectors_that_agree_are_taken(seeded_api: DeskApi) -> None:
    quote = "Pyongyang"
    text = source_text(seeded_api.url, KEY_2018)
    start = text.index(quote, text.index(quote) + 1)  # its second occurrence
    selectors = [
        {"type": "TextQuoteSelector", "exact": quote},
        {"type": "TextPositionSelector", "start": start, "end": start + len(quote)},
    ]
    response = seeded_api.post(
        EVIDENCE.format(TALKS), json={"source": KEY_2018, "selector": selectors, "stance": "mentions"}
    )
    assert response.status_code == 201, response.text
    assert response.json()["passage"]["char_start"] == start


def test_selectors_that_disagree_are_refused(seeded_api: DeskApi) -> None:
    selectors = [
        {"type": "TextQuoteSelector", "exact": "Pyongyang"},
        {"type": "TextPositionSelector", "start": POMPEO_START, "end": POMPEO_START + 11},
    ]
    line = refused(
        seeded_api,
        EVIDENCE.format(TALKS),
        422,
        json={"source": KEY_2018, "selector": selectors, "stance": "mentions"},
    )
    assert line == (
        f"the quote and its position select different text in source {KEY_2018!r}: characters 163-174 are "
        "'North Korea', the quote is 'Pyongyang'; give the quote's own position, or only one of them"
    )


def test_a_prefix_that_is_not_around_the_position_is_refused(seeded_api: DeskApi) -> None:
    selectors = [
        {"type": "TextQuoteSelector", "exact": NK, "prefix": "ties with "},
        {"type": "TextPositionSelector", "start": POMPEO_START, "end": POMPEO_START + 11},
    ]
    line = refused(
        seeded_api, EVIDENCE.format(TALKS), 422, json={"source": KEY_2018, "selector": selectors, "stance": "mentions"}
    )
    assert line.startswith(f"the prefix/suffix given are not the text around characters 163-174 of source {KEY_2018!r}")


def test_bad_selectors_and_quotes_are_refused_with_nothing_written(seeded_api: DeskApi) -> None:
    path = EVIDENCE.format(TALKS)
    cases: list[tuple[dict[str, Any], str]] = [
        (
            {"source": KEY_2018, "stance": "mentions", "selector": {"type": "CssSelector", "value": "p"}},
            "a selector of type 'CssSelector' is not taken here; give a TextQuoteSelector (exact, prefix, suffix) "
            "and/or a TextPositionSelector (start, end)",
        ),
        (
            {
                "source": KEY_2018,
                "stance": "mentions",
                "selector": {"type": "TextPositionSelector", "start": 5, "end": 5},
            },
            f"characters 5-5 are not a span of source {KEY_2018!r}, whose text has 2,682 characters; give a start "
            "below the end, both within the text",
        ),
        (
            {
                "source": KEY_2018,
                "stance": "mentions",
                "quote": NK,
                "selector": {"type": "TextQuoteSelector", "exact": NK},
            },
            "name the passage once: either quote (with prefix, suffix, occurrence) or selector, not both",
        ),
        (
            {"source": KEY_2018, "stance": "mentions"},
            "say which passage: give quote (the source's exact words) or a W3C selector (TextQuoteSelector and/or "
            "TextPositionSelector)",
        ),
        (
            {"source": "no-such-source", "stance": "mentions", "quote": NK},
            "no source 'no-such-source'; `provenance source list` shows the keys",
        ),
        (
            {"source": KEY_2018, "stance": "endorses", "quote": "Pyongyang's proposed talks"},
            "unknown stance 'endorses'; use one of: supports, contradicts, mentions",
        ),
        (
            {"source": KEY_2018, "stance": "mentions", "quote": "Kim Jong Un visited New Delhi"},
            f"quote not found in source {KEY_2018!r}; the closest text it has (similarity 80/100, characters "
            "905-931) is: 'Yong had visited New Delhi'; quote the source exactly, or add --accept-fuzzy to store that "
            "text marked for review",
        ),
        (
            {"source": KEY_2018, "stance": "mentions", "quote": NK, "unknown": 1},
            "unknown field 'unknown'; leave it out (see /openapi.json for the fields)",
        ),
    ]
    text = source_text(seeded_api.url, KEY_2018)
    assert len(text) == 2682
    for body, expected in cases:
        line = refused(seeded_api, path, 422, json=body)
        assert line.startswith(expected), (body, line)


def test_a_claim_that_is_not_there_is_404(seeded_api: DeskApi) -> None:
    line = refused(
        seeded_api, EVIDENCE.format("no-such-claim"), 404, json={"source": KEY_2018, "quote": NK, "stance": "mentions"}
    )
    assert line.startswith("no claim 'no-such-claim'")


def test_if_match_must_be_the_claims_version(seeded_api: DeskApi) -> None:
    claim = seeded_api.get(f"/api/v1/claims/{TALKS}", "viewer")
    version = claim.json()["version"]
    assert claim.headers["etag"] == f'"{version}"'
    body = {"source": KEY_2018, "quote": NK, "occurrence": 1, "stance": "mentions"}
    stale = seeded_api.post(EVIDENCE.format(TALKS), headers={"If-Match": f'"{version + 1}"'}, json=body)
    seeded_api.problem(stale, 412)
    assert stale.json()["current_version"] == version
    line = refused(seeded_api, EVIDENCE.format(TALKS), 422, headers={"If-Match": "3"}, json=body)
    assert line.startswith("If-Match takes the claim's ETag as it was read, e.g. \"3\" (with the quotes), not '3'")
    fresh = seeded_api.post(EVIDENCE.format(TALKS), headers={"If-Match": f'"{version}"'}, json=body)
    assert fresh.status_code == 201, fresh.text


def test_a_viewer_may_not_add_evidence(seeded_api: DeskApi) -> None:
    line = refused(
        seeded_api, EVIDENCE.format(TALKS), 403, "viewer", json={"source": KEY_2018, "quote": NK, "stance": "mentions"}
    )
    assert line == (
        "viewer is a viewer and may not add evidence: that needs the researcher role or above (an admin changes "
        "roles with `provenance user role NAME ROLE`)"
    )


def test_evidence_that_needs_review_is_confirmed_by_a_reviewer(seeded_api: DeskApi) -> None:
    fuzzy = {
        "source": KEY_2018,
        "quote": "North Korean officers reportedly claimed the talks may be called off",
        "stance": "supports",
        "accept_fuzzy": True,
    }
    added = seeded_api.post(EVIDENCE.format(OTHER), "researcher", json=fuzzy)
    assert added.status_code == 201, added.text
    evidence_id = added.json()["evidence_id"]
    assert added.json()["needs_review"] is True and added.json()["anchor_method"] == "fuzzy"
    assert added.headers["provenance-notice"].startswith("accepted a fuzzy match ")
    path = f"/api/v1/evidence/{evidence_id}/confirmation"
    line = refused(seeded_api, path, 403, "researcher", json={"note": "same words"})
    assert line.startswith("researcher is a researcher and may not confirm evidence")
    confirmed = seeded_api.post(path, "reviewer", json={"note": "same words; claimed/claiming"})
    assert (confirmed.status_code, confirmed.json()) == (
        200,
        {"evidence_id": evidence_id, "claim": OTHER, "needs_review": False},
    )
    again = refused(seeded_api, path, 409, "reviewer", json={"note": "again"})
    assert again == f"evidence {evidence_id} (fuzzy match) was reviewed already; nothing to confirm"
    text = seeded_api.get(f"/api/v1/evidence/{evidence_id}", "viewer").json()
    assert text["needs_review"] is False


# --- contradictions and suggestions --------------------------------------------------------------------


def test_contradictions_are_recorded_listed_and_decided(seeded_api: DeskApi) -> None:
    listed = seeded_api.get("/api/v1/contradictions", "viewer").json()
    assert [c["claims"] for c in listed] == [[OTHER, TALKS]]
    body = {"claims": ["suntech-diversion", "rodong-transfer"], "kind": "attribution", "note": "Who says so"}
    viewer = refused(seeded_api, "/api/v1/contradictions", 403, "viewer", json=body)
    assert viewer.startswith("viewer is a viewer and may not record contradictions and suggestions")
    added = seeded_api.post("/api/v1/contradictions", "researcher", json=body)
    assert added.status_code == 201, added.text
    record = added.json()
    assert (record["claims"], record["kind"], record["status"], record["note"]) == (
        ["suntech-diversion", "rodong-transfer"],
        "attribution",
        "open",
        "Who says so",
    )
    assert added.headers["location"] == f"/api/v1/contradictions/{record['id']}"
    assert seeded_api.get(added.headers["location"], "viewer").json() == record
    again = refused(seeded_api, "/api/v1/contradictions", 409, json=body)
    assert again == "claims 'suntech-diversion' and 'rodong-transfer' are already recorded as contradicting each other"

    decision = f"/api/v1/contradictions/{record['id']}/decision"
    refused(seeded_api, decision, 403, "researcher", json={"decision": "resolve", "note": "x"})
    no_note = refused(seeded_api, decision, 422, "reviewer", json={"decision": "resolve"})
    assert no_note.startswith(
        "resolving the contradiction between 'suntech-diversion' and 'rodong-transfer' needs a note"
    )
    resolved = seeded_api.post(decision, "reviewer", json={"decision": "resolve", "note": "Different years"})
    assert (resolved.status_code, resolved.json()["status"], resolved.json()["resolution"]) == (
        200,
        "resolved",
        "Different years",
    )
    twice = refused(seeded_api, decision, 409, "reviewer", json={"decision": "dismiss", "note": "no"})
    assert twice.startswith("the contradiction between 'suntech-diversion' and 'rodong-transfer' is already resolved")
    assert seeded_api.problem(seeded_api.get("/api/v1/contradictions/999", "viewer"), 404).startswith(
        "no contradiction 999"
    )
    open_only = seeded_api.get("/api/v1/contradictions", "viewer", params={"status": "open"}).json()
    assert [c["claims"] for c in open_only] == [[OTHER, TALKS]]


def test_suggestions_are_detected_listed_and_decided(seeded: Provenance, seeded_api: DeskApi) -> None:
    detected = seeded_api.post("/api/v1/suggestions", "researcher", json={})
    assert detected.status_code == 200, detected.text
    cli = json.loads(seeded.ok("contradictions", "suggestions", "--json").stdout)
    assert [s["id"] for s in detected.json()] == [s["id"] for s in cli]
    assert detected.json() == cli
    listed = seeded_api.get("/api/v1/suggestions", "viewer")
    assert listed.json() == cli
    if not cli:
        return
    first = cli[0]["id"]
    decision = f"/api/v1/suggestions/{first}/decision"
    no_note = refused(seeded_api, decision, 422, "reviewer", json={"decision": "dismiss"})
    assert no_note == f'dismissing suggestion {first} needs a note saying why; add --note "..."'
    dismissed = seeded_api.post(decision, "reviewer", json={"decision": "dismiss", "note": "Different things"})
    assert (dismissed.json()["status"], dismissed.json()["note"]) == ("dismissed", "Different things")
    decided = seeded_api.get("/api/v1/suggestions", "viewer", params={"status": "dismissed"}).json()
    assert [s["id"] for s in decided] == [first]
    bad = seeded_api.problem(seeded_api.get("/api/v1/suggestions", "viewer", params={"status": "maybe"}), 422)
    assert bad == "unknown suggestion status 'maybe'; use one of: open, confirmed, dismissed"
