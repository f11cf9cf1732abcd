"""What the terminal shows people: tables and indented detail. Scripts use ``--json`` instead."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from provenance.anchoring import format_score, review_label
from provenance.assessment import NOT_ASSESSED, Assessment
from provenance.citations import citation, in_caption, location, source_title
from provenance.confidence import describe_credibility, describe_likelihood, describe_reliability
from provenance.export.tables import fit, output_width
from provenance.export.tables import table as columns
from provenance.models import AnchorMethod, Claim, Evidence, Passage, Source, WebCapture
from provenance.report import CitedPassage, ClaimReport
from provenance.retraction import retraction_details
from provenance.text import count

if TYPE_CHECKING:  # only named in annotations: `claim show` needs neither module
    from provenance.search import Hit
    from provenance.sources import SourceRow

WIDTH = 100  # prose wraps at this width, or the terminal's if narrower


def _wrap(text: str, indent: str) -> str:
    width = min(output_width() or WIDTH, WIDTH)
    return textwrap.fill(" ".join(text.split()), width, initial_indent=indent, subsequent_indent=indent)


def source_table(rows: Iterable[SourceRow]) -> str:
    rows = list(rows)
    table = [
        (
            r.source.key,
            source_title(r.source),
            r.source.published.isoformat() if r.source.published else "",
            r.source.reliability.value,
            r.paragraphs,
            r.sentences,
        )
        for r in rows
    ]
    if not table:
        return "No sources yet: `provenance source add FILE...` captures articles."
    headers = ["key", "title", "published", "rel.", "paragraphs", "sentences"]
    if any(r.source.retracted_at is not None for r in rows):
        # a column only when some source is retracted: when, and by whom (`source show` says why)
        headers.append("retracted")
        marked: list[tuple[object, ...]] = [
            (*row, f"{r.source.retracted_at:%Y-%m-%d} by {r.source.retracted_by}" if r.source.retracted_at else "")
            for row, r in zip(table, rows, strict=True)
        ]
        return columns(headers, marked)
    return columns(headers, table)


def source_detail(
    source: Source,
    passages: list[Passage] | None,
    superseded: str | None = None,
    *,
    derived_from: Sequence[tuple[str, str | None]] = (),
    repeated_by: Sequence[tuple[str, str | None]] = (),
    web: WebCapture | None = None,
) -> str:
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
    if web is not None:
        # where the page came from, as fetched (or as the WARC file it was read from says it was fetched)
        asked = f" (asked for {web.requested_url})" if web.requested_url != web.final_url else ""
        lines.insert(
            8, f"  fetched:     {web.final_url}{asked}, {web.fetched_at:%Y-%m-%d %H:%M:%S} UTC, HTTP {web.status}"
        )
        headers = [
            f"{name} {value}" for name, value in (("ETag", web.etag), ("Last-Modified", web.last_modified)) if value
        ]
        lines.insert(
            9,
            f"  served as:   {web.content_type or '-'}, {web.content_length} bytes"
            + "".join(f"; {h}" for h in headers),
        )
        if web.archive_file:
            lines.insert(10, f"  read from:   {web.archive_file}")
    retraction = retraction_details(source)
    if retraction is not None:
        lines.insert(1, _wrap(f"RETRACTED {retraction}", "  "))
    # sources that count as one with this one when a claim's likelihood is computed
    lines += [f"  derives from: {key}" + (f" ({note})" if note else "") for key, note in derived_from]
    lines += [f"  repeated by: {key}" + (f" ({note})" if note else "") for key, note in repeated_by]
    if passages is not None:
        lines.append("")
        for p in passages:
            label = f"{p.kind.value} {p.paragraph_no}" + (f".{p.sentence_no}" if p.sentence_no else "")
            label += f", page {p.page_no}" if p.page_no is not None else ""
            label += " (caption)" if in_caption(p) else ""
            lines.append(f"  [{p.char_start}–{p.char_end}] {label}")
            lines.append(_wrap(p.text, "      "))
    return "\n".join(lines)


def claim_table(claims: Iterable[tuple[Claim, list[str]]], computed: Mapping[int, Assessment] | None = None) -> str:
    """Claims with status and the analyst's likelihood; with ``computed`` (by claim id), the computed one too."""
    table = [
        (
            claim.key,
            claim.status.value.replace("_", " "),
            describe_likelihood(claim.confidence),
            *([] if computed is None else [describe_likelihood(computed.get(claim.id, NOT_ASSESSED).probability)]),
            ", ".join(about),
            claim.statement,
        )
        for claim, about in claims
    ]
    if not table:
        return "No claims found."
    headers = ["key", "status", "likelihood", *([] if computed is None else ["computed"]), "about", "statement"]
    return columns(headers, table)


def _anchored(method: AnchorMethod, score: float | None) -> str:
    """``exact match``, ``exact omission match``, ``fuzzy match 91/100``."""
    return f"{method.value.replace('_', ' ')} match" + (f" {format_score(score)}/100" if score is not None else "")


