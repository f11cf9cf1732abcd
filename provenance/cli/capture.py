"""Commands that capture articles and record claims, evidence and contradictions, and the demo."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING

import click

from provenance.cli import lazy, remote
from provenance.cli.app import (
    ProvenanceGroup,
    cli,
    expect_version_option,
    json_option,
    open_database,
    print_json,
    say,
)
from provenance.cli.options import COUNT, ROW_ID
from provenance.text import count, nothing_listed, option, printable

if TYPE_CHECKING:
    from provenance import (
        anchoring,
        assessment,
        bundle,
        claims,
        confidence,
        documents,
        extract,
        importer,
        locking,
        report,
        retraction,
        search,
        sources,
    )
    from provenance import demo as demos  # `demo` is the command
    from provenance.export import records, text
else:  # loaded when a command first uses them: see provenance.cli.lazy
    (
        anchoring,
        assessment,
        bundle,
        claims,
        confidence,
        documents,
        extract,
        importer,
        locking,
        report,
        retraction,
        search,
        sources,
        demos,
        records,
        text,
    ) = lazy.modules(
        "provenance.anchoring",
        "provenance.assessment",
        "provenance.bundle",
        "provenance.claims",
        "provenance.confidence",
        "provenance.documents",
        "provenance.extract",
        "provenance.importer",
        "provenance.locking",
        "provenance.report",
        "provenance.retraction",
        "provenance.search",
        "provenance.sources",
        "provenance.demo",
        "provenance.export.records",
        "provenance.export.text",
    )

# What --accept-fuzzy accepts, as anchoring.DEFAULT_MIN_SCORE says (tests/test_startup.py checks they agree): written
# out so that --help need not load the anchoring code.
DEFAULT_MIN_SCORE = 80.0

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
@click.option(
    "--verdict",
    metavar="VERDICT",
    help="The verdict, if already known: true, mostly true, mixed, mostly false, false or unproven (recorded as "
    "set by you: someone else publishes it).",
)
@json_option
@click.pass_context
def claim_add(
    ctx: click.Context,
    key: str,
    statement: str,
    about: tuple[str, ...],
    confidence: str | None,
    confidence_note: str | None,
    verdict: str | None,
    as_json: bool,
) -> None:
    """Record a claim under KEY.

    Example: provenance claim add khan-trade-2003 "A. Q. Khan traded nuclear know-how with Iran, Libya and
    North Korea" --about "Abdul Qadeer Khan" --about "North Korea"
    """
    if remote.through_server(ctx):  # logged in, no --db: the desk's server runs it (provenance.cli.remote)
        return remote.run(ctx)
    with open_database(ctx) as session:
        claim = claims.add_claim(
            session,
            key,
            statement,
            about=about,
            confidence=confidence,
            confidence_note=confidence_note,
            verdict=verdict,
        )
        about_names = [e.name for e in claim.entities]
    if as_json:
        print_json(records.claim_record(claim, about_names, assessment.NOT_ASSESSED))  # no evidence yet
    else:
        click.echo(claim.key)


@claim_group.command("list")
@click.option("--about", metavar="ENTITY", help="Only claims about this entity.")
@click.option("--search", metavar="QUERY", help='Only claims whose key or statement matches, e.g. "rodong missile*".')
@json_option
@click.pass_context
def claim_list(ctx: click.Context, about: str | None, search: str | None, as_json: bool) -> None:
    """List claims with their status and likelihood.

    Example: provenance claim list --about "North Korea" --search missile
    """
    if remote.through_server(ctx):  # logged in, no --db: the desk's server runs it (provenance.cli.remote)
        return remote.run(ctx)
    with open_database(ctx, readonly=True) as session:
        listed = claims.list_claims(session, about, search)
        found = [(c, [e.name for e in c.entities]) for c in listed]
        computed = assessment.assess_claims(session, [c.id for c in listed])
    if as_json:
        print_json([records.claim_record(c, names, computed.get(c.id, assessment.NOT_ASSESSED)) for c, names in found])
    else:
        filters = [option(name, value) for name, value in (("--about", about), ("--search", search)) if value]
        how = "`provenance claim add KEY STATEMENT` records one"
        click.echo(
            printable(text.claim_table(found, computed) if found else nothing_listed("claim", "claims", filters, how))
        )


@claim_group.command("show")
@click.argument("key")
@click.option("--explain", is_flag=True, help="Show every step of the computed likelihood.")
@json_option
@click.pass_context
def claim_show(ctx: click.Context, key: str, explain: bool, as_json: bool) -> None:
    """Show a claim: statement, likelihood (the analyst's and the one computed from the evidence), every passage
    quoted with its source and offsets, and what contradicts it. With --explain, how the computed likelihood
    comes about: each independent source cluster and piece of evidence, its weight, and the running result.

    Example: provenance claim show singh-first-visit-in-two-decades --explain
    """
    if remote.through_server(ctx):  # logged in, no --db: the desk's server runs it (provenance.cli.remote)
        return remote.run(ctx)
    with open_database(ctx, readonly=True) as session:
        entry = report.build_report(session, [key]).claims[0]
    if as_json:
        print_json(records.claim_detail_record(entry, explain=explain))
    else:
        click.echo(printable(text.claim_detail(entry)))
        if explain:
            click.echo(printable("\n" + text.explanation(entry.assessment)))


@claim_group.command("confidence")
@click.argument("key")
@click.argument("likelihood", required=False)
@click.option("--reason", help="Why that likelihood (required; it becomes the claim's note and goes into the log).")
@click.option("--clear", is_flag=True, help="Remove the likelihood set by hand.")
@expect_version_option
@json_option
@click.pass_context
def claim_confidence(
    ctx: click.Context,
    key: str,
    likelihood: str | None,
    reason: str | None,
    clear: bool,
    expected_version: int | None,
    as_json: bool,
) -> None:
    """Set the analyst's likelihood for claim KEY by hand (an ICD 203 term or a number 0..1), with the reason;
    or remove it with --clear. The likelihood computed from the evidence is shown beside it either way.

    \b
    Example:
        provenance claim confidence suntech-diversion "very unlikely" --reason "Denied by the ministry"
        provenance claim confidence suntech-diversion --clear --reason "Wait for the ministry's reply"
    """
    with open_database(ctx) as session:
        locking.check_version(claims.get_claim(session, key), expected_version)
        claim, changed = assessment.set_claim_confidence(session, key, likelihood, reason=reason, clear=clear)
        computed = assessment.assess_claims(session, [claim.id]).get(claim.id, assessment.NOT_ASSESSED)
        record = {**records.claim_record(claim, [e.name for e in claim.entities], computed), "changed": changed}
    if as_json:
        print_json(record)
        return
    set_by_hand = confidence.describe_likelihood(claim.confidence)
    click.echo(f"{key}\tlikelihood set by the analyst: {set_by_hand}; computed: {computed.describe()}")
    if not changed:
        say(f"claim {key!r} already had that likelihood and reason; nothing changed")


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
@click.option(
    "--confidence",
    help="How likely what the passage says is true, on this passage alone: ICD 203 term or number 0..1. For a "
    "contradicting passage that is the likelihood of the claim's opposite: rate it likely if it counts against the "
    "claim; unlikely makes it count for the claim. The change to the claim's computed likelihood is printed.",
)
@click.option("--attributed-to", help="Who in the article makes the statement.")
@click.option("--note", help="Why that stance and likelihood.")
@click.option("--prefix", help="Text right before the quote, to choose among several occurrences.")
@click.option("--suffix", help="Text right after the quote, to choose among several occurrences.")
@click.option("--occurrence", type=COUNT, help="Which occurrence (1, 2, ...) when the quote occurs several times.")
@click.option(
    "--credibility",
    metavar="1-6",
    help="The information's credibility on the Admiralty scale: 1 confirmed by other sources, 2 probably true, "
    "3 possibly true, 4 doubtful, 5 improbable, 6 truth cannot be judged.",
)
@click.option(
    "--accept-fuzzy",
    is_flag=True,
    help=f"If the quote is not in the source exactly, store the closest text if it scores at least "
    f"{DEFAULT_MIN_SCORE:g}/100, marked for review.",
)
@click.option(
    "--min-score",
    type=float,
    metavar="S",
    help="If the quote is not in the source exactly, store the closest text if it scores at least S (0-100), "
    "marked for review.",
)
@expect_version_option
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
    credibility: str | None,
    accept_fuzzy: bool,
    min_score: float | None,
    expected_version: int | None,
    as_json: bool,
) -> None:
    """Link CLAIM to the passage of SOURCE that --quote stands for.

    The quote must be the source's exact words; "..." or "…" in it stands for words left out (each part must
    be exact, all in one paragraph). A quote that is not in the source is refused, showing the closest text,
    where it is and its similarity; --accept-fuzzy or --min-score store that text instead, marked for review
    until `provenance evidence confirm` clears it.

    Example: provenance evidence add suntech-diversion india-medical-aid-2020 --quote "certain nuclear
    materials supplied to Pakistan Atomic Energy Commission" --stance supports --confidence unlikely
    --attributed-to "New Delhi, citing unnamed sources"
    """
    if remote.through_server(ctx):  # logged in, no --db: the desk's server runs it (provenance.cli.remote)
        return remote.run(ctx)
    with open_database(ctx) as session:
        before = assessment.claim_likelihood(session, claim_key)
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
            credibility=credibility,
            accept_fuzzy=accept_fuzzy,
            min_score=min_score,
            expected_version=expected_version,
        )
        effect = assessment.effect_of(session, evidence, before)
        warnings = text.evidence_added_warnings(source_key, quote, evidence)
        record = records.evidence_added_record(claim_key, source_key, evidence)
        line = text.evidence_added(claim_key, source_key, evidence)
    for warning in warnings:
        say(warning)
    if as_json:
        print_json(record)
    else:
        click.echo(line)
    say(effect.describe())


@evidence_group.command("confirm")
@click.argument("evidence_id", metavar="EVIDENCE_ID", type=ROW_ID)
@click.option("--note", required=True, help="What you checked: why the stored passage is what the quote meant.")
@expect_version_option
@json_option
@click.pass_context
def evidence_confirm(
    ctx: click.Context, evidence_id: int, note: str, expected_version: int | None, as_json: bool
) -> None:
    """Clear the review flag of evidence EVIDENCE_ID (a fuzzy match) once you have checked its passage.

    The note, who confirmed and the flag before and after go into the audit log.

    Example: provenance evidence confirm 24 --note "same words; the quote had curly apostrophes"
    """
    with open_database(ctx) as session:
        evidence = claims.confirm_evidence(session, evidence_id, note=note, expected_version=expected_version)
        claim_key = evidence.claim.key
    if as_json:
        print_json({"evidence_id": evidence_id, "claim": claim_key, "needs_review": False})
    else:
        click.echo(f"evidence {evidence_id} of {claim_key}: reviewed")


@evidence_group.command("list")
@click.option("--claim", "claim_key", metavar="CLAIM", help="Only this claim's evidence.")
@click.option("--needs-review", is_flag=True, help="Only evidence marked for review (fuzzy matches not yet confirmed).")
@json_option
@click.pass_context
def evidence_list(ctx: click.Context, claim_key: str | None, needs_review: bool, as_json: bool) -> None:
    """List evidence with its id, claim, source, characters, how its quote was anchored and whether it needs review.

    Example: provenance evidence list --needs-review
    """
    with open_database(ctx, readonly=True) as session:
        found = claims.list_evidence(session, claim_key=claim_key, needs_review=needs_review)
    if as_json:
        print_json([records.evidence_record(e) for e in found])
    else:
        filters = [option("--claim", claim_key)] if claim_key else []
        filters += [option("--needs-review")] if needs_review else []
        how = "`provenance evidence add CLAIM SOURCE --quote WORDS --stance STANCE` links a claim to a passage"
        click.echo(
            printable(text.evidence_table(found) if found else nothing_listed("evidence", "evidence", filters, how))
        )


# Contradictions have commands of their own: provenance/cli/contradictions.py


# --- files in and out ---------------------------------------------------------------------------------


@cli.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--allow-path",
    "allowed",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="Also read sources from this folder (repeatable). Without it, a claims file's sources must be inside "
    "its own folder (links followed); --allow-path / allows any file.",
)
@click.option(
    "--max-size",
    type=float,
    metavar="MB",
    help="Refuse sources (files, or inline text) larger than this many megabytes (default: 50, as source add).",
)
@json_option
@click.pass_context
def import_command(
    ctx: click.Context, file: Path, allowed: tuple[Path, ...], max_size: float | None, as_json: bool
) -> None:
    """Load a claims file (YAML or JSON) or a bundle from `provenance export bundle`. All or nothing.

    A claims file's sources are read from its own folder only, unless --allow-path names others. A key given
    twice in one mapping is an error, as is anything the file holds that is not part of a claims file.

    \b
    Example:
        provenance import sources/demo-claims.yaml
        provenance import desk/claims.yaml --allow-path archive/articles
    """
    max_bytes = extract.max_bytes(max_size)
    contents = importer.read_import(file)  # a malformed file fails before the database is opened
    if bundle.is_bundle(contents):
        with open_database(ctx) as session:
            loaded = bundle.load(session, contents)
        if as_json:
            print_json({"bundle": str(file), "rows": loaded.rows})
        else:
            click.echo(f"imported bundle {file}: {loaded.describe()}")
        return
    spec = importer.parse_claims(contents, file)
    with open_database(ctx) as session:
        summary = importer.import_claims_file(session, file, spec, allowed=allowed, max_bytes=max_bytes)
    data = {
        "sources_added": summary.sources_added,
        "sources_unchanged": summary.sources_unchanged,
        "claims": summary.claims,
        "evidence": summary.evidence,
        "contradictions": summary.contradictions,
        **({"notes": summary.notes} if summary.notes else {}),  # only when a source entry has one
    }
    if as_json:
        print_json(data)
    else:
        for note in summary.notes:
            say(note)
        click.echo(
            f"imported {count(summary.claims, 'claim')}, {summary.evidence} evidence, "
            f"{count(summary.contradictions, 'contradiction')}; "
            f"sources added: {', '.join(summary.sources_added) or 'none'}"
            + (f"; already stored: {', '.join(summary.sources_unchanged)}" if summary.sources_unchanged else "")
        )


@cli.command()
@click.option(
    "--db",
    "database",
    type=click.Path(path_type=Path),
    help="Where to build the demo SQLite database (default: the --db given before `demo`, else "
    "provenance-demo.db). An earlier demo database there is replaced; anything else is refused.",
)
@click.option("--force", is_flag=True, help="Replace the file even if it is not a demo database (its data is lost).")
@click.pass_context
def demo(ctx: click.Context, database: Path | None, force: bool) -> None:
    """Build a fresh SQLite database from the seed corpus in sources/ and print its cited report.

    The demo replaces only a demo database: one whose audit log holds only the demo's own changes (it makes them
    as "provenance demo"). A desk, a demo database someone has added to, or a file that is not a database is
    refused unless --force. $PROVENANCE_DATABASE_URL is not used: the demo never replaces the desk it names.

    Example: provenance demo && provenance --db provenance-demo.db claim list
    """
    root = ctx.find_root()
    typed = root.get_parameter_source("db") == click.core.ParameterSource.COMMANDLINE
    result = demos.run_demo(demos.demo_database(root.obj["db"] if typed else None, database), force=force)
    s = result.summary
    say(
        f"demo database {result.database}: {count(len(s.sources_added), 'source')}, {count(s.claims, 'claim')}, "
        f"{s.evidence} evidence, {count(s.contradictions, 'contradiction')}"
    )
    click.echo(result.report, nl=False)
    where = shlex.quote(str(result.database))
    say(f"next: provenance --db {where} claim show suntech-diversion (each command needs --db {where} for the demo)")


# --- search -------------------------------------------------------------------------------------------


@cli.command("search")
@click.argument("query")
@click.option("--source", metavar="KEY", help="Only sentences of this source.")
@click.option("--since", metavar="DATE", help="Only sources published on or after this date.")
@click.option("--until", metavar="DATE", help="Only sources published on or before this date.")
@click.option("--limit", type=COUNT, default=20, show_default=True, help="At most this many sentences.")
@json_option
@click.pass_context
def search_command(
    ctx: click.Context,
    query: str,
    source: str | None,
    since: str | None,
    until: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Find the sentences that match QUERY, most relevant first, with the matched words marked.

    Words must all match, in any case and with or without diacritics; "quoted words" match as a phrase and
    a word ending in * as a prefix.

    Example: provenance search '"nuclear materials" Pakistan' --since 2019-01-01
    """
    if remote.through_server(ctx):  # logged in, no --db: the desk's server runs it (provenance.cli.remote)
        return remote.run(ctx)
    with open_database(ctx, readonly=True) as session:
        if source is not None:
            sources.get_source(session, source)
        hits = search.search_passages(
            session,
            query,
            source=source,
            since=documents.parse_date_option(since) if since else None,
            until=documents.parse_date_option(until) if until else None,
            limit=limit,
        )
    if as_json:
        print_json([records.hit_record(hit) for hit in hits])
    else:
        click.echo(printable(text.hit_list(hits)))
