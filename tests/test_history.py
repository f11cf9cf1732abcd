"""Who is acting (``--as``, $PROVENANCE_USER, the system user) and ``provenance history``: every change with
who, when, before, after and why, for the desk, a claim (with its evidence and contradictions) or a source."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from conftest import SEED_2018, Provenance, row_counts
from sqlalchemy import select
from sqlalchemy.orm import Session

from provenance import db, events
from provenance.claims import add_claim, add_contradiction
from provenance.errors import Invalid
from provenance.export.history import value as shown_value
from provenance.history import Change, changes, history
from provenance.models import Claim, Event, Source

KEY_2018 = "india-north-korea-2018"
KEY_2020 = "india-medical-aid-2020"  # in the demo corpus, also the key of a claim
EVENT_KEYS = {
    "id",
    "occurred_at",
    "actor",
    "action",
    "subject_type",
    "subject_key",
    "reason",
    "before",
    "after",
    "changes",
}
DEMO_EVENTS = 53  # 2 sources, 15 entities, 12 claims, 23 evidence, 1 contradiction


def as_json(provenance: Provenance, *args: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(provenance.ok("history", *args, "--json").stdout)
    return data


def actors(url: str) -> list[tuple[str, str]]:
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            return [(a, b) for a, b in connection.execute(select(Event.action, Event.actor).order_by(Event.id))]
    finally:
        engine.dispose()


# --- who is acting --------------------------------------------------------------------------------------


def test_as_names_the_actor_of_events_and_of_every_by_field(
    provenance: Provenance, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROVENANCE_USER", "desk-default")
    provenance.ok("--as", "anna", "source", "add", str(SEED_2018))
    provenance.ok("--as", "anna", "claim", "add", "talks", "Talks may be called off")
    provenance.ok(
        "--as", "bea", "evidence", "add", "talks", KEY_2018, "--quote", "may be called off", "--stance", "supports"
    )
    provenance.ok("claim", "add", "other", "Another claim")
    provenance.ok("--as", "carl", "contradiction", "add", "talks", "other", "--note", "cannot both hold")

    assert actors(provenance.url) == [
        ("source.add", "anna"),
        ("claim.add", "anna"),
        ("evidence.add", "bea"),
        ("claim.add", "desk-default"),  # no --as: $PROVENANCE_USER
        ("contradiction.add", "carl"),
    ]
    source = session.scalars(select(Source)).one()
    assert source.captured_by == "anna"
    claims = {c.key: c for c in session.scalars(select(Claim))}
    assert claims["talks"].created_by == "anna"
    assert claims["other"].created_by == "desk-default"
    assert claims["talks"].evidence[0].created_by == "bea"
    shown = json.loads(provenance.ok("claim", "show", "talks", "--json").stdout)
    assert shown["created_by"] == "anna" and shown["supporting"][0]["created_by"] == "bea"


def test_as_names_who_set_a_verdict(provenance: Provenance, session: Session) -> None:
    provenance.ok("--as", "vera", "claim", "add", "rated", "A rated claim", "--verdict", "mostly false")
    claim = session.scalars(select(Claim)).one()
    assert (claim.created_by, claim.verdict_by) == ("vera", "vera")
    assert actors(provenance.url) == [("claim.add", "vera")]


def test_without_as_or_provenance_user_the_system_user_acts(
    provenance: Provenance, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PROVENANCE_USER", raising=False)
    provenance.ok("claim", "add", "one", "A claim")
    monkeypatch.setenv("PROVENANCE_USER", "   ")  # blank: as if unset
    provenance.ok("claim", "add", "two", "Another claim")
    system = events._system_user()
    assert system.strip()
    assert actors(provenance.url) == [("claim.add", system), ("claim.add", system)]


def test_as_lasts_for_one_command_only(provenance: Provenance, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROVENANCE_USER", "env-user")
    provenance.ok("--as", "anna", "claim", "add", "one", "A claim")
    provenance.ok("claim", "add", "two", "Another claim")
    assert actors(provenance.url) == [("claim.add", "anna"), ("claim.add", "env-user")]
    assert events.current_actor() == "env-user"


def test_a_name_given_with_as_is_tidied(provenance: Provenance) -> None:
    provenance.ok("--as", "  Anna   Berg ", "claim", "add", "one", "A claim")
    assert actors(provenance.url) == [("claim.add", "Anna Berg")]


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_an_empty_as_is_refused_and_nothing_is_written(provenance: Provenance, name: str) -> None:
    line = provenance.fails("--as", name, "claim", "add", "one", "A claim")
    assert line == (
        "Error: --as needs the name of who is acting, e.g. --as anna, not an empty one; leave it out to act as "
        "$PROVENANCE_USER or the system user"
    )
    assert row_counts(provenance.url)["claim"] == 0


def test_domain_functions_record_the_name_set_for_the_command(session: Session) -> None:
    with events.acting_as("dora") as actor:
        assert (actor.name, actor.identity.value) == ("dora", "declared")
        claim = add_claim(session, "one", "A claim")
    session.commit()
    assert claim.created_by == "dora"
    assert session.scalars(select(Event.actor)).all() == ["dora"]
    with pytest.raises(Invalid, match="--as needs the name"), events.acting_as(" "):
        pass


# --- the log is append-only --------------------------------------------------------------------------------


def test_the_events_module_offers_no_way_to_change_or_delete_an_event() -> None:
    public = {name for name in dir(events) if not name.startswith("_") and callable(getattr(events, name))}
    writers = {name for name in public if name.startswith(("update", "delete", "remove", "edit", "change", "purge"))}
    assert writers == set()
    assert {"record", "record_many"} <= public


def test_the_orm_refuses_to_change_or_delete_an_event(session: Session) -> None:
    events.record(session, "claim.note", "claim", "k", reason="first")
    session.commit()
    event = session.scalars(select(Event)).one()

    event.reason = "rewritten"
    with pytest.raises(events.KeptRecord, match="an event cannot be changed"):
        session.flush()
    session.rollback()
    session.delete(event)
    with pytest.raises(events.KeptRecord, match="an event cannot be deleted"):
        session.flush()
    session.rollback()
    assert session.scalars(select(Event.reason)).all() == ["first"]


def test_the_orm_refuses_to_delete_a_claim(session: Session) -> None:
    claim = add_claim(session, "one", "A claim")
    session.commit()
    session.delete(claim)
    with pytest.raises(events.KeptRecord, match="a claim cannot be deleted: it is withdrawn instead"):
        session.flush()
    session.rollback()
    assert session.scalars(select(Claim.key)).all() == ["one"]


# --- what changed ---------------------------------------------------------------------------------------------


def test_changes_lists_the_fields_that_differ_in_recorded_order() -> None:
    before = {"reliability": "F", "reliability_note": None, "key": "a"}
    after = {"reliability": "C", "reliability_note": "Named reporter", "key": "a", "version": 2}
    assert changes(before, after) == [
        Change("reliability", "F", "C"),
        Change("reliability_note", None, "Named reporter"),
        Change("version", None, 2),
    ]


def test_something_made_lists_the_fields_given_a_value() -> None:
    after = {"claims": ["a", "b"], "note": None, "passage_ids": [None, None], "kind": "direct", "about": []}
    assert changes(None, after) == [Change("claims", None, ["a", "b"]), Change("kind", None, "direct")]
    assert changes({"name": "DPRK"}, None) == [Change("name", "DPRK", None)]
    assert changes(None, None) == []


# --- history of the desk --------------------------------------------------------------------------------------


def test_desk_history_is_newest_first_and_limited_with_a_notice(seeded: Provenance) -> None:
    result = seeded.ok("history", "--limit", "3")
    assert result.stderr == f"the 3 most recent of {DEMO_EVENTS} events; --limit N shows more\n"
    blocks = result.stdout.split("\n\n")
    assert len(blocks) == 3
    heads = [block.splitlines()[0].split("  ") for block in blocks]
    assert [head[2:] for head in heads] == [
        ["contradiction.add", "contradiction dprk-denuclearisation-willingness|talks-may-be-called-off"],
        ["evidence.add", "claim talks-may-be-called-off, evidence quoting india-north-korea-2018 characters 2600–2669"],
        ["claim.add", "claim talks-may-be-called-off"],
    ]
    assert all(head[0].endswith(" UTC") for head in heads)
    assert blocks[1].splitlines()[1:4] == [  # no database id: the evidence is named by what it quotes
        f"    + source: {KEY_2018}",
        "    + char_start: 2600",
        "    + char_end: 2669",
    ]

    everything = as_json(seeded, "--limit", "1000")
    assert len(everything) == DEMO_EVENTS
    assert [e["id"] for e in everything] == sorted((e["id"] for e in everything), reverse=True)
    assert all(set(e) == EVENT_KEYS for e in everything)
    assert seeded.ok("history", "--limit", "1000").stderr == ""


def test_since_keeps_the_events_from_that_day_on(seeded: Provenance, session: Session) -> None:
    old = dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC)
    session.execute(
        Event.__table__.insert(),
        {"id": 0, "occurred_at": old, "actor": "archivist", "action": "claim.note", "subject_type": "claim",
         "subject_key": "suntech-diversion", "before": None, "after": None, "reason": "an old note"},
    )  # fmt: skip
    session.commit()

    assert len(as_json(seeded, "--limit", "1000")) == DEMO_EVENTS + 1
    assert len(as_json(seeded, "--since", "2026-01-06", "--limit", "1000")) == DEMO_EVENTS
    [only] = as_json(seeded, "suntech-diversion", "--since", "2026-01-01", "--limit", "1")
    assert only["action"] != "claim.note"
    oldest = as_json(seeded, "suntech-diversion", "--limit", "1000")[-1]
    assert (oldest["actor"], oldest["reason"], oldest["occurred_at"]) == (
        "archivist",
        "an old note",
        "2026-01-05T09:30:00+00:00",
    )
    tomorrow = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)).isoformat()
    assert seeded.ok("history", "--since", tomorrow).stdout == f"No event matches --since '{tomorrow}'.\n"


# --- history of a claim -----------------------------------------------------------------------------------


def test_a_claims_history_has_its_changes_evidence_and_contradictions(seeded: Provenance) -> None:
    seeded.ok(
        "--as",
        "anna",
        "claim",
        "confidence",
        "dprk-denuclearisation-willingness",
        "unlikely",
        "--reason",
        "The talks were called off",
    )
    seeded.ok("--as", "bea", "contradiction", "resolve", "dprk-denuclearisation-willingness",
              "talks-may-be-called-off", "--note", "The threat came first")  # fmt: skip
    found = as_json(seeded, "dprk-denuclearisation-willingness")
    assert [(e["action"], e["subject_type"], e["actor"]) for e in found[:2]] == [
        ("contradiction.resolve", "contradiction", "bea"),
        ("claim.confidence", "claim", "anna"),
    ]
    assert [e["action"] for e in found[2:]] == ["contradiction.add", "evidence.add", "evidence.add", "claim.add"]
    assert {e["subject_key"] for e in found if e["subject_type"] == "claim"} == {"dprk-denuclearisation-willingness"}
    confidence = found[1]
    assert confidence["reason"] == "The talks were called off"
    assert confidence["changes"][1] == {
        "field": "confidence_note",
        "before": confidence["before"]["confidence_note"],
        "after": "The talks were called off",
    }
    assert confidence["changes"][0]["field"] == "confidence" and confidence["changes"][0]["after"] == 0.325

    text = seeded.ok("history", "dprk-denuclearisation-willingness", "--limit", "2").stdout
    resolved, changed = text.split("\n\n")
    assert resolved.splitlines()[0].split("  ")[1:] == [
        "bea",
        "contradiction.resolve",
        "contradiction dprk-denuclearisation-willingness|talks-may-be-called-off",
    ]
    assert "    status: open -> resolved" in resolved.splitlines()
    assert resolved.splitlines()[-1] == "    reason: The threat came first"
    lines = changed.splitlines()
    assert shown_value(confidence["before"]["confidence_note"]).endswith("…")  # shortened to 120 characters
    assert lines[0].split("  ")[1:] == ["anna", "claim.confidence", "claim dprk-denuclearisation-willingness"]
    assert lines[1].startswith("    confidence: ") and lines[1].endswith(" -> 0.325")
    assert lines[-4:] == [
        "    confidence_note:",
        f"        was: {shown_value(confidence['before']['confidence_note'])}",
        "        now: The talks were called off",
        "    reason: The talks were called off",
    ]


def test_a_contradiction_of_a_claim_whose_key_has_wildcards_is_not_confused(session: Session) -> None:
    for key in ("a_b", "axb", "c"):
        add_claim(session, key, f"Claim {key}")
    add_contradiction(session, "axb", "c")
    session.commit()
    found = history(session, "a_b")
    assert [e.event.action for e in found.entries] == ["claim.add"]
    assert [e.event.subject_key for e in history(session, "axb").entries] == ["axb|c", "axb"]
    assert [e.event.subject_key for e in history(session, "c").entries] == ["axb|c", "c"]


def test_a_key_naming_a_claim_and_a_source_shows_both_unless_told_which(seeded: Provenance) -> None:
    both = seeded.ok("history", KEY_2020, "--json", "--limit", "1000")
    assert both.stderr == (
        f"'{KEY_2020}' names a claim and a source: both histories are shown (--claim or --source for one)\n"
    )
    subjects = {(e["subject_type"], e["subject_key"]) for e in json.loads(both.stdout)}
    assert ("source", KEY_2020) in subjects and ("claim", KEY_2020) in subjects

    claim = as_json(seeded, "--claim", KEY_2020)
    assert {(e["subject_type"], e["subject_key"]) for e in claim} == {("claim", KEY_2020)}
    assert [e["action"] for e in claim][-1] == "claim.add"

    source = as_json(seeded, "--source", KEY_2020, "--limit", "1000")
    assert source[-1]["action"] == "source.add" and source[-1]["subject_key"] == KEY_2020
    # the evidence quoting it, recorded under the claims that quote it
    quoting = [e for e in source if e["action"] == "evidence.add"]
    assert quoting and all(e["after"]["source"] == KEY_2020 for e in quoting)
    assert len({e["subject_key"] for e in quoting}) > 1
    ids = [e["id"] for e in json.loads(both.stdout)]
    assert len(ids) == len(set(ids)) and set(ids) == {e["id"] for e in claim + source}


# --- history of a source ------------------------------------------------------------------------------------


def test_a_sources_history_has_its_rating_derivations_and_the_evidence_quoting_it(seeded: Provenance) -> None:
    seeded.ok("--as", "anna", "source", "rate", KEY_2018, "C", "--note", "Named reporter")
    seeded.ok("--as", "bea", "source", "derive", KEY_2020, "--from", KEY_2018, "--note", "Repeats the visit")
    found = as_json(seeded, KEY_2018, "--limit", "1000")
    assert [(e["action"], e["subject_key"], e["actor"]) for e in found[:2]] == [
        ("source.derive", KEY_2020, "bea"),  # recorded under the source that repeats this one
        ("source.rate", KEY_2018, "anna"),
    ]
    assert found[1]["changes"] == [
        {"field": "reliability", "before": "F", "after": "C"},
        {"field": "reliability_note", "before": found[1]["before"]["reliability_note"], "after": "Named reporter"},
    ]
    assert found[-1]["action"] == "source.add"
    assert {e["action"] for e in found[2:-1]} == {"evidence.add"}
    assert all(e["after"]["source"] == KEY_2018 for e in found[2:-1])
    shown = seeded.ok("history", KEY_2018, "--limit", "2").stdout.split("\n\n")[1].splitlines()
    assert shown[1] == "    reliability: F -> C"
    assert shown[-1] == "    reason: Named reporter"


# --- bad input ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("nope",),
            "Error: no claim or source 'nope'; `provenance claim list` shows the keys (`provenance source list` "
            "those of sources)",
        ),
        (("--claim", KEY_2018), f"Error: no claim '{KEY_2018}'; `provenance claim list` shows the keys"),
        (
            ("--source", "suntech-diversion"),
            "Error: no source 'suntech-diversion'; `provenance source list` shows the keys",
        ),
        (("--since", "soon"), "Error: cannot read the date 'soon'; give a whole date, e.g. 2018-05-17"),
    ],
)
def test_bad_history_requests_give_one_line_and_change_nothing(
    seeded: Provenance, args: tuple[str, ...], message: str
) -> None:
    assert seeded.fails("history", *args) == message


def test_naming_two_subjects_is_a_usage_error(seeded: Provenance) -> None:
    line = seeded.fails("history", KEY_2018, "--source", KEY_2018, code=2)
    assert line.startswith("Error: name one claim or source: KEY, --claim KEY or --source KEY (see `")
    assert line.endswith(" history --help`)")


def test_an_empty_desk_has_no_events(provenance: Provenance) -> None:
    assert provenance.ok("history").stdout == "No events recorded yet: every change a command makes is logged.\n"
    assert as_json(provenance) == []
