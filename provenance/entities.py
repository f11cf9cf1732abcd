"""Entities (the people, organisations and countries claims are about), their aliases, and merging two into one.

An entity has one name and any number of aliases ("DPRK", "Pyongyang" for North Korea). Names and aliases are
compared without case or extra spaces (:func:`entity_key`) and are unique across both: a name belongs to one
entity only, as its name or as one of its aliases. Wherever a name is given (``claim add --about``, ``claim list
--about``, a report's ``--about``, a claims file), an alias stands for its entity.
"""

from __future__ import annotations

import shlex
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, literal, or_, select
from sqlalchemy.orm import Session, selectinload

from provenance import access, events
from provenance.access import Permission
from provenance.errors import Conflict, Invalid, NotFound
from provenance.models import Claim, Entity, EntityAlias, claim_entity, utcnow
from provenance.text import optional_user_text, user_text

MAX_KEY_LENGTH = 200  # the length of the name_key columns
_CLOSE_NAMES = 5  # at most this many close names in a not-found message
_CLOSE_SCORE = 70  # rapidfuzz WRatio (0-100) a name needs to be offered as close


def entity_key(name: str) -> str:
    """How a name is compared: casefolded, single-spaced ("north  KOREA" and "North Korea" are one), without
    the control characters a stored name cannot have (:func:`provenance.text.user_text`)."""
    return user_text(name, "entity name").casefold()


def _checked(name: str, what: str) -> tuple[str, str]:
    """A name single-spaced, and its key; refused when empty or too long for the database."""
    clean = user_text(name, what.split(" ", 1)[1])
    if not clean:
        example = "'DPRK'" if what == "an alias" else "'North Korea'"
        raise Invalid(f"{what} is empty; give a name such as {example}")
    key = entity_key(clean)
    if len(key) > MAX_KEY_LENGTH:
        raise Invalid(
            f"{what} {clean[:40]!r}... is {len(key)} characters long; names and aliases have at most {MAX_KEY_LENGTH}"
        )
    return clean, key


def _command_word(name: str) -> str:
    return shlex.quote(name)


# --- finding entities -----------------------------------------------------------------------------------


def _by_keys(session: Session, keys: Collection[str]) -> dict[str, Entity]:
    """The entities these keys name, as their name or as an alias."""
    if not keys:
        return {}
    found = {e.name_key: e for e in session.scalars(select(Entity).where(Entity.name_key.in_(keys)))}
    rest = [key for key in keys if key not in found]
    if rest:
        aliases = session.execute(
            select(EntityAlias.name_key, Entity).join(EntityAlias.entity).where(EntityAlias.name_key.in_(rest))
        )
        found.update({key: entity for key, entity in aliases})
    return found


def resolve_entity(session: Session, name: str) -> Entity | None:
    """The entity with this name or alias (in any case), if there is one."""
    key = entity_key(name)
    return _by_keys(session, [key]).get(key) if key else None


def get_entity(session: Session, name: str) -> Entity:
    """The entity with this name or alias; not found, the error offers the closest names."""
    clean, key = _checked(name, "an entity name")
    entity = _by_keys(session, [key]).get(key)
    if entity is None:
        raise NotFound(f"no entity {clean!r}; {_close_names_hint(session, clean)}")
    return entity


def find_entities(session: Session, name: str) -> list[Entity]:
    """The entity named or aliased ``name`` (any case); failing that, every entity with ``name`` as whole
    words in its name or one of its aliases ("Suntech" finds "Suntech Technology Company"), by name."""
    key = entity_key(name)
    if not key:
        return []
    exact = _by_keys(session, [key])
    if exact:
        return [exact[key]]
    escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"% {escaped} %"
    in_name = (literal(" ") + Entity.name_key + literal(" ")).like(pattern, escape="\\")
    in_alias = Entity.id.in_(
        select(EntityAlias.entity_id).where(
            (literal(" ") + EntityAlias.name_key + literal(" ")).like(pattern, escape="\\")
        )
    )
    return list(session.scalars(select(Entity).where(or_(in_name, in_alias)).order_by(Entity.name_key)))


def entity_names(session: Session) -> list[str]:
    """Every entity's name, in order."""
    return list(session.scalars(select(Entity.name).order_by(Entity.name_key)))


def close_names(session: Session, name: str) -> list[str]:
    """Names and aliases like ``name``, closest first: whole-word matches, then near spellings (rapidfuzz);
    an alias is given with its entity, as "DPRK (North Korea)"."""
    shown: dict[str, str] = {}
    for entity in find_entities(session, name):
        shown[entity.name_key] = entity.name
    choices: dict[str, str] = {}
    for key, entity_name in session.execute(select(Entity.name_key, Entity.name)):
        choices[key] = entity_name
    for key, alias, entity_name in session.execute(
        select(EntityAlias.name_key, EntityAlias.name, Entity.name).join(EntityAlias.entity)
    ):
        choices[key] = f"{alias} ({entity_name})"
    from rapidfuzz import fuzz, process  # loaded only to suggest names: `claim show` and reports need none of it

    for key, _score, _ in process.extract(
        entity_key(name), list(choices), scorer=fuzz.WRatio, limit=_CLOSE_NAMES, score_cutoff=_CLOSE_SCORE
    ):
        shown.setdefault(key, choices[key])
    return list(shown.values())[:_CLOSE_NAMES]


