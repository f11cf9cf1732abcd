"""How sure we are of a claim: a likelihood computed from its evidence, the analyst's own, and the ratings behind
them (source reliability, sources that repeat others).

The computed likelihood follows one documented formula, simple enough to work out by hand (the README walks
through it on the demo corpus):

1. Only evidence that supports or contradicts the claim, has a likelihood and is not flagged for review counts.
   A passage that only mentions the claim counts nothing.
2. Each piece's likelihood ``p`` (kept within 1-99 %, the ends of the ICD 203 scale) becomes log-odds
   ``ln(p / (1 - p))``: positive for a supporting passage, negated for a contradicting one. The likelihood is the
   analyst's answer to "on this passage alone, how likely is its statement true?"; a contradicting passage's
   statement is the claim's opposite.
3. Sources are grouped into independent clusters: a source, its other versions, and every source recorded as
   derived from one of them (or they from it), in either direction and transitively. A cluster counts once:
   each of its ``n`` counted pieces gets ``1/n`` of the cluster's say.
4. A piece's weight is ``R x C / n``: ``R`` the reliability factor of the most reliable source of its cluster
   among those the claim cites, ``C`` the credibility factor of the piece (1 when not given).
5. The result starts from even chance (log-odds 0) and adds ``weight x log-odds`` for each piece; it is turned
   back into a probability ``1 / (1 + e^-L)``, kept within 1-99 %, and named by its ICD 203 term.

Nothing computed is stored: it is worked out from the evidence each time it is shown, so it is never stale.
"""

from __future__ import annotations

import functools
import math
import operator
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from sqlalchemy import Executable, Select, String, select, type_coerce
from sqlalchemy.orm import Session, aliased

from provenance import access, events
from provenance.access import Permission
from provenance.claims import get_claim
from provenance.confidence import (
    describe_likelihood,
    likelihood_term,
    parse_likelihood,
    parse_reliability,
)
from provenance.errors import Conflict, Invalid
from provenance.models import (
    Claim,
    Evidence,
    Passage,
    Reliability,
    Source,
    SourceDerivation,
    Stance,
    utcnow,
)
from provenance.text import optional_user_text

# --- the formula's figures ----------------------------------------------------------------------------

# How much a source's word counts, by its Admiralty reliability. "Cannot be judged" (F) counts half: more than a
# source known to be not usually reliable (D), less than a fairly reliable one (C).
RELIABILITY_WEIGHT: dict[str, float] = {"A": 1.0, "B": 0.8, "C": 0.6, "D": 0.4, "E": 0.2, "F": 0.5}
# How much one piece of information counts, by its Admiralty credibility; not given: the likelihood speaks alone.
CREDIBILITY_WEIGHT: dict[int | None, float] = {1: 1.0, 2: 0.8, 3: 0.6, 4: 0.4, 5: 0.2, 6: 0.5, None: 1.0}
# The ends of the ICD 203 scale: likelihoods are kept within them before taking log-odds, and so is the result.
FLOOR, CEILING = 0.01, 0.99
SIGN = {Stance.SUPPORTS: 1, Stance.CONTRADICTS: -1}


def log_odds(probability: float) -> float:
    """``ln(p / (1 - p))`` of ``p`` kept within 1-99 %: 0.675 -> 0.731, 0.875 -> 1.946, 0.5 -> 0."""
    p = min(max(probability, FLOOR), CEILING)
    return math.log(p / (1 - p))


def probability_of(log_odds_value: float) -> float:
    """``1 / (1 + e^-L)``, kept within 1-99 %."""
    return min(max(1 / (1 + math.exp(-log_odds_value)), FLOOR), CEILING)


# --- what the formula reads ---------------------------------------------------------------------------


class Item(NamedTuple):
    """One piece of evidence as the formula reads it (a tuple: reports read tens of thousands)."""

    evidence_id: int
    stance: Stance
    likelihood: float | None
    credibility: int | None
    needs_review: bool
    source_id: int
    source_key: str
    reliability: str
    paragraph_no: int
    sentence_no: int | None
    char_start: int
    char_end: int
    retracted: bool = False  # its source is retracted: it counts nothing

    @property
    def place(self) -> str:
        """``paragraph 9, sentence 2, characters 10-20`` (as ``claim show`` and reports give it)."""
        where = f"paragraph {self.paragraph_no}"
        if self.sentence_no is not None:
            where += f", sentence {self.sentence_no}"
        return f"{where}, characters {self.char_start}–{self.char_end}"


