"""The workflow routes of the desk's server: reviewing a claim (status and verdict) under If-Match, the demo's path
from a researcher's claim to an editor's publishing (in a desk of declared and of verified identities), who may
do what, assigning, the board and the log; each answers what the command line prints for the same request."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import DeskApi, Provenance, row_counts

from provenance import workflow
from provenance.models import Verdict

pytestmark = pytest.mark.filterwarnings("ignore:Using .httpx. with .starlette.testclient. is deprecated")

TEXT = {"Accept": "text/plain"}
SUNTECH = "suntech-diversion"
RODONG = "rodong-transfer"
KEY_2020 = "india-medical-aid-2020"
QUOTE = "India on Friday extended medical assistance worth $ 1 million to North Korea"
NEW = "aid-2020-medicines"


def cli_json(seeded: Provenance, *args: str) -> Any:
    return json.loads(seeded.ok(*args, "--json").stdout)


def cli_text(seeded: Provenance, *args: str) -> str:
    """What the command prints on stdout, without its final newline (as the server answers it)."""
    return seeded.ok(*args).stdout.removesuffix("\n")


def counts(api: DeskApi, *who: str) -> dict[str, int]:
    """The rows of every table, once each of ``who`` (and the editor, who reads versions) has used their token (whose
    first use is logged)."""
    for name in ("editor", *who):
        assert api.get("/api/v1/board", who=name).status_code == 200
    return row_counts(api.url)


def version(api: DeskApi, key: str) -> str:
    etag: str = api.get(f"/api/v1/claims/{key}").headers["ETag"]
    return etag


def review(
    api: DeskApi,
    key: str,
    who: str,
    *,
    if_match: str | None = "read",
    headers: dict[str, str] | None = None,
    **body: str,
) -> Any:
    """POST a review of ``key`` as ``who``, with If-Match the claim's current version (or ``if_match`` as given)."""
    sent = dict(headers or {})
    if if_match is not None:
        sent["If-Match"] = version(api, key) if if_match == "read" else if_match
    return api.post(f"/api/v1/claims/{key}/review", who=who, json=body, headers=sent)


def assign(api: DeskApi, key: str, who: str, *, headers: dict[str, str] | None = None, **body: Any) -> Any:
    sent = {"If-Match": version(api, key), **(headers or {})}
    return api.post(f"/api/v1/claims/{key}/assignment", who=who, json=body, headers=sent)


# --- review ---------------------------------------------------------------------------------------------


def test_a_review_answers_what_review_prints_and_the_new_etag(seeded_api: DeskApi, seeded: Provenance) -> None:
    printed = cli_json(seeded, "review", RODONG, "--status", "in progress", "--verdict", "unproven")
    read = version(seeded_api, SUNTECH)
    answered = review(seeded_api, SUNTECH, "reviewer", status="in progress", verdict="unproven", if_match=read)
    assert answered.status_code == 200, answered.text
    rating = workflow.RATING_SCALE[Verdict.UNPROVEN]
    assert answered.json() == {
        **printed,
        "key": SUNTECH,
        "verdict_by": "reviewer",
        "version": int(read.strip('"')) + 1,
        "rating": rating,
    }
    assert answered.headers["ETag"] == f'"{int(read.strip(chr(34))) + 1}"'
    shown = review(seeded_api, SUNTECH, "reviewer", status="in review", headers=TEXT)
    assert shown.text == f"{SUNTECH}\tin progress -> in review; verdict: unproven (by reviewer)"
    assert "Provenance-Notice" not in shown.headers
    printed_text = cli_text(seeded, "review", RODONG, "--status", "in review")
    assert printed_text == f"{RODONG}\tin progress -> in review; verdict: unproven (by {printed['verdict_by']})"


def test_a_review_that_changes_nothing_says_so(seeded_api: DeskApi, seeded: Provenance) -> None:
    review(seeded_api, SUNTECH, "reviewer", status="in progress", verdict="unproven")
    before = counts(seeded_api, "reviewer")
    again = review(seeded_api, SUNTECH, "reviewer", status="in progress", verdict="unproven", headers=TEXT)
    assert again.status_code == 200
    assert again.text == f"{SUNTECH}\tin progress; verdict: unproven (by reviewer)"
    assert again.headers["Provenance-Notice"] == (
        "claim 'suntech-diversion' is already in progress with verdict unproven; nothing changed"
    )
    assert row_counts(seeded.url) == before


