"""The W3C PROV export: where each claim comes from, as PROV-JSON, PROV-N or PROV-O (Turtle).

A pure function from a :class:`~provenance.report.Report` and the audit log to text; it never writes. It needs
the optional ``prov`` package (``pip install 'provenance[prov]'``), imported only when an export is made.

How the database maps onto PROV. Identifiers are QNames in the ``urn:provenance:`` namespaces of
:data:`NAMESPACES`; keys and names are percent-encoded (all but letters, digits, ``-``, ``.``, ``_``), so each
one reads back unchanged from PROV-JSON, PROV-N and Turtle.

- A **source** is an entity ``source:KEY`` (title, url, published, text and original SHA-256, reliability; a
  retracted one also ``retracted_at``, ``retracted_by`` (the analyst) and ``retraction_reason``),
  attributed to its author and publisher (agents ``agent:NAME``; an unknown one is left out) and to the analyst
  who captured it, each attribution with a ``provenance:role``.
- A cited **passage** is an entity ``passage:SOURCE.START-END`` that is a ``specializationOf`` its source, with
  its kind, offsets (code points, end exclusive), paragraph and sentence numbers, and exact text as ``prov:value``.
- A **claim** is an entity ``claim:KEY`` (statement as ``prov:value``, status, verdict, likelihood, what it is
  about). A *supporting* passage gives ``wasDerivedFrom(claim, passage)``: a plain derivation, not
  ``wasQuotedFrom``, because the statement is the analyst's wording; the passage is what quotes the source.
  A *contradicting* or *mentioning* passage gives ``wasInfluencedBy(claim, passage)``: the claim is not derived
  from it. Each of these carries the evidence's stance, likelihood, attribution, note and analyst.
- A **contradiction** is an entity ``contradiction:A%7CB`` (its audit-log subject ``A|B``, lower claim id first)
  of types ``provenance:Contradiction`` and ``prov:Collection``, with ``hadMember`` for each of its two claims, its
  status and note: symmetric, as a contradiction is, where an influence between the claims would have a direction.
- An **analyst** (who captured a source, created a claim, evidence or contradiction, or acted in an event) is an
  agent ``analyst:NAME`` of type ``provenance:Analyst``.
- Each **event** of the audit log about an exported source, claim or contradiction is an activity ``event:ID``
  (its time as start and end, ``prov:type`` its action such as ``provenance:claim.add``, its reason, and before
  and after as JSON text), ``wasAssociatedWith`` its actor. A source, claim or contradiction ``wasGeneratedBy``
  its ``*.add`` event when that is exported (else by no activity, at its capture or creation time); an
  ``evidence.add`` event ``used`` the passage and is the activity of the derivation it made; the subject of any
  other event (a review, a change) ``wasInfluencedBy`` it.

Records are added in a fixed order (agents, activities, sources, passages, claims, contradictions, each sorted),
so the same database and events give the same text. In Turtle every qualified relation also has its unqualified
triple (``claim prov:wasDerivedFrom passage``), and its blank node a label made from its content.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from provenance.citations import source_title
from provenance.confidence import likelihood_term
from provenance.errors import Invalid, ProvenanceError
from provenance.export import jsontext
from provenance.models import Claim, Contradiction, Event, Source, Stance
from provenance.report import CitedPassage, Report

if TYPE_CHECKING:
    from prov.identifier import QualifiedName
    from prov.model import Literal, ProvDocument

FORMATS = ("json", "provn", "turtle")
BASE = "urn:provenance:"
NAMESPACES = {
    "provenance": BASE,  # the vocabulary: types and attribute names
    "source": f"{BASE}source:",
    "passage": f"{BASE}passage:",
    "claim": f"{BASE}claim:",
    "contradiction": f"{BASE}contradiction:",
    "event": f"{BASE}event:",
    "analyst": f"{BASE}analyst:",
    "agent": f"{BASE}agent:",  # authors and publishers a source names
}
MISSING = "the PROV export needs the prov package: pip install 'provenance[prov]'"
PROV_MODULES = ("prov.constants", "prov.identifier", "prov.model")  # everything this module imports from prov
RDF_MODULES = ("prov.serializers.provrdf", "rdflib")  # and for Turtle (prov's `rdf` extra)


def render(report: Report, events: Sequence[Event], *, fmt: str = "json") -> str:
    """The report's sources, passages, claims and contradictions, with the events about them, as a PROV document
    in ``fmt``: ``json`` (PROV-JSON), ``provn`` (PROV-N) or ``turtle`` (PROV-O)."""
    if fmt not in FORMATS:
        raise Invalid(f"unknown PROV format {fmt!r}; use one of: {', '.join(FORMATS)}")
    document = build_document(report, events)
    if fmt == "json":
        return (
            jsontext.escape(str(document.serialize(format="json", indent=2, sort_keys=True, ensure_ascii=False))) + "\n"
        )
    if fmt == "provn":
        return document.get_provn() + "\n"
    return _turtle(document)


def _turtle(document: ProvDocument) -> str:
    _require(RDF_MODULES)
    from prov.serializers.provrdf import ProvRDFSerializer

    # The document has no bundles, so its top-level graph is all of it. Serialising that plain rdflib Graph,
    # rather than the Dataset `serialize(format="rdf")` builds, avoids rdflib 7's Dataset.default_context
    # DeprecationWarning.
    graph = ProvRDFSerializer(document).encode_container(document)
    _add_shortcuts(graph)
    return str(_stable_blank_nodes(graph).serialize(format="turtle"))


# PROV-O's qualified relations and the unqualified property each one implies, with the node's property that
# holds the object (https://www.w3.org/TR/prov-o/#description-qualified-terms).
_SHORTCUTS = {
    "qualifiedAssociation": ("wasAssociatedWith", "agent"),
    "qualifiedAttribution": ("wasAttributedTo", "agent"),
    "qualifiedDerivation": ("wasDerivedFrom", "entity"),
    "qualifiedGeneration": ("wasGeneratedBy", "activity"),
    "qualifiedInfluence": ("wasInfluencedBy", "influencer"),
    "qualifiedUsage": ("used", "entity"),
}


def _add_shortcuts(graph: Any) -> None:
    """Assert the unqualified triple beside each qualified relation, as PROV-O's qualification pattern pairs
    them. prov writes some (``wasAttributedTo``) but not others (a ``wasDerivedFrom`` with an activity, a timed
    generation or usage), and a query for ``?claim prov:wasDerivedFrom ?passage`` should find every derivation.
    (prov's own PROV-O reader then reads each pair as two records: PROV-JSON is the format to read back.)"""
    from rdflib import Namespace

    prov = Namespace("http://www.w3.org/ns/prov#")
    for qualified, (shortcut, target) in _SHORTCUTS.items():
        for subject, node in list(graph.subject_objects(prov[qualified])):
            for value in list(graph.objects(node, prov[target])):
                graph.add((subject, prov[shortcut], value))


def _stable_blank_nodes(graph: Any) -> Any:
    """``graph`` with each blank node labelled by a digest of its triples, so that rdflib, which orders blank
    nodes by label, writes the same text every time (prov labels them at random).

    Each of prov's blank nodes is one qualified relation: one subject points to it and it holds only IRIs and
    literals, so its triples tell it apart. Two with the same triples are interchangeable, and numbering them in
    any order writes the same text. (rdflib's RDF canonicalisation does this too, but had not finished
    after ten minutes on the 55,000 triples of 1,000 claims.)"""
    from rdflib import BNode, Graph

    triples = list(graph)
    shapes: dict[Any, list[str]] = defaultdict(list)  # each blank node's triples, with itself left out
    for subject, predicate, obj in triples:
        if isinstance(subject, BNode):
            shapes[subject].append(f"{predicate.n3()} {'[]' if isinstance(obj, BNode) else obj.n3()}")
        if isinstance(obj, BNode):
            shapes[obj].append(f"{'[]' if isinstance(subject, BNode) else subject.n3()} {predicate.n3()} .")
    seen: dict[str, int] = defaultdict(int)
    labels: dict[Any, Any] = {}
    for node, shape in shapes.items():
        digest = hashlib.sha256("\n".join(sorted(shape)).encode()).hexdigest()[:24]
        labels[node] = BNode(f"b{digest}n{seen[digest]}")
        seen[digest] += 1
    stable = Graph()
    for prefix, uri in graph.namespaces():
        stable.bind(prefix, uri)
    stable.addN((labels.get(s, s), p, labels.get(o, o), stable) for s, p, o in triples)
    return stable


def _require(modules: Sequence[str]) -> None:
    """Import ``modules`` (the optional ``prov`` extra), or say how to install them."""
    try:
        for name in modules:
            importlib.import_module(name)
    except ImportError as exc:
        raise ProvenanceError(MISSING) from exc


def build_document(report: Report, events: Sequence[Event]) -> ProvDocument:
    """The PROV document :func:`render` serialises (the mapping is in this module's docstring)."""
    _require(PROV_MODULES)
    from prov.model import ProvDocument

    document = ProvDocument()
    for prefix, uri in NAMESPACES.items():
        document.add_namespace(prefix, uri)
    _Writer(document, _Contents.of(report, events)).write()
    return document


# --- what goes in ------------------------------------------------------------------------------------------


Span = tuple[str, int, int]  # a passage's identity: source key, start and end offsets


@dataclass(frozen=True)
class _Pair:
    """A contradiction with its two claims, lower claim id first (as stored and as the audit log names it)."""

    contradiction: Contradiction
    first: Claim
    second: Claim

    @property
    def key(self) -> str:
        return f"{self.first.key}|{self.second.key}"


@dataclass
class _Contents:
    """Everything the document holds, gathered from the report and the events before any of it is written."""

    claims: dict[str, Claim] = field(default_factory=dict)  # the report's claims and the claims they conflict with
    about: dict[str, list[str]] = field(default_factory=dict)  # for the report's claims
    cited: dict[str, list[CitedPassage]] = field(default_factory=dict)  # by claim key
    sources: dict[str, Source] = field(default_factory=dict)
    passages: dict[Span, list[CitedPassage]] = field(default_factory=lambda: defaultdict(list))
    pairs: dict[str, _Pair] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)  # those about the above, oldest first
    added: dict[tuple[str, str], Event] = field(default_factory=dict)  # the `*.add` event of each subject
    evidence_added: dict[int, Event] = field(default_factory=dict)  # the `evidence.add` event, by evidence id

    @classmethod
    def of(cls, report: Report, events: Iterable[Event]) -> _Contents:
        contents = cls()
        for entry in report.claims:
            key = entry.claim.key
            contents.claims[key] = entry.claim
            contents.about[key] = sorted(entry.about)
            contents.cited[key] = sorted(entry.cited, key=lambda c: (_span(c), c.evidence.id))
            for cited in entry.cited:
                contents.sources[cited.source.key] = cited.source
                contents.passages[_span(cited)].append(cited)
            for conflict in entry.conflicts:
                other = conflict.claim
                contents.claims.setdefault(other.key, other)
                ours = conflict.contradiction.claim_a_id == entry.claim.id
                pair = _Pair(conflict.contradiction, *((entry.claim, other) if ours else (other, entry.claim)))
                contents.pairs[pair.key] = pair
        subjects = {"source": contents.sources.keys(), "claim": contents.cited.keys(), "contradiction": contents.pairs}
        contents.events = sorted(
            (e for e in events if e.subject_type in subjects and e.subject_key in subjects[e.subject_type]),
            key=lambda e: (e.occurred_at, e.id),
        )
        for event in reversed(contents.events):  # the first one wins
            if event.action == f"{event.subject_type}.add":
                contents.added[event.subject_type, event.subject_key] = event
            evidence_id = (event.after or {}).get("evidence_id")
            if event.action == "evidence.add" and isinstance(evidence_id, int):
                contents.evidence_added[evidence_id] = event
        return contents

    def analysts(self) -> list[str]:
        names = {e.actor for e in self.events}
        names |= {c.created_by or "" for c in self.claims.values()}
        names |= {c.evidence.created_by or "" for cited in self.cited.values() for c in cited}
        names |= {s.captured_by or "" for s in self.sources.values()}
        names |= {s.retracted_by or "" for s in self.sources.values()}
        names |= {p.contradiction.created_by or "" for p in self.pairs.values()}
        return sorted(n for n in names if n.strip())

    def named_agents(self) -> list[str]:
        """The authors and publishers the sources name."""
        names = {name or "" for s in self.sources.values() for name in (s.author, s.publisher)}
        return sorted(n for n in names if n.strip())