@dataclass(frozen=True, slots=True)
class Link:
    """Two sources that count as one: ``source`` derives from ``other``, or is a later version of it."""

    kind: str  # "derived" or "version"
    source_id: int
    source_key: str
    other_id: int
    other_key: str

    def describe(self) -> str:
        if self.kind == "version":
            return f"{self.source_key} is a later version of {self.other_key}"
        return f"{self.source_key} derives from {self.other_key}"


class SourceLinks:
    """Every derivation and version link between sources, grouping them into independent clusters (connected
    components, links taken in either direction)."""

    def __init__(self, links: Iterable[Link]) -> None:
        self.links = list(links)
        self._parent: dict[int, int] = {}
        for link in self.links:
            self._union(link.source_id, link.other_id)
        self._by_root: dict[int, list[Link]] = defaultdict(list)
        for link in self.links:
            self._by_root[self.root(link.source_id)].append(link)

    def root(self, source_id: int) -> int:
        """The cluster a source is in, named by the smallest source id in it."""
        parent = self._parent
        root = source_id
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(source_id, source_id) != root:  # shorten the path for next time
            parent[source_id], source_id = root, parent[source_id]
        return root

    def _union(self, a: int, b: int) -> None:
        root_a, root_b = self.root(a), self.root(b)
        if root_a != root_b:
            low, high = sorted((root_a, root_b))
            self._parent[high] = low
            self._parent.setdefault(low, low)

    def links_of(self, root: int) -> list[Link]:
        return self._by_root.get(root, [])


# Made once: an alias builds a proxy of every column of the table, which cost more than the queries using it.
_NEWER, _OLDER = aliased(Source, name="newer"), aliased(Source, name="older")


def load_links(session: Session) -> SourceLinks:
    """The derivation links recorded with ``source derive`` and the version links made when a changed document
    was captured again (two queries, whatever the number of sources)."""
    newer, older = _NEWER, _OLDER
    derived = session.execute(
        select(SourceDerivation.source_id, newer.key, SourceDerivation.derived_from_id, older.key)
        .join(newer, newer.id == SourceDerivation.source_id)
        .join(older, older.id == SourceDerivation.derived_from_id)
        .order_by(SourceDerivation.id)
    )
    links = [Link("derived", *row) for row in derived]
    # Read through the index on supersedes_id: scanning the source table reads every source's text along the way
    # (18 ms for 26,700 sources), and this runs for every claim page and list. Put in the newer versions' order here.
    versions = session.execute(
        select(newer.id, newer.key, older.id, older.key)
        .join(older, older.id == newer.supersedes_id)
        .where(newer.supersedes_id.is_not(None))
        .order_by(newer.supersedes_id)
    )
    links += [Link("version", *row) for row in sorted(versions, key=lambda row: row[0])]
    return SourceLinks(links)


# --- what the formula gives ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cluster:
    """One group of sources that counts once, as far as one claim's counted evidence reaches into it."""

    number: int  # 1, 2, ... in the order the explanation lists them
    sources: tuple[tuple[str, str], ...]  # (key, reliability letter) of each cited source in it, by key
    reliability: str  # the letter of its most reliable cited source
    reliability_weight: float
    pieces: int  # how many counted pieces of evidence share its say
    links: tuple[str, ...]  # why its sources are one ("b derives from a", ...)

    @property
    def label(self) -> str:
        return " + ".join(key for key, _ in self.sources)


@dataclass(frozen=True, slots=True)
class Contribution:
    """One counted piece of evidence and what it adds to the claim's log-odds."""

    item: Item
    cluster: Cluster
    credibility_weight: float
    log_odds: float  # ln(p / (1 - p)), negated for a contradicting passage
    weight: float  # reliability weight x credibility weight / pieces in the cluster
    adds: float  # weight x log_odds
    running_log_odds: float  # the sum so far
    running_probability: float


