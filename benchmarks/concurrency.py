"""Benchmark: several provenance processes writing to one database at once, and what the log's hash chain costs.

    python benchmarks/concurrency.py                           # 8 processes x 100 writes, SQLite
    python benchmarks/concurrency.py --processes 16 --writes 200
    python benchmarks/concurrency.py --via cli --writes 30     # each write a whole `provenance` command
    python benchmarks/concurrency.py --db postgresql://postgres@127.0.0.1:5432/provenance_test   # PostgreSQL

Each process writes in a loop, one transaction per write, as separate `provenance` commands would: it adds a
claim of its own, links that claim to a sentence of the 2018 seed article (`evidence add`), then sets the
likelihood of one claim all the processes share (`claim confidence`), and so on. With ``--via domain`` (the
default) a write is the domain function in its own :func:`provenance.db.session_scope`; with ``--via cli`` it is
the whole command run in-process (`provenance --db ... claim add ...`: a new engine, the schema check, the
session), without the interpreter starting. The processes start together after loading their modules.

The same load runs three ways, in this order, each on a fresh copy of the database:

- ``implicit``: no BEGIN from provenance; Python's sqlite3 begins a transaction at the first INSERT, UPDATE or
  DELETE, so what a write read before that is not protected by the transaction;
- ``deferred``: ``BEGIN DEFERRED`` at the start: reads and writes in one transaction, the read lock upgraded to
  the write lock at the first write;
- ``immediate``: ``BEGIN IMMEDIATE`` at the start, as provenance does: the write lock taken first.

plus a baseline measured in the same run: one process making all the writes one after another (immediate).
Prints, for each, the writes that succeeded and the errors by kind ("database is locked", a claim changed
since it was read), the total time and its ratio to the baseline, and the time a write took (median, 95th
percentile, slowest) with the longest wait for the write lock (the BEGIN IMMEDIATE statement). Then checks the
database: as many claims, evidence, events and versions as writes that succeeded, and (for runs with the chain)
that `verify` finds the log one unbroken chain over them all.

The chain's cost: the immediate run again with sealing switched off (``events.SEAL = False``: events written
without their place and hash in the chain), and the ratio of the two. With ``--db postgresql://...`` every run
is on PostgreSQL instead (a schema of its own each, dropped afterwards; the SQLite modes do not apply there): the
baseline, the processes at once with the chain, and without it. Not a test: run it by hand.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "sources" / "india-north-korea-2018.txt"
SOURCE_KEY = "seed-2018"
QUOTE = "The reference seemed to be to reports for the past more than two decades"
SHARED = "shared-claim"
MODES = {"implicit": None, "deferred": "DEFERRED", "immediate": "IMMEDIATE"}


# --- one process --------------------------------------------------------------------------------------


def worker(url: str, name: str, writes: int, via: str, start_at: float) -> dict[str, Any]:
    """Make ``writes`` writes as process ``name``; returns each write's seconds, the lock waits and the errors."""
    from provenance import assessment, claims, db
    from provenance.cli import cli

    def write(session: Any, j: int) -> None:
        kind = j % 3
        if kind == 0:
            claims.add_claim(session, f"{name}-{j}", f"Claim {j} written by {name}")
        elif kind == 1:
            claims.add_evidence(session, f"{name}-{j - 1}", SOURCE_KEY, QUOTE, stance="supports")
        else:
            likelihood = "likely" if j % 2 else "unlikely"
            assessment.set_claim_confidence(session, SHARED, likelihood, reason=f"{name} write {j}")

    def command(j: int) -> list[str]:
        kind = j % 3
        if kind == 0:
            return ["claim", "add", f"{name}-{j}", f"Claim {j} written by {name}"]
        if kind == 1:
            return ["evidence", "add", f"{name}-{j - 1}", SOURCE_KEY, "--quote", QUOTE, "--stance", "supports"]
        likelihood = "likely" if j % 2 else "unlikely"
        return ["claim", "confidence", SHARED, likelihood, "--reason", f"{name} write {j}"]

    waits: list[float] = []
    began: list[float] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("BEGIN"):
            began.append(time.perf_counter())

    def after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("BEGIN") and began:
            waits.append(time.perf_counter() - began.pop())

    from sqlalchemy.engine import Engine

    event.listen(Engine, "before_cursor_execute", before)
    event.listen(Engine, "after_cursor_execute", after)
    engine = db.make_engine(url)
    seconds: list[float] = []
    errors: list[str] = []
    time.sleep(max(0.0, start_at - time.time()))
    for j in range(writes):
        started = time.perf_counter()
        try:
            if via == "cli":
                with contextlib.redirect_stdout(io.StringIO()):  # what the command prints is not the report
                    cli.main(["--db", url, *command(j)], standalone_mode=False)
            else:
                with db.session_scope(engine) as session:
                    write(session, j)
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        seconds.append(time.perf_counter() - started)
    engine.dispose()
    return {"seconds": seconds, "waits": waits, "errors": errors}


