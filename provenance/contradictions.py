"""Contradictions between claims, kept and decided; and contradictions suggested between passages.

A **contradiction** is two claims that cannot both be true (recorded with :func:`provenance.claims.add_contradiction`):
what they disagree on (its kind: direct, numeric, temporal, attribution), a note, and its status. It is resolved
(the analyst found which is true, or how both are) or dismissed (they do not really conflict), each with a note
saying why, kept as its resolution; only an open contradiction can be resolved or dismissed.

A **suggestion** is two passages, each evidence for a claim, that :mod:`provenance.disagreement` finds disagree
on a number, an amount, a date, a duration or who did it, or where one denies the other. ``detect`` compares the
passages of each claim with each other and with those of every claim sharing an entity with it, and keeps each
pair it flags once (lower passage id first). The analyst confirms or dismisses it:

- confirming a pair of passages of two claims records the contradiction between the claims (kind and passages
  from the suggestion, note from the analyst or else the detector's reason), or links the one already recorded;
- confirming a pair of passages of one claim records no contradiction (a claim cannot contradict itself): the
  suggestion stays, confirmed, and ``claim show`` and the reports list the two passages as conflicting evidence;
- a dismissed or confirmed pair is never suggested again.

Every decision goes into the audit log with the state before and after and the analyst's note as its reason.
"""

from __future__ import annotations

import itertools
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from provenance import access, db, events
from provenance.access import Permission
from provenance.claims import MAX_ROW_ID, add_contradiction, get_claim
from provenance.disagreement import Statement, strongest
from provenance.errors import Conflict, Invalid, NotFound
from provenance.importer import import_claims_file, read_data
from provenance.models import (
    Claim,
    Contradiction,
    ContradictionKind,
    ContradictionStatus,
    ContradictionSuggestion,
    Event,
    Evidence,
    Passage,
    SuggestionStatus,
    claim_entity,
    utcnow,
)
from provenance.text import optional_user_text

SUGGESTION = "suggestion"  # the audit log's subject type for suggestions


def _note(text: str | None) -> str | None:
    return optional_user_text(text, "note")


def _choice(enum_type: Any, value: str, what: str) -> Any:
    try:
        return enum_type(value.strip().lower())
    except ValueError:
        raise Invalid(f"unknown {what} {value!r}; use one of: {', '.join(m.value for m in enum_type)}") from None


# --- contradictions between claims ---------------------------------------------------------------------


def pair_key(contradiction: Contradiction) -> str:
    """How the audit log names a contradiction: its claims' keys, lower claim id first."""
    return f"{contradiction.claim_a.key}|{contradiction.claim_b.key}"


def contradiction_state(contradiction: Contradiction) -> dict[str, Any]:
    return {
        "claims": [contradiction.claim_a.key, contradiction.claim_b.key],
        "kind": contradiction.kind.value,
        "status": contradiction.status.value,
        "note": contradiction.note,
        "resolution": contradiction.resolution,
        "passage_ids": [contradiction.passage_a_id, contradiction.passage_b_id],
    }


def get_contradiction(session: Session, key_a: str, key_b: str) -> Contradiction:
    """The contradiction recorded between two claims, named in either order."""
    if key_a == key_b:
        raise Invalid(f"a claim cannot contradict itself ({key_a!r}); name two different claims")
    first, second = sorted((get_claim(session, key_a), get_claim(session, key_b)), key=lambda c: c.id)
    found = session.scalar(
        select(Contradiction).where(Contradiction.claim_a_id == first.id, Contradiction.claim_b_id == second.id)
    )
    if found is None:
        raise NotFound(
            f"claims {key_a!r} and {key_b!r} are not recorded as contradicting each other; "
            "`provenance contradiction list` shows those that are"
        )
    return found


def list_contradictions(session: Session, status: str | None = None) -> list[Contradiction]:
    """Every contradiction (or those with ``status``), by the first claim's key, then the second's."""
    query = select(Contradiction).options(selectinload(Contradiction.claim_a), selectinload(Contradiction.claim_b))
    if status is not None:
        query = query.where(Contradiction.status == _choice(ContradictionStatus, status, "contradiction status"))
    found = list(session.scalars(query))
    return sorted(found, key=lambda c: (c.claim_a.key, c.claim_b.key))


def resolve_contradiction(session: Session, key_a: str, key_b: str, note: str | None) -> Contradiction:
    """Mark an open contradiction resolved, with a note saying how (which claim holds, or how both do)."""
    return _decide(session, key_a, key_b, ContradictionStatus.RESOLVED, note)


