"""The desk's evidence as a W3C Web Annotation Protocol container (https://www.w3.org/TR/annotation-protocol/).

``GET /api/v1/annotations/`` is an LDP BasicContainer and AnnotationCollection of every piece of evidence, by
evidence id, :data:`PAGE_SIZE` to an AnnotationPage (``?page=0`` is the first); ``GET /api/v1/annotations/{id}``
is one piece of evidence. Each annotation is what the Web Annotation export makes for that evidence
(:func:`provenance.export.webannotation.annotation`), with the address it is served at as its ``id`` and the
export's stable ``urn:uuid`` kept as its ``canonical`` IRI. As the protocol asks, every answer has its ``ETag``
(a GET with a matching If-None-Match is answered 304), ``Vary: Accept, Prefer``, the LDP ``Link`` types and
``Allow``; the container also ``Accept-Post``. A ``Prefer: return=representation; include="..."`` header asks for
the container without its pages' annotations (ldp#PreferMinimalContainer) or with pages of the annotations'
addresses only (oa#PreferContainedIRIs: pages ``?iris=1&page=N``). OPTIONS says what the container and each
annotation allow, to anyone (it shows no data).

``POST /api/v1/annotations/`` of an annotation adds evidence, and answers 201 with the annotation as stored.
What it must say:

- ``target``: one SpecificResource whose ``source`` is a source captured on this desk -- its URL, the
  ``ni:///sha-256;...`` name of its stored text the export uses (also taken from ``state.cached``), or its API
  address ``/api/v1/sources/KEY`` -- with a TextQuoteSelector and/or a TextPositionSelector, read as
  ``POST /api/v1/claims/KEY/evidence`` reads them (the quote anchored as ``evidence add`` anchors it);
- ``body``: the claim, as a ``tagging`` TextualBody whose value is its key (as the export writes it) or a body
  whose ``id`` or ``source`` is the claim's API address ``/api/v1/claims/KEY``; the stance, as an ``assessing``
  TextualBody whose value starts with ``Supports``, ``Contradicts`` or ``Mentions`` (and may go on, as the export's
  does, with ``Likelihood: TERM (NN %).`` and ``Attributed to: WHO.``); a note, as a ``commenting`` TextualBody.

An exported annotation posted back (with another claim's key) is therefore taken as it is. A target that is not a
captured source, or a quote not found in it, is refused (422) with the line that says why; nothing is written.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Body, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from provenance import report
from provenance.access import Permission
from provenance.errors import Invalid, NotFound
from provenance.export import webannotation
from provenance.models import Evidence, Source
from provenance.web.api.evidence import add, quote_of, read_selectors
from provenance.web.deps import DeskDep, needs, public

router = APIRouter(tags=["annotations"])

PAGE_SIZE = 20
MEDIA_TYPE = f'application/ld+json; profile="{webannotation.CONTEXT}"'
CONTAINER_LINKS = (
    '<http://www.w3.org/ns/ldp#BasicContainer>; rel="type", '
    '<http://www.w3.org/TR/annotation-protocol/>; rel="http://www.w3.org/ns/ldp#constrainedBy"'
)
RESOURCE_LINK = '<http://www.w3.org/ns/ldp#Resource>; rel="type"'
CONTAINER_ALLOW = "GET, HEAD, OPTIONS, POST"
ANNOTATION_ALLOW = "GET, HEAD, OPTIONS"
PREFER_MINIMAL = "http://www.w3.org/ns/ldp#PreferMinimalContainer"
PREFER_IRIS = "http://www.w3.org/ns/oa#PreferContainedIRIs"
PREFER_DESCRIPTIONS = "http://www.w3.org/ns/oa#PreferContainedDescriptions"
ACCEPT_POST = f"{MEDIA_TYPE}, application/json"
STANCES = {"supports": "supports", "contradicts": "contradicts", "mentions": "mentions"}
_LIKELIHOOD = re.compile(r"Likelihood: ([^.(]+?)(?: \((\d+(?:\.\d+)?) ?%\))?\.")
_ATTRIBUTION = re.compile(r"Attributed to: (.+)\.\s*$", re.DOTALL)
_RETRACTION_NOTE = "The source was retracted "


def _ld_response(request: Request, content: dict[str, Any], *, status: int = 200, headers: dict[str, str]) -> Response:
    """``content`` as JSON-LD with its ETag; 304 and no body for a GET whose If-None-Match names that ETag."""
    body = json.dumps(content, ensure_ascii=False).encode()
    tag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    sent = {**headers, "ETag": tag, "Vary": "Accept, Prefer"}
    known = [t.strip() for t in request.headers.get("if-none-match", "").split(",")]
    if request.method in ("GET", "HEAD") and tag in known:
        return Response(status_code=304, headers=sent)
    return Response(body, status_code=status, media_type=MEDIA_TYPE, headers=sent)


def _preferences(request: Request) -> set[str]:
    """What a ``Prefer: return=representation; include="..."`` header asks the container to include (RFC 7240)."""
    found: set[str] = set()
    for header in request.headers.getlist("prefer"):
        for preference in header.split(","):
            parts = [part.strip() for part in preference.split(";")]
            if parts[0].replace(" ", "") != "return=representation":
                continue
            for part in parts[1:]:
                name, _, value = part.partition("=")
                if name.strip() == "include":
                    found.update(value.strip().strip('"').split())
    return found


def _served(request: Request, entry: report.ClaimReport, cited: report.CitedPassage) -> dict[str, Any]:
    """The export's annotation, identified by where this server serves it."""
    exported = webannotation.annotation(entry, cited)
    served = {"@context": exported.pop("@context"), "id": _annotation_url(request, cited.evidence.id)}
    return {**served, "canonical": exported.pop("id"), **exported}


