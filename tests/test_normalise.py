"""One form for every source's text and every quote: the same article given inline in a claims file, as a
text file or read from any other kind of file is one text with one SHA-256, and a quote copied from the
original file or from the stored text (a no-break space, a space at a line end, Windows line ends, a control
character, a decomposed accent) is found exactly and kept as its passage's text."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from pathlib import Path

import pytest
import yaml
from conftest import Provenance
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from provenance import db, extract
from provenance.anchoring import Anchor, anchor_quote, stored_quote
from provenance.documents import document_from_text, normalise
from provenance.errors import Invalid, ProvenanceError
from provenance.models import AnchorMethod, Evidence, Source
from provenance.text import clean_text

# An abstract as a Windows editor saves it, pasted from a web page and an old cp1252 file: CRLF line ends, a
# trailing space and a trailing no-break space at line ends, no-break spaces inside lines, C1 control
# characters (U+0092 where a cp1252 apostrophe was misread, U+0080), a line separator, a decomposed accent.
RAW = (
    "Title: Energy bills set to rise\r\n"
    "\r\n"
    "Energy bills are set to rise 12%\u00a0next year, the regulator\u0092s review said. \r\n"
    "The cap will be reviewed in\u00a0April,\u00a0\r\n"
    "after the re\u0301sume\u0301 of costs\u0080 is published.\u2028Households pay\u202fmore.\r\n"
)
STORED = (
    "Energy bills are set to rise 12% next year, the regulators review said.\n"
    "The cap will be reviewed in April,\n"
    "after the r\u00e9sum\u00e9 of costs is published.\n"
    "Households pay more."
)


# --- the one function --------------------------------------------------------------------------------------


def test_every_rule_of_the_stored_form_applies_at_once() -> None:
    assert normalise(RAW) == "Title: Energy bills set to rise\n\n" + STORED


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("a\u0085b", "a\nb"),  # NEL breaks the line, as U+2028 does
        ("a\x0cb", "a\n\nb"),  # a form feed is a page break: a blank line
        ("a\u0080\u009fb\x7f", "ab"),  # other C1 controls and DEL carry no words
        ("12\u00a0%, 1\u2007000, 10\u202f%", "12 %, 1 000, 10 %"),  # no-break spaces are spaces
        ("\u2003em\u2003space\u3000kept", "em\u2003space\u3000kept"),  # other spaces keep their width
        ("end\u00a0\r\nnext", "end\nnext"),  # a no-break space at a line end goes with the line end
        ("\ufeff\u00a0 word", "word"),
        ("cafe\u0301", "caf\u00e9"),
        ("a\u200db\u200e", "a\u200db\u200e"),  # joiners and marks are text
    ],
)
def test_normalise(raw: str, stored: str) -> None:
    assert normalise(raw) == stored


TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(
            [
                *"ab .\t\n\r",
                *"\x00\x0b\x0c\x1f\x7f\x80\x85\x92\x9f",
                *"\u00a0\u2007\u202f\u2003\u2028\u2029\ufeff\ufffe\ud800",
                *"e\u0301\u0327\u00e9\u1100\u1161\u11a8",
                "\U0001f600",
            ]
        ),
        st.characters(),
    ),
    max_size=60,
)
SLOW = settings(max_examples=300, deadline=None)


@SLOW
@given(TEXT)
@example(" \u0301")
@example("\u00a0\u0301")
@example("a\u0085\u0301")
def test_normalising_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


@SLOW
@given(TEXT)
@example(RAW)
def test_inline_text_and_a_text_file_give_the_same_text(text: str) -> None:
    """The same characters inline in a claims file and as a text file's bytes (UTF-8, with or without a byte
    order mark) are one text, or are both refused."""
    results = []
    for read in (
        lambda: document_from_text(text, name="inline"),
        lambda: extract.document_from_bytes(text.encode("utf-8", "surrogatepass"), name="a.txt", origin="a").document,
        lambda: (
            extract.document_from_bytes(
                b"\xef\xbb\xbf" + text.encode("utf-8", "surrogatepass"), name="a.txt", origin="a"
            ).document
        ),
    ):
        try:
            document = read()
        except ProvenanceError:
            results.append(None)
        else:
            results.append((document.text, document.text_sha256, document.metadata))
    surrogates = [c for c in text if "\ud800" <= c <= "\udfff"]
    if surrogates:  # an unpaired surrogate is no UTF-8: the file is refused, inline it is removed
        assert results[1] is None and results[2] is None
        assert results[0] is None or not set(surrogates) & set(results[0][0])
        return
    assert results[0] == results[1] == results[2]


def test_inline_text_with_a_nul_character_is_refused_as_a_file_is() -> None:
    with pytest.raises(Invalid, match=r"^inline contains a NUL character \(\\x00, at character 3\); NUL"):
        document_from_text("ab\x00c", name="inline")


def test_every_kind_of_file_stores_text_in_the_one_form(tmp_path: Path) -> None:
    page = (
        "<!DOCTYPE html><html><head><title>Rates</title></head><body><article>"
        "<p>Energy bills are set to rise 12%&nbsp;next year, the regulator&#x92;s review said.</p>"
        "<p>The cap will be reviewed in&nbsp;April, after the r&eacute;sum&eacute; of costs is published.</p>"
        "</article></body></html>"
    )
    markdown = "# Rates\r\n\r\nEnergy bills are set to rise 12%\u00a0next year.\u0080 \r\n"
    for name, data in (("a.html", page.encode()), ("a.md", markdown.encode())):
        text = extract.document_from_bytes(data, name=name, origin=name).document.text
        assert text == normalise(text)
        assert "\u00a0" not in text and "\u0080" not in text and "12% next year" in text


# --- quotes ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "quote",
    [
        "rise 12% next year",
        "rise 12%\u00a0next year",  # copied from the original file
        "reviewed in\u00a0April,\u00a0\r\nafter the re\u0301sume\u0301",  # CRLF, a line-end space, NFD
        "reviewed in April, \nafter the r\u00e9sum\u00e9",
        "regulator\u0092s review",  # the control character a user_text keeps out anyway
        "pay\u202fmore",
    ],
)
def test_a_quote_copied_from_the_original_or_the_stored_text_is_found_exactly(quote: str) -> None:
    anchor = anchor_quote(STORED, quote, source_key="rates")
    assert anchor.method is AnchorMethod.EXACT
    assert stored_quote(STORED, quote, anchor) == STORED[anchor.start : anchor.end] == normalise(quote)


ORIGINAL = st.lists(
    st.sampled_from(
        [
            *"India sent aid worth 12% more".split(),
            *[" ", " ", "  ", "\u00a0", "\u202f", "\u2003", "\t", "\n", "\r\n", " \r\n", "\u00a0\n", "\r", "\u2028"],
            *["\x0c", "\u0085", "\u0080", "\u0092", "\x7f", "\ufeff", "e\u0301", "\u0327", "\u00e9", "\U0001f600"],
        ]
    ),
    min_size=1,
    max_size=40,
).map("".join)


@SLOW
@given(ORIGINAL, st.data())
def test_any_quote_copied_from_the_original_is_found_exactly_in_the_stored_text(
    original: str, data: st.DataObject
) -> None:
    """Whatever the original file holds (line ends, no-break spaces, control characters, decomposed accents), a
    quote copied from it, starting and ending at a character a reader sees, is found exactly, and is kept as the
    stored text at the place found."""
    stored = normalise(original)
    start = data.draw(st.integers(0, len(original) - 1))
    end = data.draw(st.integers(start + 1, len(original)))
    quote = original[start:end]
    assume(quote == quote.strip() and normalise(quote))
    # a quote does not start or end inside a character a combining mark is part of
    assume(not unicodedata.combining(normalise(quote)[0]))
    assume(not unicodedata.combining(clean_text(original[end:])[:1] or "x"))
    anchor = anchor_quote(stored, quote, source_key="original", occurrence=1)
    assert anchor.method in (AnchorMethod.EXACT, AnchorMethod.EXACT_OCCURRENCE)
    assert stored_quote(stored, quote, anchor) == stored[anchor.start : anchor.end] == normalise(quote)


def test_a_source_stored_with_no_break_spaces_still_finds_quotes_and_keeps_its_characters() -> None:
    old = "Bills rise 12%\u00a0next year.\n\nThe cap is reviewed in\u00a0April, the regulator said."
    anchor = anchor_quote(old, "rise 12% next year", source_key="old")
    assert anchor == Anchor(6, 24, AnchorMethod.EXACT)
    assert stored_quote(old, "... rise 12% next year", anchor) == "... rise 12%\u00a0next year"
    omitted = anchor_quote(old, "The cap ... in April, the regulator", source_key="old")
    assert omitted.method is AnchorMethod.EXACT_OMISSION
    assert stored_quote(old, "The cap ... in April, the regulator", omitted) == (
        "The cap ... in\u00a0April, the regulator"
    )


def test_a_fuzzy_match_keeps_the_analysts_words_normalised() -> None:
    quote = "Energy bills are set to rise\u00a012% next yaer"
    anchor = anchor_quote(STORED, quote, source_key="rates", accept_fuzzy=True)
    assert anchor.method is AnchorMethod.FUZZY
    assert stored_quote(STORED, quote, anchor) == "Energy bills are set to rise 12% next yaer"


def test_a_prefix_is_matched_as_the_source_is_stored() -> None:
    text = "the caf\u00e9 said no. the caf\u00e9 said yes."
    anchor = anchor_quote(text, "said", source_key="cafe", prefix="no. the cafe\u0301\u00a0")
    assert (anchor.start, anchor.end, anchor.method) == (27, 31, AnchorMethod.EXACT_CONTEXT)


# --- through the doors: claims files, files, evidence -----------------------------------------------------


def _claims_file(folder: Path, suffix: str, text: str, quotes: list[str]) -> Path:
    data = {
        "sources": [{"key": "rates", "text": text}],
        "claims": [
            {
                "key": "bills-rise",
                "statement": "Energy bills will rise 12% next year",
                "evidence": [{"source": "rates", "quote": quote, "stance": "supports"} for quote in quotes],
            }
        ],
    }
    path = folder / f"claims{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_the_same_abstract_inline_and_as_a_file_is_one_source(
    provenance: Provenance, db_url: str, tmp_path: Path, suffix: str
) -> None:
    quotes = [
        "rise 12%\u00a0next year, the regulator\u0092s review said.",  # from the original file
        "reviewed in April,\nafter the r\u00e9sum\u00e9",  # from the stored text
    ]
    provenance.ok("import", str(_claims_file(tmp_path, suffix, RAW, quotes)))
    file = tmp_path / "rates.txt"
    file.write_bytes(b"\xef\xbb\xbf" + RAW.encode("utf-8"))
    [record] = json.loads(provenance.ok("source", "add", str(file), "--json").stdout)
    assert (record["key"], record["state"], record["created"]) == ("rates", "unchanged", False)

    engine = db.make_engine(db_url)
    try:
        with Session(engine) as session:
            [source] = session.scalars(select(Source)).all()
            assert source.text == STORED
            assert source.text_sha256 == hashlib.sha256(STORED.encode("utf-8")).hexdigest()
            evidence = session.scalars(select(Evidence).order_by(Evidence.id)).all()
            assert [e.anchor_method for e in evidence] == [AnchorMethod.EXACT, AnchorMethod.EXACT]
            assert [e.quote for e in evidence] == [e.passage.text for e in evidence]
            assert evidence[0].quote == "rise 12% next year, the regulators review said."
    finally:
        engine.dispose()
    provenance.ok("verify")  # every exact quote is its passage's text


def test_evidence_add_finds_a_quote_with_a_no_break_space_and_a_line_end_space(
    provenance: Provenance, db_url: str, tmp_path: Path
) -> None:
    file = tmp_path / "rates.txt"
    file.write_bytes(RAW.replace("\r\n", "\n").encode("utf-8"))
    provenance.ok("source", "add", str(file))
    provenance.ok("claim", "add", "cap-review", "The cap will be reviewed in April")
    quote = "The cap will be reviewed in\u00a0April, \nafter"
    result = provenance.ok("evidence", "add", "cap-review", "rates", "--quote", quote, "--stance", "supports")
    assert "fuzzy" not in result.stdout + result.stderr
    engine = db.make_engine(db_url)
    try:
        with Session(engine) as session:
            [evidence] = session.scalars(select(Evidence)).all()
            assert evidence.anchor_method is AnchorMethod.EXACT and not evidence.needs_review
            assert evidence.quote == evidence.passage.text == "The cap will be reviewed in April,\nafter"
    finally:
        engine.dispose()
    provenance.ok("verify")