def dismiss_contradiction(session: Session, key_a: str, key_b: str, note: str | None) -> Contradiction:
    """Mark an open contradiction dismissed (the claims do not really conflict), with a note saying why."""
    return _decide(session, key_a, key_b, ContradictionStatus.DISMISSED, note)


def _decide(session: Session, key_a: str, key_b: str, status: ContradictionStatus, note: str | None) -> Contradiction:
    access.require(Permission.DECIDE_CONTRADICTIONS)
    verb = "resolving" if status is ContradictionStatus.RESOLVED else "dismissing"
    contradiction = get_contradiction(session, key_a, key_b)
    # Locked until this transaction ends (PostgreSQL; SQLite's writers take turns anyway), and read again: two
    # analysts deciding one contradiction at once, the second waits, then sees the first's decision and is refused.
    session.refresh(contradiction, with_for_update=True)
    reason = _note(note)
    if reason is None:
        raise Invalid(
            f'{verb} the contradiction between {key_a!r} and {key_b!r} needs a note saying why; add --note "..."'
        )
    if contradiction.status is not ContradictionStatus.OPEN:
        raise Conflict(
            f"the contradiction between {key_a!r} and {key_b!r} is already {contradiction.status.value} "
            f"({contradiction.resolution}); only an open one can be resolved or dismissed"
        )
    before = contradiction_state(contradiction)
    contradiction.status = status
    contradiction.resolution = reason
    contradiction.updated_at = utcnow()
    session.flush()
    action = "contradiction.resolve" if status is ContradictionStatus.RESOLVED else "contradiction.dismiss"
    events.record(
        session,
        action,
        "contradiction",
        pair_key(contradiction),
        before=before,
        after=contradiction_state(contradiction),
        reason=reason,
    )
    return contradiction


# --- suggestions ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Evidenced:
    """A passage cited as evidence, with the claims citing it."""

    passage: Passage
    claims: frozenset[int]


def suggestion_state(suggestion: ContradictionSuggestion) -> dict[str, Any]:
    return {
        "passage_ids": [suggestion.passage_a_id, suggestion.passage_b_id],
        "claim_ids": [suggestion.claim_a_id, suggestion.claim_b_id],
        "kind": suggestion.kind.value,
        "reason": suggestion.reason,
        "score": suggestion.score,
        "status": suggestion.status.value,
        "contradiction_id": suggestion.contradiction_id,
    }


def detect(session: Session, claim_key: str | None = None) -> list[ContradictionSuggestion]:
    """Compare the passages cited as evidence (for ``claim_key`` only, if given) and keep each pair the detector
    flags as a new open suggestion, most certain first. Pairs suggested before, whatever became of them, are not
    compared again."""
    access.require(Permission.SUGGEST)
    only = get_claim(session, claim_key).id if claim_key is not None else None
    cited = _cited_passages(session)
    entities: dict[int, set[int]] = defaultdict(set)
    for claim_id, entity_id in session.execute(select(claim_entity.c.claim_id, claim_entity.c.entity_id)):
        entities[claim_id].add(entity_id)
    known = {
        (a, b)
        for a, b in session.execute(select(ContradictionSuggestion.passage_a_id, ContradictionSuggestion.passage_b_id))
    }
    statements: dict[int, Statement] = {}

    def read(passage: Passage) -> Statement:
        if passage.id not in statements:
            statements[passage.id] = Statement.read(passage.text)
        return statements[passage.id]

    found: list[ContradictionSuggestion] = []
    for first, second in _candidate_pairs(cited, entities, only):
        if (first.passage.id, second.passage.id) in known:
            continue
        claims = _claims_for(first, second, entities)
        if claims is None:
            continue
        finding = strongest(read(first.passage), read(second.passage))
        if finding is None:
            continue
        found.append(
            ContradictionSuggestion(
                passage_a_id=first.passage.id,
                passage_b_id=second.passage.id,
                claim_a_id=claims[0],
                claim_b_id=claims[1],
                kind=finding.kind,
                reason=finding.reason,
                score=finding.score,
                status=SuggestionStatus.OPEN,
                created_at=utcnow(),
            )
        )
    found.sort(key=lambda s: (-s.score, s.passage_a_id, s.passage_b_id))
    session.add_all(found)
    session.flush()
    events.record_many(
        session,
        [
            {
                "action": "suggestion.add",
                "subject_type": SUGGESTION,
                "subject_key": str(s.id),
                "after": suggestion_state(s),
            }
            for s in found
        ],
    )
    return found


