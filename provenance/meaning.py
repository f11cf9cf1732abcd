"""What a change of wording changes in meaning: the numbers, dates, amounts, negations and names two passages
differ in.

``reanchor`` moves a piece of evidence to a close match in a new version only when the match says what the old
passage said: the same numbers, dates and amounts, the same negations and the same names. A corrected figure
("bills set to rise 12%" -> "9.4%"), a date moved, a "not" added or dropped, or another person named changes what
the evidence says about its claim, so the stance the analyst gave it no longer holds. :func:`changes` lists what
differs; everything else (spelling, punctuation, a word of no such kind) is left to the similarity score.

What counts, each compared as a value, not as characters:

- **amounts** (money, percentages, durations) and **dates** as :mod:`provenance.quantities` reads them, with
  their qualifiers: ``12%`` and ``12 per cent`` are the same, ``12%`` and ``about 12%`` are not, ``two decades``
  and ``20 years`` are the same, ``$2bn`` and ``€2bn`` are not;
- **numbers**: counts and numbers standing alone, by value (``three ships`` and ``3 ships`` are the same; a
  number written in words is the same as in digits only where :func:`provenance.quantities.parse_number` reads
  it so);
- **date words**: days of the week, month names (capitalised: "may" is a verb), ``today``, ``yesterday``,
  ``tomorrow``;
- **negations**: ``not`` and ``n't`` (one and the same: "did not" is "didn't"), ``no``, ``never``, ``none``,
  ``nobody``, ``nothing``, ``neither``, ``nor``, ``cannot``, ``without``, and the verbs of denying and refusing
  (``deny``, ``denied``, ``refute``, ``dispute``, ``reject``, ``refuse``, ``decline``, ``fail``);
- **names**: an entity the desk knows (its name or an alias, any case: an alias is the same entity as its name),
  and any other capitalised word that is not a common word (:func:`provenance.wording.tokenize`; a sentence's
  first word counts unless it is one of the common words that start sentences). A name is changed only if its
  word is missing from the other passage in any case ("Bills rise" and "bills rise" name no one).

Each is counted, so a name said twice in one passage and once in the other is a change too.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from provenance.quantities import Interval, parse_number, quantities
from provenance.wording import DAYS, MONTHS, NEGATIONS, NUMBER_WORDS, stem, tokenize

NUMBER = "number"
DATE = "date"
AMOUNT = "amount"
NEGATION = "negation"
NAME = "name"
KINDS = (NUMBER, DATE, AMOUNT, NEGATION, NAME)

_QUANTITY_KINDS = {"money": AMOUNT, "percent": AMOUNT, "duration": AMOUNT, "date": DATE, "count": NUMBER}
# Verbs that deny or refuse what follows them, by stem (provenance.wording.stem)
_DENYING = frozenset({"deni", "deny", "denial", "refut", "disput", "reject", "refus", "declin", "fail"})
_NEGATING = NEGATIONS | {"without"}
_DATE_WORDS = frozenset({"today", "yesterday", "tomorrow"})
_BETWEEN_PARTS = re.compile(r"[\s,]*")  # what may stand between the parts of one changed phrase ("30 April")


@dataclass(frozen=True, slots=True)
class _Fact:
    """One thing a passage says that a reword must keep: its kind, what it is compared by, and where it stands."""

    kind: str
    key: tuple[Any, ...]
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Change:
    """One difference in meaning between two passages: its kind (:data:`KINDS`) and the words on each side
    (``before`` None: added; ``after`` None: left out)."""

    kind: str
    before: str | None
    after: str | None

    def words(self) -> str:
        """``changes 12% to 9.4%``, ``adds “not”``, ``leaves out Smith``."""
        before, after = (self._shown(w) for w in (self.before, self.after))
        if before is not None and after is not None:
            return f"changes {before} to {after}"
        if after is not None:
            return f"adds {after}"
        return f"leaves out {before}"

    def _shown(self, words: str | None) -> str | None:
        if words is None or self.kind != NEGATION:
            return words
        return f"“{words}”"

    def record(self) -> dict[str, Any]:
        return {"kind": self.kind, "before": self.before, "after": self.after}


def describe(found: Sequence[Change]) -> str:
    """The changes in one phrase: ``changes 12% to 9.4% and adds “not”``."""
    said = [change.words() for change in found]
    if len(said) < 2:
        return "".join(said)
    return f"{', '.join(said[:-1])} and {said[-1]}"


class KnownNames:
    """The names and aliases of the entities a desk knows, to find them in a passage (any case, any spacing)."""

    def __init__(self, names: Mapping[str, int]) -> None:
        self._entity = dict(names)
        # longest first, so that "North Korea" is found whole before a shorter name inside it
        alternatives = [r"\s+".join(map(re.escape, name.split())) for name in sorted(names, key=len, reverse=True)]
        wanted = "|".join(alternative for alternative in alternatives if alternative)
        self._pattern = re.compile(rf"(?<!\w)(?:{wanted})(?!\w)", re.IGNORECASE) if wanted else None

    @classmethod
    def load(cls, session: Session) -> KnownNames:
        """Every entity's name and alias, each standing for its entity."""
        from provenance.models import Entity, EntityAlias

        names: dict[str, int] = {key: entity for key, entity in session.execute(select(Entity.name_key, Entity.id))}
        names.update(
            (key, entity) for key, entity in session.execute(select(EntityAlias.name_key, EntityAlias.entity_id))
        )
        return cls(names)

    def find(self, text: str) -> list[tuple[int, int, int]]:
        """Where known names stand in ``text``: (start, end, entity id), in order."""
        if self._pattern is None:
            return []
        return [
            (m.start(), m.end(), self._entity[" ".join(m.group().casefold().split())])
            for m in self._pattern.finditer(text)
        ]


