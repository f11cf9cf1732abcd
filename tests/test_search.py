"""Full-text search over sentences and claims, the same on SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import Provenance
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from provenance.documents import document_from_text
from provenance.errors import Invalid
from provenance.models import Passage, PassageKind, Source
from provenance.search import (
    RANKED_CANDIDATES,
    Hit,
    Term,
    fts5_query,
    matching_claim_ids,
    parse_query,
    reindex,
    search_passages,
    tsquery,
)
from provenance.sources import add_source


def _sentences_with(session: Session, word: str) -> set[tuple[str, int]]:
    """(source key, start) of every sentence containing ``word`` in any case: what a search must find."""
    rows = session.execute(
        select(Source.key, Passage.char_start, Passage.stored_text)
        .join(Source, Source.id == Passage.source_id)
        .where(Passage.kind == PassageKind.SENTENCE)
    )
    return {(key, start) for key, start, text in rows if word.casefold() in text.casefold()}


def test_queries_are_read_into_words_phrases_and_prefixes() -> None:
    assert parse_query('"nuclear materials" Pakistan Pyong* U.S.') == [
        Term(("nuclear", "materials")),
        Term(("Pakistan",)),
        Term(("Pyong",), prefix=True),
        Term(("U", "S")),
    ]
    with pytest.raises(Invalid, match="has no words to look for"):
        parse_query('" * - :')


def test_every_word_is_quoted_in_each_engines_syntax() -> None:
    terms = parse_query('NEAR(x "a b" c* it\'s')
    # "NEAR(x" is one token of two words, read as the phrase "NEAR x"; FTS5 never sees NEAR as an operator
    assert fts5_query(terms) == '"NEAR x" "a b" "c"* "it s"'
    assert tsquery(terms) == "('NEAR' <-> 'x') & ('a' <-> 'b') & 'c':* & ('it' <-> 's')"


def test_a_word_finds_every_sentence_holding_it_in_any_case(seeded: Provenance, session: Session) -> None:
    hits = search_passages(session, "PYONGYANG", limit=100)
    assert {(h.source, h.char_start) for h in hits} == _sentences_with(session, "pyongyang")
    texts = {s.key: s.text for s in session.scalars(select(Source))}
    for hit in hits:
        assert texts[hit.source][hit.char_start : hit.char_end] == hit.text
        assert "**Pyongyang**" in hit.snippet
    assert [h.rank for h in hits] == sorted((h.rank for h in hits), reverse=True)


def test_phrases_prefixes_and_filters(seeded: Provenance, session: Session) -> None:
    [suntech] = search_passages(session, '"nuclear materials" pakistan')
    assert suntech.source == "india-medical-aid-2020" and "Suntech" in suntech.text
    assert search_passages(session, '"materials nuclear"') == []
    prefix = {(h.source, h.char_start) for h in search_passages(session, "Pyong*", limit=100)}
    assert prefix == _sentences_with(session, "pyong")
    assert search_passages(session, "rodong", source="india-north-korea-2018") == []
    assert [h.source for h in search_passages(session, "rodong")] == ["india-medical-aid-2020"]
    early = search_passages(session, "korea", until=dt.date(2019, 1, 1), limit=100)
    assert early and {h.source for h in early} == {"india-north-korea-2018"}
    late = search_passages(session, "korea", since=dt.date(2019, 1, 1), limit=100)
    assert late and {h.source for h in late} == {"india-medical-aid-2020"}
    assert len(search_passages(session, "korea", limit=2)) == 2


def test_diacritics_and_case_do_not_get_in_the_way(session: Session) -> None:
    text = "Officials in Pyŏngyang spoke.\n\nPYONGYANG denied it.\n\nThe café in Pyongyang closed."
    add_source(session, document_from_text(text, name="t", origin="t.txt"), key="accents")
    session.flush()
    assert len(search_passages(session, "pyongyang")) == 3
    assert [h.text for h in search_passages(session, "CAFE")] == ["The café in Pyongyang closed."]


@pytest.mark.parametrize(
    "query", ['"', "NEAR(a b)", "-north", "korea*)", "a:b", "x & y | !z", "'", "(korea", "korea OR pakistan"]
)
def test_search_syntax_in_a_query_neither_fails_nor_injects(seeded: Provenance, session: Session, query: str) -> None:
    try:
        hits = search_passages(session, query)
    except Invalid as exc:
        assert "has no words" in str(exc)
        return
    assert isinstance(hits, list)


def test_the_index_follows_every_insert_and_rebuilds(seeded: Provenance, session: Session) -> None:
    assert search_passages(session, "zeppelin") == []
    add_source(session, document_from_text("A zeppelin landed. Nobody saw it.", name="z", origin="z.txt"), key="z")
    session.flush()
    assert [h.text for h in search_passages(session, "zeppelin")] == ["A zeppelin landed."]
    before = [(h.source, h.char_start) for h in search_passages(session, "korea", limit=100)]
    reindex(session)
    assert [(h.source, h.char_start) for h in search_passages(session, "korea", limit=100)] == before


def test_claims_are_searchable_by_key_and_statement(seeded: Provenance, session: Session) -> None:
    from provenance.claims import list_claims

    assert [c.key for c in list_claims(session, search="missile*")] == ["rodong-transfer"]
    assert [c.key for c in list_claims(session, search="suntech", about="China")] == ["suntech-diversion"]
    assert len(matching_claim_ids(session, "korea")) >= 8


def test_search_from_the_command_line(seeded: Provenance) -> None:
    hits = json.loads(seeded.ok("search", "nuclear materials", "--json", "--limit", "3").stdout)
    assert hits and set(hits[0]) == {
        "source",
        "published",
        "char_start",
        "char_end",
        "paragraph_no",
        "sentence_no",
        "text",
        "snippet",
        "rank",
    }
    shown = seeded.ok("search", "Suntech").stdout
    assert shown.startswith("india-medical-aid-2020 (2020-07-25), paragraph 9, sentence 1, characters 2800–3098")
    assert "No sentence matches." in seeded.ok("search", "zeppelin").stdout
    assert "no words to look for" in seeded.fails("search", '"*"')
    assert "'--limit': 0 is not in the range 1<=x<=1000000" in seeded.fails("search", "korea", "--limit", "0", code=2)
    assert "no source 'nope'" in seeded.fails("search", "korea", "--source", "nope")
    assert "rodong-transfer" in seeded.ok("claim", "list", "--search", "rodong").stdout
    seeded.ok("db", "reindex")


# --- bounded ranking ------------------------------------------------------------------------------------


def _sentence_ids(session: Session) -> dict[tuple[str, int], int]:
    rows = session.execute(
        select(Source.key, Passage.char_start, Passage.id)
        .join(Source, Source.id == Passage.source_id)
        .where(Passage.kind == PassageKind.SENTENCE)
    )
    return {(key, start): id_ for key, start, id_ in rows}


def _ranked(session: Session, hits: list[Hit]) -> list[tuple[int, float]]:
    ids = _sentence_ids(session)
    return [(ids[hit.source, hit.char_start], round(hit.rank, 9)) for hit in hits]


def _every_match_ranked(session: Session, query: str) -> list[tuple[int, float]]:
    """Every sentence matching ``query`` ranked in one statement, best first, ties newest first: the reference
    the bounded search must agree with, written independently of it (on PostgreSQL, from the text itself)."""
    terms = parse_query(query)
    if session.get_bind().dialect.name == "sqlite":
        sql = (
            "SELECT rowid, -bm25(passage_search) FROM passage_search WHERE passage_search MATCH :q "
            "ORDER BY bm25(passage_search), rowid DESC"
        )
        q = fts5_query(terms)
    else:
        sql = (
            "SELECT id, rank FROM (SELECT p.id, ts_rank(to_tsvector('provenance_search', p.text), "
            "to_tsquery('provenance_search', :q), 1) AS rank FROM passage p WHERE p.kind = 'sentence' "
            "AND to_tsvector('provenance_search', p.text) @@ to_tsquery('provenance_search', :q)) AS m "
            "ORDER BY rank DESC, id DESC"
        )
        q = tsquery(terms)
    return [(id_, round(rank, 9)) for id_, rank in session.execute(text(sql), {"q": q})]


def _newest(ranked: list[tuple[int, float]], count: int) -> list[tuple[int, float]]:
    """The ranking restricted to the ``count`` most recently added of its sentences."""
    newest = sorted((id_ for id_, _ in ranked), reverse=True)[:count]
    return [entry for entry in ranked if entry[0] in newest]


@pytest.mark.parametrize("query", ["pyongyang", "Pyong*", '"nuclear materials"', "india", "india nuclear"])
def test_a_query_with_fewer_matches_than_candidates_ranks_every_match(
    seeded: Provenance, session: Session, query: str
) -> None:
    assert 0 < len(_every_match_ranked(session, query)) < RANKED_CANDIDATES
    hits = search_passages(session, query, limit=100)
    assert _ranked(session, hits) == _every_match_ranked(session, query)


def test_a_query_with_more_matches_than_candidates_ranks_the_newest(seeded: Provenance, session: Session) -> None:
    every = _every_match_ranked(session, "india")
    assert len(every) > 4
    hits = search_passages(session, "india", candidates=4, limit=4)
    assert _ranked(session, hits) == _newest(every, 4)
    assert _ranked(session, search_passages(session, "india", candidates=4, limit=2)) == _newest(every, 4)[:2]
    # asked for more results than there are candidates, the search ranks as many as asked for
    assert _ranked(session, search_passages(session, "india", candidates=4, limit=6)) == _newest(every, 6)


def test_filters_apply_before_the_newest_candidates_are_chosen(seeded: Provenance, session: Session) -> None:
    source = "india-north-korea-2018"
    ids = {id_ for (key, _), id_ in _sentence_ids(session).items() if key == source}
    from_source = [entry for entry in _every_match_ranked(session, "india") if entry[0] in ids]
    assert len(from_source) > 2
    hits = search_passages(session, "india", source=source, candidates=2, limit=2)
    assert _ranked(session, hits) == _newest(from_source, 2)
    early = search_passages(session, "india", until=dt.date(2019, 1, 1), candidates=2, limit=2)
    assert _ranked(session, early) == _newest(from_source, 2)


def test_words_in_most_sentences_carry_no_weight_on_sqlite(seeded: Provenance, session: Session) -> None:
    every = _every_match_ranked(session, "korea")
    assert 2 * len(every) >= len(_sentence_ids(session))  # "korea" is in most of the seed sentences
    hits = search_passages(session, "korea", limit=100)
    if session.get_bind().dialect.name == "sqlite":
        # bm25 would give it a weight of 1e-6: the search leaves it out, and the newest matches come first
        assert _ranked(session, hits) == [(id_, 0.0) for id_ in sorted((i for i, _ in every), reverse=True)]
        with_korea = {id_ for id_, _ in every}
        by_pyongyang = [entry for entry in _every_match_ranked(session, "pyongyang") if entry[0] in with_korea]
        assert _ranked(session, search_passages(session, "korea pyongyang")) == by_pyongyang
    else:  # ts_rank has no statistics of how common a word is: every word counts
        assert _ranked(session, hits) == every


def test_a_capture_run_indexes_every_sentence_whether_during_the_run_or_at_its_end(
    provenance: Provenance, session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from provenance import ingest

    monkeypatch.setattr(ingest, "INDEX_BATCH", 2)  # index after every 2 sources, then the rest at the end
    monkeypatch.setattr(ingest, "BATCH", 1)
    folder = tmp_path / "desk"
    folder.mkdir()
    for n in range(5):
        (folder / f"wire-{n}.txt").write_text(f"Title: Wire {n}\n\nThe envoy{n} arrived in Pyongyang.\n", "utf-8")
    provenance.ok("source", "add", str(folder))
    found = {hit.source for hit in search_passages(session, "pyongyang")}
    assert found == {f"wire-{n}" for n in range(5)}
    assert [hit.source for hit in search_passages(session, "envoy3")] == ["wire-3"]