def _close_names_hint(session: Session, name: str) -> str:
    close = close_names(session, name)
    if close:
        return f"close names: {', '.join(close)} (`provenance entity list` shows them all)"
    if session.scalar(select(Entity.id).limit(1)) is None:
        return "there are no entities yet; `provenance claim add KEY STATEMENT --about NAME` makes one"
    return "`provenance entity list` shows the names and aliases"


def get_or_create_entities(session: Session, names: Iterable[str]) -> list[Entity]:
    """The entities with these names or aliases (compared without case or extra spaces), creating the new ones,
    each once ("DPRK" and "North Korea" give North Korea once when DPRK is its alias)."""
    wanted: dict[str, str] = {}
    for name in names:
        clean, key = _checked(name, "an entity name")
        wanted.setdefault(key, clean)
    found = _by_keys(session, wanted)
    result: list[Entity] = []
    for key, name in wanted.items():
        entity = found.get(key)
        if entity is None:
            entity = found[key] = Entity(name=name, name_key=key)
            session.add(entity)
            events.record(session, "entity.add", "entity", name, after={"name": name})
        if all(entity is not other for other in result):
            result.append(entity)
    return result


# --- listing and showing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntitySummary:
    """One entity as listed: its name, its aliases (in order) and how many claims are about it."""

    name: str
    aliases: list[str]
    claims: int


@dataclass(frozen=True)
class EntityDetail:
    """One entity as shown: its name, aliases and the claims about it (by key), with what each is about."""

    name: str
    aliases: list[str]
    claims: list[tuple[Claim, list[str]]]


def list_entities(session: Session) -> list[EntitySummary]:
    """Every entity by name, with its aliases and claim count (three queries however many entities)."""
    counts: dict[int, int] = {
        entity_id: n
        for entity_id, n in session.execute(
            select(claim_entity.c.entity_id, func.count()).group_by(claim_entity.c.entity_id)
        )
    }
    entities = session.scalars(select(Entity).options(selectinload(Entity.aliases)).order_by(Entity.name_key))
    return [EntitySummary(e.name, [a.name for a in e.aliases], counts.get(e.id, 0)) for e in entities]


def summarize(session: Session, entity: Entity) -> EntitySummary:
    """One entity's name, aliases and claim count, as listed."""
    count = session.scalar(select(func.count()).where(claim_entity.c.entity_id == entity.id)) or 0
    return EntitySummary(entity.name, _alias_names(session, entity), count)


def show_entity(session: Session, name: str) -> EntityDetail:
    """The entity with this name or alias (or the one entity with ``name`` as whole words of its name or an
    alias, as ``claim list --about`` finds them), its aliases, and the claims about it."""
    found = find_entities(session, name)
    if len(found) > 1:
        names = ", ".join(e.name for e in found[:_CLOSE_NAMES]) + (", ..." if len(found) > _CLOSE_NAMES else "")
        raise Invalid(f"{' '.join(name.split())!r} is part of {len(found)} entities' names: {names}; give one of them")
    entity = found[0] if found else get_entity(session, name)
    claims = session.scalars(
        select(Claim)
        .where(Claim.entities.any(Entity.id == entity.id))
        .options(selectinload(Claim.entities))
        .order_by(Claim.key)
    )
    return EntityDetail(entity.name, _alias_names(session, entity), [(c, [e.name for e in c.entities]) for c in claims])


def _alias_names(session: Session, entity: Entity) -> list[str]:
    return list(
        session.scalars(
            select(EntityAlias.name).where(EntityAlias.entity_id == entity.id).order_by(EntityAlias.name_key)
        )
    )


def _claim_keys(session: Session, entity: Entity) -> list[str]:
    return list(
        session.scalars(
            select(Claim.key)
            .join(claim_entity, claim_entity.c.claim_id == Claim.id)
            .where(claim_entity.c.entity_id == entity.id)
            .order_by(Claim.key)
        )
    )


def _state(session: Session, entity: Entity) -> dict[str, object]:
    """What the event log keeps of an entity: name, aliases and the keys of the claims about it."""
    return {"name": entity.name, "aliases": _alias_names(session, entity), "claims": _claim_keys(session, entity)}


def _reason(reason: str | None) -> str | None:
    return optional_user_text(reason, "reason")


# --- aliases --------------------------------------------------------------------------------------------


