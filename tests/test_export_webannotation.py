"""The Web Annotation export: every annotation meets every MUST of the W3C test suite, and its selectors quote
the source's text exactly at the offsets they give."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from conftest import DEMO_CLAIMS, REPO, Provenance
from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from provenance import db, importer
from provenance.claims import add_claim, add_evidence
from provenance.documents import Metadata, document_from_text
from provenance.export import webannotation
from provenance.models import Evidence, Source
from provenance.report import Report, build_report
from provenance.sources import add_source

CONFORMANCE = REPO.parent / "shared" / "conformance"
CHECKER = CONFORMANCE / "check_webannotation.py"
# Without rfc3987 and rfc3339-validator the checker's "format" checks silently pass, so all three are needed.
CHECKER_NEEDS = ("jsonschema", "rfc3987", "rfc3339_validator")
ARTICLE = (
    "Officials met in the capital on Monday.\n\n"
    "The minister said the talks were useful. Nothing was signed, according to the agency."
)


@pytest.fixture(scope="module")
def checker() -> ModuleType:
    """The W3C checker (``../shared/conformance/check_webannotation.py``), imported by path."""
    if not CHECKER.is_file():
        pytest.skip(f"W3C Web Annotation conformance suite not found at {CONFORMANCE} (expected beside the repository)")
    missing = [name for name in CHECKER_NEEDS if importlib.util.find_spec(name) is None]
    if missing:
        pytest.skip(f"the W3C checker needs {', '.join(missing)}: pip install jsonschema rfc3987 rfc3339-validator")
    spec = importlib.util.spec_from_file_location("check_webannotation", CHECKER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_checker(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(CHECKER), str(path)], capture_output=True, text=True, check=False)


def assertion_holds(checker: ModuleType, rel: str, instance: Any) -> bool:
    """Whether ``instance`` is valid against one assertion file of the W3C suite (any MUST, SHOULD or MAY)."""
    schema = dict(checker._load(os.path.join(checker.HERE, rel)))
    schema["id"] = checker.BASE + os.path.basename(rel)
    return bool(checker.Draft4Validator(schema, registry=checker.REGISTRY).is_valid(instance))


def definition_holds(checker: ModuleType, definition: str, instance: Any) -> bool:
    """Whether ``instance`` is valid against ``file.json#/definitions/name`` of the suite, format checks on."""
    schema = {"$schema": "http://json-schema.org/draft-04/schema#", "id": checker.BASE + "probe.json"}
    schema["$ref"] = definition
    validator = checker.Draft4Validator(
        schema, registry=checker.REGISTRY, format_checker=checker.Draft4Validator.FORMAT_CHECKER
    )
    return bool(validator.is_valid(instance))


def export(session: Session) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(webannotation.render(build_report(session)))
    return data


