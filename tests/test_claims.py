"""Claims, entities, evidence and contradictions in the domain layer."""

from __future__ import annotations

import pytest
from conftest import DEMO_CLAIMS, SEED_2020
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from provenance.claims import add_claim, add_contradiction, add_evidence, find_entities, list_claims
from provenance.documents import read_document
from provenance.errors import Conflict, Invalid, NotFound
from provenance.importer import import_claims_file
from provenance.models import AnchorMethod, Contradiction, Entity, Event, Passage, PassageKind
from provenance.sources import add_source

MEDICINES = "India on Friday extended medical assistance worth $ 1 million to North Korea"
WHOLE_SENTENCE = (
    "New Delhi extended the medical assistance in response to a request received from the World Health "
    "Organisation (WHO), the Ministry of External Affairs (MEA) said."
)


@pytest.fixture
def aid(session: Session) -> Session:
    add_source(session, read_document(SEED_2020))
    add_claim(session, "aid", "India sent $1 million of medicines", about=["India", "North Korea"])
    return session


def test_entities_are_one_whatever_the_case_or_spacing(session: Session) -> None:
    add_claim(session, "a", "First", about=["North Korea"])
    add_claim(session, "b", "Second", about=["north  KOREA", "Pakistan"])
    assert sorted(session.scalars(select(Entity.name))) == ["North Korea", "Pakistan"]
    assert [c.key for c in list_claims(session, "NORTH KOREA")] == ["a", "b"]


def test_about_finds_an_entity_by_whole_words_of_its_name(session: Session) -> None:
    import_claims_file(session, DEMO_CLAIMS)
    assert [c.key for c in list_claims(session, "Suntech")] == ["suntech-diversion"]
    assert [e.name for e in find_entities(session, "korea")] == ["North Korea"]
    assert find_entities(session, "kor") == []
    with pytest.raises(NotFound, match="no entity 'Narnia'; claims are about: Abdul Qadeer Khan, China"):
        list_claims(session, "Narnia")


def test_a_whole_sentence_quote_cites_the_sentence_passage(aid: Session) -> None:
    evidence = add_evidence(aid, "aid", "india-medical-aid-2020", WHOLE_SENTENCE, stance="mentions")
    assert evidence.passage.kind is PassageKind.SENTENCE
    assert aid.scalar(select(func.count()).select_from(Passage).where(Passage.kind == PassageKind.QUOTE)) == 0


def test_a_partial_quote_gets_a_passage_of_its_own(aid: Session) -> None:
    evidence = add_evidence(aid, "aid", "india-medical-aid-2020", MEDICINES, stance="supports", confidence="likely")
    passage = evidence.passage
    assert passage.kind is PassageKind.QUOTE
    assert (passage.char_start, passage.char_end, passage.paragraph_no) == (0, len(MEDICINES), 1)
    assert passage.text == MEDICINES and passage.prefix == "" and passage.suffix.startswith(" in a rare reach-out")
    assert evidence.anchor_method is AnchorMethod.EXACT and evidence.confidence == 0.675


def test_the_same_passage_cannot_be_cited_twice_for_one_claim(aid: Session) -> None:
    add_evidence(aid, "aid", "india-medical-aid-2020", MEDICINES, stance="supports")
    with pytest.raises(Conflict, match="claim 'aid' already cites that passage of 'india-medical-aid-2020'"):
        add_evidence(aid, "aid", "india-medical-aid-2020", MEDICINES, stance="contradicts")


def test_a_quote_passage_is_shared_between_claims(aid: Session) -> None:
    add_claim(aid, "other", "Another claim")
    first = add_evidence(aid, "aid", "india-medical-aid-2020", MEDICINES, stance="supports")
    second = add_evidence(aid, "other", "india-medical-aid-2020", MEDICINES, stance="mentions")
    assert first.passage_id == second.passage_id


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"stance": "agrees"},
            Invalid,
            "unknown stance 'agrees'; use one of: supports, contradicts, mentions",
        ),
        ({"stance": "supports", "confidence": "maybe"}, Invalid, "unknown likelihood 'maybe'"),
        ({"stance": "supports", "confidence": 1.5}, Invalid, "outside 0..1"),
    ],
)
def test_bad_stances_and_likelihoods_are_refused(
    aid: Session, kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        add_evidence(aid, "aid", "india-medical-aid-2020", MEDICINES, **kwargs)  # type: ignore[arg-type]


def test_contradictions_are_stored_once_per_pair(aid: Session) -> None:
    add_claim(aid, "b-claim", "The opposite")
    contradiction = add_contradiction(aid, "b-claim", "aid", note="cannot both hold")
    assert (contradiction.claim_a.key, contradiction.claim_b.key) == ("aid", "b-claim")
    with pytest.raises(Conflict, match="already recorded as contradicting"):
        add_contradiction(aid, "aid", "b-claim")
    with pytest.raises(Invalid, match="cannot contradict itself"):
        add_contradiction(aid, "aid", "aid")
    with pytest.raises(NotFound, match="no claim 'nope'"):
        add_contradiction(aid, "aid", "nope")
    assert aid.scalar(select(func.count()).select_from(Contradiction)) == 1


def test_claim_keys_are_unique_and_checked(aid: Session) -> None:
    with pytest.raises(Conflict, match="claim 'aid' already exists"):
        add_claim(aid, "aid", "Again")
    with pytest.raises(Invalid, match="claim key 'Bad Key' is not usable"):
        add_claim(aid, "Bad Key", "Statement")
    with pytest.raises(Invalid, match="empty statement"):
        add_claim(aid, "empty", "   ")


def test_every_change_is_logged_with_who_and_what(aid: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROVENANCE_USER", "checker")
    add_evidence(aid, "aid", "india-medical-aid-2020", MEDICINES, stance="supports", confidence=0.7)
    events = list(aid.scalars(select(Event).order_by(Event.id)))
    assert [e.action for e in events] == [
        "source.add",
        "entity.add",
        "entity.add",
        "claim.add",
        "evidence.add",
    ]
    last = events[-1]
    assert (last.actor, last.subject_type, last.subject_key) == ("checker", "claim", "aid")
    assert last.after is not None and last.after["source"] == "india-medical-aid-2020"
    assert last.after["char_start"] == 0 and last.after["confidence"] == 0.7
