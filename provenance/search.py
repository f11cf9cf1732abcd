"""Full-text search over sentences and claims: FTS5 and bm25 on SQLite, tsvector, GIN and ts_rank on PostgreSQL.

A query is read here, never handed to either engine as it was typed: words, "quoted phrases" and prefixes
(``Pyong*``) become a query in each engine's own syntax, with every word quoted, so characters that mean
something to FTS5 or to tsquery (``"``, ``*``, ``NEAR``, ``-``, ``:``, ``&``) can neither fail nor inject.
Case and diacritics are folded on both (FTS5 ``remove_diacritics``; PostgreSQL ``unaccent``). All words must
match (AND). Nothing is stemmed.

Ranking is bounded, so that a word found in half a million sentences is found about as fast as a rare one:

- At most ``RANKED_CANDIDATES`` (300) matches are ranked, or as many as the limit on results if that is more:
  the most recently added sentences that match and pass the filters (source, dates). A query with at most 300
  such matches has every one of them ranked, as if there were no bound; one with more gets the best of its
  300 newest matches, not of all of them. SQLite reads them from the FTS5 index newest first and stops at the
  300th. PostgreSQL reads only the matches among the newest passages, in a window of ids sized to hold half as
  many again (a bitmap AND of the GIN index and a BRIN index on the id), and every match when a window holds
  too few even once widened. The BRIN index helps once (auto)vacuum has summarized the pages: right after a
  bulk load, VACUUM or ``provenance db reindex`` gets it there at once.
- SQLite: bm25 weighs a word by how few sentences hold it, and gives one found in at least half of them a
  weight of 1e-6: nothing. Working out that weight means reading every sentence that holds the word, however
  few are ranked, so a term found in at least half of the ``COMMON_SAMPLE`` (2,000) most recently added
  sentences is left out of the ranking. It must still match and is still marked in the snippet. A query made
  only of such terms is not ranked at all: its results are its newest matches, each with rank 0.
  PostgreSQL's ts_rank keeps no such statistics and weighs every term; as bm25 does, it ranks a sentence
  lower the longer it is (normalisation 1: divided by 1 + the logarithm of its length), so that sentences
  holding the words as often rank apart rather than tie. (ts_rank_cd, which also rewards words standing close
  together, costs about 5 µs more a ranked sentence: 1.5 ms a search at 300 candidates.)
- Snippets (``snippet()``, ``ts_headline``) are made for the returned sentences only. PostgreSQL keeps each
  sentence's tsvector in a generated column, ``passage.search_vector``, under the GIN index, so ranking and
  the check of phrases read it rather than parse the sentence again.

Ties in rank go to the more recently added sentence. Snippets show at most ``SNIPPET_WORDS`` (24) words, with
"…" where the sentence goes on (``ts_headline`` marks no cut: it is added here).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, replace
from typing import Any, cast

from sqlalchemy import Date, Float, Integer, Row, String, column, text
from sqlalchemy.orm import Session

from provenance.errors import Invalid

MARK_START, MARK_END = "**", "**"
MAX_LIMIT = 1_000_000  # the most results (or events, for history) a command shows: no number overflows a query
RANKED_CANDIDATES = 300  # at most this many matching sentences (or --limit, if more) are ranked: the newest
SNIPPET_WORDS = 24  # at most this many words of a sentence in its snippet, on either backend
_HEADLINE = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={SNIPPET_WORDS}, MinWords=12"  # ts_headline
COMMON_SAMPLE = 2_000  # SQLite: the newest sentences that tell whether a term is in most of them
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
    rank: float  # higher is more relevant, on either backend; 0 when the query's words carry no weight


# What is shown of each returned sentence: these columns (typed, so that dates come back as dates on SQLite
# too), then its snippet.
_SELECTED = "s.key, s.published, p.char_start, p.char_end, p.paragraph_no, p.sentence_no, p.text"
_SHOWN = (
    column("key", String),
    column("published", Date),
    column("char_start", Integer),
    column("char_end", Integer),
    column("paragraph_no", Integer),
    column("sentence_no", Integer),
    column("text", String),
    column("snippet", String),
)


def _hit(row: Row[Any], rank: float) -> Hit:
    return Hit(
        row.key,
        row.published,
        row.char_start,
        row.char_end,
        row.paragraph_no,
        row.sentence_no,
        row.text,
        row.snippet,
        rank,
    )


def search_passages(
    session: Session,
    query: str,
    *,
    source: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int = 20,
    candidates: int = RANKED_CANDIDATES,
) -> list[Hit]:
    """Sentences matching ``query``, most relevant first, optionally from one source or a date range.

    Only the ``candidates`` (or ``limit``, if more) most recently added matches are ranked (see the module's
    docstring).
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid(f"--limit must be from 1 to {MAX_LIMIT:,}, not {limit}; it is how many sentences to show")
    if candidates < 1:
        raise ValueError(f"candidates must be at least 1, not {candidates}")
    terms = parse_query(query)
    filters = []
    params: dict[str, object] = {"limit": limit, "candidates": max(candidates, limit)}  # and each filter's value
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
    if session.get_bind().dialect.name == "sqlite":
        return _search_sqlite(session, terms, where, params)
    return _search_postgresql(session, terms, where, params)


