"""Quantities in a statement: amounts, shares, dates, durations and counts, each as the values it allows.

Each quantity is read with its qualifier ("almost", "more than", "about", "before", ...) as the values it allows
(``almost 20``: from 16 up to, not including, 20; ``more than 20``: anything above 20; ``about 20``: 17 to 23):

- amounts: a currency sign or code before (``$ 1 million``, ``US$2bn``, ``€4.2 billion``, ``Rs 500 crore``) or a
  currency word after (``3 billion dollars``); compared only in the same currency;
- shares: ``7.5%``, ``7.5 per cent``, ``7.5 percent``;
- dates: a year (``1998``), a month (``September 1998``), a day (``12 March 1994``, ``March 21, 1994``, ISO), a
  decade or part of one (``the 1990s``, ``mid-1990s``); a day and month without a year is not compared;
- durations: a number and a unit of time (``almost two decades``, ``18 months``, ``a decade``), in days;
- counts: a number and the noun after it (``three ships``, ``2,000 protesters``); compared only when one of the
  two words after each number is the same (``3 ships`` and ``5 ships``, never ``3 ships`` and ``1998``).

Numbers are digits (``1,000``, ``1.5``) or words (``two``, ``twenty-five``, ``three hundred``), with a scale
(``million``, ``bn``, ``crore``). A list (``in 2011 and 2016``) counts as one quantity allowing any of its values;
a range (``from 2011 to 2016``) allows everything between.

Whether two quantities are about the same thing is decided by :mod:`provenance.disagreement`; here a quantity
only knows whether it agrees with another (the values they allow overlap).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from provenance.wording import MONTHS, NUMBER_WORDS, QUANTITY_WORDS, SCALES, STOPWORDS, stem

_NUM_WORD = "|".join(sorted([*NUMBER_WORDS, "hundred", "thousand", "million", "billion", "trillion"], key=len))
_WORD_NUMBER = rf"(?:(?:a\s+)?dozen|(?:{_NUM_WORD})(?:(?:\s+and\s+|[\s-]+)(?:{_NUM_WORD}))*)"
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE = r"hundred|thousand|million|billion|trillion|crore|lakh|mn|bn|tn|m|b|k"
_NUMBER = rf"(?:(?:{_DIGITS})(?:\s?(?:{_SCALE})\b)?|{_WORD_NUMBER})"
_YEAR = r"(?:1[5-9]|20)\d\d"
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?"
    r"|nov(?:ember)?|dec(?:ember)?)\.?"
)
_CURRENCY_SIGNS = dict(
    pair.split(":") for pair in "$:USD us$:USD usd:USD €:EUR eur:EUR £:GBP gbp:GBP ₹:INR rs:INR rs.:INR inr:INR".split()
)
_CURRENCY_WORDS = {"dollar": "USD", "euro": "EUR", "pound": "GBP", "rupee": "INR"}
_EDGE = r"(?<![\w$€£₹.,/-])"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "money",
        re.compile(
            rf"(?P<cur>US\s?\$|\$|€|£|₹|\bRs\.?|\bINR|\bUSD|\bEUR|\bGBP)\s?(?P<num>{_DIGITS})"
            rf"(?:\s?(?P<scale>{_SCALE})\b)?",
            re.I,
        ),
    ),
    (
        "money",
        re.compile(
            rf"{_EDGE}(?P<num>{_NUMBER})\s+(?:(?:US|American)\s+)?(?P<curword>dollar|euro|pound|rupee)s?\b", re.I
        ),
    ),
    ("percent", re.compile(rf"{_EDGE}(?P<num>{_NUMBER})\s?(?:%|per\s?cent\b|percent\b)", re.I)),
    (
        "date",
        re.compile(
            rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>{_MONTH}),?\s+(?P<year>{_YEAR})\b", re.I
        ),
    ),
    ("date", re.compile(rf"\b(?P<month>{_MONTH})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>{_YEAR})\b", re.I)),
    ("date", re.compile(rf"\b(?P<year>{_YEAR})-(?P<mon>[01]\d)-(?P<day>[0-3]\d)\b")),
    ("date", re.compile(rf"\b(?P<month>{_MONTH}),?\s+(?:of\s+)?(?P<year>{_YEAR})\b", re.I)),
    ("date", re.compile(r"\b(?:(?P<part>early|mid|late)[\s-]+)?(?P<decade>(?:1[5-9]|20)\d0)['’]?s\b", re.I)),
    ("date", re.compile(rf"\b(?P<part>early|mid|late)[\s-]+(?P<year>{_YEAR})\b", re.I)),
    # A day and month without a year: read so that its number is not taken for a count, then left out
    (
        "ignored",
        re.compile(
            rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?)\b", re.I
        ),
    ),
    (
        "duration",
        re.compile(
            rf"{_EDGE}(?P<num>{_NUMBER}|half\s+an?|an?|a\s+couple\s+of|a\s+few|several)[\s-]+"
            r"(?P<unit>millenni(?:um|a)|millenium|centur(?:y|ie)|decade|year|month|fortnight|week|day)s?\b",
            re.I,
        ),
    ),
    ("year", re.compile(rf"{_EDGE}(?P<year>{_YEAR})(?![\w%]|[.,]\d|['’]s)")),
    ("count", re.compile(rf"{_EDGE}(?P<num>{_NUMBER})\s+(?P<w1>[a-z][a-z-]*)(?:\s+(?P<w2>[a-z][a-z-]*))?", re.I)),
]
_PLURAL_EXCEPTIONS = frozenset("was has is as its this his us does plus less across thus".split())
_COUNTED_SINGULARS = frozenset("people children men women police staff personnel cattle sheep".split())

_QUALIFIER = re.compile(
    r"\b(?P<q>almost|nearly|close\s+to|just\s+under|not\s+quite|under|less\s+than|fewer\s+than|below|up\s+to|"
    r"at\s+most|no\s+more\s+than|more\s+than|over|upwards\s+of|above|in\s+excess\s+of|just\s+over|well\s+over|"
    r"at\s+least|about|around|roughly|approximately|some|circa|an\s+estimated|estimated|exactly|before|after|"
    r"since|by|until|till|prior\s+to|from)\s+(?:the\s+)?(?:past\s+)?$",
    re.I,
)
_DAY = 1.0
# Keyed by how each unit starts, so that every spelling the pattern takes ("century", "centuries", "millennia",
# "Millennium") finds its length
_UNIT_DAYS = {
    "day": 1,
    "week": 7,
    "fortnight": 14,
    "month": 30.4375,
    "year": 365.25,
    "decade": 3652.5,
    "centur": 36525,
    "millen": 365250,
}


def _unit_days(unit: str) -> float:
    """How many days one ``unit`` of time is, however it is spelt."""
    unit = unit.casefold()
    return next(days for start, days in _UNIT_DAYS.items() if unit.startswith(start))


@dataclass(frozen=True, slots=True)
class Interval:
    low: float
    high: float
    low_open: bool = False
    high_open: bool = False

    def overlaps(self, other: Interval) -> bool:
        if self.low > other.high or other.low > self.high:
            return False
        if self.low == other.high and (self.low_open or other.high_open):
            return False
        return not (other.low == self.high and (other.low_open or self.high_open))

    def hull(self, other: Interval) -> Interval:
        return Interval(min(self.low, other.low), max(self.high, other.high))


@dataclass(frozen=True, slots=True)
class Quantity:
    """One quantity of a statement: its kind, what it counts (a currency, a noun's stems), the values it allows
    (any of ``allowed``), whether a qualifier widened it, and where it stands."""

    kind: str  # money, percent, date, duration, count
    unit: frozenset[str]
    allowed: tuple[Interval, ...]
    qualified: bool
    text: str
    start: int
    end: int

    def agrees_with(self, other: Quantity) -> bool:
        return any(a.overlaps(b) for a in self.allowed for b in other.allowed)


def parse_number(text: str) -> float | None:
    """``1,000``, ``1.5 million``, ``twenty-five``, ``three hundred``, ``a dozen`` -> their value."""
    text = text.strip().casefold()
    match = re.fullmatch(rf"(?P<digits>{_DIGITS})\s?(?P<scale>{_SCALE})?", text)
    if match:
        value = float(match["digits"].replace(",", ""))
        return value * SCALES[match["scale"]] if match["scale"] else value
    total, current = 0.0, 0.0
    seen = False
    for word in re.split(r"[\s-]+", text):
        if word in ("and", "a", "an"):
            continue
        seen = True
        if word in NUMBER_WORDS:
            current += NUMBER_WORDS[word]
        elif word == "dozen":
            current = (current or 1) * 12
        elif word == "hundred":
            current = (current or 1) * 100
        elif word in SCALES:
            total += (current or 1) * SCALES[word]
            current = 0
        else:
            return None
    return total + current if seen else None


def _qualify(value: float, qualifier: str | None, *, whole: bool = False) -> Interval:
    """The values a number allows with the qualifier before it (``almost 20``: from 16 up to, not including, 20)."""
    q = " ".join((qualifier or "").casefold().split())
    if q in ("almost", "nearly", "close to", "just under", "not quite"):
        return Interval(0.8 * value, value, high_open=True)
    if q in ("under", "less than", "fewer than", "below"):
        return Interval(0, value, high_open=True)
    if q in ("up to", "at most", "no more than"):
        return Interval(0, value)
    if q in ("more than", "over", "upwards of", "above", "in excess of", "well over"):
        return Interval(value, math.inf, low_open=True)
    if q == "just over":
        return Interval(value, 1.2 * value, low_open=True)
    if q == "at least":
        return Interval(value, math.inf)
    if q in ("about", "around", "roughly", "approximately", "some", "circa", "an estimated", "estimated"):
        return Interval(0.85 * value, 1.15 * value)
    value = round(value) if whole and math.isfinite(value) else value  # a run of 400 digits is infinite
    return Interval(value, value)


def _date_span(match: re.Match[str]) -> tuple[dt.date, dt.date] | None:
    groups = match.groupdict()
    if groups.get("decade"):
        decade = int(groups["decade"])
        first, last = {"early": (0, 3), "mid": (3, 6), "late": (6, 9), None: (0, 9)}[
            groups["part"] and groups["part"].casefold()
        ]
        return dt.date(decade + first, 1, 1), dt.date(decade + last, 12, 31)
    year = int(groups["year"])
    if groups.get("part"):
        first_month, last_month = {"early": (1, 4), "mid": (5, 8), "late": (9, 12)}[groups["part"].casefold()]
        return dt.date(year, first_month, 1), _month_end(year, last_month)
    month = int(groups["mon"]) if groups.get("mon") else MONTHS.get((groups.get("month") or "").casefold().rstrip("."))
    if month is None:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if groups.get("day"):
        try:
            day = dt.date(year, month, int(groups["day"]))
        except ValueError:
            return None
        return day, day
    return dt.date(year, month, 1), _month_end(year, month)


def _month_end(year: int, month: int) -> dt.date:
    return (dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)


def _date_interval(first: dt.date, last: dt.date, qualifier: str | None) -> Interval:
    low, high = float(first.toordinal()), float(last.toordinal())
    q = " ".join((qualifier or "").casefold().split())
    if q in ("before", "prior to"):
        return Interval(-math.inf, low, high_open=True)
    if q == "after":
        return Interval(high, math.inf, low_open=True)
    if q in ("since", "from"):
        return Interval(low, math.inf)
    if q in ("by", "until", "till"):
        return Interval(-math.inf, high)
    if q in ("about", "around", "roughly", "approximately", "circa", "some"):
        return Interval(low - 366, high + 366)
    return Interval(low, high)


_DATE_QUALIFIERS = frozenset(
    "before prior to after since from by until till about around roughly approximately circa".split()
)


def quantities(text: str) -> list[Quantity]:
    """Every quantity in ``text``, in order; lists (``2011 and 2016``) and ranges (``1990 to 1995``) as one."""
    taken: list[tuple[int, int]] = []
    found: list[Quantity] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue
            quantity = _quantity(kind, match, text)
            if quantity is None:
                continue
            taken.append((start, end))
            if kind != "ignored":
                found.append(quantity)
    found.sort(key=lambda q: q.start)
    return _grouped(found, text)


def _quantity(kind: str, match: re.Match[str], text: str) -> Quantity | None:
    start, end = match.span()
    before = _QUALIFIER.search(text[max(0, start - 40) : start])
    qualifier = before["q"] if before else None
    if kind in ("date", "year"):
        if qualifier and " ".join(qualifier.casefold().split()) not in _DATE_QUALIFIERS:
            qualifier = None
    elif qualifier and " ".join(qualifier.casefold().split()) in _DATE_QUALIFIERS - {"about", "around", "roughly"}:
        qualifier = None
    if before is not None and qualifier:
        start = max(0, start - 40) + before.start()
    shown = " ".join(text[start:end].split())
    if kind == "ignored":
        return Quantity(kind, frozenset(), (), False, shown, start, end)
    if kind == "year":
        following = re.match(r"\s+([a-z]+)", text[end:])
        if following and (
            following[1] in _COUNTED_SINGULARS
            or (following[1].endswith("s") and following[1] not in _PLURAL_EXCEPTIONS and len(following[1]) > 3)
        ):
            return None  # "1998 tonnes": a count, read by the count pattern
        kind = "date"
    if kind == "date":
        span = _date_span(match)
        if span is None:
            return None
        return Quantity(
            "date", frozenset(), (_date_interval(*span, qualifier),), qualifier is not None, shown, start, end
        )
    groups = match.groupdict()
    if kind == "duration":
        number = groups["num"].casefold()
        if re.fullmatch(r"an?", number):
            value: float | None = 1
        elif number.startswith("half"):
            value = 0.5
        elif "couple" in number:
            value = 2
        elif "few" in number or "several" in number:
            days = _unit_days(groups["unit"])
            low, high = (2, 5) if "few" in number else (3, 9)
            return Quantity("duration", frozenset(), (Interval(low * days, high * days),), True, shown, start, end)
        else:
            value = parse_number(number)
        if value is None:
            return None
        days = value * _unit_days(groups["unit"])
        return Quantity(
            "duration", frozenset(), (_qualify(days, qualifier, whole=True),), qualifier is not None, shown, start, end
        )
    value = parse_number(groups["num"])
    if value is None:
        return None
    if kind == "money":
        scale = groups.get("scale")
        if scale:
            value *= SCALES[scale.casefold()]
        if groups.get("cur"):
            currency = _CURRENCY_SIGNS.get(re.sub(r"\s", "", groups["cur"]).casefold(), "USD")
        else:
            currency = _CURRENCY_WORDS[groups["curword"].casefold()]
        return Quantity(
            "money", frozenset({currency}), (_qualify(value, qualifier),), qualifier is not None, shown, start, end
        )
    if kind == "percent":
        return Quantity("percent", frozenset(), (_qualify(value, qualifier),), qualifier is not None, shown, start, end)
    # a count: the noun after the number (or the word after that, past an adjective)
    words = [w.casefold() for w in (groups["w1"], groups.get("w2")) if w]
    if not words or words[0] in STOPWORDS or words[0] in MONTHS or words[0] in QUANTITY_WORDS:
        return None
    unit = frozenset(stem(w) for w in words if w not in STOPWORDS)
    if len(words) < 2 or words[1] in STOPWORDS:
        end = match.end("w1")
        shown = " ".join(text[start:end].split())
    return Quantity("count", unit, (_qualify(value, qualifier),), qualifier is not None, shown, start, end)


_LIST_GAP = re.compile(r"\s*(?:,\s*(?:and|or)?|and|or|&)\s*", re.I)
_RANGE_GAP = re.compile(r"\s*(?:to|until|till|through|–|—|-)\s*", re.I)


def _grouped(found: list[Quantity], text: str) -> list[Quantity]:
    """Quantities of one kind joined by "and", "or" or a comma become one allowing any of them; joined by "to" or
    a dash, one allowing everything between."""
    grouped: list[Quantity] = []
    for quantity in found:
        if grouped:
            last = grouped[-1]
            gap = text[last.end : quantity.start]
            if last.kind == quantity.kind and last.unit == quantity.unit:
                if _LIST_GAP.fullmatch(gap):
                    allowed = last.allowed + quantity.allowed
                elif _RANGE_GAP.fullmatch(gap):
                    allowed = (last.allowed[0].hull(quantity.allowed[-1]),)
                else:
                    allowed = ()
                if allowed:
                    shown = " ".join(text[last.start : quantity.end].split())
                    unit = last.unit | quantity.unit
                    grouped[-1] = Quantity(
                        last.kind, unit, allowed, last.qualified or quantity.qualified, shown, last.start, quantity.end
                    )
                    continue
        grouped.append(quantity)
    return grouped
