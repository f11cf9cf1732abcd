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
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, func, or_, select, union
from sqlalchemy.orm import Session

from provenance.contradictions import SUGGESTION
from provenance.errors import Invalid, NotFound
from provenance.models import Claim, ContradictionSuggestion, Event, Evidence, Passage, Source

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
    """An event with the fields it changed."""

    event: Event
    changes: list[Change]

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
    if limit < 1:
        raise Invalid(f"--limit must be at least 1 (got {limit}); it is how many events to show, newest first")
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
    return History([Entry(e, changes(e.before, e.after)) for e in found], total, subjects)


def _subjects(session: Session, key: str, subject: str | None) -> list[tuple[str, str]]:
    claim = session.scalar(select(Claim.id).where(Claim.key == key)) if subject in (None, "claim") else None
    source = session.scalar(select(Source.id).where(Source.key == key)) if subject in (None, "source") else None
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