def _cited_passages(session: Session) -> list[_Evidenced]:
    claims: dict[int, set[int]] = defaultdict(set)
    for claim_id, passage_id in session.execute(select(Evidence.claim_id, Evidence.passage_id)):
        claims[passage_id].add(claim_id)
    if not claims:
        return []
    passages = session.scalars(select(Passage).where(Passage.id.in_(select(Evidence.passage_id))).order_by(Passage.id))
    return [_Evidenced(p, frozenset(claims[p.id])) for p in passages]


def _candidate_pairs(
    cited: Sequence[_Evidenced], entities: dict[int, set[int]], only: int | None
) -> list[tuple[_Evidenced, _Evidenced]]:
    """Pairs of cited passages (lower id first) that are evidence for one claim, or for claims sharing an entity,
    and do not overlap in one source; with ``only``, those where one side is evidence for that claim."""
    by_claim: dict[int, list[_Evidenced]] = defaultdict(list)
    by_entity: dict[int, list[_Evidenced]] = defaultdict(list)
    for item in cited:
        for claim_id in item.claims:
            by_claim[claim_id].append(item)
            for entity_id in entities.get(claim_id, ()):
                by_entity[entity_id].append(item)
    pairs: dict[tuple[int, int], tuple[_Evidenced, _Evidenced]] = {}
    for group in itertools.chain(by_claim.values(), by_entity.values()):
        unique = sorted({item.passage.id: item for item in group}.values(), key=lambda i: i.passage.id)
        for first, second in itertools.combinations(unique, 2):
            if only is not None and only not in first.claims and only not in second.claims:
                continue
            a, b = first.passage, second.passage
            if a.source_id == b.source_id and a.char_start < b.char_end and b.char_start < a.char_end:
                continue  # a quote and the sentence holding it, say: not two statements
            pairs.setdefault((a.id, b.id), (first, second))
    return [pairs[key] for key in sorted(pairs)]


def _claims_for(first: _Evidenced, second: _Evidenced, entities: dict[int, set[int]]) -> tuple[int, int] | None:
    """The claims a pair of passages stands for: one claim both are evidence for, else the first two claims
    (by id) sharing an entity."""
    shared = first.claims & second.claims
    if shared:
        return min(shared), min(shared)
    for a in sorted(first.claims):
        for b in sorted(second.claims):
            if entities.get(a, set()) & entities.get(b, set()):
                return a, b
    return None


def get_suggestion(session: Session, ident: str | int) -> ContradictionSuggestion:
    """A suggestion by its number (``3`` or ``#3``)."""
    text = str(ident).strip().removeprefix("#")
    if not (text.isascii() and text.isdigit()):
        raise Invalid(f"{ident!r} is not a suggestion number; `provenance contradictions suggestions` lists them")
    number = int(text)
    suggestion = session.get(ContradictionSuggestion, number) if 0 < number <= MAX_ROW_ID else None
    if suggestion is None:
        raise NotFound(f"no suggestion {text}; `provenance contradictions suggestions --status all` lists them")
    return suggestion


def list_suggestions(
    session: Session, status: str | None = SuggestionStatus.OPEN.value
) -> list[ContradictionSuggestion]:
    """Suggestions with ``status`` (all when None), most certain first."""
    query = select(ContradictionSuggestion).options(
        selectinload(ContradictionSuggestion.passage_a).selectinload(Passage.source),
        selectinload(ContradictionSuggestion.passage_b).selectinload(Passage.source),
    )
    if status is not None:
        query = query.where(ContradictionSuggestion.status == _choice(SuggestionStatus, status, "suggestion status"))
    return list(session.scalars(query.order_by(ContradictionSuggestion.score.desc(), ContradictionSuggestion.id)))


def confirm_suggestion(session: Session, ident: str | int, note: str | None = None) -> ContradictionSuggestion:
    """Confirm a suggestion: for passages of two claims, record (or link) the contradiction between the claims;
    for passages of one claim, keep it as conflicting evidence of that claim."""
    access.require(Permission.DECIDE_CONTRADICTIONS)
    suggestion = _open_suggestion(session, ident, "confirmed")
    reason = _note(note)
    before = suggestion_state(suggestion)
    if None not in (suggestion.claim_a_id, suggestion.claim_b_id) and suggestion.claim_a_id != suggestion.claim_b_id:
        suggestion.contradiction_id = _contradiction_for(session, suggestion, reason).id
    _decided(suggestion, SuggestionStatus.CONFIRMED)
    _record_decision(session, "suggestion.confirm", suggestion, before, reason)
    return suggestion


