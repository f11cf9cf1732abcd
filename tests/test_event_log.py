"""The event log is append-only in the database itself, not only by the domain layer's convention."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from provenance import events


@pytest.mark.parametrize(
    ("statement", "word"),
    [("UPDATE event SET reason = 'rewritten'", "changed"), ("DELETE FROM event", "deleted")],
)
def test_the_database_refuses_to_change_or_delete_an_event(session: Session, statement: str, word: str) -> None:
    events.record(session, "claim.note", "claim", "k", reason="first")
    session.commit()

    with pytest.raises(DBAPIError, match=f"the event log is append-only: an event cannot be {word}"):
        session.execute(text(statement))
    session.rollback()

    assert session.execute(text("SELECT reason FROM event")).scalars().all() == ["first"]


def test_appending_still_works(session: Session) -> None:
    first = events.record(session, "claim.note", "claim", "k", reason="one")
    second = events.record(session, "claim.note", "claim", "k", reason="two")
    session.commit()
    assert second == first + 1
