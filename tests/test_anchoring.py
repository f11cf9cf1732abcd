"""Anchoring a quote to the one span of its source it stands for: exactly, or an error that says why not."""

from __future__ import annotations

import pytest
from conftest import SEED_2018, SEED_2020

from provenance.anchoring import (
    CANDIDATE_FLOOR,
    DEFAULT_MIN_SCORE,
    MAX_OMISSION_SPAN,
    Anchor,
    anchor_quote,
    closest_text,
    format_score,
    has_omission,
    occurrences,
    omission_parts,
    quote_parts,
    review_label,
    shown_quote,
    trim_ellipses,
)
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
        f"--occurrence {occurrence} is out of range: the quote occurs 2 times in source {KEY_2018!r}"
    )


def test_quote_not_found_names_the_source_and_the_closest_text(text_2020: str) -> None:
    quote = "India on Friday extended medical assistance worth $ 1 millian to North Korea"
    with pytest.raises(NotFound) as caught:
        anchor_quote(text_2020, quote, source_key=KEY_2020)
    assert str(caught.value) == (
        f"quote not found in source {KEY_2020!r}; the closest text it has (similarity 98.7/100, characters 0-76) "
        "is: 'India on Friday extended medical assistance worth $ 1 million to North Korea'; quote the source "
        "exactly, or add --accept-fuzzy to store that text marked for review"
    )


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
    text = "Party 🎉 time. The \u00e9lan was 😀 real."  # stored in NFC, as every source's text is
    anchor = anchor_quote(text, "e\u0301lan was 😀 real", source_key="emoji")  # typed decomposed: looked up in NFC
    assert anchor == Anchor(18, 33, AnchorMethod.EXACT)
    assert text[anchor.start : anchor.end] == "\u00e9lan was 😀 real"


# --- quotes that are not in the source exactly: shown, stored only when accepted, marked for review -----------

REAL_2020 = "India on Friday extended medical assistance worth $ 1 million to North Korea"
TYPO_2020 = REAL_2020.replace("million", "millian")
# hypothesis/client #7571: after an edit, a quote resembles two paragraphs about equally well.
LOOKALIKES = (
    "Team Alpha reported that the new deployment reduced latency by twelve percent across all regions.\n\n"
    "Team Beta reported that the new deployment reduced latency by twelve percent across all regions."
)
GAMMA = "Team Gamma reported that the new deployment reduced latency by twelve percent across all regions."


def test_an_accepted_typo_anchors_to_the_real_words_as_fuzzy_with_its_score(text_2020: str) -> None:
    anchor = anchor_quote(text_2020, TYPO_2020, source_key=KEY_2020, accept_fuzzy=True)
    assert anchor == Anchor(0, 76, AnchorMethod.FUZZY, 98.7)
    assert text_2020[anchor.start : anchor.end] == REAL_2020
    assert anchor.needs_review


def test_min_score_accepts_at_or_above_it_and_refuses_below(text_2020: str) -> None:
    assert anchor_quote(text_2020, TYPO_2020, source_key=KEY_2020, min_score=98.7).score == 98.7
    with pytest.raises(NotFound) as caught:
        anchor_quote(text_2020, TYPO_2020, source_key=KEY_2020, min_score=99)
    assert str(caught.value) == (
        f"quote not found in source {KEY_2020!r}; the closest text it has (similarity 98.7/100, characters 0-76) "
        f"is: {REAL_2020!r}, below the 99/100 accepted; quote the source exactly, or accept it with --min-score 98"
    )


def test_accept_fuzzy_alone_accepts_only_from_its_default_score(text_2018: str) -> None:
    quote = "Pyongyang's talks with America on giving up its nuclear weapons programme"
    near, score = closest_text(text_2018, quote)
    assert near == "Pyongyang's proposed talks with the United States on abandoning its nuclear weapons programme"
    assert score < DEFAULT_MIN_SCORE
    with pytest.raises(NotFound, match=rf"below the 80/100 accepted; .* --min-score {int(score)}$"):
        anchor_quote(text_2018, quote, source_key=KEY_2018, accept_fuzzy=True)
    anchor = anchor_quote(text_2018, quote, source_key=KEY_2018, min_score=int(score))
    assert (text_2018[anchor.start : anchor.end], anchor.method, anchor.score) == (near, AnchorMethod.FUZZY, score)


