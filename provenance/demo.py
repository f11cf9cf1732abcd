"""The demo: a fresh SQLite database built from the seed corpus in sources/, and its cited report."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL

from provenance.db import make_engine, resource_dir, session_scope, upgrade
from provenance.errors import Invalid
from provenance.export import markdown
from provenance.importer import ImportSummary, import_claims_file
from provenance.report import build_report

CLAIMS_FILE = "demo-claims.yaml"


@dataclass(frozen=True)
class DemoResult:
    database: Path
    summary: ImportSummary
    report: str


def run_demo(database: Path) -> DemoResult:
    """Build the demo database at ``database`` (replacing an earlier one) and return its report.

    The database is built beside its final place and moved there only once complete, so a failed run leaves
    any earlier demo database as it was.
    """
    if database.exists() and not database.is_file():
        raise Invalid(f"{database} is a folder; give the demo database a file name with --db")
    staging = database.with_name(database.name + ".building")
    _remove_sqlite_files(staging)
    engine = make_engine(URL.create("sqlite", database=str(staging)))
    try:
        upgrade(engine)
        with session_scope(engine) as session:
            summary = import_claims_file(session, resource_dir("sources") / CLAIMS_FILE)
        with session_scope(engine) as session:
            report = markdown.render(build_report(session), title="Cited report: India and North Korea (demo)")
    finally:
        engine.dispose()
    _remove_sqlite_files(database)
    os.replace(staging, database)
    return DemoResult(database, summary, report)


def _remove_sqlite_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)
