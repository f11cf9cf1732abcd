"""Database fixtures: every database test runs on SQLite and, when PROVENANCE_TEST_DATABASE_URL names a
PostgreSQL server, on PostgreSQL too, each test in a database (or schema) of its own at the latest schema."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner, Result
from sqlalchemy import URL, Engine, create_engine, func, inspect, select, text
from sqlalchemy.orm import Session

from provenance import accounts, db
from provenance.cli import cli
from provenance.models import Base

PG_ENV = "PROVENANCE_TEST_DATABASE_URL"
PG_URL = os.environ.get(PG_ENV)
PG_SKIP_REASON = (
    f"PostgreSQL tests need a server: set {PG_ENV}=postgresql://USER@HOST:5432/DB (a database the tests may "
    "create schemas in)"
)
REPO = Path(__file__).resolve().parent.parent
SOURCES = REPO / "sources"
SEED_2018 = SOURCES / "india-north-korea-2018.txt"
SEED_2020 = SOURCES / "india-medical-aid-2020.txt"
DEMO_CLAIMS = SOURCES / "demo-claims.yaml"


def pytest_sessionstart(session: pytest.Session) -> None:
    """A PostgreSQL URL that is set but unreachable fails the run: it must not turn into skipped tests."""
    if not PG_URL:
        return
    try:
        engine = db.make_engine(PG_URL)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        pytest.exit(f"cannot reach PostgreSQL at {PG_URL} ({PG_ENV}): {exc}", returncode=1)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and not PG_URL:
        pytest.skip(PG_SKIP_REASON)
    return str(request.param)


def _pg_schema_url(schema: str) -> URL:
    assert PG_URL is not None
    return db.resolve_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})


@pytest.fixture
def empty_db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database with no tables: a SQLite file, or a fresh schema on the PostgreSQL server."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(db.resolve_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _pg_schema_url(schema).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated to head once, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "head.db"
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def db_url(backend: str, empty_db_url: str, sqlite_template: Path) -> str:
    """A database at the latest schema, with no rows."""
    if backend == "sqlite":
        shutil.copy(sqlite_template, db.resolve_url(empty_db_url).database or "")
    else:
        engine = db.make_engine(empty_db_url)
        db.upgrade(engine)
        engine.dispose()
    return empty_db_url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = db.make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


def row_counts(url: str) -> dict[str, int]:
    """How many rows each table holds: compared before and after a failing command to prove nothing changed.
    (At an older schema revision, the tables it does not have yet are left out.)"""
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            present = set(inspect(connection).get_table_names())
            return {
                name: connection.scalar(select(func.count()).select_from(table)) or 0
                for name, table in Base.metadata.tables.items()
                if name in present
            }
    finally:
        engine.dispose()


class Provenance:
    """Runs the CLI in-process against one database, as a user would type it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None) -> Result:
        # --debug: an internal error (a bug) raises here, failing the test, instead of becoming one line
        return self.runner.invoke(cli, ["--debug", "--db", self.url, *args], input=input, catch_exceptions=False)

    def ok(self, *args: str) -> Result:
        result = self(*args)
        assert result.exit_code == 0, f"exit {result.exit_code}: {result.stderr}"
        return result

    def fails(self, *args: str, code: int = 1) -> str:
        """Run a command that must fail with one error line and change nothing; returns that line."""
        before = row_counts(self.url)
        result = self(*args)
        assert result.exit_code == code, f"exit {result.exit_code}, stdout {result.stdout!r}"
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
        assert row_counts(self.url) == before
        return lines[0]


@pytest.fixture
def provenance(db_url: str) -> Provenance:
    return Provenance(db_url)


@pytest.fixture(scope="session")
def sqlite_seeded_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The SQLite template with the demo corpus imported once, copied for each test that needs it."""
    path = tmp_path_factory.mktemp("seeded") / "seeded.db"
    shutil.copy(sqlite_template, path)
    Provenance(f"sqlite:///{path}").ok("import", str(DEMO_CLAIMS))
    return path


@pytest.fixture
def seeded(provenance: Provenance, backend: str, sqlite_seeded_template: Path) -> Provenance:
    """A database holding the demo corpus: both seed articles and the demo claims file."""
    if backend == "sqlite":
        shutil.copy(sqlite_seeded_template, db.resolve_url(provenance.url).database or "")
    else:
        provenance.ok("import", str(DEMO_CLAIMS))
    return provenance


# --- the desk's server ------------------------------------------------------------------------------------

ROLE_NAMES = ("viewer", "researcher", "reviewer", "editor", "admin")
# Argon2id at its lowest cost, for tests that make and check passwords by the hundred (tests of the hashing itself
# set the real parameters): the recommended ones take about 0.1 s and 64 MiB each.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "hasher", CHEAP_HASHER)


PASSWORD = "correct horse battery staple"  # every test account's password
SERVER_SECRET = b"s" * 32


class DeskApi:
    """The desk's app on one test database, in-process, with one account per role (named after its role, password
    :data:`PASSWORD`) and a bearer token for each; ``editor2`` is a second editor (for the second-person rule)."""

    def __init__(self, url: str, client: Any, tokens: dict[str, str]) -> None:
        self.url = url
        self.client = client
        self.tokens = tokens

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def request(self, method: str, path: str, who: str | None = "editor", **kwargs: Any) -> Any:
        headers = {**(self.auth(who) if who is not None else {}), **kwargs.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kwargs)

    def get(self, path: str, who: str | None = "editor", **kwargs: Any) -> Any:
        return self.request("GET", path, who, **kwargs)

    def post(self, path: str, who: str | None = "editor", **kwargs: Any) -> Any:
        return self.request("POST", path, who, **kwargs)

    def problem(self, response: Any, status: int) -> str:
        """The one line of a problem response with ``status``; checks it is RFC 9457 problem+json."""
        assert response.status_code == status, (response.status_code, response.text)
        assert response.headers["content-type"].startswith("application/problem+json"), response.headers
        body = response.json()
        assert body["status"] == status and body["title"] and "\n" not in body["detail"]
        return str(body["detail"])


def make_accounts(url: str) -> dict[str, str]:
    """One account per role (and ``editor2``), each with a token; returns name -> token secret."""
    from provenance import accounts, events
    from provenance.access import Actor
    from provenance.models import Identity

    engine = db.make_engine(url)
    tokens: dict[str, str] = {}
    try:
        with db.session_scope(engine) as session, events.acting_as(Actor("operator", Identity.OPERATOR)):
            for name, role in [*((r, r) for r in ROLE_NAMES), ("editor2", "editor")]:
                accounts.add_account(session, name, PASSWORD, role=role)
                _token, secret = accounts.create_token(session, "tests", account_name=name)
                tokens[name] = secret
    finally:
        engine.dispose()
    return tokens


def desk_api_on(url: str) -> Iterator[DeskApi]:
    from fastapi.testclient import TestClient

    from provenance.web.app import ServerConfig, create_app

    tokens = make_accounts(url)
    app = create_app(ServerConfig(database_url=url, secret=SERVER_SECRET))
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            yield DeskApi(url, client, tokens)
    finally:
        app.state.engine.dispose()


@pytest.fixture
def desk_api(db_url: str) -> Iterator[DeskApi]:
    """The desk's app on an empty database at the latest schema, with one account per role."""
    yield from desk_api_on(db_url)


@pytest.fixture
def seeded_api(seeded: Provenance) -> Iterator[DeskApi]:
    """The desk's app on the demo corpus, with one account per role."""
    yield from desk_api_on(seeded.url)
