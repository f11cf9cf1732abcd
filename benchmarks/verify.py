"""Benchmark: `provenance verify` over about a million passages, against a raw driver scan doing the same checks.

    python benchmarks/verify.py                          # about 1,000,000 passages, temporary SQLite file
    python benchmarks/verify.py --articles 2000          # smaller (about 77,000 passages)
    python benchmarks/verify.py --db postgresql://postgres@127.0.0.1:5432/bench   # an EMPTY PostgreSQL database
    python benchmarks/verify.py --db sqlite:///big.db --keep   # fill big.db once; later runs reuse it

Fills the database with provenance's own bulk capture of generated news articles (the corpus of
``benchmarks/ingest.py``), then adds claims and evidence in bulk: exact quotes (whole sentences), quotes with
left-out words and fuzzy matches with their scores. Then times, each in a fresh process, from an open
connection to the answer (interpreter start, imports and the first connection left out):

- the baseline: the driver alone (sqlite3 or psycopg, no SQLAlchemy), reading the same rows in the same
  streaming way (sources in id order beside passages in source order, one source's text at a time, then the
  evidence joined to its passage) and making the same comparisons in a tight loop: each source's SHA-256, each
  stored passage text (sentences and quotes) against its source's text at its offsets, each paragraph (which
  stores no text) only that it ends within its source's text, each quote against its passage;
- provenance: :func:`provenance.integrity.verify`, as ``provenance verify`` runs it.

A join of passages with their sources (``SELECT ... FROM passage JOIN source``) would hand over the source's
whole text with each of its passages; the baseline reads each text once instead, as verify does, which makes it
the faster of the two and so the stricter baseline.

Prints both times, the ratio and each process's peak memory (resident set, whole process). Not a test: run it
by hand.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest import write_corpus  # the corpus generator of benchmarks/ingest.py

# --- filling the database -----------------------------------------------------------------------------


def fill(url: str, articles: int, claims: int, seed: int) -> dict[str, int]:
    from rapidfuzz import fuzz
    from sqlalchemy import func, insert, select

    from provenance import db, events, ingest
    from provenance.models import Claim, Evidence, Passage, PassageKind, Stance, utcnow

    engine = db.make_engine(url)
    db.upgrade(engine)
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder)
        write_corpus(corpus, articles, html_share=0.0, seed=seed)
        start = time.perf_counter()
        with db.session_scope(engine) as session:
            ingest.capture(session, ingest.planned_files([corpus]))
        print(f"captured {articles} articles in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    with db.session_scope(engine) as session:
        sentences = [
            (passage_id, text)  # a sentence's text is stored (the database checks it): `if` only tells mypy so
            for passage_id, text in session.execute(
                select(Passage.id, Passage.stored_text).where(Passage.kind == PassageKind.SENTENCE)
            )
            if text is not None
        ]
        now = utcnow()
        session.execute(
            insert(Claim),
            [
                {"key": f"claim-{n:06d}", "statement": f"Claim {n}", "created_at": now, "updated_at": now}
                for n in range(claims)
            ],
        )
        claim_ids = list(session.scalars(select(Claim.id).order_by(Claim.id)))
        rows = []
        for n, claim_id in enumerate(claim_ids):
            for k, (passage_id, text) in enumerate(rng.sample(sentences, 5)):
                method, score, quote = "exact", None, text
                words = text.split()
                if k == 3 and len(words) > 8:  # a quote with words left out
                    method, quote = "exact_omission", " ".join(words[:3]) + " ... " + " ".join(words[-3:])
                elif k == 4 and n % 2 == 0:  # a fuzzy match: one letter changed
                    method = "fuzzy"
                    at = len(text) // 2
                    quote = text[:at] + ("x" if text[at] != "x" else "y") + text[at + 1 :]
                    score = round(fuzz.ratio(quote, text), 1)
                rows.append(
                    {
                        "claim_id": claim_id,
                        "passage_id": passage_id,
                        "stance": Stance.SUPPORTS,
                        "quote": quote,
                        "anchor_method": method,
                        "anchor_score": score,
                        "needs_review": method == "fuzzy",
                        "created_at": now,
                    }
                )
        session.execute(insert(Evidence), rows)
        # written in bulk, as no command writes them: logged as one event, so that verify finds them in the log
        events.note_written(session, "claim", claim_ids)
        events.note_written(session, "evidence", session.scalars(select(Evidence.id)))
        events.record(session, "benchmark.fill", "claim", "claim-*", after={"claims": claims, "evidence": len(rows)})
        passages = session.scalar(select(func.count()).select_from(Passage)) or 0
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()
    return {"passages": passages, "evidence": len(rows)}


# --- the two phases, each run in its own process --------------------------------------------------------

SOURCES_SQL = "SELECT id, text, text_sha256 FROM source ORDER BY id"
PASSAGES_SQL = "SELECT source_id, char_start, char_end, text FROM passage ORDER BY source_id, char_start"
EVIDENCE_SQL = (
    "SELECT e.quote, e.anchor_method, e.anchor_score, p.text FROM evidence e JOIN passage p ON p.id = e.passage_id "
    "ORDER BY e.id"
)
OMISSION = " ... "


def baseline(url: str) -> dict[str, int]:
    """The same checks with the driver alone, the rows streamed."""
    from rapidfuzz import fuzz

    from provenance import db

    resolved = db.resolve_url(url)
    if resolved.get_backend_name() == "sqlite":
        import sqlite3

        connection: object = sqlite3.connect(resolved.database or "")

        def stream(sql: str, name: str, batch: int = 2000) -> object:
            return connection.cursor().execute(sql)  # type: ignore[attr-defined]  # rows are stepped one by one

    else:
        import psycopg

        connection = psycopg.connect(resolved.set(drivername="postgresql").render_as_string(hide_password=False))

        def stream(sql: str, name: str, batch: int = 2000) -> object:
            cursor = connection.cursor(name=name)  # type: ignore[attr-defined]
            cursor.itersize = batch
            cursor.execute(sql)
            return cursor

    start, cpu = time.perf_counter(), time.process_time()
    bad = sources = passages = evidence = 0
    source_rows = iter(stream(SOURCES_SQL, "sources", 16))  # type: ignore[call-overload]
    current = next(source_rows, None)
    if current is not None:
        sources += 1
        bad += hashlib.sha256(current[1].encode()).hexdigest() != current[2]
    for source_id, char_start, char_end, text in stream(PASSAGES_SQL, "passages"):  # type: ignore[attr-defined]
        passages += 1
        while current is not None and current[0] < source_id:
            current = next(source_rows, None)
            if current is not None:
                sources += 1
                bad += hashlib.sha256(current[1].encode()).hexdigest() != current[2]
        if current is None or current[0] != source_id:
            bad += 1
            continue
        whole = current[1]
        # a stored text (sentences, quotes) is the source's at its offsets; a paragraph's (NULL) lies within it
        if whole[char_start:char_end] != text if text is not None else char_end > len(whole):
            bad += 1
    for current in source_rows:
        sources += 1
        bad += hashlib.sha256(current[1].encode()).hexdigest() != current[2]
    for quote, method, score, text in stream(EVIDENCE_SQL, "evidence"):  # type: ignore[attr-defined]
        evidence += 1
        if method == "exact_omission":
            position = 0
            for part in quote.split(OMISSION):
                at = text.find(part, position)
                if at < 0:
                    bad += 1
                    break
                position = at + len(part)
        elif method == "fuzzy":
            bad += abs(round(fuzz.ratio(quote, text), 1) - score) > 0.05
        else:
            bad += quote != text
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    connection.close()  # type: ignore[attr-defined]
    return {
        "seconds_inside": seconds,
        "cpu": cpu,
        "sources": sources,
        "passages": passages,
        "evidence": evidence,
        "bad": bad,
    }


def run_verify(url: str) -> dict[str, int]:
    from provenance import db, integrity

    engine = db.make_engine(url)
    with engine.connect():
        pass  # the first connection (and SQLAlchemy's first-connect checks) is not part of the measure
    with db.session_scope(engine) as session:
        start, cpu = time.perf_counter(), time.process_time()
        checked = integrity.verify(session)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    engine.dispose()
    for problem in checked.problems[:5]:
        print(problem.line(), file=sys.stderr)
    return {
        "seconds_inside": seconds,
        "cpu": cpu,
        "sources": checked.sources,
        "passages": checked.passages,
        "evidence": checked.evidence,
        "bad": len(checked.problems),
    }


def phase(name: str, url: str, articles: int, claims: int) -> None:
    if name == "fill":
        counts = fill(url, articles, claims, seed=20261122)
    else:
        counts = baseline(url) if name == "baseline" else run_verify(url)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"peak_mb": peak_mb, **counts}))


def timed(name: str, url: str, articles: int = 0, claims: int = 0) -> dict[str, float]:
    """Run one phase in a process of its own (so that its peak memory is its own) and read what it measured."""
    command = [sys.executable, __file__, "--phase", name, "--target", url, "--articles", str(articles)]
    command += ["--claims", str(claims)]
    output = subprocess.run(command, check=True, capture_output=True, text=True)
    sys.stderr.write(output.stderr[-2000:])
    result: dict[str, float] = json.loads(output.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=26_700, help="about 37.5 passages each")
    parser.add_argument("--claims", type=int, default=10_000, help="5 evidence each")
    parser.add_argument("--runs", type=int, default=3, help="rounds of baseline and verify; the median is kept")
    parser.add_argument("--db", help="an EMPTY database URL (default: a temporary SQLite file)")
    parser.add_argument("--keep", action="store_true", help="reuse --db if it holds passages already")
    parser.add_argument("--phase", choices=["fill", "baseline", "verify"], help=argparse.SUPPRESS)
    parser.add_argument("--target", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        phase(args.phase, args.target, args.articles, args.claims)
        return 0

    from sqlalchemy import func, select

    from provenance import db
    from provenance.models import Passage

    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'verify.db'}"
        engine = db.make_engine(url)
        db.upgrade(engine)
        with engine.connect() as connection:
            present = connection.scalar(select(func.count()).select_from(Passage.__table__)) or 0
        engine.dispose()
        if not (args.keep and present):
            start = time.perf_counter()
            filled = timed("fill", url, args.articles, args.claims)
            print(
                f"filled: {filled['passages']:,.0f} passages, {filled['evidence']:,.0f} evidence in "
                f"{time.perf_counter() - start:.0f} s",
                file=sys.stderr,
            )
        rounds = []
        for _ in range(args.runs):
            base = timed("baseline", url)
            ours = timed("verify", url)
            rounds.append((base, ours))
            print(
                f"round: baseline {base['seconds_inside']:.2f} s ({base['cpu']:.2f} s CPU), verify "
                f"{ours['seconds_inside']:.2f} s ({ours['cpu']:.2f} s CPU), ratio "
                f"{ours['seconds_inside'] / base['seconds_inside']:.2f}x ({ours['cpu'] / base['cpu']:.2f}x CPU)",
                file=sys.stderr,
            )
    rounds.sort(key=lambda r: r[1]["seconds_inside"] / r[0]["seconds_inside"])
    base, ours = rounds[len(rounds) // 2]
    print(
        f"checked {ours['sources']:,.0f} sources, {ours['passages']:,.0f} passages, {ours['evidence']:,.0f} evidence "
        f"({ours['bad']:.0f} problems; baseline counted {base['bad']:.0f})"
    )
    for label, measured in (("baseline (driver alone, streamed)", base), ("provenance verify", ours)):
        print(
            f"{label + ':':35}{measured['seconds_inside']:.2f} s ({measured['cpu']:.2f} s CPU), "
            f"peak {measured['peak_mb']:.0f} MB"
        )
    print(
        f"ratio {ours['seconds_inside'] / base['seconds_inside']:.2f}x ({ours['cpu'] / base['cpu']:.2f}x in CPU time; "
        f"median of {len(rounds)} rounds)"
    )
    return 0 if ours["bad"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
