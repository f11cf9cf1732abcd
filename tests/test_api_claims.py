"""The claims routes of the desk's server: the list with the board's filters and its pages, show, create, and a
change of the analyst's likelihood guarded by If-Match; each answers what the command line prints for the same
request (``--json`` for JSON, its stdout for text/plain)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import DeskApi, Provenance, row_counts
from sqlalchemy import select

from provenance import db
from provenance.models import Event, Identity

pytestmark = pytest.mark.filterwarnings("ignore:Using .httpx. with .starlette.testclient. is deprecated")

CLAIMS = "/api/v1/claims"
TEXT = {"Accept": "text/plain"}
SUNTECH = "suntech-diversion"
KEY_2020 = "india-medical-aid-2020"
REAL = "India on Friday extended medical assistance worth $ 1 million to North Korea"
TYPO = REAL.replace("assistance", "assistence")


def cli_json(seeded: Provenance, *args: str) -> Any:
    return json.loads(seeded.ok(*args, "--json").stdout)


def cli_text(seeded: Provenance, *args: str) -> str:
    """What the command prints on stdout, without its final newline (as the server answers it)."""
    return seeded.ok(*args).stdout.removesuffix("\n")


def last_event(seeded: Provenance) -> tuple[str, str, str, Identity]:
    """The log's latest event: its action, subject, actor and how the actor was known."""
    engine = db.make_engine(seeded.url)
    try:
        with db.session_scope(engine, readonly=True) as session:
            event = session.scalars(select(Event).order_by(Event.id.desc()).limit(1)).one()
            return event.action, event.subject_key, event.actor, event.identity
    finally:
        engine.dispose()


def counts(api: DeskApi, *who: str) -> dict[str, int]:
    """The rows of every table, once each of ``who`` (and the editor, who reads versions) has used their token (whose
    first use is logged)."""
    for name in ("editor", *who):
        assert api.get("/api/v1/board", who=name).status_code == 200
    return row_counts(api.url)


