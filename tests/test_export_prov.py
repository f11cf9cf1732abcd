"""The W3C PROV export: PROV-JSON that reads back as the same records and meets the published schema, PROV-N
and PROV-O Turtle of the same document, and the facts of the demo corpus (which passage of which article each
claim comes from, who wrote the articles, who did what when) present in all of them."""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
from typing import Any

import pytest
import sqlalchemy
from conftest import DEMO_CLAIMS, REPO, Provenance, row_counts
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from provenance.claims import add_claim, add_contradiction, add_evidence
from provenance.documents import Metadata, document_from_text
from provenance.errors import Invalid, ProvenanceError
from provenance.export import prov as prov_export
from provenance.models import Event
from provenance.report import Report, build_report, load_events
from provenance.sources import add_source

CONFORMANCE = REPO.parent / "shared" / "conformance"
SCHEMA = CONFORMANCE / "prov" / "prov-json.schema.json"
ANALYST = "Ana Lyst"  # a name with a space: its identifier must be percent-encoded in every format
SUNTECH_QUOTE = (
    "certain nuclear materials supplied to Pakistan Atomic Energy Commission by the Suntech Technology Company "
    "Limited of China in the recent years were being diverted to North Korea"
)
PROV = "http://www.w3.org/ns/prov#"
NS = prov_export.BASE


@pytest.fixture
def prov_model() -> Any:
    return pytest.importorskip("prov.model", reason="the PROV export needs the prov package: pip install prov[rdf]")


@pytest.fixture
def rdflib(prov_model: Any) -> Any:
    return pytest.importorskip("rdflib", reason="the PROV-O (Turtle) export needs rdflib: pip install prov[rdf]")


@pytest.fixture
def demo(provenance: Provenance, monkeypatch: pytest.MonkeyPatch) -> Provenance:
    """The demo corpus, imported by the analyst ``ANALYST``."""
    monkeypatch.setenv("PROVENANCE_USER", ANALYST)
    provenance.ok("import", str(DEMO_CLAIMS))
    return provenance


@pytest.fixture
def exported(demo: Provenance, session: Session) -> tuple[Report, list[Event]]:
    return build_report(session), load_events(session)


def parse_json(prov_model: Any, text: str) -> Any:
    return prov_model.ProvDocument.deserialize(content=text, format="json")


def records(document: Any, kind: str) -> list[Any]:
    """The document's records of one PROV-N kind (``wasDerivedFrom``, ``entity``, ...)."""
    return [r for r in document.get_records() if r.get_type().localpart == _KINDS.get(kind, kind)]


_KINDS = {
    "entity": "Entity",
    "agent": "Agent",
    "activity": "Activity",
    "wasDerivedFrom": "Derivation",
    "wasInfluencedBy": "Influence",
    "wasAttributedTo": "Attribution",
    "wasAssociatedWith": "Association",
    "wasGeneratedBy": "Generation",
    "used": "Usage",
    "specializationOf": "Specialization",
    "hadMember": "Membership",
}


def formal(record: Any) -> dict[str, str]:
    """A relation's formal attributes by local name (``generatedEntity``, ``agent``, ...), as strings."""
    return {str(name.localpart): str(value) for name, value in record.formal_attributes if value is not None}


def extra(record: Any) -> dict[str, set[str]]:
    """A record's other attributes by QName (``provenance:stance``, ``prov:type``, ...), each a set of strings."""
    found: dict[str, set[str]] = {}
    for name, value in record.extra_attributes:
        found.setdefault(str(name), set()).add(str(value))
    return found


def value(record: Any, name: str) -> str:
    """The one value of a record's attribute ``name``."""
    (only,) = extra(record)[name]
    return only


def by_id(document: Any, kind: str) -> dict[str, Any]:
    return {str(r.identifier): r for r in records(document, kind)}


# --- PROV-JSON -------------------------------------------------------------------------------------------


