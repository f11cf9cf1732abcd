"""Who may do what on a desk: its roles, the one table of permissions, and who is acting.

A desk member's account has a role; each role may do everything the one before it may::

    viewer < researcher < reviewer < editor < admin

:data:`PERMISSIONS` says, for each thing a desk does, the least role that may do it. It is the one table: the
domain functions ask :func:`require` before they change anything, the server's routes name the permission they
need (and a test walks every route and every role against this table), and docs/accounts.md prints it (a test
checks the page says the same).

Who is acting is an :class:`Actor`, set by the door a request came through for the length of that request or
command (:func:`provenance.events.acting_as`): the server sets the account that signed in or whose token was
shown; the command line sets a declared name (``--as``, ``$PROVENANCE_USER``, the system user), or, in a desk whose
``identities`` are ``verified``, the operator: whoever holds the database's own credentials, logged under the
database login (PostgreSQL) or the system user (SQLite), marked ``operator`` in the log. A declared name or an
operator has no account and so no role: nothing is refused on the ground of role, as before accounts existed.
"""

from __future__ import annotations

import enum
import getpass
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from provenance.errors import Forbidden
from provenance.models import Identity, Role

ROLES: tuple[Role, ...] = (Role.VIEWER, Role.RESEARCHER, Role.REVIEWER, Role.EDITOR, Role.ADMIN)


class Permission(enum.StrEnum):
    """One thing a desk does, as the permission table names it."""

    READ = "read"
    OWN_ACCOUNT = "own account"
    CAPTURE = "capture sources"
    EDIT_CLAIMS = "add and edit claims"
    ADD_EVIDENCE = "add evidence"
    EDIT_ENTITIES = "edit entities"
    SUGGEST = "record contradictions and suggestions"
    REVIEW = "move claims through review"
    SET_VERDICT = "set verdicts"
    CONFIRM_EVIDENCE = "confirm evidence"
    DECIDE_CONTRADICTIONS = "decide contradictions"
    PUBLISH = "publish"
    RETRACT_SOURCES = "retract sources"
    WITHDRAW_CLAIMS = "withdraw claims"
    DESK_SETTINGS = "change desk settings"
    MANAGE_ACCOUNTS = "manage accounts"


@dataclass(frozen=True)
class Rule:
    """A row of the permission table: the least role that may, and what it covers."""

    least: Role
    covers: str


PERMISSIONS: dict[Permission, Rule] = {
    Permission.READ: Rule(Role.VIEWER, "read every source, claim, report, export and the log"),
    Permission.OWN_ACCOUNT: Rule(Role.VIEWER, "change one's own password; make and revoke one's own tokens"),
    Permission.CAPTURE: Rule(
        Role.RESEARCHER,
        "add sources (files, pages, URLs, web archives), rate them, say what repeats what; import claims files",
    ),
    Permission.EDIT_CLAIMS: Rule(
        Role.RESEARCHER, "add claims; change their statement, entities, likelihood; assign them"
    ),
    Permission.ADD_EVIDENCE: Rule(Role.RESEARCHER, "link passages to claims as evidence"),
    Permission.EDIT_ENTITIES: Rule(Role.RESEARCHER, "add, rename and merge entities and their aliases"),
    Permission.SUGGEST: Rule(Role.RESEARCHER, "record contradictions; run and record contradiction suggestions"),
    Permission.REVIEW: Rule(Role.REVIEWER, "move claims to and from review; mark them inconclusive; reanchor"),
    Permission.SET_VERDICT: Rule(Role.REVIEWER, "set and change verdicts"),
    Permission.CONFIRM_EVIDENCE: Rule(Role.REVIEWER, "confirm evidence that needs review"),
    Permission.DECIDE_CONTRADICTIONS: Rule(Role.REVIEWER, "resolve or dismiss contradictions and suggestions"),
    Permission.PUBLISH: Rule(Role.EDITOR, "publish claims"),
    Permission.RETRACT_SOURCES: Rule(Role.EDITOR, "retract sources"),
    Permission.WITHDRAW_CLAIMS: Rule(Role.EDITOR, "withdraw and reinstate claims"),
    Permission.DESK_SETTINGS: Rule(Role.EDITOR, "change desk settings"),
    Permission.MANAGE_ACCOUNTS: Rule(Role.ADMIN, "add accounts, change roles, disable accounts, reset passwords"),
}


def rank(role: Role) -> int:
    return ROLES.index(role)


def allows(role: Role, permission: Permission) -> bool:
    """Whether ``role`` may do ``permission`` under :data:`PERMISSIONS`."""
    return rank(role) >= rank(PERMISSIONS[permission].least)


def parse_role(value: str) -> Role:
    from provenance.errors import Invalid

    chosen = value.strip().lower()
    for role in ROLES:
        if role.value == chosen:
            return role
    raise Invalid(f"unknown role {value!r}; use one of: {', '.join(r.value for r in ROLES)}")


@dataclass(frozen=True)
class Actor:
    """Who is acting and how that is known. ``role`` is None for a declared name or an operator (no account)."""

    name: str
    identity: Identity = Identity.DECLARED
    role: Role | None = None
    account_id: int | None = None

    @property
    def proven(self) -> bool:
        """Signed in or shown a token: a person the desk knows is who they say."""
        return self.identity in (Identity.SIGNED_IN, Identity.TOKEN)


def _a(word: str) -> str:
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"


def require(permission: Permission, actor: Actor | None = None) -> None:
    """Refuse, with a :class:`Forbidden` line, when the one acting (default: the current actor) has an account
    whose role may not do ``permission``."""
    if actor is None:
        from provenance import events

        actor = events.current()
    if actor.role is None or allows(actor.role, permission):
        return
    least = PERMISSIONS[permission].least
    raise Forbidden(
        f"{actor.name} is {_a(actor.role.value)} and may not {permission.value}: that needs the {least.value} role "
        f"or above (an admin changes roles with `provenance user role NAME ROLE`)"
    )


# --- the desk's identities setting -----------------------------------------------------------------------


def identities_verified(session: Session) -> bool:
    """Whether the desk's ``identities`` setting is ``verified``."""
    from provenance import workflow

    return workflow.desk_value(session, workflow.IDENTITIES).value == "verified"


def database_login(session: Session) -> str:
    """Who the database knows this connection as: the PostgreSQL login, or on SQLite (which has no logins) the
    system user running the command."""
    if session.get_bind().dialect.name == "postgresql":
        return str(session.execute(text("SELECT current_user")).scalar_one())
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def command_line_actor(session: Session, declared: str | None) -> Actor:
    """Who a command run straight on the database acts as: the declared name (``--as``, else $PROVENANCE_USER,
    else the system user) in a desk of declared identities; the operator, under the database login, in a desk of
    verified identities, where ``--as`` is refused."""
    from provenance import events

    if not identities_verified(session):
        return Actor(events.check_actor(declared)) if declared is not None else Actor(events.declared_name())
    if declared is not None:
        raise Forbidden(
            "--as is refused: this desk's identities are verified, so a change is made under a proven name only; "
            "sign in with `provenance login URL` and work through the desk's server, or leave out --as to act "
            "as the database's operator"
        )
    return Actor(database_login(session), Identity.OPERATOR)
