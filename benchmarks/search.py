"""Benchmark: `provenance search` latency over a large corpus of sentences.

    python benchmarks/search.py                          # 1,000,000 sentences in a temporary SQLite file
    python benchmarks/search.py --sentences 100000       # smaller
    python benchmarks/search.py --db postgresql://postgres@127.0.0.1:5432/bench   # an EMPTY PostgreSQL database

Fills the database with generated articles (rows inserted in bulk, so the search indexes are built by the same
triggers and indexes as in use), then runs a fixed mix of queries (single words, phrases, prefixes, rare and
common words) in process and prints the median and 95th-percentile latency. The target is a 95th percentile
under 50 ms on both backends. The baseline is the same query mix as plain `LIKE '%word%'` scans limited to 20
rows, measured in the same run, to show what the index buys. Not a test: run it by hand.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from provenance import db
from provenance.models import Passage, PassageKind, Source, utcnow
from provenance.search import search_passages

VOCABULARY = (
    "ministry minister visit talks sanctions nuclear missile technology supply report officials envoy aid "
    "medicines food consignment programme cooperation defence council security embassy summit peninsula "
    "pyongyang islamabad delhi beijing seoul washington rodong uranium centrifuge diversion inspection "
    "tuberculosis vaccine grain harvest drought flood election parliament budget tariff export import"
).split()
QUERIES = [
    "pyongyang",
    "rodong",
    "centrifuge diversion",
    '"nuclear technology"',
    "sanction*",
    "uranium inspection islamabad",
    "the",  # a stop-word-like word that occurs nearly everywhere
    "zeppelin",  # no match
    '"food aid"',
    "tuberc*",
]


def populate(session: Session, sentences: int, rng: random.Random) -> None:
    per_source = 200
    now = utcnow()
    for first in range(0, sentences, per_source):
        count = min(per_source, sentences - first)
        words = [
            " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(6, 18))).capitalize() + " the end."
            for _ in range(count)
        ]
        body = " ".join(words)
        source_id = session.execute(
            insert(Source).returning(Source.id),
            {
                "key": f"bench-{first}",
                "text": body,
                "text_sha256": f"{first:064d}",
                "original_sha256": f"{first:064d}",
                "captured_at": now,
                "published": None,
            },
        ).scalar_one()
        rows, position = [], 0
        for n, sentence in enumerate(words, start=1):
            rows.append(
                {
                    "source_id": source_id,
                    "kind": PassageKind.SENTENCE,
                    "char_start": position,
                    "char_end": position + len(sentence),
                    "paragraph_no": 1,
                    "sentence_no": n,
                    "text": sentence,
                    "prefix": "",
                    "suffix": "",
                }
            )
            position += len(sentence) + 1
        session.execute(insert(Passage), rows)
        if first % 50_000 == 0:
            session.commit()
            print(f"  {first + count:>9} sentences", file=sys.stderr)
    session.commit()


def latencies(run: object, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        for query in QUERIES:
            start = time.perf_counter()
            run(query)  # type: ignore[operator]
            times.append((time.perf_counter() - start) * 1000)
    return times


def summary(label: str, times: list[float]) -> float:
    p95 = statistics.quantiles(times, n=20)[-1]
    print(f"{label:<32} median {statistics.median(times):8.2f} ms   p95 {p95:8.2f} ms   ({len(times)} queries)")
    return p95


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sentences", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--db", help="an empty database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'search.db'}"
        engine = db.make_engine(url)
        db.upgrade(engine)
        print(f"populating {db.describe_url(engine.url)} with {args.sentences} sentences ...", file=sys.stderr)
        start = time.perf_counter()
        with Session(engine) as session:
            populate(session, args.sentences, random.Random(20261122))
        print(f"populated in {time.perf_counter() - start:.0f} s", file=sys.stderr)
        with Session(engine) as session:
            if engine.dialect.name == "postgresql":
                session.execute(text("ANALYZE"))
            search_passages(session, "warm")

            def like(query: str) -> None:
                word = query.strip('"*').split()[0]
                session.execute(
                    text("SELECT id FROM passage WHERE kind = 'sentence' AND lower(text) LIKE :p LIMIT 20"),
                    {"p": f"%{word}%"},
                ).all()

            base = summary("baseline: LIKE scan, 20 rows", latencies(like, 1))
            p95 = summary(
                "provenance search, 20 results", latencies(lambda q: search_passages(session, q), args.rounds)
            )
        engine.dispose()
    print(f"p95 {p95:.1f} ms (target under 50 ms); {p95 / base:.2f}x the LIKE baseline")
    return 0 if p95 < 50 else 1


if __name__ == "__main__":
    sys.exit(main())
