"""Versions that are really versions: a capture from a stored source's path or URL is its next version only when it
is substantially the same document; --version-of and --not-a-version decide instead; the same text keeps its key."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Provenance, row_counts
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from provenance import extract, ingest, resemblance
from provenance.documents import Document, Metadata, document_from_text, read_document
from provenance.errors import Conflict, Invalid, NotFound
from provenance.importer import import_claims_file
from provenance.models import Event, Evidence, Passage, Source
from provenance.sources import Pending, Stored, _percent, add_source, address_url, store_sources

# A news article as a reader sees it, its headline first, and the ways it is corrected after publication.
BILLS = """Energy bills set to rise 12% in April, regulator says

Household energy bills in England, Wales and Scotland will rise by 12% from the first of April, the energy \
regulator Ofgem said on Friday, after wholesale gas prices climbed for a third month in a row.

The typical household will pay about 1,928 pounds a year under the new price cap, up from 1,721 pounds, the \
regulator said. Prepayment customers will see a similar increase.

Charities warned that the rise would push more families into fuel poverty. "This is a blow to households who \
are already cutting back on heating," said a spokesperson for National Energy Action.

The government said it would keep its support for the most vulnerable households under review, and urged \
customers who are struggling to contact their supplier."""

CORRECTIONS: dict[str, Callable[[str], str]] = {
    "a changed figure": lambda text: text.replace("12%", "9.4%"),
    "an added paragraph": lambda text: (
        text + "\n\nSuppliers said they expected prices to fall again in the summer if wholesale costs eased, although "
        "analysts cautioned that the outlook for next winter remained uncertain."
    ),
    "an edited headline": lambda text: text.replace(
        "Energy bills set to rise 12% in April, regulator says", "Ofgem: energy price cap to go up in April"
    ),
    "a correction notice appended": lambda text: (
        text
        + "\n\nCorrection: an earlier version of this article said the cap would rise from 1,712 pounds. It rises from "
        "1,721 pounds."
    ),
    "a paragraph cut": lambda text: text.replace(
        "\n\nThe government said it would keep its support for the most vulnerable households under review, and "
        "urged customers who are struggling to contact their supplier.",
        "",
    ),
}

# Another article from the same site, on a related subject: not a version of the first.
FLOODS = """Flood warnings issued across northern England as rivers rise

The Environment Agency issued more than forty flood warnings across Yorkshire and Cumbria on Sunday after two \
days of heavy rain, and urged people living near rivers to move valuables upstairs.

Forecasters said up to 80mm of rain could fall on high ground before the weather improves on Tuesday. Several \
roads were closed and train services between Leeds and Carlisle were cancelled.

