"""Plain, JSON-ready records of sources, passages, claims and evidence: the stable keys ``--json`` prints."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from provenance.assessment import Assessment
from provenance.citations import captions, source_title
from provenance.confidence import likelihood_term
from provenance.models import Claim, Evidence, Passage, Source, WebCapture
from provenance.report import CitedPassage, ClaimReport, EvidenceRow, PassageRow
from provenance.retraction import retraction_record
from provenance.search import Hit
from provenance.sources import SourceRow


def likelihood(probability: float | None) -> dict[str, Any] | None:
    if probability is None:
        return None
    return {"probability": probability, "term": likelihood_term(probability)}


def source_record(source: Source) -> dict[str, Any]:
    """A source's record; with ``captions`` (the spans of the paragraphs that are captions) where they were looked
    up with its passages (``source show --passages``)."""
    spans = captions(source)
    return {
        "key": source.key,
        "title": source.title,
        "display_title": source_title(source),
        "author": source.author,
        "publisher": source.publisher,
        "url": source.url,
        "published": source.published.isoformat() if source.published else None,
        "captured_at": source.captured_at.isoformat(),
        "captured_by": source.captured_by,
        "origin": source.origin,
        "media_type": source.media_type,
        "characters": len(source.text),
        "text_sha256": source.text_sha256,
        "original_sha256": source.original_sha256,
        "reliability": source.reliability.value,
        "reliability_note": source.reliability_note,
        "version": source.version,
        "retracted": retraction_record(source),  # None, or when, by whom and why
        **({} if spans is None else {"captions": [{"char_start": start, "char_end": end} for start, end in spans]}),
    }


def web_capture_record(capture: WebCapture) -> dict[str, Any]:
    """How a source was captured from the web: the addresses, when, the status and the headers kept."""
    return {
        "requested_url": capture.requested_url,
        "final_url": capture.final_url,
        "fetched_at": capture.fetched_at.isoformat(),
        "status": capture.status,
        "content_type": capture.content_type,
        "etag": capture.etag,
        "last_modified": capture.last_modified,
        "content_length": capture.content_length,
        "archive_file": capture.archive_file,
    }


def source_row_record(row: SourceRow) -> dict[str, Any]:
    return {**source_record(row.source), "paragraphs": row.paragraphs, "sentences": row.sentences}


def passage_record(passage: Passage | PassageRow) -> dict[str, Any]:
    return {
        "kind": passage.kind.value,
        "char_start": passage.char_start,
        "char_end": passage.char_end,
        "paragraph_no": passage.paragraph_no,
        "sentence_no": passage.sentence_no,
        "page_no": passage.page_no,
        "text": passage.text,
        "prefix": passage.prefix,
        "suffix": passage.suffix,
    }


def _evidence_fields(evidence: Evidence | EvidenceRow) -> dict[str, Any]:
    """What a piece of evidence records of itself: how it was anchored, and the analyst's assessment."""
    return {
        "quote": evidence.quote,
        "anchor_method": evidence.anchor_method.value,
        "anchor_score": evidence.anchor_score,
        "needs_review": evidence.needs_review,
        "confidence": likelihood(evidence.confidence),
        "credibility": evidence.credibility,
        "attributed_to": evidence.attributed_to,
        "note": evidence.note,
        "created_at": evidence.created_at.isoformat(),
        "created_by": evidence.created_by,
        # why `reanchor` left it on an older version of its source (the passage is gone from the newer one, or
        # the close match there changes a number, date, amount, negation or name); null if it did not
        "orphaned_reason": evidence.orphaned_reason,
    }


def cited_record(cited: CitedPassage) -> dict[str, Any]:
    evidence = cited.evidence
    return {
        "evidence_id": evidence.id,
        "stance": evidence.stance.value,
        "source": cited.source.key,
        "latest_version": cited.latest,  # the key of the source's latest version if a later one supersedes it
        "source_retracted": retraction_record(cited.source),
        "passage": passage_record(cited.passage),
        **_evidence_fields(evidence),
    }


def evidence_record(evidence: Evidence) -> dict[str, Any]:
    """One piece of evidence with its claim and source keys (``evidence list``)."""
    return {
        "evidence_id": evidence.id,
        "claim": evidence.claim.key,
        "stance": evidence.stance.value,
        "source": evidence.passage.source.key,
        "source_retracted": retraction_record(evidence.passage.source),
        "passage": passage_record(evidence.passage),
        **_evidence_fields(evidence),
        "orphaned_at": evidence.orphaned_at.isoformat() if evidence.orphaned_at else None,
    }


def evidence_added_record(claim_key: str, source_key: str, evidence: Evidence) -> dict[str, Any]:
    """What ``evidence add --json`` prints of the evidence it added (and the server answers)."""
    return {
        "claim": claim_key,
        "source": source_key,
        "evidence_id": evidence.id,
        "stance": evidence.stance.value,
        "quote": evidence.quote,
        "anchor_method": evidence.anchor_method.value,
        "anchor_score": evidence.anchor_score,
        "needs_review": evidence.needs_review,
        "confidence": likelihood(evidence.confidence),
        "credibility": evidence.credibility,
        "passage": passage_record(evidence.passage),
    }