NO_NAMES = KnownNames({})
_AROUND = 80  # characters read on each side of a span for the quantities it cuts through


def whole(text: str, start: int, end: int) -> str:
    """The span ``start``..``end`` of ``text`` as it is compared: widened to the whole of any quantity it cuts
    through (a close match ending at "rise 12" of "rise 12 per cent" is read "rise 12 per cent") and to whole
    words (at "rise 9" of "rise 9.4%": "rise 9.4%")."""
    offset = max(0, start - _AROUND)
    for quantity in quantities(text[offset : end + _AROUND]):
        q_start, q_end = offset + quantity.start, offset + quantity.end
        if q_start < end and start < q_end:
            start, end = min(start, q_start), max(end, q_end)
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[start:end]


def changes(before: str, after: str, names: KnownNames = NO_NAMES) -> list[Change]:
    """What ``after`` changes of what ``before`` says (see the module), in the order of ``before``; empty when
    they say the same."""
    old, new = _facts(before, names), _facts(after, names)
    left_out = _unmatched(old, new)
    added = _unmatched(new, old)
    _names_kept(left_out, before, after, [f for f in new if f not in added])
    _names_kept(added, after, before, [f for f in old if f not in left_out])
    old_parts = _phrases(left_out, before)
    new_parts = _phrases(added, after)
    found: list[tuple[int, Change]] = []
    for kind, start, words in old_parts:
        match = next((part for part in new_parts if part[0] == kind), None)
        if match is not None:
            new_parts.remove(match)
        found.append((start, Change(kind, words, match[2] if match else None)))
    # what was only added comes after what was changed or left out, in the order of ``after``
    found += [(len(before) + start, Change(kind, None, words)) for kind, start, words in new_parts]
    return [change for _, change in sorted(found, key=lambda item: item[0])]


def _facts(text: str, names: KnownNames) -> list[_Fact]:
    facts: list[_Fact] = []
    taken: list[tuple[int, int]] = []
    for start, end, entity in names.find(text):
        facts.append(_Fact(NAME, ("entity", entity), start, end))
        taken.append((start, end))
    for quantity in quantities(text):
        if any(quantity.start < e and s < quantity.end for s, e in taken):
            continue
        kind = _QUANTITY_KINDS.get(quantity.kind, NUMBER)
        # counts are compared with numbers standing alone, by value: "rose by 3" and "rose by 3 points" agree
        unit = sorted(quantity.unit) if quantity.kind == "money" else []
        compared = (quantity.kind if kind != NUMBER else NUMBER, *unit, *quantity.allowed)
        facts.append(_Fact(kind, compared, quantity.start, quantity.end))
        taken.append((quantity.start, quantity.end))
    for token in tokenize(text):
        if any(token.start < e and s < token.end for s, e in taken):
            continue
        word = token.text.casefold().replace("’", "'")
        fact = _word_fact(token.text, word, token.name)
        if fact is not None:
            kind, key = fact
            facts.append(_Fact(kind, key, token.start, token.end))
    facts.sort(key=lambda f: f.start)
    return facts