@pytest.mark.parametrize("min_score", [-1.0, 100.5, float("nan")])
def test_min_score_outside_0_to_100_is_refused(text_2020: str, min_score: float) -> None:
    with pytest.raises(Invalid, match=r"^--min-score .* is out of range; give a similarity from 0 to 100"):
        anchor_quote(text_2020, REAL_2020, source_key=KEY_2020, min_score=min_score)


@pytest.mark.parametrize("options", [{}, {"accept_fuzzy": True}, {"min_score": 0.0}])
def test_text_unlike_anything_in_the_source_has_no_candidate(text_2020: str, options: dict[str, object]) -> None:
    quote = "The quick brown fox jumps over the lazy dog"
    _, score = closest_text(text_2020, quote)
    assert score < CANDIDATE_FLOOR
    with pytest.raises(NotFound) as caught:
        anchor_quote(text_2020, quote, source_key=KEY_2020, **options)  # type: ignore[arg-type]
    message = str(caught.value)
    assert message.startswith(f"quote not found in source {KEY_2020!r}; nothing in it comes close: the closest text, ")
    assert f"scores {format_score(score)}/100, below the 60/100 a candidate needs" in message
    assert ("there is nothing to accept with --accept-fuzzy" in message) == bool(options)
    assert message.endswith("; check that the quote comes from this source")


def test_a_short_quote_is_never_matched_by_similarity(text_2018: str) -> None:
    # hypothesis/h #2634: "Linus" anchored to "chines"
    with pytest.raises(NotFound, match=r"too short to be matched approximately \(under 15 characters\)"):
        anchor_quote(text_2018, "Pompeo visitd", source_key=KEY_2018, accept_fuzzy=True)


def test_spans_about_as_close_as_the_best_are_shown_and_must_be_chosen_between() -> None:
    with pytest.raises(NotFound) as refused:
        anchor_quote(LOOKALIKES, GAMMA, source_key="ops")
    assert "(text at 0-97 (95.9/100) comes about as close)" in str(refused.value)
    with pytest.raises(Invalid) as ambiguous:
        anchor_quote(LOOKALIKES, GAMMA, source_key="ops", accept_fuzzy=True)
    message = str(ambiguous.value)
    assert message.startswith("text about as close to the quote occurs 2 times in source 'ops': ")
    assert "1) at 0-97 (similarity 95.9/100): " in message and "2) at 99-195 (similarity 96.4/100): " in message
    assert message.endswith("choose one with --occurrence N, or --prefix/--suffix")
    first = anchor_quote(LOOKALIKES, GAMMA, source_key="ops", accept_fuzzy=True, occurrence=1)
    assert first == Anchor(0, 97, AnchorMethod.FUZZY, 95.9)
    second = anchor_quote(LOOKALIKES, GAMMA, source_key="ops", accept_fuzzy=True, prefix="regions.\n\n")
    assert second == Anchor(99, 195, AnchorMethod.FUZZY, 96.4)


@pytest.mark.parametrize(
    ("quote", "real"),
    [
        ("New Delhi's envoy to Pyongyang", "New Delhi\u2019s envoy to Pyongyang"),
        ('India is "sensitive to the shortage', "India is “sensitive to the shortage"),
        ("medical  assistance\nworth $ 1 million", "medical assistance worth $ 1 million"),
        ("assistance worth $\u20031 million", "assistance worth $ 1 million"),  # an em space; a no-break one is found
    ],
)
def test_quotation_marks_and_spacing_are_found_by_rule_but_stored_only_as_fuzzy(
    text_2020: str, quote: str, real: str
) -> None:
    start = text_2020.index(real)
    with pytest.raises(NotFound) as caught:
        anchor_quote(text_2020, quote, source_key=KEY_2020)
    message = str(caught.value)
    assert "(the same words with other quotation marks or spacing; similarity " in message
    assert f", characters {start}-{start + len(real)}) is: {real!r}; quote the source exactly" in message
    anchor = anchor_quote(text_2020, quote, source_key=KEY_2020, accept_fuzzy=True)
    assert (anchor.start, anchor.end, anchor.method) == (start, start + len(real), AnchorMethod.FUZZY)
    assert anchor.score is not None and DEFAULT_MIN_SCORE <= anchor.score < 100


