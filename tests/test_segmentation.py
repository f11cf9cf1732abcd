"""Paragraph and sentence segmentation: exact code-point offsets, and where sentences do and do not end."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from conftest import SEED_2018, SEED_2020

from provenance.segmentation import Segment, paragraphs, segment, sentences
from provenance.sources import read_document


def sentence_texts(text: str) -> list[str]:
    """The text of every sentence ``segment`` finds, in order."""
    return [text[s.start : s.end] for s in segment(text) if s.kind == "sentence"]


def spans(text: str, kind: str) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, text[s.start : s.end]) for s in segment(text) if s.kind == kind]


# --- paragraphs and offsets ---------------------------------------------------------------------------


def test_paragraphs_split_at_blank_lines_and_are_trimmed() -> None:
    text = "Headline\n\nFirst one. Second one.\n \t\n\n  Third para.  "
    assert list(paragraphs(text)) == [(0, 8), (10, 32), (39, 50)]
    assert [text[a:b] for a, b in paragraphs(text)] == ["Headline", "First one. Second one.", "Third para."]


def test_segment_lists_each_paragraph_before_its_sentences_with_numbers() -> None:
    text = "Headline\n\nFirst one. Second one.\n \t\n\n  Third para.  "
    assert segment(text) == [
        Segment("paragraph", 0, 8, 1, None),
        Segment("sentence", 0, 8, 1, 1),
        Segment("paragraph", 10, 32, 2, None),
        Segment("sentence", 10, 20, 2, 1),
        Segment("sentence", 21, 32, 2, 2),
        Segment("paragraph", 39, 50, 3, None),
        Segment("sentence", 39, 50, 3, 1),
    ]


def test_a_single_newline_does_not_end_a_paragraph() -> None:
    text = "Line one\nline two. Next line."
    assert spans(text, "paragraph") == [(0, 29, text)]
    assert spans(text, "sentence") == [(0, 18, "Line one\nline two."), (19, 29, "Next line.")]


def test_several_blank_lines_are_one_paragraph_break_and_interior_spacing_is_kept() -> None:
    text = "Intro  text.\n\n\n\nAfter gap."
    assert spans(text, "paragraph") == [(0, 12, "Intro  text."), (16, 26, "After gap.")]


def test_headline_without_full_stop_is_its_own_paragraph_and_sentence() -> None:
    text = "India looks to revive ties with North Korea\n\nThe minister arrived. He left."
    assert segment(text)[:2] == [
        Segment("paragraph", 0, 43, 1, None),
        Segment("sentence", 0, 43, 1, 1),
    ]
    assert sentence_texts(text) == [
        "India looks to revive ties with North Korea",
        "The minister arrived.",
        "He left.",
    ]


def test_empty_and_blank_text_has_no_segments() -> None:
    assert segment("") == []
    assert segment(" \n\n\t \n") == []


def test_sentences_of_a_range_stay_inside_that_range() -> None:
    text = "Before. Inside one. Inside two. After."
    start, end = text.index("Inside one"), text.index(" After")
    assert list(sentences(text, start, end)) == [(8, 19), (20, 31)]
    assert [text[a:b] for a, b in sentences(text, start, end)] == ["Inside one.", "Inside two."]


# --- where sentences do not end -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The U.S. and the U.N. agreed on new sanctions.",
        "Officials met Dr. Ambedkar in the morning.",
        "The order went out to No. 10 Downing Street.",
        "He reported to Gen. Kim Yong-chol in person.",
        "The talks began on Jan. 12 and ended on Feb. 3 this year.",
        "Talks with Mr. Moon and Mrs. Lee were held at St. Petersburg.",
        "The deal was signed by Acme Inc. Ltd. of Mumbai.",
    ],
)
def test_abbreviations_do_not_end_a_sentence(text: str) -> None:
    assert sentence_texts(text) == [text]


@pytest.mark.parametrize(
    "text",
    [
        "V K Singh visited Pyongyang in May 2018.",
        "Prime Minister A B Vajpayee led the government.",
        "A. Q. Khan ran the network for years.",
        "The letter was signed by J. R. D. Tata himself.",
    ],
)
def test_initials_do_not_end_a_sentence(text: str) -> None:
    assert sentence_texts(text) == [text]


@pytest.mark.parametrize(
    "text",
    [
        "India gave $ 1 million in medicines.",
        "Growth slowed to 3.5 per cent last year.",
        "About 1,000 tonnes of food were sent.",
        "The budget was $ 2.75 billion in 2019.",
        "Version 1.2.3 of the report was released.",
    ],
)
def test_numbers_and_amounts_do_not_end_a_sentence(text: str) -> None:
    assert sentence_texts(text) == [text]


@pytest.mark.parametrize(
    "text",
    [
        "He paused... and then spoke again.",
        "He paused… and then spoke again.",
        "Why? he asked the minister.",
        "Stop! she shouted at the crowd.",
    ],
)
def test_terminal_punctuation_followed_by_lowercase_does_not_end_a_sentence(text: str) -> None:
    assert sentence_texts(text) == [text]


# --- where sentences end ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Is it over? Yes! It is.", ["Is it over?", "Yes!", "It is."]),
        ("Really?! Nobody knew.", ["Really?!", "Nobody knew."]),
        ("He paused... Then he spoke.", ["He paused...", "Then he spoke."]),
        ("He paused… Then he spoke.", ["He paused…", "Then he spoke."]),
        ("The talks ended in 2011. Then they resumed.", ["The talks ended in 2011.", "Then they resumed."]),
        ("It cost $ 1 million. Then 1,000 more.", ["It cost $ 1 million.", "Then 1,000 more."]),
        ("The vote failed. 12 members abstained.", ["The vote failed.", "12 members abstained."]),
        ("Aid arrived. $ 1 million more was pledged.", ["Aid arrived.", "$ 1 million more was pledged."]),
        ("See the annex (page two.) Then read on.", ["See the annex (page two.)", "Then read on."]),
    ],
)
def test_sentence_ends_after_terminal_punctuation_before_a_capital_digit_or_bracket(
    text: str, expected: list[str]
) -> None:
    assert sentence_texts(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('He said "Yes." Then he left.', ['He said "Yes."', "Then he left."]),
        ('He said "No." Then he left.', ['He said "No."', "Then he left."]),
        ("He said “No.” Then he left.", ["He said “No.”", "Then he left."]),
        ("He said 'No.' Then he left.", ["He said 'No.'", "Then he left."]),
        ('He said "Never!" Then he left.', ['He said "Never!"', "Then he left."]),
        ('Was it "minimal?" Nobody said.', ['Was it "minimal?"', "Nobody said."]),
    ],
)
def test_sentence_ends_after_closing_quotes(text: str, expected: list[str]) -> None:
    assert sentence_texts(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('She left. "Go," he said.', ["She left.", '"Go," he said.']),
        ("She left. “Go,” he said.", ["She left.", "“Go,” he said."]),
        ("She left. (He stayed.)", ["She left.", "(He stayed.)"]),
    ],
)
def test_sentence_ends_before_an_opening_quote_or_bracket(text: str, expected: list[str]) -> None:
    assert sentence_texts(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Growth was 3.5. Exports fell.", ["Growth was 3.5.", "Exports fell."]),
        ("The vote was 7. The motion failed.", ["The vote was 7.", "The motion failed."]),
    ],
)
def test_a_number_at_the_end_of_a_sentence_ends_it(text: str, expected: list[str]) -> None:
    assert sentence_texts(text) == expected


def test_sentence_text_is_trimmed_and_offsets_skip_the_spaces_between() -> None:
    text = "First.   Second?\tThird!"
    assert spans(text, "sentence") == [(0, 6, "First."), (9, 16, "Second?"), (17, 23, "Third!")]


# --- code points --------------------------------------------------------------------------------------


def test_offsets_are_code_points_with_emoji() -> None:
    text = "Party 🎉. Then more 😀 text. End."
    assert spans(text, "sentence") == [(0, 8, "Party 🎉."), (9, 26, "Then more 😀 text."), (27, 31, "End.")]
    assert spans(text, "paragraph") == [(0, 31, text)]


def test_offsets_are_code_points_with_combining_marks() -> None:
    text = "Cafe\u0301 au lait\n\nCafe\u0301 open. Then close."
    assert spans(text, "paragraph") == [
        (0, 13, "Cafe\u0301 au lait"),
        (15, 38, "Cafe\u0301 open. Then close."),
    ]
    assert spans(text, "sentence") == [
        (0, 13, "Cafe\u0301 au lait"),
        (15, 26, "Cafe\u0301 open."),
        (27, 38, "Then close."),
    ]


# --- the seed articles --------------------------------------------------------------------------------


@pytest.fixture(params=[SEED_2018, SEED_2020], ids=["2018", "2020"])
def seed_text(request: pytest.FixtureRequest) -> str:
    path: Path = request.param
    return read_document(path).text


def test_seed_sentences_lie_inside_their_paragraph(seed_text: str) -> None:
    segments = segment(seed_text)
    by_number = {s.paragraph_no: s for s in segments if s.kind == "paragraph"}
    for s in segments:
        if s.kind == "sentence":
            paragraph = by_number[s.paragraph_no]
            assert paragraph.start <= s.start < s.end <= paragraph.end, s


def test_seed_sentences_and_paragraphs_do_not_overlap(seed_text: str) -> None:
    for kind in ("paragraph", "sentence"):
        found = [(s.start, s.end) for s in segment(seed_text) if s.kind == kind]
        assert found == sorted(found)
        for (_, end), (next_start, _) in itertools.pairwise(found):
            assert end < next_start, (kind, end, next_start)


def test_seed_sentences_are_trimmed_and_numbered_from_one(seed_text: str) -> None:
    expected_no = 0
    for s in segment(seed_text):
        if s.kind == "paragraph":
            expected_no = 0
            continue
        expected_no += 1
        assert s.sentence_no == expected_no
        sentence = seed_text[s.start : s.end]
        assert sentence == sentence.strip()
        assert sentence


def test_seed_paragraphs_cover_all_non_blank_text(seed_text: str) -> None:
    paragraph_spans = [(s.start, s.end) for s in segment(seed_text) if s.kind == "paragraph"]
    covered = "".join(seed_text[a:b] for a, b in paragraph_spans)
    assert "".join(covered.split()) == "".join(seed_text.split())


def test_2018_seed_starts_with_the_duplicated_headline() -> None:
    text = read_document(SEED_2018).text
    headline = "India looks to revive ties with North Korea"
    assert spans(text, "paragraph")[:2] == [(0, 43, headline), (45, 88, headline)]
    assert spans(text, "sentence")[:2] == [(0, 43, headline), (45, 88, headline)]


def test_2018_seed_us_secretary_sentence_is_one_sentence() -> None:
    text = read_document(SEED_2018).text
    expected = (
        "The meeting comes soon after U.S. Secretary of State Mike Pompeo visited North Korea for "
        "preparatory talks ahead of the Trump-Kim Summit."
    )
    assert Segment("sentence", 90, 227, 3, 1) in segment(text)
    assert text[90:227] == expected


def test_2018_seed_segment_counts() -> None:
    segments = segment(read_document(SEED_2018).text)
    assert sum(s.kind == "paragraph" for s in segments) == 10
    assert sum(s.kind == "sentence" for s in segments) == 17


def test_2020_seed_initials_sentence_then_naqvi_sentence() -> None:
    text = read_document(SEED_2020).text
    singh = (
        "V K Singh, then Minister of State for External Affairs, had embarked on a rare visit to North Korea "
        "in May 2018 \u2013 the first by a minister of the Government of India to the reclusive communist "
        "country in two decades."
    )
    naqvi = "Mukhtar Abbas Naqvi's visit in September 1998 had been the last by a minister from India to North Korea."
    paragraph_six = [(s.start, s.end, s.sentence_no) for s in segment(text) if s.paragraph_no == 6]
    assert paragraph_six[1:3] == [(1180, 1395, 1), (1396, 1500, 2)]
    assert text[1180:1395] == singh
    assert text[1396:1500] == naqvi
    assert text[1501:1692].endswith(
        "in Prime Minister A B Vajpayee's Government, when he had visited North "
        "Korea to attend the sixth Pyongyang Film Festival."
    )


def test_2020_seed_segment_counts() -> None:
    segments = segment(read_document(SEED_2020).text)
    assert sum(s.kind == "paragraph" for s in segments) == 9
    assert sum(s.kind == "sentence" for s in segments) == 16