def _annotation_url(request: Request, evidence_id: int) -> str:
    return str(request.url_for("show_annotation", annotation_id=evidence_id))


def _all_cited(session: Session) -> list[tuple[report.ClaimReport, report.CitedPassage]]:
    built = report.build_report(session)
    found = [(entry, cited) for entry in built.claims for cited in entry.cited]
    return sorted(found, key=lambda pair: pair[1].evidence.id)


@router.api_route(
    "/annotations/",
    methods=["GET", "HEAD"],
    responses={200: {"content": {"application/ld+json": {}}}},
    **needs(Permission.READ),
)
def annotation_container(request: Request, desk: DeskDep, page: int | None = None, iris: bool = False) -> Response:
    """Every piece of evidence as Web Annotations: the container (an AnnotationCollection with its first page
    and the address of its last), or with ``page`` one AnnotationPage of it (``iris``: the annotations' addresses
    only). A ``Prefer`` header chooses as the protocol says: ldp#PreferMinimalContainer (the pages' addresses
    only), oa#PreferContainedIRIs (pages of addresses), oa#PreferContainedDescriptions (whole annotations)."""
    container = str(request.url_for("annotation_container"))
    preferred = _preferences(request)
    applied = preferred & {PREFER_MINIMAL, PREFER_IRIS, PREFER_DESCRIPTIONS}
    if page is None:
        iris = PREFER_IRIS in preferred and PREFER_DESCRIPTIONS not in preferred
    with desk.reading() as session:
        found = _all_cited(session)
        pages = max(1, -(-len(found) // PAGE_SIZE))
        if page is not None and not 0 <= page < pages:
            raise NotFound(f"no page {page} of the annotations: pages go from 0 to {pages - 1}")

        def address(number: int) -> str:
            return f"{container}?iris=1&page={number}" if iris else f"{container}?page={number}"

        def page_of(number: int, *, embedded: bool) -> dict[str, Any]:
            chosen = found[number * PAGE_SIZE : (number + 1) * PAGE_SIZE]
            result: dict[str, Any] = {} if embedded else {"@context": webannotation.CONTEXT}
            result.update(id=address(number), type="AnnotationPage")
            result["partOf"] = container if embedded else {"id": container, "total": len(found)}
            result["startIndex"] = number * PAGE_SIZE
            if number + 1 < pages:
                result["next"] = address(number + 1)
            if number > 0:
                result["prev"] = address(number - 1)
            if iris:
                result["items"] = [_annotation_url(request, cited.evidence.id) for _entry, cited in chosen]
            else:
                result["items"] = [_served(request, entry, cited) for entry, cited in chosen]
            return result

        if page is not None:
            content = page_of(page, embedded=False)
        else:
            content = {
                "@context": [webannotation.CONTEXT, "http://www.w3.org/ns/ldp.jsonld"],
                "id": container,
                "type": ["BasicContainer", "AnnotationCollection"],
                "label": f"Evidence on this desk: {len(found)} passage{'s' * (len(found) != 1)}",
                "total": len(found),
            }
            if found:
                content["first"] = address(0) if PREFER_MINIMAL in preferred else page_of(0, embedded=True)
                content["last"] = address(pages - 1)
    headers = {"Link": CONTAINER_LINKS, "Allow": CONTAINER_ALLOW, "Accept-Post": ACCEPT_POST}
    if page is None and applied:
        headers["Preference-Applied"] = "return=representation"
    return _ld_response(request, content, headers=headers)


@router.options("/annotations/", status_code=204, response_class=Response, **public())
def container_options() -> Response:
    """What the container allows and takes (no data: anyone may ask)."""
    return Response(
        status_code=204, headers={"Allow": CONTAINER_ALLOW, "Accept-Post": ACCEPT_POST, "Link": CONTAINER_LINKS}
    )


@router.options("/annotations/{annotation_id}", status_code=204, response_class=Response, **public())
def annotation_options(annotation_id: int) -> Response:
    """What an annotation allows (no data: anyone may ask)."""
    return Response(status_code=204, headers={"Allow": ANNOTATION_ALLOW, "Link": RESOURCE_LINK})


def _annotation_of(request: Request, session: Session, evidence: Evidence) -> dict[str, Any]:
    built = report.build_report(session, [evidence.claim.key])
    for entry in built.claims:
        for cited in entry.cited:
            if cited.evidence.id == evidence.id:
                return _served(request, entry, cited)
    raise NotFound(f"evidence {evidence.id} is not cited in its claim's report, so it has no annotation")


def _get_evidence(session: Session, annotation_id: int) -> Evidence:
    from provenance.claims import MAX_ROW_ID

    evidence = session.get(Evidence, annotation_id) if 0 < annotation_id <= MAX_ROW_ID else None
    if evidence is None:
        raise NotFound(f"no annotation {annotation_id}; GET /api/v1/annotations/ lists them")
    return evidence


@router.api_route(
    "/annotations/{annotation_id}",
    methods=["GET", "HEAD"],
    responses={200: {"content": {"application/ld+json": {}}}},
    **needs(Permission.READ),
)
def show_annotation(annotation_id: int, request: Request, desk: DeskDep) -> Response:
    """One piece of evidence as a Web Annotation."""
    with desk.reading() as session:
        content = _annotation_of(request, session, _get_evidence(session, annotation_id))
    return _ld_response(request, content, headers={"Link": RESOURCE_LINK, "Allow": ANNOTATION_ALLOW})


# --- adding evidence by annotation ------------------------------------------------------------------------


def _one(value: Any, what: str) -> dict[str, Any]:
    if isinstance(value, list):
        if len(value) != 1:
            raise Invalid(f"the annotation has {len(value)} {what}s; give exactly one")
        value = value[0]
    if not isinstance(value, dict):
        raise Invalid(
            f"the annotation's {what} must be a SpecificResource with a source and a TextQuoteSelector, not "
            f"{value!r}: a whole source is no passage"
        )
    return value


def _api_key(address: str, collection: str) -> str | None:
    """``KEY`` of an address ending ``/api/v1/<collection>/KEY`` (absolute or not)."""
    path = urlsplit(address).path
    marker = f"/api/v1/{collection}/"
    if marker in path:
        key = path.split(marker, 1)[1].strip("/")
        return key or None
    return None


def _digest(name: str) -> str | None:
    """The SHA-256 (hex) an ``ni:///sha-256;...`` name gives (:func:`provenance.export.webannotation.hash_uri`)."""
    prefix = "ni:///sha-256;"
    if not name.startswith(prefix):
        return None
    encoded = name.removeprefix(prefix)
    try:
        digest = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except ValueError:
        return None
    return digest.hex() if len(digest) == 32 else None


def _source_key(session: Session, target: dict[str, Any]) -> str:
    """The key of the captured source an annotation's target names (422 when it names none)."""
    named = target.get("source")
    state = target.get("state")
    cached = state.get("cached") if isinstance(state, dict) else None
    if not isinstance(named, str) or not named:
        raise Invalid("the annotation's target has no source; give the captured source's URL or /api/v1/sources/KEY")
    how = (
        "capture it first (POST /api/v1/sources), or name a captured source by its URL, the ni:///sha-256 name of "
        "its text, or /api/v1/sources/KEY"
    )
    for name in (cached, named):
        digest = _digest(name) if isinstance(name, str) else None
        if digest is not None:
            key = session.scalar(select(Source.key).where(Source.text_sha256 == digest))
            if key is not None:
                return key
    key = _api_key(named, "sources")
    if key is not None:
        if session.scalar(select(Source.key).where(Source.key == key)) is None:
            raise Invalid(f"the annotation's target {named!r} is not a source captured on this desk; {how}")
        return key
    keys = list(session.scalars(select(Source.key).where(Source.url == named).order_by(Source.version)))
    if not keys:
        raise Invalid(f"the annotation's target {named!r} is not a source captured on this desk; {how}")
    if len(keys) > 1:
        raise Invalid(
            f"the annotation's target {named!r} was captured {len(keys)} times ({', '.join(keys)}); say which "
            "capture with state.cached (the ni:///sha-256 name of its text) or /api/v1/sources/KEY"
        )
    return keys[0]


def _bodies(annotation: dict[str, Any]) -> list[dict[str, Any]]:
    body = annotation.get("body")
    if body is None:
        return []
    given = body if isinstance(body, list) else [body]
    return [b for b in given if isinstance(b, dict)]


def _claim_key(bodies: list[dict[str, Any]]) -> str:
    for body in bodies:
        for field in ("id", "source"):
            value = body.get(field)
            key = _api_key(value, "claims") if isinstance(value, str) else None
            if key is not None:
                return key
    tags = [b.get("value") for b in bodies if b.get("purpose") == "tagging" and isinstance(b.get("value"), str)]
    if len(tags) == 1:
        return str(tags[0])
    if len(tags) > 1:
        raise Invalid(f"the annotation has {len(tags)} tagging bodies; give one, holding the claim's key")
    raise Invalid(
        "the annotation names no claim; add a TextualBody with purpose 'tagging' whose value is the claim's key, "
        "or a body whose source is /api/v1/claims/KEY"
    )


def _assessed(bodies: list[dict[str, Any]]) -> dict[str, Any]:
    """Stance, likelihood and attribution from the ``assessing`` body; the note from a ``commenting`` one."""
    assessing = [b.get("value") for b in bodies if b.get("purpose") == "assessing" and isinstance(b.get("value"), str)]
    if len(assessing) != 1:
        raise Invalid(
            "say how the passage bears on the claim: give one TextualBody with purpose 'assessing' whose value "
            "starts with Supports, Contradicts or Mentions"
        )
    value = str(assessing[0]).strip()
    first = value.split(maxsplit=1)[0].strip(".,:;").lower() if value else ""
    if first not in STANCES:
        raise Invalid(
            f"the assessing body starts {value[:40]!r}; start it with Supports, Contradicts or Mentions (the stance)"
        )
    assessed: dict[str, Any] = {"stance": STANCES[first]}
    likelihood = _LIKELIHOOD.search(value)
    if likelihood is not None:
        term, percent = likelihood.groups()
        assessed["confidence"] = float(percent) / 100 if percent is not None else term
    attribution = _ATTRIBUTION.search(value)
    if attribution is not None:
        assessed["attributed_to"] = attribution.group(1)
    notes = [
        b["value"]
        for b in bodies
        if b.get("purpose") == "commenting"
        and isinstance(b.get("value"), str)
        and not b["value"].startswith(_RETRACTION_NOTE)
    ]
    if notes:
        assessed["note"] = "\n\n".join(notes)
    return assessed


@router.post("/annotations/", status_code=201, **needs(Permission.ADD_EVIDENCE))
def add_annotation(
    annotation: Annotated[dict[str, Any], Body(media_type=MEDIA_TYPE)], request: Request, desk: DeskDep
) -> Response:
    """Add evidence from a Web Annotation of a passage of a captured source (see the module's description):
    201, its address in Location, and the annotation as stored."""
    kinds = annotation.get("type")
    if kinds != "Annotation" and not (isinstance(kinds, list) and "Annotation" in kinds):
        raise Invalid(f"the body is not a Web Annotation (its type is {kinds!r}, not 'Annotation')")
    target = _one(annotation.get("target"), "target")
    if target.get("selector") is None:
        raise Invalid("the annotation's target has no selector; give a TextQuoteSelector of the words it annotates")
    bodies = _bodies(annotation)
    claim_key = _claim_key(bodies)
    assessed = _assessed(bodies)
    with desk.writing() as session:
        from provenance.claims import get_claim

        try:
            get_claim(session, claim_key)
        except NotFound as exc:
            raise Invalid(str(exc)) from exc
        source_key = _source_key(session, target)
        named = quote_of(session, source_key, read_selectors(target["selector"]))
        evidence, _notices = add(session, claim_key, source_key, named, **assessed)
        content = _annotation_of(request, session, evidence)
        location = _annotation_url(request, evidence.id)
    return _ld_response(request, content, status=201, headers={"Location": location, "Link": RESOURCE_LINK})
