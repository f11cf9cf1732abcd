"""The fact-checking workflow: where a claim stands, who works on it, its verdict, and the desk's rules.

A claim moves between statuses only along :data:`TRANSITIONS`::

    unstarted -> in progress -> in review -> published | inconclusive
                      ^             |
                      +-------------+  (sent back, with a note)
    published | inconclusive -> in progress   (reopened, with a note)
    any status -> withdrawn                   (with a reason; claims are withdrawn, never deleted)
    withdrawn -> unstarted | in progress      (reinstated, with a note)

Publishing needs a verdict, at least one piece of evidence and, unless the desk has switched the rule off
(:data:`SECOND_REVIEWER`), someone other than whoever last set the verdict (``Claim.verdict_by``). A verdict is set
or changed only while the claim is open (unstarted, in progress, in review) or in the command that reopens it or
takes it out of review. Every change goes into the event log with who, before, after and the note.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, or_, select
from sqlalchemy.orm import Session

from provenance import access, events
from provenance.access import Actor, Permission, identities_verified
from provenance.claims import claims_query, get_claim, parse_status, parse_verdict
from provenance.errors import Conflict, Forbidden, Invalid, NotFound
from provenance.locking import check_version
from provenance.models import (
    Claim,
    ClaimStatus,
    Contradiction,
    ContradictionStatus,
    Evidence,
    Passage,
    Setting,
    Source,
    Verdict,
    utcnow,
)
from provenance.text import optional_user_text

UNSTARTED = ClaimStatus.UNSTARTED
IN_PROGRESS = ClaimStatus.IN_PROGRESS
IN_REVIEW = ClaimStatus.IN_REVIEW
PUBLISHED = ClaimStatus.PUBLISHED
INCONCLUSIVE = ClaimStatus.INCONCLUSIVE
WITHDRAWN = ClaimStatus.WITHDRAWN

# Where a claim of each status may go next (README: "The workflow").
TRANSITIONS: dict[ClaimStatus, tuple[ClaimStatus, ...]] = {
    UNSTARTED: (IN_PROGRESS, WITHDRAWN),
    IN_PROGRESS: (IN_REVIEW, WITHDRAWN),
    IN_REVIEW: (IN_PROGRESS, PUBLISHED, INCONCLUSIVE, WITHDRAWN),
    PUBLISHED: (IN_PROGRESS, WITHDRAWN),
    INCONCLUSIVE: (IN_PROGRESS, WITHDRAWN),
    WITHDRAWN: (UNSTARTED, IN_PROGRESS),
}
# Still being worked on: its verdict may be set or changed.
OPEN = frozenset({UNSTARTED, IN_PROGRESS, IN_REVIEW})
# Decided: a move into or out of one of these needs a note, as does sending a claim back from review.
DECIDED = frozenset({PUBLISHED, INCONCLUSIVE, WITHDRAWN})

# The rating scale: each verdict's place from 1 (false) to 5 (true), as the ClaimReview export rates it;
# "unproven" has no place on it and is given in words only.
BEST_RATING = 5
WORST_RATING = 1
RATING_SCALE: dict[Verdict, int | None] = {
    Verdict.TRUE: 5,
    Verdict.MOSTLY_TRUE: 4,
    Verdict.MIXED: 3,
    Verdict.MOSTLY_FALSE: 2,
    Verdict.FALSE: 1,
    Verdict.UNPROVEN: None,
}
VERDICT_NAMES: dict[Verdict, str] = {
    Verdict.TRUE: "True",
    Verdict.MOSTLY_TRUE: "Mostly true",
    Verdict.MIXED: "Mixed",
    Verdict.MOSTLY_FALSE: "Mostly false",
    Verdict.FALSE: "False",
    Verdict.UNPROVEN: "Unproven",
}


def words(value: ClaimStatus | Verdict) -> str:
    """A status or verdict as people write it: "in review", "mostly false"."""
    return value.value.replace("_", " ")


def _choices(values: Sequence[ClaimStatus]) -> str:
    return ", ".join(words(v) for v in values)


def _clean(text: str | None, field: str = "note") -> str | None:
    return optional_user_text(text, field)


def same_person(a: str | None, b: str | None) -> bool:
    """Names are free text: "Ana  Lima" and "ana lima" are one person."""
    return a is not None and b is not None and " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


# --- desk settings ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeskSetting:
    """A desk-wide setting: the name people type, the key it is stored under, its choices and default."""

    name: str
    key: str
    choices: tuple[str, ...]
    default: str
    meaning: str


SECOND_REVIEWER = DeskSetting(
    name="second-reviewer",
    key="review.second_person",
    choices=("on", "off"),
    default="on",
    meaning="publishing needs someone other than whoever last set the verdict",
)
IDENTITIES = DeskSetting(
    name="identities",
    key="desk.identities",
    choices=("declared", "verified"),
    default="declared",
    meaning="declared: who acts is the name given (one person's laptop); verified: changes are made only under an "
    "account proven by sign-in or token (through the desk's server) or by the database's operator, logged as such",
)
DESK_SETTINGS: dict[str, DeskSetting] = {s.name: s for s in (SECOND_REVIEWER, IDENTITIES)}


@dataclass(frozen=True)
class DeskValue:
    """A setting's value now: the default until someone sets it."""

    setting: DeskSetting
    value: str
    updated_at: dt.datetime | None
    updated_by: str | None