def test_the_demo_path_researcher_adds_reviewer_sets_the_verdict_editor_publishes(
    seeded_api: DeskApi, seeded: Provenance
) -> None:
    added = seeded_api.post(
        "/api/v1/claims",
        who="researcher",
        json={"key": NEW, "statement": "India sent North Korea medicines in 2020", "about": ["India"]},
    )
    assert added.status_code == 201
    seeded.ok("evidence", "add", NEW, KEY_2020, "--quote", QUOTE, "--stance", "supports")
    before = counts(seeded_api, "researcher")
    refused = review(seeded_api, NEW, "researcher", verdict="true")
    assert seeded_api.problem(refused, 403) == (
        "researcher is a researcher and may not move claims through review: that needs the reviewer role or above "
        "(an admin changes roles with `provenance user role NAME ROLE`)"
    )
    assert row_counts(seeded.url) == before
    assert review(seeded_api, NEW, "reviewer", status="in progress").status_code == 200
    in_review = review(seeded_api, NEW, "reviewer", status="in review", verdict="mostly true")
    assert (in_review.json()["status"], in_review.json()["verdict_by"]) == ("in_review", "reviewer")
    before = counts(seeded_api, "reviewer")
    by_reviewer = review(seeded_api, NEW, "reviewer", status="published", note="sources re-read")
    assert seeded_api.problem(by_reviewer, 403) == (
        "reviewer is a reviewer and may not publish: that needs the editor role or above (an admin changes roles "
        "with `provenance user role NAME ROLE`)"
    )
    assert row_counts(seeded.url) == before
    published = review(seeded_api, NEW, "editor", status="published", note="sources re-read", headers=TEXT)
    assert published.status_code == 200, published.text
    assert published.text == f"{NEW}\tin review -> published; verdict: mostly true (by reviewer)"
    shown = cli_json(seeded, "claim", "show", NEW)
    assert (shown["status"], shown["verdict"], shown["verdict_by"]) == ("published", "mostly_true", "reviewer")
    (logged, *_) = cli_json(seeded, "history", "--claim", NEW)
    assert (logged["action"], logged["actor"], logged["reason"]) == ("claim.review", "editor", "sources re-read")


def test_whoever_set_the_verdict_cannot_publish_it(seeded_api: DeskApi, seeded: Provenance) -> None:
    review(seeded_api, SUNTECH, "editor", status="in progress")
    review(seeded_api, SUNTECH, "editor", status="in review", verdict="false")
    before = counts(seeded_api, "editor")
    same = review(seeded_api, SUNTECH, "editor", status="published", note="checked")
    assert seeded_api.problem(same, 422) == (
        "claim 'suntech-diversion' needs a second person to publish it: its verdict was set by editor, who cannot "
        "also publish it; ask another editor (a desk of one: `provenance desk set second-reviewer off --reason WHY`)"
    )
    assert row_counts(seeded.url) == before
    other = review(seeded_api, SUNTECH, "editor2", status="published", note="checked")
    assert other.status_code == 200 and other.json()["status"] == "published"


def test_in_a_desk_of_verified_identities_an_operators_verdict_is_not_published(
    seeded_api: DeskApi, seeded: Provenance
) -> None:
    seeded.ok("desk", "set", "identities", "verified", "--reason", "the desk's server is up")
    seeded.ok("review", SUNTECH, "--status", "in progress")
    seeded.ok("review", SUNTECH, "--status", "in review", "--verdict", "false")
    operator = cli_json(seeded, "claim", "show", SUNTECH)["verdict_by"]
    line = seeded.fails("review", SUNTECH, "--status", "published", "--note", "checked")
    assert line == (
        f"Error: claim 'suntech-diversion' cannot be published by {operator}: this desk's identities are verified, "
        "and publishing counts only people signed in to the desk's server (or using their token); publish it "
        "there, or through `provenance login URL`"
    )
    before = counts(seeded_api, "editor")
    refused = review(seeded_api, SUNTECH, "editor", status="published", note="checked")
    assert seeded_api.problem(refused, 403) == (
        f"claim 'suntech-diversion' cannot be published: its verdict was set by {operator}, not a proven identity "
        "(declared or the operator); a signed-in reviewer sets it again with `provenance review suntech-diversion "
        "--verdict false`, then someone else publishes it"
    )
    assert row_counts(seeded.url) == before
    again = review(seeded_api, SUNTECH, "reviewer", verdict="false")
    assert (again.json()["verdict_by"], again.json()["changed"]) == ("reviewer", True)
    published = review(seeded_api, SUNTECH, "editor", status="published", note="checked")
    assert published.status_code == 200 and published.json()["status"] == "published"