@dataclass(frozen=True, slots=True)
class Skipped:
    """A piece of evidence that counts nothing, and why."""

    item: Item
    reason: str


@dataclass(frozen=True, eq=False)
class Assessment:
    """A claim's computed likelihood; ``probability`` is None when no evidence counted. Every step to it
    (``contributions``, ``clusters``, ``skipped``) is worked out when first asked for, from the same items in the
    same order, so the steps end exactly at ``log_odds``."""

    log_odds: float = 0.0
    probability: float | None = None
    independent_sources: int = 0
    evidence_counted: int = 0
    read: Callable[[], Iterable[Item]] = tuple  # makes the claim's items when the steps are first asked for
    links: SourceLinks | None = None

    @functools.cached_property
    def items(self) -> tuple[Item, ...]:
        return tuple(self.read())

    @property
    def term(self) -> str | None:
        return None if self.probability is None else likelihood_term(self.probability)

    def describe(self) -> str:
        """``unlikely (41 %) from 1 independent source`` or ``not assessed (...)``."""
        if self.probability is None:
            return "not assessed (no supporting or contradicting passage with a likelihood)"
        count = self.independent_sources
        return f"{describe_likelihood(self.probability)} from {count} independent source{'' if count == 1 else 's'}"

    @functools.cached_property
    def _steps(self) -> tuple[tuple[Contribution, ...], tuple[Cluster, ...], tuple[Skipped, ...]]:
        links = self.links or SourceLinks([])
        groups, not_counted = _split(self.items, links)
        clusters: list[Cluster] = []
        contributions: list[Contribution] = []
        total = 0.0
        for number, (root, members) in enumerate(groups, 1):
            cited = sorted({(i.source_key, i.reliability) for i in members})
            best = max(cited, key=lambda source: (RELIABILITY_WEIGHT[source[1]], -ord(source[1])))[1]
            cluster = Cluster(
                number,
                tuple(cited),
                best,
                RELIABILITY_WEIGHT[best],
                len(members),
                tuple(link.describe() for link in links.links_of(root)),
            )
            clusters.append(cluster)
            for item in members:
                credibility_weight, value, weight, adds = _step(cluster.reliability_weight, len(members), item)
                total += adds
                contributions.append(
                    Contribution(item, cluster, credibility_weight, value, weight, adds, total, probability_of(total))
                )
        skipped = tuple(Skipped(item, _reason_not_counted(item)) for item in not_counted)
        return tuple(contributions), tuple(clusters), skipped

    @property
    def contributions(self) -> tuple[Contribution, ...]:
        return self._steps[0]

    @property
    def clusters(self) -> tuple[Cluster, ...]:
        return self._steps[1]

    @property
    def skipped(self) -> tuple[Skipped, ...]:
        return self._steps[2]


NOT_ASSESSED = Assessment()

# What a report says of the computed likelihood, once, where it explains its terms.
COMPUTED_NOTE = (
    "A claim's likelihood is the analyst's; its computed likelihood combines the supporting and contradicting "
    "passages quoted for it, each independent source counted once (sources that repeat one another are one) and "
    "weighed by its reliability."
)


# A counted piece of evidence as the sum reads it: evidence id, stance, likelihood, credibility, reliability letter,
# source key, source id.
_Counted = tuple[int, Stance, float, int | None, str, str, int]


def assess(items: Iterable[Item], links: SourceLinks) -> Assessment:
    """Work out one claim's likelihood from its evidence (see the module's docstring for the formula)."""
    kept = tuple(items)
    counted = [
        (i.evidence_id, i.stance, i.likelihood, i.credibility, i.reliability, i.source_key, i.source_id)
        for i in kept
        if i.likelihood is not None and i.stance in SIGN and not i.needs_review and not i.retracted
    ]
    return _summed(counted, links, lambda: kept)


