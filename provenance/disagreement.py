"""What two statements disagree on: a number, an amount, a date, a duration, who did it, or one denying the other.

Pure functions over text, used by ``contradictions detect`` and ``suggest``. They are written for precision: a
pair is flagged only when the two statements are visibly about the same thing and differ in one way that can be
named ("$1 million against $1.5 million"). Everything is hand-written regular expressions and small word lists,
kept here and tested in ``tests/test_contradictions.py`` against labelled pairs.

**Quantities** (kinds ``numeric`` and ``temporal``) are read by :mod:`provenance.quantities`, each as the values
it allows. Two quantities of the same kind are compared only when their surroundings agree: the content words
within fifteen words of each (in its sentence) share at least one stem; neither sentence names someone the other
statement never mentions (``Singh visited in 2018`` and ``Ri Su Yong visited in 2015`` are two events); they carry
the same words that tell events apart (``first``, ``last``, ``previous``, ...); and, unless both carry one, the
words right beside them do not each name something the other statement lacks (``food aid in 2011`` and ``medical
aid in 2020``), or at least three stems are shared. A quantity that agrees with one of the other statement's is
not compared with the rest ("signed in 1994 and ratified in 1996" against "ratified in 1996"). They disagree when
the values they allow do not overlap: ``almost two decades`` ([80 %, 100 %) of twenty years) against ``two
decades``, ``1998`` against ``1999``, ``mid-1990s`` (1993-1996) against ``2002``.

**Negation** (kind ``direct``). A negated predicate in one statement that the other asserts: ``did not supply``,
``never supplied``, ``denied supplying``, ``refused to pay``, ``no longer continuing``, ``none of the ... were
diverted`` against the same verb unnegated, in two statements sharing at least half their content words. Words
are compared by a crude stem (``supplied``, ``supplies``, ``supplying`` -> ``suppli``). Not counted: ``not only``,
``no doubt``, a negated verb of saying (``did not say``, ``declined to comment``: not a denial), a negation of
degree (``not much``, ``not all``), and a predicate the other statement only reports as an allegation (``accused
of ordering``).

**Attribution.** The same statement (at least 70 % of the other content words shared, two or more) with a
different agent after ``by`` or ``according to``: ``announced by the Ministry of External Affairs`` against
``announced by the World Health Organisation``. An agent named more fully than the other (``the ministry``, ``the
Ministry of Finance``) is the same agent.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from provenance.models import ContradictionKind
from provenance.quantities import Quantity, quantities
from provenance.wording import NEGATIONS, Token, content_stems, name_key, overlap, tokenize

# Words that tell two events of one kind apart: "the first visit" and "the previous visit" are two visits.
_EVENT_MARKERS = frozenset(
    "first last previous earlier next later second third former prior subsequent again latest "
    "original initial final".split()
)


# --- comparing ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Finding:
    """One way two statements disagree, why (``reason``), and how sure the detector is (0..1)."""

    kind: ContradictionKind
    reason: str
    score: float


@dataclass(frozen=True)
class Statement:
    """A statement read once: its words and quantities."""

    text: str
    tokens: list[Token]
    quantities: list[Quantity]

    @classmethod
    def read(cls, text: str) -> Statement:
        return cls(text, tokenize(text), quantities(text))

    @property
    def stems(self) -> set[str]:
        return content_stems(self.tokens)

    def names_in(self, sentence: int) -> set[str]:
        return {name_key(t) for t in self.tokens if t.name and t.sentence == sentence}

    def keys(self) -> set[str]:
        """Every word's name key, to tell whether a name of the other statement is mentioned here at all."""
        return {name_key(t) for t in self.tokens}

    def sentence_of(self, offset: int) -> int:
        before = [t.sentence for t in self.tokens if t.start <= offset]
        return before[-1] if before else 0

    def context(self, quantity: Quantity, width: int = 15) -> set[str]:
        """Content stems within ``width`` words of a quantity, in its sentence, names left out."""
        sentence = self.sentence_of(quantity.start)
        inside = [t for t in self.tokens if t.sentence == sentence]
        before = [t for t in inside if t.end <= quantity.start][-width:]
        after = [t for t in inside if t.start >= quantity.end][:width]
        return {t.stem for t in before + after if t.content and not t.name}

    def markers(self, quantity: Quantity) -> set[str]:
        sentence = self.sentence_of(quantity.start)
        return {t.stem for t in self.tokens if t.sentence == sentence and t.text.casefold() in _EVENT_MARKERS}