def _search_sqlite(session: Session, terms: list[Term], where: str, params: dict[str, object]) -> list[Hit]:
    params["q"] = fts5_query(terms)
    joined = "JOIN passage p ON p.id = passage_search.rowid JOIN source s ON s.id = p.source_id" if where else ""
    bounds = ""
    if "source" in params:
        # A source's sentences are stored together: the range of their rowids lets FTS5 skip to them.
        params["lowest"], params["highest"] = session.execute(
            text(
                "SELECT min(p.id), max(p.id) FROM passage p JOIN source s ON s.id = p.source_id "
                "WHERE s.key = :source AND p.kind = 'sentence'"
            ),
            params,
        ).one()
        bounds = " AND passage_search.rowid BETWEEN :lowest AND :highest"
    # The newest matches come first in the index's rowid order, descending: reading stops at the last candidate.
    found = session.scalars(
        text(
            f"SELECT passage_search.rowid FROM passage_search {joined} WHERE passage_search MATCH :q{bounds}{where} "
            "ORDER BY passage_search.rowid DESC LIMIT :candidates"
        ),
        params,
    ).all()
    if not found:
        return []
    # Both statements below read the index between the first and the last candidate, once, and do their work
    # (bm25, snippet) only for the rowids given: not a rowid = ? lookup per row, which would set up the whole
    # query again each time (and work out bm25's statistics again).
    among = (
        " AND passage_search.rowid BETWEEN :first AND :last"
        " AND +passage_search.rowid IN (SELECT value FROM json_each(:rowids))"
    )
    weighed = _weighed(session, terms)
    if weighed:
        ranked = f"""
            SELECT passage_search.rowid, bm25(passage_search) AS score FROM passage_search
            WHERE passage_search MATCH :weighed{among}
            ORDER BY score, passage_search.rowid DESC
            LIMIT :limit"""
        chosen = {
            "weighed": fts5_query(weighed),
            "first": found[-1],
            "last": found[0],
            "rowids": json.dumps(found),
            "limit": params["limit"],
        }
        top = {rowid: -score for rowid, score in session.execute(text(ranked), chosen)}
    else:  # every word is in most sentences, so bm25 would weigh none of them: the newest come first
        top = dict.fromkeys(found[: cast(int, params["limit"])], 0.0)
    rows = session.execute(
        text(
            f"""
            SELECT passage_search.rowid, {_SELECTED},
                   snippet(passage_search, 0, '{MARK_START}', '{MARK_END}', '…', {SNIPPET_WORDS}) AS snippet
            FROM passage_search JOIN passage p ON p.id = passage_search.rowid JOIN source s ON s.id = p.source_id
            WHERE passage_search MATCH :q{among}"""
        ).columns(column("rowid", Integer), *_SHOWN),
        {"q": params["q"], "first": min(top), "last": max(top), "rowids": json.dumps(list(top))},
    )
    shown = {row.rowid: row for row in rows}
    return [_hit(shown[rowid], rank) for rowid, rank in top.items()]


