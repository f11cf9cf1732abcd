"""The fact-checking workflow: status moves along the documented table, publishing's rules (a verdict, evidence,
a second person unless the desk works alone), notes where a decision is made, assigning, withdrawing, the desk's
settings and the board; every change in the event log, every refusal one line with nothing written."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, Provenance
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from provenance import claims, workflow
from provenance.errors import Conflict, Invalid
from provenance.export import claimreview
from provenance.models import Claim, ClaimStatus, Event, Evidence, Setting, Verdict

KEY_2018 = "india-north-korea-2018"
SUNTECH = "suntech-diversion"  # one supporting passage in the demo corpus
TALKS = "talks-may-be-called-off"  # in the demo's one (open) contradiction

# The documented table (README, "The workflow"), written out here rather than read from the code.
ALLOWED = {
    ("unstarted", "in_progress"),
    ("unstarted", "withdrawn"),
    ("in_progress", "in_review"),
    ("in_progress", "withdrawn"),
    ("in_review", "in_progress"),
    ("in_review", "published"),
    ("in_review", "inconclusive"),
    ("in_review", "withdrawn"),
    ("published", "in_progress"),
    ("published", "withdrawn"),
    ("inconclusive", "in_progress"),
    ("inconclusive", "withdrawn"),
    ("withdrawn", "unstarted"),
    ("withdrawn", "in_progress"),
}
STATUSES = [s.value for s in ClaimStatus]


@pytest.fixture
def as_user(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Act as someone: ``as_user("ana")`` until the next call."""

    def act(name: str) -> None:
        monkeypatch.setenv("PROVENANCE_USER", name)

    act("ana")
    return act


def events_of(session: Session, key: str, action: str) -> list[Event]:
    session.expire_all()
    return list(
        session.scalars(select(Event).where(Event.subject_key == key, Event.action == action).order_by(Event.id))
    )


