"""Every domain function that changes the desk asks the one permission table first (provenance.access): for each
role, a function is done or refused exactly as PERMISSIONS says, and a refusal writes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import SEED_2020, Provenance
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from provenance import (
    access,
    assessment,
    bundle,
    claims,
    contradictions,
    db,
    entities,
    events,
    fetch,
    importer,
    ingest,
    reanchor,
    retraction,
    sources,
    webcapture,
    workflow,
)
from provenance.access import ROLES, Actor, Permission
from provenance.documents import document_from_text
from provenance.errors import Forbidden, Invalid
from provenance.models import Base, Event, Identity, Role

MEDICAL = "india-medical-aid-2020"
KOREA = "india-north-korea-2018"
QUOTE = "New Delhi extended the medical assistance in response to a request received from the World Health Organisation"
PAGE = b"<html><head><title>Aid</title></head><body><article><p>" + b"India sent aid to Pyongyang. " * 20 + b"</p>"
PAGE += b"</article></body></html>"
CLAIMS_FILE = """\
sources:
  - key: permission-note
    text: "The ministry said the shipment left Mumbai on Tuesday. It reached the port three weeks later."
entities:
  - name: Mumbai
    aliases: [Bombay]
claims:
  - key: shipment-left-mumbai
    statement: "The shipment left Mumbai on Tuesday"
    about: [Mumbai]
    evidence:
      - source: permission-note
        quote: "the shipment left Mumbai on Tuesday"
        stance: supports
