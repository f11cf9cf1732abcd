"""Benchmark: `provenance search` latency over a large corpus of sentences.

    python benchmarks/search.py                          # 1,000,000 sentences in a temporary SQLite file
    python benchmarks/search.py --sentences 100000       # smaller
    python benchmarks/search.py --db postgresql://postgres@127.0.0.1:5432/bench   # an EMPTY PostgreSQL database

Fills the database with generated news-like articles: about 30 sentences each, in paragraphs, published on dates
from 2000 to 2026, with passages for paragraphs and sentences written and indexed through the same bulk path as
`provenance source add` (sources.insert_passages and sources.index_sentences). Sentence lengths
follow news text (median 20 words, a few over 60). Words are drawn from a Zipf distribution (the word of rank r
is about 1/r as frequent as the commonest): English function words first, then the words of the two seed
articles in sources/, then 100,000 generated rare words and names, some with diacritics; one sentence in five
also carries a run of 2 to 5 words from the seed articles, so phrases occur as phrases.

The query mix is a fact-checker's: names, places, rare terms, phrases, prefixes, words with case and
diacritics to fold, several words at once, filters by source and date, a few very common words and one that
matches nothing. Each query runs --rounds times, interleaved; the benchmark prints each query's matches and its
median, 95th percentile and slowest time, then the median and 95th percentile over the whole mix. The target is
a 95th percentile under 50 ms on both backends. The baseline, measured in the same run, is the same mix as the
search ran before its ranking was bounded: every match ranked in one statement, snippets and all.
On PostgreSQL the database is then vacuumed and analysed, as autovacuum would soon do after a load this size.
`--db URL --reuse` searches a database this benchmark filled before (same --sentences), without filling it
again. Not a test: run it by hand.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import itertools
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, insert, text
from sqlalchemy.orm import Session

from provenance import db
from provenance.models import PassageKind, Source, utcnow
from provenance.search import fts5_query, parse_query, search_passages, tsquery
from provenance.sources import index_sentences, insert_passages

SEED_ARTICLES = sorted((Path(__file__).resolve().parent.parent / "sources").glob("*.txt"))
# The commonest words of English news text, most frequent first: they take the top Zipf ranks.
COMMON = (
    "the of to and a in that is for on said with he it was as at by his from be have has an are but not this "
    "they who had been were will would their more after its which also one about up new two over year or than "
    "when she we all out there government last people first could what can if no into years other her some "
    "police minister president state told him us only officials week so just should while three most because "
    "under before against country them since any then those our many may being made where between during back "
    "both including already security such world national public leaders several according"
).split()
RARE_WORDS = 100_000
SYLLABLES = (
    "ba be bi bo bu da de di do du ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni no nu ra re ri ro ru "
    "sa se si so su ta te ti to tu va ve vi vo za ze zo an en in on ar er or al el ol ash esh ang ong ung"
).split()
SENTENCE, PARAGRAPH = PassageKind.SENTENCE.value, PassageKind.PARAGRAPH.value
ACCENTS = {"a": "á", "e": "é", "i": "í", "o": "ŏ", "u": "ü"}
UNACCENTED = str.maketrans({accented: plain for plain, accented in ACCENTS.items()})


@dataclass
class Corpus:
    """The generated corpus's vocabulary, by Zipf rank, and what the query mix needs to know of it."""

    words: list[str]
    cum_weights: list[float]
    seed_runs: list[str]
    names: list[tuple[int, str]] = field(default_factory=list)  # (rank, generated name)
    accented: list[tuple[int, str]] = field(default_factory=list)  # (rank, generated word with a diacritic)
    rare: list[tuple[int, str]] = field(default_factory=list)  # (rank, generated lower-case word)


