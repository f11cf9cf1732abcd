"""Likelihood words (ICD 203), source reliability and information credibility (Admiralty scales), as numbers.

ICD 203 ("Analytic Standards", US Intelligence Community Directive 203) fixes seven terms to probability
bands. A term entered by an analyst is stored as the middle of its band; a stored number is shown as the
term whose band holds it. Where two bands meet (5 %, 20 %, 45 %, 55 %, 80 %, 95 %) the number belongs to the
band nearer to even chance, so the scale is symmetric: 0.45 and 0.55 are both "roughly even chance".
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from provenance.errors import Invalid


@dataclass(frozen=True)
class LikelihoodTerm:
    """One ICD 203 term and its probability band."""

    term: str
    low: float
    high: float

    @property
    def midpoint(self) -> float:
        return round((self.low + self.high) / 2, 4)


ICD_203: tuple[LikelihoodTerm, ...] = (
    LikelihoodTerm("almost no chance", 0.01, 0.05),
    LikelihoodTerm("very unlikely", 0.05, 0.20),
    LikelihoodTerm("unlikely", 0.20, 0.45),
    LikelihoodTerm("roughly even chance", 0.45, 0.55),
    LikelihoodTerm("likely", 0.55, 0.80),
    LikelihoodTerm("very likely", 0.80, 0.95),
    LikelihoodTerm("almost certain", 0.95, 0.99),
)

_BY_TERM = {t.term: t for t in ICD_203}
# Below 50 % a boundary belongs to the band above it, from 50 % up to the band below it (nearer even chance).
_UPPER_BOUNDS = [t.high for t in ICD_203[:3]]
_LOWER_BOUNDS = [t.low for t in ICD_203]
# Synonyms ICD 203 itself gives for each band.
_SYNONYMS = {
    "remote": "almost no chance",
    "highly improbable": "very unlikely",
    "improbable": "unlikely",
    "improbably": "unlikely",
    "roughly even odds": "roughly even chance",
    "even chance": "roughly even chance",
    "probable": "likely",
    "probably": "likely",
    "highly probable": "very likely",
    "nearly certain": "almost certain",
}
TERMS = tuple(t.term for t in ICD_203)


def parse_likelihood(value: str | float | int) -> float:
    """Turn an ICD 203 term, a number in 0..1 or a percentage ("70%") into a probability.

    >>> parse_likelihood("unlikely")
    0.325
    >>> parse_likelihood("70%")
    0.7
    """
    if isinstance(value, bool):
        raise Invalid(f"likelihood {value!r} is not a term or a number; use one of: {', '.join(TERMS)}")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = re.sub(r"\s+", " ", value.strip().lower().replace("_", " ").replace("-", " "))
        text = _SYNONYMS.get(text, text)
        if text in _BY_TERM:
            return _BY_TERM[text].midpoint
        match = re.fullmatch(r"([-+]?[0-9]*\.?[0-9]+)\s*(%?)", text)
        if not match:
            raise Invalid(
                f"unknown likelihood {value!r}; use an ICD 203 term ({', '.join(TERMS)}), "
                "a number from 0 to 1 or a percentage"
            )
        number = float(match.group(1)) / (100 if match.group(2) else 1)
    if not 0.0 <= number <= 1.0:
        raise Invalid(f"likelihood {value!r} is outside 0..1 (0 %..100 %); give a probability in that range")
    return number


def likelihood_term(probability: float) -> str:
    """The ICD 203 term whose band holds ``probability`` (boundaries go to the band nearer 50 %)."""
    if not 0.0 <= probability <= 1.0:
        raise ValueError(f"probability {probability} outside 0..1")
    if probability < 0.5:
        return ICD_203[bisect_right(_UPPER_BOUNDS, probability)].term
    return ICD_203[bisect_left(_LOWER_BOUNDS, probability) - 1].term


def format_percent(probability: float) -> str:
    """``0.325`` -> ``"32.5 %"``; ``0.7`` -> ``"70 %"``."""
    text = f"{probability * 100:.1f}".rstrip("0").rstrip(".")
    return f"{text} %"


def describe_likelihood(probability: float | None) -> str:
    """``0.325`` -> ``"unlikely (32.5 %)"``; ``None`` -> ``"not assessed"``."""
    if probability is None:
        return "not assessed"
    return f"{likelihood_term(probability)} ({format_percent(probability)})"


# Admiralty (NATO AJP-2.1) source reliability.
RELIABILITY = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}


def parse_reliability(value: str) -> str:
    """A letter A-F (any case), or the words of one of them."""
    text = value.strip()
    if text.upper() in RELIABILITY:
        return text.upper()
    for letter, words in RELIABILITY.items():
        if text.lower() == words:
            return letter
    choices = ", ".join(f"{k} ({v})" for k, v in RELIABILITY.items())
    raise Invalid(f"unknown source reliability {value!r}; use a letter on the Admiralty scale: {choices}")


def describe_reliability(letter: str) -> str:
    return f"{letter} ({RELIABILITY[letter]})"


# Admiralty (NATO AJP-2.1) credibility of one piece of information, 1 to 6.
CREDIBILITY = {
    1: "confirmed by other sources",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "truth cannot be judged",
}


def parse_credibility(value: str | int) -> int:
    """A number 1-6 on the Admiralty credibility scale, or the words of one of them."""
    text = str(value).strip()
    if text.isdigit() and int(text) in CREDIBILITY:
        return int(text)
    for number, words in CREDIBILITY.items():
        if text.lower() == words:
            return number
    choices = ", ".join(f"{k} ({v})" for k, v in CREDIBILITY.items())
    raise Invalid(f"unknown credibility {value!r}; use a number on the Admiralty scale: {choices}")


def describe_credibility(number: int | None) -> str:
    """``2`` -> ``"2 (probably true)"``; ``None`` -> ``"not given"``."""
    return "not given" if number is None else f"{number} ({CREDIBILITY[number]})"
