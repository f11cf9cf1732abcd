"""Full-text search over sentences and claims: FTS5 and bm25 on SQLite, tsvector, GIN and ts_rank on PostgreSQL.

A query is read here, never handed to either engine as it was typed: words, "quoted phrases" and prefixes
(``Pyong*``) become a query in each engine's own syntax, with every word quoted, so characters that mean
something to FTS5 or to tsquery (``"``, ``*``, ``NEAR``, ``-``, ``:``, ``&``) can neither fail nor inject.
Case and diacritics are folded on both (FTS5 ``remove_diacritics``; PostgreSQL ``unaccent``). All words must
match (AND). Nothing is stemmed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import Date, Float, Integer, String, column, text
from sqlalchemy.orm import Session

from provenance.errors import Invalid

MARK_START, MARK_END = "**", "**"
_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Term:
    """A word, a prefix (``prefix=True``) or a phrase (several words)."""

    words: tuple[str, ...]
    prefix: bool = False


def parse_query(query: str) -> list[Term]:
    """The terms of a search query; an error when it holds no word at all."""
    terms: list[Term] = []
    for phrase, bare in _TOKEN.findall(query):
        if phrase:
            words = tuple(_WORD.findall(phrase))
            if words:
                terms.append(Term(words))
            continue
        words = tuple(_WORD.findall(bare))
        if not words:
            continue
        if len(words) == 1:
            terms.append(Term(words, prefix=bare.endswith("*")))
        else:  # "U.S." or "Trump-Kim": the parts, side by side
            terms.append(Term(words))
    if not terms:
        raise Invalid(f"search query {query!r} has no words to look for; give at least one word")
    return terms


def fts5_query(terms: list[Term]) -> str:
    """SQLite FTS5 syntax: every term a quoted string, ``*`` for a prefix; terms side by side mean AND."""

    def quoted(words: tuple[str, ...]) -> str:
        return '"' + " ".join(w.replace('"', '""') for w in words) + '"'

    return " ".join(quoted(t.words) + ("*" if t.prefix else "") for t in terms)


def tsquery(terms: list[Term]) -> str:
    """PostgreSQL tsquery syntax: quoted lexemes, ``:*`` for a prefix, ``<->`` within a phrase, ``&`` between."""

    def lexeme(word: str) -> str:
        return "'" + word.replace("'", "''").replace("\\", "\\\\") + "'"

    parts = []
    for term in terms:
        if term.prefix:
            parts.append(lexeme(term.words[0]) + ":*")
        else:
            parts.append("(" + " <-> ".join(lexeme(w) for w in term.words) + ")")
    return " & ".join(parts)


@dataclass(frozen=True)
class Hit:
    """One sentence that matches, where it stands, and the matched words marked in a snippet."""

    source: str
    published: dt.date | None
    char_start: int
    char_end: int
    paragraph_no: int
    sentence_no: int | None
    text: str
    snippet: str
    rank: float  # higher is more relevant, on either backend


def search_passages(
    session: Session,
    query: str,
    *,
    source: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int = 20,
) -> list[Hit]:
    """Sentences matching ``query``, most relevant first, optionally from one source or a date range."""
    if limit < 1:
        raise Invalid(f"--limit must be at least 1, not {limit}")
    terms = parse_query(query)
    filters = []
    params: dict[str, object] = {"limit": limit}
    if source is not None:
        filters.append("s.key = :source")
        params["source"] = source
    if since is not None:
        filters.append("s.published >= :since")
        params["since"] = since
    if until is not None:
        filters.append("s.published <= :until")
        params["until"] = until
    where = "".join(f" AND {f}" for f in filters)
    columns = "s.key, s.published, p.char_start, p.char_end, p.paragraph_no, p.sentence_no, p.text"
    if session.get_bind().dialect.name == "sqlite":
        params["q"] = fts5_query(terms)
        sql = f"""
            SELECT {columns},
                   snippet(passage_search, 0, '{MARK_START}', '{MARK_END}', '…', 24) AS snippet,
                   -bm25(passage_search) AS rank
            FROM passage_search
            JOIN passage p ON p.id = passage_search.rowid
            JOIN source s ON s.id = p.source_id
            WHERE passage_search MATCH :q{where}
            ORDER BY bm25(passage_search), s.key, p.char_start
            LIMIT :limit"""
    else:
        params["q"] = tsquery(terms)
        sql = f"""
            SELECT {columns},
                   ts_headline('provenance_search', p.text, q.query,
                               'StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=12') AS snippet,
                   ts_rank(to_tsvector('provenance_search', p.text), q.query) AS rank
            FROM passage p
            JOIN source s ON s.id = p.source_id,
                 to_tsquery('provenance_search', :q) AS q(query)
            WHERE p.kind = 'sentence' AND to_tsvector('provenance_search', p.text) @@ q.query{where}
            ORDER BY rank DESC, s.key, p.char_start
            LIMIT :limit"""
    typed = text(sql).columns(
        column("key", String),
        column("published", Date),
        column("char_start", Integer),
        column("char_end", Integer),
        column("paragraph_no", Integer),
        column("sentence_no", Integer),
        column("text", String),
        column("snippet", String),
        column("rank", Float),
    )
    return [Hit(*row) for row in session.execute(typed, params)]


def matching_claim_ids(session: Session, query: str) -> list[int]:
    """Ids of the claims whose key or statement matches ``query``."""
    terms = parse_query(query)
    if session.get_bind().dialect.name == "sqlite":
        sql = "SELECT rowid FROM claim_search WHERE claim_search MATCH :q"
        q = fts5_query(terms)
    else:
        sql = (
            "SELECT id FROM claim WHERE to_tsvector('provenance_search', key || ' ' || statement) "
            "@@ to_tsquery('provenance_search', :q)"
        )
        q = tsquery(terms)
    return [row[0] for row in session.execute(text(sql), {"q": q})]


def reindex(session: Session) -> None:
    """Rebuild the search indexes from the passages and claims they cover."""
    if session.get_bind().dialect.name == "sqlite":
        for statement in (
            "INSERT INTO passage_search (passage_search) VALUES ('delete-all')",
            "INSERT INTO passage_search (rowid, text) SELECT id, text FROM passage WHERE kind = 'sentence'",
            "INSERT INTO claim_search (claim_search) VALUES ('delete-all')",
            "INSERT INTO claim_search (rowid, key, statement) SELECT id, key, statement FROM claim",
        ):
            session.execute(text(statement))
    else:
        session.execute(text("REINDEX INDEX ix_passage_search"))
        session.execute(text("REINDEX INDEX ix_claim_search"))