def claim_json(provenance: Provenance, *args: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(provenance.ok(*args, "--json").stdout)
    return data


def to_review(provenance: Provenance, key: str, verdict: str = "mostly false") -> None:
    """Take a claim from unstarted into review with ``verdict``, as whoever is acting."""
    provenance.ok("review", key, "--status", "in_progress")
    provenance.ok("review", key, "--status", "in_review", "--verdict", verdict)


# --- the table of moves -------------------------------------------------------------------------------


def test_the_code_has_the_documented_table_of_moves() -> None:
    assert {(a.value, b.value) for a, targets in workflow.TRANSITIONS.items() for b in targets} == ALLOWED


def test_every_move_is_allowed_or_refused_as_the_table_says(seeded: Provenance, session: Session, as_user: Any) -> None:
    """From each status to each other one, on a claim that could be published (verdict by ana, evidence), acting
    as bea: allowed moves are made and logged, the others refused naming where the claim can go."""
    for n, (a, b) in enumerate((a, b) for a in STATUSES for b in STATUSES if a != b):
        as_user("ana")
        key = f"move-{n}"
        claims.add_claim(session, key, f"Move {a} to {b}", status=a, verdict="mixed")
        claims.add_evidence(session, key, KEY_2018, "North Korea", stance="mentions", occurrence=1)
        session.commit()
        as_user("bea")
        if (a, b) in ALLOWED:
            result = workflow.review_claim(session, key, status=b, note="as the table says")
            assert result.changed and result.claim.status.value == b
            [event] = events_of(session, key, "claim.withdraw" if b == "withdrawn" else "claim.review")
            assert (event.actor, event.before, event.after, event.reason) == (
                "bea",
                {"status": a, "verdict": "mixed", "verdict_by": "ana"},
                {"status": b, "verdict": "mixed", "verdict_by": "ana"},
                "as the table says",
            )
        else:
            with pytest.raises(Conflict) as refused:
                workflow.review_claim(session, key, status=b, note="against the table")
            message = str(refused.value)
            targets = ", ".join(t.replace("_", " ") for s, t in sorted(ALLOWED) if s == a)
            assert message.startswith(
                f"claim {key!r} cannot move from {a.replace('_', ' ')} to {b.replace('_', ' ')}: "
            )
            assert set(message.split("it can move to: ")[1].split(", ")) == set(targets.split(", "))
            assert session.scalar(select(Claim.status).where(Claim.key == key)).value == a
        session.commit()


def test_an_illegal_move_is_one_line_with_the_reason_and_writes_nothing(seeded: Provenance) -> None:
    assert seeded.fails("review", SUNTECH, "--status", "published", "--note", "done") == (
        "Error: claim 'suntech-diversion' cannot move from unstarted to published: a claim is published only "
        "from review, after someone has looked at it; from unstarted it can move to: in progress, withdrawn"
    )
    assert seeded.fails("review", SUNTECH, "--status", "in review") == (
        "Error: claim 'suntech-diversion' cannot move from unstarted to in review: only a claim in progress goes "
        "to review; from unstarted it can move to: in progress, withdrawn"
    )


def test_unknown_words_list_the_choices(seeded: Provenance) -> None:
    assert seeded.fails("review", SUNTECH, "--status", "done") == (
        "Error: unknown status 'done'; use one of: unstarted, in progress, in review, published, inconclusive, "
        "withdrawn"
    )
    assert seeded.fails("review", SUNTECH, "--verdict", "pants on fire") == (
        "Error: unknown verdict 'pants on fire'; use one of: true, mostly true, mixed, mostly false, false, unproven"
    )
    assert seeded.fails("review", SUNTECH) == "Error: give --status and/or --verdict for claim 'suntech-diversion'"
    assert seeded.fails("review", "no-such-claim", "--status", "in_progress") == (
        "Error: no claim 'no-such-claim'; `provenance claim list` shows the keys"
    )


def test_status_words_may_be_written_with_spaces_hyphens_or_underscores(seeded: Provenance, as_user: Any) -> None:
    moved = claim_json(seeded, "review", SUNTECH, "--status", "In Progress")
    assert moved["status"] == "in_progress"
    assert claim_json(seeded, "review", SUNTECH, "--status", "in-review", "--verdict", "Mostly False") == {
        "key": SUNTECH,
        "status": "in_review",
        "verdict": "mostly_false",
        "rating": 2,
        "verdict_by": "ana",
        "assignee": None,
        "version": moved["version"] + 1,
        "changed": True,
    }


# --- publishing -----------------------------------------------------------------------------------------


def test_publishing_needs_a_second_person(seeded: Provenance, session: Session, as_user: Any) -> None:
    to_review(seeded, SUNTECH)
    assert seeded.fails("review", SUNTECH, "--status", "published", "--note", "checked twice") == (
        "Error: claim 'suntech-diversion' needs a second person to publish it: its verdict was set by ana, who "
        "cannot also publish it; ask another editor (a desk of one: `provenance desk set second-reviewer off "
        "--reason WHY`)"
    )
    as_user("ANA ")  # the same person, however the name is typed
    assert "needs a second person" in seeded.fails("review", SUNTECH, "--status", "published", "--note", "again")
    as_user("bea")
    published = claim_json(seeded, "review", SUNTECH, "--status", "published", "--note", "sources re-read")
    assert (published["status"], published["verdict"], published["verdict_by"]) == ("published", "mostly_false", "ana")
    [event] = events_of(session, SUNTECH, "claim.review")[-1:]
    assert (event.actor, event.reason, event.after) == (
        "bea",
        "sources re-read",
        {"status": "published", "verdict": "mostly_false", "verdict_by": "ana"},
    )


def test_a_verdict_given_while_publishing_counts_as_the_publishers(seeded: Provenance, as_user: Any) -> None:
    to_review(seeded, SUNTECH)
    as_user("bea")
    line = seeded.fails("review", SUNTECH, "--status", "published", "--verdict", "false", "--note", "n")
    assert line.startswith(
        "Error: claim 'suntech-diversion' needs a second person to publish it: its verdict was set by bea"
    )


def test_publishing_needs_a_verdict(seeded: Provenance, as_user: Any) -> None:
    seeded.ok("review", SUNTECH, "--status", "in_progress")
    seeded.ok("review", SUNTECH, "--status", "in_review")
    as_user("bea")
    assert seeded.fails("review", SUNTECH, "--status", "published", "--note", "n") == (
        "Error: claim 'suntech-diversion' cannot be published without a verdict; give one with --verdict (true, "
        "mostly true, mixed, mostly false, false, unproven)"
    )


def test_publishing_needs_evidence(seeded: Provenance, as_user: Any) -> None:
    seeded.ok("claim", "add", "bare", "A claim nobody has looked for evidence of")
    to_review(seeded, "bare")
    as_user("bea")
    assert seeded.fails("review", "bare", "--status", "published", "--note", "n") == (
        "Error: claim 'bare' cannot be published without evidence; link a passage first with "
        "`provenance evidence add bare SOURCE --quote WORDS --stance STANCE`"
    )


def test_a_verdict_whose_author_is_unknown_must_be_set_again_before_someone_else_publishes(
    seeded: Provenance, session: Session, as_user: Any
) -> None:
    """A verdict stored without its author (written by another program) is not published on trust."""
    to_review(seeded, SUNTECH, "false")
    session.execute(Claim.__table__.update().where(Claim.key == SUNTECH).values(verdict_by=None))
    session.commit()
    as_user("bea")
    assert seeded.fails("review", SUNTECH, "--status", "published", "--note", "n") == (
        "Error: claim 'suntech-diversion' cannot be published: who set its verdict is not recorded; set it again "
        "with `provenance review suntech-diversion --verdict false` so that someone else can publish it"
    )
    as_user("ana")
    assert claim_json(seeded, "review", SUNTECH, "--verdict", "false")["verdict_by"] == "ana"  # no note: same verdict
    as_user("bea")
    assert claim_json(seeded, "review", SUNTECH, "--status", "published", "--note", "n")["status"] == "published"


def test_a_desk_of_one_switches_the_second_person_off(seeded: Provenance, session: Session, as_user: Any) -> None:
    assert claim_json(seeded, "desk", "show")[1:] == [
        {
            "name": "second-reviewer",
            "value": "on",
            "default": "on",
            "choices": ["on", "off"],
            "meaning": "publishing needs someone other than whoever last set the verdict",
            "updated_at": None,
            "updated_by": None,
        }
    ]
    assert seeded.fails("desk", "set", "second-reviewer", "off") == (
        "Error: say why with --reason; changing the desk setting second-reviewer is logged with its reason"
    )
    assert seeded.fails("desk", "set", "second-reviewer", "maybe", "--reason", "r") == (
        "Error: unknown value 'maybe' for second-reviewer; use one of: on, off"
    )
    assert seeded.fails("desk", "set", "reviewers", "2", "--reason", "r") == (
        "Error: no desk setting 'reviewers'; the settings are: second-reviewer, identities"
    )
    assert seeded.ok("desk", "set", "second-reviewer", "off", "--reason", "one editor until March").stdout == (
        "second-reviewer\toff\n"
    )
    again = seeded.ok("desk", "set", "second-reviewer", "OFF", "--reason", "still alone")
    assert again.stderr == "second-reviewer is already off; nothing changed\n"
    [_identities, shown] = claim_json(seeded, "desk", "show")
    assert (shown["value"], shown["updated_by"]) == ("off", "ana")
    assert session.get(Setting, "review.second_person") is not None
    [event] = events_of(session, "review.second_person", "desk.set")
    assert (event.actor, event.subject_type, event.before, event.after, event.reason) == (
        "ana",
        "setting",
        {"value": "on"},
        {"value": "off"},
        "one editor until March",
    )

    to_review(seeded, SUNTECH)
    assert claim_json(seeded, "review", SUNTECH, "--status", "published", "--note", "alone")["status"] == "published"
    # the other rules stay: a verdict and evidence
    seeded.ok("claim", "add", "bare", "No evidence")
    to_review(seeded, "bare")
    assert "without evidence" in seeded.fails("review", "bare", "--status", "published", "--note", "n")
    text = seeded.ok("desk", "show").stdout.splitlines()
    assert text[-1].split()[:4] == ["second-reviewer", "off", "ana", shown["updated_at"][:10]]


# --- notes ----------------------------------------------------------------------------------------------


def test_decisions_need_a_note(seeded: Provenance, as_user: Any) -> None:
    to_review(seeded, SUNTECH)
    as_user("bea")
    for status, say in [
        ("published", "what was checked before publishing"),
        ("inconclusive", "why the evidence does not settle it"),
        ("withdrawn", "why it is withdrawn"),
        ("in_progress", "what is still to be done"),
    ]:
        assert seeded.fails("review", SUNTECH, "--status", status, "--note", "  ") == (
            f"Error: moving claim 'suntech-diversion' to {status.replace('_', ' ')} needs a note: say {say} with --note"
        )
    assert seeded.fails("review", SUNTECH, "--verdict", "false") == (
        "Error: changing claim 'suntech-diversion' needs a note: say why the verdict changes from mostly false to "
        "false with --note"
    )
    seeded.ok("review", SUNTECH, "--status", "inconclusive", "--note", "one report, nothing else")
    assert seeded.fails("review", SUNTECH, "--status", "in_progress") == (
        "Error: moving claim 'suntech-diversion' to in progress needs a note: say why a inconclusive claim is "
        "reopened with --note"
    )


def test_moves_while_work_goes_on_need_no_note(seeded: Provenance, session: Session, as_user: Any) -> None:
    seeded.ok("review", SUNTECH, "--status", "in_progress")
    seeded.ok("review", SUNTECH, "--status", "in_review", "--verdict", "unproven")
    [first, second] = events_of(session, SUNTECH, "claim.review")
    assert (first.reason, second.reason) == (None, None)
    assert second.after == {"status": "in_review", "verdict": "unproven", "verdict_by": "ana"}


# --- verdicts ---------------------------------------------------------------------------------------------


def test_a_decided_claims_verdict_changes_only_when_it_is_reopened(seeded: Provenance, as_user: Any) -> None:
    to_review(seeded, SUNTECH)
    as_user("bea")
    seeded.ok("review", SUNTECH, "--status", "published", "--note", "checked")
    assert seeded.fails("review", SUNTECH, "--verdict", "false", "--note", "new report") == (
        "Error: claim 'suntech-diversion' is published; its verdict is changed only when it is reopened: "
        "`provenance review suntech-diversion --status 'in progress' --verdict false --note WHY`"
    )
    reopened = claim_json(
        seeded, "review", SUNTECH, "--status", "in_progress", "--verdict", "false", "--note", "a denial came in"
    )
    assert (reopened["status"], reopened["verdict"], reopened["verdict_by"]) == ("in_progress", "false", "bea")
    assert seeded.fails("review", SUNTECH, "--status", "withdrawn", "--verdict", "true", "--note", "n") == (
        "Error: claim 'suntech-diversion' is being withdrawn; a withdrawal sets no verdict, leave out --verdict"
    )


def test_claim_add_and_claims_files_record_who_set_the_verdict(
    provenance: Provenance, session: Session, tmp_path: Path, as_user: Any
) -> None:
    added = claim_json(provenance, "claim", "add", "talks", "Talks may be called off", "--verdict", "mostly true")
    assert added["verdict"] == "mostly_true"
    as_user("bea")
    claims_file = tmp_path / "c.yaml"
    claims_file.write_text(
        "claims:\n  - key: reviewed\n    statement: Reviewed elsewhere\n    status: published\n"
        '    verdict: "false"\n  - key: open\n    statement: Not yet\n',
        encoding="utf-8",
    )
    provenance.ok("import", str(claims_file))
    found = {c.key: (c.verdict, c.verdict_by) for c in session.scalars(select(Claim))}
    assert found == {
        "talks": (Verdict.MOSTLY_TRUE, "ana"),
        "reviewed": (Verdict.FALSE, "bea"),
        "open": (None, None),
    }
    [event] = events_of(session, "talks", "claim.add")
    assert event.after is not None and event.after["verdict_by"] == "ana"
    assert provenance.fails("claim", "add", "x", "X", "--verdict", "pants on fire").startswith(
        "Error: unknown verdict 'pants on fire'; use one of: true"
    )
    claims_file.write_text("claims:\n  - key: bad\n    statement: B\n    status: published\n", encoding="utf-8")
    assert provenance.fails("import", str(claims_file)) == (
        f"Error: {claims_file}: claims[0] (bad): claim 'bad' is published but has no verdict; give its verdict too"
    )


def test_the_rating_scale_is_the_claimreview_exports_and_the_documented_one() -> None:
    assert claimreview.RATING_SCALE is workflow.RATING_SCALE
    assert [claimreview.rating(v).get("ratingValue") for v in Verdict] == [5, 4, 3, 2, 1, None]
    documented = (REPO / "docs" / "workflow.md").read_text(encoding="utf-8")
    section = documented.split("## The rating scale", 1)[1].split("\n#", 1)[0]
    rows = dict(re.findall(r"^\| `(\w+)` \| [^|]+ \| (\d|none) \|", section, flags=re.MULTILINE))
    assert rows == {v.value: str(n) if n else "none" for v, n in workflow.RATING_SCALE.items()}


# --- assigning and withdrawing --------------------------------------------------------------------------


def test_assigning_takes_any_name_as_given_and_is_logged(seeded: Provenance, session: Session) -> None:
    assigned = claim_json(seeded, "claim", "assign", SUNTECH, "--to", "  Ana   Lima ", "--note", "covers Pakistan")
    assert (assigned["assignee"], assigned["changed"]) == ("Ana Lima", True)
    again = seeded.ok("claim", "assign", SUNTECH, "--to", "Ana Lima")
    assert again.stderr == "claim 'suntech-diversion' is already assigned to Ana Lima; nothing changed\n"
    assert seeded.ok("claim", "assign", SUNTECH, "--nobody").stdout == "suntech-diversion\tassigned to nobody\n"
    assign_events = events_of(session, SUNTECH, "claim.assign")
    assert [(e.before, e.after, e.reason) for e in assign_events] == [
        ({"assignee": None}, {"assignee": "Ana Lima"}, "covers Pakistan"),
        ({"assignee": "Ana Lima"}, {"assignee": None}, None),
    ]


def test_assigning_refuses_bad_input(seeded: Provenance) -> None:
    assert seeded.fails("claim", "assign", SUNTECH, "--to", "  ") == (
        "Error: give a name to assign claim 'suntech-diversion' to with --to NAME, or --nobody"
    )
    assert seeded.fails("claim", "assign", SUNTECH, code=2).startswith("Error: give --to NAME or --nobody")
    assert seeded.fails("claim", "assign", SUNTECH, "--to", "a", "--nobody", code=2).startswith(
        "Error: give --to NAME or --nobody"
    )
    seeded.ok("claim", "withdraw", SUNTECH, "--reason", "duplicate")
    assert seeded.fails("claim", "assign", SUNTECH, "--to", "Ana") == (
        "Error: claim 'suntech-diversion' is withdrawn; reinstate it first with "
        "`provenance review suntech-diversion --status 'in progress' --note WHY`"
    )


def test_a_withdrawn_claim_is_kept_and_comes_back_only_with_a_note(seeded: Provenance, session: Session) -> None:
    assert seeded.fails("claim", "withdraw", SUNTECH) == (
        "Error: moving claim 'suntech-diversion' to withdrawn needs a note: say why it is withdrawn with --reason"
    )
    assert seeded.ok("claim", "withdraw", SUNTECH, "--reason", "a duplicate").stdout == "suntech-diversion\twithdrawn\n"
    assert seeded.ok("claim", "withdraw", SUNTECH, "--reason", "still").stderr == (
        "claim 'suntech-diversion' is already withdrawn; nothing changed\n"
    )
    claim = session.scalar(select(Claim).where(Claim.key == SUNTECH))
    assert claim is not None and claim.status is ClaimStatus.WITHDRAWN
    assert session.scalar(select(func.count()).select_from(Evidence).where(Evidence.claim_id == claim.id)) == 1
    [event] = events_of(session, SUNTECH, "claim.withdraw")
    assert (event.before["status"], event.after["status"], event.reason) == (  # type: ignore[index]
        "unstarted",
        "withdrawn",
        "a duplicate",
    )
    assert "needs a note" in seeded.fails("review", SUNTECH, "--status", "in_progress")
    assert seeded.fails("review", SUNTECH, "--status", "in_review", "--note", "n").endswith(
        "a withdrawn claim is first reinstated as unstarted or in progress; from withdrawn it can move to: "
        "unstarted, in progress"
    )
    seeded.ok("review", SUNTECH, "--status", "in_progress", "--note", "not a duplicate after all")
    assert claim_json(seeded, "claim", "show", SUNTECH)["status"] == "in_progress"


def test_nothing_to_change_writes_nothing(seeded: Provenance, session: Session) -> None:
    before = session.scalar(select(func.count()).select_from(Event))
    result = seeded.ok("review", SUNTECH, "--status", "unstarted")
    assert result.stderr == "claim 'suntech-diversion' is already unstarted; nothing changed\n"
    assert result.stdout == "suntech-diversion\tunstarted; verdict: none\n"
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Event)) == before


