"""Anchoring a quote to the one span of its source it stands for: exactly, or an error that says why not."""

from __future__ import annotations

import pytest
from conftest import SEED_2018, SEED_2020

from provenance.anchoring import Anchor, anchor_quote, closest_text, occurrences
from provenance.documents import read_document
from provenance.errors import Invalid, NotFound
from provenance.models import AnchorMethod

HEADLINE = "India looks to revive ties with North Korea"
KEY_2018 = "india-north-korea-2018"
KEY_2020 = "india-medical-aid-2020"


@pytest.fixture(scope="module")
def text_2018() -> str:
    return read_document(SEED_2018).text


@pytest.fixture(scope="module")
def text_2020() -> str:
    return read_document(SEED_2020).text


def test_unique_quote_anchors_exactly(text_2018: str) -> None:
    quote = "Mike Pompeo visited North Korea for preparatory talks"
    anchor = anchor_quote(text_2018, quote, source_key=KEY_2018)
    assert anchor == Anchor(143, 196, AnchorMethod.EXACT)
    assert text_2018[anchor.start : anchor.end] == quote


def test_whole_sentence_anchors_to_its_sentence_offsets(text_2020: str) -> None:
    quote = "Mukhtar Abbas Naqvi's visit in September 1998 had been the last by a minister from India to North Korea."
    assert anchor_quote(text_2020, quote, source_key=KEY_2020) == Anchor(1396, 1500, AnchorMethod.EXACT)


def test_quote_crossing_a_sentence_boundary_anchors(text_2018: str) -> None:
    quote = "ahead of the Trump-Kim Summit. He also highlighted"
    anchor = anchor_quote(text_2018, quote, source_key=KEY_2018)
    assert anchor == Anchor(197, 247, AnchorMethod.EXACT)
    assert text_2018[anchor.start : anchor.end] == quote


def test_quote_crossing_a_paragraph_boundary_anchors(text_2018: str) -> None:
    quote = f"{HEADLINE}\n\nThe meeting comes soon"
    assert anchor_quote(text_2018, quote, source_key=KEY_2018) == Anchor(45, 112, AnchorMethod.EXACT)


def test_several_occurrences_are_refused_listing_each_with_offsets(text_2018: str) -> None:
    with pytest.raises(Invalid) as caught:
        anchor_quote(text_2018, HEADLINE, source_key=KEY_2018)
    message = str(caught.value)
    assert message.startswith(f"the quote occurs 2 times in source {KEY_2018!r}: ")
    assert f"1) at 0-43: …[{HEADLINE}] India looks to revive …" in message
    assert f"2) at 45-88: … ties with North Korea [{HEADLINE}] The meeting comes soon…" in message
    assert message.endswith("choose one with --occurrence N, or --prefix/--suffix")


def test_many_occurrences_show_five_and_count_the_rest(text_2018: str) -> None:
    with pytest.raises(Invalid) as caught:
        anchor_quote(text_2018, "North Korea", source_key=KEY_2018)
    message = str(caught.value)
    assert message.startswith(f"the quote occurs 13 times in source {KEY_2018!r}: 1) at 32-43: ")
    assert "5) at 628-639: " in message
    assert "6) at" not in message
    assert "; and 8 more; choose one with --occurrence N" in message


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        ({"prefix": "\n\n"}, 45),
        ({"suffix": "\n\nThe meeting"}, 45),
        ({"suffix": "\n\nIndia looks"}, 0),
        ({"prefix": "North Korea\n\n", "suffix": "\n\nThe"}, 45),
    ],
)
def test_prefix_or_suffix_chooses_one_occurrence(text_2018: str, context: dict[str, str], expected: int) -> None:
    anchor = anchor_quote(text_2018, HEADLINE, source_key=KEY_2018, **context)
    assert anchor == Anchor(expected, expected + 43, AnchorMethod.EXACT_CONTEXT)


def test_context_that_matches_several_occurrences_is_still_ambiguous(text_2018: str) -> None:
    with pytest.raises(Invalid) as caught:
        anchor_quote(text_2018, "North Korea", source_key=KEY_2018, suffix=" and")
    message = str(caught.value)
    assert message.startswith(f"the quote occurs 2 times in source {KEY_2018!r}: 1) at 535-546: ")
    assert "; 2) at 628-639: " in message


def test_prefix_or_suffix_that_never_occurs_is_not_found(text_2018: str) -> None:
    with pytest.raises(NotFound) as caught:
        anchor_quote(text_2018, HEADLINE, source_key=KEY_2018, suffix="\n\nSomething else")
    assert str(caught.value) == (
        f"the quote occurs in source {KEY_2018!r}, but never with that prefix/suffix around it; "
        f"check them against `provenance source show {KEY_2018} --passages`"
    )


