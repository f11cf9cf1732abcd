"""Reports and exports run a number of SQL statements that does not grow with the number of claims."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from provenance.claims import add_claim, add_contradiction, add_evidence
from provenance.documents import document_from_text
from provenance.export import claimreview, csl, html, markdown, prov, report_json, webannotation
from provenance.report import build_report, load_events
from provenance.sources import add_source

RENDERERS: dict[str, Callable[[Session], object]] = {
    "markdown": lambda s: markdown.render(build_report(s)),
    "html": lambda s: html.render(build_report(s)),
    "json": lambda s: report_json.render(build_report(s)),
    "webannotation": lambda s: webannotation.render(build_report(s)),
    "claimreview": lambda s: claimreview.render(
        build_report(s), organisation="Desk", base_url="https://factcheck.example.org"
    ),
    "prov": lambda s: prov.render(build_report(s), load_events(s)),
    "csl": lambda s: csl.render(build_report(s)),
}


def _populate(session: Session, claims: int, start: int = 0) -> None:
    """``claims`` claims numbered from ``start``, with evidence in two sources of their own."""
    numbers = range(start, start + claims)
    sentences = {n: f"Statement number {n} was made by official {n % 7}." for n in numbers}
    for part in range(2):
        mine = [sentences[n] for n in numbers if n % 2 == part]
        text = "\n\n".join(" ".join(mine[i : i + 5]) for i in range(0, len(mine), 5))
        origin = f"{start}-{part}.txt"
        add_source(session, document_from_text(f"Title: Part {part}\n\n{text}", name="t", origin=origin))
    for n in numbers:
        key = f"claim-{n:05d}"
        add_claim(session, key, f"Claim {n}", about=[f"Entity {n % 4}"], status="published", verdict="mixed")
        add_evidence(session, key, f"{start}-{n % 2}", sentences[n], stance="supports" if n % 3 else "contradicts")
        if n % 10 == 1:
            add_contradiction(session, f"claim-{n - 1:05d}", key, note="cannot both hold")
    session.commit()
    session.expunge_all()


def _statements(engine: Engine, session: Session, render: Callable[[Session], object]) -> int:
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        render(session)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    session.expunge_all()
    return len(seen)


def test_statement_counts_are_the_same_for_10_and_1000_claims(engine: Engine, session: Session) -> None:
    _populate(session, 10)
    small = {fmt: _statements(engine, session, render) for fmt, render in RENDERERS.items()}
    _populate_more(session)
    large = {fmt: _statements(engine, session, render) for fmt, render in RENDERERS.items()}
    assert small == large
    assert all(0 < n <= 12 for n in small.values()), small


def _populate_more(session: Session) -> None:
    """Grow the database from 10 to 1,000 claims (nothing is deleted: the event log refuses deletes)."""
    _populate(session, 990, start=10)