def dismiss_suggestion(session: Session, ident: str | int, note: str | None) -> ContradictionSuggestion:
    """Dismiss a suggestion (the passages do not really disagree), with a note saying why."""
    access.require(Permission.DECIDE_CONTRADICTIONS)
    suggestion = _open_suggestion(session, ident, "dismissed")
    reason = _note(note)
    if reason is None:
        raise Invalid(f'dismissing suggestion {suggestion.id} needs a note saying why; add --note "..."')
    before = suggestion_state(suggestion)
    _decided(suggestion, SuggestionStatus.DISMISSED)
    _record_decision(session, "suggestion.dismiss", suggestion, before, reason)
    return suggestion


def _open_suggestion(session: Session, ident: str | int, becoming: str) -> ContradictionSuggestion:
    suggestion = get_suggestion(session, ident)
    session.refresh(suggestion, with_for_update=True)  # as in _decide: one decision per suggestion
    if suggestion.status is not SuggestionStatus.OPEN:
        raise Conflict(
            f"suggestion {suggestion.id} is already {suggestion.status.value}; only an open one can be {becoming}"
        )
    return suggestion


def _record_decision(
    session: Session, action: str, suggestion: ContradictionSuggestion, before: dict[str, Any], reason: str | None
) -> None:
    """Write a decision on ``suggestion`` and log it, with its state before and after and the analyst's note."""
    session.flush()
    after = suggestion_state(suggestion)
    events.record(session, action, SUGGESTION, str(suggestion.id), before=before, after=after, reason=reason)


def _decided(suggestion: ContradictionSuggestion, status: SuggestionStatus) -> None:
    suggestion.status = status
    suggestion.decided_at = utcnow()
    suggestion.decided_by = events.current_actor()


def _contradiction_for(session: Session, suggestion: ContradictionSuggestion, note: str | None) -> Contradiction:
    """The contradiction between the suggestion's two claims: the one recorded (given the suggestion's passages
    if it has none), or a new one."""
    claim_a = session.get(Claim, suggestion.claim_a_id)
    claim_b = session.get(Claim, suggestion.claim_b_id)
    assert claim_a is not None and claim_b is not None  # foreign keys
    passages = (suggestion.passage_a, suggestion.passage_b)
    low, high = sorted(((claim_a, passages[0]), (claim_b, passages[1])), key=lambda side: side[0].id)
    existing = session.scalar(
        select(Contradiction).where(Contradiction.claim_a_id == low[0].id, Contradiction.claim_b_id == high[0].id)
    )
    if existing is None:
        return add_contradiction(
            session,
            claim_a.key,
            claim_b.key,
            note=note or suggestion.reason,
            kind=suggestion.kind.value,
            passages=passages,
        )
    if existing.passage_a_id is None and existing.passage_b_id is None:
        before = contradiction_state(existing)
        existing.passage_a, existing.passage_b = low[1], high[1]
        existing.updated_at = utcnow()
        session.flush()
        events.record(
            session,
            "contradiction.passages",
            "contradiction",
            pair_key(existing),
            before=before,
            after=contradiction_state(existing),
            reason=note or f"confirmed suggestion {suggestion.id}: {suggestion.reason}",
        )
    return existing


def decision_notes(session: Session, suggestions: Sequence[ContradictionSuggestion]) -> dict[int, str | None]:
    """The note the analyst gave when confirming or dismissing each decided suggestion (from the audit log)."""
    decided = [str(s.id) for s in suggestions if s.status is not SuggestionStatus.OPEN]
    notes: dict[int, str | None] = {}
    if not decided:
        return notes
    for key, reason in session.execute(
        select(Event.subject_key, Event.reason)
        .where(
            Event.subject_type == SUGGESTION,
            Event.subject_key.in_(decided),
            or_(Event.action == "suggestion.confirm", Event.action == "suggestion.dismiss"),
        )
        .order_by(Event.id)
    ):
        notes[int(key)] = reason
    return notes


# --- measuring the detector ----------------------------------------------------------------------------


