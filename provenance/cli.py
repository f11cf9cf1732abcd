"""The ``provenance`` command. Each command parses its arguments, calls one domain function and prints.

Errors the user can fix (:class:`ProvenanceError`) become one ``Error: ...`` line on stderr and exit code 1,
in :meth:`ProvenanceGroup.main` only; usage mistakes exit 2 with one line too.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import click
from sqlalchemy.orm import Session

from provenance import __version__, bundle, citations, claims, db, importer, sources
from provenance.demo import run_demo
from provenance.errors import Invalid, ProvenanceError
from provenance.export import claimreview, csl, html, markdown, prov, records, report_json, text, webannotation
from provenance.report import ORDERS, Selection, build_report, load_events


class ProvenanceGroup(click.Group):
    """A click group that reports every error in a single line."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except ProvenanceError as exc:
            _fail(str(exc), 1)
        except click.UsageError as exc:
            hint = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx is not None else ""
            _fail(exc.format_message() + hint, exc.exit_code)
        except click.ClickException as exc:
            _fail(exc.format_message(), exc.exit_code)
        except click.Abort:
            _fail("aborted", 1)
        sys.exit(result if isinstance(result, int) else 0)


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"Error: {' '.join(message.split())}", err=True)
    sys.exit(code)


def _print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _note(message: str) -> None:
    """Progress and hints go to stderr, so that stdout holds only the result."""
    click.echo(message, err=True)


json_option = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON only.")


@contextmanager
def _database(ctx: click.Context) -> Iterator[Session]:
    """A session on the chosen database at the current schema, committed only if the command succeeds."""
    engine = db.make_engine(ctx.find_root().obj["db"])
    try:
        db.require_current_schema(engine)
        with db.session_scope(engine) as session:
            yield session
    finally:
        engine.dispose()


def _engine_command(ctx: click.Context, action: Callable[[Any], Any]) -> Any:
    engine = db.make_engine(ctx.find_root().obj["db"])
    try:
        return action(engine)
    finally:
        engine.dispose()


@click.group(cls=ProvenanceGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    metavar="URL",
    envvar=db.URL_ENV,
    help=f"Database URL or SQLite file path (default: ./provenance.db; also ${db.URL_ENV}).",
)
@click.version_option(__version__, prog_name="provenance")
@click.pass_context
def cli(ctx: click.Context, db: str | None) -> None:
    """Track where every claim came from, how sure we are, and who says otherwise.

    \b
    Example:
        provenance init
        provenance source add sources/*.txt
        provenance import sources/demo-claims.yaml
        provenance claim show suntech-diversion
    """
    ctx.obj = {"db": db}


# --- database -----------------------------------------------------------------------------------------