def _desk_setting(name: str) -> DeskSetting:
    setting = DESK_SETTINGS.get(name.strip().lower().replace("_", "-"))
    if setting is None:
        raise NotFound(f"no desk setting {name!r}; the settings are: {', '.join(DESK_SETTINGS)}")
    return setting


def desk_value(session: Session, setting: DeskSetting) -> DeskValue:
    row = session.get(Setting, setting.key)
    if row is None:
        return DeskValue(setting, setting.default, None, None)
    return DeskValue(setting, row.value, row.updated_at, row.updated_by)


def desk_settings(session: Session) -> list[DeskValue]:
    """Every desk setting with its value, by name."""
    return [desk_value(session, DESK_SETTINGS[name]) for name in sorted(DESK_SETTINGS)]


def second_reviewer_required(session: Session) -> bool:
    return desk_value(session, SECOND_REVIEWER).value == "on"


def set_desk_setting(session: Session, name: str, value: str, *, reason: str | None) -> tuple[DeskValue, bool]:
    """Set a desk setting, saying why; returns its value and whether it changed. Logged as ``desk.set``."""
    access.require(Permission.DESK_SETTINGS)
    setting = _desk_setting(name)
    chosen = value.strip().lower()
    if chosen not in setting.choices:
        raise Invalid(f"unknown value {value!r} for {setting.name}; use one of: {', '.join(setting.choices)}")
    why = _clean(reason, "reason")
    if why is None:
        raise Invalid(f"say why with --reason; changing the desk setting {setting.name} is logged with its reason")
    current = desk_value(session, setting)
    if current.value == chosen:
        return current, False
    actor, now = events.current_actor(), utcnow()
    row = session.get(Setting, setting.key)
    if row is None:
        session.add(Setting(key=setting.key, value=chosen, updated_at=now, updated_by=actor))
    else:
        row.value, row.updated_at, row.updated_by = chosen, now, actor
    session.flush()
    events.record(
        session,
        "desk.set",
        "setting",
        setting.key,
        before={"value": current.value},
        after={"value": chosen},
        reason=why,
        actor=actor,
    )
    return DeskValue(setting, chosen, now, actor), True


# --- assigning ----------------------------------------------------------------------------------------


def assign_claim(
    session: Session,
    key: str,
    assignee: str | None,
    *,
    note: str | None = None,
    expected_version: int | None = None,
) -> tuple[Claim, bool]:
    """Assign a claim to someone (a name as given: there is no list of users), or to nobody with ``None``;
    returns the claim and whether it changed. Logged as ``claim.assign``."""
    access.require(Permission.EDIT_CLAIMS)
    claim = get_claim(session, key)
    check_version(claim, expected_version)
    name = None if assignee is None else _clean(assignee, "assignee")
    if assignee is not None and name is None:
        raise Invalid(f"give a name to assign claim {key!r} to with --to NAME, or --nobody")
    if claim.status is WITHDRAWN:
        raise Conflict(
            f"claim {key!r} is withdrawn; reinstate it first with "
            f"`provenance review {key} --status 'in progress' --note WHY`"
        )
    if claim.assignee == name:
        return claim, False
    before = {"assignee": claim.assignee}
    claim.assignee = name
    claim.updated_at = utcnow()
    session.flush()
    events.record(session, "claim.assign", "claim", key, before=before, after={"assignee": name}, reason=_clean(note))
    return claim, True