def _weighed(session: Session, terms: list[Term]) -> list[Term]:
    """The terms bm25 gives a weight: those found in fewer than half of the most recently added sentences."""
    # passage_search_docsize is FTS5's own table of one small row per indexed sentence: quicker to read than passage
    size, lowest = session.execute(
        text("SELECT count(*), min(id) FROM (SELECT id FROM passage_search_docsize ORDER BY id DESC LIMIT :sample)"),
        {"sample": COMMON_SAMPLE},
    ).one()
    if not size:
        return terms
    count = text("SELECT count(*) FROM passage_search WHERE passage_search MATCH :q AND rowid >= :lowest")
    return [
        term
        for term in terms
        if 2 * session.execute(count, {"q": fts5_query([term]), "lowest": lowest}).scalar_one() < size
    ]


def _search_postgresql(session: Session, terms: list[Term], where: str, params: dict[str, object]) -> list[Hit]:
    params["q"] = tsquery(terms)
    query = "to_tsquery('provenance_search', :q)"
    match = f"p.search_vector @@ {query}"
    condition, share = match, 1.0
    if where:
        # The filters choose sources. With their ids, PostgreSQL can AND the GIN index's bitmap with that of the
        # index on passage.source_id and read only the matches from those sources, not join every match.
        chosen, sources = session.execute(
            text(
                "SELECT array_agg(s.id), (SELECT reltuples FROM pg_class WHERE oid = to_regclass('source')) "
                f"FROM source s WHERE true{where}"
            ),
            params,
        ).one()
        if not chosen:
            return []
        params["sources"] = chosen
        if sources and sources > 0:  # the table's estimated rows: -1 or 0 before it is first analysed
            share = min(1.0, len(chosen) / sources)
        condition += " AND p.source_id = ANY(:sources)"
    # OFFSET 0 plans the matches in the window on their own, as a whole: with the LIMIT in view, the planner
    # would walk the primary key backwards however rare the word (see _window). `found` is how many
    # candidates there were, so that a window holding too few can be told.
    sql = text(
        f"""
        WITH newest AS MATERIALIZED (
            SELECT id, ts_rank(vector, {query}, 1) AS rank FROM (
                SELECT id, vector FROM (
                    SELECT p.id, p.search_vector AS vector FROM passage p
                    WHERE p.kind = 'sentence' AND {condition} AND p.id > :floor OFFSET 0
                ) AS matches
                ORDER BY id DESC LIMIT :candidates
            ) AS ranked
        ), top AS (SELECT id, rank FROM newest ORDER BY rank DESC, id DESC LIMIT :limit)
        SELECT (SELECT count(*) FROM newest) AS found, top.rank, {_SELECTED},
               ts_headline('provenance_search', p.text, {query},
                           '{_HEADLINE}') AS snippet
        FROM top JOIN passage p ON p.id = top.id JOIN source s ON s.id = p.source_id
        ORDER BY top.rank DESC, top.id DESC"""
    ).columns(column("found", Integer), column("rank", Float), *_SHOWN)
    candidates = cast(int, params["candidates"])
    # One source's passages are stored together, so the newest passages say nothing of how densely it matches,
    # and the index on passage.source_id finds its few passages anyway: no window for it.
    share = 0.0 if "source" in params else share
    floor, highest = _window(session, match, share, params, phrases=any(len(t.words) > 1 for t in terms))
    rows = session.execute(sql, {**params, "floor": floor}).all()
    while floor and (not rows or rows[0].found < candidates):
        # The window held too few: one that would have held enough, going by how many it held, or every match.
        found = rows[0].found if rows else 0
        floor = max(0, int(highest - _WINDOW_MARGIN * candidates * (highest - floor) / found)) if found else 0
        rows = session.execute(sql, {**params, "floor": floor}).all()
    return [replace(_hit(row, row.rank), snippet=_with_ellipses(row.text, row.snippet)) for row in rows]