def items(collection: dict[str, Any]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = collection["first"]["items"]
    return result


def body(annotation: dict[str, Any], purpose: str) -> str:
    (value,) = [b["value"] for b in annotation["body"] if b["purpose"] == purpose]
    return str(value)


def selectors(annotation: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    by_type = {s["type"]: s for s in annotation["target"]["selector"]}
    assert set(by_type) == {"TextQuoteSelector", "TextPositionSelector"}
    return by_type["TextQuoteSelector"], by_type["TextPositionSelector"]


def add_web_article(session: Session) -> Source:
    """A source with a URL, and a claim with one supporting passage in it."""
    document = document_from_text(ARTICLE, name="talks", origin="talks.txt")
    meta = Metadata(title="Talks", url="https://news.example.org/2024/talks", published=dt.date(2024, 3, 4))
    source = add_source(session, document, key="talks", metadata=meta).source
    add_claim(session, "talks-useful", "The talks were useful")
    add_evidence(session, "talks-useful", "talks", "the talks were useful", stance="supports", confidence="likely")
    session.commit()
    return source


def test_every_demo_annotation_meets_every_w3c_must(
    seeded: Provenance, session: Session, tmp_path: Path, checker: ModuleType
) -> None:
    path = tmp_path / "demo.jsonld"
    path.write_text(webannotation.render(build_report(session)), encoding="utf-8")
    evidence = len(session.scalars(select(Evidence.id)).all())
    result = run_checker(path)
    assert (result.returncode, result.stdout, result.stderr) == (0, f"{evidence} passed, 0 failed\n", "")
    assert evidence == 23


def test_an_annotation_of_a_source_with_a_url_meets_every_w3c_must(
    db_url: str, session: Session, tmp_path: Path, checker: ModuleType
) -> None:
    source = add_web_article(session)
    path = tmp_path / "web.jsonld"
    path.write_text(webannotation.render(build_report(session)), encoding="utf-8")
    result = run_checker(path)
    assert (result.returncode, result.stdout) == (0, "1 passed, 0 failed\n")

    (annotation,) = items(json.loads(path.read_text(encoding="utf-8")))
    target = annotation["target"]
    assert target["source"] == "https://news.example.org/2024/talks"
    # The offsets count in the text as captured: the state names the capture time and that text's hash.
    assert target["state"] == {
        "type": "TimeState",
        "sourceDate": webannotation.timestamp(source.captured_at),
        "cached": webannotation.hash_uri(source),
    }


def test_the_checker_catches_a_broken_annotation(
    seeded: Provenance, session: Session, tmp_path: Path, checker: ModuleType
) -> None:
    """A guard on the guard: the checker runs with format checks on, so an id that is not a URI fails."""
    annotation = items(export(session))[0]
    path = tmp_path / "broken.jsonld"
    path.write_text(json.dumps([annotation, {**annotation, "id": "evidence 1"}]), encoding="utf-8")
    result = run_checker(path)
    assert result.returncode == 1
    assert result.stdout == f"{path}[1]: FAIL 3.1-annotationIdValidated.json\n1 passed, 1 failed\n"


def test_the_collection_meets_the_model_for_collections_and_pages(
    seeded: Provenance, session: Session, checker: ModuleType
) -> None:
    collection = export(session)
    page = collection["first"]
    assert collection["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert collection["type"] == "AnnotationCollection" and page["type"] == "AnnotationPage"
    assert collection["total"] == len(page["items"]) == 23
    assert collection["label"] == "Evidence for 12 claims: 23 passages"
    assert collection["last"] == page["id"] and page["partOf"] == collection["id"] and page["startIndex"] == 0
    for definition in (
        "collections.json#/definitions/annotationCollectionTypeValueFound",
        "collections.json#/definitions/labelFound",
        "collections.json#/definitions/totalMoreThanZero",
        "collections.json#/definitions/firstRequiredIfTotalMoreThanZero",
        "collections.json#/definitions/firstValidIfPresent",
        "collections.json#/definitions/lastFound",
        "id.json#/definitions/idValueFound",
    ):
        assert definition_holds(checker, definition, collection), definition
    for definition in (
        "collections.json#/definitions/annotationPageTypeValueFound",
        "collections.json#/definitions/itemsFound",
        "collections.json#/definitions/partOfFound",
        "collections.json#/definitions/startIndexFound",
        "collections.json#/definitions/startIndexDefinition",
        "id.json#/definitions/idValueFound",
    ):
        assert definition_holds(checker, definition, page), definition


def test_an_empty_report_is_an_empty_collection_without_pages(checker: ModuleType) -> None:
    collection = json.loads(webannotation.render(Report([])))
    assert collection == {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": webannotation.stable_urn("collection"),
        "type": "AnnotationCollection",
        "label": "Evidence for 0 claims: 0 passages",
        "total": 0,
    }
    assert definition_holds(checker, "collections.json#/definitions/firstRequiredIfTotalMoreThanZero", collection)
    assert definition_holds(checker, "collections.json#/definitions/totalDefinition", collection)


def test_motivation_and_purposes_are_in_the_w3c_vocabulary(
    seeded: Provenance, session: Session, checker: ModuleType
) -> None:
    """`assessing` is missing from the suite's old copy of anno.jsonld, but the checker's schemas (and the live
    context) list it; the optional motivation and purpose assertions hold for every annotation."""
    vocabulary = checker._load(os.path.join(checker.HERE, "definitions", "annotations.json"))
    motivations = set(vocabulary["definitions"]["motivationList"]["enum"])
    for annotation in items(export(session)):
        assert annotation["motivation"] == "assessing" and "assessing" in motivations
        assert {b["purpose"] for b in annotation["body"]} <= motivations
        for rel in (
            "annotations/3.3.5-annotationMotivationImplemented.json",
            "annotations/3.3.5-annotationSingleMotivationImplemented.json",
            "annotations/bodiesTargets/3.3.5-bodyPurpose.json",
            "annotations/specificResource/4.2.4-prefix.json",
            "annotations/specificResource/4.2.4-suffix.json",
            "annotations/3.3.2-annotationCreatorAgentIdImplemented.json",
            "annotations/3.3.2-annotationCreatorAgentTypeImplemented.json",
        ):
            assert assertion_holds(checker, rel, annotation), rel


def test_selectors_quote_the_source_text_at_their_offsets(seeded: Provenance, session: Session) -> None:
    texts = {webannotation.hash_uri(s): s.text for s in session.scalars(select(Source))}
    annotations = items(export(session))
    assert {a["target"]["source"] for a in annotations} == set(texts)
    for annotation in annotations:
        text = texts[annotation["target"]["source"]]
        quote, position = selectors(annotation)
        start, end = position["start"], position["end"]
        assert 0 <= start < end <= len(text)
        assert quote["exact"] == text[start:end]
        assert quote["prefix"] == text[start - len(quote["prefix"]) : start]
        assert quote["suffix"] == text[end : end + len(quote["suffix"])]
        # Context runs to 32 characters, shorter only at the text's start or end.
        assert len(quote["prefix"]) == min(32, start) and len(quote["suffix"]) == min(32, len(text) - end)


def test_a_source_without_a_url_is_named_by_the_hash_of_its_text(seeded: Provenance, session: Session) -> None:
    source = session.scalars(select(Source).where(Source.key == "india-medical-aid-2020")).one()
    uri = webannotation.hash_uri(source)
    assert uri.startswith("ni:///sha-256;") and "=" not in uri
    digest = uri.removeprefix("ni:///sha-256;")
    assert base64.urlsafe_b64decode(digest + "=").hex() == source.text_sha256
    assert webannotation.source_uri(source) == uri


def test_a_url_that_is_not_absolute_is_not_used_as_the_target(db_url: str, session: Session) -> None:
    source = add_web_article(session)
    source.url = "news.example.org/talks"  # not committed: the export only reads
    (annotation,) = items(export(session))
    assert annotation["target"]["source"] == webannotation.hash_uri(source)
    assert "state" not in annotation["target"]
    session.rollback()


def test_each_annotation_says_how_its_passage_bears_on_the_claim(seeded: Provenance, session: Session) -> None:
    annotations = items(export(session))
    suntech = [a for a in annotations if body(a, "tagging") == "suntech-diversion"]
    assert len(suntech) == 1
    (annotation,) = suntech
    assert body(annotation, "assessing") == (
        "Supports the claim “Nuclear materials that China's Suntech Technology Company supplied to the Pakistan "
        "Atomic Energy Commission were diverted to North Korea”. Likelihood: unlikely (32.5 %). "
        "Attributed to: New Delhi, citing unnamed intelligence inputs."
    )
    assert body(annotation, "commenting").startswith("The article reports only that")
    assert selectors(annotation)[0]["exact"].startswith("certain nuclear materials supplied to Pakistan")
    stances = {body(a, "assessing").split(" ", 1)[0] for a in annotations}
    assert stances == {"Supports", "Contradicts", "Mentions"}
    assert len({body(a, "tagging") for a in annotations}) == 12


def test_created_and_creator_come_from_the_evidence(seeded: Provenance, session: Session) -> None:
    report = build_report(session)
    first = report.claims[0].cited[0].evidence
    annotation = items(json.loads(webannotation.render(report)))[0]
    assert annotation["created"].endswith("Z")
    assert dt.datetime.fromisoformat(annotation["created"]) == first.created_at
    assert first.created_by
    assert annotation["creator"] == {
        "id": webannotation.stable_urn("person", first.created_by),
        "type": "Person",
        "name": first.created_by,
    }
    entry = report.claims[0]
    cited = entry.cited[0]
    anonymous = dataclasses.replace(cited, evidence=dataclasses.replace(cited.evidence, created_by=None))
    for bucket in (entry.supporting, entry.contradicting, entry.mentioning):
        bucket[:] = [anonymous if c is cited else c for c in bucket]
    assert "creator" not in items(json.loads(webannotation.render(report)))[0]


def test_ids_are_unique_and_the_same_from_another_database(
    seeded: Provenance, session: Session, tmp_path: Path
) -> None:
    """Ids derive from claim keys, text hashes and offsets, not from row ids: the demo imported into a second
    database (SQLite) gives the same annotation and collection ids as this one."""
    ours = export(session)
    ids = [a["id"] for a in items(ours)]
    assert len(set(ids)) == len(ids) == 23
    assert all(i.startswith("urn:uuid:") for i in [*ids, ours["id"], ours["first"]["id"]])
    assert export(session) == ours

    engine = db.make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        db.upgrade(engine)
        with Session(engine) as other:
            # Rows added first, so every source, passage and evidence row id differs from this database's.
            add_source(other, document_from_text(ARTICLE, name="talks", origin="talks.txt"), key="talks")
            add_claim(other, "talks-useful", "The talks were useful")
            add_evidence(other, "talks-useful", "talks", "the talks were useful", stance="supports")
            importer.import_claims_file(other, DEMO_CLAIMS, importer.parse_claims_file(DEMO_CLAIMS))
            other.commit()
            demo_keys = [entry.claim.key for entry in build_report(session).claims]
            theirs = json.loads(webannotation.render(build_report(other, demo_keys)))
    finally:
        engine.dispose()
    assert [a["id"] for a in items(theirs)] == ids
    assert theirs["id"] == ours["id"]


def test_rendering_runs_no_sql(seeded: Provenance, session: Session, engine: Engine) -> None:
    """The export only reads what the report already loaded: it issues no statement at all."""
    report = build_report(session)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    webannotation.render(report)
    assert statements == []
