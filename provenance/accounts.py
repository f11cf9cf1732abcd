"""Desk members' accounts: their passwords, API tokens, sign-ins and sessions.

An account has a name (what its owner signs in with and what the log names them by), a display name and a role
(:mod:`provenance.access`). It is never deleted, since the log names it: it is disabled instead, which ends its
sessions and revokes its tokens at once.

Passwords are hashed with Argon2id by argon2-cffi's :class:`~argon2.PasswordHasher` at its recommended parameters
(RFC 9106's low-memory profile); the stored hash is the PHC string, salt and parameters included, and is hashed
again at the current parameters when its owner next signs in. A password or a hash is never put in an event, an
error or a log line.

Tokens and sessions are 256 random bits (``secrets.token_urlsafe(32)``), a token prefixed ``pvt_``; the desk keeps
only their SHA-256, so the database alone cannot be used to act as anyone. A token's secret is shown once, when it
is made.

Signing in is slowed down, then refused, when it is being guessed: the failures of the last :data:`WINDOW` are
counted per name (since that name last signed in) and per client address; after :data:`SLOW_AFTER` of either each
further try waits (growing, at most :data:`MAX_DELAY` seconds), and after :data:`REFUSE_AFTER` it is refused with
:class:`~provenance.errors.TooManyAttempts` until the oldest counted failure leaves the window. An unknown name
takes as long as a wrong password (it is checked against a dummy hash) and gets the same line.

Every change is logged (:func:`provenance.events.record`): ``account.add``, ``account.role``, ``account.disable``,
``account.password``, ``token.create``, ``token.revoke``, ``token.use`` (at most once an hour per token),
``session.sign_in``, ``session.sign_in_failed`` and ``session.sign_out``. Like every domain function these write
in the caller's transaction, but for one: :func:`sign_in` ends the transaction it is given once it has read what
it needs (so that its wait and Argon2's work hold no lock), and, refusing, commits the failed attempt and its
event itself before raising, so that the attempt counts however the caller handles the error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import secrets
from functools import cache
from time import sleep
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from provenance import access, events
from provenance.access import Actor, Permission
from provenance.errors import Conflict, Forbidden, Invalid, NotFound, TooManyAttempts, Unauthenticated
from provenance.models import Account, ApiToken, DeskSession, Identity, Role, SignInAttempt, utcnow
from provenance.text import optional_user_text, printable, user_text

# How long a session lasts after signing in.
SESSION_HOURS = 12
# Sign-in throttling, per name and per client address, over the last WINDOW: after SLOW_AFTER failures each try
# waits FIRST_DELAY seconds, doubling with each further failure up to MAX_DELAY; after REFUSE_AFTER, refused.
WINDOW = dt.timedelta(minutes=15)
SLOW_AFTER = 5
REFUSE_AFTER = 10
FIRST_DELAY = 0.25
MAX_DELAY = 2.0
# A token's last use is written (and logged as token.use) at most this often.
TOKEN_USE_EVERY = dt.timedelta(hours=1)

MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # Argon2 takes any length; a megabyte "password" is only a way to make the server work
MAX_LABEL = 200
MAX_EXPIRES_DAYS = 3650
TOKEN_PREFIX = "pvt_"
_SECRET_CHARS = 43  # secrets.token_urlsafe(32): 256 bits in url-safe base64, unpadded
_TOKEN_FORM = re.compile(rf"{TOKEN_PREFIX}[A-Za-z0-9_-]{{{_SECRET_CHARS}}}")
_NAME_FORM = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
# A typed name is kept (attempt rows, events) at most this long: no account's name is longer than 64.
_TYPED_NAME_CHARS = 100

WRONG_NAME_OR_PASSWORD = (
    "wrong name or password; check both and try again (an admin resets a forgotten password with "
    "`provenance user passwd NAME`)"
)

# The one hasher: argon2-cffi's recommended Argon2id parameters. Tests put one with other parameters here.
hasher = PasswordHasher()


# --- accounts -----------------------------------------------------------------------------------------


def check_name(name: str) -> str:
    """``name`` if it may name an account; else :class:`Invalid`, saying what a name may be."""
    if not _NAME_FORM.fullmatch(name):
        raise Invalid(
            f"account name {name!r} is not allowed: use 1-64 lowercase letters, digits, '.', '_' or '-', "
            "starting with a letter or digit (e.g. ana.lima)"
        )
    return name


def check_password(password: str, name: str) -> None:
    """Refuse, with one :class:`Invalid` line, a password the desk does not accept (never repeating it)."""
    if not _encodable(password):
        raise Invalid("the password has a character that is not text (an unpaired surrogate); type it again")
    if len(password) < MIN_PASSWORD:
        raise Invalid(
            f"the password is too short ({len(password)} characters): use at least {MIN_PASSWORD}, e.g. a few "
            "unrelated words"
        )
    if len(password) > MAX_PASSWORD:
        raise Invalid(f"the password is too long ({len(password)} characters): use at most {MAX_PASSWORD}")
    if not password.strip():
        raise Invalid(f"the password is all whitespace: use at least {MIN_PASSWORD} characters that are not")
    if password.strip().casefold() == name.casefold():
        raise Invalid("the password is the account's name: choose one nobody can guess from the name")


def _encodable(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def add_account(
    session: Session, name: str, password: str, *, role: str | Role, display_name: str | None = None
) -> Account:
    """Add an account with its password and role. Logged as ``account.add`` (name, display name, role)."""
    access.require(Permission.MANAGE_ACCOUNTS)
    check_name(name)
    chosen = role if isinstance(role, Role) else access.parse_role(role)
    shown = optional_user_text(display_name, "display name") or name
    check_password(password, name)
    if session.scalar(select(Account.id).where(Account.name == name)) is not None:
        raise Conflict(f"there is already an account {name!r}; `provenance user list` shows the accounts")
    now, actor = utcnow(), events.current_actor()
    account = Account(
        name=name,
        display_name=shown,
        role=chosen,
        active=True,
        password_hash=hasher.hash(password),
        created_at=now,
        created_by=actor,
        updated_at=now,
    )
    session.add(account)
    session.flush()
    events.record(
        session,
        "account.add",
        "account",
        name,
        after={"name": name, "display_name": shown, "role": chosen.value},
    )
    return account


def get_account(session: Session, name: str) -> Account:
    """The account ``name``; :class:`NotFound` if there is none."""
    account = session.scalar(select(Account).where(Account.name == name))
    if account is None:
        raise NotFound(f"no account {name!r}; `provenance user list` shows the accounts")
    return account


def list_accounts(session: Session) -> list[Account]:
    """Every account, active or not, by name."""
    return list(session.scalars(select(Account).order_by(Account.name)))


def set_role(session: Session, name: str, role: str) -> tuple[Account, bool]:
    """Give account ``name`` another role; returns it and whether it changed. The last active admin keeps the
    admin role. Logged as ``account.role`` (the role before and after)."""
    access.require(Permission.MANAGE_ACCOUNTS)
    chosen = access.parse_role(role)
    account = get_account(session, name)
    if account.role is chosen:
        return account, False
    if account.role is Role.ADMIN and account.active and _active_admins(session) == 1:
        raise Conflict(
            f"{name} is the desk's last active admin and stays one: make another account admin first "
            "(`provenance user role NAME admin`)"
        )
    before = account.role
    account.role, account.updated_at = chosen, utcnow()
    session.flush()
    events.record(session, "account.role", "account", name, before={"role": before.value}, after={"role": chosen.value})
    return account, True


def disable_account(session: Session, name: str, *, reason: str | None) -> tuple[Account, bool]:
    """Disable account ``name``, saying why: it can no longer sign in, its open sessions end and its tokens are
    revoked, at once. Returns it and whether it changed. The last active admin is not disabled. Logged as
    ``account.disable`` with the reason and how many sessions and tokens it ended."""
    access.require(Permission.MANAGE_ACCOUNTS)
    why = optional_user_text(reason, "reason")
    if why is None:
        raise Invalid(f"say why with --reason; disabling the account {name!r} is logged with its reason")
    account = get_account(session, name)
    if not account.active:
        return account, False
    if account.role is Role.ADMIN and _active_admins(session) == 1:
        raise Conflict(
            f"{name} is the desk's last active admin and cannot be disabled: make another account admin first "
            "(`provenance user role NAME admin`)"
        )
    now = utcnow()
    account.active, account.disabled_at, account.updated_at = False, now, now
    sessions = _end_sessions(session, account)
    tokens = list(
        session.scalars(select(ApiToken).where(ApiToken.account_id == account.id, ApiToken.revoked_at.is_(None)))
    )
    for token in tokens:
        token.revoked_at = now
    session.flush()
    events.record(
        session,
        "account.disable",
        "account",
        name,
        before={"active": True},
        after={"active": False, "sessions_ended": len(sessions), "tokens_revoked": len(tokens)},
        reason=why,
    )
    return account, True


def set_password(session: Session, name: str, password: str, *, current: str | None = None) -> None:
    """Set the password of account ``name``: one's own, or anyone's for an admin. Someone signed in (or using a
    token) who changes their own password gives the ``current`` one too, so that a session or token left open
    cannot take the account over. Every sign-in of the account ends (its tokens stay). Logged as
    ``account.password`` (with no value)."""
    _require_own_or_admin(name)
    account = get_account(session, name)
    acting = events.current()
    if acting.proven and acting.name == name and (current is None or not _verify(account.password_hash, current)):
        raise Forbidden(
            "changing your own password needs your current password too, and the one given is "
            f"{'missing' if current is None else 'not it'}; nothing was changed"
        )
    check_password(password, name)
    account.password_hash, account.updated_at = hasher.hash(password), utcnow()
    _end_sessions(session, account)
    session.flush()
    events.record(session, "account.password", "account", name)


def _end_sessions(session: Session, account: Account) -> list[DeskSession]:
    """End every open sign-in of ``account``; returns them."""
    sessions = list(
        session.scalars(select(DeskSession).where(DeskSession.account_id == account.id, DeskSession.ended_at.is_(None)))
    )
    now = utcnow()
    for row in sessions:
        row.ended_at = now
    return sessions


def _active_admins(session: Session) -> int:
    query = select(func.count()).select_from(Account).where(Account.role == Role.ADMIN, Account.active.is_(True))
    return int(session.scalar(query) or 0)


def _require_own_or_admin(name: str) -> None:
    """One's own account needs OWN_ACCOUNT; another's needs MANAGE_ACCOUNTS."""
    own = events.current().name == name
    access.require(Permission.OWN_ACCOUNT if own else Permission.MANAGE_ACCOUNTS)


def _active_account(session: Session, name: str, *, hint: str) -> Account:
    account = session.scalar(select(Account).where(Account.name == name))
    if account is None:
        raise NotFound(f"no account {name!r}; `provenance user add {name} --role ROLE` makes one, {hint}")
    if not account.active:
        raise Conflict(f"the account {name!r} is disabled; it has no tokens and can make none")
    return account


# --- tokens -------------------------------------------------------------------------------------------


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    session: Session, label: str, *, expires_days: int | None = None, account_name: str | None = None
) -> tuple[ApiToken, str]:
    """Make an API token labelled ``label`` for ``account_name`` (default: the one acting), expiring after
    ``expires_days`` days (1-3650; default never). Returns the token and its secret, which is shown this once:
    the desk keeps only its SHA-256. Making one for someone else needs MANAGE_ACCOUNTS. Logged as
    ``token.create`` (account, label, expiry)."""
    name = account_name if account_name is not None else events.current().name
    _require_own_or_admin(name)
    cleaned = user_text(label, "token label")
    if not cleaned:
        raise Invalid("give the token a label saying where it is used, e.g. --name laptop")
    if len(cleaned) > MAX_LABEL:
        raise Invalid(f"the token label is {len(cleaned)} characters long: use at most {MAX_LABEL}")
    if expires_days is not None and not 1 <= expires_days <= MAX_EXPIRES_DAYS:
        raise Invalid(
            f"a token expires after 1 to {MAX_EXPIRES_DAYS} days, not {expires_days}; leave out --expires for "
            "one that does not"
        )
    hint = "or make the token for an account with --for NAME" if account_name is None else "or check the name"
    account = _active_account(session, name, hint=hint)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    expires = now + dt.timedelta(days=expires_days) if expires_days is not None else None
    token = ApiToken(
        account_id=account.id, label=cleaned, secret_sha256=_sha256(secret), created_at=now, expires_at=expires
    )
    session.add(token)
    session.flush()
    events.record(
        session,
        "token.create",
        "token",
        str(token.id),
        after={"account": name, "label": cleaned, "expires": expires.isoformat() if expires else None},
    )
    return token, secret


def list_tokens(session: Session, account_name: str | None = None) -> list[ApiToken]:
    """The tokens of ``account_name``, oldest first, revoked and expired ones too (another's need
    MANAGE_ACCOUNTS). Without a name, every token the one acting may see: all of them for an admin or for one with
    no account (a declared name, the database's operator), their own for anyone else."""
    actor = events.current()
    name = account_name
    if name is None and not (actor.role is None or access.allows(actor.role, Permission.MANAGE_ACCOUNTS)):
        name = actor.name
    if name is None:
        query = select(ApiToken)
    else:
        _require_own_or_admin(name)
        account = get_account(session, name)
        query = select(ApiToken).where(ApiToken.account_id == account.id)
    return list(session.scalars(query.order_by(ApiToken.id)))


def get_token(session: Session, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"no token {token_id}; `provenance token list` shows the tokens and their ids")
    return token


def revoke_token(session: Session, token_id: int) -> tuple[ApiToken, bool]:
    """Revoke token ``token_id`` (one's own, or anyone's for an admin); returns it and whether it changed. Logged
    as ``token.revoke``."""
    token = get_token(session, token_id)
    _require_own_or_admin(token.account.name)
    if token.revoked_at is not None:
        return token, False
    token.revoked_at = utcnow()
    session.flush()
    events.record(
        session,
        "token.revoke",
        "token",
        str(token.id),
        before={"revoked": False},
        after={"account": token.account.name, "label": token.label, "revoked": True},
    )
    return token, True


def token_actor(session: Session, secret: str) -> Actor:
    """Who shows the token ``secret``: its account, known by the token (:attr:`Identity.TOKEN`). A token that is
    unknown, revoked or expired, or whose account is disabled, is :class:`Unauthenticated`.

    At most once an hour per token this writes: the token's ``last_used_at``, and a ``token.use`` event. Call it
    in a transaction that may write."""
    if not _TOKEN_FORM.fullmatch(secret):
        raise Unauthenticated(
            f"that is not an API token of this desk (they start {TOKEN_PREFIX!r}); make one with "
            "`provenance token create --name LABEL`"
        )
    token = session.scalar(select(ApiToken).where(ApiToken.secret_sha256 == _sha256(secret)))
    if token is None:
        raise Unauthenticated("unknown API token; `provenance token list` shows yours, and `token create` makes one")
    now = utcnow()
    made = f"the API token {token.id} ({token.label})"
    if token.revoked_at is not None:
        raise Unauthenticated(f"{made} was revoked on {token.revoked_at.date().isoformat()}; make another")
    if token.expires_at is not None and token.expires_at <= now:
        raise Unauthenticated(f"{made} expired on {token.expires_at.date().isoformat()}; make another")
    account = token.account
    if not account.active:
        raise Unauthenticated(f"the account {account.name!r} is disabled; its tokens no longer work")
    actor = Actor(account.name, Identity.TOKEN, account.role, account.id)
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_EVERY:
        token.last_used_at = now
        session.flush()
        with events.acting_as(actor):
            events.record(session, "token.use", "token", str(token.id), after={"account": account.name})
    return actor


# --- signing in ---------------------------------------------------------------------------------------


@cache
def _dummy_hash(made_by: PasswordHasher) -> str:
    """A hash no password is known for, at the hasher's parameters: checked when the name is unknown so that it
    takes as long as a wrong password."""
    return made_by.hash(secrets.token_urlsafe(32))


def _verify(password_hash: str, password: str) -> bool:
    if not _encodable(password):  # no password set is one: check one that is, to take as long
        password = password.encode(errors="replace").decode()
    try:
        return hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _failures(session: Session, column: Any, value: str, since: dt.datetime) -> list[dt.datetime]:
    """When the failures of the window for this name or address happened, oldest first."""
    query = (
        select(SignInAttempt.attempted_at)
        .where(column == value, SignInAttempt.attempted_at > since, SignInAttempt.succeeded.is_(False))
        .order_by(SignInAttempt.attempted_at)
    )
    return list(session.scalars(query))


def _throttle(session: Session, typed: str, client_address: str, now: dt.datetime) -> float:
    """How long this try waits (seconds); :class:`TooManyAttempts` if it is refused."""
    since = now - WINDOW
    last_success = session.scalar(
        select(func.max(SignInAttempt.attempted_at)).where(
            SignInAttempt.name == typed, SignInAttempt.succeeded.is_(True), SignInAttempt.attempted_at > since
        )
    )
    by_name = _failures(session, SignInAttempt.name, typed, last_success or since)
    by_address = _failures(session, SignInAttempt.client_address, client_address, since)
    over = [found for found in (by_name, by_address) if len(found) >= REFUSE_AFTER]
    if over:
        # refused until enough of the failures leave the window to bring the count under the limit
        frees = max(found[len(found) - REFUSE_AFTER] for found in over) + WINDOW
        wait = max(1, math.ceil((frees - now).total_seconds()))
        raise TooManyAttempts(
            f"too many failed sign-ins for this name or from this address lately: try again in {wait} seconds",
            retry_after=wait,
        )
    failures = max(len(by_name), len(by_address))
    if failures < SLOW_AFTER:
        return 0.0
    return float(min(MAX_DELAY, FIRST_DELAY * 2 ** (failures - SLOW_AFTER)))


def sign_in(session: Session, name: str, password: str, *, client_address: str) -> tuple[DeskSession, str, Actor]:
    """Sign in as ``name`` with ``password`` from ``client_address``: returns the new session, its secret (for the
    cookie; the desk keeps its SHA-256) and the account as an :class:`Actor` (:attr:`Identity.SIGNED_IN`).
    Logged as ``session.sign_in``; the password is hashed again if the hasher's parameters changed.

    An unknown name and a wrong password are one :class:`Unauthenticated` line, and take as long. A failure is
    recorded (an attempt row and a ``session.sign_in_failed`` event, under the name as typed) and **committed
    here**, before raising, so that it counts however the caller handles the error; repeated failures are slowed
    down and then refused (:class:`TooManyAttempts`, see the module's docstring).

    It is the first thing in its transaction: once it has read what it needs it **ends that transaction**
    (committing it), so that the wait and the password's check (tenths of a second of Argon2) hold no lock (not
    SQLite's write lock, which would stop every writer of the desk meanwhile) and no transaction open; what it
    writes then goes in a new one, which the caller commits."""
    # kept and logged as typed, but with no control character or unpaired surrogate
    typed = printable(" ".join(name.split())).encode(errors="replace").decode()[:_TYPED_NAME_CHARS]
    key = typed.casefold()
    try:
        delay = _throttle(session, key, client_address, utcnow())
    except TooManyAttempts as refused:
        _record_failure(session, typed, client_address, "too many failed sign-ins", attempt=False)
        raise refused
    found = (
        session.execute(select(Account.id, Account.password_hash).where(Account.name == key)).first()
        if _NAME_FORM.fullmatch(key)
        else None
    )
    session.commit()  # nothing is held while waiting and hashing
    if delay:
        sleep(delay)
    matches = _verify(found.password_hash if found is not None else _dummy_hash(hasher), password)
    account = session.get(Account, found.id, populate_existing=True) if found is not None else None
    # the password changed while it was checked: check it against the new one
    if found is not None and account is not None and matches and account.password_hash != found.password_hash:
        matches = _verify(account.password_hash, password)
    if account is None or not matches:
        _record_failure(session, typed, client_address, "wrong name or password")
        raise Unauthenticated(WRONG_NAME_OR_PASSWORD)
    if not account.active:
        _record_failure(session, typed, client_address, "account disabled")
        raise Unauthenticated(f"the account {account.name!r} is disabled; an admin can tell you why")
    if hasher.check_needs_rehash(account.password_hash):
        account.password_hash = hasher.hash(password)
    now = utcnow()
    secret = secrets.token_urlsafe(32)
    desk_session = DeskSession(
        account_id=account.id,
        secret_sha256=_sha256(secret),
        created_at=now,
        expires_at=now + dt.timedelta(hours=SESSION_HOURS),
        client_address=client_address,
    )
    session.add(desk_session)
    session.add(SignInAttempt(name=key, client_address=client_address, attempted_at=now, succeeded=True))
    session.flush()
    actor = Actor(account.name, Identity.SIGNED_IN, account.role, account.id)
    with events.acting_as(actor):
        events.record(
            session,
            "session.sign_in",
            "account",
            account.name,
            after={"session": desk_session.id, "client_address": client_address},
        )
    return desk_session, secret, actor


def _record_failure(session: Session, typed: str, client_address: str, why: str, *, attempt: bool = True) -> None:
    """Record a failed sign-in and commit it, in the one transaction the caller gave (then raise)."""
    if attempt:
        session.add(
            SignInAttempt(name=typed.casefold(), client_address=client_address, attempted_at=utcnow(), succeeded=False)
        )
        session.flush()
    with events.acting_as(Actor(typed or "(no name)", Identity.DECLARED)):
        events.record(
            session,
            "session.sign_in_failed",
            "account",
            typed,
            after={"client_address": client_address},
            reason=why,
        )
    session.commit()


def _open_session(session: Session, secret: str) -> DeskSession | None:
    return session.scalar(select(DeskSession).where(DeskSession.secret_sha256 == _sha256(secret)))


def session_actor(session: Session, secret: str) -> Actor:
    """Who holds the session ``secret``: its account, signed in (:attr:`Identity.SIGNED_IN`). A session that is
    unknown, signed out, expired or of a disabled account is :class:`Unauthenticated`. Writes nothing."""
    found = _open_session(session, secret)
    again = "sign in again"
    if found is None:
        raise Unauthenticated(f"not signed in (no such session); {again}")
    if found.ended_at is not None:
        raise Unauthenticated(f"the session has ended (signed out, or the account disabled); {again}")
    if found.expires_at <= utcnow():
        raise Unauthenticated(f"the session expired at {found.expires_at.isoformat(timespec='minutes')}; {again}")
    account = found.account
    if not account.active:
        raise Unauthenticated(f"the account {account.name!r} is disabled; an admin can tell you why")
    return Actor(account.name, Identity.SIGNED_IN, account.role, account.id)


def sign_out(session: Session, secret: str) -> None:
    """End the session ``secret``. Signing out of a session that is unknown or already ended does nothing (a
    stale cookie); otherwise logged as ``session.sign_out``."""
    found = _open_session(session, secret)
    if found is None or found.ended_at is not None:
        return
    found.ended_at = utcnow()
    session.flush()
    account = found.account
    with events.acting_as(Actor(account.name, Identity.SIGNED_IN, account.role, account.id)):
        events.record(session, "session.sign_out", "account", account.name, after={"session": found.id})


# --- records ------------------------------------------------------------------------------------------


def account_record(account: Account) -> dict[str, Any]:
    """An account as ``user list --json`` and the server print it: never its password hash."""
    return {
        "name": account.name,
        "display_name": account.display_name,
        "role": account.role.value,
        "active": account.active,
        "created_at": account.created_at.isoformat(),
        "created_by": account.created_by,
        "disabled_at": account.disabled_at.isoformat() if account.disabled_at else None,
    }


def token_record(token: ApiToken) -> dict[str, Any]:
    """A token as ``token list --json`` and the server print it: never its secret or hash."""

    def when(value: dt.datetime | None) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "id": token.id,
        "account": token.account.name,
        "label": token.label,
        "created_at": when(token.created_at),
        "expires_at": when(token.expires_at),
        "last_used_at": when(token.last_used_at),
        "revoked_at": when(token.revoked_at),
    }