def keys(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [record["key"] for record in response.json()]


# --- the list -------------------------------------------------------------------------------------------


def test_the_list_is_what_claim_list_prints(seeded_api: DeskApi, seeded: Provenance) -> None:
    answered = seeded_api.get(CLAIMS, who="viewer")
    assert answered.status_code == 200 and "Link" not in answered.headers
    assert answered.json() == cli_json(seeded, "claim", "list")
    assert len(answered.json()) == 12
    assert seeded_api.get(CLAIMS, who="viewer", headers=TEXT).text == cli_text(seeded, "claim", "list")


def test_the_list_about_an_entity_and_searched_is_what_claim_list_prints(
    seeded_api: DeskApi, seeded: Provenance
) -> None:
    params = {"about": "Pakistan", "search": "missile*"}
    answered = seeded_api.get(CLAIMS, params=params)
    assert keys(answered) == ["rodong-transfer"]
    assert answered.json() == cli_json(seeded, "claim", "list", "--about", "Pakistan", "--search", "missile*")
    shown = seeded_api.get(CLAIMS, params=params, headers=TEXT).text
    assert shown == cli_text(seeded, "claim", "list", "--about", "Pakistan", "--search", "missile*")
    nothing = seeded_api.get(CLAIMS, params={"about": "India", "search": "missile*"}, headers=TEXT)
    assert nothing.text == "No claim matches --about 'India' and --search 'missile*'."
    assert nothing.text == cli_text(seeded, "claim", "list", "--about", "India", "--search", "missile*")


def test_walking_the_pages_of_two_gives_every_claim_once_in_key_order(seeded_api: DeskApi, seeded: Provenance) -> None:
    every = [record["key"] for record in cli_json(seeded, "claim", "list")]
    walked: list[str] = []
    pages = 0
    address: str | None = f"{CLAIMS}?limit=2"
    while address is not None:
        answered = seeded_api.get(address)
        page = keys(answered)
        assert len(page) == 2
        walked += page
        pages += 1
        link = answered.headers.get("Link")
        address = link.split(">")[0].removeprefix("<") if link else None
        if link:
            assert link.endswith('>; rel="next"') and "limit=2" in link
    assert pages == 6
    assert walked == every == sorted(every)


def test_a_page_in_text_is_the_table_of_its_claims(seeded_api: DeskApi) -> None:
    shown = seeded_api.get(CLAIMS, params={"limit": 2}, headers=TEXT)
    lines = shown.text.splitlines()
    assert lines[0].split()[:5] == ["key", "status", "likelihood", "computed", "about"]
    assert [line.split()[0] for line in lines[2:]] == ["dprk-denuclearisation-willingness", "india-embassy-stays-open"]
    assert shown.headers["Link"].startswith("<http://testserver/api/v1/claims?")


def test_a_cursor_not_given_out_is_refused(seeded_api: DeskApi) -> None:
    line = seeded_api.problem(seeded_api.get(CLAIMS, params={"cursor": "not-a-cursor"}), 422)
    assert line == "the cursor is not one this server gave out; start again without it and follow the Link headers"
    assert seeded_api.problem(seeded_api.get(CLAIMS, params={"limit": 0}), 422) == (
        "limit must be between 1 and 1000, not 0"
    )


def test_the_boards_filters(seeded_api: DeskApi, seeded: Provenance) -> None:
    seeded.ok("claim", "assign", SUNTECH, "--to", "Editor")
    seeded.ok("review", "rodong-transfer", "--status", "in progress")
    seeded.ok("claim", "add", "aid-typo", "India sent medicines to North Korea")
    seeded.ok("evidence", "add", "aid-typo", KEY_2020, "--quote", TYPO, "--stance", "supports", "--accept-fuzzy")
    assert keys(seeded_api.get(CLAIMS, params={"status": "in progress"})) == ["rodong-transfer"]
    assert keys(seeded_api.get(CLAIMS, params={"status": "unstarted", "about": "Pakistan"})) == [
        "khan-bribery-claim",
        "khan-trade-2003",
        "pak-nk-cooperation-continuing",
        SUNTECH,
    ]
    # names are free text: "Editor" is the account editor
    assert keys(seeded_api.get(CLAIMS, params={"assignee": "editor"})) == [SUNTECH]
    assert keys(seeded_api.get(CLAIMS, who="editor", params={"mine": "true"})) == [SUNTECH]
    assert keys(seeded_api.get(CLAIMS, who="reviewer", params={"mine": "true"})) == []
    nothing = seeded_api.get(CLAIMS, who="reviewer", params={"mine": "true"}, headers=TEXT)
    assert nothing.text == "No claim matches --assignee 'reviewer'."
    assert keys(seeded_api.get(CLAIMS, params={"needs_review": "true"})) == ["aid-typo"]
    assert keys(seeded_api.get(CLAIMS, params={"open_contradictions": "true"})) == [
        "dprk-denuclearisation-willingness",
        "talks-may-be-called-off",
    ]
    filtered = seeded_api.get(CLAIMS, params={"open_contradictions": "true", "search": "talks"})
    assert filtered.json() == [r for r in cli_json(seeded, "claim", "list") if r["key"] == "talks-may-be-called-off"]


def test_a_filter_it_cannot_read_is_one_line(seeded_api: DeskApi) -> None:
    assert seeded_api.problem(seeded_api.get(CLAIMS, params={"status": "done"}), 422) == (
        "unknown status 'done'; use one of: unstarted, in progress, in review, published, inconclusive, withdrawn"
    )
    assert seeded_api.problem(seeded_api.get(CLAIMS, params={"mine": "true", "assignee": "x"}), 422) == (
        "give assignee=NAME or mine=true, not both"
    )
    assert seeded_api.problem(seeded_api.get(CLAIMS, params={"about": "Atlantis"}), 404).startswith(
        "no entity 'Atlantis'; claims are about: "
    )


# --- show -----------------------------------------------------------------------------------------------


def test_show_is_what_claim_show_prints_with_the_version_as_etag(seeded_api: DeskApi, seeded: Provenance) -> None:
    answered = seeded_api.get(f"{CLAIMS}/{SUNTECH}", who="viewer")
    assert answered.status_code == 200
    assert answered.json() == cli_json(seeded, "claim", "show", SUNTECH)
    assert answered.headers["ETag"] == f'"{answered.json()["version"]}"'
    explained = seeded_api.get(f"{CLAIMS}/{SUNTECH}", params={"explain": "true"})
    assert explained.json() == cli_json(seeded, "claim", "show", SUNTECH, "--explain")
    assert seeded_api.get(f"{CLAIMS}/{SUNTECH}", headers=TEXT).text == cli_text(seeded, "claim", "show", SUNTECH)
    text_explained = seeded_api.get(f"{CLAIMS}/{SUNTECH}", params={"explain": "true"}, headers=TEXT).text
    assert text_explained == cli_text(seeded, "claim", "show", SUNTECH, "--explain")


def test_an_unknown_claim_is_404_with_the_command_lines_line(seeded_api: DeskApi, seeded: Provenance) -> None:
    line = seeded_api.problem(seeded_api.get(f"{CLAIMS}/no-such-claim"), 404)
    assert line == "no claim 'no-such-claim'; `provenance claim list` shows the keys"
    assert seeded.fails("claim", "show", "no-such-claim") == f"Error: {line}"


def test_nobody_signed_in_reads_nothing(seeded_api: DeskApi) -> None:
    assert seeded_api.problem(seeded_api.get(CLAIMS, who=None), 401).startswith("sign in first: ")


# --- create ---------------------------------------------------------------------------------------------


def test_a_researcher_adds_a_claim_201_with_location_and_etag(seeded_api: DeskApi, seeded: Provenance) -> None:
    before = row_counts(seeded.url)
    body = {"key": "aid-2021", "statement": "India sent more aid in 2021", "about": ["India", "North Korea"]}
    answered = seeded_api.post(CLAIMS, who="researcher", json=body)
    assert answered.status_code == 201, answered.text
    assert answered.headers["Location"] == "/api/v1/claims/aid-2021"
    assert answered.headers["ETag"] == '"1"'
    listed = [r for r in cli_json(seeded, "claim", "list") if r["key"] == "aid-2021"]
    assert answered.json() == listed[0]
    assert (answered.json()["about"], answered.json()["status"]) == (["India", "North Korea"], "unstarted")
    after = row_counts(seeded.url)
    assert (after["claim"], after["event"]) == (before["claim"] + 1, before["event"] + 2)  # with the token's use
    assert last_event(seeded) == ("claim.add", "aid-2021", "researcher", Identity.TOKEN)
    shown = seeded_api.get(answered.headers["Location"]).json()
    assert shown["statement"] == "India sent more aid in 2021"


def test_adding_in_text_prints_the_key(seeded_api: DeskApi) -> None:
    body = {"key": "aid-2022", "statement": "India sent more aid in 2022"}
    answered = seeded_api.post(CLAIMS, who="researcher", json=body, headers=TEXT)
    assert (answered.status_code, answered.text) == (201, "aid-2022")


def test_a_viewer_cannot_add_a_claim_and_nothing_is_written(seeded_api: DeskApi, seeded: Provenance) -> None:
    before = counts(seeded_api, "viewer")
    answered = seeded_api.post(CLAIMS, who="viewer", json={"key": "x-claim", "statement": "Something"})
    assert seeded_api.problem(answered, 403) == (
        "viewer is a viewer and may not add and edit claims: that needs the researcher role or above (an admin "
        "changes roles with `provenance user role NAME ROLE`)"
    )
    assert row_counts(seeded.url) == before


def test_a_researcher_cannot_add_a_claim_with_a_verdict(seeded_api: DeskApi, seeded: Provenance) -> None:
    before = counts(seeded_api, "researcher")
    body = {"key": "x-claim", "statement": "Something", "verdict": "true"}
    assert seeded_api.problem(seeded_api.post(CLAIMS, who="researcher", json=body), 403) == (
        "researcher is a researcher and may not set verdicts: that needs the reviewer role or above (an admin "
        "changes roles with `provenance user role NAME ROLE`)"
    )
    assert row_counts(seeded.url) == before


def test_a_used_key_and_an_unknown_field_are_refused_with_one_line(seeded_api: DeskApi, seeded: Provenance) -> None:
    before = counts(seeded_api, "editor")
    used = seeded_api.post(CLAIMS, json={"key": SUNTECH, "statement": "Again"})
    assert seeded_api.problem(used, 409) == seeded.fails("claim", "add", SUNTECH, "Again").removeprefix("Error: ")
    unknown = seeded_api.post(CLAIMS, json={"key": "x-claim", "statement": "Something", "status": "published"})
    assert seeded_api.problem(unknown, 422) == "unknown field 'status'; leave it out (see /openapi.json for the fields)"
    missing = seeded_api.post(CLAIMS, json={"key": "x-claim"})
    assert seeded_api.problem(missing, 422) == "statement: Field required"
    assert row_counts(seeded.url) == before


# --- change: the analyst's likelihood, under If-Match ---------------------------------------------------


def patch(api: DeskApi, key: str, body: dict[str, Any], version: str | None, who: str = "researcher", **kw: Any) -> Any:
    headers = {**kw.pop("headers", {}), **({"If-Match": version} if version is not None else {})}
    return api.request("PATCH", f"{CLAIMS}/{key}", who, json=body, headers=headers, **kw)


def test_setting_the_likelihood_answers_what_claim_confidence_prints_and_the_new_etag(
    seeded_api: DeskApi, seeded: Provenance
) -> None:
    printed = cli_text(seeded, "claim", "confidence", SUNTECH, "very unlikely", "--reason", "Denied by the ministry")
    printed_json = cli_json(seeded, "claim", "confidence", SUNTECH, "--clear", "--reason", "Wait")
    version = seeded_api.get(f"{CLAIMS}/{SUNTECH}").headers["ETag"]
    assert version == f'"{printed_json["version"]}"'
    body = {"likelihood": "very unlikely", "reason": "Denied by the ministry"}
    answered = patch(seeded_api, SUNTECH, body, version, headers=TEXT)
    assert answered.status_code == 200 and answered.text == printed
    assert answered.headers["ETag"] == f'"{printed_json["version"] + 1}"'
    assert "Provenance-Notice" not in answered.headers
    again = patch(seeded_api, SUNTECH, body, answered.headers["ETag"])
    assert again.status_code == 200 and again.json()["changed"] is False
    assert again.headers["ETag"] == answered.headers["ETag"]
    assert again.headers["Provenance-Notice"] == (
        "claim 'suntech-diversion' already had that likelihood and reason; nothing changed"
    )
    listed = [r for r in cli_json(seeded, "claim", "list") if r["key"] == SUNTECH]
    assert again.json() == {**listed[0], "changed": False}
    assert listed[0]["confidence"]["term"] == "very unlikely"
    (logged, *_) = cli_json(seeded, "history", SUNTECH)
    assert (logged["action"], logged["actor"], logged["reason"]) == (
        "claim.confidence",
        "researcher",
        "Denied by the ministry",
    )


def test_clearing_the_likelihood(seeded_api: DeskApi, seeded: Provenance) -> None:
    version = seeded_api.get(f"{CLAIMS}/{SUNTECH}").headers["ETag"]
    answered = patch(seeded_api, SUNTECH, {"clear": True, "reason": "Wait for the ministry"}, version)
    assert answered.status_code == 200 and answered.json()["confidence"] is None
    assert answered.json()["changed"] is True


def test_a_change_without_if_match_is_428_and_writes_nothing(seeded_api: DeskApi, seeded: Provenance) -> None:
    before = counts(seeded_api, "researcher")
    answered = patch(seeded_api, SUNTECH, {"likelihood": "likely", "reason": "r"}, None)
    assert seeded_api.problem(answered, 428) == (
        'send If-Match: "N" with the version from the claim\'s ETag (GET /api/v1/claims/KEY gives it), so that a '
        "change made meanwhile by someone else is not overwritten"
    )
    assert row_counts(seeded.url) == before


@pytest.mark.parametrize("given", ["3", 'W/"1"', "*", '"1", "2"', '"0"', '"x"', '"1234567890123456789"'])
def test_an_if_match_that_is_not_one_version_is_400(seeded_api: DeskApi, seeded: Provenance, given: str) -> None:
    before = counts(seeded_api, "researcher")
    answered = patch(seeded_api, SUNTECH, {"likelihood": "likely", "reason": "r"}, given)
    assert seeded_api.problem(answered, 400) == (
        f'If-Match must be one claim version in quotes, as the claim\'s ETag gives it (e.g. "3"), not {given!r}'
    )
    assert row_counts(seeded.url) == before


def test_a_stale_version_is_412_with_the_current_one_and_writes_nothing(
    seeded_api: DeskApi, seeded: Provenance
) -> None:
    read = seeded_api.get(f"{CLAIMS}/{SUNTECH}").headers["ETag"]
    seeded.ok("claim", "assign", SUNTECH, "--to", "Ana Lima")  # someone changes it meanwhile
    current = int(read.strip('"')) + 1
    before = counts(seeded_api, "researcher")
    answered = patch(seeded_api, SUNTECH, {"likelihood": "likely", "reason": "r"}, read)
    assert seeded_api.problem(answered, 412) == (
        f"claim 'suntech-diversion' is at version {current}, not {current - 1} as expected: it was changed since "
        "you read it; re-read it with `provenance claim show suntech-diversion` and try again"
    )
    assert answered.json()["current_version"] == current
    assert answered.headers["ETag"] == f'"{current}"'
    assert row_counts(seeded.url) == before
    assert cli_json(seeded, "claim", "show", SUNTECH)["confidence"]["term"] == "unlikely"


def test_a_change_the_domain_refuses_is_one_line_and_writes_nothing(seeded_api: DeskApi, seeded: Provenance) -> None:
    version = seeded_api.get(f"{CLAIMS}/{SUNTECH}").headers["ETag"]
    before = counts(seeded_api, "researcher", "viewer")
    no_reason = patch(seeded_api, SUNTECH, {"likelihood": "likely"}, version)
    assert seeded_api.problem(no_reason, 422) == seeded.fails("claim", "confidence", SUNTECH, "likely").removeprefix(
        "Error: "
    )
    viewer = patch(seeded_api, SUNTECH, {"likelihood": "likely", "reason": "r"}, version, who="viewer")
    assert seeded_api.problem(viewer, 403).startswith("viewer is a viewer and may not add and edit claims")
    unknown = patch(seeded_api, "no-such-claim", {"likelihood": "likely", "reason": "r"}, '"1"')
    assert seeded_api.problem(unknown, 404) == "no claim 'no-such-claim'; `provenance claim list` shows the keys"
    statement = patch(seeded_api, SUNTECH, {"statement": "Something else"}, version)
    assert seeded_api.problem(statement, 422) == (
        "unknown field 'statement'; leave it out (see /openapi.json for the fields)"
    )
    assert row_counts(seeded.url) == before