def test_prov_json_reads_back_as_the_same_records(prov_model: Any, exported: tuple[Report, list[Event]]) -> None:
    report, events = exported
    built = prov_export.build_document(report, events)
    text = prov_export.render(report, events, fmt="json")

    back = parse_json(prov_model, text)
    assert set(back.get_records()) == set(built.get_records())
    assert back == built
    again = parse_json(prov_model, back.serialize(format="json"))
    assert again == built
    assert len(records(back, "activity")) == len(events) - 15  # every event but the 15 entity.add ones
    assert {str(r.identifier) for r in records(back, "entity") if str(r.identifier).startswith("claim:")} == {
        f"claim:{entry.claim.key}" for entry in report.claims
    }


def test_prov_json_is_valid_against_the_published_schema(exported: tuple[Report, list[Event]]) -> None:
    if not SCHEMA.is_file():
        pytest.skip(
            f"PROV-JSON schema not found at {SCHEMA} (the conformance folder is expected beside the repository)"
        )
    jsonschema = pytest.importorskip("jsonschema", reason="validating against the schema needs jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    # No format checker: the schema's "uri" format rejects the bare QNames PROV-JSON is made of.
    validator = jsonschema.Draft4Validator(schema)
    data = json.loads(prov_export.render(*exported, fmt="json"))

    assert [error.message for error in validator.iter_errors(data)] == []
    # The schema spells one key "wasEndedby" and allows no others: every key we write is one it names.
    assert set(data) <= set(schema["properties"])
    assert {"entity", "agent", "activity", "wasDerivedFrom", "specializationOf", "wasAssociatedWith"} <= set(data)
    assert not validator.is_valid({**data, "wasEndedBy": {}})  # the validator does reject what it should


def test_suntech_claim_derives_from_a_passage_of_the_2020_article(
    prov_model: Any, exported: tuple[Report, list[Event]]
) -> None:
    document = parse_json(prov_model, prov_export.render(*exported, fmt="json"))
    derived = [formal(r) for r in records(document, "wasDerivedFrom")]
    used = [d["usedEntity"] for d in derived if d["generatedEntity"] == "claim:suntech-diversion"]
    assert len(used) == 1 and used[0].startswith("passage:india-medical-aid-2020.")

    passage = by_id(document, "entity")[used[0]]
    attributes = extra(passage)
    assert attributes["prov:value"] == {SUNTECH_QUOTE}
    assert attributes["prov:type"] == {"provenance:Passage"}
    start, end = int(value(passage, "provenance:char_start")), int(value(passage, "provenance:char_end"))
    source = next(s for s in exported[0].sources if s.key == "india-medical-aid-2020")
    assert source.text[start:end] == SUNTECH_QUOTE
    assert used[0] == f"passage:india-medical-aid-2020.{start}-{end}"
    specializations = {
        (d["specificEntity"], d["generalEntity"]) for d in map(formal, records(document, "specializationOf"))
    }
    assert (used[0], "source:india-medical-aid-2020") in specializations


def test_the_derivation_carries_the_evidence_and_the_event_that_made_it(
    prov_model: Any, exported: tuple[Report, list[Event]]
) -> None:
    report, events = exported
    document = parse_json(prov_model, prov_export.render(report, events, fmt="json"))
    (derivation,) = [r for r in records(document, "wasDerivedFrom") if "suntech" in formal(r)["generatedEntity"]]
    (event,) = [e for e in events if e.action == "evidence.add" and e.subject_key == "suntech-diversion"]

    assert formal(derivation)["activity"] == f"event:{event.id}"
    attributes = extra(derivation)
    assert attributes["provenance:stance"] == {"supports"}
    assert attributes["provenance:confidence"] == {"0.325"}
    assert attributes["provenance:confidence_term"] == {"unlikely"}
    assert attributes["provenance:attributed_to"] == {"New Delhi, citing unnamed intelligence inputs"}
    assert attributes["provenance:created_by"] == {"analyst:Ana%20Lyst"}
    usage = {(d["activity"], d["entity"]) for d in map(formal, records(document, "used"))}
    assert (f"event:{event.id}", formal(derivation)["usedEntity"]) in usage


def test_contradicting_and_mentioning_passages_influence_the_claim_without_deriving_it(
    prov_model: Any, exported: tuple[Report, list[Event]]
) -> None:
    document = parse_json(prov_model, prov_export.render(*exported, fmt="json"))
    claim = "claim:dprk-denuclearisation-willingness"
    influences = [r for r in records(document, "wasInfluencedBy") if formal(r)["influencee"] == claim]
    derivations = [r for r in records(document, "wasDerivedFrom") if formal(r)["generatedEntity"] == claim]

    assert [extra(r)["provenance:stance"] for r in influences] == [{"contradicts"}]
    assert [extra(r)["provenance:stance"] for r in derivations] == [{"supports"}]
    assert formal(influences[0])["influencer"] != formal(derivations[0])["usedEntity"]
    stances = {value(r, "provenance:stance") for r in records(document, "wasInfluencedBy")}
    assert stances == {"contradicts", "mentions"}
    assert all(extra(r)["provenance:stance"] == {"supports"} for r in records(document, "wasDerivedFrom"))


def test_the_2018_article_is_attributed_to_isabel_fisher(prov_model: Any, exported: tuple[Report, list[Event]]) -> None:
    document = parse_json(prov_model, prov_export.render(*exported, fmt="json"))
    attributions = {
        (d["entity"], d["agent"], value(r, "provenance:role"))
        for r in records(document, "wasAttributedTo")
        for d in [formal(r)]
        if d["entity"].startswith("source:")
    }

    assert attributions == {
        ("source:india-north-korea-2018", "agent:Isabel%20Fisher", "author"),
        ("source:india-north-korea-2018", "analyst:Ana%20Lyst", "captured_by"),
        # no author or publisher is named in the 2020 article, so none is made up
        ("source:india-medical-aid-2020", "analyst:Ana%20Lyst", "captured_by"),
    }
    agents = by_id(document, "agent")
    assert extra(agents["agent:Isabel%20Fisher"])["prov:label"] == {"Isabel Fisher"}
    assert extra(agents["analyst:Ana%20Lyst"])["prov:type"] == {"provenance:Analyst"}
    assert set(agents) == {"agent:Isabel%20Fisher", "analyst:Ana%20Lyst"}


def test_each_evidence_add_event_is_an_activity_associated_with_its_actor(
    prov_model: Any, exported: tuple[Report, list[Event]]
) -> None:
    report, events = exported
    document = parse_json(prov_model, prov_export.render(report, events, fmt="json"))
    activities = by_id(document, "activity")
    associations = {(d["activity"], d["agent"]) for d in map(formal, records(document, "wasAssociatedWith"))}
    evidence_events = [e for e in events if e.action == "evidence.add"]

    assert len(evidence_events) == 23
    for event in evidence_events:
        activity = activities[f"event:{event.id}"]
        assert extra(activity)["prov:type"] == {"provenance:evidence.add"}
        assert activity.get_startTime() == event.occurred_at == activity.get_endTime()
        assert (f"event:{event.id}", "analyst:Ana%20Lyst") in associations


def test_adding_events_generate_their_claims_sources_and_contradiction(
    prov_model: Any, exported: tuple[Report, list[Event]]
) -> None:
    report, events = exported
    document = parse_json(prov_model, prov_export.render(report, events, fmt="json"))
    generated = {d["entity"]: d.get("activity") for d in map(formal, records(document, "wasGeneratedBy"))}
    # (a claim and a source may share a key: the demo has both a claim and a source "india-medical-aid-2020")
    adding = {
        f"{e.subject_type}:{e.subject_key}": f"event:{e.id}" for e in events if e.action == f"{e.subject_type}.add"
    }

    assert generated["claim:suntech-diversion"] == adding["claim:suntech-diversion"]
    assert generated["claim:india-medical-aid-2020"] == adding["claim:india-medical-aid-2020"]
    assert generated["source:india-medical-aid-2020"] == adding["source:india-medical-aid-2020"]
    pair = "dprk-denuclearisation-willingness|talks-may-be-called-off"
    assert (
        generated["contradiction:dprk-denuclearisation-willingness%7Ctalks-may-be-called-off"]
        == (adding[f"contradiction:{pair}"])
    )
    assert len(generated) == 12 + 2 + 1  # claims, sources, the contradiction: each once


def test_a_contradiction_is_a_collection_of_its_two_claims(
    prov_model: Any, exported: tuple[Report, list[Event]]
) -> None:
    document = parse_json(prov_model, prov_export.render(*exported, fmt="json"))
    identifier = "contradiction:dprk-denuclearisation-willingness%7Ctalks-may-be-called-off"
    contradiction = by_id(document, "entity")[identifier]

    assert extra(contradiction)["prov:type"] == {"provenance:Contradiction", "prov:Collection"}
    assert extra(contradiction)["provenance:status"] == {"open"}
    assert {(d["collection"], d["entity"]) for d in map(formal, records(document, "hadMember"))} == {
        (identifier, "claim:dprk-denuclearisation-willingness"),
        (identifier, "claim:talks-may-be-called-off"),
    }


def test_a_selection_exports_only_its_claims_sources_and_events(
    prov_model: Any, demo: Provenance, session: Session
) -> None:
    report = build_report(session, ["suntech-diversion"])
    events = load_events(session)
    document = parse_json(prov_model, prov_export.render(report, events, fmt="json"))
    entities = set(by_id(document, "entity"))
    activities = {value(a, "provenance:subject_key") for a in records(document, "activity")}

    assert {e for e in entities if not e.startswith("passage:")} == {
        "claim:suntech-diversion",
        "source:india-medical-aid-2020",
    }
    assert activities == {"suntech-diversion", "india-medical-aid-2020"}  # no entity.add, no other claim's events
    assert len(records(document, "activity")) == 3  # source.add, claim.add, evidence.add


def test_a_claim_in_conflict_with_a_selected_one_is_exported_as_the_other_member(
    prov_model: Any, demo: Provenance, session: Session
) -> None:
    report = build_report(session, ["dprk-denuclearisation-willingness"])
    document = parse_json(prov_model, prov_export.render(report, load_events(session), fmt="json"))
    entities = by_id(document, "entity")

    assert "claim:talks-may-be-called-off" in entities
    assert "contradiction:dprk-denuclearisation-willingness%7Ctalks-may-be-called-off" in entities
    assert extra(entities["claim:talks-may-be-called-off"])["prov:value"] == {
        "In May 2018 North Korean officers reportedly claimed that Pyongyang's proposed talks with the United "
        "States on abandoning its nuclear weapons programme may be called off"
    }
    # ... but its own evidence and events are not part of this selection
    assert not [r for r in records(document, "wasDerivedFrom") if "talks-may" in formal(r)["generatedEntity"]]
    actions = sorted(value(a, "prov:type") for a in records(document, "activity"))
    assert actions.count("provenance:contradiction.add") == 1
    assert actions.count("provenance:claim.add") == 1


def test_a_review_event_is_an_activity_that_influenced_its_claim(
    prov_model: Any, exported: tuple[Report, list[Event]]
) -> None:
    report, events = exported
    review = Event(
        id=10_000,
        occurred_at=dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC),
        actor="reviewer",
        action="claim.review",
        subject_type="claim",
        subject_key="suntech-diversion",
        before={"status": "unstarted"},
        after={"status": "in_review"},
        reason="needs a second source",
    )
    document = parse_json(prov_model, prov_export.render(report, [*events, review], fmt="json"))
    activity = by_id(document, "activity")["event:10000"]

    assert extra(activity)["provenance:reason"] == {"needs a second source"}
    assert json.loads(value(activity, "provenance:after")) == {"status": "in_review"}
    assert ("event:10000", "analyst:reviewer") in {
        (d["activity"], d["agent"]) for d in map(formal, records(document, "wasAssociatedWith"))
    }
    assert ("claim:suntech-diversion", "event:10000") in {
        (d["influencee"], d["influencer"]) for d in map(formal, records(document, "wasInfluencedBy"))
    }