def assess_cited(
    cited: Sequence[_CitedLike], sources: Mapping[int, tuple[int, str, str, bool]], links: SourceLinks
) -> Assessment:
    """The same as :func:`assess`, from a report's cited passages (each with ``evidence`` and ``passage``), with
    ``sources`` giving each source's (id, key, reliability letter, whether retracted) by id. A report does this
    for every claim, so the items for the explanation are only made if it is asked for."""
    counted: list[_Counted] = []
    for c in cited:
        evidence = c.evidence
        likelihood = evidence.confidence
        if likelihood is not None and evidence.stance in SIGN and not evidence.needs_review:
            source_id, key, reliability, retracted = sources[c.passage.source_id]
            if retracted:
                continue
            counted.append(
                (evidence.id, evidence.stance, likelihood, evidence.credibility, reliability, key, source_id)
            )
    return _summed(
        counted, links, lambda: [item_of(c.evidence, c.passage, sources[c.passage.source_id]) for c in cited]
    )


def _summed(counted: list[_Counted], links: SourceLinks, read: Callable[[], Iterable[Item]]) -> Assessment:
    """The sum of the formula over ``counted``, in the order the explanation lists the steps (:func:`_split`) and
    with the same arithmetic (:func:`_step`), so that the steps end exactly at the result."""
    if not counted:
        return Assessment(read=read, links=links)
    root = links.root
    groups: dict[int, list[_Counted]] = {}
    for entry in counted:
        group = groups.get(source := root(entry[6]))
        if group is None:
            groups[source] = [entry]
        else:
            group.append(entry)
    ordered = sorted(groups.values(), key=_smallest_key) if len(groups) > 1 else groups.values()
    total = 0.0
    for members in ordered:
        members.sort()  # by evidence id
        best = max([RELIABILITY_WEIGHT[entry[4]] for entry in members])
        pieces = len(members)
        for _, stance, likelihood, credibility, *_ in members:
            total += best * CREDIBILITY_WEIGHT[credibility] / pieces * (SIGN[stance] * log_odds(likelihood))
    return Assessment(total, probability_of(total), len(groups), len(counted), read, links)


def _smallest_key(members: list[_Counted]) -> str:
    return min([entry[5] for entry in members])


def _split(items: Iterable[Item], links: SourceLinks) -> tuple[list[tuple[int, list[Item]]], list[Item]]:
    """The counted items by cluster (clusters in order of their first source key; items by evidence id), and
    the items not counted."""
    counted: dict[int, list[Item]] = {}
    skipped: list[Item] = []
    root = links.root
    for item in sorted(items, key=_evidence_id):
        if item.stance in SIGN and item.likelihood is not None and not item.needs_review and not item.retracted:
            source = root(item.source_id)
            group = counted.get(source)
            if group is None:
                counted[source] = [item]
            else:
                group.append(item)
        else:
            skipped.append(item)
    if len(counted) < 2:
        return list(counted.items()), skipped
    # clusters share no source, so their smallest keys differ and order them as their sorted keys would
    return sorted(counted.items(), key=lambda group: min([item.source_key for item in group[1]])), skipped


_evidence_id = operator.itemgetter(0)


def _step(reliability_weight: float, pieces: int, item: Item) -> tuple[float, float, float, float]:
    """One counted item's credibility weight, signed log-odds, weight and what it adds."""
    credibility_weight = CREDIBILITY_WEIGHT[item.credibility]
    likelihood = item.likelihood
    assert likelihood is not None  # _split counts only evidence with a likelihood
    value = SIGN[item.stance] * log_odds(likelihood)
    weight = reliability_weight * credibility_weight / pieces
    return credibility_weight, value, weight, weight * value


def _reason_not_counted(item: Item) -> str:
    if item.stance not in SIGN:
        return "only mentions the claim"
    if item.likelihood is None:
        return "has no likelihood"
    if item.retracted:
        return "comes from a retracted source"
    return "is flagged for review"


class _EvidenceLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def stance(self) -> Stance: ...
    @property
    def confidence(self) -> float | None: ...
    @property
    def credibility(self) -> int | None: ...
    @property
    def needs_review(self) -> bool: ...


class _PassageLike(Protocol):
    @property
    def source_id(self) -> int: ...
    @property
    def paragraph_no(self) -> int: ...
    @property
    def sentence_no(self) -> int | None: ...
    @property
    def char_start(self) -> int: ...
    @property
    def char_end(self) -> int: ...


