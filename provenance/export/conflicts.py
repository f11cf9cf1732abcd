"""Contradictions, suggested contradictions and suggested passages: what the terminal shows, and the records
``--json`` prints (stable keys)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping
from typing import Any

from provenance.citations import location
from provenance.export.records import passage_record
from provenance.export.tables import fit, output_width, table
from provenance.models import Claim, Contradiction, ContradictionSuggestion, Passage
from provenance.suggest import Suggested

COLUMN = 56  # each side of a suggestion, side by side (narrower if the terminal is)
GAP = "    "


def contradiction_record(contradiction: Contradiction) -> dict[str, Any]:
    return {
        "id": contradiction.id,
        "claims": [contradiction.claim_a.key, contradiction.claim_b.key],
        "kind": contradiction.kind.value,
        "status": contradiction.status.value,
        "note": contradiction.note,
        "resolution": contradiction.resolution,
        "passages": [_side(p) if p is not None else None for p in (contradiction.passage_a, contradiction.passage_b)],
        "created_at": contradiction.created_at.isoformat(),
        "created_by": contradiction.created_by,
        "updated_at": contradiction.updated_at.isoformat(),
    }


def contradiction_table(contradictions: Iterable[Contradiction]) -> str:
    rows = [
        (c.claim_a.key, c.claim_b.key, c.kind.value, c.status.value, c.resolution or c.note) for c in contradictions
    ]
    if not rows:
        return "No contradictions found."
    return table(["claim", "contradicts", "kind", "status", "resolution or note"], rows)


def _side(passage: Passage) -> dict[str, Any]:
    source = passage.source
    return {
        "source": source.key,
        "published": source.published.isoformat() if source.published else None,
        **passage_record(passage),
    }


def suggestion_record(
    suggestion: ContradictionSuggestion, claims: Mapping[int, Claim], note: str | None = None
) -> dict[str, Any]:
    def key(claim_id: int | None) -> str | None:
        return claims[claim_id].key if claim_id is not None and claim_id in claims else None

    return {
        "id": suggestion.id,
        "kind": suggestion.kind.value,
        "reason": suggestion.reason,
        "score": suggestion.score,
        "status": suggestion.status.value,
        "claims": [key(suggestion.claim_a_id), key(suggestion.claim_b_id)],
        "passages": [_side(suggestion.passage_a), _side(suggestion.passage_b)],
        "contradiction_id": suggestion.contradiction_id,
        "decided_at": suggestion.decided_at.isoformat() if suggestion.decided_at else None,
        "decided_by": suggestion.decided_by,
        "note": note,
    }


def suggestion_list(
    suggestions: Iterable[ContradictionSuggestion],
    claims: Mapping[int, Claim],
    notes: Mapping[int, str | None] | None = None,
) -> str:
    """Each suggestion with its two passages side by side: source key, date and place above each text."""
    column = _side_width()
    blocks = []
    for s in suggestions:
        a, b = (claims[i].key if i is not None and i in claims else "-" for i in (s.claim_a_id, s.claim_b_id))
        lines = [
            f"#{s.id}  {s.kind.value}  score {s.score:.2f}  {s.status.value}",
            *textwrap.wrap(s.reason, column * 2 + len(GAP), initial_indent="  ", subsequent_indent="  "),
            f"  claims: {a}" + (" (both passages)" if a == b else f" / {b}"),
        ]
        if notes and notes.get(s.id):
            lines += textwrap.wrap(f"note: {notes[s.id]}", column * 2, initial_indent="  ", subsequent_indent="  ")
        lines += _side_by_side(_column(s.passage_a, column), _column(s.passage_b, column), column)
        blocks.append("\n".join(lines))
    return fit("\n\n".join(blocks)) if blocks else "No suggestions."


def _side_width() -> int:
    """The width of each side: :data:`COLUMN`, or half the terminal's width if that is less."""
    width = output_width()
    return COLUMN if width is None else max(min(COLUMN, (width - 2 - len(GAP)) // 2), 10)


def _column(passage: Passage, width: int) -> list[str]:
    source = passage.source
    published = source.published.isoformat() if source.published else "undated"
    head = [f"{source.key} ({published})", location(passage)]
    return (
        [line for part in head for line in textwrap.wrap(part, width)]
        + [""]
        + textwrap.wrap(f"“{' '.join(passage.text.split())}”", width)
    )


def _side_by_side(left: list[str], right: list[str], width: int) -> list[str]:
    height = max(len(left), len(right))
    left += [""] * (height - len(left))
    right += [""] * (height - len(right))
    return [f"  {a:<{width}}{GAP}{b}".rstrip() for a, b in zip(left, right, strict=True)]


def suggested_record(entry: Suggested) -> dict[str, Any]:
    finding = entry.disagreement
    return {
        "source": entry.source,
        "published": entry.published.isoformat() if entry.published else None,
        "passage": passage_record(entry.passage),
        "score": entry.score,
        "matched": entry.matched,
        "cited_as": entry.cited_as,
        "disagreement": None
        if finding is None
        else {
            "kind": finding.kind.value,
            "reason": finding.reason,
            "score": finding.score,
            "with": entry.disagrees_with,
        },
    }


def suggested_list(entries: Iterable[Suggested]) -> str:
    width = min(output_width() or 100, 100)
    lines = []
    for entry in entries:
        published = entry.published.isoformat() if entry.published else "undated"
        marks = []
        if entry.cited_as:
            marks.append("cited: " + ", ".join(entry.cited_as))
        if entry.disagreement is not None:
            marks.append(f"may disagree ({entry.disagreement.kind.value}): {entry.disagreement.reason}")
        lines.append(f"{entry.score:.3f}  {entry.source} ({published}), {location(entry.passage)}")
        lines += textwrap.wrap(
            " ".join(entry.passage.text.split()), width, initial_indent="    ", subsequent_indent="    "
        )
        for mark in marks:
            lines += textwrap.wrap(
                f"[{mark}]" if mark.startswith("cited") else f"[{mark} – against {entry.disagrees_with}]",
                width,
                initial_indent="    ",
                subsequent_indent="     ",
            )
    return fit("\n".join(lines)) if lines else "No passage matches the claim's words."