# --- the run ------------------------------------------------------------------------------------------


def prepare(url: str) -> None:
    """A database with the 2018 seed article and the shared claim."""
    from provenance import claims, db, documents, sources

    engine = db.make_engine(url)
    db.upgrade(engine)
    with db.session_scope(engine) as session:
        sources.add_source(session, documents.read_document(SEED), key=SOURCE_KEY)
        claims.add_claim(session, SHARED, "A claim every process changes")
    engine.dispose()


class Databases:
    """A fresh prepared database for each run: a copy of a SQLite template, or a PostgreSQL schema of its own
    (dropped at the end)."""

    def __init__(self, work: Path, server: str | None) -> None:
        self.work, self.server, self.schemas = work, server, []
        if server is None:
            self.template = work / "template.db"
            prepare(f"sqlite:///{self.template}")

    def new(self, name: str) -> str:
        if self.server is None:
            path = self.work / f"{name}.db"
            shutil.copy(self.template, path)
            return f"sqlite:///{path}"
        from provenance import db

        schema = f"bench_{uuid.uuid4().hex[:12]}"
        with self._admin() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        self.schemas.append(schema)
        url = db.resolve_url(self.server).update_query_dict({"options": f"-csearch_path={schema}"})
        text = url.render_as_string(hide_password=False)
        prepare(text)
        return text

    def _admin(self) -> Any:
        from sqlalchemy import create_engine

        from provenance import db

        return create_engine(db.resolve_url(self.server), isolation_level="AUTOCOMMIT").connect()

    def drop(self) -> None:
        if self.schemas:
            with self._admin() as connection:
                for schema in self.schemas:
                    connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')


def run(
    databases: Databases, mode: str, processes: int, writes: int, via: str, *, chain: bool = True
) -> dict[str, Any]:
    url = databases.new(f"{mode}-{processes}-{'chained' if chain else 'unchained'}")
    start_at = time.time() + 2.0  # every process has loaded its modules by then
    env = {**os.environ, "PROVENANCE_USER": "benchmark"}
    children = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--worker",
                url,
                f"p{i}",
                str(writes),
                via,
                str(start_at),
                mode,
                "chained" if chain else "unchained",
            ],
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        for i in range(processes)
    ]
    results = [json.loads(child.communicate()[0]) for child in children]
    seconds = [s for r in results for s in r["seconds"]]
    errors = [e for r in results for e in r["errors"]]
    total = time.time() - start_at
    return {
        "mode": mode if chain else f"{mode}, no chain",
        "processes": processes,
        "ok": len(seconds) - len(errors),
        "errors": errors,
        "total": total,
        "seconds": seconds,
        "waits": [w for r in results for w in r["waits"]],
        "check": check(url, chain),
    }


def check(url: str, chain: bool) -> dict[str, Any]:
    from provenance import db, integrity
    from provenance.models import Claim, Event, Evidence

    engine = db.make_engine(url)
    with engine.connect() as connection:
        counts: dict[str, Any] = {
            "claims": (connection.scalar(select(func.count()).select_from(Claim)) or 0) - 1,
            "evidence": connection.scalar(select(func.count()).select_from(Evidence)) or 0,
            "events": connection.scalar(select(func.count()).where(Event.actor == "benchmark")) or 0,
            "shared_changes": (connection.scalar(select(Claim.version).where(Claim.key == SHARED)) or 1) - 1,
        }
    if chain:
        with db.session_scope(engine, readonly=True) as session:
            verified = integrity.verify(session)
        counts["verify"] = (
            f"verify: {verified.head_seq} events in one unbroken chain"
            if verified.ok
            else f"verify: {len(verified.problems)} PROBLEMS, first: {verified.problems[0].line()}"
        )
    engine.dispose()
    return counts


