"""Passages across the whole corpus that may support or contradict a claim, most relevant first.

The query is made from the claim: each word of its statement that is not a stopword, and the name and every
alias of each entity it is about (as phrases, weighing twice as much). A sentence matches if it holds any of them,
found with the same full-text indexes as ``provenance search`` (FTS5 on SQLite, the stored tsvector on
PostgreSQL; case and diacritics folded on both).

Sentences are gathered from the rarest term to the commonest, each term's newest matches first, until
``CANDIDATES`` (500) are in hand; then every one is scored here, not by either engine, so that both backends give
the same ranking: BM25 (k1 1.2, b 0.75) over the terms, each term weighed by how few of all sentences hold it,
lengths counted in words. Ties go to the source key, then the earlier place in it.

Each result says whether it is already evidence for the claim (a piece of evidence of the claim in the same
source overlaps it, and how it is cited), and whether it looks like it disagrees with the claim's statement or one
of its supporting passages (see :mod:`provenance.disagreement`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Row, select, text
from sqlalchemy.orm import Session

from provenance.claims import get_claim
from provenance.disagreement import Finding, Statement, strongest
from provenance.errors import Invalid
from provenance.models import Entity, EntityAlias, Evidence, Passage, Source, Stance, claim_entity
from provenance.search import Term, fts5_query, tsquery
from provenance.wording import STOPWORDS

CANDIDATES = 500
ENTITY_WEIGHT = 2.0
_K1, _B = 1.2, 0.75
_WORD = re.compile(r"[^\W_]+")


@dataclass
class Suggested:
    """A sentence that may bear on the claim."""

    passage: Passage
    source: str
    published: dt.date | None
    score: float
    matched: list[str]  # the query's terms it holds, as written in the query
    cited_as: list[str] = field(default_factory=list)  # stances of the claim's evidence overlapping it
    disagreement: Finding | None = None
    disagrees_with: str | None = None  # "the statement" or the source key and place of the supporting passage


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(text_: str) -> list[str]:
    return [_fold(w) for w in _WORD.findall(text_)]


def query_terms(session: Session, claim_id: int, statement: str) -> list[tuple[Term, float]]:
    """The terms a claim's suggestions are found by, with their weights: the statement's words that are not
    stopwords (weight 1), its entities' names and aliases (weight 2)."""
    terms: dict[tuple[str, ...], tuple[Term, float]] = {}
    names = session.scalars(
        select(Entity.name)
        .join(claim_entity, claim_entity.c.entity_id == Entity.id)
        .where(claim_entity.c.claim_id == claim_id)
    ).all()
    aliases = session.scalars(
        select(EntityAlias.name)
        .join(claim_entity, claim_entity.c.entity_id == EntityAlias.entity_id)
        .where(claim_entity.c.claim_id == claim_id)
    ).all()
    for name in sorted({*names, *aliases}):
        words = tuple(_WORD.findall(name))
        if words:
            terms.setdefault(tuple(_fold(w) for w in words), (Term(words), ENTITY_WEIGHT))
    for word in _WORD.findall(statement):
        folded = _fold(word)
        if folded in STOPWORDS or (len(folded) < 2 and not folded.isdigit()):
            continue
        terms.setdefault((folded,), (Term((word,)), 1.0))
    return list(terms.values())


def suggest_passages(session: Session, claim_key: str, *, limit: int = 20) -> list[Suggested]:
    """The sentences most likely to bear on the claim, best first (see the module's docstring)."""
    if limit < 1:
        raise Invalid(f"--limit must be at least 1, not {limit}")
    claim = get_claim(session, claim_key)
    terms = query_terms(session, claim.id, claim.statement)
    if not terms:
        raise Invalid(f"claim {claim.key!r} has no words to search for; its statement is only stopwords")
    sqlite = session.get_bind().dialect.name == "sqlite"
    total = session.scalar(text("SELECT count(*) FROM passage WHERE kind = 'sentence'")) or 0
    counted = [(term, weight, _count(session, term, sqlite)) for term, weight in terms]
    counted = [entry for entry in counted if entry[2]]
    chosen: list[int] = []
    seen: set[int] = set()
    for term, _, _ in sorted(counted, key=lambda entry: (entry[2], entry[0].words)):
        if len(chosen) >= CANDIDATES:
            break
        for passage_id in _newest(session, term, sqlite, CANDIDATES - len(chosen)):
            if passage_id not in seen:
                seen.add(passage_id)
                chosen.append(passage_id)
    if not chosen:
        return []
    rows = session.execute(
        select(Passage, Source.key, Source.published)
        .join(Source, Source.id == Passage.source_id)
        .where(Passage.id.in_(chosen))
    ).all()
    scored = _scored(rows, counted, total)
    scored.sort(key=lambda s: (-s.score, s.source, s.passage.char_start))
    top = scored[:limit]
    _mark(session, claim.id, claim.statement, top)
    return top