def test_a_review_without_if_match_is_428_and_a_stale_one_412(seeded_api: DeskApi, seeded: Provenance) -> None:
    before = counts(seeded_api, "reviewer")
    missing = review(seeded_api, SUNTECH, "reviewer", status="in progress", if_match=None)
    assert seeded_api.problem(missing, 428).startswith('send If-Match: "N" with the version from the claim\'s ETag')
    malformed = review(seeded_api, SUNTECH, "reviewer", status="in progress", if_match="1")
    assert seeded_api.problem(malformed, 400).startswith("If-Match must be one claim version in quotes")
    read = version(seeded_api, SUNTECH)
    seeded.ok("claim", "assign", SUNTECH, "--to", "Ana Lima")
    current = int(read.strip('"')) + 1
    before = row_counts(seeded.url)
    stale = review(seeded_api, SUNTECH, "reviewer", status="in progress", if_match=read)
    assert seeded_api.problem(stale, 412).startswith(
        f"claim 'suntech-diversion' is at version {current}, not {current - 1} as expected"
    )
    assert (stale.json()["current_version"], stale.headers["ETag"]) == (current, f'"{current}"')
    assert row_counts(seeded.url) == before
    assert cli_json(seeded, "claim", "show", SUNTECH)["status"] == "unstarted"


def test_a_review_the_rules_refuse_is_the_command_lines_line(seeded_api: DeskApi, seeded: Provenance) -> None:
    before = counts(seeded_api, "editor")
    moves = review(seeded_api, SUNTECH, "editor", status="published", note="n")
    assert seeded_api.problem(moves, 409) == seeded.fails(
        "review", SUNTECH, "--status", "published", "--note", "n"
    ).removeprefix("Error: ")
    nothing = review(seeded_api, SUNTECH, "editor")
    assert seeded_api.problem(nothing, 422) == "give --status and/or --verdict for claim 'suntech-diversion'"
    unknown = review(seeded_api, "no-such-claim", "editor", status="in progress", if_match='"1"')
    assert seeded_api.problem(unknown, 404) == "no claim 'no-such-claim'; `provenance claim list` shows the keys"
    assert row_counts(seeded.url) == before


# --- assignment -----------------------------------------------------------------------------------------


def test_assigning_answers_what_claim_assign_prints(seeded_api: DeskApi, seeded: Provenance) -> None:
    printed = cli_json(seeded, "claim", "assign", RODONG, "--to", "Ana Lima")
    read = version(seeded_api, SUNTECH)
    answered = assign(seeded_api, SUNTECH, "researcher", to="Ana Lima", note="she covers Pakistan")
    assert answered.status_code == 200
    assert answered.json() == {**printed, "key": SUNTECH, "version": int(read.strip('"')) + 1}
    assert answered.headers["ETag"] == f'"{int(read.strip(chr(34))) + 1}"'
    again = assign(seeded_api, SUNTECH, "researcher", to="Ana Lima", headers=TEXT)
    assert again.text == f"{SUNTECH}\tassigned to Ana Lima"
    assert (
        again.headers["Provenance-Notice"]
        == "claim 'suntech-diversion' is already assigned to Ana Lima; nothing changed"
    )
    assert again.headers["ETag"] == answered.headers["ETag"]


def test_assigning_to_me_and_to_nobody(seeded_api: DeskApi, seeded: Provenance) -> None:
    mine = assign(seeded_api, SUNTECH, "researcher", mine=True, headers=TEXT)
    assert mine.text == f"{SUNTECH}\tassigned to researcher"
    assert cli_json(seeded, "claim", "show", SUNTECH)["assignee"] == "researcher"
    nobody = assign(seeded_api, SUNTECH, "editor", nobody=True)
    assert (nobody.json()["assignee"], nobody.json()["changed"]) == (None, True)


def test_an_assignment_must_name_one_person_and_a_viewer_assigns_nobody(
    seeded_api: DeskApi, seeded: Provenance
) -> None:
    before = counts(seeded_api, "researcher", "viewer")
    line = 'give one of "to": NAME, "mine": true or "nobody": true to assign claim \'suntech-diversion\''
    assert seeded_api.problem(assign(seeded_api, SUNTECH, "researcher"), 422) == line
    assert seeded_api.problem(assign(seeded_api, SUNTECH, "researcher", to="Ana", nobody=True), 422) == line
    blank = assign(seeded_api, SUNTECH, "researcher", to="  ")
    assert seeded_api.problem(blank, 422) == (
        "give a name to assign claim 'suntech-diversion' to with --to NAME, or --nobody"
    )
    viewer = assign(seeded_api, SUNTECH, "viewer", to="Ana")
    assert seeded_api.problem(viewer, 403).startswith("viewer is a viewer and may not add and edit claims")
    assert row_counts(seeded.url) == before


# --- the board and the log ------------------------------------------------------------------------------