class _CitedLike(Protocol):
    @property
    def evidence(self) -> _EvidenceLike: ...
    @property
    def passage(self) -> _PassageLike: ...


def item_of(evidence: _EvidenceLike, passage: _PassageLike, source: tuple[int, str, str, bool]) -> Item:
    """The formula's view of a piece of evidence already read (as a report reads it: no query); ``source`` is
    the (id, key, reliability letter, whether retracted) of its source."""
    source_id, key, reliability, retracted = source
    return Item(
        evidence.id,
        evidence.stance,
        evidence.confidence,
        evidence.credibility,
        evidence.needs_review,
        source_id,
        key,
        reliability,
        passage.paragraph_no,
        passage.sentence_no,
        passage.char_start,
        passage.char_end,
        retracted,
    )


_STANCES = {stance.value: stance for stance in Stance}


def assess_claims(session: Session, claim_ids: Select[Any] | Sequence[int]) -> dict[int, Assessment]:
    """The computed likelihood of each claim in ``claim_ids`` (a subquery of ids, or a list, read 10,000 at a
    time) that has evidence, in three queries. Rows are read as Core statements on the session's connection, enums
    as their plain values: the ORM's handling of each row cost more than the formula."""
    if isinstance(claim_ids, Select):
        chunks: list[Select[Any] | Sequence[int]] = [claim_ids]
    else:
        chunks = [claim_ids[start : start + _CHUNK] for start in range(0, len(claim_ids), _CHUNK)]
    by_claim: dict[int, list[Item]] = defaultdict(list)
    for chunk in chunks:
        for claim_id, evidence_id, stance, *row in session.connection().execute(_rows_of(chunk)):
            by_claim[claim_id].append(Item(evidence_id, _STANCES[stance], *row))
    if not by_claim:
        return {}
    links = load_links(session)
    return {claim_id: assess(items, links) for claim_id, items in by_claim.items()}


_CHUNK = 10_000


def _rows_of(claim_ids: Select[Any] | Sequence[int]) -> Executable:
    return (
        select(
            Evidence.claim_id,
            Evidence.id,
            type_coerce(Evidence.stance, String),
            Evidence.confidence,
            Evidence.credibility,
            Evidence.needs_review,
            Source.id,
            Source.key,
            type_coerce(Source.reliability, String),
            Passage.paragraph_no,
            Passage.sentence_no,
            Passage.char_start,
            Passage.char_end,
            Source.retracted_at.is_not(None),
        )
        .join(Passage, Passage.id == Evidence.passage_id)
        .join(Source, Source.id == Passage.source_id)
        .where(Evidence.claim_id.in_(claim_ids))
    )


# --- what one new piece of evidence did -----------------------------------------------------------------


def claim_likelihood(session: Session, claim_key: str) -> Assessment:
    """The computed likelihood of the claim ``claim_key`` as the session now sees it (``claim show --explain``
    works it out by the same formula); not assessed for a claim with no counted evidence or no such claim."""
    claim_id = session.scalar(select(Claim.id).where(Claim.key == claim_key))
    if claim_id is None:
        return NOT_ASSESSED
    session.flush()  # the rows are read on the session's connection, which does not flush by itself
    return assess_claims(session, [claim_id]).get(claim_id, NOT_ASSESSED)


@dataclass(frozen=True, eq=False)
class Effect:
    """How one piece of evidence, just added, moved its claim's computed likelihood."""

    claim_key: str
    item: Item
    before: Assessment
    after: Assessment

    def describe(self) -> str:
        """One line for the analyst: ``computed likelihood of KEY: likely (67.5 %) -> very likely (87.5 %)``, or
        ``unchanged`` and why; with a note when the passage counts the other way than its stance suggests."""
        start = f"computed likelihood of {self.claim_key}: "
        before, after = describe_likelihood(self.before.probability), describe_likelihood(self.after.probability)
        mine = [c for c in self.after.contributions if c.item.evidence_id == self.item.evidence_id]
        if not mine:
            return f"{start}unchanged, {after} (this passage {_reason_not_counted(self.item)}, so it counts nothing)"
        line = f"{start}unchanged, {after}" if before == after else f"{start}{before} -> {after}"
        rated = describe_likelihood(self.item.likelihood)
        if self.item.stance == Stance.CONTRADICTS and mine[0].log_odds > 0:
            line += (
                f"; note: a contradicting passage rated {rated} counts for the claim, since its likelihood is that of "
                "what it says, the claim's opposite (rate it likely to count it against the claim)"
            )
        elif self.item.stance == Stance.SUPPORTS and mine[0].log_odds < 0:
            line += (
                f"; note: a supporting passage rated {rated} counts against the claim, since its likelihood is that "
                "of what it says"
            )
        return line