def _same_actors(a: Statement, sa: int, b: Statement, sb: int) -> bool:
    """False when each sentence names someone or something the other statement never mentions."""
    return not (a.names_in(sa) - b.keys() and b.names_in(sb) - a.keys())


def _comparable(a: Statement, qa: Quantity, b: Statement, qb: Quantity) -> float | None:
    """How alike the surroundings of two quantities of one kind are (0..1), or None when they are about
    different things."""
    if qa.kind != qb.kind:
        return None
    if qa.kind in ("money", "count") and not qa.unit & qb.unit:
        return None
    markers = a.markers(qa)
    if markers != b.markers(qb):
        return None
    if not _same_actors(a, a.sentence_of(qa.start), b, b.sentence_of(qb.start)):
        return None
    ca, cb = a.context(qa), b.context(qb)
    shared = ca & cb
    # Each has a word right beside it that the other statement lacks ("food aid in 2011" and "medical aid in
    # 2020"): two things of one kind, unless much else is shared or both are "the first" (or last...) of a kind.
    clash = not markers and a.context(qa, 3) - b.stems and b.context(qb, 3) - a.stems
    if shared and (not clash or len(shared) >= 3):
        return overlap(ca, cb)
    return None


def _quantity_findings(a: Statement, b: Statement) -> list[Finding]:
    findings: dict[tuple[int, int], Finding] = {}
    for first, second, flipped in ((a, b, False), (b, a, True)):
        for q in first.quantities:
            compared = [
                (r, sim)
                for r in second.quantities
                if (sim := _comparable(first, q, second, r)) is not None and not _explained(first, q, r, sim, second)
            ]
            if not compared or any(q.agrees_with(r) for r, _ in compared):
                continue
            r, similarity = max(compared, key=lambda pair: pair[1])
            qa, qb = (r, q) if flipped else (q, r)
            key = (qa.start, qb.start)
            if key in findings:
                continue
            kind = ContradictionKind.TEMPORAL if q.kind in ("date", "duration") else ContradictionKind.NUMERIC
            base = 0.5 if (q.qualified or r.qualified) and _near(q, r) else 0.8
            findings[key] = Finding(kind, f"{qa.text} against {qb.text}", _score(base, similarity))
    return list(findings.values())


def _explained(first: Statement, q: Quantity, r: Quantity, similarity: float, second: Statement) -> bool:
    """Whether another quantity of ``first``, at least as alike in its surroundings, agrees with ``r``: "signed in
    1994 and ratified in 1996" against "ratified in 1996" is about the ratification."""
    for other in first.quantities:
        if other is q or not other.agrees_with(r):
            continue
        alike = _comparable(first, other, second, r)
        if alike is not None and alike >= similarity:
            return True
    return False


def _near(q: Quantity, r: Quantity) -> bool:
    """Whether two quantities that do not overlap are within a fifth of each other (a qualifier's worth)."""
    gaps = []
    for x in q.allowed:
        for y in r.allowed:
            if math.isinf(x.low) or math.isinf(x.high) or math.isinf(y.low) or math.isinf(y.high):
                values = [v for v in (x.low, x.high, y.low, y.high) if not math.isinf(v)]
                size = max([abs(v) for v in values] + [1.0])  # as below: no division by zero for "more than 0"
                gaps.append(0.0 if len(values) < 2 else (max(values) - min(values)) / size)
                continue
            gap = max(y.low - x.high, x.low - y.high, 0.0)
            size = max(abs(x.high), abs(y.high), 1.0)
            gaps.append(gap / size)
    return min(gaps, default=1.0) <= 0.2