def add_aliases(
    session: Session,
    name: str,
    aliases: Sequence[str],
    *,
    reason: str | None = None,
    existing_ok: bool = False,
) -> Entity:
    """Give the entity called ``name`` (a name or an alias) these aliases. An alias must not be any entity's
    name or another alias; with ``existing_ok`` (a claims file loaded again), one this entity already has is
    passed over. Nothing is written unless every alias is acceptable."""
    access.require(Permission.EDIT_ENTITIES)
    entity = get_entity(session, name)
    wanted: dict[str, str] = {}
    for alias in aliases:
        clean, key = _checked(alias, "an alias")
        wanted.setdefault(key, clean)
    if not wanted:
        raise Invalid(f"no alias given for {entity.name!r}; give one or more, e.g. 'DPRK'")
    named = {e.name_key: e for e in session.scalars(select(Entity).where(Entity.name_key.in_(wanted)))}
    taken = {
        a.name_key: a
        for a in session.scalars(
            select(EntityAlias).options(selectinload(EntityAlias.entity)).where(EntityAlias.name_key.in_(wanted))
        )
    }
    new: dict[str, str] = {}
    for key, alias in wanted.items():
        owner = named.get(key)
        if owner is entity:
            raise Conflict(f"{entity.name!r} is already the entity's name; an alias is another name for it")
        if owner is not None:
            raise Conflict(
                f"{owner.name!r} is the name of another entity; if they are one, merge it: `provenance entity merge "
                f"{_command_word(owner.name)} {_command_word(entity.name)} --reason WHY`"
            )
        existing = taken.get(key)
        if existing is not None and existing.entity_id == entity.id:
            if existing_ok:
                continue
            raise Conflict(f"{existing.name!r} is already an alias of {entity.name!r}")
        if existing is not None:
            raise Conflict(
                f"{existing.name!r} is already an alias of {existing.entity.name!r}; remove it there first "
                f"(`provenance entity unalias {_command_word(existing.name)}`) or merge the two entities"
            )
        new[key] = alias
    if not new:
        return entity
    before = _alias_names(session, entity)
    session.add_all(EntityAlias(entity=entity, name=alias, name_key=key) for key, alias in new.items())
    session.flush()
    _record_aliases(session, "entity.alias", entity, before, reason)
    return entity


def _record_aliases(session: Session, action: str, entity: Entity, before: list[str], reason: str | None) -> None:
    """Log a change of ``entity``'s aliases: the aliases it had (``before``) and has now."""
    events.record(
        session,
        action,
        "entity",
        entity.name,
        before={"name": entity.name, "aliases": before},
        after={"name": entity.name, "aliases": _alias_names(session, entity)},
        reason=_reason(reason),
    )


def remove_alias(session: Session, alias: str, *, reason: str | None = None) -> Entity:
    """Take ``alias`` away from its entity and return the entity. An entity's own name is not an alias: it
    stays (merge the entity into another to retire it)."""
    access.require(Permission.EDIT_ENTITIES)
    clean, key = _checked(alias, "an alias")
    row = session.scalar(
        select(EntityAlias).options(selectinload(EntityAlias.entity)).where(EntityAlias.name_key == key)
    )
    if row is None:
        entity = session.scalar(select(Entity).where(Entity.name_key == key))
        if entity is not None:
            raise Invalid(
                f"{entity.name!r} is an entity's name, not an alias, and stays; to retire it, merge the entity "
                "into another (`provenance entity merge FROM INTO --reason WHY`)"
            )
        raise NotFound(f"no alias {clean!r}; {_close_names_hint(session, clean)}")
    entity = row.entity
    before = _alias_names(session, entity)
    session.delete(row)
    session.flush()
    _record_aliases(session, "entity.unalias", entity, before, reason)
    return entity


# --- merging --------------------------------------------------------------------------------------------


def merge_entities(session: Session, source: str, target: str, *, reason: str) -> Entity:
    """Make the entity ``source`` part of ``target`` (each a name or an alias): its claims become claims about
    ``target`` (a claim about both is linked once), its aliases move, its name becomes an alias of ``target``,
    and it is deleted. The event log keeps both entities as they were, with the reason."""
    access.require(Permission.EDIT_ENTITIES)
    why = _reason(reason)
    if why is None:
        raise Invalid("say why the two entities are one with --reason, e.g. --reason 'DPRK is North Korea'")
    merged = get_entity(session, source)
    into = get_entity(session, target)
    if merged is into:
        same = "" if entity_key(source) == entity_key(target) else f" ({source!r} and {target!r} both name it)"
        raise Invalid(f"cannot merge {merged.name!r} into itself{same}; name two different entities")
    before = {"from": _state(session, merged), "into": _state(session, into)}
    claims = session.scalars(
        select(Claim).where(Claim.entities.any(Entity.id == merged.id)).options(selectinload(Claim.entities))
    )
    now = utcnow()
    for claim in claims:
        if all(e is not into for e in claim.entities):
            claim.entities.append(into)
        claim.entities.remove(merged)
        claim.updated_at = now  # what the claim is about changed: a change of the claim (its version goes up)
    for alias in session.scalars(select(EntityAlias).where(EntityAlias.entity_id == merged.id)):
        alias.entity = into
    name, name_key = merged.name, merged.name_key
    session.delete(merged)
    session.add(EntityAlias(entity=into, name=name, name_key=name_key))
    session.flush()
    session.expire(into, ["aliases", "claims"])
    events.record(
        session, "entity.merge", "entity", name, before=before, after={"into": _state(session, into)}, reason=why
    )
    return into