def _cited(cited: CitedPassage) -> list[str]:
    e = cited.evidence
    lines = [
        f"  - {cited.source.key}, {location(cited.passage)} ({_anchored(e.anchor_method, e.anchor_score)})",
        _wrap(f"“{cited.quoted}”", "      "),
        f"      {citation(cited.source)}",
    ]
    orphaned = e.orphaned_reason
    if cited.latest is not None:
        key = cited.source.key
        superseded = f"on superseded version {key} (latest {cited.latest})"
        if orphaned is None:
            lines.append(
                _wrap(f"{superseded}; `provenance reanchor {key} {cited.latest}` carries the evidence over", "      ")
            )
        else:  # reanchor left it here (a version is never removed, so orphaned evidence is always superseded)
            lines.append(_wrap(f"{superseded}; not carried to the newer version: {orphaned}", "      "))
    retraction = retraction_details(cited.source)
    if retraction is not None:
        lines.append(_wrap(f"SOURCE RETRACTED {retraction}", "      "))
    review = cited.review
    if review is not None:
        lines.append(
            _wrap(
                f"NEEDS REVIEW: {review}; the quote as entered: “{e.quote}”; once checked: "
                f"`provenance evidence confirm {e.id} --note WHAT_YOU_CHECKED`",
                "      ",
            )
        )
    elif e.anchor_method is AnchorMethod.FUZZY:
        lines.append(_wrap(f"reviewed; the quote as entered: “{e.quote}”", "      "))
    if e.attributed_to:
        lines.append(f"      attributed to: {e.attributed_to}")
    lines.append(f"      likelihood: {describe_likelihood(e.confidence)}")
    if e.credibility is not None:
        lines.append(f"      credibility: {describe_credibility(e.credibility)}")
    if e.note:
        lines.append(_wrap(f"note: {e.note}", "      "))
    return lines


def claim_detail(entry: ClaimReport) -> str:
    claim = entry.claim
    lines = [
        claim.key,
        _wrap(claim.statement, "  "),
        f"  status: {claim.status.value.replace('_', ' ')}    verdict: "
        f"{claim.verdict.value.replace('_', ' ') if claim.verdict else '-'}"
        + (f" (set by {claim.verdict_by})" if claim.verdict and claim.verdict_by else ""),
        f"  assigned to: {claim.assignee or 'nobody'}",
        f"  version: {claim.version}",
        f"  likelihood set by the analyst: {describe_likelihood(claim.confidence)}",
    ]
    if claim.confidence_note:
        lines.append(_wrap(f"why: {claim.confidence_note}", "    "))
    lines.append(f"  computed likelihood: {entry.assessment.describe()}")
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
        lines.append(f"      kind: {conflict.contradiction.kind.value}")
        if conflict.contradiction.note:
            lines.append(_wrap(f"note: {conflict.contradiction.note}", "      "))
        if conflict.contradiction.resolution:
            lines.append(_wrap(f"resolution: {conflict.contradiction.resolution}", "      "))
    if entry.conflicting_evidence:
        lines += ["", f"Conflicting evidence ({len(entry.conflicting_evidence)})"]
        for pair in entry.conflicting_evidence:
            lines.append(f"  - {pair.kind.value}: {pair.reason}")
            for passage in (pair.passage_a, pair.passage_b):
                lines.append(f"      {passage.source.key}, {location(passage)}")
                lines.append(_wrap(f"“{passage.text}”", "        "))
    if entry.mentioning:
        lines += ["", f"Mentioned in ({len(entry.mentioning)})"]
        for cited in entry.mentioning:
            lines += _cited(cited)
    return fit("\n".join(lines))


def _number(value: float) -> str:
    return f"{value:+.3f}".replace("+0.000", "0").replace("-0.000", "0")


def explanation(computed: Assessment) -> str:
    """Every step from even chance to the computed likelihood, as a fact-checker would work it out by hand."""
    lines = [
        "How the computed likelihood is worked out",
        _wrap(
            "Start at even chance (log-odds 0). Each counted piece of evidence adds weight x log-odds: log-odds "
            "ln(p / (1 - p)) of its likelihood p, negated when it contradicts the claim; weight = reliability "
            "factor of its cluster's most reliable source x its credibility factor / pieces counted in the "
            "cluster, so a cluster of sources that repeat one another counts once.",
            "  ",
        ),
        "",
    ]
    if computed.contributions:
        table = [
            (
                c.cluster.number,
                c.item.source_key,
                f"{c.item.paragraph_no}" + (f".{c.item.sentence_no}" if c.item.sentence_no is not None else ""),
                c.item.stance.value,
                describe_likelihood(c.item.likelihood),
                _number(c.log_odds),
                f"{c.cluster.reliability} {c.cluster.reliability_weight:g}",
                f"{c.item.credibility or '-'} {c.credibility_weight:g}",
                f"1/{c.cluster.pieces}",
                f"{c.weight:.3f}",
                _number(c.adds),
                f"{_number(c.running_log_odds)}: {describe_likelihood(c.running_probability)}",
            )
            for c in computed.contributions
        ]
        headers = ["#", "source", "para.", "stance", "likelihood", "log-odds", "rel.", "cred.", "share", "weight"]
        headers += ["adds", "running"]
        lines += columns(headers, table, indent=2).splitlines()
        lines += ["", "  Independent source clusters (each counts once):"]
        for cluster in computed.clusters:
            cited = ", ".join(f"{key} ({letter})" for key, letter in cluster.sources)
            lines.append(f"  {cluster.number}. {cited}; most reliable: {cluster.reliability}")
            if len(cluster.sources) > 1:  # why they are one
                lines += [f"       {link}" for link in cluster.links]
    else:
        lines.append("  No piece of evidence counts.")
    if computed.skipped:
        lines += ["", "  Not counted:"]
        lines += [
            f"  - {s.item.source_key}, {s.item.place} ({s.item.stance.value}): {s.reason}" for s in computed.skipped
        ]
    lines += ["", f"  Result: log-odds {_number(computed.log_odds)}, computed likelihood {computed.describe()}"]
    return fit("\n".join(lines))


