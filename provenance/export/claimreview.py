"""Verdicts as schema.org ClaimReview (JSON-LD), the fact-check markup search engines read.

The document is a JSON list with one standalone ClaimReview object (each with its own ``@context``, like the
schema.org examples) per published claim with a verdict: ClaimReview is the markup of a published fact check,
so a verdict still in review (or a claim withdrawn) is left out; a report with none gives ``[]``, which is
valid (empty) JSON-LD.

For each review:

- ``url`` is ``<base_url>/claims/<claim key>``: where the organisation publishes the review.
- ``reviewRating`` names the verdict in words (``alternateName``) and rates it on :data:`RATING_SCALE`
  (1 false ... 5 true); ``unproven`` has no place on that scale, so it is given in words only.
- ``datePublished`` is the day (UTC) the claim was last changed.
- ``itemReviewed`` is the Claim. Its appearances are the sources of its supporting passages (each once, in
  the report's order: earliest published first): a CreativeWork whose ``url`` is the source's URL or, for a
  source without one, the Named Information URI of its stored text (see :func:`webannotation.source_uri`).
  A retracted source's CreativeWork has ``creativeWorkStatus`` "Retracted".
  ``firstAppearance`` and the claim's ``datePublished`` come from the earliest-dated of them (left out when
  none is dated); its ``author`` is whom the earliest supporting passage is attributed to, as a Person (the
  attribution is free text that does not say whether it names a person or an organisation).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote, urlsplit

from provenance import workflow
from provenance.errors import Invalid
from provenance.export import jsontext
from provenance.export.webannotation import source_uri
from provenance.models import ClaimStatus, Source, Verdict
from provenance.report import ClaimReport, Report

CONTEXT = "https://schema.org"
# The desk's rating scale, defined with the workflow: 1 (false) .. 5 (true); None: given in words only.
RATING_SCALE = workflow.RATING_SCALE
VERDICT_NAMES = workflow.VERDICT_NAMES
BEST_RATING = workflow.BEST_RATING
WORST_RATING = workflow.WORST_RATING


def check_base_url(base_url: str) -> str:
    """``base_url`` without a trailing slash, if it is an absolute http(s) URL; else :class:`Invalid`."""
    parts = urlsplit(base_url.strip())
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or parts.query
        or parts.fragment
        or any(c.isspace() for c in base_url.strip())
    ):
        raise Invalid(
            "ClaimReview needs --base-url as an absolute http(s) URL, e.g. https://factcheck.example.org; "
            f"got {base_url!r}"
        )
    return base_url.strip().rstrip("/")


def check_organisation(organisation: str) -> str:
    name = " ".join(organisation.split())
    if not name:
        raise Invalid(
            "ClaimReview needs --organisation: the name of the fact-checking organisation publishing the reviews; "
            f"got {organisation!r}"
        )
    return name


def rating(verdict: Verdict) -> dict[str, Any]:
    result: dict[str, Any] = {"@type": "Rating", "alternateName": VERDICT_NAMES[verdict]}
    value = RATING_SCALE[verdict]
    if value is not None:
        result.update(ratingValue=value, bestRating=BEST_RATING, worstRating=WORST_RATING)
    return result


def creative_work(source: Source) -> dict[str, Any]:
    """The source as a CreativeWork: only what it records, nothing invented (an untitled source has no headline)."""
    work: dict[str, Any] = {"@type": "CreativeWork", "url": source_uri(source)}
    if source.title:
        work["headline"] = source.title
    if source.published:
        work["datePublished"] = source.published.isoformat()
    if source.author:
        work["author"] = {"@type": "Person", "name": source.author}
    if source.publisher:
        work["publisher"] = {"@type": "Organization", "name": source.publisher}
    if source.retracted_at is not None:
        # schema.org's word for where a work stands in its lifecycle; who retracted it and why stay in the desk
        work["creativeWorkStatus"] = "Retracted"
    return work


def item_reviewed(entry: ClaimReport) -> dict[str, Any]:
    """The claim, where it appears (its supporting sources), who made it and when it first appeared."""
    claim: dict[str, Any] = {"@type": "Claim"}
    appearances: dict[int, Source] = {}
    for cited in entry.supporting:
        appearances.setdefault(cited.source.id, cited.source)
    if appearances:
        claim["appearance"] = [creative_work(source) for source in appearances.values()]
    dated = [(source.published, source.key, source) for source in appearances.values() if source.published]
    if dated:
        published, _, first = min(dated, key=lambda row: row[:2])
        claim["firstAppearance"] = creative_work(first)
        claim["datePublished"] = published.isoformat()
    if entry.supporting and entry.supporting[0].evidence.attributed_to:
        claim["author"] = {"@type": "Person", "name": entry.supporting[0].evidence.attributed_to}
    return claim


def claim_review(entry: ClaimReport, *, organisation: str, base_url: str) -> dict[str, Any]:
    claim = entry.claim
    assert claim.verdict is not None
    return {
        "@context": CONTEXT,
        "@type": "ClaimReview",
        "url": f"{base_url}/claims/{quote(claim.key, safe='')}",
        "claimReviewed": claim.statement,
        "reviewRating": rating(claim.verdict),
        "author": {"@type": "Organization", "name": organisation, "url": base_url},
        "datePublished": claim.updated_at.astimezone(dt.UTC).date().isoformat(),
        "itemReviewed": item_reviewed(entry),
    }


def reviews(report: Report, *, organisation: str, base_url: str) -> list[dict[str, Any]]:
    """A ClaimReview for each published claim of the report with a verdict, in the report's order."""
    organisation = check_organisation(organisation)
    base_url = check_base_url(base_url)
    return [
        claim_review(entry, organisation=organisation, base_url=base_url)
        for entry in report.claims
        if entry.claim.verdict is not None and entry.claim.status == ClaimStatus.PUBLISHED
    ]


def render(report: Report, *, organisation: str, base_url: str) -> str:
    data = reviews(report, organisation=organisation, base_url=base_url)
    return jsontext.dumps(data)
