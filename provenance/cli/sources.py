"""Commands that capture, show, rate and retract sources:
``provenance source add|list|show|history|rate|derive|retract``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from provenance.cli import lazy
from provenance.cli.app import ProvenanceGroup, cli, json_option, open_database, print_json, say
from provenance.errors import Invalid
from provenance.export.tables import table as columns
from provenance.text import count, printable

if TYPE_CHECKING:
    from provenance import assessment, documents, extract, ingest, reanchor, retraction, sources
    from provenance.export import records, text
else:  # loaded when a command first uses them: see provenance.cli.lazy
    assessment, documents, extract, ingest, reanchor, retraction, sources, records, text = lazy.modules(
        "provenance.assessment",
        "provenance.documents",
        "provenance.extract",
        "provenance.ingest",
        "provenance.reanchor",
        "provenance.retraction",
        "provenance.sources",
        "provenance.export.records",
        "provenance.export.text",
    )

MB = 1_000_000  # as the size limit counts them (extract.DEFAULT_MAX_BYTES)
# extract.DEFAULT_MAX_BYTES, written out so that --help need not load the readers (tests/test_startup.py checks it)
DEFAULT_MAX_BYTES = 50 * MB


@cli.group("source", cls=ProvenanceGroup)
def source_group() -> None:
    """Capture articles and look at them.

    Example: provenance source add sources/
    """


@source_group.command("add")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="FILE_OR_FOLDER...")
@click.option("--key", help="The source's key (one file only; default: the file name, slugified).")
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
@click.option("--progress/--no-progress", default=None, help="Show a progress bar on stderr (default: on a terminal).")
@json_option
@click.pass_context
def source_add(
    ctx: click.Context,
    paths: tuple[Path, ...],
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
    progress: bool | None,
    as_json: bool,
) -> None:
    """Capture articles: plain text, Markdown, saved web pages (HTML) and PDF, or folders of them.

    Header lines at the top of a text file (Published: ..., By ..., Title: ...), Markdown front matter and a
    web page's metadata become the source's metadata; the options fill in or override it. Folders are read
    recursively. A changed file from the same path or URL becomes a new version (KEY@2, ...); an unchanged
    one is left as it is. Files that cannot be captured are listed with their reasons and the rest are
    captured (exit code 1); with --strict the first one stops the run and nothing is stored.

    \b
    Example:
        provenance source add sources/
        provenance source add saved/page.html --publisher "The Diplomat" --reliability B
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
    skipped: list[ingest.Skipped] = []
    items = ingest.planned_files(paths, skipped=skipped)
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

        results = ingest.capture(
            session,
            items,
            key=key,
            metadata=metadata,
            reliability=reliability,
            reliability_note=reliability_note,
            strict=strict,
            max_bytes=limit,
            progress=advance,
        )
        # Evidence resting on the versions the new ones supersede: offered to be carried over.
        offered = reanchor.offers(
            session, [o.key for o in results if isinstance(o, ingest.Captured) and o.state == "version"]
        )
    # Printed once the run is committed: nothing shows as captured that was not.
    if as_json:
        print_json([{**_outcome_record(o), **_offers_record(o, offered)} for o in results])
    else:
        for outcome in results:
            _print_outcome(outcome)
        for offers in offered.values():
            for offer in offers:
                say(offer.line())
    refused = [o for o in results if isinstance(o, ingest.Refused)]
    if refused:
        raise Invalid(
            f"{len(refused)} of {len(results)} files were not captured (reasons above); "
            f"the other {len(results) - len(refused)} were"
        )


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
        return
    for warning in outcome.warnings:
        say(f"Warning: {warning}")
    counts = f"{count(outcome.paragraphs, 'paragraph')}, {count(outcome.sentences, 'sentence')}"
    if outcome.state == "version":
        state = f"new version {outcome.version}, supersedes {outcome.supersedes} ({counts})"
    elif outcome.state == "unchanged":
        state = f"already stored, unchanged ({counts})"
    else:
        state = f"added ({counts})"
    click.echo(f"{outcome.key}\t{state}")


def _outcome_record(outcome: ingest.Outcome) -> dict[str, object]:
    if isinstance(outcome, ingest.Refused):
        return {"path": ingest.display_path(outcome.path), "captured": False, "error": outcome.reason}
    return {
        "path": ingest.display_path(outcome.path),
        "captured": True,
        "key": outcome.key,
        "state": outcome.state,
        "created": outcome.state != "unchanged",
        "version": outcome.version,
        "supersedes": outcome.supersedes,
        "paragraphs": outcome.paragraphs,
        "sentences": outcome.sentences,
        "warnings": list(outcome.warnings),
    }


def _offers_record(outcome: ingest.Outcome, offered: dict[str, list[reanchor.Offer]]) -> dict[str, object]:
    """A new version's older versions with evidence, and the ``reanchor`` commands carrying it over."""
    if isinstance(outcome, ingest.Refused):
        return {}
    offers = offered.get(outcome.key, []) if outcome.state == "version" else []
    return {"reanchor": [offer.record() for offer in offers]}


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
    if as_json:
        data = {
            **records.source_record(source),
            "supersedes": supersedes,
            "derived_from": [{"key": k, "note": n} for k, n in derived_from],
            "repeated_by": [{"key": k, "note": n} for k, n in repeated_by],
        }
        if found is not None:
            data["passages"] = [records.passage_record(p) for p in found]
        print_json(data)
    else:
        shown = text.source_detail(source, found, supersedes, derived_from=derived_from, repeated_by=repeated_by)
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
