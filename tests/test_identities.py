"""A desk whose identities are verified: the command line refuses --as and acts as the database's operator, a
verdict counts for publishing only when a proven person set it, and the log says how each actor was known; a
whole-desk bundle carries the accounts and how each change was known, not the sign-ins and tokens."""

from __future__ import annotations

import getpass
import json
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import PG_URL, Provenance
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from provenance import access, bundle, claims, db, events, workflow
from provenance.access import ROLES, Actor, Permission
from provenance.errors import Forbidden, Invalid
from provenance.models import (
    Account,
    ApiToken,
    Claim,
    DeskSession,
    Event,
    Identity,
    Role,
    SignInAttempt,
    utcnow,
)

KEY = "suntech-diversion"
HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$0VdD3rQmJ7wH1pW5o4mXbQ1s2yq3m8o9Zr6t0uYk4Hc"


def _login(url: str, backend: str) -> str:
    """Who the database knows the tests' connection as: the PostgreSQL login, or on SQLite the system user."""
    if backend == "postgresql":
        engine = create_engine(db.resolve_url(url))
        try:
            with engine.connect() as connection:
                return str(connection.scalar(text("SELECT current_user")))
        finally:
            engine.dispose()
    return getpass.getuser()


def _events(url: str, after: int = 0) -> list[tuple[str, str | None, str]]:
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(Event.actor, Event.identity, Event.action).where(Event.id > after).order_by(Event.id)
            ).all()
            return [tuple(row) for row in rows]  # type: ignore[misc]
    finally:
        engine.dispose()


def _last_event_id(url: str) -> int:
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(text("SELECT max(id) FROM event")) or 0)
    finally:
        engine.dispose()


def _as(url: str, actor: Actor, action: Callable[[Session], object]) -> object:
    """Run ``action`` as ``actor`` (as the desk's server would for a signed-in person) and commit it."""
    engine = db.make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session, events.acting_as(actor):
            result = action(session)
            session.commit()
            return result
    finally:
        engine.dispose()


def _claim(url: str) -> Claim:
    engine = db.make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            return claims.get_claim(session, KEY)
    finally:
        engine.dispose()


def _verified(seeded: Provenance) -> None:
    seeded.ok("desk", "set", "identities", "verified", "--reason", "the desk has a server now")


# --- the command line in a verified desk -------------------------------------------------------------------


