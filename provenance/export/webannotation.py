"""Evidence as W3C Web Annotations (JSON-LD): one annotation per piece of evidence, in one AnnotationCollection.

Each annotation says, of one passage of a source, how it bears on one claim (motivation ``assessing``):

- ``target``: a SpecificResource whose ``source`` is :func:`source_uri` and whose selectors are a
  TextQuoteSelector (the passage's exact text, with its stored prefix and suffix) and a TextPositionSelector
  (its code-point offsets). Both refer to the source's text as ``provenance`` stores it; for a source with a
  URL a TimeState gives the capture time and names that stored text by its hash (``cached``).
- ``body``: a ``tagging`` TextualBody holding the claim key (so annotations can be filtered by claim), an
  ``assessing`` TextualBody naming the stance, the claim's statement, the likelihood and the attribution, and,
  when the evidence has a note, a ``commenting`` TextualBody holding it; when its source is retracted, another
  ``commenting`` TextualBody saying when, by whom and why.

Identifiers are ``urn:uuid`` URNs made with UUID version 5 from :data:`NAMESPACE` and what identifies the
thing in any database (an annotation: claim key, source text hash, passage kind and offsets), so exporting
the same evidence again, or from a copy of the database on another backend, gives the same ids.

Every annotation carries the ``@context`` itself, so each one stands alone when taken out of the collection.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from typing import Any
from urllib.parse import urlsplit

from provenance.confidence import describe_likelihood
from provenance.export import jsontext
from provenance.models import Source, Stance
from provenance.report import CitedPassage, ClaimReport, Report
from provenance.retraction import retraction_details

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
# Never change: every id this module makes is derived from it.
# (uuid5(NAMESPACE_URL, "https://provenance.invalid/ns/web-annotation"))
NAMESPACE = uuid.UUID("47f2bb73-6de7-50d0-877f-7713eaf9d6c7")

_STANCE_WORDS = {
    Stance.SUPPORTS: "Supports",
    Stance.CONTRADICTS: "Contradicts",
    Stance.MENTIONS: "Mentions",
}


def stable_urn(*parts: str) -> str:
    """``urn:uuid:`` + the UUID 5 of ``parts`` (joined by newlines) in :data:`NAMESPACE`."""
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, chr(10).join(parts))}"


def hash_uri(source: Source) -> str:
    """The source's stored text named by its SHA-256, as an RFC 6920 Named Information URI
    (``ni:///sha-256;`` + the digest in unpadded base64url; ``source show`` prints the same digest in hex)."""
    digest = base64.urlsafe_b64encode(bytes.fromhex(source.text_sha256)).decode("ascii").rstrip("=")
    return f"ni:///sha-256;{digest}"


def has_web_url(source: Source) -> bool:
    """Whether the source's URL is an absolute URL (a bare ``example.org/x`` is not, and is not used as an id)."""
    if not source.url:
        return False
    parts = urlsplit(source.url)
    return bool(parts.scheme and parts.netloc) and not any(c.isspace() for c in source.url)


def source_uri(source: Source) -> str:
    """Where the source is: its URL when it has an absolute one, else :func:`hash_uri` of its stored text."""
    return source.url if has_web_url(source) and source.url else hash_uri(source)


def timestamp(value: dt.datetime) -> str:
    """An xsd:dateTime in UTC with a ``Z``: ``2024-05-01T12:00:00.123456Z``."""
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def annotation_id(entry: ClaimReport, cited: CitedPassage) -> str:
    passage = cited.passage
    return stable_urn(
        "annotation",
        entry.claim.key,
        cited.source.text_sha256,
        passage.kind.value,
        str(passage.char_start),
        str(passage.char_end),
    )


def _agent(name: str) -> dict[str, Any]:
    return {"id": stable_urn("person", name), "type": "Person", "name": name}


def _target(cited: CitedPassage) -> dict[str, Any]:
    passage, source = cited.passage, cited.source
    # An empty prefix or suffix is kept: it says the passage is at the start or end of the text.
    quote = {"type": "TextQuoteSelector", "exact": passage.text, "prefix": passage.prefix, "suffix": passage.suffix}
    position = {"type": "TextPositionSelector", "start": passage.char_start, "end": passage.char_end}
    target: dict[str, Any] = {"type": "SpecificResource", "source": source_uri(source), "selector": [quote, position]}
    if has_web_url(source):
        # The offsets count in the text as captured, which may differ from what the URL serves today.
        target["state"] = {"type": "TimeState", "sourceDate": timestamp(source.captured_at), "cached": hash_uri(source)}
    return target


def assessment(entry: ClaimReport, cited: CitedPassage) -> str:
    """``Supports the claim “…”. Likelihood: unlikely (32.5 %). Attributed to: New Delhi.``"""
    evidence = cited.evidence
    words = [f"{_STANCE_WORDS[evidence.stance]} the claim “{entry.claim.statement}”."]
    if evidence.confidence is not None:
        words.append(f"Likelihood: {describe_likelihood(evidence.confidence)}.")
    if evidence.attributed_to:
        words.append(f"Attributed to: {evidence.attributed_to}.")
    return " ".join(words)


def _body(entry: ClaimReport, cited: CitedPassage) -> list[dict[str, Any]]:
    text = {"type": "TextualBody", "format": "text/plain"}
    body = [
        {**text, "purpose": "tagging", "value": entry.claim.key},
        {**text, "purpose": "assessing", "value": assessment(entry, cited)},
    ]
    if cited.evidence.note:
        body.append({**text, "purpose": "commenting", "value": cited.evidence.note})
    retraction = retraction_details(cited.source)
    if retraction is not None:
        body.append({**text, "purpose": "commenting", "value": f"The source was retracted {retraction}"})
    return body


def annotation(entry: ClaimReport, cited: CitedPassage) -> dict[str, Any]:
    """One piece of evidence as a standalone Web Annotation."""
    evidence = cited.evidence
    result: dict[str, Any] = {
        "@context": CONTEXT,
        "id": annotation_id(entry, cited),
        "type": "Annotation",
        "motivation": "assessing",
        "created": timestamp(evidence.created_at),
    }
    if evidence.created_by:
        result["creator"] = _agent(evidence.created_by)
    result["body"] = _body(entry, cited)
    result["target"] = _target(cited)
    return result


def collection(report: Report) -> dict[str, Any]:
    """The report's evidence as an AnnotationCollection with every annotation on its first (only) page.

    Its id is derived from the annotations' ids, so the same evidence always makes the same collection. An
    empty collection has ``total`` 0 and no pages, as the model allows.
    """
    items = [annotation(entry, cited) for entry in report.claims for cited in entry.cited]
    collection_id = stable_urn("collection", *(item["id"] for item in items))
    claims = len(report.claims)
    result: dict[str, Any] = {
        "@context": CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": f"Evidence for {claims} claim{'s' * (claims != 1)}: {len(items)} passage{'s' * (len(items) != 1)}",
        "total": len(items),
    }
    if items:
        page_id = stable_urn("page", collection_id, "0")
        result["first"] = {
            "id": page_id,
            "type": "AnnotationPage",
            "partOf": collection_id,
            "startIndex": 0,
            "items": items,
        }
        result["last"] = page_id
    return result


def render(report: Report) -> str:
    return jsontext.dumps(collection(report))