def claim_record(claim: Claim, about: list[str], computed: Assessment | None = None) -> dict[str, Any]:
    """A claim with the analyst's likelihood (``confidence``) and, when given, the one computed from its
    evidence (``computed_confidence``)."""
    record = {
        "key": claim.key,
        "statement": claim.statement,
        "status": claim.status.value,
        "verdict": claim.verdict.value if claim.verdict else None,
        "verdict_by": claim.verdict_by,
        "assignee": claim.assignee,
        "confidence": likelihood(claim.confidence),
        "confidence_note": claim.confidence_note,
        "about": about,
        "created_at": claim.created_at.isoformat(),
        "created_by": claim.created_by,
        "updated_at": claim.updated_at.isoformat(),
        # raised by one at every change; `--expect-version` refuses a change if it has moved on
        "version": claim.version,
    }
    if computed is not None:
        record["computed_confidence"] = computed_record(computed)
    return record


def claim_detail_record(entry: ClaimReport, *, explain: bool = False) -> dict[str, Any]:
    """A claim with its evidence; with ``explain``, every step to its computed likelihood too."""
    record = claim_record(entry.claim, entry.about, entry.assessment)
    if explain:
        record["computed_confidence"] = computed_record(entry.assessment, explain=True)
    return {
        **record,
        "supporting": [cited_record(c) for c in entry.supporting],
        "contradicting": {
            "passages": [cited_record(c) for c in entry.contradicting],
            "claims": [
                {
                    "key": conflict.claim.key,
                    "statement": conflict.claim.statement,
                    "kind": conflict.contradiction.kind.value,
                    "status": conflict.contradiction.status.value,
                    "note": conflict.contradiction.note,
                    "resolution": conflict.contradiction.resolution,
                }
                for conflict in entry.conflicts
            ],
            # two of the claim's own passages that disagree (confirmed suggestions)
            "evidence": [
                {
                    "suggestion_id": pair.id,
                    "kind": pair.kind.value,
                    "reason": pair.reason,
                    "passages": [
                        {"source": passage.source.key, **passage_record(passage)}
                        for passage in (pair.passage_a, pair.passage_b)
                    ],
                }
                for pair in entry.conflicting_evidence
            ],
        },
        "mentioning": [cited_record(c) for c in entry.mentioning],
    }


def _round(number: float) -> float:
    return round(number, 4)


def computed_record(computed: Assessment, *, explain: bool = False) -> dict[str, Any]:
    """The computed likelihood; with ``explain``, every source cluster, contribution and piece not counted."""
    record: dict[str, Any] = {
        "probability": None if computed.probability is None else _round(computed.probability),
        "term": computed.term,
        "log_odds": _round(computed.log_odds),
        "independent_sources": computed.independent_sources,
        "evidence_counted": computed.evidence_counted,
    }
    if not explain:
        return record
    record["clusters"] = [
        {
            "number": cluster.number,
            "sources": [{"key": key, "reliability": letter} for key, letter in cluster.sources],
            "reliability": cluster.reliability,
            "reliability_weight": cluster.reliability_weight,
            "evidence_counted": cluster.pieces,
            "links": list(cluster.links),
        }
        for cluster in computed.clusters
    ]
    record["contributions"] = [
        {
            "evidence_id": c.item.evidence_id,
            "cluster": c.cluster.number,
            "source": c.item.source_key,
            "place": c.item.place,
            "stance": c.item.stance.value,
            "likelihood": likelihood(c.item.likelihood),
            "reliability": c.cluster.reliability,
            "reliability_weight": c.cluster.reliability_weight,
            "credibility": c.item.credibility,
            "credibility_weight": c.credibility_weight,
            "log_odds": _round(c.log_odds),
            "weight": _round(c.weight),
            "adds": _round(c.adds),
            "running": {
                "log_odds": _round(c.running_log_odds),
                "probability": _round(c.running_probability),
                "term": likelihood_term(c.running_probability),
            },
        }
        for c in computed.contributions
    ]
    record["not_counted"] = [
        {
            "evidence_id": s.item.evidence_id,
            "source": s.item.source_key,
            "place": s.item.place,
            "stance": s.item.stance.value,
            "reason": s.reason,
        }
        for s in computed.skipped
    ]
    return record


def hit_record(hit: Hit) -> dict[str, Any]:
    return {
        "source": hit.source,
        "published": hit.published.isoformat() if hit.published else None,
        "char_start": hit.char_start,
        "char_end": hit.char_end,
        "paragraph_no": hit.paragraph_no,
        "sentence_no": hit.sentence_no,
        "text": hit.text,
        "snippet": hit.snippet,
        "rank": hit.rank,
    }


def source_detail_record(
    source: Source,
    passages: Sequence[Passage | PassageRow] | None,
    supersedes: str | None,
    derived_from: Sequence[tuple[str, str | None]],
    repeated_by: Sequence[tuple[str, str | None]],
    web: WebCapture | None,
) -> dict[str, Any]:
    """A source as `provenance source show --json` prints it (with its passages when they were read)."""
    record: dict[str, Any] = {
        **source_record(source),
        "web_capture": web_capture_record(web) if web is not None else None,
        "supersedes": supersedes,
        "derived_from": [{"key": k, "note": n} for k, n in derived_from],
        "repeated_by": [{"key": k, "note": n} for k, n in repeated_by],
    }
    if passages is not None:
        record["passages"] = [passage_record(p) for p in passages]
    return record


def entity_claims_record(claims: Iterable[tuple[Claim, list[str]]]) -> list[dict[str, Any]]:
    """The claims about an entity, as `provenance entity show --json` lists them."""
    return [
        {
            "key": claim.key,
            "statement": claim.statement,
            "status": claim.status.value,
            "verdict": claim.verdict.value if claim.verdict else None,
            "about": about,
        }
        for claim, about in claims
    ]