def _score(base: float, similarity: float) -> float:
    return round(min(1.0, base * (0.6 + 0.4 * similarity)), 2)


# --- negation -----------------------------------------------------------------------------------------

_DENIALS = frozenset("deni deny refut disput".split())  # stems
_REFUSALS = frozenset("refus fail declin".split())  # stems, before "to"
_AUXILIARIES = frozenset(
    "be been being is are was were have has had do does did will would shall should can could may might must to "
    "ever yet also even actually really currently still been having".split()
)
_ALLEGATIONS = frozenset("accus alleg allegedli suspect rumour rumor reportedli".split())  # stems
_DEGREE = frozenset("much many enough all every always quite very fully entirely necessarily just".split())
_SPEECH = frozenset("say comment confirm disclos specifi elaborat reveal know respond answer".split())  # stems
_IDIOMS = ("not only", "no doubt", "not least", "nothing but", "no sooner", "not just", "if not")
_DENIAL_SKIP = frozenset("that the any it to reports report claims claim allegations allegation charges charge".split())


def _negated(statement: Statement) -> dict[str, str]:
    """The predicates a statement negates (stem -> the words that negate it, as written)."""
    tokens = statement.tokens
    negated: dict[str, str] = {}
    lower_text = statement.text.casefold()
    for n, token in enumerate(tokens):
        word = token.text.casefold().replace("’", "'")
        following = tokens[n + 1 : n + 8]
        if any(lower_text.startswith(idiom, token.start) for idiom in _IDIOMS):
            continue
        if word in NEGATIONS or word.endswith("n't"):
            if word in ("no", "none", "nothing", "nobody", "neither"):
                # "no longer continuing", "none of the materials were diverted": what follows, in its sentence
                scope = [t for t in following[:6] if t.sentence == token.sentence]
                targets = [t for t in scope if t.content and not t.name]
            else:
                targets = _predicate(token, following)
        elif token.stem in _DENIALS:
            scope = [t for t in following if t.sentence == token.sentence]
            targets = [t for t in scope if t.content and not t.name and t.text.casefold() not in _DENIAL_SKIP][:1]
        elif token.stem in _REFUSALS and following and following[0].text.casefold() == "to":
            targets = _predicate(token, following[1:])
        else:
            continue
        for target in targets:
            if target.stem in _SPEECH:
                break
            end = target.end
            negated.setdefault(target.stem, " ".join(statement.text[token.start : end].split()))
    return negated


def _predicate(cue: Token, following: Sequence[Token]) -> list[Token]:
    """The word a "not" negates: the first after it that is not an auxiliary ("did not supply", "has not been
    diverted"); none for a negation of degree ("not much", "not all")."""
    for token in following[:4]:
        if token.sentence != cue.sentence:
            return []
        word = token.text.casefold()
        if word in _DEGREE:
            return []
        if word in _AUXILIARIES or word in ("any", "a", "the"):
            continue
        return [token] if token.content and not token.name else []
    return []


def _asserted(statement: Statement, stem_: str, negated: dict[str, str]) -> str | None:
    """The word as written where ``statement`` says ``stem_`` without negating it, if it does. A word under an
    allegation ("accused of ordering", "allegedly supplied") is reported, not asserted."""
    if stem_ in negated:
        return None
    tokens = statement.tokens
    for n, token in enumerate(tokens):
        if token.stem == stem_ and token.content:
            if any(t.stem in _ALLEGATIONS for t in tokens[max(0, n - 3) : n] if t.sentence == token.sentence):
                continue
            return token.text
    return None


