"""ICD 203 likelihood terms and Admiralty reliability letters, to and from what is stored."""

from __future__ import annotations

import pytest

from provenance.confidence import (
    ICD_203,
    RELIABILITY,
    TERMS,
    describe_likelihood,
    describe_reliability,
    format_percent,
    likelihood_term,
    parse_likelihood,
    parse_reliability,
)
from provenance.errors import Invalid

MIDPOINTS = [
    ("almost no chance", 0.03),
    ("very unlikely", 0.125),
    ("unlikely", 0.325),
    ("roughly even chance", 0.5),
    ("likely", 0.675),
    ("very likely", 0.875),
    ("almost certain", 0.97),
]


def test_the_scale_has_the_seven_icd_203_terms_in_order() -> None:
    assert TERMS == (
        "almost no chance",
        "very unlikely",
        "unlikely",
        "roughly even chance",
        "likely",
        "very likely",
        "almost certain",
    )
    assert [(t.low, t.high) for t in ICD_203] == [
        (0.01, 0.05),
        (0.05, 0.20),
        (0.20, 0.45),
        (0.45, 0.55),
        (0.55, 0.80),
        (0.80, 0.95),
        (0.95, 0.99),
    ]


@pytest.mark.parametrize(("term", "midpoint"), MIDPOINTS)
def test_term_is_stored_as_its_band_midpoint(term: str, midpoint: float) -> None:
    assert parse_likelihood(term) == midpoint


@pytest.mark.parametrize(("term", "midpoint"), MIDPOINTS)
def test_band_midpoint_is_shown_as_the_same_term(term: str, midpoint: float) -> None:
    assert likelihood_term(parse_likelihood(term)) == term
    assert likelihood_term(midpoint) == term


@pytest.mark.parametrize(
    ("probability", "term"),
    [
        (0.0, "almost no chance"),
        (0.01, "almost no chance"),
        (0.0499, "almost no chance"),
        (0.05, "very unlikely"),
        (0.2, "unlikely"),
        (0.45, "roughly even chance"),
        (0.5, "roughly even chance"),
        (0.55, "roughly even chance"),
        (0.5501, "likely"),
        (0.8, "likely"),
        (0.8001, "very likely"),
        (0.95, "very likely"),
        (0.9501, "almost certain"),
        (0.99, "almost certain"),
        (1.0, "almost certain"),
    ],
)
def test_boundary_values_go_to_the_band_nearer_even_chance(probability: float, term: str) -> None:
    assert likelihood_term(probability) == term


@pytest.mark.parametrize("probability", [-0.01, 1.01])
def test_likelihood_term_refuses_numbers_outside_zero_to_one(probability: float) -> None:
    with pytest.raises(ValueError, match=r"outside 0\.\.1"):
        likelihood_term(probability)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("70%", 0.7),
        ("70 %", 0.7),
        ("32.5%", 0.325),
        ("0%", 0.0),
        ("100%", 1.0),
        ("0.7", 0.7),
        (".25", 0.25),
        ("0", 0.0),
        ("1", 1.0),
        (0.7, 0.7),
        (0, 0.0),
        (1, 1.0),
    ],
)
def test_numbers_and_percentages_are_probabilities(value: str | float, expected: float) -> None:
    assert parse_likelihood(value) == pytest.approx(expected)
    assert isinstance(parse_likelihood(value), float)


@pytest.mark.parametrize(
    ("synonym", "term"),
    [
        ("remote", "almost no chance"),
        ("highly improbable", "very unlikely"),
        ("improbable", "unlikely"),
        ("roughly even odds", "roughly even chance"),
        ("even chance", "roughly even chance"),
        ("probable", "likely"),
        ("probably", "likely"),
        ("highly probable", "very likely"),
        ("nearly certain", "almost certain"),
    ],
)
def test_icd_203_synonyms_mean_their_term(synonym: str, term: str) -> None:
    assert parse_likelihood(synonym) == parse_likelihood(term)
    assert likelihood_term(parse_likelihood(synonym)) == term