def effect_of(session: Session, evidence: Evidence, before: Assessment) -> Effect:
    """What adding ``evidence`` did to its claim's computed likelihood, from ``before`` (see
    :func:`claim_likelihood`, asked before the evidence was added)."""
    after = claim_likelihood(session, evidence.claim.key)
    item = next(i for i in after.items if i.evidence_id == evidence.id)
    return Effect(evidence.claim.key, item, before, after)


# --- changes analysts make ----------------------------------------------------------------------------


def _reason(text: str | None, field: str = "note") -> str | None:
    return optional_user_text(text, field)


def rate_source(session: Session, key: str, reliability: str, *, note: str | None) -> tuple[Source, bool]:
    """Set a source's Admiralty reliability, with the reason; returns the source and whether anything changed.

    Only the version ``key`` names is rated; a claim citing several versions of one source weighs them by the
    most reliable of them.
    """
    access.require(Permission.CAPTURE)  # what is known of a source, as capturing it with --reliability says
    from provenance.sources import get_source  # loaded only to write: `claim show` needs none of it

    source = get_source(session, key)
    letter = parse_reliability(reliability)
    reason = _reason(note)
    if reason is None:
        raise Invalid(f"say why source {key!r} is rated {letter} with --note; a rating needs its reason")
    before = {"reliability": source.reliability.value, "reliability_note": source.reliability_note}
    after = {"reliability": letter, "reliability_note": reason}
    if before == after:
        return source, False
    source.reliability = Reliability(letter)
    source.reliability_note = reason
    session.flush()
    events.record(session, "source.rate", "source", source.key, before=before, after=after, reason=reason)
    return source, True


def derive_source(session: Session, key: str, from_key: str, *, note: str | None) -> SourceDerivation:
    """Record that source ``key`` repeats source ``from_key`` (a report re-running a wire story), so that the
    two count as one source when a claim's likelihood is computed.

    Refused: a source derived from itself or from another version of itself, a pair already recorded (a
    conflict, so a second note is not silently dropped), and a link that would close a circle of derivations.
    """
    access.require(Permission.CAPTURE)
    from provenance.sources import get_source

    source = get_source(session, key)
    origin = get_source(session, from_key)
    reason = _reason(note)
    if source.id == origin.id:
        raise Invalid(f"source {key!r} cannot be derived from itself; give the source it repeats with --from")
    versions = {
        newer: older
        for newer, older in session.execute(
            select(Source.id, Source.supersedes_id).where(Source.supersedes_id.is_not(None))
        )
        if older is not None
    }
    if _first_version(source.id, versions) == _first_version(origin.id, versions):
        raise Invalid(
            f"sources {key!r} and {from_key!r} are versions of one document and already count as one source; "
            "derive a source from a different document"
        )
    if reason is None:
        raise Invalid(f"say why {key!r} derives from {from_key!r} with --note (e.g. 'repeats the wire story')")
    pairs = [(a, b) for a, b in session.execute(select(SourceDerivation.source_id, SourceDerivation.derived_from_id))]
    if (source.id, origin.id) in pairs:
        raise Conflict(f"source {key!r} is already recorded as derived from {from_key!r}; nothing to change")
    circle = _path(session, origin.id, source.id, pairs, versions)
    if circle is not None:
        raise Conflict(
            f"source {key!r} cannot be derived from {from_key!r}: {'; '.join(circle)} already, so the "
            "derivations would go round in a circle; check which of them is the original"
        )
    derivation = SourceDerivation(
        source_id=source.id,
        derived_from_id=origin.id,
        note=reason,
        created_at=utcnow(),
        created_by=events.current_actor(),
    )
    session.add(derivation)
    session.flush()
    events.record(
        session,
        "source.derive",
        "source",
        source.key,
        after={"derived_from": origin.key, "note": reason},
        reason=reason,
    )
    return derivation


