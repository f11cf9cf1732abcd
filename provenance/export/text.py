"""What the terminal shows people: tables and indented detail. Scripts use ``--json`` instead."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

from tabulate import tabulate

from provenance.citations import citation, location, source_title
from provenance.confidence import describe_likelihood, describe_reliability
from provenance.models import Claim, Passage, Source
from provenance.report import CitedPassage, ClaimReport
from provenance.search import Hit
from provenance.sources import SourceRow

WIDTH = 100


def _wrap(text: str, indent: str) -> str:
    return textwrap.fill(" ".join(text.split()), WIDTH, initial_indent=indent, subsequent_indent=indent)


def _short(text: str, width: int) -> str:
    return textwrap.shorten(text, width, placeholder="…")


def source_table(rows: Iterable[SourceRow]) -> str:
    table = [
        (
            r.source.key,
            _short(source_title(r.source), 50),
            r.source.published.isoformat() if r.source.published else "",
            r.source.reliability.value,
            r.paragraphs,
            r.sentences,
        )
        for r in rows
    ]
    if not table:
        return "No sources yet: `provenance source add FILE...` captures articles."
    return tabulate(table, headers=["key", "title", "published", "rel.", "paragraphs", "sentences"])


def source_detail(source: Source, passages: list[Passage] | None, superseded: str | None = None) -> str:
    lines = [
        source.key,
        f"  version:     {source.version}" + (f" (supersedes {superseded})" if superseded else ""),
        f"  title:       {source_title(source)}",
        f"  author:      {source.author or '-'}",
        f"  publisher:   {source.publisher or '-'}",
        f"  published:   {source.published.isoformat() if source.published else '-'}",
        f"  url:         {source.url or '-'}",
        f"  origin:      {source.origin or '-'}",
        f"  captured:    {source.captured_at:%Y-%m-%d %H:%M:%S} UTC",
        f"  reliability: {describe_reliability(source.reliability.value)}"
        + (f" ({source.reliability_note})" if source.reliability_note else ""),
        f"  characters:  {len(source.text)}",
        f"  sha256:      {source.text_sha256} (text), {source.original_sha256} (original)",
    ]
    if passages is not None:
        lines.append("")
        for p in passages:
            label = f"{p.kind.value} {p.paragraph_no}" + (f".{p.sentence_no}" if p.sentence_no else "")
            label += f", page {p.page_no}" if p.page_no is not None else ""
            lines.append(f"  [{p.char_start}–{p.char_end}] {label}")
            lines.append(_wrap(p.text, "      "))
    return "\n".join(lines)


def claim_table(claims: Iterable[tuple[Claim, list[str]]]) -> str:
    table = [
        (
            claim.key,
            claim.status.value.replace("_", " "),
            describe_likelihood(claim.confidence),
            _short(", ".join(about), 30),
            _short(claim.statement, 60),
        )
        for claim, about in claims
    ]
    if not table:
        return "No claims found."
    return tabulate(table, headers=["key", "status", "likelihood", "about", "statement"])


def _cited(cited: CitedPassage) -> list[str]:
    e = cited.evidence
    lines = [
        f"  - {cited.source.key}, {location(cited.passage)} ({e.anchor_method.value.replace('_', ' ')} match)",
        _wrap(f"“{cited.passage.text}”", "      "),
        f"      {citation(cited.source)}",
    ]
    if e.attributed_to:
        lines.append(f"      attributed to: {e.attributed_to}")
    lines.append(f"      likelihood: {describe_likelihood(e.confidence)}")
    if e.note:
        lines.append(_wrap(f"note: {e.note}", "      "))
    return lines


def claim_detail(entry: ClaimReport) -> str:
    claim = entry.claim
    lines = [
        claim.key,
        _wrap(claim.statement, "  "),
        f"  status: {claim.status.value.replace('_', ' ')}    verdict: "
        f"{claim.verdict.value.replace('_', ' ') if claim.verdict else '-'}",
        f"  likelihood: {describe_likelihood(claim.confidence)}",
    ]
    if claim.confidence_note:
        lines.append(_wrap(f"why: {claim.confidence_note}", "    "))
    lines.append(f"  about: {', '.join(entry.about) or '-'}")
    lines += ["", f"Supporting evidence ({len(entry.supporting)})"]
    for cited in entry.supporting:
        lines += _cited(cited)
    lines += ["", f"Contradicting statements ({len(entry.contradicting) + len(entry.conflicts)})"]
    for cited in entry.contradicting:
        lines += _cited(cited)
    for conflict in entry.conflicts:
        lines.append(f"  - claim {conflict.claim.key} ({conflict.contradiction.status.value} contradiction)")
        lines.append(_wrap(conflict.claim.statement, "      "))
        if conflict.contradiction.note:
            lines.append(_wrap(f"note: {conflict.contradiction.note}", "      "))
    if entry.mentioning:
        lines += ["", f"Mentioned in ({len(entry.mentioning)})"]
        for cited in entry.mentioning:
            lines += _cited(cited)
    return "\n".join(lines)


def hit_list(hits: Iterable[Hit]) -> str:
    lines = []
    for hit in hits:
        where = f"paragraph {hit.paragraph_no}" + (f", sentence {hit.sentence_no}" if hit.sentence_no else "")
        published = hit.published.isoformat() if hit.published else "undated"
        lines.append(f"{hit.source} ({published}), {where}, characters {hit.char_start}–{hit.char_end}")
        lines.append(_wrap(hit.snippet, "    "))
    return "\n".join(lines) if lines else "No sentence matches."