def _negation_findings(a: Statement, b: Statement) -> list[Finding]:
    stems_a, stems_b = a.stems, b.stems
    similarity = overlap(stems_a, stems_b)
    if similarity < 0.5 or _names_differ(a, b):
        return []
    neg_a, neg_b = _negated(a), _negated(b)
    for stem_, words in neg_a.items():
        asserted = _asserted(b, stem_, neg_b)
        if asserted:
            return [Finding(ContradictionKind.DIRECT, f"“{words}” against “{asserted}”", _score(0.8, similarity))]
    for stem_, words in neg_b.items():
        asserted = _asserted(a, stem_, neg_a)
        if asserted:
            return [Finding(ContradictionKind.DIRECT, f"“{asserted}” against “{words}”", _score(0.8, similarity))]
    return []


def _names_differ(a: Statement, b: Statement) -> bool:
    names_a = {name_key(t) for t in a.tokens if t.name}
    names_b = {name_key(t) for t in b.tokens if t.name}
    return bool(names_a - b.keys() and names_b - a.keys())


# --- attribution --------------------------------------------------------------------------------------

_AGENT = re.compile(r"\b(?P<cue>by|according\s+to)\s+(?:the\s+)?(?P<agent>[^,.;:()]+)", re.I)
_AGENT_END = frozenset(
    "was were is are has have had in on at for with from to and or but as which who that when while were".split()
)


def _agents(text: str) -> list[tuple[str, str, int, int]]:
    """(cue, agent as written, start, end) for each "by X" / "according to X" whose agent is named."""
    found = []
    for match in _AGENT.finditer(text):
        words = []
        for word in match["agent"].split():
            if word.casefold() in _AGENT_END or re.match(r"\d", word):
                break
            words.append(word)
        if not words or (not any(w[0].isupper() for w in words) and match["cue"].casefold() == "by"):
            continue
        if len(words) > 6:
            continue
        agent = " ".join(words)
        found.append(
            (" ".join(match["cue"].casefold().split()), agent, match.start(), match.start("agent") + len(agent))
        )
    return found


def _attribution_findings(a: Statement, b: Statement) -> list[Finding]:
    for cue_a, agent_a, start_a, end_a in _agents(a.text):
        for cue_b, agent_b, start_b, end_b in _agents(b.text):
            if cue_a != cue_b:
                continue
            stems_a, stems_b = content_stems(tokenize(agent_a)), content_stems(tokenize(agent_b))
            if not stems_a or not stems_b or stems_a <= stems_b or stems_b <= stems_a:
                continue  # the same agent, or one named more fully ("the ministry", "the Ministry of Finance")
            rest_a = content_stems(tokenize(a.text[:start_a] + " " + a.text[end_a:]))
            rest_b = content_stems(tokenize(b.text[:start_b] + " " + b.text[end_b:]))
            similarity = overlap(rest_a, rest_b)
            if similarity >= 0.7 and len(rest_a & rest_b) >= 2:
                reason = f"“{cue_a} {agent_a}” against “{cue_b} {agent_b}”"
                return [Finding(ContradictionKind.ATTRIBUTION, reason, _score(0.6, similarity))]
    return []


# --- together -----------------------------------------------------------------------------------------


def compare(a: str | Statement, b: str | Statement) -> list[Finding]:
    """Every way the two statements disagree that the detector can name, most certain first (empty: none)."""
    first = a if isinstance(a, Statement) else Statement.read(a)
    second = b if isinstance(b, Statement) else Statement.read(b)
    findings = _quantity_findings(first, second) + _negation_findings(first, second)
    findings += _attribution_findings(first, second)
    return sorted(findings, key=lambda f: -f.score)


def strongest(a: str | Statement, b: str | Statement) -> Finding | None:
    """The most certain finding with the others' reasons after its own, or None."""
    findings = compare(a, b)
    if not findings:
        return None
    best = findings[0]
    reasons = list(dict.fromkeys(f.reason for f in findings))
    return Finding(best.kind, "; ".join(reasons), best.score)