def test_review_label_says_why_evidence_needs_review() -> None:
    assert review_label(True, AnchorMethod.FUZZY, 91.0) == "fuzzy match 91/100"
    assert review_label(True, AnchorMethod.FUZZY, 79.6) == "fuzzy match 79.6/100"
    assert review_label(False, AnchorMethod.FUZZY, 91.0) is None


# --- quotes with words left out ----------------------------------------------------------------------------

SUNTECH_PARTS = ("certain nuclear materials supplied to Pakistan Atomic Energy Commission", "were being diverted")
SUNTECH_SPAN = (2843, 3005)


@pytest.mark.parametrize("mark", [" ... ", " … ", "…", " [...] ", " […] ", " (...) ", " . . . ", "... "])
def test_a_quote_with_left_out_words_anchors_the_whole_span_its_parts_cover(text_2020: str, mark: str) -> None:
    quote = mark.join(SUNTECH_PARTS)
    anchor = anchor_quote(text_2020, quote, source_key=KEY_2020)
    assert anchor == Anchor(*SUNTECH_SPAN, AnchorMethod.EXACT_OMISSION)
    span = text_2020[anchor.start : anchor.end]
    assert span.startswith(SUNTECH_PARTS[0]) and span.endswith(SUNTECH_PARTS[1])
    assert "by the Suntech Technology Company Limited of China in the recent years" in span
    assert [span[s:e] for s, e in omission_parts(span, quote)] == list(SUNTECH_PARTS)
    assert shown_quote(span, quote, anchor.method) == " … ".join(SUNTECH_PARTS)


def test_a_quote_with_three_parts_keeps_each_part_where_it_was_found(text_2020: str) -> None:
    quote = "certain nuclear materials … Suntech Technology Company … diverted to North Korea"
    anchor = anchor_quote(text_2020, quote, source_key=KEY_2020)
    span = text_2020[anchor.start : anchor.end]
    assert [span[s:e] for s, e in omission_parts(span, quote)] == [
        "certain nuclear materials",
        "Suntech Technology Company",
        "diverted to North Korea",
    ]
    assert shown_quote(span, quote, AnchorMethod.EXACT) == span  # only an omission anchor shows parts


@pytest.mark.parametrize(
    ("quote", "words"),
    [
        ("... were being diverted to North Korea", "were being diverted to North Korea"),
        ("…were being diverted to North Korea", "were being diverted to North Korea"),
        ("were being diverted to North Korea...", "were being diverted to North Korea"),
        ("[…] were being diverted to North Korea […]", "were being diverted to North Korea"),
    ],
)
def test_an_ellipsis_only_at_the_start_or_end_simply_anchors_the_words(text_2020: str, quote: str, words: str) -> None:
    assert not has_omission(quote) and trim_ellipses(quote) == words
    anchor = anchor_quote(text_2020, quote, source_key=KEY_2020)
    assert anchor.method is AnchorMethod.EXACT and text_2020[anchor.start : anchor.end] == words


def test_an_ellipsis_that_is_in_the_source_is_matched_exactly() -> None:
    text = "He paused... Then he left the room without a word."
    assert anchor_quote(text, "paused... Then he left", source_key="s") == Anchor(3, 25, AnchorMethod.EXACT)


