"""Capturing articles: reading and normalising files, their header lines, keys, and storing text and passages."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from conftest import SEED_2018, SEED_2020
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from provenance import db
from provenance.documents import Metadata, document_from_text, normalise, parse_date_option, read_document, read_header
from provenance.errors import Conflict, Invalid, NotFound, ProvenanceError
from provenance.models import CONTEXT_CHARS, Base, Event, Passage, PassageKind, Reliability, Source
from provenance.sources import (
    Pending,
    Stored,
    add_source,
    check_key,
    key_from_name,
    list_sources,
    refresh_statistics,
    source_passages,
    source_summary,
    store_sources,
    versions,
)

HEADLINE = "India looks to revive ties with North Korea"
KEY_2018 = "india-north-korea-2018"
KEY_2020 = "india-medical-aid-2020"


def count(session: Session, model: type[Base]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def counts(session: Session) -> dict[str, int]:
    return {m.__tablename__: count(session, m) for m in (Source, Passage, Event)}


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# --- normalising --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("one\r\ntwo\r\n", "one\ntwo"),
        ("one\rtwo", "one\ntwo"),
        ("\ufeffText with a BOM", "Text with a BOM"),
        ("Cafe\u0301 Cre\u0300me", "Caf\u00e9 Cr\u00e8me"),
        ("line   \nnext\t\nlast \t ", "line\nnext\nlast"),
        ("\n\n  \nTitle\n\nBody.\n\n\n", "Title\n\nBody."),
        ("   Indented first line", "Indented first line"),
        ("worth $ 1 million  to  North Korea", "worth $ 1 million  to  North Korea"),
        ("first\n\n\n\nsecond", "first\n\n\n\nsecond"),
        ("  \n\t\n ", ""),
        ("", ""),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_normalise_is_idempotent_on_the_seeds() -> None:
    for path in (SEED_2018, SEED_2020):
        text = read_document(path).text
        assert normalise(text) == text


# --- header lines -------------------------------------------------------------------------------------


def test_2018_seed_header_gives_title_author_and_date() -> None:
    document = read_document(SEED_2018)
    assert document.metadata == Metadata(
        title=HEADLINE, author="Isabel Fisher", publisher=None, url=None, published=dt.date(2018, 5, 17)
    )
    assert document.text.startswith(f"{HEADLINE}\n\n{HEADLINE}\n\nThe meeting comes soon after U.S.")
    assert "Published:" not in document.text
    assert "Isabel Fisher" not in document.text
    assert document.text.endswith("may be called off.\n\nLike this:")


def test_2020_seed_inline_date_is_read_and_removed_from_the_first_line() -> None:
    document = read_document(SEED_2020)
    assert document.metadata == Metadata(published=dt.date(2020, 7, 25))
    assert document.metadata.title is None
    assert document.metadata.author is None
    assert document.text.startswith("India on Friday extended medical assistance worth $ 1 million to North Korea")
    assert "2020-07-25" not in document.text


def test_seed_document_hashes_and_origin() -> None:
    document = read_document(SEED_2018)
    assert document.origin == str(SEED_2018)
    assert document.media_type == "text/plain"
    assert document.original_sha256 == hashlib.sha256(SEED_2018.read_bytes()).hexdigest()
    assert document.text_sha256 == hashlib.sha256(document.text.encode("utf-8")).hexdigest()


@pytest.mark.parametrize(
    ("raw", "metadata", "body"),
    [
        (
            "Title: Aid to Pyongyang\nURL: https://example.org/a\nPublisher: Reuters\nAuthor: Jane Doe\n\nBody.",
            Metadata(title="Aid to Pyongyang", url="https://example.org/a", publisher="Reuters", author="Jane Doe"),
            "Body.",
        ),
        (
            "Source: AP\nDate: 2020-01-02\n\nBody text here.",
            Metadata(publisher="AP", published=dt.date(2020, 1, 2)),
            "Body text here.",
        ),
        (
            "By Jane Doe\n\nHeadline\n\nBody text here.",
            Metadata(author="Jane Doe", title="Headline"),
            "Headline\n\nBody text here.",
        ),
        ("By Jane Doe.\n\nText.", Metadata(), "By Jane Doe.\n\nText."),
    ],
)
def test_read_header_lines(raw: str, metadata: Metadata, body: str) -> None:
    assert read_header(raw) == (metadata, body)


def test_header_line_that_does_not_parse_ends_the_header_and_stays_in_the_text() -> None:
    metadata, body = read_header("By Jane Doe\nDate: soon\n\nBody text here.")
    assert metadata.author == "Jane Doe"
    assert metadata.published is None
    assert body == "Date: soon\n\nBody text here."


# --- bad files ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        pytest.param(
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            Invalid,
            "looks like a binary file (it contains NUL bytes); give a UTF-8 text file",
            id="binary",
        ),
        pytest.param(
            b"Some text. " * 1000 + b"\x00 and a NUL byte late in the file.",
            Invalid,
            "looks like a binary file (it contains NUL bytes); give a UTF-8 text file",
            id="nul-after-8k",
        ),
        pytest.param(
            "Café au lait.".encode("latin-1"),
            Invalid,
            "is not UTF-8 text (byte 0xe9 at offset 3); convert it to UTF-8 first",
            id="latin-1",
        ),
        pytest.param(b"", Invalid, "is empty; give an article with text", id="empty"),
        pytest.param(b" \n\t\r\n  \n", Invalid, "is empty; give an article with text", id="whitespace"),
        pytest.param(b"\xef\xbb\xbf\r\n", Invalid, "is empty; give an article with text", id="bom-only"),
        pytest.param("\u00a0\n\u3000\n".encode(), Invalid, "is empty; give an article with text", id="unicode-space"),
        pytest.param(
            b"Published: Thu, May 17, 2018\nWorldwide | By Isabel Fisher\n\n",
            Invalid,
            "has header lines but no article text",
            id="header-only",
        ),
    ],
)
def test_bad_file_is_refused_naming_the_file(
    tmp_path: Path, data: bytes, error: type[ProvenanceError], message: str
) -> None:
    path = write(tmp_path / "article.txt", data)
    with pytest.raises(ProvenanceError) as caught:
        read_document(path)
    assert type(caught.value) is error
    assert str(caught.value) == f"{path} {message}"


def test_missing_file_is_not_found(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.txt"
    with pytest.raises(NotFound) as caught:
        read_document(path)
    assert str(caught.value) == f"no file {path}; check the path"


def test_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(Invalid) as caught:
        read_document(tmp_path)
    assert str(caught.value) == f"{tmp_path} is a folder; give the article files inside it"


# --- keys ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("India NK (2018).txt", "india-nk-2018"),
        ("india-north-korea-2018.txt", "india-north-korea-2018"),
        ("/tmp/captures/Foo_Bar.TXT", "foo-bar"),
        ("Café Crème.txt", "cafe-creme"),
        ("--Hello--World--.md", "hello-world"),
        ("a" * 70 + ".txt", "a" * 64),
        ("x" * 63 + " y.txt", "x" * 63),
        ("北朝鮮.txt", ""),
    ],
)
def test_key_from_name(name: str, key: str) -> None:
    assert key_from_name(name) == key


@pytest.mark.parametrize("key", ["a", "india-nk-2018", "v1.2_final", "9news"])
def test_check_key_accepts_slugs(key: str) -> None:
    assert check_key(key) == key


@pytest.mark.parametrize("key", ["", "Bad Key", "-leading", "UPPER", "a" * 65, "naïve"])
def test_check_key_refuses_unusable_keys(key: str) -> None:
    with pytest.raises(Invalid, match=rf"^source key {key!r} is not usable; use lowercase letters"):
        check_key(key)


# --- storing ------------------------------------------------------------------------------------------


def test_add_source_stores_the_document_and_its_metadata(session: Session) -> None:
    document = read_document(SEED_2018)
    added = add_source(session, document)
    assert added.created is True
    source = added.source
    assert source.key == KEY_2018
    assert (source.title, source.author, source.publisher, source.url) == (HEADLINE, "Isabel Fisher", None, None)
    assert source.published == dt.date(2018, 5, 17)
    assert source.origin == str(SEED_2018)
    assert source.text == document.text
    assert source.text_sha256 == document.text_sha256
    assert source.original_sha256 == document.original_sha256
    assert source.reliability is Reliability.F
    assert source.captured_at.tzinfo is not None
    session.commit()
    session.expire_all()
    stored = session.scalars(select(Source)).one()
    assert (stored.key, stored.text, stored.published) == (KEY_2018, document.text, dt.date(2018, 5, 17))


def test_add_source_stores_paragraphs_and_sentences_with_exact_text_and_context(session: Session) -> None:
    source = add_source(session, read_document(SEED_2020)).source
    session.commit()
    session.expire_all()
    passages = source_passages(session, source)
    assert sum(p.kind is PassageKind.PARAGRAPH for p in passages) == 9
    assert sum(p.kind is PassageKind.SENTENCE for p in passages) == 16
    text = source.text
    for p in passages:
        assert p.text == text[p.char_start : p.char_end]
        assert p.prefix == text[max(0, p.char_start - CONTEXT_CHARS) : p.char_start]
        assert p.suffix == text[p.char_end : p.char_end + CONTEXT_CHARS]
    naqvi = session.scalars(
        select(Passage).where(Passage.kind == PassageKind.SENTENCE, Passage.char_start == 1396)
    ).one()
    assert (naqvi.char_end, naqvi.paragraph_no, naqvi.sentence_no) == (1500, 6, 2)
    assert naqvi.text.startswith("Mukhtar Abbas Naqvi's visit in September 1998")
    assert naqvi.prefix == "mmunist country in two decades. "
    assert naqvi.suffix == " Naqvi had been the Minister of "
    first, last = passages[0], passages[-1]
    assert (first.kind, first.char_start, first.prefix) == (PassageKind.PARAGRAPH, 0, "")
    assert (last.char_end, last.suffix) == (len(text), "")


def test_sentences_store_their_words_and_paragraphs_read_theirs_from_the_source(session: Session) -> None:
    source = add_source(session, read_document(SEED_2018)).source
    session.commit()
    stored = session.execute(
        select(Passage.kind, Passage.stored_text, Passage.char_start, Passage.char_end).where(
            Passage.source_id == source.id
        )
    ).all()
    assert {kind for kind, text, *_ in stored if text is None} == {PassageKind.PARAGRAPH}
    assert all(text == source.text[start:end] for kind, text, start, end in stored if text is not None)


def test_new_source_ids_come_after_the_stored_ones_and_statistics_refresh_in_a_transaction(
    session: Session,
) -> None:
    first = add_source(session, read_document(SEED_2018)).source.id
    ids = db.next_ids(session, Base.metadata.tables["source"], 3)
    assert len(set(ids)) == 3 and min(ids) > first and ids == sorted(ids)
    assert db.next_ids(session, Base.metadata.tables["source"], 0) == []
    refresh_statistics(session)  # ANALYZE on PostgreSQL, inside the transaction; nothing on SQLite
    second = add_source(session, read_document(SEED_2020)).source.id
    assert second > first
    session.commit()


def test_passages_keep_code_point_offsets_in_the_database(session: Session) -> None:
    document = document_from_text("Party 🎉 time. Then more 😀 text.\n\nCafe\u0301 open.", name="emoji")
    source = add_source(session, document, key="emoji").source
    session.commit()
    session.expire_all()
    rows = [
        (p.kind.value, p.char_start, p.char_end, p.text)
        for p in source_passages(session, source, [PassageKind.SENTENCE])
    ]
    assert rows == [
        ("sentence", 0, 13, "Party 🎉 time."),
        ("sentence", 14, 31, "Then more 😀 text."),
        ("sentence", 33, 43, "Caf\u00e9 open."),
    ]


def test_adding_the_same_document_twice_returns_the_first_and_adds_no_rows(session: Session) -> None:
    first = add_source(session, read_document(SEED_2018))
    session.commit()
    before = counts(session)
    assert before == {"source": 1, "passage": 27, "event": 1}
    again = add_source(session, read_document(SEED_2018))
    assert again.created is False
    assert again.source.id == first.source.id
    session.commit()
    assert counts(session) == before


def test_same_text_from_another_file_with_crlf_is_the_same_source(session: Session, tmp_path: Path) -> None:
    first = add_source(session, read_document(SEED_2018)).source
    copy = write(tmp_path / "copy of article.txt", SEED_2018.read_bytes().replace(b"\n", b"\r\n"))
    again = add_source(session, read_document(copy))
    assert (again.created, again.source.id) == (False, first.id)


def test_same_text_under_its_own_key_returns_the_first(session: Session) -> None:
    first = add_source(session, read_document(SEED_2018)).source
    again = add_source(session, read_document(SEED_2018), key=KEY_2018)
    assert (again.created, again.source.id) == (False, first.id)


def test_same_text_under_another_key_gets_the_first_key_back(session: Session) -> None:
    first = add_source(session, read_document(SEED_2018)).source
    session.commit()
    before = counts(session)
    again = add_source(session, read_document(SEED_2018), key="other-key")
    assert (again.created, again.source.id, again.source.key) == (False, first.id, KEY_2018)
    assert again.key_not_used == "other-key"
    assert counts(session) == before


def test_different_texts_that_would_get_the_same_key_conflict(session: Session, tmp_path: Path) -> None:
    first = write(tmp_path / "a" / "story.txt", b"The first story.\n")
    second = write(tmp_path / "b" / "story.txt", b"A different story.\n")
    add_source(session, read_document(first))
    session.commit()
    before = counts(session)
    with pytest.raises(Conflict) as caught:
        add_source(session, read_document(second))
    assert str(caught.value) == (
        f"source key 'story' is already taken by a different article (from {first}); "
        "choose another key with --key or rename the file"
    )
    assert counts(session) == before
    assert add_source(session, read_document(second), key="story-2").created is True


def test_explicit_key_taken_by_inline_text_conflicts(session: Session) -> None:
    add_source(session, document_from_text("First text.", name="inline"), key="inline")
    with pytest.raises(
        Conflict, match=r"^source key 'inline' is already taken by a different article \(from inline text\)"
    ):
        add_source(session, document_from_text("Second text.", name="inline"), key="inline")


def test_inline_text_without_a_key_is_refused(session: Session) -> None:
    with pytest.raises(Invalid, match=r"^a source given as text needs a key$"):
        add_source(session, document_from_text("Some text.", name="inline"))


def test_unusable_key_is_refused(session: Session) -> None:
    with pytest.raises(Invalid, match=r"^source key 'Bad Key' is not usable"):
        add_source(session, read_document(SEED_2018), key="Bad Key")
    assert counts(session) == {"source": 0, "passage": 0, "event": 0}


def test_file_name_without_usable_characters_gives_an_unusable_key(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path / "北朝鮮.txt", b"Some text.\n")
    with pytest.raises(Invalid, match=r"^source key '' is not usable"):
        add_source(session, read_document(path))


def test_given_metadata_and_reliability_override_the_header(session: Session) -> None:
    source = add_source(
        session,
        read_document(SEED_2018),
        metadata=Metadata(title="Revived ties", publisher="Example Times"),
        reliability="usually reliable",
        reliability_note="established outlet",
    ).source
    assert (source.title, source.author, source.publisher) == ("Revived ties", "Isabel Fisher", "Example Times")
    assert source.published == dt.date(2018, 5, 17)
    assert (source.reliability, source.reliability_note) == (Reliability.B, "established outlet")


def test_unknown_reliability_is_refused(session: Session) -> None:
    with pytest.raises(Invalid, match=r"^unknown source reliability 'Z'"):
        add_source(session, read_document(SEED_2018), reliability="Z")


def test_add_source_writes_a_source_add_event(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROVENANCE_USER", "tester")
    source = add_source(session, read_document(SEED_2018)).source
    session.commit()
    event = session.scalars(select(Event)).one()
    assert (event.action, event.subject_type, event.subject_key, event.actor) == (
        "source.add",
        "source",
        KEY_2018,
        "tester",
    )
    assert event.before is None
    assert event.after == source_summary(source)
    assert event.after["published"] == "2018-05-17"
    assert event.after["title"] == HEADLINE


def test_list_sources_counts_paragraphs_and_sentences_oldest_first(session: Session) -> None:
    undated = add_source(session, document_from_text("Undated.\n\nTwo. Three.", name="x"), key="aaa-undated")
    add_source(session, read_document(SEED_2020))
    add_source(session, read_document(SEED_2018))
    session.commit()
    rows = [(r.source.key, r.paragraphs, r.sentences) for r in list_sources(session)]
    assert rows == [(KEY_2018, 10, 17), (KEY_2020, 9, 16), (undated.source.key, 2, 3)]


def test_list_sources_of_an_empty_database_is_empty(session: Session) -> None:
    assert list_sources(session) == []


# --- versions -----------------------------------------------------------------------------------------


def article(path: Path, body: str, header: str = "Title: Aid reaches Pyongyang\nBy Jane Roe\n\n") -> Path:
    return write(path, (header + body).encode())


# An article and its corrections: each keeps most of the words of the one before, so each is a version of it.
AID = (
    "India sent aid to North Korea on Friday, the foreign ministry said. The shipment of tuberculosis drugs "
    "was handed over at the border and reached clinics in Pyongyang within a week, officials said."
)
AID_2 = AID.replace("on Friday", "on Thursday")
AID_3 = AID_2 + " Correction: an earlier version of this article gave the wrong day of the shipment."


def test_a_changed_file_from_the_same_path_becomes_the_next_version(session: Session, tmp_path: Path) -> None:
    path = article(tmp_path / "aid.txt", AID)
    first = add_source(session, read_document(path), reliability="B", reliability_note="wire")
    article(path, AID_2, header="")
    second = add_source(session, read_document(path))
    third = add_source(session, read_document(article(path, AID_3, header="")))
    session.commit()

    assert (second.created, second.supersedes) == (True, first.source)
    assert [s.key for s in (first.source, second.source, third.source)] == ["aid", "aid@2", "aid@3"]
    assert [s.version for s in (first.source, second.source, third.source)] == [1, 2, 3]
    assert third.source.supersedes_id == second.source.id
    # what the new text does not say carries over from the version before
    assert (second.source.title, second.source.author) == ("Aid reaches Pyongyang", "Jane Roe")
    assert (second.source.reliability, second.source.reliability_note) == (Reliability.B, "wire")
    # the old versions and their passages stay
    assert session.get_one(Source, first.source.id).text == AID
    assert [p.text for p in source_passages(session, first.source, [PassageKind.SENTENCE])] == [
        "India sent aid to North Korea on Friday, the foreign ministry said.",
        AID[AID.index("The shipment") :],
    ]
    assert [s.key for s in versions(session, "aid@2")] == ["aid", "aid@2", "aid@3"]
    assert [s.key for s in versions(session, "aid")] == ["aid", "aid@2", "aid@3"]


def test_a_changed_text_at_the_same_url_becomes_the_next_version(session: Session, tmp_path: Path) -> None:
    header = "URL: https://example.org/aid\n\n"
    first = add_source(session, read_document(article(tmp_path / "a.txt", AID, header)))
    second = add_source(session, read_document(article(tmp_path / "elsewhere.txt", AID_2, header)))
    assert (second.source.key, second.supersedes) == ("a@2", first.source)


def test_adding_an_unchanged_version_again_is_a_no_op(session: Session, tmp_path: Path) -> None:
    path = article(tmp_path / "aid.txt", AID)
    add_source(session, read_document(path))
    add_source(session, read_document(article(path, AID_2, header="")))
    before = counts(session)
    again = add_source(session, read_document(path))
    assert (again.created, again.source.key) == (False, "aid@2")
    assert counts(session) == before


def test_a_new_version_records_the_version_it_supersedes_in_the_log(session: Session, tmp_path: Path) -> None:
    path = article(tmp_path / "aid.txt", AID)
    add_source(session, read_document(path))
    add_source(session, read_document(article(path, AID_2, header="")))
    event = session.scalars(select(Event).where(Event.action == "source.version")).one()
    assert event.subject_key == "aid@2"
    assert event.before is not None and event.after is not None
    assert (event.before["key"], event.before["version"]) == ("aid", 1)
    assert (event.after["key"], event.after["version"]) == ("aid@2", 2)


def test_a_new_version_under_another_key_is_refused(session: Session, tmp_path: Path) -> None:
    path = article(tmp_path / "aid.txt", AID)
    add_source(session, read_document(path))
    before = counts(session)
    with pytest.raises(Conflict, match=r"captured before as 'aid'; its changed text becomes aid@2: leave out --key"):
        add_source(session, read_document(article(path, AID_2, header="")), key="other")
    assert counts(session) == before


def test_the_longest_key_has_room_for_a_version(session: Session, tmp_path: Path) -> None:
    path = article(tmp_path / ("a" * 70 + ".txt"), AID)
    add_source(session, read_document(path))
    for n in range(2, 12):
        add_source(session, read_document(article(path, f"{AID} Updated {n} times.", header="")))
    session.commit()
    assert session.scalar(select(Source.key).where(Source.version == 11)) == "a" * 64 + "@11"


def test_a_version_matched_through_an_older_one_supersedes_the_latest(session: Session, tmp_path: Path) -> None:
    url = "URL: https://example.org/aid\n\n"
    first = article(tmp_path / "aid.txt", AID, header=url)
    add_source(session, read_document(first))
    add_source(session, read_document(article(tmp_path / "moved.txt", AID_2, header=url)))
    # the first path again, with new text: version 3, after version 2 (which came from another path)
    third = add_source(session, read_document(article(first, AID_3, header="")))
    assert (third.source.key, third.supersedes.key if third.supersedes else None) == ("aid@3", "aid@2")


@pytest.mark.parametrize("value", ["May 2018", "2018", "soon", "2018-02-30"])
def test_a_date_without_a_day_or_that_does_not_exist_is_not_guessed(value: str) -> None:
    with pytest.raises(Invalid, match=rf"cannot read the date {value!r}; give a whole date"):
        parse_date_option(value)


@pytest.mark.parametrize(
    ("value", "date"), [("2018-05-17", dt.date(2018, 5, 17)), ("May 17, 2018", dt.date(2018, 5, 17))]
)
def test_whole_dates_are_read(value: str, date: dt.date) -> None:
    assert parse_date_option(value) == date


def test_an_unreadable_date_line_stays_in_the_text_and_is_not_taken_for_a_headline() -> None:
    metadata, body = read_header("Date: soon\n\nIndia sent aid.\n\nIt arrived.")
    assert metadata == Metadata()
    assert body.startswith("Date: soon")


def test_store_sources_gives_what_one_at_a_time_gives_in_order(session: Session, tmp_path: Path) -> None:
    stored_before = add_source(session, read_document(article(tmp_path / "old.txt", AID))).source
    docs = [
        read_document(article(tmp_path / "a.txt", "Alpha.")),
        read_document(article(tmp_path / "b.txt", "Beta.")),
        document_from_text(AID, name="copy", origin=str(tmp_path / "copy.txt")),  # same text as old
        read_document(article(tmp_path / "old.txt", AID_2)),  # a new version of old
        document_from_text("Gamma.", name="a again", origin=str(tmp_path / "x" / "a.txt")),  # key 'a' taken
        document_from_text("Delta.", name="no key", origin=str(tmp_path / "北朝鮮.txt")),  # no usable key
    ]
    results = store_sources(session, [Pending(d) for d in docs])
    assert [(r.key, r.created, r.version, r.supersedes) for r in results[:4] if isinstance(r, Stored)] == [
        ("a", True, 1, None),
        ("b", True, 1, None),
        ("old", False, 1, None),
        ("old@2", True, 2, "old"),
    ]
    assert isinstance(results[4], Conflict) and "source key 'a' is already taken" in str(results[4])
    assert isinstance(results[5], Invalid) and "is not usable" in str(results[5])
    session.commit()
    assert results[2].id == stored_before.id  # type: ignore[union-attr]
    rows = session.execute(select(Source.key, func.count(Passage.id)).join(Passage).group_by(Source.key)).all()
    assert dict(rows) == {"old": 3, "a": 2, "b": 2, "old@2": 3}
    assert [e.subject_key for e in session.scalars(select(Event).order_by(Event.id))] == ["old", "a", "b", "old@2"]
