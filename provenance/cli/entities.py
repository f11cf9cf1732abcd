"""Commands for what claims are about: ``provenance entity list|show|alias|unalias|merge``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from provenance.cli import lazy
from provenance.cli.app import ProvenanceGroup, cli, json_option, open_database, print_json
from provenance.export.tables import table as columns
from provenance.text import printable

if TYPE_CHECKING:
    from provenance import entities
    from provenance.export import records
else:  # loaded when a command first uses them: see provenance.cli.lazy
    entities, records = lazy.modules("provenance.entities", "provenance.export.records")


@cli.group("entity", cls=ProvenanceGroup)
def entity_group() -> None:
    """See what claims are about; give entities aliases, and merge two that are one.

    Example: provenance entity alias "North Korea" DPRK Pyongyang
    """


def _summary_record(summary: entities.EntitySummary) -> dict[str, Any]:
    return {"name": summary.name, "aliases": summary.aliases, "claim_count": summary.claims}


def _summary_line(summary: entities.EntitySummary) -> str:
    aliases = f" (also: {', '.join(summary.aliases)})" if summary.aliases else ""
    return f"{summary.name}{aliases}: {summary.claims} claim{'' if summary.claims == 1 else 's'}"


def _print_summary(summary: entities.EntitySummary, as_json: bool) -> None:
    if as_json:
        print_json(_summary_record(summary))
    else:
        click.echo(printable(_summary_line(summary)))


@entity_group.command("list")
@json_option
@click.pass_context
def entity_list(ctx: click.Context, as_json: bool) -> None:
    """List every entity with its aliases and how many claims are about it.

    Example: provenance entity list
    """
    with open_database(ctx, readonly=True) as session:
        found = entities.list_entities(session)
    if as_json:
        print_json([_summary_record(s) for s in found])
    elif not found:
        click.echo("No entities yet: `provenance claim add KEY STATEMENT --about NAME` records what a claim is about.")
    else:
        table = [(s.name, ", ".join(s.aliases), s.claims) for s in found]
        click.echo(printable(columns(["name", "aliases", "claims"], table)))


@entity_group.command("show")
@click.argument("name")
@json_option
@click.pass_context
def entity_show(ctx: click.Context, name: str, as_json: bool) -> None:
    """Show an entity (by its name or an alias): its aliases and the claims about it.

    `provenance claim list --about NAME` lists the same claims with their likelihoods.

    Example: provenance entity show DPRK
    """
    with open_database(ctx, readonly=True) as session:
        detail = entities.show_entity(session, name)
    claims = records.entity_claims_record(detail.claims)
    if as_json:
        print_json({"name": detail.name, "aliases": detail.aliases, "claims": claims})
        return
    lines = [detail.name, f"  aliases: {', '.join(detail.aliases) or '-'}", f"  claims:  {len(claims)}"]
    if claims:
        table = [(claim.key, claim.status.value.replace("_", " "), claim.statement) for claim, _ in detail.claims]
        lines += ["", columns(["key", "status", "statement"], table)]
    click.echo(printable("\n".join(lines)))


@entity_group.command("alias")
@click.argument("name")
@click.argument("aliases", nargs=-1, required=True, metavar="ALIAS...")
@click.option("--reason", help="Why these are names of the entity (kept in the audit log).")
@json_option
@click.pass_context
def entity_alias(ctx: click.Context, name: str, aliases: tuple[str, ...], reason: str | None, as_json: bool) -> None:
    """Give the entity NAME other names: each ALIAS then stands for it wherever an entity is named.

    An alias must not be the name or alias of any entity; to make two entities one, use `entity merge`.

    Example: provenance entity alias "Abdul Qadeer Khan" "A. Q. Khan" --reason "as the 2020 article names him"
    """
    with open_database(ctx) as session:
        entity = entities.add_aliases(session, name, aliases, reason=reason)
        summary = entities.summarize(session, entity)
    _print_summary(summary, as_json)


@entity_group.command("unalias")
@click.argument("alias")
@click.option("--reason", help="Why it is not a name of the entity (kept in the audit log).")
@json_option
@click.pass_context
def entity_unalias(ctx: click.Context, alias: str, reason: str | None, as_json: bool) -> None:
    """Remove ALIAS from its entity (an entity's own name stays; merge the entity to retire it).

    Example: provenance entity unalias Pyongyang --reason "the city, not the state"
    """
    with open_database(ctx) as session:
        entity = entities.remove_alias(session, alias, reason=reason)
        summary = entities.summarize(session, entity)
    _print_summary(summary, as_json)


@entity_group.command("merge")
@click.argument("source", metavar="FROM")
@click.argument("target", metavar="INTO")
@click.option("--reason", required=True, help="Why they are one entity (kept in the audit log).")
@json_option
@click.pass_context
def entity_merge(ctx: click.Context, source: str, target: str, reason: str, as_json: bool) -> None:
    """Make entity FROM part of INTO: its claims and aliases move to INTO, its name becomes an alias of INTO,
    and FROM is deleted. A claim about both is then about INTO once.

    Example: provenance entity merge DPRK "North Korea" --reason "the same state"
    """
    with open_database(ctx) as session:
        entity = entities.merge_entities(session, source, target, reason=reason)
        summary = entities.summarize(session, entity)
    _print_summary(summary, as_json)