@pytest.mark.parametrize(("occurrence", "start"), [(1, 0), (2, 45)])
def test_occurrence_chooses_the_nth(text_2018: str, occurrence: int, start: int) -> None:
    anchor = anchor_quote(text_2018, HEADLINE, source_key=KEY_2018, occurrence=occurrence)
    assert anchor == Anchor(start, start + 43, AnchorMethod.EXACT_OCCURRENCE)


def test_occurrence_counts_among_those_the_context_allows(text_2018: str) -> None:
    anchor = anchor_quote(text_2018, "North Korea", source_key=KEY_2018, suffix=" and", occurrence=2)
    assert anchor == Anchor(628, 639, AnchorMethod.EXACT_OCCURRENCE)
    assert text_2018[anchor.start : anchor.end + 4] == "North Korea and"


@pytest.mark.parametrize("occurrence", [0, 3, -1])
def test_occurrence_out_of_range_is_refused(text_2018: str, occurrence: int) -> None:
    with pytest.raises(Invalid) as caught:
        anchor_quote(text_2018, HEADLINE, source_key=KEY_2018, occurrence=occurrence)
    assert str(caught.value) == (
        f"--occurrence {occurrence} is out of range: the quote occurs 2 time(s) in source {KEY_2018!r}"
    )


def test_quote_not_found_names_the_source_and_the_closest_text(text_2020: str) -> None:
    quote = "India on Friday extended medical assistance worth $ 1 millian to North Korea"
    with pytest.raises(NotFound) as caught:
        anchor_quote(text_2020, quote, source_key=KEY_2020)
    message = str(caught.value)
    assert message.startswith(f"quote not found in source {KEY_2020!r}; the closest text it has (similarity 99 %)")
    assert "is: 'India on Friday extended medical assistance worth $ 1 million to North Korea'" in message
    assert message.endswith("; quote the source exactly")


@pytest.mark.parametrize(
    "typo",
    [
        pytest.param("worth $ 1 millian to", id="letter-changed"),
        pytest.param("worth $ 1 millionn to", id="letter-added"),
        pytest.param("worth $ 1 milion to", id="letter-dropped"),
    ],
)
def test_closest_text_is_the_whole_real_passage_for_a_one_letter_typo(text_2020: str, typo: str) -> None:
    real = "India on Friday extended medical assistance worth $ 1 million to North Korea"
    quote = real.replace("worth $ 1 million to", typo)
    assert quote != real
    near, score = closest_text(text_2020, quote)
    assert near == real
    assert score > 95
    with pytest.raises(NotFound) as caught:
        anchor_quote(text_2020, quote, source_key=KEY_2020)
    assert f"is: {real!r}; quote the source exactly" in str(caught.value)


@pytest.mark.parametrize(
    ("quote", "real"),
    [
        ("New Delhi's envoy to Pyongyang", "New Delhi\u2019s envoy to Pyongyang"),
        ("Mukhtar Abbas Naqvi\u2019s visit", "Mukhtar Abbas Naqvi's visit"),
        ('India is "sensitive to the shortage', "India is “sensitive to the shortage"),
    ],
)
def test_straight_and_curly_quotes_are_not_matched_silently(text_2020: str, quote: str, real: str) -> None:
    assert quote not in text_2020
    assert real in text_2020
    with pytest.raises(NotFound) as caught:
        anchor_quote(text_2020, quote, source_key=KEY_2020)
    assert f"is: {real!r}; quote the source exactly" in str(caught.value)


@pytest.mark.parametrize("quote", ["", " ", "\n\t "])
def test_empty_quote_is_refused(text_2018: str, quote: str) -> None:
    with pytest.raises(Invalid, match=r"^the quote is empty; give the exact words from the source$"):
        anchor_quote(text_2018, quote, source_key=KEY_2018)


@pytest.mark.parametrize("quote", [" Mike Pompeo", "Mike Pompeo ", "Mike Pompeo\n"])
def test_quote_with_surrounding_whitespace_is_refused(text_2018: str, quote: str) -> None:
    with pytest.raises(Invalid, match="the quote starts or ends with whitespace; give the words alone"):
        anchor_quote(text_2018, quote, source_key=KEY_2018)


def test_occurrences_include_overlapping_ones() -> None:
    assert occurrences("aaaa", "aa") == [0, 1, 2]
    assert occurrences("abc", "x") == []


def test_anchor_offsets_are_code_points() -> None:
    text = "Party 🎉 time. The e\u0301lan was 😀 real."
    anchor = anchor_quote(text, "e\u0301lan was 😀 real", source_key="emoji")
    assert anchor == Anchor(18, 34, AnchorMethod.EXACT)
    assert text[anchor.start : anchor.end] == "e\u0301lan was 😀 real"