# --- PROV-N and Turtle -----------------------------------------------------------------------------------


def test_provn_states_the_derivation_specialization_and_attribution(
    prov_model: Any, exported: tuple[Report, list[Event]]
) -> None:
    report, events = exported
    text = prov_export.render(report, events, fmt="provn")
    (derivation,) = [line.strip() for line in text.splitlines() if "wasDerivedFrom(claim:suntech-diversion" in line]
    passage = derivation.split(", ")[1]

    assert text.startswith("document\n") and text.endswith("endDocument\n")
    assert "prefix claim <urn:provenance:claim:>" in text
    assert passage.startswith("passage:india-medical-aid-2020.")
    assert f"specializationOf({passage}, source:india-medical-aid-2020)" in text
    assert '[provenance:role="author"]' in _line(text, "wasAttributedTo(source:india-north-korea-2018, agent:Isabel")
    assert "entity(claim:suntech-diversion, [prov:type='provenance:Claim'" in text
    # prov reads its PROV-N back as the same document
    back = prov_model.ProvDocument.deserialize(content=text, format="provn")
    assert back == prov_export.build_document(report, events)


def _line(text: str, start: str) -> str:
    (line,) = [line.strip() for line in text.splitlines() if line.strip().startswith(start)]
    return line


def test_turtle_parses_and_links_claim_passage_and_source(rdflib: Any, exported: tuple[Report, list[Event]]) -> None:
    graph = rdflib.Graph().parse(data=prov_export.render(*exported, fmt="turtle"), format="turtle")
    query = """
        SELECT ?passage ?text WHERE {
            ?claim prov:wasDerivedFrom ?passage .
            ?passage prov:specializationOf ?source ; prov:value ?text .
        }"""
    bindings = {
        "claim": rdflib.URIRef(f"{NS}claim:suntech-diversion"),
        "source": rdflib.URIRef(f"{NS}source:india-medical-aid-2020"),
    }
    rows = list(graph.query(query, initNs={"prov": rdflib.Namespace(PROV)}, initBindings=bindings))

    assert [str(text) for _, text in rows] == [SUNTECH_QUOTE]
    prov = rdflib.Namespace(PROV)
    fisher = rdflib.URIRef(f"{NS}agent:Isabel%20Fisher")
    assert (rdflib.URIRef(f"{NS}source:india-north-korea-2018"), prov.wasAttributedTo, fisher) in graph
    assert (fisher, rdflib.RDFS.label, rdflib.Literal("Isabel Fisher")) in graph
    evidence_added = set(graph.subjects(rdflib.RDF.type, rdflib.URIRef(f"{NS}evidence.add")))
    assert len(evidence_added) == 23
    analyst = rdflib.URIRef(f"{NS}analyst:Ana%20Lyst")
    assert all((activity, prov.wasAssociatedWith, analyst) in graph for activity in evidence_added)