# --- versions -------------------------------------------------------------------------------------------


def test_a_change_from_a_stale_version_is_refused(seeded: Provenance, session: Session) -> None:
    claim = claims.get_claim(session, SUNTECH)
    version = claim.version
    workflow.assign_claim(session, SUNTECH, "Ana", expected_version=version)
    session.commit()
    assert claim.version == version + 1
    for change in (
        lambda: workflow.review_claim(session, SUNTECH, status="in_progress", expected_version=version),
        lambda: workflow.assign_claim(session, SUNTECH, "Bea", expected_version=version),
        lambda: workflow.withdraw_claim(session, SUNTECH, reason="r", expected_version=version),
    ):
        with pytest.raises(Conflict, match=rf"claim 'suntech-diversion' is at version {version + 1}, not {version}"):
            change()
    session.rollback()
    assert (claim.status, claim.assignee) == (ClaimStatus.UNSTARTED, "Ana")
    assert workflow.review_claim(session, SUNTECH, status="in_progress", expected_version=version + 1).changed


def test_a_refused_review_leaves_the_claim_object_untouched(seeded: Provenance, session: Session, as_user: Any) -> None:
    to_review(seeded, SUNTECH)
    claim = claims.get_claim(session, SUNTECH)
    with pytest.raises(Invalid, match="needs a second person"):
        workflow.review_claim(session, SUNTECH, status="published", verdict="true", note="n")
    assert (claim.status, claim.verdict, claim.verdict_by) == (ClaimStatus.IN_REVIEW, Verdict.MOSTLY_FALSE, "ana")
    assert not session.dirty