def build_corpus(rng: random.Random) -> Corpus:
    seed_tokens: list[str] = []
    counts: Counter[str] = Counter()
    for path in SEED_ARTICLES:
        tokens = re.findall(r"\w+", path.read_text(encoding="utf-8"))
        seed_tokens.extend(tokens)
        counts.update(t.casefold() for t in tokens if not t.isdigit())
    words = list(COMMON)
    known = set(words)
    seed_words = [w for w, _ in counts.most_common() if w not in known]
    generated: list[str] = []
    corpus = Corpus([], [], [])
    while len(generated) < RARE_WORDS:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word in known or len(word) < 4:
            continue
        known.add(word)
        generated.append(word)
    # seed article words spread among the generated ones, from rank ~150 to ~15,000
    ranked: list[str] = list(words)
    seed_at = {len(COMMON) + 30 * i + i * i // 20: w for i, w in enumerate(seed_words)}
    pool = iter(generated)
    while len(ranked) < len(COMMON) + len(seed_words) + RARE_WORDS:
        rank = len(ranked)
        if rank in seed_at:
            ranked.append(seed_at.pop(rank))
            continue
        next_word = next(pool, None)
        if next_word is None:
            ranked.extend(seed_at.values())
            break
        word = next_word
        roll = rng.random()
        if roll < 0.3:
            word = word.capitalize()
            corpus.names.append((rank + 1, word))
        elif roll < 0.33:
            vowel = next((c for c in word if c in ACCENTS), None)
            if vowel is not None:
                word = word.replace(vowel, ACCENTS[vowel], 1).capitalize()
                corpus.accented.append((rank + 1, word))
        else:
            corpus.rare.append((rank + 1, word))
        ranked.append(word)
    corpus.words = ranked
    corpus.cum_weights = list(itertools.accumulate(1 / r for r in range(1, len(ranked) + 1)))
    corpus.seed_runs = seed_tokens
    return corpus


def _near(pairs: list[tuple[int, str]], rank: int) -> str:
    return pairs[bisect.bisect_left(pairs, (rank, ""))][1]


@dataclass(frozen=True)
class Query:
    kind: str
    query: str
    filters: dict[str, Any] = field(default_factory=dict)

    def label(self) -> str:
        shown = " ".join([self.query, *(f"--{k} {v}" for k, v in self.filters.items())])
        return f"{self.kind:<9} {shown}"


def query_mix(corpus: Corpus, source_key: str) -> list[Query]:
    return [
        Query("name", "Suntech"),
        Query("name", '"Kim Jong Un"'),
        Query("name", "Pompeo"),
        Query("name", _near(corpus.names, 2_000)),
        Query("name", _near(corpus.names, 30_000)),
        Query("name", f"{_near(corpus.names, 5_000)} {_near(corpus.names, 8_000)}"),
        Query("place", "Pyongyang"),
        Query("place", "Islamabad"),
        Query("place", '"New Delhi"'),
        Query("rare", _near(corpus.rare, 15_000)),
        Query("rare", _near(corpus.rare, 90_000)),
        Query("rare", "tuberculosis"),
        Query("phrase", '"nuclear materials"'),
        Query("phrase", '"North Korea"'),
        Query("phrase", '"medical assistance" India'),
        Query("phrase", '"said on Wednesday"'),
        Query("prefix", "Pyong*"),
        Query("prefix", "sanction*"),
        Query("prefix", "denuclear*"),
        Query("prefix", "prolif*"),
        Query("prefix", "gov*"),
        Query("fold", "PYONGYANG"),
        Query("fold", _near(corpus.accented, 3_000).translate(UNACCENTED)),  # its diacritics left out
        Query("words", "Pakistan nuclear missile"),
        Query("words", "India medicines tuberculosis"),
        Query("words", "government minister"),
        Query("filter", "korea", {"since": dt.date(2025, 1, 1)}),
        Query("filter", "nuclear", {"until": dt.date(2001, 12, 31)}),
        Query("filter", "the", {"source": source_key}),
        Query("common", "the"),
        Query("common", "said"),
        Query("common", "the of and"),
        Query("none", "zeppelin"),
    ]


def populate(session: Session, corpus: Corpus, sentences: int, rng: random.Random) -> None:
    """Fill the database with ``sentences`` sentences in generated articles."""
    now = utcnow()
    words, cum_weights, runs = corpus.words, corpus.cum_weights, corpus.seed_runs
    first_day = dt.date(2000, 1, 1).toordinal()
    days = dt.date(2026, 11, 1).toordinal() - first_day
    made, number = 0, 0
    batch_sources: list[dict[str, Any]] = []
    batch_bodies: list[tuple[str, list[tuple[int, int, str, int, int | None]]]] = []
    reported = 0
    source_table = cast(Table, Source.__table__)  # a Core insert: many rows per statement, no ORM bookkeeping

    def flush() -> None:
        ids = session.scalars(
            insert(source_table).returning(source_table.c.id, sort_by_parameter_order=True), batch_sources
        ).all()
        rows = [
            (
                source_id,
                kind,
                start,
                end,
                paragraph_no,
                sentence_no,
                None,
                None if kind == PARAGRAPH else body[start:end],  # paragraphs store no text: see Passage
            )
            for source_id, (body, spans) in zip(ids, batch_bodies, strict=True)
            for start, end, kind, paragraph_no, sentence_no in spans
        ]
        insert_passages(session, rows)
        index_sentences(session, ids)
        session.commit()
        batch_sources.clear()
        batch_bodies.clear()

    while made < sentences:
        count = min(sentences - made, max(3, int(rng.lognormvariate(3.3, 0.4))))
        lengths = [min(80, max(4, round(rng.lognormvariate(3.0, 0.45)))) for _ in range(count)]
        drawn = iter(rng.choices(words, cum_weights=cum_weights, k=sum(lengths)))
        paragraphs: list[list[str]] = [[]]
        for length in lengths:
            sentence = [next(drawn) for _ in range(length)]
            if rng.random() < 0.2:  # a run of words from a seed article, so that phrases occur as phrases
                run_length = rng.randint(2, 5)
                start = rng.randrange(len(runs) - run_length)
                at = rng.randrange(len(sentence))
                sentence[at : at + run_length] = runs[start : start + run_length]
            if len(paragraphs[-1]) >= rng.choice((1, 2, 3, 3, 4)):
                paragraphs.append([])
            line = " ".join(sentence)
            paragraphs[-1].append(line[0].upper() + line[1:] + ".")
        spans: list[tuple[int, int, str, int, int | None]] = []  # start, end, kind, paragraph, sentence
        position = 0
        for paragraph_no, paragraph in enumerate(paragraphs, start=1):
            paragraph_start = position
            for sentence_no, written in enumerate(paragraph, start=1):
                spans.append((position, position + len(written), SENTENCE, paragraph_no, sentence_no))
                position += len(written) + 1
            spans.append((paragraph_start, position - 1, PARAGRAPH, paragraph_no, None))
            position += 1
        body = "\n\n".join(" ".join(p) for p in paragraphs)
        key = f"bench-{number:07d}"
        batch_sources.append(
            {
                "key": key,
                "title": f"Benchmark article {number}",
                "text": body,
                "text_sha256": f"{number:064x}",
                "original_sha256": f"{number:064x}",
                "captured_at": now,
                "published": dt.date.fromordinal(first_day + rng.randrange(days)),
            }
        )
        batch_bodies.append((body, spans))
        made += count
        number += 1
        if len(batch_sources) == 200:
            flush()
        if made - reported >= 100_000:
            reported = made
            print(f"  {made:>9} sentences", file=sys.stderr)
    if batch_sources:
        flush()


def middle_source(session: Session) -> str:
    """The key of the source in the middle, for the --source query."""
    sources = session.execute(text("SELECT count(*) FROM source")).scalar_one()
    return str(
        session.execute(
            text("SELECT key FROM source ORDER BY id LIMIT 1 OFFSET :middle"), {"middle": sources // 2}
        ).scalar_one()
    )


FILTERS = {"source": "s.key = :source", "since": "s.published >= :since", "until": "s.published <= :until"}


def matches(session: Session, query: Query) -> int:
    """How many sentences match: what the search ranks, or chooses among."""
    where = "".join(f" AND {FILTERS[name]}" for name in query.filters)
    if session.get_bind().dialect.name == "sqlite":
        sql = (
            "SELECT count(*) FROM passage_search JOIN passage p ON p.id = passage_search.rowid "
            f"JOIN source s ON s.id = p.source_id WHERE passage_search MATCH :q{where}"
        )
        q = fts5_query(parse_query(query.query))
    else:
        sql = (
            "SELECT count(*) FROM passage p JOIN source s ON s.id = p.source_id WHERE p.kind = 'sentence' "
            f"AND p.search_vector @@ to_tsquery('provenance_search', :q){where}"
        )
        q = tsquery(parse_query(query.query))
    return int(session.execute(text(sql), {"q": q, **query.filters}).scalar_one())


def rank_every_match(session: Session, query: Query) -> None:
    """The baseline: every match ranked in one statement, the 20 best with their snippets, as `provenance search`
    did before its ranking was bounded (on PostgreSQL, reading the stored vectors it did not have then)."""
    where = "".join(f" AND {FILTERS[name]}" for name in query.filters)
    if session.get_bind().dialect.name == "sqlite":
        sql = f"""
            SELECT s.key, p.char_start, snippet(passage_search, 0, '**', '**', '…', 24), -bm25(passage_search) AS rank
            FROM passage_search JOIN passage p ON p.id = passage_search.rowid JOIN source s ON s.id = p.source_id
            WHERE passage_search MATCH :q{where}
            ORDER BY bm25(passage_search), s.key, p.char_start LIMIT 20"""
        q = fts5_query(parse_query(query.query))
    else:
        sql = f"""
            SELECT s.key, p.char_start, ts_headline('provenance_search', p.text, q.query,
                       'StartSel=**, StopSel=**, MaxWords=30, MinWords=12'),
                   ts_rank(p.search_vector, q.query) AS rank
            FROM passage p JOIN source s ON s.id = p.source_id, to_tsquery('provenance_search', :q) AS q(query)
            WHERE p.kind = 'sentence' AND p.search_vector @@ q.query{where}
            ORDER BY rank DESC, s.key, p.char_start LIMIT 20"""
        q = tsquery(parse_query(query.query))
    session.execute(text(sql), {"q": q, **query.filters}).all()


def timings(run: Callable[[Query], object], queries: list[Query], rounds: int) -> list[list[float]]:
    """Milliseconds of each run of each query (in the order of ``queries``), the queries interleaved."""
    times: list[list[float]] = [[] for _ in queries]
    for _ in range(rounds):
        for query, each in zip(queries, times, strict=True):
            start = time.perf_counter()
            run(query)
            each.append((time.perf_counter() - start) * 1000)
    return times


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sentences", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=30, help="runs of each query (default 30)")
    parser.add_argument("--baseline-rounds", type=int, default=3, help="runs of each query for the baseline")
    parser.add_argument("--db", help="an empty database URL (default: a temporary SQLite file)")
    parser.add_argument(
        "--reuse", action="store_true", help="--db holds this benchmark's corpus from an earlier run: only search"
    )
    args = parser.parse_args()
    if args.reuse and not args.db:
        parser.error("--reuse needs --db")
    rng = random.Random(20261122)
    corpus = build_corpus(rng)
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'search.db'}"
        engine = db.make_engine(url)
        db.upgrade(engine)
        if not args.reuse:
            print(f"populating {db.describe_url(engine.url)} with {args.sentences} sentences ...", file=sys.stderr)
            start = time.perf_counter()
            with Session(engine) as session:
                populate(session, corpus, args.sentences, rng)
            print(f"populated in {time.perf_counter() - start:.0f} s", file=sys.stderr)
        if engine.dialect.name == "postgresql":
            # what autovacuum does after a load this size: statistics for the planner, and the BRIN index on
            # passage ids summarized (until it is, the search reads more pages than it needs)
            start = time.perf_counter()
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
            print(f"vacuumed and analysed in {time.perf_counter() - start:.0f} s", file=sys.stderr)
        with Session(engine) as session:
            queries = query_mix(corpus, middle_source(session))
            counts = [matches(session, q) for q in queries]

            baseline = timings(lambda q: rank_every_match(session, q), queries, args.baseline_rounds)
            times = timings(lambda q: search_passages(session, q.query, **q.filters), queries, args.rounds)
        engine.dispose()
    print(f"{'query':<48} {'matches':>9} {'median':>8} {'p95':>8} {'max':>8} {'baseline':>9}  (ms)")
    for query, count, each, base in zip(queries, counts, times, baseline, strict=True):
        print(
            f"{query.label():<48.48} {count:>9} {statistics.median(each):>8.2f} {p95(each):>8.2f} "
            f"{max(each):>8.2f} {statistics.median(base):>9.2f}"
        )
    every = [t for each in times for t in each]
    every_baseline = [t for each in baseline for t in each]
    overall = p95(every)
    print(
        f"whole mix, {len(every)} searches: median {statistics.median(every):.2f} ms, p95 {overall:.2f} ms "
        f"(target under 50 ms)\nbaseline, every match ranked in one statement, {len(every_baseline)} searches: median "
        f"{statistics.median(every_baseline):.2f} ms, p95 {p95(every_baseline):.2f} ms; "
        f"p95 {p95(every_baseline) / overall:.1f}x the search's"
    )
    return 0 if overall < 50 else 1


if __name__ == "__main__":
    sys.exit(main())