# --- every format ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", prov_export.FORMATS)
def test_the_same_database_gives_the_same_text_without_touching_it(
    fmt: str, rdflib: Any, demo: Provenance, engine: Engine, exported: tuple[Report, list[Event]]
) -> None:
    report, events = exported
    before = row_counts(demo.url)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    sqlalchemy.event.listen(engine, "before_cursor_execute", count)
    try:
        first = prov_export.render(report, events, fmt=fmt)
    finally:
        sqlalchemy.event.remove(engine, "before_cursor_execute", count)
    shuffled = list(events)
    random.Random(7).shuffle(shuffled)

    assert prov_export.render(report, shuffled, fmt=fmt) == first
    assert statements == []  # everything it shows was loaded by build_report and load_events
    assert row_counts(demo.url) == before  # an export never writes


def test_an_empty_report_is_an_empty_valid_document_in_every_format(prov_model: Any, rdflib: Any) -> None:
    empty = Report([])
    as_json = prov_export.render(empty, [], fmt="json")
    as_provn = prov_export.render(empty, [], fmt="provn")
    as_turtle = prov_export.render(empty, [], fmt="turtle")

    assert parse_json(prov_model, as_json).get_records() == []
    assert set(json.loads(as_json)) == {"prefix"}
    if SCHEMA.is_file():
        jsonschema = pytest.importorskip("jsonschema")
        jsonschema.Draft4Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(json.loads(as_json))
    assert as_provn.startswith("document\n") and as_provn.endswith("endDocument\n")
    assert prov_model.ProvDocument.deserialize(content=as_provn, format="provn").get_records() == []
    assert len(rdflib.Graph().parse(data=as_turtle, format="turtle")) == 0