# --- the board ------------------------------------------------------------------------------------------


def test_the_board_shows_the_desk_by_status(seeded: Provenance, session: Session, as_user: Any) -> None:
    seeded.ok("claim", "assign", SUNTECH, "--to", "Ana Lima")
    to_review(seeded, SUNTECH)
    seeded.ok("claim", "assign", TALKS, "--to", "Bea")
    seeded.ok("review", TALKS, "--status", "in_progress")
    seeded.ok("claim", "withdraw", "khan-bribery-claim", "--reason", "duplicate")
    flagged = session.scalars(select(Evidence).join(Claim).where(Claim.key == TALKS)).first()
    assert flagged is not None
    flagged.needs_review = True
    session.commit()

    board = claim_json(seeded, "status")
    assert (board["total"], board["open_contradictions"], board["evidence_needing_review"]) == (12, 1, 1)
    assert board["second_reviewer"] == "on"
    counts = {column["status"]: column["count"] for column in board["statuses"]}
    assert counts == {
        "unstarted": 9,
        "in_progress": 1,
        "in_review": 1,
        "published": 0,
        "inconclusive": 0,
        "withdrawn": 1,
    }
    assert [column["status"] for column in board["statuses"]] == STATUSES
    by_key = {c["key"]: c for column in board["statuses"] for c in column["claims"]}
    assert by_key[SUNTECH] | {"updated_at": None, "statement": None} == {
        "key": SUNTECH,
        "statement": None,
        "assignee": "Ana Lima",
        "verdict": "mostly_false",
        "verdict_by": "ana",
        "evidence": 1,
        "evidence_needing_review": 0,
        "evidence_orphaned": 0,
        "evidence_on_superseded_versions": 0,
        "open_contradictions": 0,
        "updated_at": None,
        "version": 5,
    }
    assert (by_key[TALKS]["open_contradictions"], by_key[TALKS]["evidence_needing_review"]) == (1, 1)
    assert by_key["dprk-denuclearisation-willingness"]["open_contradictions"] == 1
    unstarted = next(column for column in board["statuses"] if column["status"] == "unstarted")["claims"]
    assert [c["key"] for c in unstarted] == sorted(c["key"] for c in unstarted)

    text = seeded.ok("status").stdout.splitlines()
    assert text[:3] == [
        "12 claims: unstarted 9, in progress 1, in review 1, published 0, inconclusive 0, withdrawn 1",
        "open contradictions: 1; evidence needing review: 1; second reviewer: on",
        "evidence orphaned by reanchor: 0; evidence on superseded versions, not yet reanchored: 0",
    ]
    headings = [line for line in text if re.fullmatch(r"[A-Z ]+ \(\d+\)", line)]
    assert headings == ["UNSTARTED (9)", "IN PROGRESS (1)", "IN REVIEW (1)", "WITHDRAWN (1)"]
    review_row = text[text.index("IN REVIEW (1)") + 3].split()
    assert review_row[:8] == [SUNTECH, "Ana", "Lima", "mostly", "false", "(by", "ana)", "1"]
    progress_row = text[text.index("IN PROGRESS (1)") + 3].split()
    assert progress_row[:8] == [TALKS, "Bea", "-", "1", "1", "1", "0", "0"]