def _word_fact(shown: str, word: str, name: bool) -> tuple[str, tuple[Any, ...]] | None:
    """A word's kind and what it is compared by, if it is a number, a date word, a negation or a name."""
    if shown[0].isdigit() or word.split("-")[0] in NUMBER_WORDS:
        value = parse_number(word)
        if value is not None:
            return NUMBER, (NUMBER, Interval(value, value))
    if word.endswith("n't") or word in ("cannot", "not"):
        return NEGATION, ("not",)
    if word in _NEGATING:
        return NEGATION, (word,)
    if stem(word) in _DENYING:
        return NEGATION, (stem(word),)
    if word in _DATE_WORDS or (shown[0].isupper() and (word in DAYS or word.rstrip(".") in MONTHS)):
        return DATE, (DATE, word.rstrip("."))
    bare = word[:-2] if word.endswith("'s") else word
    if name:
        return NAME, ("name", bare)
    return None


def _unmatched(facts: Iterable[_Fact], others: Iterable[_Fact]) -> list[_Fact]:
    """The facts of one passage the other lacks (counted: two of one name against one leaves one)."""
    left = Counter(f.key for f in others)
    unmatched = []
    for fact in facts:
        if left[fact.key]:
            left[fact.key] -= 1
        else:
            unmatched.append(fact)
    return unmatched


def _names_kept(facts: list[_Fact], text: str, other: str, matched: list[_Fact]) -> None:
    """Leave out of ``facts`` the names whose word the other passage has in another case ("Bills" starting a
    sentence, "bills" inside one), as many times as it has it besides the names of it ``matched`` already."""
    words = Counter(t.text.casefold() for t in tokenize(other))
    words.subtract(other[f.start : f.end].casefold() for f in matched if f.kind == NAME and f.key[0] == "name")
    for fact in list(facts):
        if fact.kind != NAME or fact.key[0] != "name":
            continue
        word = text[fact.start : fact.end].casefold()
        if words[word] > 0:
            words[word] -= 1
            facts.remove(fact)


_PRECEDENCE = (DATE, AMOUNT, NUMBER, NAME, NEGATION)  # the kind of a phrase of several ("30 April": a date)


def _phrases(facts: list[_Fact], text: str) -> list[tuple[str, int, str]]:
    """Changed facts standing side by side joined into phrases ("30" and "April" -> "30 April"): each phrase's
    kind, start and words."""
    groups: list[list[_Fact]] = []
    for fact in facts:
        if groups and fact.kind != NEGATION and groups[-1][-1].kind != NEGATION:
            gap = text[groups[-1][-1].end : fact.start]
            if _BETWEEN_PARTS.fullmatch(gap):
                groups[-1].append(fact)
                continue
        groups.append([fact])
    # a changed name is shown whole: "Sarah Jones", not "Jones"
    name_spans = [(t.start, t.end) for t in tokenize(text) if t.name]
    phrases = []
    for group in groups:
        kinds = {f.kind for f in group}
        kind = next(k for k in _PRECEDENCE if k in kinds)
        start, end = group[0].start, group[-1].end
        if kind == NAME:
            start, end = _whole_name(name_spans, text, start, end)
        words = " ".join(text[start:end].split()).strip(",")
        phrases.append((kind, start, words))
    return phrases


def _whole_name(spans: list[tuple[int, int]], text: str, start: int, end: int) -> tuple[int, int]:
    """``start``..``end`` widened over the words of a name standing right beside it, one space apart."""
    for s, e in reversed(spans):
        if e <= start and text[e:start] == " ":
            start = s
    for s, e in spans:
        if s >= end and text[end:s] == " ":
            end = e
    return start, end