def test_keys_and_names_with_awkward_characters_survive_every_format(
    prov_model: Any, rdflib: Any, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROVENANCE_USER", "ops~team 100%")
    text = "Officials met on Monday.\n\nThe minister said the talks were useful."
    meta = Metadata(title="Talks", author="José O'Brien (AP)", publisher="Wire/Desk: #1", published=dt.date(2024, 3, 4))
    add_source(session, document_from_text(text, name="talks", origin="talks.txt"), key="2024.talks_v2-", metadata=meta)
    add_claim(session, "9.claim_x-", "The talks were useful")
    add_claim(session, "other.", "The talks were useless")
    add_evidence(session, "9.claim_x-", "2024.talks_v2-", "the talks were useful", stance="supports")
    add_contradiction(session, "9.claim_x-", "other.")
    session.flush()
    report, events = build_report(session), load_events(session)

    document = parse_json(prov_model, prov_export.render(report, events, fmt="json"))
    assert document == prov_export.build_document(report, events)
    labels = {value(a, "prov:label") for a in records(document, "agent")}
    assert labels == {"ops~team 100%", "José O'Brien (AP)", "Wire/Desk: #1"}
    assert "source:2024.talks_v2-" in by_id(document, "entity")
    assert "contradiction:9.claim_x-%7Cother." in by_id(document, "entity")

    provn = prov_export.render(report, events, fmt="provn")
    assert prov_model.ProvDocument.deserialize(content=provn, format="provn") == document

    graph = rdflib.Graph().parse(data=prov_export.render(report, events, fmt="turtle"), format="turtle")
    subjects = {str(s) for s in graph.subjects()}
    assert {
        f"{NS}source:2024.talks_v2-",
        f"{NS}claim:9.claim_x-",
        f"{NS}claim:other.",
        f"{NS}analyst:ops%7Eteam%20100%25",
        f"{NS}agent:Jos%C3%A9%20O%27Brien%20%28AP%29",
        f"{NS}agent:Wire%2FDesk%3A%20%231",
    } <= subjects


def test_an_unknown_format_is_invalid_and_names_the_formats() -> None:
    with pytest.raises(Invalid, match=r"unknown PROV format 'xml'; use one of: json, provn, turtle"):
        prov_export.render(Report([]), [], fmt="xml")


@pytest.mark.parametrize("fmt", prov_export.FORMATS)
def test_without_the_prov_package_the_error_says_how_to_install_it(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("prov", *prov_export.PROV_MODULES, "prov.serializers", "prov.serializers.provrdf"):
        monkeypatch.setitem(sys.modules, name, None)

    with pytest.raises(ProvenanceError) as raised:
        prov_export.render(Report([]), [], fmt=fmt)
    assert str(raised.value) == "the PROV export needs the prov package: pip install 'provenance[prov]'"


def test_without_rdflib_only_turtle_needs_the_extra(prov_model: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("rdflib", "prov.serializers.provrdf"):
        monkeypatch.setitem(sys.modules, name, None)

    assert prov_export.render(Report([]), [], fmt="json").startswith("{")
    with pytest.raises(ProvenanceError, match=r"pip install 'provenance\[prov\]'"):
        prov_export.render(Report([]), [], fmt="turtle")