@pytest.mark.parametrize(
    ("spelling", "midpoint"),
    [
        ("Very Likely", 0.875),
        ("VERY_LIKELY", 0.875),
        ("very-likely", 0.875),
        ("  almost   certain  ", 0.97),
        ("Roughly-Even_Chance", 0.5),
        ("Highly-Probable", 0.875),
    ],
)
def test_terms_tolerate_case_underscores_hyphens_and_spacing(spelling: str, midpoint: float) -> None:
    assert parse_likelihood(spelling) == midpoint


@pytest.mark.parametrize("value", ["maybe", "", "very very likely", "seventy percent"])
def test_unknown_likelihood_words_are_refused_listing_the_terms(value: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_likelihood(value)
    message = str(caught.value)
    assert f"unknown likelihood {value!r}" in message
    assert "almost no chance, very unlikely, unlikely, roughly even chance" in message
    assert "a number from 0 to 1 or a percentage" in message


@pytest.mark.parametrize("value", [1.5, -0.1, "150%", "1.5", "101 %"])
def test_likelihood_outside_zero_to_one_is_refused_naming_the_range(value: str | float) -> None:
    with pytest.raises(Invalid, match=r"outside 0\.\.1 \(0 %\.\.100 %\)") as caught:
        parse_likelihood(value)
    assert f"likelihood {value!r} is outside" in str(caught.value)


def test_negative_number_text_is_refused() -> None:
    with pytest.raises(Invalid, match=r"likelihood '-0\.1'"):
        parse_likelihood("-0.1")


@pytest.mark.parametrize("value", [True, False])
def test_booleans_are_not_likelihoods(value: bool) -> None:
    with pytest.raises(Invalid, match=rf"likelihood {value!r} is not a term or a number"):
        parse_likelihood(value)


@pytest.mark.parametrize(
    ("probability", "text"),
    [
        (0.325, "32.5 %"),
        (0.7, "70 %"),
        (0.1, "10 %"),
        (0.03, "3 %"),
        (0.125, "12.5 %"),
        (0.875, "87.5 %"),
        (1 / 3, "33.3 %"),
        (0.0, "0 %"),
        (1.0, "100 %"),
    ],
)
def test_format_percent_drops_trailing_zeros(probability: float, text: str) -> None:
    assert format_percent(probability) == text


@pytest.mark.parametrize(
    ("probability", "text"),
    [
        (None, "not assessed"),
        (0.325, "unlikely (32.5 %)"),
        (0.7, "likely (70 %)"),
        (0.0, "almost no chance (0 %)"),
        (0.55, "roughly even chance (55 %)"),
        (1.0, "almost certain (100 %)"),
    ],
)
def test_describe_likelihood(probability: float | None, text: str) -> None:
    assert describe_likelihood(probability) == text


# --- Admiralty reliability ----------------------------------------------------------------------------


@pytest.mark.parametrize(("letter", "words"), list(RELIABILITY.items()))
def test_reliability_letter_in_any_case_and_its_words_give_the_letter(letter: str, words: str) -> None:
    assert parse_reliability(letter) == letter
    assert parse_reliability(letter.lower()) == letter
    assert parse_reliability(f"  {letter.lower()} ") == letter
    assert parse_reliability(words) == letter
    assert parse_reliability(words.upper()) == letter


def test_reliability_scale_is_a_to_f() -> None:
    assert RELIABILITY == {
        "A": "completely reliable",
        "B": "usually reliable",
        "C": "fairly reliable",
        "D": "not usually reliable",
        "E": "unreliable",
        "F": "reliability cannot be judged",
    }


@pytest.mark.parametrize("value", ["G", "reliable", "AB", "", "1"])
def test_unknown_reliability_is_refused_listing_the_scale(value: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_reliability(value)
    message = str(caught.value)
    assert f"unknown source reliability {value!r}" in message
    assert "A (completely reliable), B (usually reliable)" in message
    assert "F (reliability cannot be judged)" in message


@pytest.mark.parametrize(
    ("letter", "text"), [("A", "A (completely reliable)"), ("F", "F (reliability cannot be judged)")]
)
def test_describe_reliability(letter: str, text: str) -> None:
    assert describe_reliability(letter) == text