def test_the_board_is_what_status_prints(seeded_api: DeskApi, seeded: Provenance) -> None:
    seeded.ok("claim", "assign", SUNTECH, "--to", "Reviewer")
    seeded.ok("review", RODONG, "--status", "in progress", "--verdict", "mostly true")
    assert seeded_api.get("/api/v1/board", who="viewer").json() == cli_json(seeded, "status")
    assert seeded_api.get("/api/v1/board", headers=TEXT).text == cli_text(seeded, "status")
    assigned = seeded_api.get("/api/v1/board", params={"assignee": "reviewer"})
    assert assigned.json() == cli_json(seeded, "status", "--assignee", "reviewer")
    assert assigned.json()["total"] == 1
    mine = seeded_api.get("/api/v1/board", who="reviewer", params={"mine": "true"}, headers=TEXT)
    assert mine.text == cli_text(seeded, "status", "--assignee", "reviewer")
    none = seeded_api.get("/api/v1/board", who="editor", params={"mine": "true"}, headers=TEXT)
    assert none.text == cli_text(seeded, "status", "--assignee", "editor")
    assert none.text == "No claim matches --assignee 'editor'."
    cut = seeded_api.get("/api/v1/board", params={"per_status": 2}, headers=TEXT)
    assert cut.text == cli_text(seeded, "status", "--per-status", "2") and "more unstarted" in cut.text
    assert seeded_api.get("/api/v1/board", params={"per_status": 2}).json() == cli_json(
        seeded, "status", "--per-status", "2"
    )


def test_the_log_is_what_history_prints(seeded_api: DeskApi, seeded: Provenance) -> None:
    review(seeded_api, SUNTECH, "reviewer", status="in progress", verdict="unproven")
    counts(seeded_api, "viewer")
    assert seeded_api.get("/api/v1/history", who="viewer").json() == cli_json(seeded, "history")
    assert seeded_api.get("/api/v1/history", headers=TEXT).text == cli_text(seeded, "history")
    claim_log = seeded_api.get(f"/api/v1/claims/{SUNTECH}/history")
    assert claim_log.json() == cli_json(seeded, "history", "--claim", SUNTECH)
    actions = [e["action"] for e in claim_log.json()]
    assert (actions[0], actions[-1]) == ("claim.review", "claim.add")
    text = seeded_api.get(f"/api/v1/claims/{SUNTECH}/history", headers=TEXT).text
    assert text == cli_text(seeded, "history", "--claim", SUNTECH)
    source_log = seeded_api.get("/api/v1/history", params={"source": KEY_2020, "since": "2020-01-01"})
    assert source_log.json() == cli_json(seeded, "history", "--source", KEY_2020, "--since", "2020-01-01")


def test_the_log_says_what_the_command_says_on_stderr(seeded_api: DeskApi, seeded: Provenance) -> None:
    counts(seeded_api, "editor")
    both = seeded_api.get("/api/v1/history", params={"key": KEY_2020})
    said = seeded.ok("history", KEY_2020)
    assert both.json() == cli_json(seeded, "history", KEY_2020)
    assert both.headers["Provenance-Notice"] == said.stderr.splitlines()[0]
    assert both.headers["Provenance-Notice"] == (
        "'india-medical-aid-2020' names a claim and a source: both histories are shown (--claim or --source for one)"
    )
    few = seeded_api.get("/api/v1/history", params={"limit": 3})
    total = cli_json(seeded, "history", "--limit", "1000")
    assert few.json() == total[:3]
    assert few.headers["Provenance-Notice"] == f"the 3 most recent of {len(total)} events; --limit N shows more"
    assert few.headers["Provenance-Notice"] == seeded.ok("history", "--limit", "3").stderr.strip()


def test_a_log_request_it_cannot_read_is_one_line(seeded_api: DeskApi, seeded: Provenance) -> None:
    two = seeded_api.get("/api/v1/history", params={"key": SUNTECH, "claim": SUNTECH})
    assert seeded_api.problem(two, 422) == "name one claim or source: key=KEY, claim=KEY or source=KEY"
    day = seeded_api.get("/api/v1/history", params={"since": "someday"})
    assert seeded_api.problem(day, 422) == "cannot read the date 'someday'; give a whole date, e.g. 2018-05-17"
    unknown = seeded_api.get("/api/v1/claims/no-such-claim/history")
    assert seeded_api.problem(unknown, 404) == seeded.fails("history", "--claim", "no-such-claim").removeprefix(
        "Error: "
    )
    nothing = seeded_api.get("/api/v1/history", params={"since": "2999-01-01"}, headers=TEXT)
    assert nothing.text == "No event matches --since '2999-01-01'."
    assert nothing.text == cli_text(seeded, "history", "--since", "2999-01-01")
