"""References rendered by citeproc-py in the shipped CSL styles, from the CSL-JSON items the csl export writes."""

from __future__ import annotations

import datetime as dt
import warnings

import pytest
from citeproc import SCHEMA_PATH  # type: ignore[import-untyped]
from conftest import Provenance
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from provenance import citations, cslstyle
from provenance.citations import STYLES, STYLES_DIR, csl_item, csl_names, reference
from provenance.errors import Invalid
from provenance.models import Source

KEY_2018 = "india-north-korea-2018"
KEY_2020 = "india-medical-aid-2020"
CAPTURED = dt.datetime(2025, 11, 22, 23, 30, tzinfo=dt.UTC)
UNTITLED_2020 = "[untitled; begins “India on Friday extended medical assistance worth $ 1 million…”]"


def source(**fields: object) -> Source:
    """A source as it stands after it is stored, not saved anywhere (rendering reads only its attributes)."""
    values: dict[str, object] = {"key": "s", "text": "Officials met on Tuesday.", "captured_at": CAPTURED}
    return Source(**(values | fields))


@pytest.fixture
def seeds(seeded: Provenance, session: Session) -> dict[str, Source]:
    return {s.key: s for s in session.scalars(select(Source))}


SEED_REFERENCES = {
    ("apa", KEY_2018): "Fisher, I. (2018, May 17). India looks to revive ties with North Korea.",
    ("apa", KEY_2020): f"{UNTITLED_2020}. (2020, July 25).",
    ("chicago-author-date", KEY_2018): "Fisher, Isabel. 2018. India Looks to Revive Ties with North Korea. May 17.",
    ("chicago-author-date", KEY_2020): f"{UNTITLED_2020}. 2020. July 25.",
}


@pytest.mark.parametrize(("style", "key"), list(SEED_REFERENCES))
def test_the_seed_sources_reference_in_each_style(seeds: dict[str, Source], style: str, key: str) -> None:
    assert reference(seeds[key], style) == SEED_REFERENCES[style, key]


AGENCY_REFERENCES = {
    "apa": "Press Trust of India. (2018, May 17). Singh visits Pyongyang: a first in two decades. The Hindu. "
    "https://example.org/singh.",
    "chicago-author-date": "Press Trust of India. 2018. “Singh Visits Pyongyang: A First in Two Decades.” "
    "The Hindu, May 17. https://example.org/singh.",
}


@pytest.mark.parametrize(("style", "expected"), AGENCY_REFERENCES.items())
def test_an_agency_byline_publisher_and_url_are_cited(style: str, expected: str) -> None:
    agency = source(
        title="Singh visits Pyongyang: a first in two decades",
        author="Press Trust of India",
        publisher="The Hindu",
        url="https://example.org/singh",
        published=dt.date(2018, 5, 17),
    )
    assert reference(agency, style) == expected


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("apa", "Fisher, I., & Roy, A. K. (2020, July 25). Aid for tuberculosis. The Hindu."),
        ("chicago-author-date", "Fisher, Isabel, and Anand K. Roy. 2020. “Aid for Tuberculosis.” The Hindu, July 25."),
    ],
)
def test_two_bylined_authors_are_both_cited(style: str, expected: str) -> None:
    two = source(
        title="Aid for tuberculosis",
        author="Isabel Fisher and Anand K. Roy",
        publisher="The Hindu",
        published=dt.date(2020, 7, 25),
    )
    assert reference(two, style) == expected


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("apa", "[untitled; begins “Officials met on Tuesday.”]. (n.d.)."),
        ("chicago-author-date", "[untitled; begins “Officials met on Tuesday.”]. n.d."),
    ],
)
def test_an_untitled_undated_anonymous_source_is_named_by_its_opening_words(style: str, expected: str) -> None:
    assert reference(source(), style) == expected


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("apa", "Ministry statement. (n.d.). Retrieved November 22, 2025, from https://example.org/statement."),
        ("chicago-author-date", "Ministry Statement. n.d. Accessed November 22, 2025. https://example.org/statement."),
    ],
)
def test_a_title_standing_in_for_a_missing_author_is_not_repeated(style: str, expected: str) -> None:
    anonymous = source(title="Ministry statement", url="https://example.org/statement")
    assert reference(anonymous, style) == expected  # the capture date is the access date of an undated page


@pytest.mark.parametrize("style", STYLES)
def test_every_reference_ends_with_one_period(style: str) -> None:
    for fields in [{}, {"url": "https://example.org/a"}, {"title": "Why “Taiwan”", "author": "Isabel Fisher"}]:
        text = reference(source(**fields), style)
        assert text.endswith(".") and not text.endswith(".."), text


def test_a_reference_follows_the_source_not_an_earlier_rendering() -> None:
    assert reference(source(title="First title"), "apa").startswith("First title.")
    assert reference(source(title="Second title"), "apa").startswith("Second title.")


VARIED = [
    {},
    {"title": "Singh visits Pyongyang", "author": "Press Trust of India", "publisher": "The Hindu"},
    {"title": "Two bylines", "author": "Isabel Fisher and Anand Roy", "published": dt.date(2018, 5, 17)},
    {"title": "Only a link", "url": "https://example.org/a"},
    {"author": "Isabel Fisher", "url": "https://example.org/b", "published": dt.date(2020, 7, 25)},
    {"title": "Everything", "author": "Fisher, Isabel", "publisher": "Reuters", "url": "https://example.org/c",
     "published": dt.date(2019, 1, 2)},
]  # fmt: skip


