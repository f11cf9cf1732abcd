"""The W3C Web Annotation Protocol container at /api/v1/annotations/: what it serves meets the W3C test suite's
MUSTs, each annotation is the export's, and an annotation posted to it becomes evidence (or is refused with one
line and nothing written)."""

from __future__ import annotations

import copy
from types import ModuleType
from typing import Any

from conftest import DeskApi
from test_api_evidence import KEY_2018, NK, OTHER, POMPEO_START, TALKS, refused
from test_export_webannotation import checker, definition_holds  # noqa: F401 -- checker is a fixture

from provenance import db
from provenance.export import webannotation
from provenance.report import build_report

CONTAINER = "/api/v1/annotations/"
BASE = "http://testserver"
MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


def exported(url: str) -> dict[str, dict[str, Any]]:
    """The Web Annotation export of the whole database, by the annotations' urn ids."""
    engine = db.make_engine(url)
    try:
        with db.session_scope(engine, readonly=True) as session:
            items = webannotation.collection(build_report(session))["first"]["items"]
    finally:
        engine.dispose()
    return {item["id"]: item for item in items}


def every_served(api: DeskApi) -> list[dict[str, Any]]:
    container = api.get(CONTAINER, "viewer").json()
    items: list[dict[str, Any]] = []
    address: str | None = container["first"]["id"]
    while address is not None:
        page = api.get(address.removeprefix(BASE), "viewer").json()
        items += page["items"]
        address = page.get("next")
    return items


def test_the_container_answers_as_the_protocol_says(seeded_api: DeskApi, checker: ModuleType) -> None:  # noqa: F811
    response = seeded_api.get(CONTAINER, "viewer")
    assert response.status_code == 200, response.text
    headers = response.headers
    assert headers["content-type"] == MEDIA_TYPE
    assert headers["link"] == (
        '<http://www.w3.org/ns/ldp#BasicContainer>; rel="type", '
        '<http://www.w3.org/TR/annotation-protocol/>; rel="http://www.w3.org/ns/ldp#constrainedBy"'
    )
    assert headers["allow"] == "GET, HEAD, OPTIONS, POST"
    assert headers["accept-post"] == f"{MEDIA_TYPE}, application/json"
    assert headers["vary"] == "Accept, Prefer" and headers["etag"].startswith('"')
    assert seeded_api.get(CONTAINER, "viewer").headers["etag"] == headers["etag"]
    unchanged = seeded_api.get(CONTAINER, "viewer", headers={"If-None-Match": headers["etag"]})
    assert (unchanged.status_code, unchanged.content, unchanged.headers["etag"]) == (304, b"", headers["etag"])
    collection = response.json()
    assert collection["id"] == f"{BASE}{CONTAINER}"
    assert collection["type"] == ["BasicContainer", "AnnotationCollection"]
    assert collection["total"] == 23 and collection["label"] == "Evidence on this desk: 23 passages"
    first = collection["first"]
    assert (first["id"], first["partOf"], first["startIndex"], len(first["items"])) == (
        f"{BASE}{CONTAINER}?page=0",
        f"{BASE}{CONTAINER}",
        0,
        20,
    )
    assert first["next"] == collection["last"] == f"{BASE}{CONTAINER}?page=1"
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

    last = seeded_api.get(f"{CONTAINER}?page=1", "viewer")
    assert last.headers["content-type"] == MEDIA_TYPE
    page = last.json()
    assert (page["type"], page["startIndex"], len(page["items"]), page["prev"]) == (
        "AnnotationPage",
        20,
        3,
        first["id"],
    )
    assert page["partOf"] == {"id": f"{BASE}{CONTAINER}", "total": 23} and "next" not in page
    for definition in (
        "collections.json#/definitions/annotationPageTypeValueFound",
        "collections.json#/definitions/itemsFound",
        "collections.json#/definitions/partOfFound",
        "collections.json#/definitions/startIndexFound",
        "collections.json#/definitions/startIndexDefinition",
        "id.json#/definitions/idValueFound",
    ):
        assert definition_holds(checker, definition, page), definition
    missing = seeded_api.get(f"{CONTAINER}?page=2", "viewer")
    assert seeded_api.problem(missing, 404) == "no page 2 of the annotations: pages go from 0 to 1"