def _first_version(source_id: int, supersedes: dict[int, int]) -> int:
    while source_id in supersedes:
        source_id = supersedes[source_id]
    return source_id


def _path(
    session: Session, start: int, goal: int, pairs: Sequence[tuple[int, int]], supersedes: dict[int, int]
) -> list[str] | None:
    """The recorded derivations leading from source ``start`` back to source ``goal`` ("a derives from b", ...),
    each version of a document standing for all of its versions; None if there is no such chain."""
    family = {source_id: _first_version(source_id, supersedes) for pair in pairs for source_id in pair}
    edges: dict[int, list[tuple[int, int]]] = defaultdict(list)  # a document -> the derivations out of it
    for newer, older in sorted(pairs):
        edges[family[newer]].append((newer, older))
    target = _first_version(goal, supersedes)
    came_by: dict[int, tuple[int, int] | None] = {_first_version(start, supersedes): None}
    queue = deque(came_by)
    while queue and target not in came_by:
        for newer, older in edges.get(queue.popleft(), []):
            if family[older] not in came_by:
                came_by[family[older]] = (newer, older)
                queue.append(family[older])
    if target not in came_by:
        return None
    steps: list[tuple[int, int]] = []
    while (step := came_by[target]) is not None:
        steps.append(step)
        target = family[step[0]]
    ids = {i for step in steps for i in step}
    keys = {i: k for i, k in session.execute(select(Source.id, Source.key).where(Source.id.in_(ids)))}
    return [f"{keys[newer]} derives from {keys[older]}" for newer, older in reversed(steps)]


def set_claim_confidence(
    session: Session, key: str, confidence: str | None, *, reason: str | None, clear: bool = False
) -> tuple[Claim, bool]:
    """Set (or, with ``clear``, remove) the analyst's likelihood for a claim, with the reason for it; returns the
    claim and whether anything changed. The reason becomes the claim's confidence note; the change and its
    reason go into the event log."""
    access.require(Permission.EDIT_CLAIMS)
    claim = get_claim(session, key)
    if clear and confidence is not None:
        raise Invalid(f"give a likelihood for claim {key!r} or --clear, not both")
    if not clear and confidence is None:
        raise Invalid(f"give a likelihood for claim {key!r} (an ICD 203 term or a number 0..1), or --clear")
    probability = None if confidence is None else parse_likelihood(confidence)
    why = _reason(reason, "reason")
    if why is None:
        raise Invalid(f"say why with --reason; a likelihood set by hand for claim {key!r} needs its reason")
    before = {"confidence": claim.confidence, "confidence_note": claim.confidence_note}
    after = {"confidence": probability, "confidence_note": None if clear else why}
    if before == after:
        return claim, False
    claim.confidence = probability
    claim.confidence_note = None if clear else why
    claim.updated_at = utcnow()
    session.flush()
    events.record(session, "claim.confidence", "claim", claim.key, before=before, after=after, reason=why)
    return claim, True


def derivations(session: Session, source: Source) -> tuple[list[tuple[str, str | None]], list[tuple[str, str | None]]]:
    """What ``source`` derives from and what derives from it: (key, note) pairs, by key."""
    other = aliased(Source)
    derived_from = session.execute(
        select(other.key, SourceDerivation.note)
        .join(other, other.id == SourceDerivation.derived_from_id)
        .where(SourceDerivation.source_id == source.id)
        .order_by(other.key)
    )
    repeated_by = session.execute(
        select(other.key, SourceDerivation.note)
        .join(other, other.id == SourceDerivation.source_id)
        .where(SourceDerivation.derived_from_id == source.id)
        .order_by(other.key)
    )
    return [(k, n) for k, n in derived_from], [(k, n) for k, n in repeated_by]
