"""Start-up: the command line loads only what a command needs, and checks the schema without Alembic.

How long commands take is measured in benchmarks/startup.py; these tests pin down what makes them fast, so that
the gain cannot be lost without a test failing.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from alembic.runtime.migration import MigrationContext
from conftest import REPO, Provenance
from sqlalchemy import event, text

from provenance import db, report
from provenance.cli import cli

# Libraries that take long to load and that only some commands use: none is loaded to start the command line.
HEAVY = (
    "alembic",
    "citeproc",
    "dateutil",
    "jinja2",
    "lxml",
    "markdown_it",
    "pydantic",
    "rapidfuzz",
    "rich",
    "tabulate",
    "tqdm",
    "trafilatura",
    "weasyprint",
    "yaml",
)


def _loaded_after(code: str, cwd: Path | None = None) -> set[str]:
    """The top-level packages and provenance modules a fresh Python has loaded after running ``code``: not those
    only named for loading when first used (still of the lazy loader's module type)."""
    script = (
        f"import sys\n{code}\nimport json\n"
        "print(json.dumps(sorted(n for n, m in sys.modules.items() if type(m).__name__ != '_LazyModule')))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=cwd)
    names: list[str] = json.loads(done.stdout.splitlines()[-1])
    return {name if name.startswith("provenance") else name.split(".")[0] for name in names}


def test_starting_the_command_line_loads_no_heavy_library_and_no_domain_module() -> None:
    loaded = _loaded_after("import provenance.cli")
    assert sorted(loaded & set(HEAVY)) == []
    assert "sqlalchemy" not in loaded  # not even the database: --help and --version need none
    domain = {name for name in loaded if name.startswith("provenance") and not name.startswith("provenance.cli")}
    assert domain <= {
        "provenance",
        "provenance.errors",
        "provenance.text",
        "provenance.export",
        "provenance.export.tables",
    }


def test_help_lists_every_command_without_loading_what_the_commands_use() -> None:
    loaded = _loaded_after(
        "from provenance.cli import cli\n"
        "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
        "try:\n    cli(['source', 'add', '--help'])\nexcept SystemExit:\n    pass\n"
    )
    assert sorted(loaded & set(HEAVY)) == []
    assert "sqlalchemy" not in loaded


def test_claim_show_loads_neither_alembic_nor_the_capture_and_export_libraries(
    seeded: Provenance, tmp_path: Path
) -> None:
    command = ["--db", seeded.url, "claim", "show", "suntech-diversion"]
    loaded = _loaded_after(
        f"from provenance.cli import cli\ntry:\n    cli({command!r})\nexcept SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n",
        cwd=tmp_path,
    )
    assert "sqlalchemy" in loaded and "provenance.report" in loaded  # it did run
    # nor the libraries that anchor quotes (rapidfuzz), read written dates (dateutil) and render references
    # (citeproc-py and lxml, through provenance.cslstyle): the modules it uses load them only to do that
    assert sorted(loaded & set(HEAVY)) == []
    assert "provenance.cslstyle" not in loaded
    # nor what only writing needs: capturing sources (with segmentation and document reading) and the log
    assert sorted(loaded & {"provenance.sources", "provenance.segmentation", "provenance.documents"}) == []


def test_a_report_of_claims_chosen_by_key_reads_each_claim_once(seeded: Provenance) -> None:
    """``claim show`` finds its claim by key, and the report's queries then name its id: the claim is not read a
    second time, and no query selects the claim's id again by key (SQLAlchemy compiles every query anew in each
    process, so each one costs a command time)."""
    engine = db.make_engine(seeded.url)
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: seen.append(" ".join(str(args[2]).split())))
    try:
        with db.session_scope(engine, readonly=True) as session:
            entry = report.build_report(session, ["suntech-diversion"]).claims[0]
            assert entry.claim.key == "suntech-diversion" and entry.supporting
    finally:
        engine.dispose()
    reads = [statement for statement in seen if statement.startswith("SELECT claim.id, claim.")]
    assert len(reads) == 1 and "WHERE claim." in reads[0]
    assert not [statement for statement in seen if "SELECT claim.id FROM claim" in statement]


# --- the schema revision, known without Alembic ---------------------------------------------------------------


def test_the_revisions_read_from_the_migration_files_are_alembics() -> None:
    scripts = db.script_directory()
    from_alembic = {}
    for script in scripts.walk_revisions():
        down = script.down_revision
        from_alembic[script.revision] = (down,) if isinstance(down, str) else tuple(down or ())
    assert db.known_revisions() == from_alembic
    assert len(from_alembic) >= 13


def test_the_head_revision_read_from_the_migration_files_is_alembics() -> None:
    assert db.head_revision() == db.script_directory().get_current_head()


def _alembic_revision(url: str) -> str | None:
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def test_the_current_revision_is_read_as_alembic_reads_it(empty_db_url: str) -> None:
    engine = db.make_engine(empty_db_url)
    try:
        assert db.current_revision(engine) is None and _alembic_revision(empty_db_url) is None
        oldest = db.revision_history()[-1]["revision"]
        db.upgrade(engine, oldest)
        assert db.current_revision(engine) == _alembic_revision(empty_db_url) == oldest
        db.upgrade(engine)
        assert db.current_revision(engine) == _alembic_revision(empty_db_url) == db.head_revision()
    finally:
        engine.dispose()


def test_a_version_table_without_a_revision_is_no_schema(empty_db_url: str) -> None:
    engine = db.make_engine(empty_db_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
        assert db.current_revision(engine) is None and _alembic_revision(empty_db_url) is None
    finally:
        engine.dispose()


def test_a_database_at_an_older_revision_is_told_to_upgrade(empty_db_url: str) -> None:
    engine = db.make_engine(empty_db_url)
    try:
        db.upgrade(engine, db.revision_history()[1]["revision"])
    finally:
        engine.dispose()
    line = Provenance(empty_db_url).fails("claim", "list")
    assert line.endswith(f"needs ({db.head_revision()}); run `provenance db upgrade`")


# --- what the help says without loading the modules it quotes -------------------------------------------------


def _option_help(path: list[str], name: str) -> str:
    command: click.Command = cli
    for word in path:
        assert isinstance(command, click.Group)
        command = command.commands[word]
    (option,) = [p for p in command.params if p.name == name]
    assert isinstance(option, click.Option) and option.help is not None
    return option.help


def test_the_values_written_out_for_help_are_the_domain_modules_values() -> None:
    from provenance import anchoring, citations, events, extract, history, reanchor, report, workflow
    from provenance.cli import app, capture, integrity, output, sources
    from provenance.cli import history as history_cli
    from provenance.cli import workflow as workflow_cli
    from provenance.models import ClaimStatus, Verdict

    assert app.URL_ENV == db.URL_ENV
    assert app.USER_ENV == events.USER_ENV
    assert capture.DEFAULT_MIN_SCORE == anchoring.DEFAULT_MIN_SCORE
    assert workflow_cli.BOARD_PER_STATUS == workflow.BOARD_PER_STATUS
    assert f"{anchoring.DEFAULT_MIN_SCORE:g}/100" in _option_help(["evidence", "add"], "accept_fuzzy")
    assert integrity.REANCHOR_MIN_SCORE == reanchor.MIN_SCORE
    assert f"at least {anchoring.format_score(reanchor.MIN_SCORE)}/100" in " ".join(
        (cli.commands["reanchor"].help or "").split()
    )
    assert output.STYLES == citations.STYLES
    assert output.ORDERS == report.ORDERS
    assert sources.DEFAULT_MAX_BYTES == extract.DEFAULT_MAX_BYTES
    assert history_cli.DEFAULT_LIMIT == history.DEFAULT_LIMIT
    assert ", ".join(workflow.words(s) for s in ClaimStatus) == workflow_cli.STATUS_WORDS
    assert ", ".join(workflow.words(v) for v in Verdict) == workflow_cli.VERDICT_WORDS


# --- modules loaded when first used -----------------------------------------------------------------------------


def _lazy_imports(path: Path) -> tuple[set[str], set[str]]:
    """The modules a command module imports under ``if TYPE_CHECKING:`` (for the type checker: name -> module)
    and those it names in its ``lazy.modules(...)``/``lazy.module(...)`` calls."""
    tree = ast.parse(path.read_text())
    typed: set[str] = set()
    loaded: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for statement in node.body:
                if isinstance(statement, ast.ImportFrom) and (statement.module or "").startswith("provenance"):
                    for alias in statement.names:
                        typed.add(f"{statement.module}.{alias.name}")
            for statement in node.orelse:
                for call in ast.walk(statement):
                    if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute):
                        loaded |= {arg.value for arg in call.args if isinstance(arg, ast.Constant)}
    modules = {name for name in typed if _is_module(name)}
    return modules, loaded


def _is_module(name: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


@pytest.mark.parametrize("path", sorted((REPO / "provenance" / "cli").glob("*.py")), ids=lambda p: p.name)
def test_each_command_module_loads_at_run_time_the_modules_it_names_for_the_type_checker(path: Path) -> None:
    typed, loaded = _lazy_imports(path)
    assert typed == loaded


def test_a_module_loaded_when_first_used_is_the_module_itself() -> None:
    from provenance.cli import capture

    assert capture.claims.add_claim.__module__ == "provenance.claims"
    assert sys.modules["provenance.claims"] is capture.claims
    import provenance.claims

    assert provenance.claims is capture.claims


def test_a_module_loaded_when_first_used_keeps_its_own_loader_and_the_collector_runs_after() -> None:
    """The collector is paused only while such a module loads; its loader is then the usual one (tracebacks read
    its source lines through it)."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import gc, importlib.machinery\n"
            "from provenance.cli import capture\n"
            "capture.report.ORDERS\n"
            "import provenance.report as r\n"
            "assert type(r.__loader__) is importlib.machinery.SourceFileLoader, r.__loader__\n"
            "assert r.__spec__.loader is r.__loader__\n"
            "print(gc.isenabled(), gc.get_freeze_count())",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split() == ["True", "0"]


def test_the_command_line_leaves_the_last_collection_out_at_exit() -> None:
    """At exit every object is in the collector's permanent generation (see provenance.cli.app)."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import atexit, gc\n"
            "atexit.register(lambda: print(gc.get_freeze_count() > 0, len(gc.get_objects())))\n"
            "from provenance.cli import cli\n"
            "cli(['--version'])",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    frozen, tracked = done.stdout.splitlines()[-1].split()
    assert frozen == "True" and tracked == "0"
