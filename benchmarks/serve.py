"""Benchmark: the desk's server read by 32 clients at once, and written by 8, against a floor route in the same run.

    python benchmarks/serve.py                                  # SQLite, 60 s a phase
    python benchmarks/serve.py --backend postgresql             # PostgreSQL at --server (a database of its own)
    python benchmarks/serve.py --seconds 15                     # shorter phases
    python benchmarks/serve.py --articles 2700 --claims 1000    # a smaller desk (about 100,000 passages)

The desk: about 1,000,000 passages (26,700 generated news articles through provenance's own bulk capture, the
corpus of ``benchmarks/ingest.py``), 10,000 claims with 5 evidence each (50,000: exact quotes, quotes with words
left out, fuzzy matches), filled by ``benchmarks/verify.py``'s ``fill``. Building it takes minutes, so it is kept
between runs, keyed by :data:`DESK_VERSION`, the schema's revision and the desk's size: a SQLite file under
--cache, or a PostgreSQL database named after the key; every run works on a copy (a file copy, or ``CREATE
DATABASE ... TEMPLATE``), with one account per role and a token each.

The server: the real app (:func:`provenance.web.app.create_app`, as ``provenance serve`` builds it) under uvicorn
in a subprocess on the loopback interface, plus one route added only here, ``/floor``, which answers a fixed small
JSON document without touching the database: the cost of uvicorn, FastAPI and the loopback with nothing of the
desk in it. The readers (--clients, 32, asyncio with httpx, each with its own connection) then read, for
--seconds each, in this order:

- the floor: ``GET /floor`` as fast as they can;
- the desk: a fixed mix of the board, claim lists, claim pages, search and history (each route only if the server
  has it; the table says which ran), with claims and words drawn at random.

Before the readers start, each route is read alone, one request at a time, 5 times (the table's "alone" column:
what a route costs by itself). Prints p50/p95/p99 of each route and of the whole mix, and the ratio of the mix's
p95 to the floor's p95, the target being 5x at most. Then the writes (SQLite only, as there only one writer at a
time holds the database; --no-writes skips them): --writers (8) clients adding evidence to claims for --seconds,
counting 201s, 503s (retried after their Retry-After) and any other answer (a 5xx other than 503 is a failure);
afterwards every evidence a 201 announced must be in the database, and the evidence rows must have grown by
exactly the 201s. Not a test: run it by hand.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

REPO = Path(__file__).resolve().parent.parent
# Change when the desk built here changes (what fill writes, the accounts), so that a cached desk is rebuilt.
DESK_VERSION = "serve-1"
SECRET = b"b" * 32
PASSWORD = "correct horse battery staple"
API = "/api/v1"
FLOOR_BODY = {"status": "ok", "floor": True, "items": [1, 2, 3]}
SEARCH_WORDS = ["minister", "nuclear", "Pyongyang", "reference", "decades", "trade", "talks", "missiles", "Seoul"]


# --- the desk, built once and copied for each run --------------------------------------------------------


def schema_head() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config(str(REPO / "alembic.ini"))
    config.set_main_option("script_location", str(REPO / "migrations"))
    return str(ScriptDirectory.from_config(config).get_current_head())


def desk_key(articles: int, claims: int) -> str:
    return f"{DESK_VERSION}-{schema_head()}-{articles}a-{claims}c".replace("-", "_")


def fill_desk(url: str, articles: int, claims: int) -> None:
    from verify import fill  # benchmarks/verify.py: the generated corpus, captured, and claims with evidence

    start = time.perf_counter()
    filled = fill(url, articles, claims, seed=7)
    print(
        f"built the desk: {filled['passages']:,} passages, {filled['evidence']:,} evidence, {claims:,} claims in "
        f"{time.perf_counter() - start:.0f} s",
        file=sys.stderr,
    )


class SqliteDesks:
    def __init__(self, cache: Path, key: str) -> None:
        self.template = cache / f"{key}.db"
        self.work = Path(tempfile.mkdtemp(prefix="serve-bench-"))

    def ensure(self, articles: int, claims: int) -> None:
        if self.template.exists():
            print(f"desk: {self.template} (cached)", file=sys.stderr)
            return
        self.template.parent.mkdir(parents=True, exist_ok=True)
        building = self.template.with_suffix(".building")
        building.unlink(missing_ok=True)
        fill_desk(f"sqlite:///{building}", articles, claims)
        building.rename(self.template)

    def copy(self) -> str:
        target = self.work / f"{uuid.uuid4().hex}.db"
        shutil.copyfile(self.template, target)
        return f"sqlite:///{target}"

    def close(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)


class PostgresDesks:
    def __init__(self, server: str, key: str) -> None:
        from sqlalchemy import create_engine

        self.server, self.template = server.rstrip("/"), f"bench_{key}".lower()[:63]
        self.admin = create_engine(f"{self.server}/postgres", isolation_level="AUTOCOMMIT")
        self.copies: list[str] = []

    def _exists(self, name: str) -> bool:
        from sqlalchemy import text

        with self.admin.connect() as connection:
            return bool(connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}))

    def _run(self, statement: str) -> None:
        with self.admin.connect() as connection:
            connection.exec_driver_sql(statement)

    def ensure(self, articles: int, claims: int) -> None:
        if self._exists(self.template):
            print(f"desk: database {self.template} (cached)", file=sys.stderr)
            return
        building = self.template[:54] + "_building"
        self._run(f'DROP DATABASE IF EXISTS "{building}"')
        self._run(f'CREATE DATABASE "{building}"')
        fill_desk(f"{self.server}/{building}", articles, claims)
        self._run(f'ALTER DATABASE "{building}" RENAME TO "{self.template}"')

    def copy(self) -> str:
        name = f"bench_serve_run_{uuid.uuid4().hex[:12]}"
        self._run(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        self.copies.append(name)
        return f"{self.server}/{name}"

    def close(self) -> None:
        for name in self.copies:
            self._run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.dispose()


def add_accounts(url: str) -> dict[str, str]:
    """An editor and a researcher per writer, each with a token: name -> token."""
    from provenance import accounts, db, events
    from provenance.access import Actor
    from provenance.models import Identity

    engine = db.make_engine(url)
    tokens: dict[str, str] = {}
    try:
        with db.session_scope(engine) as session, events.acting_as(Actor("operator", Identity.OPERATOR)):
            for name, role in [("editor", "editor"), *((f"writer{n}", "researcher") for n in range(16))]:
                accounts.add_account(session, name, PASSWORD, role=role)
                _token, secret = accounts.create_token(session, "benchmark", account_name=name)
                tokens[name] = secret
    finally:
        engine.dispose()
    return tokens


@dataclass
class Sample:
    """What the clients draw from: claim keys, and (claim, source, sentence) for new evidence."""

    claims: list[str]
    quotes: list[tuple[str, str, str]]


def sample_desk(url: str, rng: random.Random) -> Sample:
    from sqlalchemy import select

    from provenance import db
    from provenance.models import Claim, Passage, PassageKind, Source

    engine = db.make_engine(url)
    try:
        with db.session_scope(engine, readonly=True) as session:
            keys = list(session.scalars(select(Claim.key).order_by(Claim.id)))
            sentences = list(
                session.execute(
                    select(Source.key, Passage.stored_text)
                    .join(Source, Source.id == Passage.source_id)
                    .where(Passage.kind == PassageKind.SENTENCE, Passage.id % 97 == 0)
                    .limit(5000)
                )
            )
    finally:
        engine.dispose()
    quotes = [(rng.choice(keys), str(source), str(text)) for source, text in sentences if text and len(text) > 40]
    return Sample(keys, quotes)


# --- the server ------------------------------------------------------------------------------------------


def run_server(url: str, port: int) -> None:
    """The real app, plus /floor, under uvicorn on the loopback (this process)."""
    import uvicorn

    from provenance.web.app import ServerConfig, create_app

    app = create_app(ServerConfig(database_url=url, secret=SECRET))

    @app.get("/floor", include_in_schema=False)
    def floor() -> dict[str, Any]:
        return FLOOR_BODY

    # as `provenance serve` runs it (one worker, its default)
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        proxy_headers=False,
        server_header=False,
        log_level="warning",
        access_log=False,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    def __init__(self, url: str) -> None:
        import httpx

        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--phase", "server", "--target", url, "--port", str(self.port)]
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server stopped with code {self.process.returncode}")
            try:
                if httpx.get(f"{self.base}{API}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            self.stop()
            raise SystemExit("the server did not answer /health within 120 s")
        spec = httpx.get(f"{self.base}/openapi.json", timeout=30).json()
        self.routes = {(method.upper(), path) for path, item in spec["paths"].items() for method in item}

    def has(self, method: str, path: str) -> bool:
        return (method, API + path) in self.routes

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# --- the clients -----------------------------------------------------------------------------------------


@dataclass
class Tally:
    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


def read_mix(server: Server, sample: Sample) -> list[tuple[str, Any]]:
    """(route label, a function of a random generator giving (path, params)) for each route the server has."""
    mix: list[tuple[str, Any]] = []
    if server.has("GET", "/board"):
        mix.append(("GET /board", lambda rng: ("/board", {})))
    if server.has("GET", "/claims"):
        mix.append(("GET /claims", lambda rng: ("/claims", {"limit": 50})))
    if server.has("GET", "/claims/{key}"):
        mix.append(("GET /claims/{key}", lambda rng: (f"/claims/{rng.choice(sample.claims)}", {})))
        mix.append(("GET /claims/{key}", lambda rng: (f"/claims/{rng.choice(sample.claims)}", {})))
    if server.has("GET", "/search"):
        mix.append(("GET /search", lambda rng: ("/search", {"q": rng.choice(SEARCH_WORDS)})))
    if server.has("GET", "/claims/{key}/history"):
        mix.append(("GET /claims/{key}/history", lambda rng: (f"/claims/{rng.choice(sample.claims)}/history", {})))
    elif server.has("GET", "/history"):
        mix.append(("GET /history", lambda rng: ("/history", {"claim": rng.choice(sample.claims)})))
    return mix


async def read_for(server: Server, token: str, mix: list[tuple[str, Any]], clients: int, seconds: float) -> Tally:
    import httpx

    tally = Tally()
    stop_at = time.perf_counter() + seconds

    async def client(number: int) -> None:
        rng = random.Random(number)
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=server.base, headers=headers, timeout=60) as http:
            while time.perf_counter() < stop_at:
                label, choose = rng.choice(mix)
                path, params = choose(rng)
                started = time.perf_counter()
                try:
                    response = await http.get(path if label == "GET /floor" else API + path, params=params)
                    await response.aread()
                except httpx.HTTPError as exc:
                    tally.failures.append(f"{label}: {type(exc).__name__}: {exc}")
                    continue
                tally.seconds[label].append(time.perf_counter() - started)
                tally.statuses[(label, response.status_code)] += 1
                if response.status_code != 200:
                    tally.failures.append(f"{label} {path} {params}: {response.status_code} {response.text[:200]}")

    await asyncio.gather(*(client(n) for n in range(clients)))
    return tally


def one_at_a_time(server: Server, token: str, mix: list[tuple[str, Any]], rng: random.Random) -> dict[str, float]:
    """Each route (and the floor) alone, one request at a time, 5 times: the median, before the clients start."""
    import httpx

    found: dict[str, list[float]] = defaultdict(list)
    with httpx.Client(base_url=server.base, headers={"Authorization": f"Bearer {token}"}, timeout=300) as http:
        for _ in range(5):
            for label, choose in [("GET /floor", lambda rng: ("/floor", {})), *dict(mix).items()]:
                path, params = choose(rng)
                started = time.perf_counter()
                http.get(path if label == "GET /floor" else API + path, params=params).raise_for_status()
                found[label].append(time.perf_counter() - started)
    return {label: sorted(values)[len(values) // 2] for label, values in found.items()}


async def write_for(server: Server, tokens: list[str], sample: Sample, seconds: float) -> dict[str, Any]:
    """Each writer adds evidence in a loop; a 503 is retried after its Retry-After."""
    import httpx

    created: list[int] = []
    counts: Counter[str] = Counter()
    failures: list[str] = []
    latencies: list[float] = []
    stop_at = time.perf_counter() + seconds

    async def writer(number: int, token: str) -> None:
        rng = random.Random(1000 + number)
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=server.base, headers=headers, timeout=120) as http:
            while time.perf_counter() < stop_at:
                claim, source, quote = rng.choice(sample.quotes)
                body = {"source": source, "quote": quote, "stance": rng.choice(["supports", "contradicts"])}
                started = time.perf_counter()
                while True:
                    response = await http.post(f"{API}/claims/{claim}/evidence", json=body)
                    if response.status_code != 503:
                        break
                    counts["503 (retried)"] += 1
                    if "retry-after" not in response.headers:
                        failures.append(f"503 without Retry-After: {response.text[:200]}")
                        return
                    await asyncio.sleep(float(response.headers["retry-after"]))
                latencies.append(time.perf_counter() - started)
                if response.status_code == 201:
                    counts["201"] += 1
                    created.append(int(response.json()["evidence_id"]))
                else:  # a 4xx is the desk refusing this one (a quote already linked): counted, not a failure
                    counts[str(response.status_code)] += 1
                    if response.status_code >= 500:
                        failures.append(
                            f"POST /claims/{claim}/evidence {body}: {response.status_code} {response.text[:300]}"
                        )

    await asyncio.gather(*(writer(n, token) for n, token in enumerate(tokens)))
    return {"created": created, "counts": counts, "failures": failures, "seconds": latencies}


def evidence_count(url: str) -> int:
    from sqlalchemy import func, select

    from provenance import db
    from provenance.models import Evidence

    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(Evidence.__table__)) or 0)
    finally:
        engine.dispose()


def missing_evidence(url: str, ids: list[int]) -> list[int]:
    from sqlalchemy import select

    from provenance import db
    from provenance.models import Evidence

    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            present = set(connection.scalars(select(Evidence.id).where(Evidence.id.in_(ids))))
    finally:
        engine.dispose()
    return [n for n in ids if n not in present]


# --- the report -------------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def row(label: str, values: list[float], seconds: float, alone: float | None) -> str:
    """A line of the table; ``alone``: the route's median time with no other request at the server."""
    by_itself = f"{alone * 1000:.1f}" if alone is not None else "-"
    if not values:
        return f"| {label} | {by_itself} | 0 | - | - | - | - |"
    return (
        f"| {label} | {by_itself} | {len(values):,} | {len(values) / seconds:,.0f} | "
        f"{percentile(values, 0.50) * 1000:.1f} | "
        f"{percentile(values, 0.95) * 1000:.1f} | {percentile(values, 0.99) * 1000:.1f} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432", help="PostgreSQL server URL")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each phase")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--articles", type=int, default=26_700, help="about 37.5 passages each")
    parser.add_argument("--claims", type=int, default=10_000, help="5 evidence each")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "provenance-benchmarks")
    parser.add_argument("--no-writes", action="store_true")
    parser.add_argument("--build-only", action="store_true", help="build (or find) the cached desk and stop")
    parser.add_argument("--phase", choices=["server"], help=argparse.SUPPRESS)
    parser.add_argument("--target", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "server":
        run_server(args.target, args.port)
        return 0

    key = desk_key(args.articles, args.claims)
    desks: SqliteDesks | PostgresDesks = (
        SqliteDesks(args.cache, key) if args.backend == "sqlite" else PostgresDesks(args.server, key)
    )
    try:
        desks.ensure(args.articles, args.claims)
        if args.build_only:
            return 0
        return measure(args, desks)
    finally:
        desks.close()


def measure(args: argparse.Namespace, desks: SqliteDesks | PostgresDesks) -> int:
    url = desks.copy()
    tokens = add_accounts(url)
    sample = sample_desk(url, random.Random(11))
    server = Server(url)
    failed = False
    try:
        mix = read_mix(server, sample)
        alone = one_at_a_time(server, tokens["editor"], mix, random.Random(3))
        floor = asyncio.run(
            read_for(server, tokens["editor"], [("GET /floor", lambda rng: ("/floor", {}))], args.clients, args.seconds)
        )
        desk = asyncio.run(read_for(server, tokens["editor"], mix, args.clients, args.seconds))
        writes = None
        if not args.no_writes and args.backend == "sqlite" and server.has("POST", "/claims/{key}/evidence"):
            before = evidence_count(url)
            writers = [tokens[f"writer{n}"] for n in range(args.writers)]
            writes = asyncio.run(write_for(server, writers, sample, args.seconds))
    finally:
        server.stop()

    print(
        f"{args.backend}: {len(sample.claims):,} claims; {args.clients} clients, {args.seconds:.0f} s a phase; "
        f"routes the server lacks are left out of the mix"
    )
    print("| route | alone ms | requests | per second | p50 ms | p95 ms | p99 ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(row("floor: GET /floor", floor.seconds["GET /floor"], args.seconds, alone.get("GET /floor")))
    everything = [s for values in desk.seconds.values() for s in values]
    for label in sorted(desk.seconds):
        print(row(label, desk.seconds[label], args.seconds, alone.get(label)))
    print(row("the desk's mix", everything, args.seconds, None))
    if everything and floor.seconds["GET /floor"]:
        ratio = percentile(everything, 0.95) / percentile(floor.seconds["GET /floor"], 0.95)
        print(f"p95 of the mix / p95 of the floor: {ratio:.2f}x (target: at most 5x)")
        failed |= ratio > 5
    for tally in (floor, desk):
        for line in tally.failures[:10]:
            print(f"  not 200: {line}")
        failed |= bool(tally.failures)
    if writes is not None:
        counts = writes["counts"]
        after = evidence_count(url)
        missing = missing_evidence(url, writes["created"])
        print(
            f"writes: {args.writers} clients adding evidence for {args.seconds:.0f} s: {counts['201']:,} created "
            f"({counts['201'] / args.seconds:.1f}/s), {counts['503 (retried)']:,} answered 503 with Retry-After and "
            f"retried, others {dict((k, v) for k, v in counts.items() if k not in ('201', '503 (retried)'))}; "
            f"p50 {percentile(writes['seconds'], 0.5) * 1000:.0f} ms, "
            f"p95 {percentile(writes['seconds'], 0.95) * 1000:.0f} ms (retries included)"
        )
        print(
            f"afterwards: evidence rows {before:,} -> {after:,} (+{after - before:,}, 201s: {counts['201']:,}); "
            f"201s not in the database: {len(missing)}"
        )
        for line in writes["failures"][:10]:
            print(f"  failed: {line}")
        failed |= bool(missing) or after - before != counts["201"] or bool(writes["failures"])
    elif not args.no_writes and args.backend == "sqlite":
        print("writes: the server has no POST /api/v1/claims/{key}/evidence yet; not measured")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
