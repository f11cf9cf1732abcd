"""Accounts, passwords, tokens and sign-ins (provenance.accounts) and the ``user`` / ``token`` commands."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any, Literal

import pytest
from argon2 import PasswordHasher
from conftest import REPO, Provenance
from sqlalchemy import select
from sqlalchemy.orm import Session

from provenance import access, accounts, events
from provenance.access import PERMISSIONS, ROLES, Actor
from provenance.cli import accounts as accounts_cli
from provenance.cli import cli
from provenance.errors import Conflict, Forbidden, Invalid, NotFound, TooManyAttempts, Unauthenticated
from provenance.models import Account, ApiToken, DeskSession, Event, Identity, Role, SignInAttempt

PASSWORD = "correct horse battery staple"
OTHER_PASSWORD = "a different long passphrase"
ADDRESS = "192.0.2.7"
# Argon2id at small parameters: the tests hash and verify many times
CHEAP = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_hasher(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "hasher", CHEAP)


class Clock:
    """A clock the accounts module reads, moved by hand."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    moved = Clock()
    monkeypatch.setattr(accounts, "utcnow", moved)
    return moved


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits sign_in asks for (not slept)."""
    asked: list[float] = []
    monkeypatch.setattr(accounts, "sleep", asked.append)
    return asked


def as_role(role: Role, name: str = "rita", account_id: int | None = 99) -> Any:
    return events.acting_as(Actor(name, Identity.TOKEN, role, account_id))


def logged(session: Session, *actions: str) -> list[Event]:
    query = select(Event).order_by(Event.id)
    if actions:
        query = query.where(Event.action.in_(actions))
    return list(session.scalars(query))


def desk(session: Session) -> None:
    """An admin (ana) and an editor (bea)."""
    accounts.add_account(session, "ana", PASSWORD, role="admin", display_name="Ana Lima")
    accounts.add_account(session, "bea", OTHER_PASSWORD, role="editor")
    session.commit()


# --- names and passwords --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Ana", "-ana", ".ana", "ana lima", "", "a" * 65, "anä", "ana/lima"])
def test_an_account_name_out_of_form_is_refused_saying_what_a_name_may_be(session: Session, name: str) -> None:
    with pytest.raises(Invalid) as refused:
        accounts.add_account(session, name, PASSWORD, role="viewer")
    assert str(refused.value) == (
        f"account name {name!r} is not allowed: use 1-64 lowercase letters, digits, '.', '_' or '-', starting "
        "with a letter or digit (e.g. ana.lima)"
    )
    assert session.scalars(select(Account)).all() == []


@pytest.mark.parametrize("name", ["a", "ana.lima", "b_2-x", "7even", "a" * 64])
def test_names_in_form_are_accepted(session: Session, name: str) -> None:
    assert accounts.add_account(session, name, PASSWORD, role="viewer").name == name


@pytest.mark.parametrize(
    ("password", "said"),
    [
        ("short one", "the password is too short (9 characters): use at least 12, e.g. a few unrelated words"),
        (" " * 12, "the password is all whitespace: use at least 12 characters that are not"),
        ("\t \n" * 5, "the password is all whitespace: use at least 12 characters that are not"),
        ("ana.lima.desk", "the password is the account's name: choose one nobody can guess from the name"),
        (" ANA.LIMA.DESK ", "the password is the account's name: choose one nobody can guess from the name"),
        ("x" * 1025, "the password is too long (1025 characters): use at most 1024"),
    ],
)
def test_a_password_the_desk_does_not_accept_is_refused_in_one_line(session: Session, password: str, said: str) -> None:
    with pytest.raises(Invalid) as refused:
        accounts.add_account(session, "ana.lima.desk", password, role="viewer")
    assert str(refused.value) == said
    assert session.scalars(select(Account)).all() == []


def test_a_name_taken_is_a_conflict_with_the_hint(session: Session) -> None:
    desk(session)
    with pytest.raises(Conflict) as refused:
        accounts.add_account(session, "ana", PASSWORD, role="viewer")
    assert str(refused.value) == "there is already an account 'ana'; `provenance user list` shows the accounts"


def test_an_unknown_role_is_refused_with_the_roles(session: Session) -> None:
    with pytest.raises(Invalid) as refused:
        accounts.add_account(session, "ana", PASSWORD, role="owner")
    assert str(refused.value) == "unknown role 'owner'; use one of: viewer, researcher, reviewer, editor, admin"


def test_the_display_name_defaults_to_the_name_and_adding_is_logged_without_the_password(session: Session) -> None:
    with events.acting_as("operator-joe"):
        account = accounts.add_account(session, "bea", PASSWORD, role="reviewer")
    assert (account.name, account.display_name, account.role, account.active, account.created_by) == (
        "bea",
        "bea",
        Role.REVIEWER,
        True,
        "operator-joe",
    )
    [event] = logged(session)
    assert (event.action, event.subject_type, event.subject_key, event.actor, event.identity) == (
        "account.add",
        "account",
        "bea",
        "operator-joe",
        "declared",
    )
    assert event.after == {"name": "bea", "display_name": "bea", "role": "reviewer"}


def test_the_stored_hash_is_argon2id_at_argon2_cffis_recommended_parameters(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(accounts, "hasher", PasswordHasher())
    account = accounts.add_account(session, "ana", PASSWORD, role="admin")
    assert account.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert PASSWORD not in account.password_hash
    assert PasswordHasher().verify(account.password_hash, PASSWORD)


def test_a_hash_made_at_older_parameters_is_made_again_at_sign_in(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    older = PasswordHasher(time_cost=1, memory_cost=4 * 1024, parallelism=1)
    monkeypatch.setattr(accounts, "hasher", older)
    account = accounts.add_account(session, "ana", PASSWORD, role="admin")
    session.commit()
    assert "$m=4096,t=1,p=1$" in account.password_hash
    monkeypatch.setattr(accounts, "hasher", CHEAP)
    accounts.sign_in(session, "ana", PASSWORD, client_address=ADDRESS)
    session.commit()
    session.refresh(account)
    assert "$m=8192,t=1,p=1$" in account.password_hash
    assert CHEAP.verify(account.password_hash, PASSWORD)
    # and again it is not: the parameters are the current ones
    kept = account.password_hash
    accounts.sign_in(session, "ana", PASSWORD, client_address=ADDRESS)
    assert account.password_hash == kept


def test_changing_a_password_logs_no_value_and_the_old_one_stops_working(session: Session, clock: Clock) -> None:
    desk(session)
    with as_role(Role.EDITOR, "bea", 2):
        with pytest.raises(Forbidden, match="needs your current password too, and the one given is missing"):
            accounts.set_password(session, "bea", "my new long passphrase")
        with pytest.raises(Forbidden, match="needs your current password too, and the one given is not it"):
            accounts.set_password(session, "bea", "my new long passphrase", current="a guess at it")
        accounts.set_password(session, "bea", "my new long passphrase", current=OTHER_PASSWORD)
    session.commit()
    [event] = logged(session, "account.password")
    assert (event.subject_key, event.before, event.after, event.actor) == ("bea", None, None, "bea")
    with pytest.raises(Unauthenticated):
        accounts.sign_in(session, "bea", OTHER_PASSWORD, client_address=ADDRESS)
    _, _, actor = accounts.sign_in(session, "bea", "my new long passphrase", client_address=ADDRESS)
    assert actor == Actor("bea", Identity.SIGNED_IN, Role.EDITOR, actor.account_id)


def test_no_password_or_hash_reaches_the_log(session: Session) -> None:
    desk(session)
    accounts.set_password(session, "bea", "yet another passphrase")
    with pytest.raises(Unauthenticated):
        accounts.sign_in(session, "ana", "wrong but long password", client_address=ADDRESS)
    accounts.sign_in(session, "ana", PASSWORD, client_address=ADDRESS)
    session.commit()
    hashes = [a.password_hash for a in session.scalars(select(Account))]
    for event in logged(session):
        written = json.dumps([event.before, event.after, event.reason, event.subject_key, event.actor])
        for secret in [PASSWORD, OTHER_PASSWORD, "yet another passphrase", "wrong but long password", *hashes]:
            assert secret not in written
        assert "$argon2" not in written


# --- roles and permissions ------------------------------------------------------------------------------


def test_a_researcher_may_not_add_an_account(session: Session) -> None:
    with as_role(Role.RESEARCHER), pytest.raises(Forbidden) as refused:
        accounts.add_account(session, "zed", PASSWORD, role="admin")
    assert str(refused.value) == (
        "rita is a researcher and may not manage accounts: that needs the admin role or above (an admin changes "
        "roles with `provenance user role NAME ROLE`)"
    )
    assert session.scalars(select(Account)).all() == []
    assert logged(session) == []


@pytest.mark.parametrize("role", ROLES)
def test_managing_accounts_needs_the_admin_role(session: Session, role: Role) -> None:
    desk(session)
    calls: list[Callable[[], object]] = [
        lambda: accounts.add_account(session, "zed", PASSWORD, role="viewer"),
        lambda: accounts.set_role(session, "bea", "reviewer"),
        lambda: accounts.set_password(session, "bea", "a reset passphrase"),
        lambda: accounts.create_token(session, "for bea", account_name="bea"),
        lambda: accounts.list_tokens(session, "bea"),
        lambda: accounts.disable_account(session, "bea", reason="left"),
    ]
    for call in calls:
        with as_role(role):
            if role is Role.ADMIN:
                call()
            else:
                with pytest.raises(Forbidden, match="may not manage accounts"):
                    call()


@pytest.mark.parametrize("role", ROLES)
def test_every_role_may_change_its_own_password_and_tokens(session: Session, role: Role) -> None:
    desk(session)
    accounts.add_account(session, "vic", PASSWORD, role=role)
    with as_role(role, "vic"):
        accounts.set_password(session, "vic", "vic's own new passphrase", current=PASSWORD)
        token, _ = accounts.create_token(session, "laptop")
        assert [t.id for t in accounts.list_tokens(session, "vic")] == [token.id]
        assert accounts.revoke_token(session, token.id)[1] is True


def test_an_admin_may_revoke_anyones_token_and_an_editor_only_their_own(session: Session) -> None:
    desk(session)
    token, _ = accounts.create_token(session, "bea's laptop", account_name="bea")
    with as_role(Role.EDITOR, "carl"), pytest.raises(Forbidden):
        accounts.revoke_token(session, token.id)
    with as_role(Role.ADMIN, "ana"):
        revoked, changed = accounts.revoke_token(session, token.id)
    assert changed and revoked.revoked_at is not None
    [event] = logged(session, "token.revoke")
    assert (event.subject_key, event.actor, event.after) == (
        str(token.id),
        "ana",
        {"account": "bea", "label": "bea's laptop", "revoked": True},
    )
    assert accounts.revoke_token(session, token.id)[1] is False


def test_the_last_active_admin_is_neither_demoted_nor_disabled(session: Session) -> None:
    desk(session)
    with pytest.raises(Conflict) as demoting:
        accounts.set_role(session, "ana", "editor")
    assert str(demoting.value) == (
        "ana is the desk's last active admin and stays one: make another account admin first "
        "(`provenance user role NAME admin`)"
    )
    with pytest.raises(Conflict) as disabling:
        accounts.disable_account(session, "ana", reason="leaving")
    assert str(disabling.value) == (
        "ana is the desk's last active admin and cannot be disabled: make another account admin first "
        "(`provenance user role NAME admin`)"
    )
    accounts.set_role(session, "bea", "admin")
    assert accounts.set_role(session, "ana", "editor")[1] is True
    # bea is now the last one
    with pytest.raises(Conflict, match="bea is the desk's last active admin"):
        accounts.disable_account(session, "bea", reason="leaving")


def test_a_role_change_is_logged_before_and_after_and_the_same_role_changes_nothing(session: Session) -> None:
    desk(session)
    account, changed = accounts.set_role(session, "bea", "REVIEWER")
    assert (account.role, changed) == (Role.REVIEWER, True)
    assert accounts.set_role(session, "bea", "reviewer")[1] is False
    [event] = logged(session, "account.role")
    assert (event.subject_key, event.before, event.after) == ("bea", {"role": "editor"}, {"role": "reviewer"})


# --- tokens ---------------------------------------------------------------------------------------------


def test_a_token_is_256_random_bits_and_only_its_sha256_is_stored(session: Session) -> None:
    desk(session)
    token, secret = accounts.create_token(session, "laptop", expires_days=30, account_name="bea")
    session.commit()
    assert re.fullmatch(r"pvt_[A-Za-z0-9_-]{43}", secret)
    assert token.secret_sha256 == hashlib.sha256(secret.encode()).hexdigest()
    stored = session.execute(select(ApiToken.__table__)).one()
    assert secret not in json.dumps([str(value) for value in stored])
    assert secret[4:] not in json.dumps([str(value) for value in stored])
    [event] = logged(session, "token.create")
    assert event.after == {"account": "bea", "label": "laptop", "expires": token.expires_at.isoformat()}  # type: ignore[union-attr]
    assert token.expires_at is not None and token.expires_at - token.created_at == dt.timedelta(days=30)
    assert secret not in json.dumps([e.after for e in logged(session)])


def test_a_token_acts_as_its_account(session: Session) -> None:
    desk(session)
    _, secret = accounts.create_token(session, "laptop", account_name="bea")
    actor = accounts.token_actor(session, secret)
    assert (actor.name, actor.identity, actor.role, actor.proven) == ("bea", Identity.TOKEN, Role.EDITOR, True)


def test_a_token_for_the_one_acting_needs_their_account(session: Session) -> None:
    desk(session)
    with events.acting_as("zed"), pytest.raises(NotFound) as refused:
        accounts.create_token(session, "laptop")
    assert str(refused.value) == (
        "no account 'zed'; `provenance user add zed --role ROLE` makes one, or make the token for an account "
        "with --for NAME"
    )
    with events.acting_as("bea"):
        token, _ = accounts.create_token(session, "laptop")
    assert token.account.name == "bea"


@pytest.mark.parametrize("days", [0, -1, 3651])
def test_a_token_expires_after_1_to_3650_days(session: Session, days: int) -> None:
    desk(session)
    with pytest.raises(Invalid) as refused:
        accounts.create_token(session, "laptop", expires_days=days, account_name="bea")
    assert str(refused.value) == (
        f"a token expires after 1 to 3650 days, not {days}; leave out --expires for one that does not"
    )


def test_an_expired_token_is_refused(session: Session, clock: Clock) -> None:
    desk(session)
    token, secret = accounts.create_token(session, "ci", expires_days=1, account_name="bea")
    clock.advance(hours=23)
    assert accounts.token_actor(session, secret).name == "bea"
    clock.advance(hours=1)
    with pytest.raises(Unauthenticated) as refused:
        accounts.token_actor(session, secret)
    assert str(refused.value) == f"the API token {token.id} (ci) expired on 2026-03-03; make another"


@pytest.mark.parametrize(
    ("shown", "said"),
    [
        ("pvt_" + "A" * 43, "unknown API token; `provenance token list` shows yours, and `token create` makes one"),
        ("Bearer x", "that is not an API token of this desk (they start 'pvt_'); make one with "),
        ("", "that is not an API token of this desk (they start 'pvt_'); make one with "),
    ],
)
def test_an_unknown_token_is_refused(session: Session, shown: str, said: str) -> None:
    with pytest.raises(Unauthenticated) as refused:
        accounts.token_actor(session, shown)
    assert str(refused.value).startswith(said)


def test_a_tokens_use_is_recorded_at_most_once_an_hour(session: Session, clock: Clock) -> None:
    desk(session)
    token, secret = accounts.create_token(session, "ci", account_name="bea")
    accounts.token_actor(session, secret)
    clock.advance(minutes=59)
    accounts.token_actor(session, secret)
    assert token.last_used_at == clock.now - dt.timedelta(minutes=59)
    clock.advance(minutes=1)
    accounts.token_actor(session, secret)
    assert token.last_used_at == clock.now
    used = logged(session, "token.use")
    assert [(e.subject_key, e.actor, e.identity, e.after) for e in used] == [
        (str(token.id), "bea", "token", {"account": "bea"}),
    ] * 2


def test_a_revoked_token_is_refused(session: Session, clock: Clock) -> None:
    desk(session)
    token, secret = accounts.create_token(session, "ci", account_name="bea")
    accounts.revoke_token(session, token.id)
    with pytest.raises(Unauthenticated) as refused:
        accounts.token_actor(session, secret)
    assert str(refused.value) == f"the API token {token.id} (ci) was revoked on 2026-03-02; make another"


def test_tokens_listed_without_a_name(session: Session) -> None:
    desk(session)
    ana, _ = accounts.create_token(session, "a", account_name="ana")
    bea, _ = accounts.create_token(session, "b", account_name="bea")
    assert accounts.list_tokens(session) == [ana, bea]  # one with no account: every account's
    with as_role(Role.ADMIN, "ana", ana.account_id):
        assert accounts.list_tokens(session) == [ana, bea]  # an admin: every account's
        assert accounts.list_tokens(session, "ana") == [ana]
    with as_role(Role.EDITOR, "bea", bea.account_id):
        assert accounts.list_tokens(session) == [bea]  # anyone else: their own
    with pytest.raises(NotFound, match="no account 'zed'"):
        accounts.list_tokens(session, "zed")


# --- signing in, sessions, disabling ----------------------------------------------------------------------


def test_sign_in_makes_a_session_for_its_hours(session: Session, clock: Clock) -> None:
    desk(session)
    desk_session, secret, actor = accounts.sign_in(session, "Ana ", PASSWORD, client_address=ADDRESS)
    session.commit()
    assert actor == Actor("ana", Identity.SIGNED_IN, Role.ADMIN, desk_session.account_id)
    assert desk_session.secret_sha256 == hashlib.sha256(secret.encode()).hexdigest()
    assert desk_session.expires_at == clock.now + dt.timedelta(hours=12)
    assert accounts.session_actor(session, secret) == actor
    [event] = logged(session, "session.sign_in")
    assert (event.actor, event.identity, event.subject_key, event.after) == (
        "ana",
        "signed-in",
        "ana",
        {"session": desk_session.id, "client_address": ADDRESS},
    )
    [attempt] = session.scalars(select(SignInAttempt))
    assert (attempt.name, attempt.client_address, attempt.succeeded) == ("ana", ADDRESS, True)
    clock.advance(hours=12)
    with pytest.raises(Unauthenticated) as expired:
        accounts.session_actor(session, secret)
    assert str(expired.value) == "the session expired at 2026-03-02T21:00+00:00; sign in again"


def test_signing_out_ends_the_session(session: Session, clock: Clock) -> None:
    desk(session)
    desk_session, secret, _ = accounts.sign_in(session, "ana", PASSWORD, client_address=ADDRESS)
    accounts.sign_out(session, secret)
    assert desk_session.ended_at == clock.now
    with pytest.raises(Unauthenticated) as refused:
        accounts.session_actor(session, secret)
    assert str(refused.value) == "the session has ended (signed out, or the account disabled); sign in again"
    accounts.sign_out(session, secret)  # a stale cookie: nothing more
    accounts.sign_out(session, "never issued")
    assert [(e.action, e.subject_key) for e in logged(session, "session.sign_out")] == [("session.sign_out", "ana")]
    with pytest.raises(Unauthenticated) as unknown:
        accounts.session_actor(session, "never issued")
    assert str(unknown.value) == "not signed in (no such session); sign in again"


def test_an_unknown_name_and_a_wrong_password_give_the_same_line_and_both_check_a_hash(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk(session)
    checked: list[str] = []

    class Counting(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
            checked.append(str(hash)[:30])
            return super().verify(hash, password)

    counting = Counting(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    monkeypatch.setattr(accounts, "hasher", counting)
    lines = []
    for name, password in [("ana", "not ana's password"), ("nobody", PASSWORD), ("Not A Name!", PASSWORD)]:
        with pytest.raises(Unauthenticated) as refused:
            accounts.sign_in(session, name, password, client_address=ADDRESS)
        lines.append(str(refused.value))
    assert lines == [accounts.WRONG_NAME_OR_PASSWORD] * 3
    assert accounts.WRONG_NAME_OR_PASSWORD == (
        "wrong name or password; check both and try again (an admin resets a forgotten password with "
        "`provenance user passwd NAME`)"
    )
    assert len(checked) == 3 and all(h.startswith("$argon2id$v=19$m=8192,t=1,p=1$") for h in checked)
    failed = logged(session, "session.sign_in_failed")
    assert [(e.subject_key, e.actor, e.identity, e.reason, e.after) for e in failed] == [
        ("ana", "ana", "declared", "wrong name or password", {"client_address": ADDRESS}),
        ("nobody", "nobody", "declared", "wrong name or password", {"client_address": ADDRESS}),
        ("Not A Name!", "Not A Name!", "declared", "wrong name or password", {"client_address": ADDRESS}),
    ]
    assert [(a.name, a.succeeded) for a in session.scalars(select(SignInAttempt).order_by(SignInAttempt.id))] == [
        ("ana", False),
        ("nobody", False),
        ("not a name!", False),
    ]


def test_a_failed_sign_in_is_committed_before_the_error(session: Session, engine: Any) -> None:
    desk(session)
    with pytest.raises(Unauthenticated):
        accounts.sign_in(session, "ana", "not the password!", client_address=ADDRESS)
    session.rollback()  # what a caller does with an error: the failure stays
    with Session(engine) as other:
        assert other.scalar(select(SignInAttempt.name)) == "ana"
        assert [e.action for e in logged(other, "session.sign_in_failed")] == ["session.sign_in_failed"]


def test_repeated_failures_are_slowed_then_refused_per_name(
    session: Session, clock: Clock, pauses: list[float]
) -> None:
    desk(session)
    for _ in range(10):
        with pytest.raises(Unauthenticated):
            accounts.sign_in(session, "ana", "a guessed password", client_address=f"198.51.100.{_}")
        clock.advance(minutes=1)
    assert pauses == [0.25, 0.5, 1.0, 2.0, 2.0]
    with pytest.raises(TooManyAttempts) as refused:
        accounts.sign_in(session, "ana", PASSWORD, client_address="203.0.113.1")  # even the right password
    # the first failure was 10 minutes ago: it leaves the 15-minute window in 5
    assert refused.value.retry_after == 300
    assert str(refused.value) == (
        "too many failed sign-ins for this name or from this address lately: try again in 300 seconds"
    )
    refusal = logged(session, "session.sign_in_failed")[-1]
    assert (refusal.subject_key, refusal.reason) == ("ana", "too many failed sign-ins")
    assert session.scalars(select(DeskSession)).all() == []
    clock.advance(minutes=5)
    _, _, actor = accounts.sign_in(session, "ana", PASSWORD, client_address="203.0.113.1")
    assert actor.name == "ana"
    assert pauses == [0.25, 0.5, 1.0, 2.0, 2.0, 2.0]  # 9 failures still counted
    # signing in clears the name's count
    with pytest.raises(Unauthenticated):
        accounts.sign_in(session, "ana", "a guessed password", client_address="203.0.113.2")
    assert pauses == [0.25, 0.5, 1.0, 2.0, 2.0, 2.0]


def test_repeated_failures_from_one_address_are_refused_whatever_the_name(
    session: Session, clock: Clock, pauses: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(accounts, "SLOW_AFTER", 2)
    monkeypatch.setattr(accounts, "REFUSE_AFTER", 3)
    desk(session)
    for name in ["anna", "ana.lima", "bea"]:
        with pytest.raises(Unauthenticated):
            accounts.sign_in(session, name, "a guessed password", client_address=ADDRESS)
        clock.advance(seconds=30)
    assert pauses == [0.25]
    with pytest.raises(TooManyAttempts) as refused:
        accounts.sign_in(session, "ana", PASSWORD, client_address=ADDRESS)
    assert refused.value.retry_after == 15 * 60 - 90
    # from elsewhere, ana signs in
    assert accounts.sign_in(session, "ana", PASSWORD, client_address="203.0.113.9")[2].name == "ana"


def test_disabling_ends_sessions_and_revokes_tokens_at_once(session: Session, clock: Clock) -> None:
    desk(session)
    first, first_secret, _ = accounts.sign_in(session, "bea", OTHER_PASSWORD, client_address=ADDRESS)
    second, _, _ = accounts.sign_in(session, "bea", OTHER_PASSWORD, client_address="203.0.113.4")
    ended_before, _, _ = accounts.sign_in(session, "bea", OTHER_PASSWORD, client_address=ADDRESS)
    clock.advance(minutes=5)
    accounts.sign_out(session, accounts.sign_in(session, "ana", PASSWORD, client_address=ADDRESS)[1])
    ana_session, _, _ = accounts.sign_in(session, "ana", PASSWORD, client_address=ADDRESS)
    laptop, laptop_secret = accounts.create_token(session, "laptop", account_name="bea")
    ci, _ = accounts.create_token(session, "ci", account_name="bea")
    ana_token, _ = accounts.create_token(session, "ana's", account_name="ana")
    clock.advance(minutes=5)
    account, changed = accounts.disable_account(session, "bea", reason="left the desk")
    session.commit()
    assert changed and not account.active and account.disabled_at == clock.now
    assert [s.ended_at for s in (first, second, ended_before)] == [clock.now] * 3
    assert [t.revoked_at for t in (laptop, ci)] == [clock.now] * 2
    assert (ana_session.ended_at, ana_token.revoked_at) == (None, None)
    [event] = logged(session, "account.disable")
    assert (event.subject_key, event.reason, event.before, event.after) == (
        "bea",
        "left the desk",
        {"active": True},
        {"active": False, "sessions_ended": 3, "tokens_revoked": 2},
    )
    with pytest.raises(Unauthenticated, match="the session has ended"):
        accounts.session_actor(session, first_secret)
    with pytest.raises(Unauthenticated, match=f"the API token {laptop.id} \\(laptop\\) was revoked"):
        accounts.token_actor(session, laptop_secret)
    with pytest.raises(Unauthenticated) as refused:
        accounts.sign_in(session, "bea", OTHER_PASSWORD, client_address=ADDRESS)
    assert str(refused.value) == "the account 'bea' is disabled; an admin can tell you why"
    with pytest.raises(Unauthenticated) as wrong:  # a wrong password says no more than for anyone
        accounts.sign_in(session, "bea", "not her password", client_address=ADDRESS)
    assert str(wrong.value) == accounts.WRONG_NAME_OR_PASSWORD
    with pytest.raises(Conflict) as no_token:
        accounts.create_token(session, "again", account_name="bea")
    assert str(no_token.value) == "the account 'bea' is disabled; it has no tokens and can make none"
    assert accounts.disable_account(session, "bea", reason="again")[1] is False


def test_disabling_needs_a_reason(session: Session) -> None:
    desk(session)
    with pytest.raises(Invalid) as refused:
        accounts.disable_account(session, "bea", reason="  ")
    assert str(refused.value) == "say why with --reason; disabling the account 'bea' is logged with its reason"


# --- the commands -----------------------------------------------------------------------------------------


def test_user_commands(provenance: Provenance, monkeypatch: pytest.MonkeyPatch) -> None:
    added = provenance(
        "--as",
        "operator-joe",
        "user",
        "add",
        "ana",
        "--role",
        "admin",
        "--display-name",
        "Ana Lima",
        input=PASSWORD + "\n",
    )
    assert (added.exit_code, added.stdout, added.stderr) == (0, "ana\tadmin\tAna Lima\n", "")
    assert provenance(
        "--as", "operator-joe", "user", "add", "bea", "--role", "editor", input=OTHER_PASSWORD + "\n"
    ).stdout == ("bea\teditor\tbea\n")
    records = json.loads(provenance.ok("user", "list", "--json").stdout)
    assert [(r["name"], r["display_name"], r["role"], r["active"], r["disabled_at"]) for r in records] == [
        ("ana", "Ana Lima", "admin", True, None),
        ("bea", "bea", "editor", True, None),
    ]
    assert set(records[0]) == {"name", "display_name", "role", "active", "created_at", "created_by", "disabled_at"}
    day = records[0]["created_at"][:10]
    assert provenance.ok("user", "list").stdout == (
        "name  display name  role    active  added       by\n"
        "----- ------------- ------- ------- ----------- ------------\n"
        f"ana   Ana Lima      admin   yes     {day}  operator-joe\n"
        f"bea   bea           editor  yes     {day}  operator-joe\n"
    )
    role = provenance.ok("user", "role", "bea", "reviewer")
    assert (role.stdout, role.stderr) == ("bea\treviewer\n", "")
    same = provenance.ok("user", "role", "bea", "reviewer")
    assert (same.stdout, same.stderr) == ("bea\treviewer\n", "bea is already a reviewer; nothing changed\n")
    passwd = provenance("user", "passwd", "bea", input="her new passphrase\n")
    assert (passwd.exit_code, passwd.stdout) == (0, "bea\tpassword changed\n")
    disabled = provenance.ok("user", "disable", "bea", "--reason", "left the desk")
    assert disabled.stdout == "bea\tdisabled\n"
    assert json.loads(provenance.ok("user", "list", "--json").stdout)[1]["active"] is False
    assert "no (disabled " in provenance.ok("user", "list").stdout
    # on a terminal, a hidden prompt typed twice
    monkeypatch.setattr(accounts_cli, "on_terminal", lambda: True)
    prompted = provenance("user", "add", "cy", "--role", "viewer", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert prompted.exit_code == 0, prompted.stderr
    assert prompted.stdout == "cy\tviewer\tcy\n"
    assert PASSWORD not in prompted.stdout + prompted.stderr


def test_user_commands_refuse_bad_input_in_one_line(provenance: Provenance) -> None:
    assert provenance("user", "list").stdout == "No accounts yet: `provenance user add NAME --role ROLE` adds one.\n"
    assert provenance.fails("user", "add", "Ana", "--role", "admin") == (
        "Error: account name 'Ana' is not allowed: use 1-64 lowercase letters, digits, '.', '_' or '-', starting "
        "with a letter or digit (e.g. ana.lima)"
    )
    assert provenance.fails("user", "add", "ana", "--role", "boss") == (
        "Error: unknown role 'boss'; use one of: viewer, researcher, reviewer, editor, admin"
    )
    assert provenance.fails("user", "add", "ana", "--role", "admin") == (
        "Error: no password: type it at the prompt on a terminal, or give it as one line on standard input "
        "(never as an argument)"
    )
    result = provenance("user", "add", "ana", "--role", "admin", input="too short\n")
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: the password is too short (9 characters): use at least 12, e.g. a few unrelated words\n",
    )
    assert provenance.fails("user", "role", "zed", "admin") == (
        "Error: no account 'zed'; `provenance user list` shows the accounts"
    )
    assert provenance.fails("user", "disable", "zed") == (
        "Error: say why with --reason; disabling the account 'zed' is logged with its reason"
    )
    assert provenance.fails("token", "revoke", "7") == (
        "Error: no token 7; `provenance token list` shows the tokens and their ids"
    )


def test_no_command_takes_a_password_as_an_argument() -> None:
    for name in ("add", "passwd"):
        command = cli.commands["user"].commands[name]  # type: ignore[attr-defined]
        assert [p.name for p in command.params if "pass" in (p.name or "")] == []


def test_token_commands(provenance: Provenance) -> None:
    provenance("user", "add", "ana", "--role", "admin", input=PASSWORD + "\n")
    assert provenance.ok("token", "list").stdout == "No tokens yet: `provenance token create --name LABEL` makes one.\n"
    made = provenance.ok("token", "create", "--name", "laptop", "--expires", "90", "--for", "ana")
    secret = made.stdout.removesuffix("\n")
    assert re.fullmatch(r"pvt_[A-Za-z0-9_-]{43}", secret)
    assert re.fullmatch(
        r"token 1 \(laptop\) for ana, expires \d{4}-\d\d-\d\d \d\d:\d\d UTC: its secret is printed once, now, and "
        r"cannot be shown again\n",
        made.stderr,
    )
    mine = provenance.ok("--as", "ana", "token", "create", "--name", "ci")
    assert (
        mine.stderr
        == "token 2 (ci) for ana, does not expire: its secret is printed once, now, and cannot be shown again\n"
    )
    listed = provenance.ok("token", "list", "--for", "ana").stdout
    assert secret not in listed and hashlib.sha256(secret.encode()).hexdigest() not in listed
    lines = listed.splitlines()
    assert lines[0].split() == ["id", "account", "label", "created", "expires", "last", "used", "revoked"]
    assert [line.split()[:3] for line in lines[2:]] == [["1", "ana", "laptop"], ["2", "ana", "ci"]]
    assert lines[3].split()[-3:] == ["-", "-", "-"]
    records = json.loads(provenance.ok("token", "list", "--json").stdout)
    assert [(r["id"], r["account"], r["label"], r["last_used_at"], r["revoked_at"]) for r in records] == [
        (1, "ana", "laptop", None, None),
        (2, "ana", "ci", None, None),
    ]
    assert set(records[0]) == {"id", "account", "label", "created_at", "expires_at", "last_used_at", "revoked_at"}
    revoked = provenance.ok("token", "revoke", "1")
    assert (revoked.stdout, revoked.stderr) == ("token 1\trevoked\n", "")
    again = provenance.ok("token", "revoke", "1")
    assert (again.stdout, again.stderr) == ("token 1\trevoked\n", "token 1 is already revoked; nothing changed\n")
    assert json.loads(provenance.ok("token", "list", "--json").stdout)[0]["revoked_at"] is not None
    assert provenance.fails("--as", "zed", "token", "create", "--name", "x") == (
        "Error: no account 'zed'; `provenance user add zed --role ROLE` makes one, or make the token for an "
        "account with --for NAME"
    )
    assert provenance.fails("token", "create", "--name", "x", "--expires", "0", "--for", "ana") == (
        "Error: a token expires after 1 to 3650 days, not 0; leave out --expires for one that does not"
    )
    history = provenance.ok("history", "--json").stdout
    assert secret not in history and PASSWORD not in history


# --- the documentation ------------------------------------------------------------------------------------


def permission_table() -> str:
    rows = [f"| {p.value} | {rule.least.value} | {rule.covers} |" for p, rule in PERMISSIONS.items()]
    return "\n".join(["| permission | least role | covers |", "| --- | --- | --- |", *rows])


def test_the_accounts_page_prints_the_permission_table_and_the_role_order() -> None:
    page = (REPO / "docs" / "accounts.md").read_text(encoding="utf-8")
    between = page.split(
        "<!-- permissions: generated from provenance.access.PERMISSIONS; tests/test_accounts.py checks it -->\n"
    )[1].split("\n<!-- end of permissions -->")[0]
    assert between == permission_table()
    assert "\nviewer < researcher < reviewer < editor < admin\n" in page
    assert " < ".join(r.value for r in ROLES) == "viewer < researcher < reviewer < editor < admin"
    assert [access.rank(r) for r in ROLES] == [0, 1, 2, 3, 4]


def test_the_roles_written_out_for_help_are_the_roles() -> None:
    assert ", ".join(r.value for r in ROLES) == accounts_cli.ROLE_WORDS


@pytest.mark.parametrize(
    ("name", "kept"),
    [("ana\x00", "ana\\x00"), ("\x1b[31mana", "\\x1b[31mana"), ("an\ud800a", "an?a"), ("x" * 500, "x" * 100)],
)
def test_a_name_typed_at_sign_in_is_kept_and_logged_without_control_characters(
    session: Session, name: str, kept: str
) -> None:
    desk(session)
    with pytest.raises(Unauthenticated) as refused:
        accounts.sign_in(session, name, "p\ud800ssword and more", client_address=ADDRESS)
    assert str(refused.value) == accounts.WRONG_NAME_OR_PASSWORD
    [event] = logged(session, "session.sign_in_failed")
    assert (event.subject_key, event.actor) == (kept, kept)
    assert session.scalar(select(SignInAttempt.name)) == kept.casefold()


def test_a_password_that_is_not_text_is_refused(session: Session) -> None:
    with pytest.raises(Invalid) as refused:
        accounts.add_account(session, "ana", "long enough \ud800 password", role="admin")
    assert str(refused.value) == (
        "the password has a character that is not text (an unpaired surrogate); type it again"
    )


def test_the_wait_and_the_password_check_hold_no_transaction(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite's write lock (and PostgreSQL's idle-in-transaction limit) are not held through the slow part."""
    desk(session)
    monkeypatch.setattr(accounts, "SLOW_AFTER", 0)
    during: list[tuple[str, bool]] = []
    monkeypatch.setattr(accounts, "sleep", lambda seconds: during.append(("wait", session.in_transaction())))

    class Watching(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
            during.append(("check", session.in_transaction()))
            return super().verify(hash, password)

    monkeypatch.setattr(accounts, "hasher", Watching(time_cost=1, memory_cost=8 * 1024, parallelism=1))
    with pytest.raises(Unauthenticated):
        accounts.sign_in(session, "nobody", PASSWORD, client_address=ADDRESS)
    accounts.sign_in(session, "ana", PASSWORD, client_address=ADDRESS)
    assert during == [("wait", False), ("check", False)] * 2
    session.commit()
    assert [e.action for e in logged(session, "session.sign_in", "session.sign_in_failed")] == [
        "session.sign_in_failed",
        "session.sign_in",
    ]
