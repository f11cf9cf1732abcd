"""Benchmark: `provenance history` on a large audit log, against a plain indexed lookup of one subject's events.

    python benchmarks/history.py                    # 10,000 claims x 5 evidence, about 100,000 events, SQLite
    python benchmarks/history.py --claims 1000      # smaller
    python benchmarks/history.py --db postgresql://postgres@127.0.0.1:5432/bench   # an EMPTY PostgreSQL database

The claims and evidence are made as benchmarks/report.py makes them; the log then gets, for each claim, its
``claim.add`` and one ``evidence.add`` per piece of evidence (naming its source, as the domain records them), a
change of likelihood for one claim in two, and a contradiction (added, then resolved) for one claim in ten.

Each query runs 30 times; the median and the slowest are printed, beside the baseline: the events recorded
under one claim's key, read through the (subject_type, subject_key) index. A claim's history also finds the
events of its contradictions and suggestions, and a source's history the evidence events naming it, so they
cost more than the baseline; the desk's history reads the newest 50 events of all and counts them. The tables are
ANALYZEd after filling, as PostgreSQL's autovacuum would. This is not a test.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))  # for benchmarks/report.py, beside this file
from report import populate

from provenance import db
from provenance.history import history
from provenance.models import Base, Claim, Event, Evidence, Passage, Source, utcnow

RUNS = 30


def add_events(session: Session, rng: random.Random) -> int:
    """The log the claims and evidence would have left, plus some changes; returns how many events there are."""
    now = utcnow()
    source_keys = {source_id: key for source_id, key in session.execute(select(Source.id, Source.key))}
    evidence = session.execute(
        select(Claim.key, Evidence.id, Passage.source_id, Passage.char_start, Passage.char_end)
        .join(Evidence, Evidence.claim_id == Claim.id)
        .join(Passage, Passage.id == Evidence.passage_id)
        .order_by(Claim.key, Evidence.id)
    ).all()
    keys = sorted({row[0] for row in evidence})
    rows: list[dict[str, object]] = []

    def event(action: str, subject_type: str, key: str, **values: object) -> None:
        rows.append(
            {"occurred_at": now, "actor": rng.choice(["anna", "bea", "carl"]), "action": action,
             "subject_type": subject_type, "subject_key": key, "before": None, "after": None, "reason": None,
             **values}
        )  # fmt: skip

    for key in keys:
        event("claim.add", "claim", key, after={"key": key, "status": "unstarted"})
    for key, evidence_id, source_id, start, end in evidence:
        after = {"evidence_id": evidence_id, "source": source_keys[source_id], "char_start": start, "char_end": end}
        event("evidence.add", "claim", key, after=after)
    for key in keys[::2]:
        change = {"before": {"confidence": 0.5}, "after": {"confidence": 0.3}, "reason": "benchmark"}
        event("claim.confidence", "claim", key, **change)
    for first, second in zip(keys[::10], keys[5::10], strict=False):
        pair = f"{first}|{second}"
        event("contradiction.add", "contradiction", pair, after={"claims": [first, second], "status": "open"})
        event("contradiction.resolve", "contradiction", pair, before={"status": "open"}, after={"status": "resolved"})
    table = Base.metadata.tables["event"]
    for start in range(0, len(rows), 10_000):
        session.execute(table.insert(), rows[start : start + 10_000])
    session.commit()
    return len(rows) + len(source_keys)


def timed(run: Callable[[], object]) -> tuple[float, float, object]:
    seconds = []
    result: object = None
    for _ in range(RUNS):
        started = time.perf_counter()
        result = run()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), max(seconds), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--evidence", type=int, default=5)
    parser.add_argument("--db", help="an empty database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'history.db'}"
        engine = db.make_engine(url)
        db.upgrade(engine)
        rng = random.Random(7)
        with Session(engine) as session:
            started = time.perf_counter()
            populate(session, args.claims, args.evidence, rng)
            total = add_events(session, rng)
            session.execute(text("ANALYZE"))  # as autovacuum (PostgreSQL) would, after a bulk load
            session.commit()
            print(f"{args.claims} claims, {total} events, filled in {time.perf_counter() - started:.1f} s")
            claim = session.scalars(select(Claim.key).order_by(Claim.key).offset(args.claims // 2)).first()
            contradicted = session.scalars(select(Claim.key).order_by(Claim.key)).first()
            source = session.scalars(select(Source.key).order_by(Source.key)).first()
            assert claim and contradicted and source
            subject = select(Event).where(Event.subject_type == "claim", Event.subject_key == claim)
            cases: list[tuple[str, Callable[[], object]]] = [
                ("baseline: one claim's own events", lambda: session.scalars(subject).all()),
                ("history (the desk, newest 50)", lambda: history(session)),
                (f"history {claim}", lambda: history(session, claim)),
                (f"history {contradicted} (a contradiction)", lambda: history(session, contradicted)),
                (f"history --source {source}", lambda: history(session, source, subject="source", limit=1000)),
                ("history --since today", lambda: history(session, since=utcnow().date())),
            ]
            base = None
            for label, run in cases:
                median, slowest, result = timed(run)
                base = base or median
                found = len(result.entries) if hasattr(result, "entries") else len(result)  # type: ignore[arg-type]
                print(
                    f"{label:55} median {median * 1000:7.2f} ms  slowest {slowest * 1000:7.2f} ms  "
                    f"{median / base:6.1f}x  ({found} events)"
                )
                session.rollback()
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