# --- status and verdict -------------------------------------------------------------------------------


def _state(claim: Claim) -> dict[str, object]:
    return {
        "status": claim.status.value,
        "verdict": claim.verdict.value if claim.verdict else None,
        "verdict_by": claim.verdict_by,
    }


def _why_not(current: ClaimStatus, target: ClaimStatus) -> str:
    """Why a move outside :data:`TRANSITIONS` makes no sense, in the desk's words."""
    if current is WITHDRAWN:
        return "a withdrawn claim is first reinstated as unstarted or in progress"
    if target in (PUBLISHED, INCONCLUSIVE):
        return f"a claim is {words(target)} only from review, after someone has looked at it"
    if target is IN_REVIEW:
        return "only a claim in progress goes to review"
    if target is UNSTARTED:
        return "a claim that has been worked on is not unstarted again"
    return f"a {words(current)} claim is first reopened as in progress"


def _check_move(key: str, current: ClaimStatus, target: ClaimStatus) -> None:
    if target not in TRANSITIONS[current]:
        raise Conflict(
            f"claim {key!r} cannot move from {words(current)} to {words(target)}: {_why_not(current, target)}; "
            f"from {words(current)} it can move to: {_choices(TRANSITIONS[current])}"
        )


def _note_needed(current: ClaimStatus, target: ClaimStatus) -> str | None:
    """What a note must say for this move, or None if the move needs none."""
    if target is PUBLISHED:
        return "what was checked before publishing"
    if target is INCONCLUSIVE:
        return "why the evidence does not settle it"
    if target is WITHDRAWN:
        return "why it is withdrawn"
    if current in DECIDED:
        return f"why a {words(current)} claim is reopened"
    if current is IN_REVIEW and target is IN_PROGRESS:
        return "what is still to be done"
    return None


def _check_publishable(
    session: Session, claim: Claim, verdict: Verdict | None, verdict_by: str | None, proven: bool, actor: Actor
) -> None:
    """Refuse to publish a claim that would have ``verdict`` set by ``verdict_by`` unless every rule holds."""
    key = claim.key
    if verdict is None:
        raise Invalid(
            f"claim {key!r} cannot be published without a verdict; give one with --verdict "
            f"({', '.join(words(v) for v in Verdict)})"
        )
    evidence = session.scalar(select(func.count()).select_from(Evidence).where(Evidence.claim_id == claim.id))
    if not evidence:
        raise Invalid(
            f"claim {key!r} cannot be published without evidence; link a passage first with "
            f"`provenance evidence add {key} SOURCE --quote WORDS --stance STANCE`"
        )
    if not second_reviewer_required(session):
        return
    if verdict_by is None:
        raise Invalid(
            f"claim {key!r} cannot be published: who set its verdict is not recorded; set it again with "
            f"`provenance review {key} --verdict {verdict.value}` so that someone else can publish it"
        )
    if identities_verified(session):
        if not actor.proven:
            raise Forbidden(
                f"claim {key!r} cannot be published by {actor.name}: this desk's identities are verified, and "
                "publishing counts only people signed in to the desk's server (or using their token); publish it "
                "there, or through `provenance login URL`"
            )
        if not proven:
            raise Forbidden(
                f"claim {key!r} cannot be published: its verdict was set by {verdict_by}, not a proven identity "
                "(declared or the operator); a signed-in reviewer sets it again with "
                f"`provenance review {key} --verdict {verdict.value}`, then someone else publishes it"
            )
    if same_person(verdict_by, actor.name):
        raise Invalid(
            f"claim {key!r} needs a second person to publish it: its verdict was set by {verdict_by}, who "
            "cannot also publish it; ask another editor (a desk of one: "
            "`provenance desk set second-reviewer off --reason WHY`)"
        )


def _require_for_review(current: ClaimStatus, target: ClaimStatus, verdict_changes: bool) -> None:
    """The permissions a review needs: publishing, withdrawing or reinstating, other moves, setting a verdict."""
    if target is not current:
        if target is PUBLISHED:
            access.require(Permission.PUBLISH)
        elif WITHDRAWN in (target, current):
            access.require(Permission.WITHDRAW_CLAIMS)
        else:
            access.require(Permission.REVIEW)
    if verdict_changes:
        access.require(Permission.SET_VERDICT)