def test_every_served_annotation_is_the_exports_and_meets_every_w3c_must(
    seeded_api: DeskApi,
    checker: ModuleType,  # noqa: F811
) -> None:
    served = every_served(seeded_api)
    export = exported(seeded_api.url)
    assert len(served) == len(export) == 23
    for annotation in served:
        assert checker.failures(annotation) == [], annotation["id"]
        number = annotation["id"].removeprefix(f"{BASE}{CONTAINER}")
        assert number.isdigit()
        original = export[annotation["canonical"]]
        assert {k: v for k, v in annotation.items() if k not in ("id", "canonical")} == {
            k: v for k, v in original.items() if k != "id"
        }
    one = seeded_api.get(served[0]["id"].removeprefix(BASE), "viewer")
    assert one.status_code == 200 and one.json() == served[0]
    assert one.headers["content-type"] == MEDIA_TYPE
    assert one.headers["link"] == '<http://www.w3.org/ns/ldp#Resource>; rel="type"'
    assert (one.headers["allow"], one.headers["vary"]) == ("GET, HEAD, OPTIONS", "Accept, Prefer")
    missing = seeded_api.get(f"{CONTAINER}9999", "viewer")
    assert seeded_api.problem(missing, 404) == "no annotation 9999; GET /api/v1/annotations/ lists them"


def _talks_annotation(api: DeskApi) -> dict[str, Any]:
    (annotation,) = [a for a in every_served(api) if {"purpose": "tagging", "value": TALKS} in _tags(a)]
    return annotation


def _tags(annotation: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"purpose": b["purpose"], "value": b["value"]} for b in annotation["body"] if b["purpose"] == "tagging"]


def test_an_exported_annotation_posted_back_for_another_claim_is_the_same_evidence(
    seeded_api: DeskApi,
    checker: ModuleType,  # noqa: F811
) -> None:
    original = _talks_annotation(seeded_api)
    posted = copy.deepcopy(original)
    for body in posted["body"]:
        if body["purpose"] == "tagging":
            body["value"] = OTHER
    response = seeded_api.post(CONTAINER, "researcher", json=posted, headers={"Content-Type": MEDIA_TYPE})
    assert response.status_code == 201, response.text
    stored = response.json()
    assert response.headers["location"] == stored["id"] != original["id"]
    assert response.headers["content-type"] == MEDIA_TYPE
    assert checker.failures(stored) == []
    assert stored["target"] == original["target"]
    assert _tags(stored) == [{"purpose": "tagging", "value": OTHER}]
    evidence_id = int(stored["id"].removeprefix(f"{BASE}{CONTAINER}"))
    record = seeded_api.get(f"/api/v1/evidence/{evidence_id}", "viewer").json()
    old_id = int(original["id"].removeprefix(f"{BASE}{CONTAINER}"))
    before = seeded_api.get(f"/api/v1/evidence/{old_id}", "viewer").json()
    assert (record["claim"], record["created_by"]) == (OTHER, "researcher")
    for field in ("passage", "stance", "confidence", "attributed_to", "note", "quote"):
        assert record[field] == before[field], field
    assert record["anchor_method"] == "exact_context"
    assert seeded_api.get(response.headers["location"].removeprefix(BASE), "viewer").json() == stored


def _new_annotation(source: str, selector: Any, claim: str = TALKS) -> dict[str, Any]:
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "Annotation",
        "motivation": "assessing",
        "body": [
            {"type": "TextualBody", "purpose": "assessing", "value": "Mentions the claim. Likelihood: likely."},
            {"type": "SpecificResource", "source": f"{BASE}/api/v1/claims/{claim}"},
        ],
        "target": {"type": "SpecificResource", "source": source, "selector": selector},
    }


def test_an_annotation_naming_the_source_and_claim_by_api_address(seeded_api: DeskApi) -> None:
    selector = [
        {"type": "TextQuoteSelector", "exact": NK},
        {"type": "TextPositionSelector", "start": POMPEO_START, "end": POMPEO_START + len(NK)},
    ]
    annotation = _new_annotation(f"/api/v1/sources/{KEY_2018}", selector)
    response = seeded_api.post(CONTAINER, json=annotation)
    assert response.status_code == 201, response.text
    evidence_id = int(response.json()["id"].removeprefix(f"{BASE}{CONTAINER}"))
    record = seeded_api.get(f"/api/v1/evidence/{evidence_id}", "viewer").json()
    assert (record["claim"], record["source"], record["stance"]) == (TALKS, KEY_2018, "mentions")
    assert (record["passage"]["char_start"], record["passage"]["char_end"]) == (POMPEO_START, POMPEO_START + 11)
    assert record["confidence"]["term"] == "likely"
    served = response.json()
    assert served["target"]["source"].startswith("ni:///sha-256;")  # the 2018 article has no URL


