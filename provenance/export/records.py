"""Plain, JSON-ready records of sources, passages, claims and evidence: the stable keys ``--json`` prints."""

from __future__ import annotations

from typing import Any

from provenance.citations import source_title
from provenance.confidence import likelihood_term
from provenance.models import Claim, Passage, Source
from provenance.report import CitedPassage, ClaimReport, PassageRow
from provenance.search import Hit
from provenance.sources import SourceRow


def likelihood(probability: float | None) -> dict[str, Any] | None:
    if probability is None:
        return None
    return {"probability": probability, "term": likelihood_term(probability)}


def source_record(source: Source) -> dict[str, Any]:
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


def cited_record(cited: CitedPassage) -> dict[str, Any]:
    evidence = cited.evidence
    return {
        "evidence_id": evidence.id,
        "stance": evidence.stance.value,
        "source": cited.source.key,
        "passage": passage_record(cited.passage),
        "quote": evidence.quote,
        "anchor_method": evidence.anchor_method.value,
        "anchor_score": evidence.anchor_score,
        "confidence": likelihood(evidence.confidence),
        "attributed_to": evidence.attributed_to,
        "note": evidence.note,
        "created_at": evidence.created_at.isoformat(),
        "created_by": evidence.created_by,
    }


def claim_record(claim: Claim, about: list[str]) -> dict[str, Any]:
    return {
        "key": claim.key,
        "statement": claim.statement,
        "status": claim.status.value,
        "verdict": claim.verdict.value if claim.verdict else None,
        "confidence": likelihood(claim.confidence),
        "confidence_note": claim.confidence_note,
        "about": about,
        "created_at": claim.created_at.isoformat(),
        "created_by": claim.created_by,
        "updated_at": claim.updated_at.isoformat(),
    }


def claim_detail_record(entry: ClaimReport) -> dict[str, Any]:
    return {
        **claim_record(entry.claim, entry.about),
        "supporting": [cited_record(c) for c in entry.supporting],
        "contradicting": {
            "passages": [cited_record(c) for c in entry.contradicting],
            "claims": [
                {
                    "key": conflict.claim.key,
                    "statement": conflict.claim.statement,
                    "status": conflict.contradiction.status.value,
                    "note": conflict.contradiction.note,
                }
                for conflict in entry.conflicts
            ],
        },
        "mentioning": [cited_record(c) for c in entry.mentioning],
    }


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
