"""Commands that capture, show, rate and retract sources:
``provenance source add|archive|list|show|history|rate|derive|retract``."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from provenance.cli import lazy, remote
from provenance.cli import output as output_files
from provenance.cli.app import ProvenanceGroup, cli, json_option, open_database, print_json, say
from provenance.errors import Invalid, ProvenanceError
from provenance.export.tables import table as columns
from provenance.text import printable

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from provenance import assessment, documents, extract, ingest, outfile, reanchor, retraction, sources, webcapture
    from provenance.export import records, text
else:  # loaded when a command first uses them: see provenance.cli.lazy
    (
        assessment,
        documents,
        extract,
        ingest,
        outfile,
        reanchor,
        retraction,
        sources,
        webcapture,
        records,
        text,
    ) = lazy.modules(
        "provenance.assessment",
        "provenance.documents",
        "provenance.extract",
        "provenance.ingest",
        "provenance.outfile",
        "provenance.reanchor",
        "provenance.retraction",
        "provenance.sources",
        "provenance.webcapture",
        "provenance.export.records",
        "provenance.export.text",
    )

MB = 1_000_000  # as the size limit counts them (extract.DEFAULT_MAX_BYTES)
# extract.DEFAULT_MAX_BYTES, written out so that --help need not load the readers (tests/test_startup.py checks it)
DEFAULT_MAX_BYTES = 50 * MB
DEFAULT_TIMEOUT = 30.0  # seconds: fetch.DEFAULT_TIMEOUT, written out for the same reason


@cli.group("source", cls=ProvenanceGroup)
def source_group() -> None:
    """Capture articles and look at them.

    Example: provenance source add sources/
    """


@source_group.command("add")
@click.argument("arguments", nargs=-1, required=True, metavar="FILE_FOLDER_OR_URL...")
@click.option("--key", help="The source's key (one file only; default: the file name, slugified).")
@click.option(
    "--version-of",
    metavar="KEY",
    help="Store the file as the next version of source KEY (its latest version), whatever their texts share "
    "(one file only).",
)
@click.option(
    "--not-a-version",
    is_flag=True,
    help="Store each file as a source of its own, never as a version of one captured from the same path or URL.",
)
@click.option("--title", help="Title, when the article does not give one.")
@click.option("--author", help="Author (byline).")
@click.option("--publisher", help="Publisher or site name.")
@click.option("--url", help="Where the article was published.")
@click.option("--published", help="Publication date, e.g. 2018-05-17.")
@click.option("--reliability", help="Admiralty source reliability A-F (default F: cannot be judged).")
@click.option("--reliability-note", help="Why that reliability.")
@click.option("--strict", is_flag=True, help="Stop at the first file that cannot be captured, storing nothing.")
@click.option(
    "--max-size",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_MAX_BYTES / MB,
    show_default=True,
    metavar="MB",
    help="Refuse files larger than this many megabytes.",
)
@click.option(
    "--timeout",
    type=float,
    default=DEFAULT_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="Give up on a web address that does not answer within this many seconds.",
)
@click.option(
    "--allow-private-addresses",
    is_flag=True,
    help="Also fetch from this machine and private networks (localhost, 10.x, 192.168.x...), refused by default.",
)
@click.option("--progress/--no-progress", default=None, help="Show a progress bar on stderr (default: on a terminal).")
@json_option
@click.pass_context
def source_add(
    ctx: click.Context,
    arguments: tuple[str, ...],
    key: str | None,
    title: str | None,
    author: str | None,
    publisher: str | None,
    url: str | None,
    published: str | None,
    reliability: str | None,
    reliability_note: str | None,
    strict: bool,
    max_size: float,
    timeout: float,
    allow_private_addresses: bool,
    version_of: str | None,
    not_a_version: bool,
    progress: bool | None,
    as_json: bool,
) -> None:
    """Capture articles: plain text, Markdown, saved web pages (HTML) and PDF, or folders of them; web pages
    from their addresses (http:// or https://); pages kept in WARC files (.warc, .warc.gz).

    Header lines at the top of a text file (Published: ..., By ..., Title: ...), Markdown front matter and a
    web page's metadata become the source's metadata; the options fill in or override it. Folders are read
    recursively. A changed file from the same path or URL (not a site's home page) becomes a new version (KEY@2,
    ...) when the two texts share at least half their runs of five words; a text that shares less is stored as a
    source of its own, with a line saying why (--version-of and --not-a-version decide instead). An unchanged
    one is left as it is, under the key it has. Files that cannot be captured are listed with their reasons and
    the rest are captured (exit code 1); with --strict the first one stops the run and nothing is stored.

    A web address is fetched (redirects followed, within --timeout and --max-size) and kept with the bytes the
    server sent, the final address, the time and status: `provenance source archive` writes it out as WARC.
    Addresses on this machine or a private network are refused unless --allow-private-addresses is given.
    A WARC file gives its first readable page.

    \b
    Example:
        provenance source add sources/
        provenance source add saved/page.html --publisher "The Diplomat" --reliability B
        provenance source add https://example.org/news/bills-rise.html --reliability C
    """
    metadata = documents.Metadata(
        title=title,
        author=author,
        publisher=publisher,
        url=url,
        published=documents.parse_date_option(published) if published else None,
    )
    from tqdm import tqdm  # only capture shows progress

    limit = ingest.max_bytes(max_size)
    if key is not None and len(arguments) > 1:
        raise Invalid(f"--key names one source, but {len(arguments)} were given; give one file or address with it")
    if version_of is not None and not_a_version:
        raise Invalid("--version-of and --not-a-version contradict each other; give one of them")
    if version_of is not None and len(arguments) > 1:
        raise Invalid(
            f"--version-of names one source, but {len(arguments)} were given; give one file or address with it"
        )
    if remote.through_server(ctx):  # logged in, no --db: the desk's server runs it (provenance.cli.remote)
        return remote.run(ctx)
    # Web pages are fetched (and WARC files read) before the database is opened: no transaction waits on a server.
    pages = _web_pages(
        arguments, max_bytes=limit, timeout=timeout, allow_private=allow_private_addresses, strict=strict
    )
    paths = [Path(a) for a in arguments if not webcapture.is_url(a) and not webcapture.is_warc(Path(a))]
    skipped: list[ingest.Skipped] = []
    items = ingest.planned_files(paths, skipped=skipped) if paths else []
    _print_skipped(skipped)
    total = sum(item.size for item in items if isinstance(item, extract.FileItem))
    with (
        tqdm(
            total=total,
            unit="B",
            unit_scale=True,
            unit_divisor=1000,
            file=sys.stderr,
            disable=None if progress is None else not progress,
            desc="capturing",
            postfix=f"0/{len(items)} files",
        ) as bar,
        open_database(ctx) as session,
    ):
        done = 0

        def advance(_path: Path, size: int) -> None:
            nonlocal done
            done += 1
            bar.update(size)
            bar.set_postfix_str(f"{done}/{len(items)} files", refresh=False)

        results = (
            ingest.capture(
                session,
                items,
                version_of=version_of,
                not_a_version=not_a_version,
                key=key,
                metadata=metadata,
                reliability=reliability,
                reliability_note=reliability_note,
                strict=strict,
                max_bytes=limit,
                progress=advance,
            )
            if items
            else []
        )
        web = _store_web_pages(
            session,
            pages,
            single=len(arguments) == 1,
            strict=strict,
            version_of=version_of,
            not_a_version=not_a_version,
            key=key,
            metadata=metadata,
            reliability=reliability,
            reliability_note=reliability_note,
        )
        # Evidence resting on the versions the new ones supersede: offered to be carried over.
        offered = reanchor.offers(
            session,
            [o.key for o in results if isinstance(o, ingest.Captured) and o.state == "version"]
            + [o.key for o in web if isinstance(o, webcapture.Captured) and o.state == "version"],
        )
    # Printed once the run is committed: nothing shows as captured that was not.
    if as_json:
        print_json(
            [{**_outcome_record(o), **_offers_record(o, offered)} for o in results]
            + [_web_record(o, offered) for o in web]
        )
    else:
        for outcome in results:
            _print_outcome(outcome)
        for page in web:
            _print_web_outcome(page)
        for offers in offered.values():
            for offer in offers:
                say(offer.line())
    refused = [o for o in results if isinstance(o, ingest.Refused)] + [o for o in web if isinstance(o, _WebRefused)]
    if refused:
        done = len(results) + len(web)
        raise Invalid(
            f"{len(refused)} of {done} {'files' if not web else 'files and pages'} were not captured "
            f"(reasons above); the other {done - len(refused)} were"
        )


@dataclass(frozen=True)
class _WebRefused:
    """A web address or WARC file given to ``source add`` that was not captured, and why."""

    address: str
    reason: str


def _web_pages(
    arguments: tuple[str, ...], *, max_bytes: int, timeout: float, allow_private: bool, strict: bool
) -> list[webcapture.Page | _WebRefused]:
    """Each web address of ``arguments`` fetched, and each WARC file read, in order; one that fails is refused
    with its reason (and stops the run, nothing stored, when it is the only argument or with --strict)."""
    pages: list[webcapture.Page | _WebRefused] = []
    for argument in arguments:
        try:
            if webcapture.is_url(argument):
                pages.append(
                    webcapture.fetch_page(argument, allow_private=allow_private, max_bytes=max_bytes, timeout=timeout)
                )
            elif webcapture.is_warc(Path(argument)):
                pages.append(webcapture.read_warc(Path(argument), max_bytes=max_bytes))
        except ProvenanceError as exc:
            if len(arguments) == 1:
                raise
            if strict:
                raise Invalid(f"{exc}; nothing was captured (--strict stops at the first bad file)") from exc
            pages.append(_WebRefused(argument, str(exc)))
    return pages


def _store_web_pages(
    session: Session,
    pages: list[webcapture.Page | _WebRefused],
    *,
    single: bool,
    strict: bool,
    **options: Any,
) -> list[webcapture.Captured | _WebRefused]:
    """Store the pages fetched (:func:`provenance.webcapture.store_page`); a page refused (its key taken...)
    is listed as a file would be."""
    outcomes: list[webcapture.Captured | _WebRefused] = []
    for page in pages:
        if isinstance(page, _WebRefused):
            outcomes.append(page)
            continue
        try:
            outcomes.append(webcapture.store_page(session, page, **options))
        except ProvenanceError as exc:
            if single:
                raise
            if strict:
                raise Invalid(f"{exc}; nothing was captured (--strict stops at the first bad file)") from exc
            outcomes.append(_WebRefused(page.archive_file or page.fetched.requested_url, str(exc)))
    return outcomes


def _print_web_outcome(outcome: webcapture.Captured | _WebRefused) -> None:
    if isinstance(outcome, _WebRefused):
        say(f"not captured: {outcome.reason}")
    else:
        _print_captured(outcome, outcome.url)


def _web_record(
    outcome: webcapture.Captured | _WebRefused, offered: dict[str, list[reanchor.Offer]]
) -> dict[str, object]:
    if isinstance(outcome, _WebRefused):
        return {"url": outcome.address, "captured": False, "error": outcome.reason}
    offers = offered.get(outcome.key, []) if outcome.state == "version" else []
    return {
        "url": outcome.url,
        "archive_file": outcome.archive_file,
        **_captured_record(outcome),
        "reanchor": [offer.record() for offer in offers],
    }


SKIPPED_LINES = 20  # more skipped entries than this are summed up, one line for each reason


def _print_skipped(skipped: list[ingest.Skipped]) -> None:
    """Name each entry of the folders that was not read, and why (stderr)."""
    if len(skipped) <= SKIPPED_LINES:
        for entry in skipped:
            say(f"skipped {ingest.display_path(entry.path)}: {entry.reason}")
        return
    by_reason: dict[str, list[str]] = {}
    for entry in skipped:
        by_reason.setdefault(entry.reason, []).append(ingest.display_path(entry.path))
    for reason, names in by_reason.items():
        say(f"skipped {len(names)} ({reason}): {', '.join(names)}")


def _print_outcome(outcome: ingest.Outcome) -> None:
    if isinstance(outcome, ingest.Refused):
        say(f"not captured: {outcome.reason}")
    else:
        _print_captured(outcome, ingest.display_path(outcome.path))


def _print_captured(outcome: ingest.Captured | webcapture.Captured, shown: str) -> None:
    """A captured file's or page's line on stdout (its key and what became of it), its warnings and notes on
    stderr: why it is no version of the source from its path or URL, or that it kept the key of the same text."""
    notes, line = text.captured(outcome, shown)
    for note in notes:
        say(note)
    click.echo(line)


def _outcome_record(outcome: ingest.Outcome) -> dict[str, object]:
    if isinstance(outcome, ingest.Refused):
        return {"path": ingest.display_path(outcome.path), "captured": False, "error": outcome.reason}
    return {"path": ingest.display_path(outcome.path), **_captured_record(outcome)}


def _captured_record(outcome: ingest.Captured | webcapture.Captured) -> dict[str, object]:
    """What capturing a file or a page stored, in the keys both give."""
    return {
        "captured": True,
        "key": outcome.key,
        "state": outcome.state,
        "created": outcome.state != "unchanged",
        "version": outcome.version,
        "supersedes": outcome.supersedes,
        "paragraphs": outcome.paragraphs,
        "sentences": outcome.sentences,
        "warnings": list(outcome.warnings),
        "not_a_version": outcome.not_a_version,
        "key_not_used": outcome.key_not_used,
    }


def _offers_record(outcome: ingest.Outcome, offered: dict[str, list[reanchor.Offer]]) -> dict[str, object]:
    """A new version's older versions with evidence, and the ``reanchor`` commands carrying it over."""
    if isinstance(outcome, ingest.Refused):
        return {}
    offers = offered.get(outcome.key, []) if outcome.state == "version" else []
    return {"reanchor": [offer.record() for offer in offers]}


@source_group.command("archive")
@click.argument("key")
@output_files.output_option
@click.pass_context
def source_archive(ctx: click.Context, key: str, output: Path | None) -> None:
    """Write source KEY, captured from a web address, as a WARC/1.1 file that web archivists' tools replay: the
    page's bytes exactly as the server sent them, with its final address, status, headers and the time it was
    fetched. FILE.warc.gz (and stdout) is compressed record by record, as archives keep them; FILE.warc is not.
    `provenance source add FILE.warc.gz` reads it back.

    \b
    Example:
        provenance source archive bills-rise --output bills-rise.warc.gz
        provenance source archive bills-rise > bills-rise.warc.gz
    """
    if output is None and sys.stdout.isatty():
        raise Invalid("a WARC file is binary; write it to a file with --output FILE.warc.gz, or redirect stdout")
    protected = output_files.database_files(ctx)
    if output is not None:
        outfile.check(output, protected=protected)
    compress = output is None or output.name.lower().endswith(".gz")
    with open_database(ctx, readonly=True) as session:
        data = webcapture.warc_file(session, key, compress=compress, filename=output.name if output else None)
    if output is None:
        click.echo(data, nl=False)  # bytes go to the binary stream under stdout
        return
    outfile.write(output, data, protected=protected)
    say(f"{key} written to {output} (WARC)")


@source_group.command("list")
@json_option
@click.pass_context
def source_list(ctx: click.Context, as_json: bool) -> None:
    """List sources: keys, titles, dates, passage counts.

    Example: provenance source list
    """
    with open_database(ctx, readonly=True) as session:
        rows = sources.list_sources(session)
    if as_json:
        print_json([records.source_row_record(r) for r in rows])
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
    with open_database(ctx, readonly=True) as session:
        source = sources.get_source(session, key)
        found = sources.source_passages(session, source) if passages else None
        supersedes = source.supersedes.key if source.supersedes is not None else None
        derived_from, repeated_by = assessment.derivations(session, source)
        web = webcapture.capture_of(session, source)
    if as_json:
        print_json(records.source_detail_record(source, found, supersedes, derived_from, repeated_by, web))
    else:
        shown = text.source_detail(
            source, found, supersedes, derived_from=derived_from, repeated_by=repeated_by, web=web
        )
        click.echo(printable(shown))


@source_group.command("history")
@click.argument("key")
@json_option
@click.pass_context
def source_history(ctx: click.Context, key: str, as_json: bool) -> None:
    """Show every version of a source, oldest first (KEY may name any of them).

    Example: provenance source history india-north-korea-2018
    """
    with open_database(ctx, readonly=True) as session:
        chain = sources.versions(session, key)
        counts = sources.evidence_counts(session, [s.id for s in chain])
    if as_json:
        print_json(
            [{**records.source_record(s), "evidence": counts.get(s.id, 0), "current": s is chain[-1]} for s in chain]
        )
        return
    table = [
        (
            s.version,
            s.key,
            f"{s.captured_at:%Y-%m-%d %H:%M}",
            s.captured_by or "",
            len(s.text),
            counts.get(s.id, 0),
            "current" if s is chain[-1] else f"superseded by {chain[i + 1].key}",
        )
        for i, s in enumerate(chain)
    ]
    click.echo(columns(["version", "key", "captured (UTC)", "by", "characters", "evidence", "state"], table))


@source_group.command("rate")
@click.argument("key")
@click.argument("reliability")
@click.option("--note", help="Why that reliability (required; it goes into the event log).")
@json_option
@click.pass_context
def source_rate(ctx: click.Context, key: str, reliability: str, note: str | None, as_json: bool) -> None:
    """Rate source KEY's reliability on the Admiralty scale: A (completely reliable) to E (unreliable), or F
    (cannot be judged). Only the version KEY names is rated.

    Example: provenance source rate india-medical-aid-2020 C --note "Names the ministry and its spokesperson"
    """
    with open_database(ctx) as session:
        source, changed = assessment.rate_source(session, key, reliability, note=note)
        record = {**records.source_record(source), "changed": changed}
    if as_json:
        print_json(record)
    else:
        click.echo(f"{record['key']}\t{record['reliability']}")
        if not changed:
            say(f"{record['key']} was already rated {record['reliability']} with that note; nothing changed")


@source_group.command("derive")
@click.argument("key")
@click.option("--from", "from_key", required=True, metavar="SOURCE", help="The source KEY repeats.")
@click.option("--note", help="How KEY repeats it, e.g. 'reruns the wire story' (required).")
@json_option
@click.pass_context
def source_derive(ctx: click.Context, key: str, from_key: str, note: str | None, as_json: bool) -> None:
    """Record that source KEY derives from another (a report repeating a wire story), so that the two count as one
    source when a claim's likelihood is computed. A pair already recorded, a source derived from itself (or from
    another version of itself) and a circle of derivations are refused.

    Example: provenance source derive india-medical-aid-2020 --from india-north-korea-2018 --note "Repeats the
    2018 report's account of the visit"
    """
    with open_database(ctx) as session:
        derivation = assessment.derive_source(session, key, from_key, note=note)
        record = {"source": key, "derived_from": from_key, "note": derivation.note}
    if as_json:
        print_json(record)
    else:
        click.echo(f"{key} <- {from_key}")


@source_group.command("retract")
@click.argument("key")
@click.option("--reason", help="Why the source is retracted (required; it goes into the log and every report).")
@click.option("--undo", is_flag=True, help="Take back a retraction made by mistake (with --reason too).")
@json_option
@click.pass_context
def source_retract(ctx: click.Context, key: str, reason: str | None, undo: bool, as_json: bool) -> None:
    """Retract source KEY: it stays, with its passages and the evidence quoting them, but claim show, source show
    and list, reports and exports mark it retracted, with who, when and why. Sources are never deleted.
    --undo takes a retraction back; both are in `provenance history --source KEY`.

    \b
    Example:
        provenance source retract india-medical-aid-2020 --reason "The publisher withdrew the article"
        provenance source retract india-medical-aid-2020 --undo --reason "Retracted the wrong source"
    """
    with open_database(ctx) as session:
        if undo:
            source = retraction.reinstate_source(session, key, reason=reason)
        else:
            source = retraction.retract_source(session, key, reason=reason)
        record = records.source_record(source)
        cited_by = sources.evidence_counts(session, [source.id]).get(source.id, 0)
    if as_json:
        print_json({**record, "evidence": cited_by})
    elif undo:
        click.echo(f"{key}\treinstated")
    else:
        click.echo(printable(f"{key}\tretracted {retraction.retraction_details(source)}"))
        if cited_by:
            say(f"claim show, reports and exports now mark the {cited_by} evidence quoting {key} as retracted")