def kind(error: str) -> str:
    if "database is locked" in error or "locked by another command" in error:
        return "database is locked"
    if "changed by someone else" in error or "as expected" in error:
        return "changed since it was read"
    if error.startswith("NotFound: no claim"):
        return "its claim missing (not added: locked)"
    unique = re.search(r"UNIQUE constraint failed: (\w+)", error)
    if unique:
        return f"{unique[1]} inserted twice (IntegrityError)"
    return error.split(":")[0]


def described(result: dict[str, Any], baseline: float | None) -> str:
    seconds = sorted(result["seconds"])
    p95 = seconds[int(0.95 * (len(seconds) - 1))]
    ratio = f" ({result['total'] / baseline:.2f}x baseline)" if baseline else ""
    errors = Counter(kind(e) for e in result["errors"])
    failed = ", ".join(f"{n} {what}" for what, n in errors.most_common()) or "none"
    wait = f", longest wait for the write lock {max(result['waits']):.3f} s" if result["waits"] else ""
    c = result["check"]
    stored = c["claims"] + c["evidence"] + c["shared_changes"]
    return (
        f"{result['mode']:>9} x{result['processes']}: {result['ok']} writes ok, failed: {failed}; "
        f"{result['total']:.2f} s{ratio}; a write took median {statistics.median(seconds) * 1000:.1f} ms, "
        f"p95 {p95 * 1000:.1f} ms, slowest {seconds[-1]:.3f} s{wait}\n"
        f"{'':>14}stored: {c['claims']} claims, {c['evidence']} evidence, {c['shared_changes']} changes of the "
        f"shared claim, {c['events']} events ({'all' if stored == c['events'] == result['ok'] else 'MISMATCH'})"
        + (f"; {c['verify']}" if "verify" in c else "")
    )


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        url, name, writes, via, start_at, mode, chain = sys.argv[2:9]
        from provenance import db, events

        db.SQLITE_SESSION_BEGIN = MODES[mode]
        events.SEAL = chain == "chained"
        print(json.dumps(worker(url, name, int(writes), via, float(start_at))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--writes", type=int, default=100, help="writes per process")
    parser.add_argument("--via", choices=["domain", "cli"], default="domain")
    parser.add_argument("--db", help="a PostgreSQL database URL to run on (a schema per run) instead of SQLite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        databases = Databases(Path(folder), args.db)
        try:
            where = f"PostgreSQL ({args.db})" if args.db else f"SQLite {sqlite_version()}"

            def describe(result: dict[str, Any], baseline: float | None) -> str:
                text = described(result, baseline)
                return text if args.db is None else text.replace("immediate", "  at once")

            print(f"{args.processes} processes x {args.writes} writes ({args.via}), {where}")
            baseline = run(databases, "immediate", 1, args.processes * args.writes, args.via)
            print(
                describe(baseline, None).replace("immediate x1", " baseline x1").replace("  at once x1", "baseline x1")
            )
            modes = list(MODES) if args.db is None else ["immediate"]
            for mode in modes:
                chained = run(databases, mode, args.processes, args.writes, args.via)
                print(describe(chained, baseline["total"]))
            unchained = run(databases, "immediate", args.processes, args.writes, args.via, chain=False)
            print(describe(unchained, baseline["total"]))
            print(
                f"the chain's cost: {chained['total']:.2f} s with it, {unchained['total']:.2f} s without "
                f"({chained['total'] / unchained['total']:.2f}x); a write's median "
                f"{statistics.median(chained['seconds']) * 1000:.1f} ms against "
                f"{statistics.median(unchained['seconds']) * 1000:.1f} ms"
            )
        finally:
            databases.drop()
    return 0


def sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version


if __name__ == "__main__":
    sys.exit(main())
