"""Properties that hold for any text: capture, normalisation and segmentation never fail on a string (a refusal
is a ProvenanceError, never anything else), and every passage stored points, by its offsets, at its own text in
its source, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from provenance import db, documents, extract, ingest, segmentation
from provenance.errors import ProvenanceError
from provenance.models import Passage, Source

# Any text at all: every Unicode category, control characters included (hypothesis leaves out surrogates, which
# no UTF-8 file can hold).
ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=400)
# Words and the marks that end sentences, start quotations and break lines: what segmentation decides on.
PIECES = st.sampled_from(
    [
        "The",
        "minister",
        "said",
        "Dr.",
        "U.S.",
        "No.",
        "3.5",
        "p. 4",
        "...",
        "…",
        ".",
        "?",
        "!",
        '"',
        "“",
        "”",
        "(",
        ")",
        ",",
        " ",
        "  ",
        "\n",
        "\n\n",
        "\r\n",
        "\t",
        "\u2029",
        "\u00a0",
        "\x0c",
        "\x00",
        "\u200b",
        "é",
        "e\u0301",  # é decomposed: NFC composes it, which moves every later offset
        "ﬁ",
        "한국",
        "😀",
        "\ufeff",
        "Title: ",
        "Published: 2018-05-17",
        "By ",
    ]
)
ARTICLE_TEXT = st.one_of(st.lists(PIECES, max_size=60).map("".join), ANY_TEXT)
FAST = settings(max_examples=80, deadline=None)
names = itertools.count()


def check_spans(text: str, found: list[tuple[str, int, int, int, int | None]]) -> None:
    """Spans lie within the text, in order, each sentence inside its paragraph, none empty or padded."""
    paragraph = (0, 0)
    last_end = 0
    for kind, start, end, _paragraph_no, _sentence_no in found:
        assert 0 <= start < end <= len(text)
        assert text[start:end] == text[start:end].strip()
        if kind == "paragraph":
            assert start >= last_end
            paragraph = (start, end)
            last_end = end
        else:
            assert paragraph[0] <= start < end <= paragraph[1]


@FAST
@given(ANY_TEXT)
@example("\ufeff\ufeff")  # a byte order mark left first by the one removed before it
@example(" \ufeffword")
def test_normalising_any_text_gives_a_fixed_point(text: str) -> None:
    once = documents.normalise(text)
    assert documents.normalise(once) == once


@FAST
@given(ARTICLE_TEXT)
def test_segmenting_any_normalised_text_gives_spans_within_it(text: str) -> None:
    normalised = documents.normalise(text)
    check_spans(normalised, segmentation.spans(normalised))


@FAST
@given(ARTICLE_TEXT)
def test_segmenting_any_text_at_all_never_fails(text: str) -> None:
    check_spans(text, segmentation.spans(text))


@FAST
@given(ARTICLE_TEXT, st.sampled_from(["a.txt", "a.md", "a.html"]))
@example("\ufeff\ufeff", "a.txt")  # was stored as a source made of one invisible character
def test_reading_any_text_as_an_article_never_fails_and_its_spans_slice_its_text(text: str, name: str) -> None:
    try:
        extracted = extract.document_from_bytes(text.encode(), name=name, origin=name)
    except ProvenanceError:
        event("refused")
        return  # refused with a message for the user (empty, binary...): allowed
    event("read")
    document = extracted.document
    assert document.text == documents.normalise(document.text)
    check_spans(document.text, segmentation.spans(document.text))


@pytest.fixture
def url_and_folder(db_url: str, tmp_path: Path) -> tuple[str, Path]:
    return db_url, tmp_path


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=ARTICLE_TEXT)
def test_every_stored_passage_is_its_sources_text_between_its_offsets(
    url_and_folder: tuple[str, Path], text: str
) -> None:
    """Captured through the same function as `provenance source add`, into the database, and read back."""
    url, folder = url_and_folder
    path = folder / f"article-{next(names)}.txt"
    path.write_bytes(text.encode())
    engine = db.make_engine(url)
    try:
        try:
            with db.session_scope(engine) as session:
                (outcome,) = ingest.capture(session, ingest.planned_files([path]), workers=0)
        except ProvenanceError:
            event("refused")
            return  # refused in one line, nothing stored: allowed
        event("captured")
        assert isinstance(outcome, ingest.Captured)
        with db.session_scope(engine, readonly=True) as session:
            source = session.scalars(select(Source).where(Source.key == outcome.key)).one()
            rows = session.execute(
                select(Passage.kind, Passage.char_start, Passage.char_end, Passage.stored_text).where(
                    Passage.source_id == source.id
                )
            ).all()
            assert rows
            for kind, start, end, stored in rows:
                assert 0 <= start < end <= len(source.text), (kind, start, end)
                if stored is not None:
                    assert source.text[start:end] == stored
            # the database gives back the very text read, and the passages are its segmentation
            assert source.text == extract.read_document(path).document.text
            spans = {(kind, start, end) for kind, start, end, _p, _s in segmentation.spans(source.text)}
            assert {(kind.value, start, end) for kind, start, end, _ in rows} == spans
    finally:
        engine.dispose()