@dataclass
class Measured:
    """How the detector did on a set of labelled pairs: a pair counts as found if the detector flags it at all;
    ``right_kind`` counts the found contradictions given the labelled kind."""

    name: str
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    true_negatives: int = 0
    right_kind: int = 0
    mistakes: list[dict[str, str | None]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        labelled = self.true_positives + self.false_negatives
        return self.true_positives / labelled if labelled else 1.0

    def add(self, a: str, b: str, kind: str) -> None:
        finding = strongest(a, b)
        found = None if finding is None else finding.kind.value
        if kind == "none":
            if found is None:
                self.true_negatives += 1
                return
            self.false_positives += 1
        elif found is None:
            self.false_negatives += 1
        else:
            self.true_positives += 1
            if found == kind:
                self.right_kind += 1
                return
        reason = None if finding is None else finding.reason
        self.mistakes.append({"a": a, "b": b, "labelled": kind, "found": found, "reason": reason})

    def merged(self, other: Measured, name: str) -> Measured:
        return Measured(
            name,
            self.true_positives + other.true_positives,
            self.false_positives + other.false_positives,
            self.false_negatives + other.false_negatives,
            self.true_negatives + other.true_negatives,
            self.right_kind + other.right_kind,
            self.mistakes + other.mistakes,
        )


def compared_texts(session: Session) -> list[tuple[str, str]]:
    """The text of each pair of passages ``detect`` would compare in this database, suggested before or not."""
    cited = _cited_passages(session)
    entities: dict[int, set[int]] = defaultdict(set)
    for claim_id, entity_id in session.execute(select(claim_entity.c.claim_id, claim_entity.c.entity_id)):
        entities[claim_id].add(entity_id)
    return [
        (first.passage.text, second.passage.text)
        for first, second in _candidate_pairs(cited, entities, None)
        if _claims_for(first, second, entities) is not None
    ]


def evaluate(path: Path) -> list[Measured]:
    """Measure the detector on a labelled file (``tests/fixtures/contradiction_pairs.yaml`` is one): its
    ``pairs`` (``a``, ``b``, ``kind``: a contradiction kind or ``none``) and, when it names a ``claims_file``
    (relative to itself), every pair of that file's evidence passages ``detect`` would compare, labelled by its
    ``seed_pairs`` (``a`` and ``b`` each a part of one passage's text) or else ``none``. Returns the figures for
    the pairs, for the claims file's pairs, and for both together."""
    data = read_data(path)
    if not isinstance(data, dict) or not isinstance(data.get("pairs"), list):
        raise Invalid(f"{path}: a labelled file has a list of `pairs`, each with a, b and kind")
    kinds = {k.value for k in ContradictionKind} | {"none"}
    constructed = Measured("constructed pairs")
    for n, pair in enumerate(data["pairs"]):
        if not isinstance(pair, dict) or pair.get("kind") not in kinds or not pair.get("a") or not pair.get("b"):
            raise Invalid(f"{path}: pairs[{n}] needs a, b and kind (one of {', '.join(sorted(kinds))})")
        constructed.add(str(pair["a"]), str(pair["b"]), str(pair["kind"]))
    results = [constructed]
    if data.get("claims_file"):
        seed = _measure_claims_file(path.parent / str(data["claims_file"]), data.get("seed_pairs") or [])
        results += [seed, constructed.merged(seed, "all")]
    return results


def _measure_claims_file(claims_file: Path, labels: list[dict[str, str]]) -> Measured:
    measured = Measured(f"pairs of evidence in {claims_file.name}")
    with tempfile.TemporaryDirectory() as folder:
        engine = db.make_engine(f"sqlite:///{Path(folder) / 'evaluate.db'}")
        try:
            db.upgrade(engine)
            with db.session_scope(engine) as session:
                import_claims_file(session, claims_file)
                texts = compared_texts(session)
        finally:
            engine.dispose()
    used = set()
    for a, b in texts:
        kind = "none"
        for n, label in enumerate(labels):
            if (label["a"] in a and label["b"] in b) or (label["a"] in b and label["b"] in a):
                kind = label["kind"]
                used.add(n)
        measured.add(a, b, kind)
    for n in range(len(labels)):
        if n not in used:
            raise Invalid(f"seed_pairs[{n}] matches no pair of passages that detect compares in {claims_file}")
    return measured


def claims_of(session: Session, suggestions: Sequence[ContradictionSuggestion]) -> dict[int, Claim]:
    """The claims the suggestions stand for, by id."""
    ids = {i for s in suggestions for i in (s.claim_a_id, s.claim_b_id) if i is not None}
    return {c.id: c for c in session.scalars(select(Claim).where(Claim.id.in_(ids)))} if ids else {}