def _span(cited: CitedPassage) -> Span:
    return cited.source.key, cited.passage.char_start, cited.passage.char_end


# --- what comes out -----------------------------------------------------------------------------------------


def _local(text: str) -> str:
    """``text`` as a QName local part that PROV-N, PROV-JSON and Turtle all read back unchanged: letters,
    digits, ``-``, ``.`` and ``_`` as they are, everything else percent-encoded (UTF-8)."""
    return quote(text, safe="").replace("~", "%7E")


def _json(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False)


def _date(day: dt.date) -> Literal:
    from prov.constants import XSD_DATE
    from prov.model import Literal

    return Literal(day.isoformat(), XSD_DATE)


def _likelihood(probability: float | None) -> list[tuple[str, Any]]:
    if probability is None:
        return []
    return [("confidence", probability), ("confidence_term", likelihood_term(probability))]


class _Writer:
    """Adds the records for :class:`_Contents` to a document, in a fixed order."""

    def __init__(self, document: ProvDocument, contents: _Contents) -> None:
        from prov.constants import PROV, PROV_LABEL, PROV_TYPE, PROV_VALUE
        from prov.identifier import Namespace

        self.document = document
        self.contents = contents
        self.namespaces = {prefix: Namespace(prefix, uri) for prefix, uri in NAMESPACES.items()}
        self.prov_names = {"prov:type": PROV_TYPE, "prov:label": PROV_LABEL, "prov:value": PROV_VALUE}
        self.collection = PROV["Collection"]

    def id(self, prefix: str, name: str) -> QualifiedName:
        return self.namespaces[prefix][_local(name)]

    def term(self, name: str) -> QualifiedName:
        return self.namespaces["provenance"][name]

    def attributes(self, pairs: Iterable[tuple[str, Any]]) -> list[tuple[QualifiedName, Any]]:
        """``(name, value)`` pairs as PROV attributes: ``prov:...`` names as they are, others in the
        ``provenance:`` vocabulary; a list gives the attribute several values; None and "" are left out."""
        out: list[tuple[QualifiedName, Any]] = []
        for name, value in pairs:
            qualified = self.prov_names[name] if name.startswith("prov:") else self.term(name)
            out += [(qualified, v) for v in (value if isinstance(value, list) else [value]) if v not in (None, "")]
        return out

    def write(self) -> None:
        self.agents()
        self.activities()
        self.sources()
        self.passages()
        self.claims()
        self.contradictions()

    def agents(self) -> None:
        for name in self.contents.analysts():
            attributes = [("prov:type", self.term("Analyst")), ("prov:label", name)]
            self.document.agent(self.id("analyst", name), self.attributes(attributes))
        for name in self.contents.named_agents():
            self.document.agent(self.id("agent", name), self.attributes([("prov:label", name)]))

    def activities(self) -> None:
        for event in self.contents.events:
            activity = self.id("event", str(event.id))
            attributes = [
                ("prov:type", self.term(event.action)),
                ("subject_type", event.subject_type),
                ("subject_key", event.subject_key),
                ("reason", event.reason),
                ("before", _json(event.before)),
                ("after", _json(event.after)),
            ]
            self.document.activity(activity, event.occurred_at, event.occurred_at, self.attributes(attributes))
            self.document.wasAssociatedWith(activity, self.id("analyst", event.actor))
            if not event.action.endswith(".add"):
                self.document.wasInfluencedBy(self.id(event.subject_type, event.subject_key), activity)

    def made(self, entity: QualifiedName, subject_type: str, key: str, time: Any, by: str | None, role: str) -> None:
        """``entity`` was generated by its ``*.add`` event when that is exported (at the event's time, which PROV
        wants within the activity), else at ``time``, and is attributed to the analyst ``by`` in ``role``."""
        event = self.contents.added.get((subject_type, key))
        if event is None:
            self.document.wasGeneratedBy(entity, None, time)
        else:
            self.document.wasGeneratedBy(entity, self.id("event", str(event.id)), event.occurred_at)
        if by and by.strip():
            self.attributed(entity, self.id("analyst", by), role)

    def attributed(self, entity: QualifiedName, agent: QualifiedName, role: str) -> None:
        self.document.wasAttributedTo(entity, agent, other_attributes=self.attributes([("role", role)]))

    def sources(self) -> None:
        for key, source in sorted(self.contents.sources.items()):
            entity = self.id("source", key)
            attributes = [
                ("prov:type", self.term("Source")),
                ("prov:label", source_title(source)),
                ("key", source.key),
                ("title", source.title),
                ("url", source.url),
                ("published", _date(source.published) if source.published else None),
                ("media_type", source.media_type),
                ("text_sha256", source.text_sha256),
                ("original_sha256", source.original_sha256),
                ("reliability", source.reliability.value),
                ("reliability_note", source.reliability_note),
                ("retracted_at", source.retracted_at),
                ("retracted_by", self.id("analyst", source.retracted_by) if source.retracted_by else None),
                ("retraction_reason", source.retraction_reason),
            ]
            self.document.entity(entity, self.attributes(attributes))
            self.made(entity, "source", key, source.captured_at, source.captured_by, "captured_by")
            for role, name in (("author", source.author), ("publisher", source.publisher)):
                if name and name.strip():
                    self.attributed(entity, self.id("agent", name), role)

    def passage_id(self, span: Span) -> QualifiedName:
        source, start, end = span
        return self.id("passage", f"{source}.{start}-{end}")

    def passages(self) -> None:
        for span, cited in sorted(self.contents.passages.items()):
            # A span may be stored as more than one passage (a one-sentence paragraph): one entity, every kind.
            passages = [c.passage for c in cited]
            first = passages[0]
            entity = self.passage_id(span)
            attributes = [
                ("prov:type", self.term("Passage")),
                ("prov:value", first.text),
                ("kind", sorted({p.kind.value for p in passages})),
                ("char_start", first.char_start),
                ("char_end", first.char_end),
                ("paragraph_no", first.paragraph_no),
                ("sentence_no", sorted({p.sentence_no for p in passages if p.sentence_no is not None})),
            ]
            self.document.entity(entity, self.attributes(attributes))
            self.document.specializationOf(entity, self.id("source", span[0]))

    def claims(self) -> None:
        for key, claim in sorted(self.contents.claims.items()):
            entity = self.id("claim", key)
            attributes = [
                ("prov:type", self.term("Claim")),
                ("prov:label", claim.key),
                ("prov:value", claim.statement),
                ("status", claim.status.value),
                ("verdict", claim.verdict.value if claim.verdict else None),
                *_likelihood(claim.confidence),
                ("confidence_note", claim.confidence_note),
                ("about", self.contents.about.get(key, [])),
            ]
            self.document.entity(entity, self.attributes(attributes))
            self.made(entity, "claim", key, claim.created_at, claim.created_by, "created_by")
            for cited in self.contents.cited.get(key, []):
                self.evidence(entity, cited)

    def evidence(self, claim: QualifiedName, cited: CitedPassage) -> None:
        evidence = cited.evidence
        attributes = self.attributes(
            [
                ("stance", evidence.stance.value),
                *_likelihood(evidence.confidence),
                ("attributed_to", evidence.attributed_to),
                ("note", evidence.note),
                ("anchor_method", evidence.anchor_method.value),
                ("created_by", self.id("analyst", evidence.created_by) if evidence.created_by else None),
            ]
        )
        passage = self.passage_id(_span(cited))
        activity = None
        event = self.contents.evidence_added.get(evidence.id)
        if event is not None:
            activity = self.id("event", str(event.id))
            self.document.used(activity, passage, event.occurred_at)
        if evidence.stance is Stance.SUPPORTS:
            self.document.wasDerivedFrom(claim, passage, activity, other_attributes=attributes)
        else:
            self.document.wasInfluencedBy(claim, passage, other_attributes=attributes)

    def contradictions(self) -> None:
        for key, pair in sorted(self.contents.pairs.items()):
            entity = self.id("contradiction", key)
            attributes = [
                ("prov:type", [self.term("Contradiction"), self.collection]),
                ("prov:label", f"{pair.first.key} / {pair.second.key}"),
                ("status", pair.contradiction.status.value),
                ("note", pair.contradiction.note),
            ]
            self.document.entity(entity, self.attributes(attributes))
            for claim in (pair.first, pair.second):
                self.document.hadMember(entity, self.id("claim", claim.key))
            contradiction = pair.contradiction
            self.made(entity, "contradiction", key, contradiction.created_at, contradiction.created_by, "created_by")