"""


@dataclass(frozen=True)
class Case:
    """A domain function that writes: what it needs (in the order it asks), how to call it, what it logs."""

    name: str
    needs: tuple[Permission, ...]
    call: Callable[[Session, Any], object]
    logs: str | None  # the action of the event a permitted call records last (None: records nothing here)
    setup: Callable[[Session, Path], Any] = lambda session, folder: None


def _in_review(session: Session, folder: Path) -> None:
    workflow.review_claim(session, "suntech-diversion", status="in progress")
    workflow.review_claim(session, "suntech-diversion", status="in review", verdict="false")


def _fuzzy_evidence(session: Session, folder: Path) -> int:
    claims.add_claim(session, "aid-requested", "WHO asked for the aid")
    quote = QUOTE.replace("request received", "request recieved")  # one letter off: anchored only as close
    return claims.add_evidence(session, "aid-requested", MEDICAL, quote, stance="supports", accept_fuzzy=True).id


def _alias(session: Session, folder: Path) -> None:
    entities.add_aliases(session, "North Korea", ["DPRK"])


def _retracted(session: Session, folder: Path) -> None:
    retraction.retract_source(session, MEDICAL, reason="the outlet withdrew it")


def _new_version(session: Session, folder: Path) -> str:
    text = SEED_2020.read_text(encoding="utf-8").replace("on Friday", "on Thursday")
    return sources.store_source(session, document_from_text(text, name="aid.txt"), version_of=MEDICAL).key


def _suggested(session: Session, folder: Path) -> int:
    return contradictions.detect(session)[0].id


def _a_file(session: Session, folder: Path) -> list[Any]:
    path = folder / "aid-note.txt"
    path.write_text("A short note on the aid that India sent in July.\n\nIt was medicine against tuberculosis.\n")
    return list(ingest.planned_files([path]))


def _a_claims_file(session: Session, folder: Path) -> Path:
    path = folder / "claims.yaml"
    path.write_text(CLAIMS_FILE, encoding="utf-8")
    return path


def _a_page(session: Session, folder: Path) -> webcapture.Page:
    fetched = fetch.Fetched(
        requested_url="https://news.example.org/aid",
        final_url="https://news.example.org/aid",
        fetched_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
        status=200,
        reason="OK",
        content_type="text/html; charset=utf-8",
        etag=None,
        last_modified=None,
        body=PAGE,
    )
    return webcapture.Page(fetched, webcapture.read(fetched, max_bytes=1_000_000))


def _text(n: int) -> Any:
    return document_from_text(
        f"A note {n} on the aid India sent to Pyongyang in July 2020.", name=f"note-{n}.txt", origin=f"note-{n}.txt"
    )


P = Permission
CASES = [
    Case("store_source", (P.CAPTURE,), lambda s, _: sources.store_source(s, _text(1)), "source.add"),
    Case(
        "store_sources", (P.CAPTURE,), lambda s, _: sources.store_sources(s, [sources.Pending(_text(2))]), "source.add"
    ),
    Case("add_source", (P.CAPTURE,), lambda s, _: sources.add_source(s, _text(3)), "source.add"),
    Case("ingest.capture", (P.CAPTURE,), lambda s, items: ingest.capture(s, items), "source.add", _a_file),
    Case("store_page", (P.CAPTURE,), lambda s, page: webcapture.store_page(s, page), "source.add", _a_page),
    Case(
        "import_claims_file",
        (P.CAPTURE, P.EDIT_CLAIMS, P.ADD_EVIDENCE),
        lambda s, path: importer.import_claims_file(s, path),
        "evidence.add",
        _a_claims_file,
    ),
    Case(
        "rate_source",
        (P.CAPTURE,),
        lambda s, _: assessment.rate_source(s, MEDICAL, "C", note="MEA quoted"),
        "source.rate",
    ),
    Case(
        "derive_source",
        (P.CAPTURE,),
        lambda s, _: assessment.derive_source(s, KOREA, MEDICAL, note="the same wire"),
        "source.derive",
    ),
    Case("add_claim", (P.EDIT_CLAIMS,), lambda s, _: claims.add_claim(s, "aid-sent", "India sent aid"), "claim.add"),
    Case(
        "add_claim in review with a verdict",
        (P.EDIT_CLAIMS, P.REVIEW, P.SET_VERDICT),
        lambda s, _: claims.add_claim(s, "aid-sent", "India sent aid", status="in review", verdict="true"),
        "claim.add",
    ),
    Case(
        "add_claim published",
        (P.EDIT_CLAIMS, P.PUBLISH, P.SET_VERDICT),
        lambda s, _: claims.add_claim(s, "aid-sent", "India sent aid", status="published", verdict="true"),
        "claim.add",
    ),
    Case(
        "add_claim withdrawn",
        (P.EDIT_CLAIMS, P.WITHDRAW_CLAIMS),
        lambda s, _: claims.add_claim(s, "aid-sent", "India sent aid", status="withdrawn"),
        "claim.add",
    ),
    Case(
        "set_claim_confidence",
        (P.EDIT_CLAIMS,),
        lambda s, _: assessment.set_claim_confidence(s, "suntech-diversion", "likely", reason="a second report"),
        "claim.confidence",
    ),
    Case(
        "assign_claim",
        (P.EDIT_CLAIMS,),
        lambda s, _: workflow.assign_claim(s, "suntech-diversion", "bea"),
        "claim.assign",
    ),
    Case(
        "add_evidence",
        (P.ADD_EVIDENCE,),
        lambda s, _: claims.add_evidence(s, "suntech-diversion", MEDICAL, QUOTE, stance="mentions"),
        "evidence.add",
    ),
    Case(
        "confirm_evidence",
        (P.CONFIRM_EVIDENCE,),
        lambda s, evidence_id: claims.confirm_evidence(s, evidence_id, note="a typing slip in the quote"),
        "evidence.confirm",
        _fuzzy_evidence,
    ),
    Case(
        "add_aliases", (P.EDIT_ENTITIES,), lambda s, _: entities.add_aliases(s, "North Korea", ["DPRK"]), "entity.alias"
    ),
    Case("remove_alias", (P.EDIT_ENTITIES,), lambda s, _: entities.remove_alias(s, "DPRK"), "entity.unalias", _alias),
    Case(
        "merge_entities",
        (P.EDIT_ENTITIES,),
        lambda s, _: entities.merge_entities(s, "Korean Peninsula", "North Korea", reason="one place here"),
        "entity.merge",
    ),
    Case(
        "add_contradiction",
        (P.SUGGEST,),
        lambda s, _: claims.add_contradiction(s, "suntech-diversion", "rodong-transfer"),
        "contradiction.add",
    ),
    Case("detect", (P.SUGGEST,), lambda s, _: contradictions.detect(s), "suggestion.add"),
    Case(
        "resolve_contradiction",
        (P.DECIDE_CONTRADICTIONS,),
        lambda s, _: contradictions.resolve_contradiction(
            s, "dprk-denuclearisation-willingness", "talks-may-be-called-off", "bargaining positions"
        ),
        "contradiction.resolve",
    ),
    Case(
        "dismiss_contradiction",
        (P.DECIDE_CONTRADICTIONS,),
        lambda s, _: contradictions.dismiss_contradiction(
            s, "dprk-denuclearisation-willingness", "talks-may-be-called-off", "both can hold"
        ),
        "contradiction.dismiss",
    ),
    Case(
        "confirm_suggestion",
        (P.DECIDE_CONTRADICTIONS,),
        lambda s, ident: contradictions.confirm_suggestion(s, ident, "they differ"),
        "suggestion.confirm",
        _suggested,
    ),
    Case(
        "dismiss_suggestion",
        (P.DECIDE_CONTRADICTIONS,),
        lambda s, ident: contradictions.dismiss_suggestion(s, ident, "the same span of years"),
        "suggestion.dismiss",
        _suggested,
    ),
    Case(
        "review_claim to in progress",
        (P.REVIEW,),
        lambda s, _: workflow.review_claim(s, "suntech-diversion", status="in progress"),
        "claim.review",
    ),
    Case(
        "review_claim verdict",
        (P.SET_VERDICT,),
        lambda s, _: workflow.review_claim(s, "suntech-diversion", verdict="unproven"),
        "claim.review",
    ),
    Case(
        "review_claim publish",
        (P.PUBLISH,),
        lambda s, _: workflow.review_claim(s, "suntech-diversion", status="published", note="read both"),
        "claim.review",
        _in_review,
    ),
    Case(
        "withdraw_claim",
        (P.WITHDRAW_CLAIMS,),
        lambda s, _: workflow.withdraw_claim(s, "suntech-diversion", reason="a duplicate"),
        "claim.withdraw",
    ),
    Case(
        "retract_source",
        (P.RETRACT_SOURCES,),
        lambda s, _: retraction.retract_source(s, MEDICAL, reason="the outlet withdrew it"),
        "source.retract",
    ),
    Case(
        "reinstate_source",
        (P.RETRACT_SOURCES,),
        lambda s, _: retraction.reinstate_source(s, MEDICAL, reason="retracted by mistake"),
        "source.reinstate",
        _retracted,
    ),
    Case("reanchor", (P.REVIEW,), lambda s, new: reanchor.reanchor(s, MEDICAL, new), "evidence.reanchor", _new_version),
    Case(
        "set_desk_setting",
        (P.DESK_SETTINGS,),
        lambda s, _: workflow.set_desk_setting(s, "second-reviewer", "off", reason="a desk of one"),
        "desk.set",
    ),
    Case("bundle.dump", (P.MANAGE_ACCOUNTS,), lambda s, _: bundle.dump(s), None),
]


def expected_refusal(role: Role, needs: tuple[Permission, ...]) -> str | None:
    """The line a role is refused with, from the table: the first permission asked for that it lacks."""
    for permission in needs:
        if not access.allows(role, permission):
            least = access.PERMISSIONS[permission].least.value
            article = "an" if role.value[0] in "aeiou" else "a"  # an editor, an admin
            return (
                f"x is {article} {role.value} and may not {permission.value}: that needs the {least} role or above "
                "(an admin changes roles with `provenance user role NAME ROLE`)"
            )
    return None


def counts(session: Session) -> dict[str, int]:
    """Rows in every table, as this transaction sees them."""
    return {name: session.scalar(select(func.count()).select_from(t)) or 0 for name, t in Base.metadata.tables.items()}


@contextmanager
def transaction(url: str) -> Iterator[Session]:
    """A session whose work is thrown away at the end."""
    engine = db.make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            try:
                yield session
            finally:
                session.rollback()
    finally:
        engine.dispose()


def test_every_case_names_permissions_of_the_table() -> None:
    assert {permission for case in CASES for permission in case.needs} == set(Permission) - {
        Permission.READ,
        Permission.OWN_ACCOUNT,
    }


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_role_may_do_what_the_permission_table_says_and_a_refusal_writes_nothing(
    seeded: Provenance, case: Case, tmp_path: Path
) -> None:
    for role in ROLES:
        with transaction(seeded.url) as session:
            with events.acting_as("setup"):
                argument = case.setup(session, tmp_path)
            before = counts(session)
            last_event = session.scalar(select(func.max(Event.id)))
            refusal = expected_refusal(role, case.needs)
            with events.acting_as(Actor("x", Identity.TOKEN, role)):
                if refusal is not None:
                    with pytest.raises(Forbidden) as refused:
                        case.call(session, argument)
                    assert (role, str(refused.value)) == (role, refusal)
                    assert counts(session) == before
                    continue
                case.call(session, argument)
            if case.logs is None:
                assert counts(session) == before
                continue
            logged = session.execute(
                select(Event.actor, Event.identity, Event.action).where(Event.id > (last_event or 0)).order_by(Event.id)
            ).all()
            assert (role, logged[-1]) == (role, ("x", "token", case.logs))


def test_fetching_a_page_is_refused_before_anything_is_fetched(seeded: Provenance) -> None:
    # capture_url asks before it fetches: a viewer is refused without any connection being tried, while a
    # researcher gets as far as the fetch (which refuses a private address here)
    with transaction(seeded.url) as session:
        with events.acting_as(Actor("x", Identity.TOKEN, Role.VIEWER)), pytest.raises(Forbidden) as refused:
            webcapture.capture_url(session, "http://127.0.0.1:9/aid", allow_private=False)
        assert str(refused.value) == expected_refusal(Role.VIEWER, (Permission.CAPTURE,))
        with events.acting_as(Actor("x", Identity.TOKEN, Role.RESEARCHER)), pytest.raises(Invalid):
            webcapture.capture_url(session, "http://127.0.0.1:9/aid", allow_private=False)


@pytest.mark.parametrize("identity", [Identity.DECLARED, Identity.OPERATOR])
def test_a_declared_name_or_the_operator_has_no_role_and_is_never_refused_by_role(
    seeded: Provenance, identity: Identity
) -> None:
    with transaction(seeded.url) as session, events.acting_as(Actor("ana", identity)):
        retraction.retract_source(session, MEDICAL, reason="the outlet withdrew it")
        assert bundle.dump(session)["format"] == "provenance-bundle"
        logged = session.execute(select(Event.actor, Event.identity).order_by(Event.id.desc()).limit(1)).one()
    assert tuple(logged) == ("ana", identity.value)