@dataclass(frozen=True)
class Review:
    """What a review did to a claim: its status and verdict before and after, and whether anything changed."""

    claim: Claim
    before: dict[str, object]
    after: dict[str, object]

    @property
    def changed(self) -> bool:
        return self.before != self.after


def review_claim(
    session: Session,
    key: str,
    *,
    status: str | None = None,
    verdict: str | None = None,
    note: str | None = None,
    expected_version: int | None = None,
    note_option: str = "--note",
) -> Review:
    """Move a claim to ``status`` and/or set its ``verdict``, under the rules in the module's docstring.

    The verdict is set first, so a verdict given in the same command counts as set by the person acting: with
    the second-reviewer rule on, nobody can set a verdict and publish it in one command. Nothing is written when
    nothing would change, or when any rule refuses. Logged as ``claim.review`` (``claim.withdraw`` for a
    withdrawal), with the note as the reason.
    """
    if status is None and verdict is None:
        raise Invalid(f"give --status and/or --verdict for claim {key!r}")
    target = None if status is None else parse_status(status)
    new_verdict = None if verdict is None else parse_verdict(verdict)
    claim = get_claim(session, key)
    check_version(claim, expected_version)
    current = claim.status
    if target is None or target is current:
        target = current
    else:
        _check_move(key, current, target)
    why = _clean(note, note_option.removeprefix("--"))
    needed = _note_needed(current, target) if target is not current else None
    # Giving the same verdict again records who stands behind it when that was not known, or not proven.
    verdict_changes = new_verdict is not None and (
        new_verdict is not claim.verdict
        or claim.verdict_by is None
        or (events.current().proven and not claim.verdict_proven)
    )
    if needed is None and new_verdict is not None and claim.verdict not in (None, new_verdict):
        assert claim.verdict is not None
        needed = f"why the verdict changes from {words(claim.verdict)} to {words(new_verdict)}"
    if verdict_changes:
        if target is WITHDRAWN:
            raise Invalid(f"claim {key!r} is being withdrawn; a withdrawal sets no verdict, leave out --verdict")
        if current not in OPEN and target not in OPEN:
            raise Invalid(
                f"claim {key!r} is {words(current)}; its verdict is changed only when it is reopened: "
                f"`provenance review {key} --status 'in progress' --verdict {verdict} --note WHY`"
            )
    if needed is not None and why is None:
        moving = f"moving claim {key!r} to {words(target)}" if target is not current else f"changing claim {key!r}"
        raise Invalid(f"{moving} needs a note: say {needed} with {note_option}")
    acting = events.current()
    _require_for_review(current, target, verdict_changes)
    actor = acting.name
    verdict_after, verdict_by_after = (new_verdict, actor) if verdict_changes else (claim.verdict, claim.verdict_by)
    proven_after = acting.proven if verdict_changes else claim.verdict_proven
    before = _state(claim)
    after: dict[str, object] = {
        "status": target.value,
        "verdict": verdict_after.value if verdict_after else None,
        "verdict_by": verdict_by_after,
    }
    if before == after:
        return Review(claim, before, after)
    if target is PUBLISHED and current is not PUBLISHED:
        _check_publishable(session, claim, verdict_after, verdict_by_after, proven_after, acting)
    claim.status, claim.verdict, claim.verdict_by = target, verdict_after, verdict_by_after
    claim.verdict_proven = proven_after
    claim.updated_at = utcnow()
    session.flush()
    action = "claim.withdraw" if target is WITHDRAWN and current is not WITHDRAWN else "claim.review"
    events.record(session, action, "claim", key, before=before, after=after, reason=why, actor=actor)
    return Review(claim, before, after)


def withdraw_claim(session: Session, key: str, *, reason: str | None, expected_version: int | None = None) -> Review:
    """Withdraw a claim, saying why: it stays in the database, with its evidence and history."""
    return review_claim(
        session, key, status=WITHDRAWN.value, note=reason, expected_version=expected_version, note_option="--reason"
    )


# --- the board ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardRow:
    """One claim on the board, with what an editor needs to see at a glance."""

    key: str
    statement: str
    status: ClaimStatus
    verdict: Verdict | None
    verdict_by: str | None
    assignee: str | None
    evidence: int
    needs_review: int
    open_contradictions: int
    updated_at: dt.datetime
    version: int
    # Evidence left on an older version of its source by ``reanchor`` (orphaned: the passage is gone from the newer
    # version, or its close match there says something else), and evidence on an older version that a newer one
    # supersedes, not orphaned: not yet carried over (``provenance reanchor OLD NEW``).
    orphaned: int = 0
    superseded: int = 0


