"""What a reword changes in meaning (provenance.meaning): numbers, dates, amounts, negations and names are compared
as values, each change listed in the words of the two passages; wording of no such kind changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from provenance import entities
from provenance.meaning import NO_NAMES, Change, KnownNames, changes, describe

NAMES = KnownNames({"north korea": 1, "dprk": 1, "south korea": 2, "office for national statistics": 3, "ons": 3})


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ("bills set to rise 12% this year", "bills set to rise 9.4% this year", [("amount", "12%", "9.4%")]),
        ("aid worth $1 million", "aid worth $1.5 million", [("amount", "$1 million", "$1.5 million")]),
        ("aid worth $2bn in all", "aid worth €2bn in all", [("amount", "$2bn", "€2bn")]),
        ("about 12% of voters", "12% of voters", [("amount", "about 12%", "12%")]),
        ("after two decades of talks", "after two years of talks", [("amount", "two decades", "two years")]),
        ("employs 450 engineers", "employs 540 engineers", [("number", "450 engineers", "540 engineers")]),
        ("the figure rose by 3, officials said", "the figure rose by 4, officials said", [("number", "3", "4")]),
        ("the plant closed in 2011", "the plant closed in 2012", [("date", "2011", "2012")]),
        ("opened on 3 March 2019", "opened on 3 March 2018", [("date", "3 March 2019", "3 March 2018")]),
        ("released on 30 April by", "released on 1 May by", [("date", "30 April", "1 May")]),
        ("the ship left on Friday", "the ship left on Saturday", [("date", "Friday", "Saturday")]),
        ("the ship left yesterday", "the ship left today", [("date", "yesterday", "today")]),
        ("the minister did not sign", "the minister did sign", [("negation", "not", None)]),
        ("the minister signed it", "the minister never signed it", [("negation", None, "never")]),
        ("the minister didn't sign", "the minister did sign", [("negation", "didn't", None)]),
        ("he never signed it", "he had not signed it", [("negation", "never", "not")]),
        ("they left without the money", "they left with the money", [("negation", "without", None)]),
        ("the ministry denied the report", "the ministry confirmed the report", [("negation", "denied", None)]),
        ("confirmed by Sarah Jones, the", "confirmed by Sarah Smith, the", [("name", "Sarah Jones", "Sarah Smith")]),
        ("aid to North Korea resumed", "aid to South Korea resumed", [("name", "North Korea", "South Korea")]),
        ("figures from the ONS show", "figures from the ministry show", [("name", "ONS", None)]),
        (
            "Smith said 12% would not",
            "Jones said 9% would",
            [("name", "Smith", "Jones"), ("amount", "12%", "9%"), ("negation", "not", None)],
        ),
    ],
)
def test_each_change_of_meaning_is_listed_with_its_words(
    before: str, after: str, expected: list[tuple[str, str | None, str | None]]
) -> None:
    assert [(c.kind, c.before, c.after) for c in changes(before, after, NAMES)] == expected


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("bills set to rise 12% this year", "bills set to rise 12 per cent this year"),
        ("three ships sailed from the port", "3 ships sailed from the port"),
        ("the figure rose by twenty-five", "the figure rose by 25"),
        ("after two decades of talks", "after 20 years of talks"),
        ("the minister did not sign", "the minister didn't sign"),
        ("the minister cannot sign", "the minister can not sign"),
        ("aid to North Korea resumed", "aid to the DPRK resumed"),  # an alias is its entity
        ("figures from the ONS show", "figures from the Office for National Statistics show"),
        ("Bills are set to rise", "bills are set to rise"),  # a capital that starts a sentence names no one
        ("The consignment held medicines.", "The consignment held medicine."),
        ("prices may rise", "prices will rise"),  # "may" is a month only with its capital
        ("1,000 people", "1000 people"),
    ],
)
def test_the_same_meaning_in_other_words_changes_nothing(before: str, after: str) -> None:
    assert changes(before, after, NAMES) == []


def test_numbers_in_words_and_digits_agree_only_as_quantities_reads_them() -> None:
    assert changes("three ships", "3 ships") == []
    assert [c.words() for c in changes("three ships", "4 ships")] == ["changes three ships to 4 ships"]


def test_a_name_said_twice_against_once_is_a_change() -> None:
    assert [c.words() for c in changes("Jones met Jones", "Jones met him")] == ["leaves out Jones"]


def test_an_unknown_name_is_still_a_name_and_a_known_one_is_found_in_any_case() -> None:
    assert [c.words() for c in changes("aid to Ruritania", "aid to Freedonia", NO_NAMES)] == [
        "changes Ruritania to Freedonia"
    ]
    assert [c.words() for c in changes("aid to north korea", "aid to south korea", NAMES)] == [
        "changes north korea to south korea"
    ]


def test_changes_are_said_in_one_phrase() -> None:
    found = changes("Smith said 12% would not", "Jones said 9% would")
    assert describe(found) == "changes Smith to Jones, changes 12% to 9% and leaves out “not”"
    assert describe([Change("negation", None, "never")]) == "adds “never”"
    assert describe([]) == ""
    assert found[1].record() == {"kind": "amount", "before": "12%", "after": "9%"}


def test_known_names_are_the_desks_entities_and_aliases(session: Session) -> None:
    [korea] = entities.get_or_create_entities(session, ["North Korea"])
    entities.add_aliases(session, "North Korea", ["DPRK"])
    entities.get_or_create_entities(session, ["South Korea"])
    session.flush()
    names = KnownNames.load(session)
    assert [(s, e) for s, e, _ in names.find("From the DPRK to North  Korea and South Korea")] == [
        (9, 13),
        (17, 29),
        (34, 45),
    ]
    assert changes("aid to the DPRK", "aid to North Korea", names) == []
    assert [c.words() for c in changes("aid to North Korea", "aid to South Korea", names)] == [
        "changes North Korea to South Korea"
    ]
    assert korea.name == "North Korea"