@pytest.mark.parametrize("style", STYLES)
def test_a_reference_is_the_same_whatever_was_rendered_before_it(style: str) -> None:
    """What is worked out once per style element, and per kind of item, is the same for every reference."""
    sources = [source(key=f"s{n}", **fields) for n, fields in enumerate(VARIED)]
    forwards = [reference(s, style) for s in sources]
    citations._render.cache_clear()
    cslstyle._BRANCHES.clear()
    backwards = [reference(s, style) for s in reversed(sources)]
    assert forwards == backwards[::-1]
    assert len(set(forwards)) == len(sources)


def test_an_unknown_style_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(Invalid, match=r"unknown citation style 'mla'; use one of: apa, chicago-author-date"):
        reference(source(), "mla")


def test_rendering_raises_no_warning() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for style in STYLES:
            reference(source(title="Warned?", author="Isabel Fisher", url="https://example.org/w"), style)
    assert [str(w.message) for w in caught] == []


@pytest.mark.parametrize("style", STYLES)
def test_the_shipped_styles_are_valid_csl_and_keep_their_licence(style: str) -> None:
    document = etree.parse(str(STYLES_DIR / f"{style}.csl"))
    schema = etree.RelaxNG(etree.parse(SCHEMA_PATH))
    assert schema.validate(document), schema.error_log
    rights = document.find("{http://purl.org/net/xbiblio/csl}info/{http://purl.org/net/xbiblio/csl}rights")
    assert rights is not None and rights.get("license") == "http://creativecommons.org/licenses/by-sa/3.0/"


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("Isabel Fisher", [{"family": "Fisher", "given": "Isabel"}]),
        ("  Isabel   Fisher ", [{"family": "Fisher", "given": "Isabel"}]),
        ("Fisher, Isabel", [{"family": "Fisher", "given": "Isabel"}]),
        ("Kim, Jong Un", [{"family": "Kim", "given": "Jong Un"}]),
        ("García Márquez, Gabriel", [{"family": "García Márquez", "given": "Gabriel"}]),
        ("A. Q. Khan", [{"family": "Khan", "given": "A. Q."}]),
        ("V K Singh", [{"family": "Singh", "given": "V K"}]),
        ("Sean O’Brien", [{"family": "O’Brien", "given": "Sean"}]),
        ("Élodie Durand-Roy", [{"family": "Durand-Roy", "given": "Élodie"}]),
        ("Isabel Fisher, Jr.", [{"family": "Fisher", "given": "Isabel", "suffix": "Jr."}]),
        ("Ludwig van Beethoven", [{"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"}]),
        (
            "Isabel Fisher, Anand Roy and Li Wei",
            [
                {"family": "Fisher", "given": "Isabel"},
                {"family": "Roy", "given": "Anand"},
                {"family": "Wei", "given": "Li"},
            ],
        ),
        ("Isabel Fisher; Anand Roy", [{"family": "Fisher", "given": "Isabel"}, {"family": "Roy", "given": "Anand"}]),
        ("Reuters", [{"literal": "Reuters"}]),
        ("PTI", [{"literal": "PTI"}]),
        ("Press Trust of India", [{"literal": "Press Trust of India"}]),
        ("The Associated Press", [{"literal": "The Associated Press"}]),
        ("Agence France-Presse", [{"literal": "Agence France-Presse"}]),
        ("Staff Reporter", [{"literal": "Staff Reporter"}]),
        ("HT Correspondent", [{"literal": "HT Correspondent"}]),
        ("Johnson & Johnson", [{"literal": "Johnson & Johnson"}]),
        ("By Isabel Fisher", [{"literal": "By Isabel Fisher"}]),
        ("isabel fisher", [{"literal": "isabel fisher"}]),
        ("Sushma Swaraj (New Delhi)", [{"literal": "Sushma Swaraj (New Delhi)"}]),
    ],
)
def test_bylines_become_person_names_or_literal_names(byline: str, names: list[dict[str, str]]) -> None:
    assert csl_names(byline) == names


def test_the_csl_item_holds_what_the_source_records() -> None:
    full = source(
        key="k",
        title="Singh visits Pyongyang",
        author="Isabel Fisher",
        publisher="The Hindu",
        url="https://example.org/singh",
        published=dt.date(2018, 5, 17),
        captured_at=dt.datetime(2025, 11, 22, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    )
    assert csl_item(full) == {
        "id": "k",
        "type": "article-newspaper",
        "title": "Singh visits Pyongyang",
        "author": [{"family": "Fisher", "given": "Isabel"}],
        "container-title": "The Hindu",
        "URL": "https://example.org/singh",
        "issued": {"date-parts": [[2018, 5, 17]]},
        "accessed": {"date-parts": [[2025, 11, 23]]},  # the capture date in UTC
    }


def test_the_csl_item_of_an_untitled_anonymous_undated_source_invents_nothing() -> None:
    assert csl_item(source(key="bare")) == {
        "id": "bare",
        "type": "article-newspaper",
        "accessed": {"date-parts": [[2025, 11, 22]]},
    }


def test_the_report_footnotes_use_the_style_asked_for(seeded: Provenance) -> None:
    report = seeded.ok("report", "--style", "chicago-author-date", "--claim", "singh-first-visit-in-two-decades").stdout
    assert "]: Fisher, Isabel. 2018. India Looks to Revive Ties with North Korea. May 17. Source `" in report