@dataclass(frozen=True)
class Board:
    """Claims by status, in workflow order, with the desk's totals. ``columns`` holds the rows shown (at most the
    number asked for a status, the first by key), ``counts`` how many claims each status has."""

    columns: dict[ClaimStatus, list[BoardRow]]
    open_contradictions: int
    needs_review: int
    second_reviewer: bool
    orphaned: int = 0
    superseded: int = 0
    counts: dict[ClaimStatus, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.count(status) for status in self.columns)

    def count(self, status: ClaimStatus) -> int:
        return self.counts.get(status, len(self.columns[status]))

    def more(self, status: ClaimStatus) -> int:
        """How many claims of ``status`` the board has but does not show."""
        return self.count(status) - len(self.columns[status])


# How many claims of each status the board shows unless asked for more: the desk at a glance, not every claim.
BOARD_PER_STATUS = 50


def _assigned_to(session: Session, wanted: str) -> list[str]:
    """The assignees, as written on claims, that :func:`same_person` takes for ``wanted`` (names are few)."""
    names = session.scalars(select(Claim.assignee).where(Claim.assignee.is_not(None)).distinct())
    return [name for name in names if name is not None and same_person(name, wanted)]


def board(session: Session, *, assignee: str | None = None, per_status: int | None = None) -> Board:
    """Every claim (or only those assigned to ``assignee``, compared as :func:`same_person` does) by status, in
    :class:`ClaimStatus` order then by key, with its evidence counts (all, needing review, orphaned, on a
    superseded version) and open contradictions; ``per_status``: at most that many of each status, the totals
    still counting all. The database counts and totals; only the claims shown are read, a status at a time."""
    wanted = None if assignee is None else _clean(assignee, "assignee")
    if assignee is not None and wanted is None:
        raise Invalid("give a name with --assignee")
    if per_status is not None and per_status < 1:
        raise Invalid(f"show at least one claim of each status, not {per_status}")
    chosen = None if wanted is None else Claim.assignee.in_(_assigned_to(session, wanted))
    in_chosen = None if chosen is None else select(Claim.id).where(chosen)
    counted = select(Claim.status, func.count()).group_by(Claim.status)
    counts: dict[ClaimStatus, int] = dict.fromkeys(ClaimStatus, 0)
    for status, n in session.execute(counted if chosen is None else counted.where(chosen)):
        counts[status] = n
    columns: dict[ClaimStatus, list[Any]] = {}
    for status in ClaimStatus:
        query = select(*_BOARD_COLUMNS).where(Claim.status == status).order_by(Claim.key).limit(per_status)
        columns[status] = (
            list(session.execute(query if chosen is None else query.where(chosen))) if counts[status] else []
        )
    shown = [row.id for rows in columns.values() for row in rows]
    evidence_counts, waiting = _evidence_counts(session, Evidence.claim_id.in_(shown))
    whole = None if in_chosen is None else Evidence.claim_id.in_(in_chosen)
    needing, orphaned = session.execute(_review_totals(whole)).one()
    superseded = session.scalar(_superseded(whole).with_only_columns(func.count()).group_by(None)) or 0
    # Open contradictions are few beside claims: read them whole, so one shared by two claims counts once.
    open_pairs = list(
        session.execute(
            select(Contradiction.claim_a_id, Contradiction.claim_b_id).where(
                Contradiction.status == ContradictionStatus.OPEN
            )
        )
    )
    per_claim: dict[int, int] = {}
    for pair in open_pairs:
        for claim_id in pair:
            per_claim[claim_id] = per_claim.get(claim_id, 0) + 1
    if in_chosen is None:
        open_count = len(open_pairs)
    else:
        mine = set(session.scalars(in_chosen))
        open_count = sum(1 for a, b in open_pairs if a in mine or b in mine)
    rows: dict[ClaimStatus, list[BoardRow]] = {
        status: [
            BoardRow(
                key=row.key,
                statement=row.statement,
                status=row.status,
                verdict=row.verdict,
                verdict_by=row.verdict_by,
                assignee=row.assignee,
                evidence=evidence_counts.get(row.id, (0, 0, 0))[0],
                needs_review=evidence_counts.get(row.id, (0, 0, 0))[1],
                open_contradictions=per_claim.get(row.id, 0),
                updated_at=row.updated_at,
                version=row.version,
                orphaned=evidence_counts.get(row.id, (0, 0, 0))[2],
                superseded=waiting.get(row.id, 0),
            )
            for row in found
        ]
        for status, found in columns.items()
    }
    return Board(
        columns=rows,
        open_contradictions=open_count,
        needs_review=int(needing or 0),
        second_reviewer=second_reviewer_required(session),
        orphaned=int(orphaned or 0),
        superseded=int(superseded),
        counts=counts,
    )


