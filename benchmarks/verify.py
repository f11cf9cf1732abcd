"""Benchmark: `provenance verify` over about a million passages, against a raw driver scan doing the same checks.

    python benchmarks/verify.py                          # about 1,000,000 passages, temporary SQLite file
    python benchmarks/verify.py --articles 2000          # smaller (about 77,000 passages)
    python benchmarks/verify.py --db postgresql://postgres@127.0.0.1:5432/bench   # an EMPTY PostgreSQL database
    python benchmarks/verify.py --db sqlite:///big.db --keep   # fill big.db once; later runs reuse it

Fills the database with provenance's own bulk capture of generated news articles (the corpus of
``benchmarks/ingest.py``), then adds claims and evidence in bulk: exact quotes (whole sentences), quotes with
left-out words and fuzzy matches with their scores. Then times, each in a fresh process, from an open
connection to the answer (interpreter start, imports and the first connection left out):

- the baseline: the driver alone (sqlite3 or psycopg, no SQLAlchemy), doing all the work verify does, in the
  same streaming way (a server-side cursor on PostgreSQL, rows fetched 2,000 at a time, sources 16), in a tight
  loop: the engine's check of its file (SQLite's ``PRAGMA quick_check``) and the schema's tables and triggers;
  the event log's chain, each event's hash recomputed from its canonical JSON and the one before it, keeping
  the state each logs; sources in id order beside passages in source order, one source's text at a time: each
  source's SHA-256, each stored passage text (sentences and quotes) against its source's text at its offsets,
  each paragraph (which stores no text) only that it ends within its source's text, and each source's digest
  (its key, hash and passages' offsets) against the one last logged; each quote against its passage (joined
  as verify joins it, claim and source included); each claim, evidence and contradiction's digest against the
  one last logged; and the anti-joins for the references not checked while streaming;
- provenance: :func:`provenance.integrity.verify`, as ``provenance verify`` runs it, each of its checks timed.

So the ratio is provenance's own overhead, not the cost of the checks. A join of passages with their sources
(``SELECT ... FROM passage JOIN source``) would hand over the source's whole text with each of its passages;
the baseline reads each text once instead, as verify does, which makes it the faster of the two and so the
stricter baseline.

Prints both times, the ratio, each process's peak memory (resident set, whole process), and the time of each
phase (the engine's check and the schema, the chain, sources and passages with the sources' digests, evidence,
the rows against their logged state, references) in both. Not a test: run it
by hand.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

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

SOURCES_SQL = "SELECT id, key, text, text_sha256 FROM source ORDER BY id"
PASSAGES_SQL = (
    "SELECT id, source_id, kind, char_start, char_end, text, paragraph_no, sentence_no, page_no FROM passage "
    "ORDER BY source_id, char_start"
)
EVIDENCE_SQL = (  # verify's joins: a missing claim, passage or source leaves NULLs there
    "SELECT e.quote, e.anchor_method, e.anchor_score, coalesce(p.text, substr(s.text, p.char_start + 1, "
    "p.char_end - p.char_start)), c.key FROM evidence e LEFT JOIN claim c ON c.id = e.claim_id "
    "LEFT JOIN passage p ON p.id = e.passage_id LEFT JOIN source s ON s.id = p.source_id ORDER BY e.id"
)
EVENT_COLUMNS = "id, occurred_at, actor, action, subject_type, subject_key, before, after, reason, seq, hash, state"
CHAIN_SQL = f"SELECT {EVENT_COLUMNS} FROM event WHERE seq IS NOT NULL ORDER BY seq"
UNCHAINED_SQL = "SELECT id FROM event WHERE seq IS NULL ORDER BY id"
PHASES = ("quick_check and schema", "chain", "sources and passages", "evidence", "row states", "references")


def references_sql() -> list[str]:
    """The anti-joins verify runs for the references it does not check while streaming (made before the clock)."""
    from provenance.models import Base

    streamed = {("passage", "source_id"), ("evidence", "passage_id"), ("evidence", "claim_id")}
    queries = []
    for table in Base.metadata.sorted_tables:
        for key in table.foreign_keys:
            column = key.parent.name
            if (table.name, column) in streamed:
                continue
            primary = ", ".join(f"t.{c.name}" for c in table.primary_key.columns)
            queries.append(
                f"SELECT {primary}, t.{column} FROM {table.name} t LEFT JOIN {key.column.table.name} r "
                f"ON r.{key.column.name} = t.{column} WHERE t.{column} IS NOT NULL AND r.{key.column.name} IS NULL "
                f"ORDER BY {primary}"
            )
    return queries


def baseline(url: str) -> dict[str, Any]:
    """The same checks with the driver alone, the rows streamed, in a tight loop: the engine's check and the
    schema's tables and triggers, the chain's hashes recomputed, each source's hash and digest (key, hash, its
    passages' offsets), each passage against its source's text, each quote against its passage, each claim,
    evidence and contradiction's digest against the one last logged, and the references."""
    import datetime as dt
    from functools import partial
    from itertools import chain

    from rapidfuzz import fuzz

    from provenance import db
    from provenance.anchoring import _LEADING, _OMISSION, _TRAILING

    resolved = db.resolve_url(url)
    references = references_sql()
    sqlite = resolved.get_backend_name() == "sqlite"
    if sqlite:
        import sqlite3

        connection: Any = sqlite3.connect(resolved.database or "")

        def stream(sql: str, name: str, batch: int = 2000) -> Any:
            cursor = connection.cursor()
            cursor.execute(sql)
            return chain.from_iterable(iter(partial(cursor.fetchmany, batch), []))

    else:
        import psycopg

        connection = psycopg.connect(resolved.set(drivername="postgresql").render_as_string(hide_password=False))

        names = iter(range(1_000_000))

        def stream(sql: str, name: str, batch: int = 2000) -> Any:
            cursor = connection.cursor(name=f"{name}_{next(names)}")
            cursor.execute(sql)
            return chain.from_iterable(iter(partial(cursor.fetchmany, batch), []))

    utc = dt.UTC
    encode = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode
    sha256 = hashlib.sha256

    def stamp(value: Any) -> str:
        if sqlite:  # stored as text, "YYYY-MM-DD HH:MM:SS.ffffff" (or without the fraction, from CURRENT_TIMESTAMP)
            value = dt.datetime.fromisoformat(value)
        if value.tzinfo is None:
            value = value.replace(tzinfo=utc)
        return str(value.astimezone(utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))

    def loads(value: Any) -> Any:
        return json.loads(value) if sqlite and value is not None else value

    times: dict[str, float] = {}
    clock = start = time.perf_counter()
    cpu = time.process_time()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        times[name], clock = now - clock, now

    bad = sources = passages = evidence = events = rows = 0
    # the engine's own check, and the tables and triggers there
    if sqlite:
        bad += [row[0] for row in connection.execute("PRAGMA quick_check")] != ["ok"]
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        triggers = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        bad += len({"event_append_only_delete", "event_append_only_update", "passage_search_delete"} - triggers)
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            tables = {row[0] for row in cursor}
            cursor.execute("SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'event'::regclass")
            bad += sum(enabled != "A" for name, enabled in cursor if name.startswith("event_"))
    bad += "event" not in tables
    lap("quick_check and schema")
    # the chain, and the state each event logged
    logged: dict[str, dict[int, str]] = {}
    previous, expected_seq = "0" * 64, 1
    for id_, occurred, actor, action, type_, key, before, after, reason, seq, hash_, state in stream(
        CHAIN_SQL, "chain"
    ):
        events += 1
        state = loads(state)
        form = {
            "id": id_,
            "seq": seq,
            "occurred_at": stamp(occurred),
            "actor": actor,
            "action": action,
            "subject_type": type_,
            "subject_key": key,
            "before": loads(before),
            "after": loads(after),
            "reason": reason,
            "state": state,
            "previous": previous,
        }
        bad += seq != expected_seq or sha256(encode(form).encode()).hexdigest() != hash_
        for table, digests in (state or {}).items():
            into = logged.setdefault(table, {})
            for row_id, digest in digests.items():
                into[int(row_id)] = digest
        previous, expected_seq = hash_, seq + 1
    for _row in stream(UNCHAINED_SQL, "unchained"):
        events += 1
        bad += 1
    lap("chain")
    # sources beside their passages: hash, digest, offsets and texts
    logged_sources = logged.get("source", {})
    source_rows = stream(SOURCES_SQL, "sources", 16)
    spans: list[tuple[Any, ...]] = []

    def next_source() -> Any:
        nonlocal sources, bad
        if current is not None:
            form = {"key": current[1], "text_sha256": current[3], "passages": sorted(spans)}
            bad += logged_sources.pop(current[0], None) != sha256(encode(form).encode()).hexdigest()
            spans.clear()
        row = next(source_rows, None)
        if row is not None:
            sources += 1
            bad += sha256(row[2].encode()).hexdigest() != row[3]
        return row

    current = None
    current = next_source()
    current_id, whole = (current[0], current[2]) if current is not None else (-1, "")
    for passage_id, source_id, kind, char_start, char_end, text, paragraph_no, sentence_no, page_no in stream(
        PASSAGES_SQL, "passages"
    ):
        passages += 1
        if current_id < source_id:
            while current is not None and current[0] < source_id:
                current = next_source()
            current_id, whole = (current[0], current[2]) if current is not None else (-1, "")
        if current_id != source_id:
            bad += 1
            continue
        spans.append((passage_id, kind, char_start, char_end, paragraph_no, sentence_no, page_no))
        # a stored text (sentences, quotes) is the source's at its offsets; a paragraph's (NULL) lies within it
        if whole[char_start:char_end] != text if text is not None else char_end > len(whole):
            bad += 1
    while current is not None:
        current = next_source()
    lap("sources and passages")
    # the marks of left-out words as anchoring reads them ("...", "…", "[...]"; an ellipsis at either end left out)
    split, leading, trailing = _OMISSION.split, _LEADING.sub, _TRAILING.sub
    for quote, method, score, text, claim_key in stream(EVIDENCE_SQL, "evidence"):
        evidence += 1
        if claim_key is None or text is None:
            bad += 1
        elif method == "exact_omission":
            position = 0
            for part in split(trailing("", leading("", quote))):
                if not part:
                    continue
                at = text.find(part, position)
                if at < 0:
                    bad += 1
                    break
                position = at + len(part)
        elif method == "fuzzy":
            bad += score is None or abs(round(fuzz.ratio(trailing("", leading("", quote)), text), 1) - score) > 0.05
        else:
            bad += quote != text and trailing("", leading("", quote)) != text
    lap("evidence")
    # each claim, evidence and contradiction against the digest last logged for it
    for table, columns, stamps, flags in (
        ("claim", CLAIM_COLUMNS, (10, 11), ()),
        ("evidence", EVIDENCE_COLUMNS, (13,), (9,)),
        ("contradiction", CONTRADICTION_COLUMNS, (10, 11), ()),
    ):
        digests = logged.get(table, {})
        for row in stream(f"SELECT {columns} FROM {table} ORDER BY id", table):
            rows += 1
            values = list(row)
            for n in stamps:
                values[n] = stamp(values[n])
            for n in flags:
                values[n] = bool(values[n])
            bad += digests.pop(values[0], None) != sha256(encode(values).encode()).hexdigest()
    bad += sum(map(len, logged.values()))  # logged rows no longer there
    lap("row states")
    for sql in references:
        for _row in stream(sql, "reference"):
            bad += 1
    lap("references")
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    connection.close()
    return {
        "seconds_inside": seconds,
        "cpu": cpu,
        "sources": sources,
        "passages": passages,
        "evidence": evidence,
        "events": events,
        "rows": rows,
        "bad": bad,
        "phases": times,
    }


