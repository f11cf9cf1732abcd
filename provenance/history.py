"""The desk's history from the audit log: who changed what, when, from what to what, and why.

This module only reads. A claim's history is every event recorded under the claim (its evidence's events are
recorded there too, with the evidence id), every event of a contradiction it is one side of (recorded under
``A|B``) and every event of a suggested contradiction between its passages. A source's history is every event
recorded under the source (capture, versions, rating, derivation, retraction), the derivations of other sources
from it, and the events of evidence quoting it. Each event shows, field by field, what its ``before`` and
``after`` differ in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, func, or_, select, union
from sqlalchemy.orm import Session, aliased

from provenance.contradictions import SUGGESTION
from provenance.errors import Invalid, NotFound
from provenance.models import Claim, Contradiction, ContradictionSuggestion, Event, Evidence, Passage, Source
from provenance.search import MAX_LIMIT

DEFAULT_LIMIT = 50
SUBJECTS = ("claim", "source")


@dataclass(frozen=True)
class Change:
    """One field an event changed: its value before and after (None where it had none)."""

    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class Entry:
    """An event with the fields it changed: ``changes`` as recorded (``history --json``), ``shown`` as people
    read them, with database ids replaced by what people know (claim keys, a passage's source and characters)
    and ``evidence`` saying which piece of evidence the event is about (its source and characters)."""

    event: Event
    changes: list[Change]
    shown: list[Change] = field(default_factory=list)
    evidence: str | None = None

    @property
    def created(self) -> bool:
        """Whether the event made something (it has no ``before``)."""
        return self.event.before is None and self.event.after is not None

    @property
    def removed(self) -> bool:
        """Whether the event took something away (it has no ``after``)."""
        return self.event.after is None and self.event.before is not None


@dataclass(frozen=True)
class History:
    """The events asked for (newest first), how many there are in all, and what they are the history of."""

    entries: list[Entry]
    total: int
    subjects: list[tuple[str, str]]  # ("claim", key) and/or ("source", key); empty: the whole desk


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Change]:
    """The fields whose values differ between ``before`` and ``after`` (a missing field counts as None), in the
    order they are recorded. Something made (no ``before``) lists the fields it was given a value; something
    taken away (no ``after``), those it had."""
    old, new = before or {}, after or {}
    names = list(old) + [name for name in new if name not in old]
    return [
        Change(name, old.get(name), new.get(name))
        for name in names
        if old.get(name) != new.get(name) and not (_blank(old.get(name)) and _blank(new.get(name)))
    ]


def _blank(value: Any) -> bool:
    """No value: None, "", an empty list or mapping, or a list of nothing but these."""
    if isinstance(value, list):
        return all(_blank(item) for item in value)
    return value is None or value == "" or value == {}


def history(
    session: Session,
    key: str | None = None,
    *,
    subject: str | None = None,
    limit: int = DEFAULT_LIMIT,
    since: dt.date | None = None,
) -> History:
    """The most recent ``limit`` events (newest first) of the whole desk, or of the claim or source ``key``
    names (``subject`` "claim" or "source" says which; without it a key that names both gives both), on or after
    the day ``since`` (UTC)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid(
            f"--limit must be from 1 to {MAX_LIMIT:,} (got {limit}); it is how many events to show, newest first"
        )
    if subject is not None and subject not in SUBJECTS:
        raise Invalid(f"unknown subject {subject!r}; use one of: {', '.join(SUBJECTS)}")
    if subject is not None and key is None:
        raise Invalid(f"name the {subject} whose history to show")
    subjects = [] if key is None else _subjects(session, key, subject)
    conditions: list[ColumnElement[bool]] = []
    if subjects:
        # Each kind of event about the subject is found through the (subject_type, subject_key) index on its own,
        # then merged: one condition OR-ing them all would have the database read the whole log.
        branches = [select(Event.id).where(branch) for kind, key in subjects for branch in _about(kind, key)]
        conditions.append(Event.id.in_(union(*branches)))
    if since is not None:
        conditions.append(Event.occurred_at >= dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC))
    where = and_(*conditions) if conditions else None
    # Newest first in the order the log was appended (ids rise with it): the primary key gives that order
    # without sorting the whole log.
    query = select(Event).order_by(Event.id.desc()).limit(limit)
    count = select(func.count()).select_from(Event)
    if where is not None:
        query, count = query.where(where), count.where(where)
    found = list(session.scalars(query))
    total = len(found) if len(found) < limit else session.scalar(count) or 0
    labels = _labels(session, found)
    entries = [
        Entry(e, changes(e.before, e.after), _shown(changes(e.before, e.after), labels), _evidence(e)) for e in found
    ]
    return History(entries, total, subjects)


# --- what people are shown instead of database ids ------------------------------------------------------

# A field holding ids (or one id), what it is called when shown, and which rows the ids are of
_ID_FIELDS = {
    "passage_ids": ("passages", "passage"),
    "claim_ids": ("claims", "claim"),
    "contradiction_id": ("contradiction", "contradiction"),
}
_HIDDEN = frozenset({"evidence_id"})  # the event's subject says which evidence it is
_WORDED = frozenset({"status", "verdict", "anchor_method"})  # stored as in_progress, shown as "in progress"


def _ids(value: Any) -> list[int]:
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, int) and not isinstance(v, bool)]