def test_the_board_of_one_assignee(seeded: Provenance) -> None:
    seeded.ok("claim", "assign", SUNTECH, "--to", "Ana Lima")
    seeded.ok("claim", "assign", TALKS, "--to", "ana  LIMA")
    seeded.ok("claim", "assign", "rodong-transfer", "--to", "Bea")
    board = claim_json(seeded, "status", "--assignee", "Ana Lima")
    assert board["total"] == 2 and board["open_contradictions"] == 1
    assert [c["key"] for column in board["statuses"] for c in column["claims"]] == [SUNTECH, TALKS]
    nobody = claim_json(seeded, "status", "--assignee", "Chidi")
    assert nobody["total"] == 0 and nobody["open_contradictions"] == 0
    assert seeded.fails("status", "--assignee", " ") == "Error: give a name with --assignee"


def test_the_board_shows_the_first_claims_of_each_status_and_counts_them_all(seeded: Provenance) -> None:
    whole = claim_json(seeded, "status")
    [unstarted] = [column for column in whole["statuses"] if column["status"] == "unstarted"]
    assert unstarted["count"] == len(unstarted["claims"]) > 2 and unstarted["not_shown"] == 0
    first = claim_json(seeded, "status", "--per-status", "2")
    assert first["total"] == whole["total"]
    [cut] = [column for column in first["statuses"] if column["status"] == "unstarted"]
    assert cut["count"] == unstarted["count"] and cut["not_shown"] == unstarted["count"] - 2
    assert [c["key"] for c in cut["claims"]] == [c["key"] for c in unstarted["claims"]][:2]
    said = seeded.ok("status", "--per-status", "2").stdout
    assert f"UNSTARTED ({unstarted['count']})" in said
    assert (
        f"... and {unstarted['count'] - 2} more unstarted: show more with --per-status N, or list them with "
        "`provenance claim list`"
    ) in said
    assert seeded.fails("status", "--per-status", "0", code=2).startswith("Error: Invalid value for '--per-status'")


def test_the_board_of_an_empty_desk(provenance: Provenance) -> None:
    assert provenance.ok("status").stdout == (
        "0 claims: unstarted 0, in progress 0, in review 0, published 0, inconclusive 0, withdrawn 0\n"
        "open contradictions: 0; evidence needing review: 0; second reviewer: on\n"
        "evidence orphaned by reanchor: 0; evidence on superseded versions, not yet reanchored: 0\n"
    )