_BOARD_COLUMNS = (
    Claim.id,
    Claim.key,
    Claim.statement,
    Claim.status,
    Claim.verdict,
    Claim.verdict_by,
    Claim.assignee,
    Claim.updated_at,
    Claim.version,
)


def _review_totals(where: ColumnElement[bool] | None) -> Select[int, int]:
    """How much evidence needs review and how much was orphaned (of the claims ``where`` chooses)."""
    query = select(
        func.sum(case((Evidence.needs_review.is_(True), 1), else_=0)),
        func.sum(case((Evidence.orphaned_reason.is_not(None), 1), else_=0)),
    )
    return query if where is None else query.where(where)


def _superseded(where: ColumnElement[bool] | None) -> Select[int, int]:
    """Evidence on a version a later one supersedes, not orphaned, by claim: found from the (few) superseded
    sources' passages, not by joining every piece of evidence to its passage."""
    query = (
        select(Evidence.claim_id, func.count())
        .join(Passage, Passage.id == Evidence.passage_id)
        .where(
            Passage.source_id.in_(select(Source.supersedes_id).where(Source.supersedes_id.is_not(None))),
            Evidence.orphaned_reason.is_(None),
        )
        .group_by(Evidence.claim_id)
    )
    return query if where is None else query.where(where)


def _evidence_counts(
    session: Session, where: ColumnElement[bool]
) -> tuple[dict[int, tuple[int, int, int]], dict[int, int]]:
    """For the claims ``where`` chooses: their evidence (all, needing review, orphaned), and their evidence on
    superseded versions not yet carried over."""
    counts = {
        claim_id: (total, int(flagged or 0), int(left or 0))
        for claim_id, total, flagged, left in session.execute(
            select(
                Evidence.claim_id,
                func.count(),
                func.sum(case((Evidence.needs_review.is_(True), 1), else_=0)),
                func.sum(case((Evidence.orphaned_reason.is_not(None), 1), else_=0)),
            )
            .where(where)
            .group_by(Evidence.claim_id)
        )
    }
    waiting: dict[int, int] = {claim_id: n for claim_id, n in session.execute(_superseded(where))}
    return counts, waiting


def find_claims(
    session: Session,
    *,
    status: str | None = None,
    assignee: str | None = None,
    about: str | None = None,
    search: str | None = None,
    needs_review: bool = False,
    open_contradictions: bool = False,
    after: str | None = None,
    limit: int | None = None,
) -> list[Claim]:
    """Claims ordered by key, with the board's filters: in ``status``; assigned to ``assignee`` (compared as
    :func:`same_person` does); about an entity, or matching a full-text query (as
    :func:`provenance.claims.list_claims`); with evidence needing review; in an open contradiction. ``after`` a key
    and at most ``limit`` of them: a page, read as such from the database."""
    wanted_status = None if status is None else parse_status(status)
    wanted = None if assignee is None else _clean(assignee, "assignee")
    if assignee is not None and wanted is None:
        raise Invalid("give a name with --assignee")
    query = claims_query(session, about, search)
    if wanted_status is not None:
        query = query.where(Claim.status == wanted_status)
    if wanted is not None:
        query = query.where(Claim.assignee.in_(_assigned_to(session, wanted)))
    if needs_review:
        query = query.where(Claim.id.in_(select(Evidence.claim_id).where(Evidence.needs_review.is_(True))))
    if open_contradictions:
        is_open = Contradiction.status == ContradictionStatus.OPEN
        query = query.where(
            or_(
                Claim.id.in_(select(Contradiction.claim_a_id).where(is_open)),
                Claim.id.in_(select(Contradiction.claim_b_id).where(is_open)),
            )
        )
    if after is not None:
        query = query.where(Claim.key > after)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))