def test_annotations_that_cannot_become_evidence_are_refused(seeded_api: DeskApi) -> None:
    quote = [{"type": "TextQuoteSelector", "exact": NK, "prefix": "Mike Pompeo visited "}]
    cases: list[tuple[dict[str, Any], str]] = [
        (
            _new_annotation("https://example.org/never-captured", quote),
            "the annotation's target 'https://example.org/never-captured' is not a source captured on this desk; "
            "capture it first (POST /api/v1/sources), or name a captured source by its URL, the ni:///sha-256 name "
            "of its text, or /api/v1/sources/KEY",
        ),
        (
            _new_annotation(f"/api/v1/sources/{KEY_2018}", [{"type": "TextQuoteSelector", "exact": "Kim Jong Un"}]),
            f"quote not found in source {KEY_2018!r}; it is too short to be matched approximately (under 15 "
            "characters), so no closest text is shown: quote the source exactly, or quote more of it",
        ),
        (
            _new_annotation(f"/api/v1/sources/{KEY_2018}", quote, claim="no-such-claim"),
            "no claim 'no-such-claim'",
        ),
        (
            {**_new_annotation(f"/api/v1/sources/{KEY_2018}", quote), "body": []},
            "the annotation names no claim; add a TextualBody with purpose 'tagging' whose value is the claim's key, "
            "or a body whose source is /api/v1/claims/KEY",
        ),
        (
            {**_new_annotation(f"/api/v1/sources/{KEY_2018}", quote), "target": f"/api/v1/sources/{KEY_2018}"},
            "the annotation's target must be a SpecificResource with a source and a TextQuoteSelector, not "
            "'/api/v1/sources/india-north-korea-2018': a whole source is no passage",
        ),
        (
            {**_new_annotation(f"/api/v1/sources/{KEY_2018}", quote), "type": "Note"},
            "the body is not a Web Annotation (its type is 'Note', not 'Annotation')",
        ),
    ]
    for annotation, expected in cases:
        line = refused(seeded_api, CONTAINER, 422, json=annotation)
        assert line.startswith(expected), line
    viewer = refused(seeded_api, CONTAINER, 403, "viewer", json=_new_annotation(f"/api/v1/sources/{KEY_2018}", quote))
    assert viewer.startswith("viewer is a viewer and may not add evidence")


def _prefer(*included: str) -> dict[str, str]:
    return {"Prefer": f'return=representation; include="{" ".join(included)}"'}


def test_prefer_chooses_a_minimal_container_or_pages_of_addresses(seeded_api: DeskApi) -> None:
    minimal = seeded_api.get(CONTAINER, "viewer", headers=_prefer("http://www.w3.org/ns/ldp#PreferMinimalContainer"))
    assert minimal.headers["preference-applied"] == "return=representation"
    body = minimal.json()
    assert (body["total"], body["first"], body["last"]) == (
        23,
        f"{BASE}{CONTAINER}?page=0",
        f"{BASE}{CONTAINER}?page=1",
    )
    iris = seeded_api.get(CONTAINER, "viewer", headers=_prefer("http://www.w3.org/ns/oa#PreferContainedIRIs"))
    first = iris.json()["first"]
    assert first["id"] == f"{BASE}{CONTAINER}?iris=1&page=0" and first["next"] == f"{BASE}{CONTAINER}?iris=1&page=1"
    described = every_served(seeded_api)
    assert first["items"] == [a["id"] for a in described[:20]]
    last = seeded_api.get(f"{CONTAINER}?iris=1&page=1", "viewer").json()
    assert last["items"] == [a["id"] for a in described[20:]]
    plain = seeded_api.get(CONTAINER, "viewer")
    assert "preference-applied" not in plain.headers and plain.headers["etag"] != iris.headers["etag"]


def test_options_says_what_is_allowed_to_anyone(seeded_api: DeskApi) -> None:
    container = seeded_api.request("OPTIONS", CONTAINER, None)
    assert (container.status_code, container.headers["allow"], container.headers["accept-post"]) == (
        204,
        "GET, HEAD, OPTIONS, POST",
        f"{MEDIA_TYPE}, application/json",
    )
    one = seeded_api.request("OPTIONS", f"{CONTAINER}1", None)
    assert (one.status_code, one.headers["allow"]) == (204, "GET, HEAD, OPTIONS")
    assert seeded_api.problem(seeded_api.get(CONTAINER, None), 401).startswith("sign in first")
