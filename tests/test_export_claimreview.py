"""The ClaimReview export: one schema.org ClaimReview per claim with a verdict, with the fields Google's
fact-check markup requires and recommends, shaped like the official schema.org examples."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, Provenance
from sqlalchemy import select
from sqlalchemy.orm import Session

from provenance.claims import add_claim, add_evidence
from provenance.documents import Metadata, document_from_text
from provenance.errors import Invalid
from provenance.export import claimreview, webannotation
from provenance.models import Claim, ClaimStatus, Source, Verdict
from provenance.report import Report, build_report
from provenance.sources import add_source

SCHEMAORG = REPO.parent / "shared" / "conformance" / "schemaorg"
ORGANISATION = "Example Fact Desk"
BASE_URL = "https://factcheck.example.org"
VERDICTS = {
    "singh-first-visit-in-two-decades": "mostly_true",
    "india-medical-aid-2020": "true",
    "dprk-denuclearisation-willingness": "mixed",
    "suntech-diversion": "unproven",
    "talks-may-be-called-off": "false",
}
BAD_URL_MESSAGE = (
    "ClaimReview needs --base-url as an absolute http(s) URL, e.g. https://factcheck.example.org; got {!r}"
)


@pytest.fixture
def reviewed(seeded: Provenance, tmp_path: Path) -> Provenance:
    """The demo database with verdicts on five claims, set through a claims file (status and verdict)."""
    lines = ["claims:"]
    for n, verdict in enumerate(VERDICTS.values()):
        lines += [
            f"  - key: reviewed-{n}",
            f"    statement: Reviewed claim {n}",
            "    status: published",
            f'    verdict: "{verdict}"',  # quoted: a bare true or false is a YAML boolean
        ]
    claims_file = tmp_path / "reviewed.yaml"
    claims_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    seeded.ok("import", str(claims_file))
    return seeded


def set_verdicts(session: Session) -> None:
    """Verdicts on the claims of VERDICTS, published."""
    for claim in session.scalars(select(Claim).where(Claim.key.in_(VERDICTS))):
        claim.verdict = Verdict(VERDICTS[claim.key])
        claim.status = ClaimStatus.PUBLISHED
    session.commit()


def test_a_verdict_not_yet_published_is_not_exported(seeded: Provenance, session: Session) -> None:
    set_verdicts(session)
    first, second = sorted(VERDICTS)[:2]
    for claim in session.scalars(select(Claim).where(Claim.key.in_([first, second]))):
        claim.status = ClaimStatus.IN_REVIEW if claim.key == first else ClaimStatus.WITHDRAWN
    session.commit()
    assert [r["url"] for r in export(session)] == [f"{BASE_URL}/claims/{key}" for key in sorted(VERDICTS)[2:]]


def export(session: Session, **kwargs: str) -> list[dict[str, Any]]:
    options = {"organisation": ORGANISATION, "base_url": BASE_URL, **kwargs}
    data: list[dict[str, Any]] = json.loads(claimreview.render(build_report(session), **options))
    return data


def by_key(reviews: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {review["url"].rsplit("/", 1)[1]: review for review in reviews}


def assert_date(value: Any) -> None:
    assert isinstance(value, str) and dt.date.fromisoformat(value).isoformat() == value


def test_only_claims_with_a_verdict_are_reviewed_in_key_order(seeded: Provenance, session: Session) -> None:
    set_verdicts(session)
    reviews = export(session)
    assert [r["url"] for r in reviews] == [f"{BASE_URL}/claims/{key}" for key in sorted(VERDICTS)]
    statements = {key: statement for key, statement in session.execute(select(Claim.key, Claim.statement))}
    assert {key: r["claimReviewed"] for key, r in by_key(reviews).items()} == {k: statements[k] for k in VERDICTS}


def test_verdicts_from_a_claims_file_are_reviewed(reviewed: Provenance, session: Session) -> None:
    reviews = by_key(export(session))
    assert set(reviews) == {f"reviewed-{n}" for n in range(len(VERDICTS))}
    assert [reviews[f"reviewed-{n}"]["reviewRating"]["alternateName"] for n in range(len(VERDICTS))] == [
        "Mostly true",
        "True",
        "Mixed",
        "Unproven",
        "False",
    ]
    # A claim with no evidence still names what was reviewed, but has no appearance, author or date.
    assert reviews["reviewed-0"]["itemReviewed"] == {"@type": "Claim"}


def test_every_review_has_googles_required_and_recommended_fields(seeded: Provenance, session: Session) -> None:
    set_verdicts(session)
    reviews = export(session)
    assert len(reviews) == len(VERDICTS)
    for review in reviews:
        assert review["@context"] == "https://schema.org" and review["@type"] == "ClaimReview"
        # Required: claimReviewed, reviewRating (a Rating with alternateName), url.
        assert isinstance(review["claimReviewed"], str) and review["claimReviewed"]
        rating = review["reviewRating"]
        assert rating["@type"] == "Rating" and isinstance(rating["alternateName"], str) and rating["alternateName"]
        assert review["url"].startswith(f"{BASE_URL}/claims/")
        # Recommended: the rating's numbers, author, datePublished, itemReviewed.
        if "ratingValue" in rating:
            assert (rating["bestRating"], rating["worstRating"]) == (5, 1)
            assert isinstance(rating["ratingValue"], int) and 1 <= rating["ratingValue"] <= 5
        assert review["author"] == {"@type": "Organization", "name": ORGANISATION, "url": BASE_URL}
        assert_date(review["datePublished"])
        item = review["itemReviewed"]
        assert item["@type"] == "Claim"
        assert_date(item["datePublished"])
        assert item["author"]["@type"] == "Person" and isinstance(item["author"]["name"], str)
        assert item["firstAppearance"] in item["appearance"]
        for work in item["appearance"]:
            assert work["@type"] == "CreativeWork" and isinstance(work["url"], str)
            assert_date(work["datePublished"])


def test_the_review_is_dated_by_the_claims_last_change(seeded: Provenance, session: Session) -> None:
    set_verdicts(session)
    updated = {key: updated_at for key, updated_at in session.execute(select(Claim.key, Claim.updated_at))}
    for key, review in by_key(export(session)).items():
        assert review["datePublished"] == updated[key].astimezone(dt.UTC).date().isoformat()


def test_the_claim_appears_in_its_supporting_sources_earliest_first(seeded: Provenance, session: Session) -> None:
    set_verdicts(session)
    sources = {s.key: s for s in session.scalars(select(Source))}
    item = by_key(export(session))["singh-first-visit-in-two-decades"]["itemReviewed"]
    article_2018 = {
        "@type": "CreativeWork",
        "url": webannotation.hash_uri(sources["india-north-korea-2018"]),
        "headline": "India looks to revive ties with North Korea",
        "datePublished": "2018-05-17",
        "author": {"@type": "Person", "name": "Isabel Fisher"},
    }
    report_2020 = {  # untitled and without a byline: nothing is invented for it
        "@type": "CreativeWork",
        "url": webannotation.hash_uri(sources["india-medical-aid-2020"]),
        "datePublished": "2020-07-25",
    }
    assert item == {
        "@type": "Claim",
        "appearance": [article_2018, report_2020],  # two passages in the 2020 report: it appears once
        "firstAppearance": article_2018,
        "datePublished": "2018-05-17",
        "author": {"@type": "Person", "name": 'India\'s foreign ministry ("the foreign ministry said on Wednesday")'},
    }


def test_contradicting_and_mentioning_sources_are_not_appearances(seeded: Provenance, session: Session) -> None:
    """dprk-denuclearisation-willingness is contradicted by a passage of the same article: still one appearance."""
    set_verdicts(session)
    item = by_key(export(session))["dprk-denuclearisation-willingness"]["itemReviewed"]
    assert [work["headline"] for work in item["appearance"]] == ["India looks to revive ties with North Korea"]
    assert item["author"]["name"].startswith("an unnamed speaker")


def test_a_source_with_a_url_appears_by_its_url(db_url: str, session: Session) -> None:
    text = "The minister said the talks were useful. Nothing was signed."
    meta = Metadata(
        title="Talks",
        author="A. Reporter",
        publisher="Example News",
        url="https://news.example.org/talks",
        published=dt.date(2024, 3, 4),
    )
    add_source(session, document_from_text(text, name="talks", origin="talks.txt"), key="talks", metadata=meta)
    add_claim(session, "talks-useful", "The talks were useful", status="published", verdict="mostly_false")
    add_evidence(session, "talks-useful", "talks", "the talks were useful", stance="supports", attributed_to="Minister")
    session.commit()
    (review,) = export(session)
    work = {
        "@type": "CreativeWork",
        "url": "https://news.example.org/talks",
        "headline": "Talks",
        "datePublished": "2024-03-04",
        "author": {"@type": "Person", "name": "A. Reporter"},
        "publisher": {"@type": "Organization", "name": "Example News"},
    }
    assert review["itemReviewed"] == {
        "@type": "Claim",
        "appearance": [work],
        "firstAppearance": work,
        "datePublished": "2024-03-04",
        "author": {"@type": "Person", "name": "Minister"},
    }
    assert review["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "Mostly false",
        "ratingValue": 2,
        "bestRating": 5,
        "worstRating": 1,
    }


@pytest.mark.parametrize(
    ("verdict", "words", "value"),
    [
        (Verdict.TRUE, "True", 5),
        (Verdict.MOSTLY_TRUE, "Mostly true", 4),
        (Verdict.MIXED, "Mixed", 3),
        (Verdict.MOSTLY_FALSE, "Mostly false", 2),
        (Verdict.FALSE, "False", 1),
    ],
)
def test_verdicts_are_rated_from_1_false_to_5_true(verdict: Verdict, words: str, value: int) -> None:
    assert claimreview.rating(verdict) == {
        "@type": "Rating",
        "alternateName": words,
        "ratingValue": value,
        "bestRating": 5,
        "worstRating": 1,
    }


def test_unproven_is_given_in_words_only() -> None:
    assert claimreview.rating(Verdict.UNPROVEN) == {"@type": "Rating", "alternateName": "Unproven"}
    assert set(claimreview.RATING_SCALE) == set(Verdict) == set(claimreview.VERDICT_NAMES)


def test_no_verdicts_give_an_empty_list(seeded: Provenance, session: Session) -> None:
    assert claimreview.render(build_report(session), organisation=ORGANISATION, base_url=BASE_URL) == "[]\n"
    assert claimreview.render(Report([]), organisation=ORGANISATION, base_url=BASE_URL) == "[]\n"


@pytest.mark.parametrize(
    "base_url",
    [
        "",
        "factcheck.example.org",
        "//factcheck.example.org",
        "ftp://factcheck.example.org",
        "https://",
        "https:///claims",
        "https://factcheck.example.org/?page=1",
        "https://factcheck.example.org/#reviews",
        "https://fact check.example.org",
    ],
)
def test_a_base_url_that_is_not_an_absolute_http_url_is_refused(base_url: str) -> None:
    with pytest.raises(Invalid) as error:
        claimreview.render(Report([]), organisation=ORGANISATION, base_url=base_url)
    assert str(error.value) == BAD_URL_MESSAGE.format(base_url)


@pytest.mark.parametrize("organisation", ["", "   "])
def test_an_empty_organisation_is_refused(organisation: str) -> None:
    with pytest.raises(Invalid) as error:
        claimreview.render(Report([]), organisation=organisation, base_url=BASE_URL)
    assert str(error.value) == (
        "ClaimReview needs --organisation: the name of the fact-checking organisation publishing the reviews; "
        f"got {organisation!r}"
    )


def test_the_base_url_may_have_a_path_and_a_trailing_slash(seeded: Provenance, session: Session) -> None:
    set_verdicts(session)
    reviews = export(session, base_url="http://example.org/desk/", organisation="  Desk  ")
    assert reviews[0]["url"] == "http://example.org/desk/claims/dprk-denuclearisation-willingness"
    assert reviews[0]["author"] == {"@type": "Organization", "name": "Desk", "url": "http://example.org/desk"}


def load_example(name: str) -> dict[str, Any]:
    path = SCHEMAORG / "claimreview-examples" / name
    if not path.is_file():
        pytest.skip(f"schema.org ClaimReview examples not found at {path.parent} (expected beside the repository)")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def json_type(value: Any) -> str:
    return "number" if isinstance(value, int | float) and not isinstance(value, bool) else type(value).__name__


@pytest.mark.parametrize("example_name", ["eg-0324.jsonld", "eg-0325.jsonld"])
def test_reviews_have_the_shape_of_the_official_examples(
    seeded: Provenance, session: Session, example_name: str
) -> None:
    """Every ClaimReview and Rating property the example uses is ours too, with the same JSON type, except
    pictures, profiles and a written review, which the database does not hold."""
    example = load_example(example_name)
    set_verdicts(session)
    ours = by_key(export(session))["singh-first-visit-in-two-decades"]
    not_held = {"image", "sameAs", "reviewBody", "jobTitle"}
    for key, value in example.items():
        if key not in not_held:
            assert json_type(ours[key]) == json_type(value), key
    assert ours["@context"] == example["@context"] and ours["@type"] == example["@type"]
    for key, value in example.get("reviewRating", {}).items():
        if key not in not_held:
            assert json_type(ours["reviewRating"][key]) == json_type(value), key
    assert {ours["author"]["@type"], example["author"]["@type"]} <= {"Organization", "Person"}
    assert set(ours["author"]) >= set(example["author"]) - not_held
    # The item reviewed: ours is a schema.org Claim (the examples predate it) with the same author and date shape.
    item, theirs = ours["itemReviewed"], example["itemReviewed"]
    assert set(item["author"]) == set(theirs["author"]) - not_held == {"@type", "name"}
    assert json_type(item["datePublished"]) == json_type(theirs["datePublished"]) == "str"
    assert_date(theirs["datePublished"])


def test_every_term_is_defined_by_the_schemaorg_context(seeded: Provenance, session: Session) -> None:
    """Offline stand-in for JSON-LD expansion: no property or type would be dropped or left as a bare word."""
    path = SCHEMAORG / "schemaorgcontext.jsonld"
    if not path.is_file():
        pytest.skip(f"schema.org JSON-LD context not found at {path} (expected beside the repository)")
    context = json.loads(path.read_text(encoding="utf-8"))["@context"]
    set_verdicts(session)
    terms: set[str] = set()

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if not key.startswith("@"):
                    terms.add(key)
                elif key == "@type":
                    terms.add(value)
                collect(value)
        elif isinstance(node, list):
            for item in node:
                collect(item)

    collect(export(session))
    assert terms >= {"ClaimReview", "Claim", "CreativeWork", "Rating", "firstAppearance", "appearance"}
    defined = {term: entry["@id"] for term, entry in context.items() if isinstance(entry, dict) and "@id" in entry}
    assert sorted(term for term in terms if defined.get(term) != f"schema:{term}") == []
