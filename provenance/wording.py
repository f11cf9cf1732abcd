"""Words as the contradiction detector reads them: stopwords, crude stems, tokens with their sentence and whether
they are part of a name.

A stem is enough to match a verb or noun with its inflections (``supplied``, ``supplies``, ``supplying`` ->
``suppli``); irregular verbs are looked up. A name is a capitalised word that is not a common word; a sentence's
first word counts as a name unless it is one of a few words that often start sentences.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

STOPWORDS = frozenset(
    """a about above after again against all also although am an and any are aren't as at be because been before
    being below between both but by can could did do does doing down during each either else even ever every few
    for from further had has have having he her here hers herself him himself his how however i if in into is it
    its itself just least less let may me might more most much must my myself neither nor of off on once only or
    other our ours ourselves out over own per quite rather same shall she should so some such than that the their
    theirs them themselves then there these they this those though through thus to too under until up upon us
    very was we were what when where whether which while who whom whose why will with within without would yet
    you your yours yourself nearly almost around approximately roughly some still longer already now also any
    both each many much several whom onto via amid among amongst per whereas whilst hence thereby said says
    say""".split()
)
NUMBER_WORDS = {
    **{
        word: n
        for n, word in enumerate(
            "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
            "seventeen eighteen nineteen".split()
        )
    },
    **{word: 10 * n for n, word in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)},
}
SCALES = {
    **dict.fromkeys(("hundred",), 1e2),
    **dict.fromkeys(("thousand", "k"), 1e3),
    **dict.fromkeys(("lakh",), 1e5),
    **dict.fromkeys(("million", "mn", "m"), 1e6),
    **dict.fromkeys(("crore",), 1e7),
    **dict.fromkeys(("billion", "bn", "b"), 1e9),
    **dict.fromkeys(("trillion", "tn"), 1e12),
}
MONTHS = {
    name: n
    for n, names in enumerate(
        "january:jan february:feb march:mar april:apr may june:jun july:jul august:aug september:sep:sept "
        "october:oct november:nov december:dec".split(),
        start=1,
    )
    for name in names.split(":")
}
NEGATIONS = frozenset("not never no none nobody nothing neither nor cannot".split())
DAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow".split())
# Words that are part of a quantity, never context for it
QUANTITY_WORDS = frozenset(
    set(NUMBER_WORDS)
    | set(SCALES)
    | {"dozen", "decade", "decades", "year", "years", "month", "months", "week", "weeks", "day", "days", "century"}
    | {"centuries", "percent", "cent", "dollars", "dollar", "euros", "euro", "pounds", "pound", "rupees", "rupee"}
    | {"early", "mid", "late", "past", "each", "couple", "few"}
)
_IRREGULAR = dict(
    pair.split(":")
    for pair in (
        "took:take taken:take gave:give given:give sent:send sold:sell made:make paid:pay met:meet held:hold "
        "kept:keep went:go gone:go knew:know known:know told:tell found:find left:leave brought:bring bought:buy "
        "built:build began:begin begun:begin won:win lost:lose saw:see seen:see spent:spend led:lead fell:fall "
        "rose:rise risen:rise struck:strike fought:fight got:get did:do done:do was:be were:be is:be are:be"
    ).split()
)


def stem(word: str) -> str:
    """A crude stem, enough to match a verb or noun with its inflections: ``supplied``, ``supplies`` and
    ``supplying`` give ``suppli``; ``diverted`` gives ``divert``; irregular verbs are looked up."""
    word = unicodedata.normalize("NFKD", word.casefold())
    word = "".join(c for c in word if not unicodedata.combining(c)).replace("’", "'")
    for ending in ("'s", "'"):
        if word.endswith(ending):
            word = word[: -len(ending)]
    if word in _IRREGULAR:
        word = _IRREGULAR[word]
    elif len(word) > 4 and word.endswith(("ies", "ied")):
        word = word[:-3] + "i"
    elif len(word) > 5 and word.endswith("ing"):
        word = _undouble(word[:-3])
    elif len(word) > 4 and word.endswith("ed"):
        word = _undouble(word[:-2])
    elif (len(word) > 4 and word.endswith("es") and word[-3] in "sxz") or word.endswith(("ches", "shes")):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    word = _undouble(word)  # "boycott" as "boycotted"
    if len(word) > 2 and word.endswith("y"):
        word = word[:-1] + "i"
    return word


def _undouble(word: str) -> str:
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        return word[:-1]
    return word


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    stem: str
    start: int
    end: int
    sentence: int  # which sentence of the statement it is in
    name: bool  # capitalised and not a common word: part of a name
    content: bool  # neither a stopword nor part of a quantity


_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*(?:-[^\W\d_]+)*|\d[\d,.]*\d|\d|[.!?;]")


def tokenize(text: str) -> list[Token]:
    """Words (and sentence ends) with their stems, sentence numbers, and whether each is part of a name."""
    tokens: list[Token] = []
    sentence = 0
    starting = True
    for match in _TOKEN.finditer(text):
        word = match.group()
        if word in ".!?;":
            previous = tokens[-1].text.casefold() if tokens else ""
            if word == "." and (len(previous) == 1 or previous in _ABBREVIATIONS):
                continue  # "U.S.", "A. Q. Khan", "Dr."
            sentence += word != ";"
            starting = word != ";"
            continue
        lower = word.casefold().replace("’", "'")
        bare = lower[:-2] if lower.endswith("'s") else lower
        is_word = word[0].isalpha()
        common = bare in STOPWORDS or bare in NUMBER_WORDS or bare in MONTHS or bare in NEGATIONS or bare in DAYS
        name = is_word and word[0].isupper() and not common and not (starting and bare in _COMMON_STARTS)
        content = is_word and not common and bare not in QUANTITY_WORDS
        tokens.append(Token(word, stem(word), match.start(), match.end(), sentence, name, content))
        starting = False
    return tokens


_ABBREVIATIONS = frozenset("mr mrs ms dr gen col lt st no vs sen rep gov prof jr sr co inc ltd corp".split())
# Words that often start a sentence with a capital without being names
_COMMON_STARTS = frozenset(
    "officials police donations building unemployment inflation turnout twelve three five nearly there it "
    "according last on in by after before during since".split()
)


def content_stems(tokens: Iterable[Token]) -> set[str]:
    return {t.stem for t in tokens if t.content}


def name_key(token: Token) -> str:
    return token.stem[:5]


def overlap(a: set[str], b: set[str]) -> float:
    """The overlap coefficient: shared items over the smaller set's size (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))