@pytest.mark.parametrize("quote", ["...", " … ".strip(), "[...]"])
def test_a_quote_that_is_only_an_ellipsis_is_refused(text_2020: str, quote: str) -> None:
    with pytest.raises(Invalid, match=r"^the quote is only an ellipsis; give the exact words from the source$"):
        anchor_quote(text_2020, quote, source_key=KEY_2020)


def test_a_part_not_in_the_source_is_named_and_nothing_is_guessed(text_2020: str) -> None:
    quote = "certain nuclear materials supplied ... were being diverted to Pakistan"
    with pytest.raises(NotFound) as caught:
        anchor_quote(text_2020, quote, source_key=KEY_2020, accept_fuzzy=True)
    assert str(caught.value) == (
        f"part 2 of the quote, 'were being diverted to Pakistan', is not in source {KEY_2020!r} (the closest "
        "text, similarity 83/100: 'were being diverted to'); a quote with left-out words is anchored only if each "
        "part is in the source exactly"
    )


def test_parts_out_of_order_are_refused(text_2020: str) -> None:
    with pytest.raises(NotFound, match=r"^the parts of the quote are in source .* but never in this order; "):
        anchor_quote(text_2020, "were being diverted ... certain nuclear materials", source_key=KEY_2020)


def test_parts_in_different_paragraphs_are_refused(text_2020: str) -> None:
    quote = "India on Friday ... in violation of the sanctions"
    with pytest.raises(NotFound) as caught:
        anchor_quote(text_2020, quote, source_key=KEY_2020)
    assert str(caught.value) == (
        f"the parts of the quote are in source {KEY_2020!r} in this order only further apart than one paragraph "
        "and 1,000 characters; quote words that stand together, or cite each part as evidence of its own"
    )


def test_parts_further_apart_than_the_limit_within_one_paragraph_are_refused() -> None:
    filler = "and so on " * (MAX_OMISSION_SPAN // 10)
    text = f"The minister said {filler}that aid would continue."
    with pytest.raises(NotFound, match="only further apart than one paragraph and 1,000 characters"):
        anchor_quote(text, "The minister said ... that aid would continue", source_key="long")
    near = f"The minister said {filler[:500]}that aid would continue."
    anchor = anchor_quote(near, "The minister said ... that aid would continue", source_key="near")
    assert anchor == Anchor(0, len(near) - 1, AnchorMethod.EXACT_OMISSION)


def test_the_paragraphs_given_are_the_limit_not_blank_lines() -> None:
    text = "The minister said\nthat aid would continue."
    quote = "The minister said ... aid would continue"
    assert anchor_quote(text, quote, source_key="s").end == 41
    with pytest.raises(NotFound, match="only further apart than one paragraph"):
        anchor_quote(text, quote, source_key="s", paragraphs=[(0, 17), (18, 42)])


def test_several_places_for_a_quote_with_left_out_words_are_chosen_like_occurrences() -> None:
    text = "the cat sat on the mat. the cat lay on the rug."
    quote = "the cat ... on the"
    with pytest.raises(Invalid) as caught:
        anchor_quote(text, quote, source_key="cats")
    assert str(caught.value) == (
        "the quote with its left-out words occurs 2 times in source 'cats': 1) at 0-18: …[the cat sat on the] mat. "
        "the cat lay on the…; 2) at 24-42: …the cat sat on the mat. [the cat lay on the] rug.…; choose one with "
        "--occurrence N, or --prefix/--suffix"
    )
    assert anchor_quote(text, quote, source_key="cats", occurrence=2) == Anchor(24, 42, AnchorMethod.EXACT_OMISSION)
    assert anchor_quote(text, quote, source_key="cats", suffix=" mat") == Anchor(0, 18, AnchorMethod.EXACT_OMISSION)


def test_the_tightest_span_is_taken_when_a_first_part_recurs_before_the_last() -> None:
    assert anchor_quote("A and A then B.", "A ... B", source_key="s") == Anchor(6, 14, AnchorMethod.EXACT_OMISSION)
    assert quote_parts("A ... B") == ["A", "B"]