def evidence_added(claim_key: str, source_key: str, evidence: Evidence) -> str:
    """``claim <- source characters 10–52 (sentence, supports)``: the line ``evidence add`` prints."""
    passage = evidence.passage
    review = review_label(evidence.needs_review, evidence.anchor_method, evidence.anchor_score)
    flag = f", needs review: {review}" if review is not None else ""
    return (
        f"{claim_key} <- {source_key} characters {passage.char_start}–{passage.char_end} "
        f"({passage.kind.value}, {evidence.stance.value}{flag})"
    )


def evidence_added_warnings(source_key: str, quote: str, evidence: Evidence) -> list[str]:
    """What ``evidence add`` says on stderr before its line: the source is retracted; the quote was matched
    approximately and the evidence needs review."""
    warnings = []
    passage = evidence.passage
    retracted = retraction_details(passage.source)
    if retracted is not None:
        warnings.append(
            f"Warning: source {source_key!r} is retracted ({retracted}); claim show and reports mark this evidence"
        )
    review = review_label(evidence.needs_review, evidence.anchor_method, evidence.anchor_score)
    if review is not None:
        warnings.append(
            f"accepted a {review} for the quote {quote!r}: the source has {passage.text!r}; evidence "
            f"{evidence.id} needs review (`provenance evidence confirm {evidence.id} --note WHAT_YOU_CHECKED`)"
        )
    return warnings


def evidence_table(evidence: Iterable[Evidence]) -> str:
    table = [
        (
            e.id,
            e.claim.key,
            e.passage.source.key,
            f"{e.passage.char_start}–{e.passage.char_end}",
            e.stance.value,
            _anchored(e.anchor_method, e.anchor_score),
            "needs review" if e.needs_review else "",
            e.quote,
        )
        for e in evidence
    ]
    if not table:
        return "No evidence found."
    return columns(["id", "claim", "source", "characters", "stance", "anchored", "review", "quote"], table)


def hit_list(hits: Iterable[Hit]) -> str:
    lines = []
    for hit in hits:
        where = f"paragraph {hit.paragraph_no}" + (f", sentence {hit.sentence_no}" if hit.sentence_no else "")
        published = hit.published.isoformat() if hit.published else "undated"
        lines.append(f"{hit.source} ({published}), {where}, characters {hit.char_start}–{hit.char_end}")
        lines.append(_wrap(hit.snippet, "    "))
    return "\n".join(lines) if lines else "No sentence matches."


class Stored(Protocol):
    """What capturing a file, a page or a text stored, as `source add` tells it."""

    @property
    def key(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def supersedes(self) -> str | None: ...
    @property
    def paragraphs(self) -> int: ...
    @property
    def sentences(self) -> int: ...
    @property
    def warnings(self) -> tuple[str, ...]: ...
    @property
    def not_a_version(self) -> str | None: ...
    @property
    def key_not_used(self) -> str | None: ...


def captured(outcome: Stored, shown: str) -> tuple[list[str], str]:
    """What `source add` says of a file or page it captured (``shown``: as the user named it): its warnings and
    notes for stderr (why it is no version of the source from its path or URL, or that it kept the key of the
    same text), and its line for stdout (its key and what became of it)."""
    notes = [f"Warning: {warning}" for warning in outcome.warnings]
    if outcome.not_a_version:
        notes.append(f"{shown} {outcome.not_a_version}")
    if outcome.key_not_used:
        notes.append(
            f"{shown}: the same text is already stored as {outcome.key}; --key {outcome.key_not_used} was not used"
        )
    counts = f"{count(outcome.paragraphs, 'paragraph')}, {count(outcome.sentences, 'sentence')}"
    if outcome.state == "version":
        state = f"new version {outcome.version}, supersedes {outcome.supersedes} ({counts})"
    elif outcome.state == "unchanged":
        state = f"already stored, unchanged ({counts})"
    else:
        state = f"added ({counts})"
    return notes, f"{outcome.key}\t{state}"