# the columns of each row's digest, in order (logchain.ROW_FIELDS)
CLAIM_COLUMNS = (
    "id, key, statement, status, verdict, confidence, confidence_note, assignee, verdict_by, created_by, "
    "created_at, updated_at, version"
)
EVIDENCE_COLUMNS = (
    "id, claim_id, passage_id, stance, confidence, attributed_to, quote, anchor_method, anchor_score, needs_review, "
    "credibility, note, created_by, created_at"
)
CONTRADICTION_COLUMNS = (
    "id, claim_a_id, claim_b_id, kind, status, note, resolution, passage_a_id, passage_b_id, created_by, "
    "created_at, updated_at"
)


def run_verify(url: str) -> dict[str, Any]:
    from provenance import db, integrity

    engine = db.make_engine(url)
    with engine.connect():
        pass  # the first connection (and SQLAlchemy's first-connect checks) is not part of the measure
    times: dict[str, float] = {}

    def timing(name: str, function: Any) -> Any:
        def timed_phase(*args: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args)
            finally:
                times[name] = times.get(name, 0.0) + time.perf_counter() - started

        return timed_phase

    for name, attribute in zip(
        PHASES,
        (
            "_check_database",
            "_check_chain",
            "_check_sources_and_passages",
            "_check_evidence",
            "_check_logged_rows",
            "_check_references",
        ),
        strict=True,
    ):
        setattr(integrity, attribute, timing(name, getattr(integrity, attribute)))
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
        "events": checked.events,
        "rows": checked.claims + checked.evidence + checked.contradictions,
        "bad": len(checked.problems),
        "phases": times,
    }