def _labels(session: Session, events: list[Event]) -> dict[str, dict[int, str]]:
    """For each kind of row the events name by id, the ids' labels: ``SOURCE characters A–B`` for a passage,
    the key for a claim, ``A|B`` for a contradiction."""
    wanted: dict[str, set[int]] = {"passage": set(), "claim": set(), "contradiction": set()}
    for event in events:
        for state in (event.before, event.after):
            if isinstance(state, dict):
                for name, (_, kind) in _ID_FIELDS.items():
                    wanted[kind].update(_ids(state.get(name)))
    labels: dict[str, dict[int, str]] = {kind: {} for kind in wanted}
    if wanted["passage"]:
        rows = session.execute(
            select(Passage.id, Source.key, Passage.char_start, Passage.char_end)
            .join(Source, Source.id == Passage.source_id)
            .where(Passage.id.in_(wanted["passage"]))
        )
        labels["passage"] = {ident: f"{key} characters {start}–{end}" for ident, key, start, end in rows}
    if wanted["claim"]:
        keys = session.execute(select(Claim.id, Claim.key).where(Claim.id.in_(wanted["claim"])))
        labels["claim"] = {ident: key for ident, key in keys}
    if wanted["contradiction"]:
        first, second = aliased(Claim), aliased(Claim)
        pairs = session.execute(
            select(Contradiction.id, first.key, second.key)
            .join(first, first.id == Contradiction.claim_a_id)
            .join(second, second.id == Contradiction.claim_b_id)
            .where(Contradiction.id.in_(wanted["contradiction"]))
        )
        labels["contradiction"] = {ident: f"{a}|{b}" for ident, a, b in pairs}
    return labels


def _shown(found: list[Change], labels: dict[str, dict[int, str]]) -> list[Change]:
    """The changes as people read them: ids as labels, status and verdict in words, evidence ids left out."""
    shown = []
    for change in found:
        if change.field in _HIDDEN:
            continue
        if change.field in _ID_FIELDS:
            name, kind = _ID_FIELDS[change.field]
            shown.append(
                Change(name, _labelled(change.before, labels[kind], kind), _labelled(change.after, labels[kind], kind))
            )
        elif change.field in _WORDED:
            shown.append(Change(change.field, _words(change.before), _words(change.after)))
        else:
            shown.append(change)
    return shown


def _labelled(value: Any, labels: dict[int, str], kind: str) -> Any:
    """An id (or a list of ids) as its label; one whose row is gone is said to be."""
    if isinstance(value, list):
        return [_labelled(item, labels, kind) for item in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return labels.get(value, f"a {kind} no longer stored")
    return value


def _words(value: Any) -> Any:
    return value.replace("_", " ") if isinstance(value, str) else value


def _evidence(event: Event) -> str | None:
    """Which evidence an event of a claim is about, as people find it in `claim show`: the source it quotes
    and the characters (where it was, for evidence carried to a new version of its source)."""
    state = event.before or event.after
    if not isinstance(state, dict) or "evidence_id" not in state:
        return None
    source, start, end = state.get("source"), state.get("char_start"), state.get("char_end")
    if isinstance(source, str) and isinstance(start, int) and isinstance(end, int):
        return f"evidence quoting {source} characters {start}–{end}"
    return f"evidence {state['evidence_id']}"


def _subjects(session: Session, key: str, subject: str | None) -> list[tuple[str, str]]:
    usable = "\x00" not in key  # no key holds a NUL character, and PostgreSQL refuses one even in a query
    claim = session.scalar(select(Claim.id).where(Claim.key == key)) if usable and subject != "source" else None
    source = session.scalar(select(Source.id).where(Source.key == key)) if usable and subject != "claim" else None
    found = [(kind, key) for kind, ident in (("claim", claim), ("source", source)) if ident is not None]
    if found:
        return found
    if subject == "source":
        raise NotFound(f"no source {key!r}; `provenance source list` shows the keys")
    if subject == "claim":
        raise NotFound(f"no claim {key!r}; `provenance claim list` shows the keys")
    raise NotFound(
        f"no claim or source {key!r}; `provenance claim list` shows the keys (`provenance source list` those of "
        "sources)"
    )


def _about(kind: str, key: str) -> list[ColumnElement[bool]]:
    """The kinds of events in the history of the claim or source ``key``, each a condition on its own."""
    if kind == "claim":
        claim_id = select(Claim.id).where(Claim.key == key).scalar_subquery()
        suggestions = select(cast(ContradictionSuggestion.id, String)).where(
            or_(ContradictionSuggestion.claim_a_id == claim_id, ContradictionSuggestion.claim_b_id == claim_id)
        )
        return [
            and_(Event.subject_type == "claim", Event.subject_key == key),  # its evidence's events too
            and_(
                Event.subject_type == "contradiction",
                or_(
                    Event.subject_key.startswith(f"{key}|", autoescape=True),
                    Event.subject_key.endswith(f"|{key}", autoescape=True),
                ),
            ),
            and_(Event.subject_type == SUGGESTION, Event.subject_key.in_(suggestions)),
        ]
    source_id = select(Source.id).where(Source.key == key).scalar_subquery()
    citing = (
        select(Claim.key)
        .join(Evidence, Evidence.claim_id == Claim.id)
        .join(Passage, Passage.id == Evidence.passage_id)
        .where(Passage.source_id == source_id)
    )
    return [
        and_(Event.subject_type == "source", Event.subject_key == key),
        # another source recorded as repeating this one
        and_(
            Event.subject_type == "source",
            Event.action == "source.derive",
            Event.after["derived_from"].as_string() == key,
        ),
        # evidence quoting it, recorded under its claim
        and_(
            Event.subject_type == "claim",
            Event.subject_key.in_(citing),
            Event.action.startswith("evidence."),
            or_(Event.after["source"].as_string() == key, Event.before["source"].as_string() == key),
        ),
    ]