_NOT_WORDS = " .,;:!?\"'’”)»-–—"  # what a snippet may leave out at either end without cutting the sentence


def _with_ellipses(sentence: str, snippet: str) -> str:
    """``snippet`` with "…" where it cuts ``sentence`` short, at either end, as SQLite's ``snippet()`` has it
    (``ts_headline`` marks no cut). Only punctuation left out is no cut."""
    shown = " ".join(snippet.replace(MARK_START, "").replace(MARK_END, "").split())
    whole = " ".join(sentence.split())
    at = whole.find(shown)
    if not shown or at < 0:
        return snippet
    before, after = whole[:at], whole[at + len(shown) :]
    cut_before = bool(before.strip(_NOT_WORDS))
    cut_after = bool(after.strip(_NOT_WORDS))
    return ("…" if cut_before else "") + snippet.strip() + ("…" if cut_after else "")


_WINDOW_MARGIN = 1.5  # the window is sized to hold this many times as many matches as there are candidates
_SAMPLED_IDS = 5_000  # the newest passages, whose matches show how densely a phrase matches
_ENOUGH_TO_GO_BY = 10  # matches among them for their density to be trusted over the planner's estimate


def _window(session: Session, match: str, share: float, params: dict[str, object], *, phrases: bool) -> tuple[int, int]:
    """The passage id above which the newest candidates are expected (0 for no window), and the highest id: a
    span of the newest ids that should hold 1.5 times as many matches as there are candidates, unless that is
    more than a quarter of all ids. ``match`` is the query's condition, ``share`` the share of sources the
    filters keep (a source's matches taken to be as many as any other's; 0 for no window).

    In such a window PostgreSQL reads the matches it holds and no others (a bitmap AND of the GIN index and a
    BRIN index on the id), or, for a word in most sentences, just the passages of the window. Without it, the
    newest matches are found either by reading every match or by walking the passages newest first, and
    PostgreSQL's own choice between the two, for ORDER BY id DESC LIMIT 1000, walks far too often: for a word
    in one sentence in 130, it walked 350,000 rows in 450 ms where reading every match took 25 ms.

    How densely the query matches comes from the planner's estimate, which is good for words and prefixes but
    poor for phrases ("North Korea": 611 sentences expected, 10,866 found); for a phrase, from the newest
    5,000 passages when 10 or more of them match.
    """
    # Planned for its own values, every statement of this search: a plan made once for any query, which the
    # driver's prepared statements invite after a few runs, would read the GIN index for a word in every sentence.
    lowest, highest, _ = session.execute(
        text("SELECT min(id), max(id), set_config('plan_cache_mode', 'force_custom_plan', true) FROM passage")
    ).one()
    if highest is None or not share:
        return 0, highest or 0
    span = highest - lowest + 1
    found = 0
    if phrases:
        found = session.execute(
            text(f"SELECT count(*) FROM passage p WHERE p.kind = 'sentence' AND {match} AND p.id > :newest"),
            {**params, "newest": highest - _SAMPLED_IDS},
        ).scalar_one()
    if found >= _ENOUGH_TO_GO_BY:
        density = found / min(span, _SAMPLED_IDS)
    else:
        plan = session.execute(
            text(f"EXPLAIN (FORMAT JSON) SELECT p.id FROM passage p WHERE p.kind = 'sentence' AND {match}"),
            params,
        ).scalar_one()
        density = max(float(plan[0]["Plan"]["Plan Rows"]), 1.0) / span
    window = _WINDOW_MARGIN * cast(int, params["candidates"]) / (density * share)
    return (int(highest - window) if window < span / 4 else 0), highest


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
        # Rewriting a sentence computes its stored vector again (for a text search configuration changed since)
        session.execute(text("UPDATE passage SET text = text WHERE kind = 'sentence'"))
        for index in ("ix_passage_search", "ix_passage_search_id", "ix_claim_search"):
            session.execute(text(f"REINDEX INDEX {index}"))