Residents in Cockermouth, which was badly flooded in 2009 and 2015, said they were watching the river closely. \
"We have been here before, and nobody sleeps well on nights like this," one shop owner said."""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def read_page(path: Path) -> Document:
    return extract.read_document(path).document


def counts(session: Session) -> dict[str, int]:
    return {m.__tablename__: session.scalar(select(func.count()).select_from(m)) or 0 for m in (Source, Passage, Event)}


def share_of(first: str, second: str) -> str:
    return f"{round(resemblance.common_share(first, second) * 100)}%"


# --- how much two texts share ------------------------------------------------------------------------------


@pytest.mark.parametrize("correction", list(CORRECTIONS))
def test_a_corrected_article_keeps_most_of_its_text(correction: str) -> None:
    assert resemblance.common_share(BILLS, CORRECTIONS[correction](BILLS)) >= 0.75


def test_two_articles_from_one_site_share_almost_nothing() -> None:
    assert resemblance.common_share(BILLS, FLOODS) < 0.05


def test_the_same_words_are_the_same_whatever_the_spacing_case_and_punctuation() -> None:
    assert resemblance.common_share(BILLS, BILLS.upper().replace(", ", " ").replace("\n\n", "\n")) == 1.0
    assert resemblance.common_share("", "") == 1.0
    assert resemblance.common_share("One.", "Two.") == 0.0
    assert resemblance.common_share(BILLS, "") == 0.0


def test_a_short_text_with_one_word_changed_keeps_most_of_its_runs() -> None:
    # Runs of five words would leave these two nothing in common; a short text is compared on shorter runs.
    before = "Bills will rise 12% in April, the regulator said on Friday."
    after = "Bills will rise 9.4% in April, the regulator said on Friday."
    # 11 words and 12 ("9.4" is two): single words, 10 in common
    assert resemblance.common_share(before, after) == pytest.approx(10 / 12)


def test_a_long_text_read_in_pieces_gives_what_it_gives_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    corrected = CORRECTIONS["a changed figure"](BILLS)
    whole = resemblance.common_share(BILLS, corrected)
    monkeypatch.setattr(resemblance, "_PIECE", 37)  # pieces end in the middle of runs, and of words
    assert resemblance.common_share(BILLS, corrected) == whole


def test_a_very_long_text_is_compared_on_a_sample_close_to_the_exact_share(monkeypatch: pytest.MonkeyPatch) -> None:
    long_text = "\n\n".join(f"{BILLS.replace('12%', f'{n}%')} Report {n}." for n in range(200))
    corrected = long_text.replace("Charities warned", "Campaigners warned")
    exact = resemblance.common_share(long_text, corrected)
    monkeypatch.setattr(resemblance, "EXACT_RUNS", 1_000)
    sampled = resemblance.common_share(long_text, corrected)
    assert sampled != exact  # a sample was taken
    assert sampled == pytest.approx(exact, abs=0.05)
    assert resemblance.common_share(long_text, FLOODS * 50) < 0.05


@pytest.mark.parametrize(
    ("share", "shown"),
    [(0.0, "0%"), (0.0004, "0.1%"), (0.0049, "0.5%"), (0.006, "1%"), (0.494, "49%"), (0.996, "99%"), (1.0, "100%")],
)
def test_a_share_is_told_without_rounding_it_to_none_or_all(share: float, shown: str) -> None:
    assert _percent(share) == shown


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("https://news.example/", None),
        ("https://news.example", None),
        ("https://news.example/index.html", None),
        ("https://news.example/energy/bills-rise", "https://news.example/energy/bills-rise"),
        ("https://news.example/?p=123", "https://news.example/?p=123"),
        (None, None),
    ],
)
def test_a_site_home_page_is_no_address_of_one_document(url: str | None, address: str | None) -> None:
    assert address_url(url) == address


# --- storing: the rule ------------------------------------------------------------------------------------


@pytest.mark.parametrize("correction", list(CORRECTIONS))
def test_a_corrected_article_from_the_same_path_is_its_next_version(
    session: Session, tmp_path: Path, correction: str
) -> None:
    path = write(tmp_path / "bills.txt", BILLS)
    first = add_source(session, read_document(path))
    second = add_source(session, read_document(write(path, CORRECTIONS[correction](BILLS))))
    assert (second.source.key, second.created, second.supersedes) == ("bills@2", True, first.source)
    assert second.not_a_version is None


def test_a_different_article_from_the_same_path_is_a_new_source_and_says_why(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path / "bills.txt", BILLS)
    first = add_source(session, read_document(path)).source
    other = add_source(session, read_document(write(path, FLOODS)))
    assert (other.source.key, other.created, other.supersedes, other.source.version) == ("bills-2", True, None, 1)
    assert other.source.supersedes_id is None
    assert other.not_a_version == (
        f"shares its path with bills but only {share_of(BILLS, FLOODS)} of its text; "
        "stored as a new source bills-2 (use --version-of bills to make it a version)"
    )
    assert share_of(BILLS, FLOODS) == "0%"
    # the first stays the latest version of its own document
    assert session.scalar(select(Source.key).where(Source.supersedes_id == first.id)) is None
    # a third text from that path gets the next free number
    third = add_source(session, read_document(write(path, "A notice that the page has moved elsewhere.")))
    assert third.source.key == "bills-3"
    assert third.not_a_version is not None and "stored as a new source bills-3" in third.not_a_version


def test_a_different_article_at_the_same_url_is_a_new_source_under_its_own_name(
    session: Session, tmp_path: Path
) -> None:
    header = "URL: https://news.example/energy/latest\n\n"
    add_source(session, read_document(write(tmp_path / "bills.txt", header + BILLS)))
    floods = add_source(session, read_document(write(tmp_path / "floods.txt", header + FLOODS)))
    assert (floods.source.key, floods.supersedes) == ("floods", None)
    assert floods.not_a_version is not None
    assert floods.not_a_version.startswith("shares its URL with bills but only 0% of its text; stored as a new")


def test_a_fetched_page_whose_origin_is_its_url_says_it_shares_its_url(session: Session) -> None:
    url = "https://news.example/energy/latest"
    add_source(session, document_from_text(BILLS, name=url, origin=url), key="latest")
    floods = add_source(session, document_from_text(FLOODS, name=url, origin=url), derived_key="latest")
    assert floods.source.key == "latest-2"
    assert floods.not_a_version is not None and floods.not_a_version.startswith("shares its URL with latest but")


def test_pages_naming_the_home_page_as_canonical_are_not_versions_of_each_other(
    session: Session, tmp_path: Path
) -> None:
    def page(name: str, text: str) -> Path:
        headline, *paragraphs = text.split("\n\n")
        body = "".join(f"<p>{p}</p>" for p in paragraphs)
        return write(
            tmp_path / name,
            f'<html><head><title>{headline}</title><link rel="canonical" href="https://news.example/">'
            f"</head><body><article><h1>{headline}</h1>{body}</article></body></html>",
        )

    bills = add_source(session, read_page(page("bills.html", BILLS)))
    # a corrected copy saved elsewhere is not matched through the home page either: the user says so
    corrected = add_source(session, read_page(page("bills-corrected.html", CORRECTIONS["a changed figure"](BILLS))))
    floods = add_source(session, read_page(page("floods.html", FLOODS)))
    assert bills.source.url == floods.source.url == "https://news.example/"
    assert [(a.source.key, a.supersedes, a.not_a_version) for a in (bills, corrected, floods)] == [
        ("bills", None, None),
        ("bills-corrected", None, None),
        ("floods", None, None),
    ]


def test_the_version_of_an_older_version_follows_the_latest(session: Session, tmp_path: Path) -> None:
    header = "URL: https://news.example/energy/bills\n\n"
    path = write(tmp_path / "bills.txt", header + BILLS)
    add_source(session, read_document(path))
    add_source(session, read_document(write(tmp_path / "moved.txt", header + CORRECTIONS["a changed figure"](BILLS))))
    third = add_source(session, read_document(write(path, CORRECTIONS["a changed figure"](BILLS) + "\n\nUpdated.")))
    assert (third.source.key, third.supersedes.key if third.supersedes else None) == ("bills@3", "bills@2")


def test_a_changed_article_under_a_new_key_is_refused_with_the_ways_out(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path / "bills.txt", BILLS)
    add_source(session, read_document(path))
    before = counts(session)
    with pytest.raises(Conflict) as caught:
        add_source(session, read_document(write(path, CORRECTIONS["a changed figure"](BILLS))), key="cap")
    assert str(caught.value) == (
        f"{path} was captured before as 'bills'; its changed text becomes bills@2: leave out --key, "
        "give --key bills, or add --not-a-version to store it as a source of its own"
    )
    assert counts(session) == before
    # a different article under a key of its own is simply stored, with the reason it is no version
    other = add_source(session, read_document(write(path, FLOODS)), key="floods")
    assert (other.source.key, other.supersedes) == ("floods", None)
    assert other.not_a_version is not None and "stored as a new source floods" in other.not_a_version


# --- the user decides ------------------------------------------------------------------------------------


def test_version_of_makes_any_text_the_next_version(session: Session, tmp_path: Path) -> None:
    add_source(session, read_document(write(tmp_path / "bills.txt", BILLS)), reliability="B")
    add_source(session, read_document(write(tmp_path / "bills.txt", CORRECTIONS["a changed figure"](BILLS))))
    # the page now holds another text: the user says it is the same document, and names any of its versions
    moved = add_source(session, read_document(write(tmp_path / "elsewhere.txt", FLOODS)), version_of="bills")
    assert (moved.source.key, moved.supersedes.key if moved.supersedes else None) == ("bills@3", "bills@2")
    assert (moved.source.reliability.value, moved.not_a_version) == ("B", None)


def test_version_of_a_key_that_is_not_stored_is_refused(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path / "bills.txt", BILLS)
    add_source(session, read_document(path))
    before = counts(session)
    with pytest.raises(NotFound, match=r"^no source 'nope' to make this a version of; `provenance source list`"):
        add_source(session, read_document(path), version_of="nope")  # even with a text stored already
    with pytest.raises(Invalid, match=r"^--version-of and --not-a-version contradict each other"):
        add_source(session, read_document(write(path, FLOODS)), version_of="bills", not_a_version=True)
    assert counts(session) == before


def test_version_of_a_text_stored_under_another_key_gives_that_key_and_says_so(
    session: Session, tmp_path: Path
) -> None:
    add_source(session, read_document(write(tmp_path / "bills.txt", BILLS)))
    floods = add_source(session, read_document(write(tmp_path / "floods.txt", FLOODS))).source
    again = add_source(session, read_document(write(tmp_path / "copy.txt", FLOODS)), version_of="bills")
    assert (again.created, again.source.id) == (False, floods.id)
    assert again.not_a_version == "is already stored as floods (the same text), so it is not made a version of bills"


def test_not_a_version_keeps_even_a_corrected_article_apart(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path / "bills.txt", BILLS)
    add_source(session, read_document(path))
    apart = add_source(session, read_document(write(path, CORRECTIONS["a changed figure"](BILLS))), not_a_version=True)
    assert (apart.source.key, apart.supersedes, apart.not_a_version) == ("bills-2", None, None)


def test_a_numbered_key_keeps_within_the_longest_key(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path / ("b" * 70 + ".txt"), BILLS)
    add_source(session, read_document(path))
    other = add_source(session, read_document(write(path, FLOODS)))
    assert other.source.key == "b" * 62 + "-2"


# --- the same text under another key ----------------------------------------------------------------------


def test_the_same_text_under_another_key_gets_the_first_key_back(session: Session, tmp_path: Path) -> None:
    first = add_source(session, read_document(write(tmp_path / "bills.txt", BILLS))).source
    before = counts(session)
    again = add_source(session, read_document(write(tmp_path / "copy.txt", BILLS)), key="energy-bills")
    assert (again.created, again.source.key, again.key_not_used) == (False, "bills", "energy-bills")
    assert again.source.id == first.id
    assert counts(session) == before


# --- many files at once -----------------------------------------------------------------------------------


def test_a_folder_captured_again_makes_versions_of_corrected_files_only(session: Session, tmp_path: Path) -> None:
    folder = tmp_path / "desk"
    write(folder / "bills.txt", BILLS)
    write(folder / "floods.txt", FLOODS)
    ingest.capture(session, ingest.planned_files([folder]), workers=0)
    write(folder / "bills.txt", CORRECTIONS["an added paragraph"](BILLS))
    write(folder / "floods.txt", BILLS.replace("England", "Britain"))  # the file now holds another article
    outcomes = ingest.capture(session, ingest.planned_files([folder]), workers=0)
    assert [(o.key, o.state, o.supersedes) for o in outcomes if isinstance(o, ingest.Captured)] == [
        ("bills@2", "version", "bills"),
        ("floods-2", "added", None),
    ]
    [_, floods] = outcomes
    assert isinstance(floods, ingest.Captured) and floods.not_a_version is not None
    assert floods.not_a_version.startswith("shares its path with floods but only ")


def test_store_sources_passes_not_a_version_on(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path / "bills.txt", BILLS)
    add_source(session, read_document(path))
    [result] = store_sources(
        session, [Pending(read_document(write(path, CORRECTIONS["a changed figure"](BILLS))))], not_a_version=True
    )
    assert isinstance(result, Stored) and (result.key, result.supersedes) == ("bills-2", None)


def test_version_of_with_several_files_is_refused(session: Session, tmp_path: Path) -> None:
    items = ingest.planned_files([write(tmp_path / "a.txt", BILLS), write(tmp_path / "b.txt", FLOODS)])
    with pytest.raises(Invalid, match=r"^--version-of names one source, but 2 files were given; give one file"):
        ingest.capture(session, items, version_of="a")


# --- claims files -----------------------------------------------------------------------------------------


def claims_file(tmp_path: Path, sources: list[dict[str, object]], cites: list[tuple[str, str]]) -> Path:
    data = {
        "sources": sources,
        "claims": [
            {
                "key": f"claim-{n}",
                "statement": f"Statement {n}",
                "evidence": [{"source": source, "quote": quote, "stance": "supports"}],
            }
            for n, (source, quote) in enumerate(cites)
        ],
    }
    return write(tmp_path / "claims.json", json.dumps(data))


def evidence_sources(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(Source.key).join(Passage, Passage.source_id == Source.id).join(Evidence).order_by(Evidence.id)
        )
    )


def test_a_claims_file_listing_one_text_twice_is_not_refused_and_its_claims_land_on_the_stored_source(
    session: Session, tmp_path: Path
) -> None:
    path = claims_file(
        tmp_path,
        [{"key": "bills", "text": BILLS}, {"key": "energy", "text": BILLS, "title": "Energy bills"}],
        [("bills", "will rise by 12%"), ("energy", "Prepayment customers will see a similar increase.")],
    )
    summary = import_claims_file(session, path)
    assert (summary.sources_added, summary.sources_unchanged) == (["bills"], ["bills"])
    assert summary.notes == [
        f"{path}: sources[1]: the same text is already stored as bills; the claims of this file that cite energy "
        "cite bills"
    ]
    assert evidence_sources(session) == ["bills", "bills"]
    assert session.scalar(select(func.count()).select_from(Source)) == 1


def test_excerpts_from_one_url_are_separate_sources(session: Session, tmp_path: Path) -> None:
    url = "https://news.example/energy/bills-rise"
    paragraphs = BILLS.split("\n\n")
    path = claims_file(
        tmp_path,
        [{"key": f"excerpt-{n}", "text": paragraphs[n], "url": url} for n in (1, 2, 3)],
        [("excerpt-2", "Prepayment customers will see a similar increase.")],
    )
    summary = import_claims_file(session, path)
    assert summary.sources_added == ["excerpt-1", "excerpt-2", "excerpt-3"]
    rows = session.execute(select(Source.key, Source.version, Source.supersedes_id, Source.url).order_by(Source.id))
    assert [tuple(r) for r in rows] == [(f"excerpt-{n}", 1, None, url) for n in (1, 2, 3)]
    assert evidence_sources(session) == ["excerpt-2"]
    assert summary.notes[0].startswith(f"{path}: sources[1] shares its URL with excerpt-1 but only 0% of its text")
    # the advice in the words of a claims file, not of the command line
    assert summary.notes[0].endswith("(give this entry version_of: excerpt-1 to make it a version)")


def test_a_claims_file_may_say_which_source_a_text_is_a_version_of(session: Session, tmp_path: Path) -> None:
    add_source(session, read_document(write(tmp_path / "bills.txt", BILLS)))
    path = claims_file(
        tmp_path,
        [{"key": "cap", "text": FLOODS, "version_of": "bills"}],
        [("cap", "more than forty flood warnings")],
    )
    import_claims_file(session, path)
    assert evidence_sources(session) == ["bills@2"]
    refused = claims_file(tmp_path, [{"key": "x", "text": FLOODS, "version_of": "bills", "not_a_version": True}], [])
    with pytest.raises(Invalid, match=r"version_of and not_a_version contradict each other"):
        import_claims_file(session, refused)


def test_claims_citing_a_changed_file_land_on_its_new_version(session: Session, tmp_path: Path) -> None:
    write(tmp_path / "bills.txt", BILLS)
    first = claims_file(tmp_path, [{"path": "bills.txt"}], [("bills", "will rise by 12%")])
    import_claims_file(session, first)
    write(tmp_path / "bills.txt", CORRECTIONS["a changed figure"](BILLS))
    second = claims_file(tmp_path, [{"path": "bills.txt"}], [])
    data = json.loads(second.read_text())
    data["claims"] = [
        {
            "key": "later",
            "statement": "Bills rise",
            "evidence": [{"source": "bills", "quote": "rise by 9.4%", "stance": "supports"}],
        }
    ]
    second.write_text(json.dumps(data))
    summary = import_claims_file(session, second)
    assert summary.sources_added == ["bills@2"]
    assert evidence_sources(session) == ["bills", "bills@2"]


# --- the command line -------------------------------------------------------------------------------------


def test_source_add_says_why_a_file_is_not_a_version(provenance: Provenance, tmp_path: Path) -> None:
    path = write(tmp_path / "bills.txt", BILLS)
    provenance.ok("source", "add", str(path))
    write(path, FLOODS)
    result = provenance.ok("source", "add", str(path))
    assert re.fullmatch(r"bills-2\tadded \(4 paragraphs, \d+ sentences\)\n", result.stdout)
    assert result.stderr == (
        f"{path} shares its path with bills but only 0% of its text; stored as a new source bills-2 "
        "(use --version-of bills to make it a version)\n"
    )
    write(path, FLOODS + "\n\nUpdated on Monday.")
    [record] = json.loads(provenance.ok("source", "add", str(path), "--json").stdout)
    assert (record["key"], record["state"], record["supersedes"]) == ("bills-2@2", "version", "bills-2")
    assert record["not_a_version"] is None and record["key_not_used"] is None


def test_source_add_version_of_and_not_a_version(provenance: Provenance, tmp_path: Path) -> None:
    path = write(tmp_path / "bills.txt", BILLS)
    provenance.ok("source", "add", str(path))
    write(path, FLOODS)
    forced = provenance.ok("source", "add", str(path), "--version-of", "bills")
    assert re.fullmatch(r"bills@2\tnew version 2, supersedes bills \(4 paragraphs, \d+ sentences\)\n", forced.stdout)
    write(path, FLOODS + "\n\nUpdated on Monday.")
    [record] = json.loads(provenance.ok("source", "add", str(path), "--not-a-version", "--json").stdout)
    assert (record["key"], record["state"], record["supersedes"], record["not_a_version"]) == (
        "bills-2",
        "added",
        None,
        None,
    )


def test_source_add_gives_the_stored_key_for_the_same_text_under_another(
    provenance: Provenance, tmp_path: Path
) -> None:
    provenance.ok("source", "add", str(write(tmp_path / "bills.txt", BILLS)))
    copy = write(tmp_path / "same.txt", BILLS)
    result = provenance.ok("source", "add", "--key", "other", str(copy))
    assert re.fullmatch(r"bills\talready stored, unchanged \(5 paragraphs, \d+ sentences\)\n", result.stdout)
    assert result.stderr == f"{copy}: the same text is already stored as bills; --key other was not used\n"
    [record] = json.loads(provenance.ok("source", "add", "--key", "other", str(copy), "--json").stdout)
    assert (record["key"], record["state"], record["key_not_used"]) == ("bills", "unchanged", "other")


@pytest.mark.parametrize(
    ("options", "error"),
    [
        (["--version-of", "nope"], "Error: {path}: no source 'nope' to make this a version of; "),
        (["--version-of", "bills", "--not-a-version"], "Error: --version-of and --not-a-version contradict each other"),
        (["--version-of", "bills", "{other}"], "Error: --version-of names one source, but 2 were given; give one"),
    ],
)
def test_source_add_refuses_versions_it_cannot_make(
    provenance: Provenance, tmp_path: Path, options: list[str], error: str
) -> None:
    provenance.ok("source", "add", str(write(tmp_path / "bills.txt", BILLS)))
    path = write(tmp_path / "new.txt", FLOODS)
    other = write(tmp_path / "other.txt", "Another text.")
    before = row_counts(provenance.url)
    line = provenance.fails("source", "add", *[o.format(other=other) for o in options], str(path))
    assert line.startswith(error.format(path=path))
    assert row_counts(provenance.url) == before


def test_metadata_of_a_version_made_with_version_of_carries_over(session: Session, tmp_path: Path) -> None:
    add_source(
        session,
        read_document(write(tmp_path / "bills.txt", BILLS)),
        metadata=Metadata(publisher="Ofgem news", url="https://news.example/energy/bills-rise"),
    )
    version = add_source(session, read_document(write(tmp_path / "x.txt", FLOODS)), version_of="bills")
    assert (version.source.publisher, version.source.url) == ("Ofgem news", "https://news.example/energy/bills-rise")


def test_a_text_stored_before_no_break_spaces_became_spaces_is_the_same_text_captured_again(
    provenance: Provenance, db_url: str, tmp_path: Path
) -> None:
    """A source stored when no-break spaces and control characters were still kept is not changed by capturing its
    file, or importing its claims file, again: the same text, normalised now, is the same source."""
    from provenance import db

    raw = "Energy bills are set to rise 12%\u00a0next year, the regulator\u0092s review said.\n\nThe cap is reviewed."
    article = tmp_path / "bills.txt"
    article.write_text(raw, encoding="utf-8")
    claims = tmp_path / "claims.yaml"
    claims.write_text(f"sources:\n  - key: inline\n    text: {json.dumps(raw)}\n", encoding="utf-8")
    engine = db.make_engine(db_url)
    try:
        with Session(engine) as session, session.begin():
            for key, origin in (("bills", str(article)), ("inline", None)):
                add_source(session, Document(text=raw, original_sha256="0" * 64, origin=origin), key=key)
    finally:
        engine.dispose()
    [record] = json.loads(provenance.ok("source", "add", str(article), "--json").stdout)
    assert (record["key"], record["state"]) == ("bills", "unchanged")
    provenance.ok("import", str(claims))
    assert row_counts(db_url)["source"] == 2
