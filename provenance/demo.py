"""The demo: a fresh SQLite database built from the seed corpus in sources/, and its cited report.

The demo replaces only a database of its own. It writes everything as the actor ``provenance demo``, so a demo
database is one whose every event (the audit log records every change) was written by that actor: a file that is
not a SQLite database, or whose log shows anyone else's work (a desk, or a demo someone has added to), is refused
unless the user forces it. A missing or empty file holds nothing to lose.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlalchemy.engine import URL

from provenance.db import (
    describe_url,
    driver_errors,
    make_engine,
    resolve_url,
    resource_dir,
    session_scope,
    upgrade,
)
from provenance.errors import Conflict, Invalid
from provenance.events import acting_as
from provenance.export import markdown
from provenance.importer import ImportSummary, import_claims_file
from provenance.report import build_report

CLAIMS_FILE = "demo-claims.yaml"
# Who the demo's events (and every "by" it records) name: how a demo database is told from a desk.
DEMO_ACTOR = "provenance demo"
DEMO_DATABASE = "provenance-demo.db"


@dataclass(frozen=True)
class DemoResult:
    database: Path
    summary: ImportSummary
    report: str


def demo_database(url: str | None, database: Path | None) -> Path:
    """The demo's file: ``database`` (the demo's own --db), or the SQLite file the group's ``url`` names, else
    provenance-demo.db."""
    if url is None:
        return database or Path(DEMO_DATABASE)
    resolved = resolve_url(url)
    if resolved.get_backend_name() != "sqlite" or not resolved.database or resolved.database == ":memory:":
        raise Invalid(f"the demo builds a SQLite file, not {describe_url(resolved)}; give --db a file path")
    if database is not None and Path(resolved.database) != database:
        raise Invalid(f"two demo databases given, {resolved.database} and {database}; give --db once")
    return Path(resolved.database)


def run_demo(database: Path, *, force: bool = False) -> DemoResult:
    """Build the demo database at ``database`` (replacing an earlier demo database) and return its report.

    Anything at ``database`` that is not a demo database is refused unless ``force``. The database is built
    beside its final place and moved there only once complete, so a failed run leaves any earlier demo database
    as it was.
    """
    if database.exists() and not database.is_file():
        raise Invalid(f"{database} is a folder; give the demo database a file name with --db")
    if not force:
        refuse_unless_demo(database)
    staging = database.with_name(database.name + ".building")
    _remove_sqlite_files(staging)
    engine = make_engine(URL.create("sqlite", database=str(staging)))
    try:
        with driver_errors(engine):  # a full disk, a read-only folder...: one line
            upgrade(engine)
            with session_scope(engine) as session, acting_as(DEMO_ACTOR):
                summary = import_claims_file(session, resource_dir("sources") / CLAIMS_FILE)
            with session_scope(engine) as session:
                report = markdown.render(build_report(session), title="Cited report: India and North Korea (demo)")
    except BaseException:
        engine.dispose()
        _remove_sqlite_files(staging)
        raise
    finally:
        engine.dispose()
    _remove_sqlite_files(database)
    os.replace(staging, database)
    return DemoResult(database, summary, report)


def refuse_unless_demo(database: Path) -> None:
    """Refuse a file the demo must not replace: anything but a demo database, or a missing or empty file."""
    if not database.exists() or database.stat().st_size == 0:
        return
    others = _work_of_others(database)
    if others:
        raise Conflict(
            f"{database} is not a demo database ({others}) and the demo would replace it; nothing was changed; "
            "give the demo another file with --db, or add --force to replace it"
        )


def _work_of_others(database: Path) -> str | None:
    """Why ``database`` is not a demo database (None: it is one), read without changing the file."""
    # read-only and without the engine's settings: opening must not change a file that is not the demo's
    uri = f"file:{quote(str(database.resolve()))}?mode=ro"
    try:
        with closing(sqlite3.connect(uri, uri=True)) as connection:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "event" not in tables:
                return "it has no provenance audit log"
            others = connection.execute(
                "SELECT actor, count(*) FROM event WHERE actor != ? GROUP BY actor ORDER BY count(*) DESC, actor",
                (DEMO_ACTOR,),
            ).fetchall()
    except sqlite3.OperationalError as exc:  # a SQLite database, but not provenance's (or locked)
        return f"it is not a provenance database that can be read: {exc}"
    except sqlite3.DatabaseError as exc:
        return f"it is not a SQLite database that can be read: {exc}"
    if not others:
        return None
    count = sum(n for _, n in others)
    return f"{count} of its changes were made by {', '.join(repr(actor) for actor, _ in others[:3])}"


def _remove_sqlite_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)
