"""Entities, what claims are about: list, show, add one, give it aliases or take one away, merge two that are one
(`provenance entity list|show|alias|unalias|merge`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict

from provenance import entities
from provenance.access import Permission
from provenance.export import records
from provenance.export.tables import table as columns
from provenance.text import printable
from provenance.web.deps import DeskDep, needs
from provenance.web.negotiate import DEFAULT_LIMIT, answer, page

router = APIRouter(tags=["entities"])

API = "/api/v1"
NO_ENTITIES = "No entities yet: `provenance claim add KEY STATEMENT --about NAME` records what a claim is about."


def _summary_record(summary: entities.EntitySummary) -> dict[str, Any]:
    return {"name": summary.name, "aliases": summary.aliases, "claim_count": summary.claims}


def _summary_line(summary: entities.EntitySummary) -> str:
    aliases = f" (also: {', '.join(summary.aliases)})" if summary.aliases else ""
    return printable(f"{summary.name}{aliases}: {summary.claims} claim{'' if summary.claims == 1 else 's'}")


def _location(name: str) -> str:
    return f"{API}/entities/{quote(name, safe='')}"


@router.get("/entities", **needs(Permission.READ))
def list_entities(request: Request, desk: DeskDep, cursor: str | None = None, limit: int = DEFAULT_LIMIT) -> Response:
    """Every entity with its aliases and how many claims are about it, as `provenance entity list --json` prints
    them (a page of them); text: the command's table."""
    with desk.reading() as session:
        found = entities.list_entities(session)
    keys = {s.name: n for n, s in enumerate(found)}
    chosen, headers = page(request, found, lambda s: [keys[s.name]], cursor=cursor, limit=limit)

    def shown() -> str:
        if not chosen:
            return NO_ENTITIES
        return printable(
            columns(["name", "aliases", "claims"], [(s.name, ", ".join(s.aliases), s.claims) for s in chosen])
        )

    return answer(request, [_summary_record(s) for s in chosen], shown, headers=headers)


@router.get("/entities/{name}", **needs(Permission.READ))
def show_entity(request: Request, name: str, desk: DeskDep) -> Response:
    """An entity, by its name or an alias: its aliases and the claims about it (`provenance entity show NAME`)."""
    with desk.reading() as session:
        detail = entities.show_entity(session, name)
        claims = records.entity_claims_record(detail.claims)
        table = [(claim.key, claim.status.value.replace("_", " "), claim.statement) for claim, _ in detail.claims]
    lines = [detail.name, f"  aliases: {', '.join(detail.aliases) or '-'}", f"  claims:  {len(claims)}"]
    if table:
        lines += ["", columns(["key", "status", "statement"], table)]
    record = {"name": detail.name, "aliases": detail.aliases, "claims": claims}
    return answer(request, record, lambda: printable("\n".join(lines)))


class EntityIn(BaseModel):
    """An entity to add, with aliases if it has any, and why they are its names."""

    model_config = ConfigDict(extra="forbid")

    name: str
    aliases: list[str] = []
    reason: str | None = None


@router.post(
    "/entities",
    status_code=201,
    responses={200: {"description": "One with that name or alias is there already."}},
    **needs(Permission.EDIT_ENTITIES),
)
def add_entity(request: Request, given: EntityIn, desk: DeskDep) -> Response:
    """Add an entity (as a claims file's ``entities:`` entry does): 201 with Location; 200 when one with that name
    or alias is there already. ``aliases`` are given to it as `entity alias` gives them (each must be no other
    entity's name or alias; one it has already is passed over)."""
    with desk.writing() as session:
        existed = entities.resolve_entity(session, given.name) is not None
        (entity,) = entities.get_or_create_entities(session, [given.name])
        if given.aliases:
            entity = entities.add_aliases(session, entity.name, given.aliases, reason=given.reason, existing_ok=True)
        summary = entities.summarize(session, entity)
    return answer(
        request,
        _summary_record(summary),
        lambda: _summary_line(summary),
        status=200 if existed else 201,
        headers={"Location": _location(summary.name)},
    )


class AliasesIn(BaseModel):
    """Other names of an entity (`entity alias NAME ALIAS... --reason WHY`)."""

    model_config = ConfigDict(extra="forbid")

    aliases: list[str]
    reason: str | None = None


@router.post("/entities/{name}/aliases", **needs(Permission.EDIT_ENTITIES))
def add_aliases(request: Request, name: str, given: AliasesIn, desk: DeskDep) -> Response:
    """`provenance entity alias NAME ALIAS...`: each alias then stands for the entity; one that is any entity's
    name or alias already is refused (merge two entities that are one)."""
    with desk.writing() as session:
        entity = entities.add_aliases(session, name, given.aliases, reason=given.reason)
        summary = entities.summarize(session, entity)
    return answer(request, _summary_record(summary), lambda: _summary_line(summary))


@router.delete("/entities/aliases/{alias}", **needs(Permission.EDIT_ENTITIES))
def remove_alias(request: Request, alias: str, desk: DeskDep, reason: str | None = None) -> Response:
    """`provenance entity unalias ALIAS --reason WHY`: ALIAS is no longer a name of its entity (an entity's own
    name stays; merge the entity to retire it). The body is that entity as listed."""
    with desk.writing() as session:
        entity = entities.remove_alias(session, alias, reason=reason)
        summary = entities.summarize(session, entity)
    return answer(request, _summary_record(summary), lambda: _summary_line(summary))


class MergeIn(BaseModel):
    """The entity this one is part of, and why (`entity merge FROM INTO --reason WHY`)."""

    model_config = ConfigDict(extra="forbid")

    into: str
    reason: str | None = None


@router.post("/entities/{name}/merge", **needs(Permission.EDIT_ENTITIES))
def merge_entity(request: Request, name: str, given: MergeIn, desk: DeskDep) -> Response:
    """`provenance entity merge NAME INTO --reason WHY`: NAME's claims and aliases move to INTO, its name becomes
    an alias of INTO, and NAME is deleted. The body is INTO as listed."""
    with desk.writing() as session:
        entity = entities.merge_entities(session, name, given.into, reason=given.reason or "")
        summary = entities.summarize(session, entity)
    return answer(
        request, _summary_record(summary), lambda: _summary_line(summary), headers={"Location": _location(summary.name)}
    )