@cli.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create the database, or upgrade it to the current schema.

    Example: provenance --db postgresql://postgres@localhost/desk init
    """

    def action(engine: Any) -> None:
        before, after = db.upgrade(engine)
        where = db.describe_url(engine.url)
        if before == after:
            _note(f"{where} is already at schema {after}")
        else:
            _note(f"{where} {'created' if before is None else 'upgraded'} at schema {after}")

    _engine_command(ctx, action)


@cli.group("db", cls=ProvenanceGroup)
def db_group() -> None:
    """Inspect and migrate the database schema.

    Example: provenance db current
    """


@db_group.command("current")
@json_option
@click.pass_context
def db_current(ctx: click.Context, as_json: bool) -> None:
    """Show the database's schema revision.

    Example: provenance db current
    """

    def action(engine: Any) -> str | None:
        db.require_existing(engine)
        return db.check_known_revision(engine)

    revision = _engine_command(ctx, action)
    head = db.head_revision()
    if as_json:
        _print_json({"revision": revision, "head": head, "up_to_date": revision == head})
    else:
        state = "up to date" if revision == head else f"behind: latest is {head}"
        click.echo(f"{revision or 'none (run `provenance init`)'} ({state})")


@db_group.command("history")
@json_option
def db_history(as_json: bool) -> None:
    """List the schema revisions this provenance knows, newest first.

    Example: provenance db history
    """
    history = db.revision_history()
    if as_json:
        _print_json(history)
    else:
        for entry in history:
            click.echo(f"{entry['revision']}  {entry['message']}")


@db_group.command("upgrade")
@click.argument("revision", default="head")
@click.pass_context
def db_upgrade(ctx: click.Context, revision: str) -> None:
    """Migrate the schema up to REVISION (default: the latest).

    Example: provenance db upgrade
    """
    before, after = _engine_command(ctx, lambda engine: db.upgrade(engine, revision))
    _note(f"schema {before or 'none'} -> {after}")


@db_group.command("downgrade")
@click.argument("revision")
@click.pass_context
def db_downgrade(ctx: click.Context, revision: str) -> None:
    """Migrate the schema down to REVISION ('base' drops every table and all data).

    Example: provenance db downgrade base
    """
    before, after = _engine_command(ctx, lambda engine: db.downgrade(engine, revision))
    _note(f"schema {before or 'none'} -> {after or 'none'}")


# --- sources ------------------------------------------------------------------------------------------


@cli.group("source", cls=ProvenanceGroup)
def source_group() -> None:
    """Capture articles and look at them.

    Example: provenance source add sources/*.txt
    """


@source_group.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--key", help="The source's key (one file only; default: the file name, slugified).")
@click.option("--title", help="Title, when the article does not give one.")
@click.option("--author", help="Author (byline).")
@click.option("--publisher", help="Publisher or site name.")
@click.option("--url", help="Where the article was published.")
@click.option("--published", help="Publication date, e.g. 2018-05-17.")
@click.option("--reliability", help="Admiralty source reliability A-F (default F: cannot be judged).")
@click.option("--reliability-note", help="Why that reliability.")
@json_option
@click.pass_context
def source_add(
    ctx: click.Context,
    files: tuple[Path, ...],
    key: str | None,
    title: str | None,
    author: str | None,
    publisher: str | None,
    url: str | None,
    published: str | None,
    reliability: str | None,
    reliability_note: str | None,
    as_json: bool,
) -> None:
    """Capture plain-text articles; prints each one's key.

    Header lines at the top of a file (Published: ..., By ..., Title: ...) become its metadata. All files are
    read before anything is stored: one bad file stores none.

    Example: provenance source add sources/*.txt
    """
    if key is not None and len(files) > 1:
        raise Invalid("--key names one source; give one file with it")
    metadata = sources.Metadata(
        title=title,
        author=author,
        publisher=publisher,
        url=url,
        published=sources.parse_date_option(published) if published else None,
    )
    documents = [sources.read_document(path) for path in files]
    with _database(ctx) as session:
        results = [
            sources.add_source(
                session,
                document,
                key=key,
                metadata=metadata,
                reliability=reliability,
                reliability_note=reliability_note,
            )
            for document in documents
        ]
        rows = {row.source.id: row for row in sources.list_sources(session)}
    if as_json:
        _print_json([{**records.source_row_record(rows[r.source.id]), "created": r.created} for r in results])
        return
    for result in results:
        row = rows[result.source.id]
        state = "added" if result.created else "already stored, unchanged"
        click.echo(f"{row.source.key}\t{state} ({row.paragraphs} paragraphs, {row.sentences} sentences)")


@source_group.command("list")
@json_option
@click.pass_context
def source_list(ctx: click.Context, as_json: bool) -> None:
    """List sources: keys, titles, dates, passage counts.

    Example: provenance source list
    """
    with _database(ctx) as session:
        rows = sources.list_sources(session)
    if as_json:
        _print_json([records.source_row_record(r) for r in rows])
    else:
        click.echo(text.source_table(rows))


@source_group.command("show")
@click.argument("key")
@click.option("--passages", is_flag=True, help="Also list its paragraphs, sentences and quotes with offsets.")
@json_option
@click.pass_context
def source_show(ctx: click.Context, key: str, passages: bool, as_json: bool) -> None:
    """Show a source's metadata (and, with --passages, its passages).

    Example: provenance source show india-north-korea-2018 --passages
    """
    with _database(ctx) as session:
        source = sources.get_source(session, key)
        found = sources.source_passages(session, source) if passages else None
    if as_json:
        data = records.source_record(source)
        if found is not None:
            data["passages"] = [records.passage_record(p) for p in found]
        _print_json(data)
    else:
        click.echo(text.source_detail(source, found))


# --- claims -------------------------------------------------------------------------------------------


@cli.group("claim", cls=ProvenanceGroup)
def claim_group() -> None:
    """Record claims and see their evidence.

    Example: provenance claim show suntech-diversion
    """


@claim_group.command("add")
@click.argument("key")
@click.argument("statement")
@click.option("--about", multiple=True, metavar="ENTITY", help="An entity the claim is about (repeatable).")
@click.option("--confidence", help="Overall likelihood: an ICD 203 term (e.g. 'likely') or a number 0..1.")
@click.option("--confidence-note", help="Why that likelihood.")
@json_option
@click.pass_context
def claim_add(
    ctx: click.Context,
    key: str,
    statement: str,
    about: tuple[str, ...],
    confidence: str | None,
    confidence_note: str | None,
    as_json: bool,
) -> None:
    """Record a claim under KEY.

    Example: provenance claim add khan-trade-2003 "A. Q. Khan traded nuclear know-how with Iran, Libya and
    North Korea" --about "Abdul Qadeer Khan" --about "North Korea"
    """
    with _database(ctx) as session:
        claim = claims.add_claim(
            session, key, statement, about=about, confidence=confidence, confidence_note=confidence_note
        )
        about_names = [e.name for e in claim.entities]
    if as_json:
        _print_json(records.claim_record(claim, about_names))
    else:
        click.echo(claim.key)


@claim_group.command("list")
@click.option("--about", metavar="ENTITY", help="Only claims about this entity.")
@json_option
@click.pass_context
def claim_list(ctx: click.Context, about: str | None, as_json: bool) -> None:
    """List claims with their status and likelihood.

    Example: provenance claim list --about "North Korea"
    """
    with _database(ctx) as session:
        found = [(c, [e.name for e in c.entities]) for c in claims.list_claims(session, about)]
    if as_json:
        _print_json([records.claim_record(c, names) for c, names in found])
    else:
        click.echo(text.claim_table(found))


@claim_group.command("show")
@click.argument("key")
@json_option
@click.pass_context
def claim_show(ctx: click.Context, key: str, as_json: bool) -> None:
    """Show a claim: statement, likelihood, every passage quoted with its source and offsets, and what contradicts it.

    Example: provenance claim show suntech-diversion
    """
    with _database(ctx) as session:
        entry = build_report(session, [key]).claims[0]
    if as_json:
        _print_json(records.claim_detail_record(entry))
    else:
        click.echo(text.claim_detail(entry))


# --- evidence and contradictions ----------------------------------------------------------------------


@cli.group("evidence", cls=ProvenanceGroup)
def evidence_group() -> None:
    """Link claims to the passages that bear on them.

    Example: provenance evidence add CLAIM SOURCE --quote "exact words" --stance supports
    """


@evidence_group.command("add")
@click.argument("claim_key", metavar="CLAIM")
@click.argument("source_key", metavar="SOURCE")
@click.option("--quote", required=True, help="The exact words from the source.")
@click.option("--stance", required=True, help="supports, contradicts or mentions.")
@click.option("--confidence", help="How likely the passage's statement is true: ICD 203 term or number 0..1.")
@click.option("--attributed-to", help="Who in the article makes the statement.")
@click.option("--note", help="Why that stance and likelihood.")
@click.option("--prefix", help="Text right before the quote, to choose among several occurrences.")
@click.option("--suffix", help="Text right after the quote, to choose among several occurrences.")
@click.option("--occurrence", type=int, help="Which occurrence (1, 2, ...) when the quote occurs several times.")
@json_option
@click.pass_context
def evidence_add(
    ctx: click.Context,
    claim_key: str,
    source_key: str,
    quote: str,
    stance: str,
    confidence: str | None,
    attributed_to: str | None,
    note: str | None,
    prefix: str | None,
    suffix: str | None,
    occurrence: int | None,
    as_json: bool,
) -> None:
    """Link CLAIM to the passage of SOURCE that --quote stands for.

    Example: provenance evidence add suntech-diversion india-medical-aid-2020 --quote "certain nuclear
    materials supplied to Pakistan Atomic Energy Commission" --stance supports --confidence unlikely
    --attributed-to "New Delhi, citing unnamed sources"
    """
    with _database(ctx) as session:
        evidence = claims.add_evidence(
            session,
            claim_key,
            source_key,
            quote,
            stance=stance,
            confidence=confidence,
            attributed_to=attributed_to,
            note=note,
            prefix=prefix,
            suffix=suffix,
            occurrence=occurrence,
        )
        passage = evidence.passage
    if as_json:
        _print_json(
            {
                "claim": claim_key,
                "source": source_key,
                "evidence_id": evidence.id,
                "stance": evidence.stance.value,
                "anchor_method": evidence.anchor_method.value,
                "confidence": records.likelihood(evidence.confidence),
                "passage": records.passage_record(passage),
            }
        )
    else:
        click.echo(
            f"{claim_key} <- {source_key} characters {passage.char_start}–{passage.char_end} "
            f"({passage.kind.value}, {evidence.stance.value})"
        )


@cli.group("contradiction", cls=ProvenanceGroup)
def contradiction_group() -> None:
    """Record claims that cannot both be true.

    Example: provenance contradiction add CLAIM_A CLAIM_B --note "why"
    """


@contradiction_group.command("add")
@click.argument("claim_a")
@click.argument("claim_b")
@click.option("--note", help="Why they cannot both be true.")
@click.pass_context
def contradiction_add(ctx: click.Context, claim_a: str, claim_b: str, note: str | None) -> None:
    """Record that CLAIM_A and CLAIM_B contradict each other.

    Example: provenance contradiction add dprk-denuclearisation-willingness talks-may-be-called-off
    """
    with _database(ctx) as session:
        claims.add_contradiction(session, claim_a, claim_b, note=note)
    click.echo(f"{claim_a} <-> {claim_b} (open)")


# --- files in and out ---------------------------------------------------------------------------------


@cli.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@json_option
@click.pass_context
def import_command(ctx: click.Context, file: Path, as_json: bool) -> None:
    """Load a claims file (YAML or JSON) or a bundle from `provenance export bundle`. All or nothing.

    Example: provenance import sources/demo-claims.yaml
    """
    contents = importer.read_data(file)  # a malformed file fails before the database is opened
    if bundle.is_bundle(contents):
        with _database(ctx) as session:
            loaded = bundle.load(session, contents)
        if as_json:
            _print_json({"bundle": str(file), "rows": loaded.rows})
        else:
            click.echo(f"imported bundle {file}: {loaded.describe()}")
        return
    spec = importer.parse_claims(contents, file)
    with _database(ctx) as session:
        summary = importer.import_claims_file(session, file, spec)
    data = {
        "sources_added": summary.sources_added,
        "sources_unchanged": summary.sources_unchanged,
        "claims": summary.claims,
        "evidence": summary.evidence,
        "contradictions": summary.contradictions,
    }
    if as_json:
        _print_json(data)
    else:
        click.echo(
            f"imported {summary.claims} claim(s), {summary.evidence} evidence, {summary.contradictions} "
            f"contradiction(s); sources added: {', '.join(summary.sources_added) or 'none'}"
            + (f"; already stored: {', '.join(summary.sources_unchanged)}" if summary.sources_unchanged else "")
        )


def check_output_folder(path: Path) -> None:
    """Refuse an output path whose folder does not exist, before any work is done."""
    if path.is_dir():
        raise Invalid(f"cannot write {path}: it is a folder; give a file name")
    if not path.parent.is_dir():
        raise Invalid(f"cannot write {path}: folder {path.parent} does not exist; create it or choose another path")


def write_output(path: Path, content: str | bytes) -> None:
    """Write ``content`` to ``path`` whole: into a temporary file beside it, then renamed over it."""
    check_output_folder(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content.encode("utf-8") if isinstance(content, str) else content)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes the file private; give it the usual permissions
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def selection_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--claim, --about, --status and --since: which claims a report or export covers."""
    for option in reversed(
        [
            click.option("--claim", "keys", multiple=True, metavar="KEY", help="Only these claims (repeatable)."),
            click.option(
                "--about", multiple=True, metavar="ENTITY", help="Only claims about this entity (repeatable)."
            ),
            click.option(
                "--status",
                "statuses",
                multiple=True,
                metavar="STATUS",
                help="Only claims with this status (repeatable).",
            ),
            click.option("--since", metavar="DATE", help="Only claims created or changed on or after this date."),
        ]
    ):
        command = option(command)
    return command


def _selection(
    keys: tuple[str, ...], about: tuple[str, ...], statuses: tuple[str, ...], since: str | None
) -> Selection:
    return Selection(
        keys=keys, about=about, statuses=statuses, since=sources.parse_date_option(since) if since else None
    )


def _emit(content: str | bytes, output: Path | None, what: str) -> None:
    """Print ``content`` to stdout, or write it whole to ``output``."""
    if output is None:
        if isinstance(content, bytes):
            raise Invalid(f"{what} is binary; write it to a file with --output")
        click.echo(content, nl=False)
    else:
        write_output(output, content)
        _note(f"{what} written to {output}")


REPORT_FORMATS = ("markdown", "html", "json", "pdf")


@cli.command()
@click.option(
    "--format",
    "fmt",
    default="markdown",
    show_default=True,
    metavar="FORMAT",
    help=f"One of: {', '.join(REPORT_FORMATS)} (pdf needs provenance[pdf]).",
)
@click.option("--style", default="apa", show_default=True, help=f"Citation style: {', '.join(citations.STYLES)}.")
@click.option("--order", default="key", show_default=True, help=f"Order claims by: {', '.join(ORDERS)} (then key).")
@selection_options
@click.option("--title", default="Cited report", show_default=True, help="The report's heading.")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write to this file instead of stdout.")
@click.pass_context
def report(
    ctx: click.Context,
    fmt: str,
    style: str,
    order: str,
    keys: tuple[str, ...],
    about: tuple[str, ...],
    statuses: tuple[str, ...],
    since: str | None,
    title: str,
    output: Path | None,
) -> None:
    """Write a cited report: every claim, its quoted passages with footnotes, its contradictions.

    Example: provenance report --format html --style chicago-author-date --about "North Korea" -o report.html
    """
    if fmt not in REPORT_FORMATS:
        raise Invalid(f"unknown report format {fmt!r}; use one of: {', '.join(REPORT_FORMATS)}")
    if style not in citations.STYLES:
        raise Invalid(f"unknown citation style {style!r}; use one of: {', '.join(citations.STYLES)}")
    if output is not None:
        check_output_folder(output)
    with _database(ctx) as session:
        data = build_report(session, selection=_selection(keys, about, statuses, since), order=order)
        content: str | bytes
        if fmt == "markdown":
            content = markdown.render(data, title=title, style=style)
        elif fmt == "json":
            content = report_json.render(data, title=title)
        elif fmt == "html":
            content = html.render(data, title=title, style=style)
        else:
            content = html.render_pdf(data, title=title, style=style)
    _emit(content, output, "report")


EXPORT_FORMATS = ("webannotation", "claimreview", "prov", "csl", "bundle")


@cli.command("export")
@click.argument("fmt", metavar="FORMAT")
@selection_options
@click.option(
    "--organisation",
    envvar="PROVENANCE_ORGANISATION",
    help="ClaimReview: the fact-checking organisation's name (or $PROVENANCE_ORGANISATION).",
)
@click.option(
    "--base-url",
    envvar="PROVENANCE_BASE_URL",
    help="ClaimReview: the organisation's site, e.g. https://factcheck.example.org (or $PROVENANCE_BASE_URL).",
)
@click.option(
    "--prov-format", default="json", show_default=True, help="prov: json (PROV-JSON), provn or turtle (PROV-O)."
)
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write to this file instead of stdout.")
@click.pass_context
def export_command(
    ctx: click.Context,
    fmt: str,
    keys: tuple[str, ...],
    about: tuple[str, ...],
    statuses: tuple[str, ...],
    since: str | None,
    organisation: str | None,
    base_url: str | None,
    prov_format: str,
    output: Path | None,
) -> None:
    """Export for other tools: webannotation, claimreview, prov, csl, or the whole database as a bundle.

    \b
    Example:
        provenance export webannotation -o annotations.jsonld
        provenance export claimreview --organisation "Desk" --base-url https://factcheck.example.org
        provenance export bundle -o desk.json   # then: provenance --db postgresql://... import desk.json
    """
    if fmt not in EXPORT_FORMATS:
        raise Invalid(f"unknown export format {fmt!r}; use one of: {', '.join(EXPORT_FORMATS)}")
    selected = bool(keys or about or statuses or since)
    if fmt == "bundle" and selected:
        raise Invalid("a bundle holds the whole database; leave out --claim, --about, --status and --since")
    if fmt == "claimreview" and not (organisation and base_url):
        raise Invalid(
            "ClaimReview needs --organisation NAME and --base-url URL (or $PROVENANCE_ORGANISATION "
            "and $PROVENANCE_BASE_URL)"
        )
    if output is not None:
        check_output_folder(output)
    with _database(ctx) as session:
        if fmt == "bundle":
            content = bundle.dumps(session)
        else:
            data = build_report(session, selection=_selection(keys, about, statuses, since))
            if fmt == "webannotation":
                content = webannotation.render(data)
            elif fmt == "claimreview":
                assert organisation is not None and base_url is not None
                content = claimreview.render(data, organisation=organisation, base_url=base_url)
            elif fmt == "prov":
                content = prov.render(data, load_events(session), fmt=prov_format)
            else:
                content = csl.render(data)
    _emit(content, output, f"{fmt} export")


@cli.command()
@click.option(
    "--db",
    "database",
    type=click.Path(path_type=Path),
    default="provenance-demo.db",
    show_default=True,
    help="Where to build the demo SQLite database (replaced if it exists).",
)
def demo(database: Path) -> None:
    """Build a fresh SQLite database from the seed corpus in sources/ and print its cited report.

    Example: provenance demo && provenance --db provenance-demo.db claim list
    """
    result = run_demo(database)
    s = result.summary
    _note(
        f"demo database {result.database}: {len(s.sources_added)} sources, {s.claims} claims, "
        f"{s.evidence} evidence, {s.contradictions} contradiction(s)"
    )
    click.echo(result.report, nl=False)
    _note(f"explore it: provenance --db {result.database} claim show suntech-diversion")