def test_setting_identities_verified_is_logged_under_the_declared_name_that_set_it(
    seeded: Provenance, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROVENANCE_USER", "ana")
    last = _last_event_id(seeded.url)

    _verified(seeded)

    assert _events(seeded.url, last) == [("ana", "declared", "desk.set")]


def test_as_is_refused_in_a_verified_desk_with_one_line_and_nothing_written(seeded: Provenance) -> None:
    _verified(seeded)

    line = seeded.fails("--as", "bea", "claim", "add", "aid-sent", "India sent aid")

    assert line == (
        "Error: --as is refused: this desk's identities are verified, so a change is made under a proven name "
        "only; sign in with `provenance login URL` and work through the desk's server, or leave out --as to act "
        "as the database's operator"
    )


def test_a_change_without_as_is_logged_as_the_operator_under_the_database_login(
    seeded: Provenance, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROVENANCE_USER", "ana")  # a declared name counts for nothing in a verified desk
    _verified(seeded)
    last = _last_event_id(seeded.url)

    seeded.ok("claim", "add", "aid-sent", "India sent aid")

    login = _login(seeded.url, backend)
    assert login != "ana"
    assert _events(seeded.url, last) == [(login, "operator", "claim.add")]


def test_a_verdict_the_operator_sets_is_not_proven_and_publishing_waits_for_a_proven_reviewer(
    seeded: Provenance, backend: str
) -> None:
    _verified(seeded)
    login = _login(seeded.url, backend)
    seeded.ok("review", KEY, "--status", "in progress")
    seeded.ok("review", KEY, "--status", "in review", "--verdict", "false")
    claim = _claim(seeded.url)
    assert (claim.verdict_by, claim.verdict_proven) == (login, False)
    cara = Actor("cara", Identity.TOKEN, Role.EDITOR, 3)
    dev = Actor("dev", Identity.SIGNED_IN, Role.EDITOR, 4)

    def publish(session: Session) -> object:
        return workflow.review_claim(session, KEY, status="published", note="read both reports")

    # even a proven editor who did not set the verdict may not publish one the operator set
    with pytest.raises(Forbidden) as refused:
        _as(seeded.url, cara, publish)
    assert str(refused.value) == (
        f"claim {KEY!r} cannot be published: its verdict was set by {login}, not a proven identity (declared or "
        "the operator); a signed-in reviewer sets it again with "
        f"`provenance review {KEY} --verdict false`, then someone else publishes it"
    )
    # the operator cannot publish either: publishing counts only proven people
    seeded.fails("review", KEY, "--status", "published", "--note", "read both reports")

    # a proven reviewer gives the same verdict again: now a proven person stands behind it
    last = _last_event_id(seeded.url)
    _as(seeded.url, dev, lambda session: workflow.review_claim(session, KEY, verdict="false"))
    claim = _claim(seeded.url)
    assert (claim.verdict_by, claim.verdict_proven) == ("dev", True)

    with pytest.raises(Invalid) as same:
        _as(seeded.url, dev, publish)
    assert str(same.value).startswith(
        f"claim {KEY!r} needs a second person to publish it: its verdict was set by dev, who cannot also publish it"
    )
    _as(seeded.url, cara, publish)

    assert _claim(seeded.url).status.value == "published"
    assert _events(seeded.url, last) == [("dev", "signed-in", "claim.review"), ("cara", "token", "claim.review")]
    seeded.ok("verify")


def test_a_proven_reviewer_may_set_the_verdict_but_not_publish(seeded: Provenance) -> None:
    _verified(seeded)
    seeded.ok("review", KEY, "--status", "in progress")
    seeded.ok("review", KEY, "--status", "in review")
    reviewer = Actor("dev", Identity.TOKEN, Role.REVIEWER, 4)
    _as(seeded.url, reviewer, lambda session: workflow.review_claim(session, KEY, verdict="false"))

    with pytest.raises(Forbidden) as refused:
        _as(seeded.url, reviewer, lambda session: workflow.review_claim(session, KEY, status="published", note="ok"))

    assert str(refused.value) == (
        "dev is a reviewer and may not publish: that needs the editor role or above (an admin changes roles with "
        "`provenance user role NAME ROLE`)"
    )


def test_a_claims_file_cannot_bring_a_published_claim_into_a_verified_desk(seeded: Provenance, tmp_path: Path) -> None:
    _verified(seeded)
    path = tmp_path / "published.yaml"
    path.write_text(
        "claims:\n  - key: aid-sent\n    statement: India sent aid\n    status: published\n    verdict: 'true'\n",
        encoding="utf-8",
    )

    line = seeded.fails("import", str(path))

    assert line == (
        f"Error: {path}: claims[0] (aid-sent): claim 'aid-sent' cannot be added already published: this desk's "
        "identities are verified, so a claim is published by a review, by someone other than whoever set its "
        "verdict; add it unpublished (leave out its status, or give 'in review') and publish it with "
        "`provenance review`"
    )


def test_in_a_declared_desk_as_names_who_acts_and_a_verdict_by_a_token_is_proven(seeded: Provenance) -> None:
    last = _last_event_id(seeded.url)
    seeded.ok("--as", "bea", "review", KEY, "--status", "in progress")
    _as(
        seeded.url,
        Actor("dev", Identity.TOKEN, Role.EDITOR, 4),
        lambda s: claims.add_claim(s, "a", "A", verdict="true"),
    )

    assert _events(seeded.url, last) == [("bea", "declared", "claim.review"), ("dev", "token", "claim.add")]
    engine = db.make_engine(seeded.url)
    with Session(engine) as session:
        assert claims.get_claim(session, "a").verdict_proven is True
    engine.dispose()


# --- bundles carry accounts ---------------------------------------------------------------------------------


@pytest.fixture
def empty_target(backend: str, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    """A second database at the latest schema, with no rows, to load bundles into."""
    if backend == "sqlite":
        path = tmp_path / "target.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    assert PG_URL is not None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(db.resolve_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = db.resolve_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        shown = url.render_as_string(hide_password=False)
        engine = db.make_engine(shown)
        db.upgrade(engine)
        engine.dispose()
        yield shown
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _desk_with_accounts(url: str) -> None:
    """Accounts, a sign-in, a token and sign-in attempts, and changes made by a signed-in person."""
    engine = db.make_engine(url)
    with Session(engine) as session:
        dev = Account(name="dev", display_name="Dev Rao", role=Role.EDITOR, password_hash=HASH, created_by="ana")
        session.add_all([dev, Account(name="eve", display_name="Eve", role=Role.VIEWER, password_hash=HASH + "x")])
        session.flush()
        now = utcnow()
        session.add_all(
            [
                DeskSession(account_id=dev.id, secret_sha256="a" * 64, expires_at=now, client_address="10.0.0.5"),
                ApiToken(account_id=dev.id, label="laptop", secret_sha256="b" * 64),
                SignInAttempt(name="dev", client_address="10.0.0.5", succeeded=True),
            ]
        )
        session.commit()
    engine.dispose()
    dev_actor = Actor("dev", Identity.SIGNED_IN, Role.EDITOR, 1)
    _as(url, dev_actor, lambda s: workflow.review_claim(s, KEY, status="in progress", verdict="false"))


def _table(url: str, statement: str) -> list[tuple[object, ...]]:
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(statement))]
    finally:
        engine.dispose()


def test_a_bundle_carries_accounts_and_how_each_change_was_known_but_no_sign_ins_or_tokens(
    seeded: Provenance, empty_target: str
) -> None:
    _desk_with_accounts(seeded.url)
    engine = db.make_engine(seeded.url)
    with Session(engine) as session:
        data = bundle.dump(session)
    engine.dispose()

    assert not {"desk_session", "api_token", "sign_in_attempt"} & set(data["tables"])
    engine = db.make_engine(empty_target)
    with Session(engine) as session:
        summary = bundle.load(session, data)
        session.commit()
    engine.dispose()

    assert summary.rows["account"] == 2
    accounts = "SELECT name, display_name, role, active, password_hash, created_by FROM account ORDER BY id"
    assert _table(empty_target, accounts) == _table(seeded.url, accounts)
    assert _table(empty_target, accounts)[0] == ("dev", "Dev Rao", "editor", True, HASH, "ana")
    for table in ("desk_session", "api_token", "sign_in_attempt"):
        assert _table(empty_target, f"SELECT count(*) FROM {table}") == [(0,)]
    identities = "SELECT id, actor, identity FROM event ORDER BY id"
    assert _table(empty_target, identities) == _table(seeded.url, identities)
    assert _table(empty_target, identities)[-1][1:] == ("dev", "signed-in")
    verdict = f"SELECT verdict, verdict_by, verdict_proven FROM claim WHERE key = '{KEY}'"
    assert _table(empty_target, verdict) == _table(seeded.url, verdict) == [("false", "dev", True)]
    Provenance(empty_target).ok("verify")


def test_a_bundle_holding_sign_ins_is_refused(seeded: Provenance, empty_target: str) -> None:
    engine = db.make_engine(seeded.url)
    with Session(engine) as session:
        data = bundle.dump(session)
    engine.dispose()
    data["tables"]["desk_session"] = {"columns": [], "rows": []}

    engine = db.make_engine(empty_target)
    with Session(engine) as session, pytest.raises(Invalid) as refused:
        bundle.load(session, data)
    engine.dispose()

    assert str(refused.value) == (
        "damaged bundle: table desk_session is never carried in a bundle (sign-ins and tokens are made again on "
        "the new desk); export it again"
    )


def test_a_bundle_is_made_and_loaded_only_by_whoever_may_manage_accounts(seeded: Provenance, empty_target: str) -> None:
    engine = db.make_engine(seeded.url)
    with Session(engine) as session:
        data = json.loads(bundle.dumps(session))
    engine.dispose()
    engine = db.make_engine(empty_target)
    try:
        for role in ROLES:
            with Session(engine) as session, events.acting_as(Actor("x", Identity.TOKEN, role)):
                if access.allows(role, Permission.MANAGE_ACCOUNTS):
                    assert bundle.load(session, data).rows["claim"] == 12
                    assert bundle.dump(session)["tables"]["claim"]["rows"]
                    session.rollback()
                    continue
                for attempt in (lambda: bundle.load(session, data), lambda: bundle.dump(session)):
                    with pytest.raises(Forbidden) as refused:
                        attempt()
                    article = "an" if role is Role.EDITOR else "a"
                    assert str(refused.value) == (
                        f"x is {article} {role.value} and may not manage accounts: that needs the admin role or above "
                        "(an admin changes roles with `provenance user role NAME ROLE`)"
                    )
                assert session.scalar(text("SELECT count(*) FROM claim")) == 0
    finally:
        engine.dispose()