def _count(session: Session, term: Term, sqlite: bool) -> int:
    if sqlite:
        sql = "SELECT count(*) FROM passage_search WHERE passage_search MATCH :q"
        return session.scalar(text(sql), {"q": fts5_query([term])}) or 0
    sql = (
        "SELECT count(*) FROM passage p "
        "WHERE p.kind = 'sentence' AND p.search_vector @@ to_tsquery('provenance_search', :q)"
    )
    return session.scalar(text(sql), {"q": tsquery([term])}) or 0


def _newest(session: Session, term: Term, sqlite: bool, limit: int) -> list[int]:
    if sqlite:
        sql = "SELECT rowid FROM passage_search WHERE passage_search MATCH :q ORDER BY rowid DESC LIMIT :n"
        return list(session.scalars(text(sql), {"q": fts5_query([term]), "n": limit}))
    sql = (
        "SELECT p.id FROM passage p WHERE p.kind = 'sentence' "
        "AND p.search_vector @@ to_tsquery('provenance_search', :q) ORDER BY p.id DESC LIMIT :n"
    )
    return list(session.scalars(text(sql), {"q": tsquery([term]), "n": limit}))


def _scored(
    rows: Sequence[Row[Passage, str, dt.date | None]], counted: list[tuple[Term, float, int]], total: int
) -> list[Suggested]:
    words_of = {passage.id: _words(passage.text) for passage, _, _ in rows}
    average = sum(len(w) for w in words_of.values()) / max(len(words_of), 1)
    results = []
    for passage, key, published in rows:
        words = words_of[passage.id]
        score = 0.0
        matched = []
        for term, weight, df in counted:
            frequency = _occurrences(words, tuple(_fold(w) for w in term.words))
            if not frequency:
                continue
            matched.append(" ".join(term.words))
            idf = math.log(1 + (total - df + 0.5) / (df + 0.5))
            norm = frequency * (_K1 + 1) / (frequency + _K1 * (1 - _B + _B * len(words) / average))
            score += weight * idf * norm
        results.append(Suggested(passage, key, published, round(score, 4), matched))
    return results


def _occurrences(words: list[str], phrase: tuple[str, ...]) -> int:
    if len(phrase) == 1:
        return Counter(words)[phrase[0]]
    n = len(phrase)
    return sum(1 for i in range(len(words) - n + 1) if tuple(words[i : i + n]) == phrase)


def _mark(session: Session, claim_id: int, statement: str, suggested: list[Suggested]) -> None:
    """Mark each suggestion already cited for the claim, and each that looks like it disagrees with it."""
    cited = session.execute(
        select(Evidence.stance, Passage)
        .join(Passage, Passage.id == Evidence.passage_id)
        .where(Evidence.claim_id == claim_id)
    ).all()
    source_keys = dict(
        session.execute(select(Source.id, Source.key).where(Source.id.in_({p.source_id for _, p in cited}))).all()
    )
    against = [("the statement", Statement.read(statement))]
    against += [
        (f"{source_keys[p.source_id]} {p.char_start}–{p.char_end}", Statement.read(p.text))
        for stance, p in cited
        if stance is Stance.SUPPORTS
    ]
    for entry in suggested:
        passage = entry.passage
        entry.cited_as.extend(
            stance.value
            for stance, p in cited
            if p.source_id == passage.source_id and p.char_start < passage.char_end and passage.char_start < p.char_end
        )
        if "supports" in entry.cited_as:
            continue  # the analyst has read it as support
        here = Statement.read(passage.text)
        for name, other in against:
            finding = strongest(other, here)
            if finding is not None:
                entry.disagreement, entry.disagrees_with = finding, name
                break
