"""Benchmark: cited reports for many claims, against one raw SQL join dumping the same rows as text.

    python benchmarks/report.py                     # 10,000 claims x 5 evidence on a temporary SQLite file
    python benchmarks/report.py --claims 1000       # smaller
    python benchmarks/report.py --db postgresql://postgres@127.0.0.1:5432/bench   # an EMPTY PostgreSQL database

Prints the seconds each step takes and its ratio to the baseline measured in the same run. The target is at most
3x the baseline for Markdown and for HTML. This is not a test: run it by hand on a quiet machine.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from provenance import db
from provenance.export import html, markdown
from provenance.models import Claim, Evidence, Passage, PassageKind, Stance, utcnow
from provenance.report import build_report
from provenance.sources import add_source, document_from_text

WORDS = (
    "ministry minister visit talks sanctions nuclear missile technology supply report officials envoy aid "
    "medicines food consignment programme cooperation defence council security embassy summit peninsula"
).split()

BASELINE_SQL = """
SELECT c.key, c.statement, c.status, c.confidence, e.stance, e.confidence, e.attributed_to, e.note,
       p.text, p.char_start, p.char_end, s.key, s.title, s.author, s.published, s.url
FROM claim c
JOIN evidence e ON e.claim_id = c.id
JOIN passage p ON p.id = e.passage_id
JOIN source s ON s.id = p.source_id
ORDER BY c.key, e.id
"""


def _article(rng: random.Random, sentences: int) -> str:
    paragraphs = []
    for _ in range(sentences // 4):
        paragraphs.append(
            " ".join(
                " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))).capitalize() + "." for _ in range(4)
            )
        )
    return "\n\n".join(paragraphs)


def populate(session: Session, claims: int, evidence_per_claim: int, rng: random.Random) -> None:
    sources = max(10, claims // 50)
    for n in range(sources):
        text_ = f"Title: Benchmark article {n}\n\n{_article(rng, 60)}"
        add_source(session, document_from_text(text_, name=f"article {n}", origin=f"bench-{n}.txt"), key=f"bench-{n}")
    sentence_ids = list(session.scalars(select(Passage.id).where(Passage.kind == PassageKind.SENTENCE)))
    now = utcnow()
    session.execute(
        insert(Claim),
        [
            {
                "key": f"claim-{n:06d}",
                "statement": f"Benchmark claim number {n} about " + " ".join(rng.sample(WORDS, 6)),
                "confidence": rng.random(),
                "confidence_note": "Generated for the benchmark.",
                "created_at": now,
                "updated_at": now,
            }
            for n in range(claims)
        ],
    )
    claim_ids = list(session.scalars(select(Claim.id).order_by(Claim.id)))
    stances = [Stance.SUPPORTS, Stance.SUPPORTS, Stance.SUPPORTS, Stance.CONTRADICTS, Stance.MENTIONS]
    rows = []
    for claim_id in claim_ids:
        for k, passage_id in enumerate(rng.sample(sentence_ids, evidence_per_claim)):
            rows.append(
                {
                    "claim_id": claim_id,
                    "passage_id": passage_id,
                    "stance": stances[k % len(stances)],
                    "confidence": rng.random(),
                    "attributed_to": "the reporter",
                    "quote": "(benchmark)",
                    "anchor_method": "exact",
                    "note": "Generated for the benchmark.",
                    "created_at": now,
                }
            )
    session.execute(insert(Evidence), rows)
    session.commit()


def timed(label: str, step: Callable[[], object], baseline: float | None) -> float:
    start = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - start
    size = len(result) if isinstance(result, str | bytes) else 0
    ratio = f"{seconds / baseline:5.2f}x baseline" if baseline else "baseline"
    print(f"{label:<28} {seconds:8.3f} s  {size / 1e6:8.2f} MB  {ratio}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--evidence", type=int, default=5, help="evidence per claim")
    parser.add_argument("--db", help="an empty database URL (default: a temporary SQLite file)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = db.make_engine(url)
        db.upgrade(engine)
        print(f"populating {db.describe_url(engine.url)}: {args.claims} claims x {args.evidence} evidence ...")
        with Session(engine) as session:
            populate(session, args.claims, args.evidence, random.Random(20261122))

        def baseline() -> str:
            with engine.connect() as connection:
                rows = connection.execute(text(BASELINE_SQL))
                return "\n".join("\t".join(map(str, row)) for row in rows)

        def report(render: Callable[..., str | bytes]) -> Callable[[], str | bytes]:
            def run() -> str | bytes:
                with Session(engine) as session:
                    return render(build_report(session))

            return run

        base = timed("baseline (raw SQL join)", baseline, None)
        results = {
            "markdown": timed("provenance report markdown", report(markdown.render), base),
            "html": timed("provenance report html", report(html.render), base),
        }
        engine.dispose()
    worst = max(results.values()) / base
    print(f"worst ratio {worst:.2f}x (target: at most 3x)")
    return 0 if worst <= 3 else 1


if __name__ == "__main__":
    sys.exit(main())