def phase(name: str, url: str, articles: int, claims: int) -> None:
    if name == "fill":
        counts = fill(url, articles, claims, seed=20261122)
    else:
        counts = baseline(url) if name == "baseline" else run_verify(url)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"peak_mb": peak_mb, **counts}))


def timed(name: str, url: str, articles: int = 0, claims: int = 0) -> dict[str, Any]:
    """Run one phase in a process of its own (so that its peak memory is its own) and read what it measured."""
    command = [sys.executable, __file__, "--phase", name, "--target", url, "--articles", str(articles)]
    command += ["--claims", str(claims)]
    output = subprocess.run(command, check=True, capture_output=True, text=True)
    sys.stderr.write(output.stderr[-2000:])
    result: dict[str, Any] = json.loads(output.stdout.strip().splitlines()[-1])
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
        f"checked {ours['sources']:,.0f} sources, {ours['passages']:,.0f} passages, {ours['evidence']:,.0f} evidence, "
        f"{ours['events']:,.0f} events, {ours['rows']:,.0f} rows against their logged state "
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
    print("by phase (the median of each over the rounds):")
    for name in PHASES:
        mine = statistics.median(r[1]["phases"].get(name, 0.0) for r in rounds)
        theirs = statistics.median(r[0]["phases"].get(name, 0.0) for r in rounds)
        ratio = f"{mine / theirs:.2f}x" if theirs else "-"
        print(f"  {name + ':':24}verify {mine:6.2f} s, baseline {theirs:6.2f} s ({ratio})")
    return 0 if ours["bad"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
