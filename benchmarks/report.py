"""Benchmark: cited reports for many claims, against one raw SQL join dumping the same rows as text.

    python benchmarks/report.py                     # 10,000 claims x 5 evidence on a temporary SQLite file
    python benchmarks/report.py --claims 1000       # smaller
    python benchmarks/report.py --runs 5            # more rounds (default 3)
    python benchmarks/report.py --db postgresql://postgres@127.0.0.1:5432/bench   # an EMPTY PostgreSQL database

The database is filled once. Then, in each round, the baseline, the Markdown report and the HTML report each run
in a fresh Python process, so that nothing one step caches (parsed citation styles, rendered references,
compiled SQL, templates) is there for another, or for the next round. Each step is timed from opening its
database session to having its text; the interpreter starting and importing modules is left out, for the
baseline and the reports alike, and so is the first connection to the database. Each process's peak memory
(resident set, whole process) is reported too.

Prints each round's seconds and its ratios to the baseline measured in the same round, then the median of the
rounds. The target is at most 3x the baseline for Markdown and for HTML, in elapsed time. CPU time is shown
beside it: on a busy machine, where a step can wait for a processor, it varies less. This is not a test: run it
by hand on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from provenance import db
from provenance.documents import document_from_text
from provenance.export import html, markdown
from provenance.models import Claim, Evidence, Passage, PassageKind, Stance, utcnow
from provenance.report import build_report
from provenance.sources import add_source

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

STEPS = ("baseline", "markdown", "html")
LABELS = {
    "baseline": "baseline (raw SQL join)",
    "markdown": "provenance report markdown",
    "html": "provenance report html",
}


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


def run_step(step: str, url: str) -> dict[str, float]:
    """Time one step in this process (which should be fresh): seconds, output size, peak memory."""
    engine = db.make_engine(url)
    with engine.connect():
        pass  # the first connection (and the dialect's first look at the server) is not what is measured

    def baseline() -> str:
        with engine.connect() as connection:
            rows = connection.execute(text(BASELINE_SQL))
            return "\n".join("\t".join(map(str, row)) for row in rows)

    def report(render: Callable[..., str]) -> Callable[[], str]:
        def run() -> str:
            with Session(engine) as session:
                return render(build_report(session))

        return run

    steps = {"baseline": baseline, "markdown": report(markdown.render), "html": report(html.render)}
    start, start_cpu = time.perf_counter(), time.process_time()
    result = steps[step]()
    seconds, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    engine.dispose()
    return {"seconds": seconds, "cpu": cpu, "mb": len(result.encode()) / 1e6, "peak_mb": peak_kb / 1024}


def _in_fresh_process(step: str, url: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--step", step, "--db", url], check=True, capture_output=True, text=True
    )
    measured: dict[str, float] = json.loads(done.stdout)
    return measured


def _line(label: str, measured: dict[str, float], ratios: tuple[float, float] | None) -> str:
    ratio = f"{ratios[0]:5.2f}x baseline ({ratios[1]:.2f}x in CPU time)" if ratios else "baseline"
    return (
        f"{label:<28} {measured['seconds']:7.3f} s ({measured['cpu']:.3f} s CPU)  {measured['mb']:6.2f} MB out  "
        f"{measured['peak_mb']:4.0f} MB peak  {ratio}"
    )


def _ratios(measured: dict[str, float], base: dict[str, float]) -> tuple[float, float]:
    return measured["seconds"] / base["seconds"], measured["cpu"] / base["cpu"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--evidence", type=int, default=5, help="evidence per claim")
    parser.add_argument("--runs", type=int, default=3, help="rounds, each step in a fresh process (default 3)")
    parser.add_argument("--db", help="an empty database URL (default: a temporary SQLite file)")
    parser.add_argument("--step", choices=STEPS, help=argparse.SUPPRESS)  # one timed step, for the rounds
    args = parser.parse_args()

    if args.step:
        print(json.dumps(run_step(args.step, args.db)))
        return 0

    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = db.make_engine(url)
        db.upgrade(engine)
        print(f"populating {db.describe_url(engine.url)}: {args.claims} claims x {args.evidence} evidence ...")
        with Session(engine) as session:
            populate(session, args.claims, args.evidence, random.Random(20261122))
        engine.dispose()

        rounds: list[dict[str, dict[str, float]]] = []
        for n in range(1, args.runs + 1):
            print(f"round {n}")
            measured: dict[str, dict[str, float]] = {}
            for step in STEPS:
                measured[step] = _in_fresh_process(step, url)
                ratios = None if step == "baseline" else _ratios(measured[step], measured["baseline"])
                print("  " + _line(LABELS[step], measured[step], ratios))
            rounds.append(measured)

    print(f"median of {len(rounds)} rounds (the ratios are the medians of each round's ratios)")
    worst = 0.0
    for step in STEPS:
        median = {key: statistics.median(r[step][key] for r in rounds) for key in ("seconds", "cpu", "mb", "peak_mb")}
        ratios = None
        if step != "baseline":
            each = [_ratios(r[step], r["baseline"]) for r in rounds]
            ratios = (statistics.median(wall for wall, _ in each), statistics.median(cpu for _, cpu in each))
            worst = max(worst, ratios[0])
        print("  " + _line(LABELS[step], median, ratios))
    print(f"worst median ratio {worst:.2f}x (target: at most 3x)")
    return 0 if worst <= 3 else 1


if __name__ == "__main__":
    sys.exit(main())
