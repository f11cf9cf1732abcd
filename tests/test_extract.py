"""Reading articles from text, Markdown, saved web pages and PDF files, and walking folders of them.

The fixtures are in tests/fixtures/documents: ``two-pages.pdf`` was made from ``two-pages-source.html`` with
``weasyprint.HTML("two-pages-source.html").write_pdf("two-pages.pdf")``; ``latin1-article.html`` is
windows-1252 bytes (its ’ is byte 0x92) under ``charset=iso-8859-1``, as many older sites serve them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import sys
from pathlib import Path

import pypdf
import pytest

from provenance.documents import Metadata, normalise
from provenance.errors import Invalid, NotFound
from provenance.extract import (
    DEFAULT_MAX_BYTES,
    BadFile,
    Extracted,
    FileItem,
    clean_text,
    document_from_bytes,
    iter_files,
    read_document,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "documents"
NEWS = FIXTURES / "news-article.html"
NO_ARTICLE = FIXTURES / "no-article.html"
LATIN1 = FIXTURES / "latin1-article.html"
MARKDOWN = FIXTURES / "article.md"
PDF = FIXTURES / "two-pages.pdf"

NEWS_TEXT = """\
The Port Ellis city council voted 7-2 on Tuesday night to fund a 3.2 kilometre flood wall along the river front, \
ending a debate that began after the 2009 spring floods damaged more than 400 homes.

The wall will cost an estimated €48.5 million, of which the regional government has promised €30 million. \
“We have studied this for fourteen years,” said Mayor Inés Calderón. “It is time to build.”

The river front at high water in April 2009.

What the plan includes

According to the engineering report presented to the council, the project has three parts:

a concrete wall 2.4 metres high between the ferry terminal and the old mill;

two pumping stations at the mouths of the Alder and Wren streams;

a raised footpath that doubles as an emergency access road.

The flood risk to the lower town is no longer theoretical; it is measured every spring.

Councillor Tomás Reyes, who voted against the plan, said the estimate “assumes steel prices that nobody in this \
room believes,” and asked for an independent review of the costs.

Construction is expected to start in the autumn of 2024 and to take about three years. Residents can read the \
full report at the town library or on the council’s website."""

MARKDOWN_TEXT = """\
Ferry fares explained

The new timetable starts on 1 March. A single ticket rises from €2.40 to €2.90, says the operator's fares.csv file.

Queue at the ferry terminal

Who pays more

Commuters with a monthly pass pay 8% more.

Pensioners keep the free pass, confirmed by Zoë Lindqvist 👩🏽\u200d🔬 on 🇵🇹 radio.

Port spokesman Karim Haddad said: «قال المتحدث إن الميناء سيفتح غدًا» (the port will open tomorrow).

Ticket\tOld\tNew

Single\t€2.40\t€2.90

Advertisement

Line one of the address
Line two of the address"""

PDF_PAGE_1 = "Harbour water quality\nBathing water at North Beach met the excellent\nstandard in 41 of 44 samples."
PDF_PAGE_2 = "Page two: nitrate levels fell by 12 per cent\ncompared with 2021."


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def pdf_bytes(*pages: str | None) -> bytes:
    """A PDF with the fixture's pages (1 or 2) and blank pages (None) in the order given."""
    fixture = pypdf.PdfReader(PDF)
    writer = pypdf.PdfWriter()
    for page in pages:
        if page is None:
            writer.add_blank_page(298, 420)
        else:
            writer.add_page(fixture.pages[int(page) - 1])
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --- saved web pages ----------------------------------------------------------------------------------


def test_saved_news_page_gives_the_article_text_as_paragraphs() -> None:
    extracted = read_document(NEWS)

    assert extracted.document.text == NEWS_TEXT
    assert extracted.document.media_type == "text/html"
    assert extracted.page_starts == ()
    assert extracted.warnings == ()


def test_saved_news_page_gives_title_byline_date_site_and_canonical_url() -> None:
    document = read_document(NEWS).document

    assert document.metadata == Metadata(
        title="Port Ellis council approves flood wall after 14-year debate",
        author="Maren Okafor",
        publisher="The Ellis Courier",
        url="https://www.elliscourier.example/news/2023/03/flood-wall-approved",
        published=dt.date(2023, 3, 14),  # published, not modified (2023-03-16)
    )
    assert document.origin == str(NEWS)
    assert document.original_sha256 == hashlib.sha256(NEWS.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "left_out",
    [
        "NAVIGATION-LINK-TEXT",
        "TRACKING-SCRIPT-TEXT",
        "INLINE-SCRIPT-TEXT",
        "STYLE-SHEET-TEXT",
        "READER-COMMENT-TEXT",
        "FOOTER-TEXT",
        "RELATED-STORY-TEXT",
        "NEWSLETTER-PROMO-TEXT",
        "dataLayer",
        "All rights reserved",
        "<",
        ">",
    ],
)
def test_saved_news_page_leaves_out_navigation_scripts_comments_and_markup(left_out: str) -> None:
    assert left_out in NEWS.read_text(encoding="utf-8")
    assert left_out not in read_document(NEWS).document.text


def test_page_without_an_article_is_refused() -> None:
    with pytest.raises(Invalid) as info:
        read_document(NO_ARTICLE)
    assert str(info.value) == (
        f"{NO_ARTICLE} has no article text that could be extracted; save the article page itself, or copy its "
        "text into a .txt file"
    )


def test_latin1_page_is_decoded_by_its_meta_charset_as_a_browser_reads_it() -> None:
    extracted = read_document(LATIN1)

    assert extracted.document.text.split("\n\n")[0] == (
        "Fermé depuis l’hiver, le pont de Saint-Aurèle rouvrira à la circulation le 15 juin, a annoncé la "
        "préfecture vendredi. Les travaux de réfection du tablier ont coûté 1,2 million d’euros."
    )
    assert extracted.document.metadata == Metadata(
        title="Le pont de Saint-Aurèle rouvrira en juin",
        author="Hélène Dubreuil",
        publisher="La Gazette du Val",
        published=dt.date(2019, 6, 2),
    )
    assert extracted.document.original_sha256 == hashlib.sha256(LATIN1.read_bytes()).hexdigest()
    assert extracted.warnings == ()


def article_page(body: str, head: str = "", charset: str = "utf-8") -> bytes:
    paragraphs = "".join(
        f"<p>{sentence} The harbour authority published the figures on its website this week.</p>"
        for sentence in body.split("|")
    )
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>Harbour figures</title>{head}</head>'
        f"<body><nav><a href='/'>Home</a></nav><article><h1>Harbour figures</h1>{paragraphs}</article></body></html>"
    ).encode(charset)


def test_charset_given_with_the_media_type_wins_over_the_page() -> None:
    data = article_page("Der Hafen wächst.|Die Fähre fährt öfter.").replace(b"utf-8", b"koi8-r")

    extracted = document_from_bytes(data, name="page", origin=None, media_type="text/html; charset=UTF-8")

    assert "Der Hafen wächst." in extracted.document.text
    assert extracted.document.media_type == "text/html"


def test_page_that_is_not_the_charset_it_declares_is_read_as_utf8_with_a_warning() -> None:
    data = article_page("Le quai est fermé.|Le bac reprend lundi.").replace(b'charset="utf-8"', b'charset="iso-8859-8"')

    extracted = document_from_bytes(data, name="quai.html", origin=None)

    assert "Le quai est fermé." in extracted.document.text
    assert extracted.warnings == ("quai.html says it is iso-8859-8 but is not; read as utf-8",)


def test_page_with_a_byte_order_mark_is_read_by_it() -> None:
    data = b"\xff\xfe" + article_page("Der Hafen wächst.|Die Fähre fährt öfter.").decode().encode("utf-16-le")

    extracted = document_from_bytes(data, name="hafen.htm", origin=None)

    assert extracted.document.text.startswith("Der Hafen wächst. The harbour authority")


def test_web_page_is_recognised_by_its_content_without_an_extension(tmp_path: Path) -> None:
    path = write(tmp_path / "saved-page", NEWS.read_bytes())

    extracted = read_document(path)

    assert extracted.document.media_type == "text/html"
    assert extracted.document.text == NEWS_TEXT


def test_page_date_that_cannot_be_read_is_unknown_with_a_warning() -> None:
    head = '<meta property="article:published_time" content="soon">'

    extracted = document_from_bytes(article_page("Ships wait.|Cranes idle.", head), name="p.html", origin=None)

    assert extracted.document.metadata.published is None
    assert extracted.warnings == ("published date 'soon' in p.html could not be read; stored as unknown",)


def test_xhtml_page_is_decoded_by_its_xml_declaration() -> None:
    page = article_page("Le quai est fermé.|Le bac reprend lundi.").decode().replace('<meta charset="utf-8">', "")
    data = ('<?xml version="1.0" encoding="ISO-8859-1"?>\n' + page).encode("latin-1")

    extracted = document_from_bytes(data, name="quai.xhtml", origin=None)

    assert extracted.document.text.split("\n\n")[0].startswith("Le quai est fermé. The harbour")
    assert extracted.warnings == ()


def test_page_date_before_1995_is_read_from_the_page() -> None:
    head = '<meta property="article:published_time" content="1989-11-09T18:00:00+01:00">'

    extracted = document_from_bytes(article_page("Ships wait.|Cranes idle.", head), name="p.html", origin=None)

    assert extracted.document.metadata.published == dt.date(1989, 11, 9)
    assert extracted.warnings == ()


def test_inline_markup_in_a_page_leaves_only_its_words() -> None:
    body = (
        "<p>The <b>mayor</b> <a href='/x'>said</a> <span class='q'>“no”</span> to the <i>ferry</i> plan"
        "<br>and left.<sup>1</sup> Nobody on the council expected it at all that evening.</p>"
        "<p>Councillors met again on Thursday to discuss what the harbour authority had proposed.</p>"
    )
    data = f"<html><head><title>t</title></head><body><article>{body}</article></body></html>".encode()

    text = document_from_bytes(data, name="m.html", origin=None).document.text

    assert text.split("\n\n")[0] == (
        "The mayor said “no” to the ferry plan\nand left.¹ Nobody on the council expected it at all that evening."
    )


# --- Markdown -----------------------------------------------------------------------------------------


def test_markdown_front_matter_gives_the_metadata() -> None:
    extracted = read_document(MARKDOWN)

    assert extracted.document.metadata == Metadata(
        title="Ferry fares: what the new timetable changes",
        author="Zoë Lindqvist, Karim Haddad",
        publisher="Harbour Notes",
        url="https://harbournotes.example/2024/ferry-fares",
        published=dt.date(2024, 2, 29),
    )
    assert extracted.document.media_type == "text/markdown"
    assert extracted.warnings == ()


def test_markdown_becomes_the_text_a_reader_sees() -> None:
    text = read_document(MARKDOWN).document.text

    assert text == MARKDOWN_TEXT
    for markup in ("**", "*1", "](", "![", "`", "<div", "script", "track()", "|", "#", "---"):
        assert markup not in text


def test_emoji_combining_marks_and_rtl_text_keep_code_point_offsets() -> None:
    raw = MARKDOWN.read_text(encoding="utf-8")
    text = read_document(MARKDOWN).document.text

    assert "Zoe\u0308" in raw and "Zoë" in text and "Zoe\u0308" not in text  # composed to NFC
    scientist = "👩🏽\u200d🔬"
    assert len(scientist) == 4  # woman, skin tone, zero-width joiner, microscope: four code points
    assert text.index(scientist) == 286
    assert text[286:290] == scientist
    arabic = "قال المتحدث إن الميناء سيفتح غدًا"
    assert text.index(arabic) == 340
    assert text[340 + len(arabic) :].startswith("» (the port will open tomorrow).")
    assert normalise(text) == text


def test_first_heading_is_the_title_without_front_matter(tmp_path: Path) -> None:
    path = write(tmp_path / "note.markdown", "# Tide tables *revised*\n\nThe spring tides come a day early.\n")

    extracted = read_document(path)

    assert extracted.document.metadata == Metadata(title="Tide tables revised")
    assert extracted.document.text == "Tide tables revised\n\nThe spring tides come a day early."


@pytest.mark.parametrize(
    ("date", "warning"),
    [
        ("soon", "published date 'soon' in {path} could not be read; stored as unknown"),
        ("May 2018", "published date 'May 2018' in {path} is not a whole date; stored as unknown"),
    ],
)
def test_markdown_date_that_cannot_be_read_is_unknown_with_a_warning(tmp_path: Path, date: str, warning: str) -> None:
    path = write(tmp_path / "a.md", f"---\ntitle: Fares\ndate: {date}\n---\n\nFares rise.\n")

    extracted = read_document(path)

    assert extracted.document.metadata == Metadata(title="Fares")
    assert extracted.warnings == (warning.format(path=path),)


def test_html_in_markdown_keeps_its_words_as_paragraphs(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.md",
        "Fares rise.\n\n<div><p>Single: <b>€2.90</b></p><p>Return: €5</p><script>x()</script></div>\n",
    )

    assert read_document(path).document.text == "Fares rise.\n\nSingle: €2.90\n\nReturn: €5"


def test_markdown_date_as_text_is_read(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", "---\npublished: 'Thu, May 17, 2018 10:30 +0530'\n---\nFares rise.\n")

    assert read_document(path).document.metadata.published == dt.date(2018, 5, 17)


def test_markdown_front_matter_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", "---\ntitle: Fares\nauthor: [unclosed\n---\n\nFares rise.\n")

    with pytest.raises(Invalid) as info:
        read_document(path)
    assert str(info.value) == f"the front matter of {path} is not valid YAML at line 4; fix it or remove the --- block"


def test_markdown_with_only_front_matter_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", "---\ntitle: Fares\n---\n")

    with pytest.raises(Invalid, match="has front matter but no article text"):
        read_document(path)


# --- PDF ----------------------------------------------------------------------------------------------


def test_pdf_gives_the_text_of_each_page_and_where_each_starts() -> None:
    extracted = read_document(PDF)

    text = extracted.document.text
    assert text == f"{PDF_PAGE_1}\n\n{PDF_PAGE_2}"
    assert extracted.page_starts == (0, 100)
    assert text[100:].startswith("Page two:")
    assert extracted.document.media_type == "application/pdf"
    assert extracted.document.original_sha256 == hashlib.sha256(PDF.read_bytes()).hexdigest()
    assert extracted.warnings == ()


def test_pdf_metadata_gives_title_author_and_date() -> None:
    assert read_document(PDF).document.metadata == Metadata(
        title="Harbour water quality report 2022",
        author="Ellis Harbour Authority",
        published=dt.date(2022, 11, 30),
    )


def test_pdf_date_that_cannot_be_read_is_unknown_with_a_warning() -> None:
    writer = pypdf.PdfWriter(clone_from=PDF)
    writer.add_metadata({"/CreationDate": "last spring"})
    buffer = io.BytesIO()
    writer.write(buffer)

    extracted = document_from_bytes(buffer.getvalue(), name="x.pdf", origin=None)

    assert extracted.document.metadata.title == "Harbour water quality report 2022"
    assert extracted.document.metadata.published is None
    assert extracted.warnings == ("published date 'last spring' in x.pdf could not be read; stored as unknown",)


def test_blank_pdf_pages_start_where_the_next_page_does() -> None:
    extracted = document_from_bytes(pdf_bytes(None, "1", None, "2", None), name="x.pdf", origin=None)

    assert extracted.document.text == f"{PDF_PAGE_1}\n\n{PDF_PAGE_2}"
    assert extracted.page_starts == (0, 0, 100, 100, 164)


def test_pdf_without_a_text_layer_needs_ocr() -> None:
    with pytest.raises(Invalid) as info:
        document_from_bytes(pdf_bytes(None, None), name="scan.pdf", origin=None)
    assert str(info.value) == (
        "scan.pdf has no text layer (it is probably a scan); run OCR on it first (for example with ocrmypdf) "
        "and add the result"
    )


def test_pdf_is_recognised_by_its_content_whatever_its_name(tmp_path: Path) -> None:
    path = write(tmp_path / "report.txt", PDF.read_bytes())

    assert read_document(path).page_starts == (0, 100)


def test_file_named_pdf_that_is_not_one_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "report.pdf", "<html><body>Please sign in</body></html>")

    with pytest.raises(Invalid) as info:
        read_document(path)
    assert str(info.value) == (
        f"{path} is named .pdf but is not a PDF (it does not start with %PDF-); it may be damaged, "
        "or a web page saved under that name"
    )


def test_damaged_pdf_is_refused() -> None:
    with pytest.raises(Invalid) as info:
        document_from_bytes(PDF.read_bytes()[:2000], name="cut.pdf", origin=None)
    assert str(info.value) == (
        "cut.pdf could not be read as a PDF (Stream has ended unexpectedly); it may be damaged: open it and print "
        "it to a new PDF"
    )


def test_pdf_that_pypdf_repairs_is_read_with_warnings_instead_of_log_lines(capfd: pytest.CaptureFixture[str]) -> None:
    damaged = re.sub(rb"startxref\s+\d+", b"startxref\n999", PDF.read_bytes())

    extracted = document_from_bytes(damaged, name="x.pdf", origin=None)

    assert extracted.page_starts == (0, 100)
    assert extracted.warnings[0] == "x.pdf is damaged; read anyway (incorrect startxref pointer(1))"
    assert capfd.readouterr().err == ""


def test_pdf_with_a_password_is_refused_and_with_only_restrictions_is_read() -> None:
    def encrypted(user_password: str) -> bytes:
        writer = pypdf.PdfWriter(clone_from=PDF)
        writer.encrypt(user_password, "owner-secret", algorithm="RC4-128")
        buffer = io.BytesIO()
        writer.write(buffer)
        return buffer.getvalue()

    with pytest.raises(Invalid) as info:
        document_from_bytes(encrypted("secret"), name="locked.pdf", origin=None)
    assert str(info.value) == "locked.pdf is protected by a password; open it and print it to a new PDF without one"
    assert document_from_bytes(encrypted(""), name="restricted.pdf", origin=None).page_starts == (0, 100)


def test_pdf_without_pypdf_installed_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pypdf", None)

    with pytest.raises(Invalid) as info:
        read_document(PDF)
    assert str(info.value) == f"{PDF} is a PDF; reading PDFs needs pypdf: pip install 'provenance[pdf]'"


# --- plain text ---------------------------------------------------------------------------------------


def test_plain_text_is_read_with_its_header_lines(tmp_path: Path) -> None:
    raw = "Title: Ferry fares rise\r\nBy Zoë Lindqvist\r\nPublished: 2024-02-29\r\n\r\nA single ticket costs €2.90.\r\n"
    path = write(tmp_path / "fares.txt", raw)

    extracted = read_document(path)

    assert extracted.document.text == "A single ticket costs €2.90."
    assert extracted.document.metadata == Metadata(
        title="Ferry fares rise", author="Zoë Lindqvist", published=dt.date(2024, 2, 29)
    )
    assert extracted.document.media_type == "text/plain"
    assert extracted.document.origin == str(path)
    assert extracted.document.original_sha256 == hashlib.sha256(raw.encode()).hexdigest()
    assert extracted == Extracted(extracted.document)


def test_plain_text_date_that_cannot_be_read_stays_in_the_text_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path / "fares.txt", "Date: soon\n\nA single ticket costs €2.90.\n")

    extracted = read_document(path)

    assert extracted.document.text == "Date: soon\n\nA single ticket costs €2.90."
    assert extracted.document.metadata == Metadata()  # not "Date: soon" as the headline
    assert extracted.warnings == (f"published date 'soon' in {path} could not be read; stored as unknown",)


def test_text_without_a_known_extension_is_plain_text(tmp_path: Path) -> None:
    path = write(tmp_path / "NOTES", "Ferry fares rise\n\nA single ticket costs €2.90.\n")

    extracted = read_document(path)

    assert extracted.document.media_type == "text/plain"
    assert extracted.document.metadata.title == "Ferry fares rise"


def test_utf16_text_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = write(
        tmp_path / "notepad.txt", "\ufeffFerry fares rise.\r\nA single ticket costs €2.90.".encode("utf-16-le")
    )

    assert read_document(path).document.text == "Ferry fares rise.\nA single ticket costs €2.90."


def test_text_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "old.txt", "Fermé lundi.".encode("latin-1"))

    with pytest.raises(Invalid, match=r"is not UTF-8 text \(byte 0xe9 at offset 4\)"):
        read_document(path)


# --- control characters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("page one\fpage two", "page one\n\npage two"),  # form feed: a page break is a blank line
        ("one\u2029two", "one\n\ntwo"),  # paragraph separator
        ("one\vtwo\x85three\u2028four", "one\ntwo\nthree\nfour"),  # line breaks
        ("tab\tline\ncr\r", "tab\tline\ncr\r"),  # kept; normalise folds the carriage return
        ("bell\x07, esc\x1b[0m, del\x7f, csi\x9b", "bell, esc[0m, del, csi"),  # removed, not spaced
        ("non\ufffe\uffff\U0010ffff\ufdd0char", "nonchar"),  # noncharacters
        ("lone\ud800surrogate", "lonesurrogate"),
        ("\u202bمرحبا\u202c soft\u00adhyphen 👩\u200d🔬", "\u202bمرحبا\u202c soft\u00adhyphen 👩\u200d🔬"),  # format
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_control_characters_in_a_file_follow_the_same_rules(tmp_path: Path) -> None:
    path = write(tmp_path / "odd.txt", "Fares rise.\x07 A single\x1b ticket costs €2.90.\fPage two: more.\vNext line.")

    assert (
        read_document(path).document.text == "Fares rise. A single ticket costs €2.90.\n\nPage two: more.\nNext line."
    )


def test_control_characters_in_markdown_front_matter_are_removed(tmp_path: Path) -> None:
    path = write(tmp_path / "a.md", '---\ntitle: "Fares\\x07 rise\\u2028again"\n---\nText.\n')

    assert read_document(path).document.metadata.title == "Fares rise again"


# --- what a file is -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "a PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "a JPEG image"),
        (b"PK\x03\x04\x14\x00", "a ZIP archive (Word .docx, OpenDocument and EPUB files are ZIP archives too)"),
        (b"{\\rtf1\\ansi Fares}", "an RTF document"),
    ],
)
def test_binary_files_are_refused_by_name(tmp_path: Path, data: bytes, what: str) -> None:
    path = write(tmp_path / "thing.bin", data)

    with pytest.raises(Invalid) as info:
        read_document(path)
    assert (
        str(info.value)
        == f"{path} is {what}, which provenance cannot read; save the article as PDF, HTML or plain text"
    )


def test_other_binary_data_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "data.dat", b"\x00\x01\x02\x03binary")

    with pytest.raises(Invalid, match="looks like a binary file"):
        read_document(path)


def test_media_type_decides_over_name_and_content() -> None:
    extracted = document_from_bytes(b"# Fares\n\nFares *rise*.", name="x.txt", origin=None, media_type="text/markdown")

    assert extracted.document.text == "Fares\n\nFares rise."
    assert extracted.document.media_type == "text/markdown"


def test_media_type_we_cannot_read_is_refused() -> None:
    with pytest.raises(Invalid) as info:
        document_from_bytes(b"...", name="x", origin=None, media_type="application/msword")
    assert (
        str(info.value) == "x is 'application/msword', which provenance cannot read; give text, Markdown, HTML or PDF"
    )


# --- reading files ------------------------------------------------------------------------------------


def test_file_over_the_limit_is_refused_before_it_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "video.txt"
    with path.open("wb") as file:
        file.truncate(73_200_000)  # sparse: nothing is written
    monkeypatch.setattr(Path, "open", lambda *args, **kwargs: pytest.fail("opened"))

    with pytest.raises(Invalid) as info:
        read_document(path)
    assert str(info.value) == f"{path} is 73.2 MB, over the 50 MB limit; split it or raise the limit with --max-size"
    assert DEFAULT_MAX_BYTES == 50_000_000


def test_size_limit_can_be_changed(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "Fares rise. " * 125)  # 1,500 bytes

    with pytest.raises(Invalid) as info:
        read_document(path, max_bytes=1000)
    assert str(info.value) == f"{path} is 1.5 kB, over the 1 kB limit; split it or raise the limit with --max-size"
    assert read_document(path, max_bytes=1500).document.text.startswith("Fares rise.")
    with pytest.raises(Invalid, match=r"^x is 12 bytes, over the 10 bytes limit"):
        document_from_bytes(b"Fares rise. ", name="x", origin=None, max_bytes=10)


def test_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound) as info:
        read_document(tmp_path / "nope.html")
    assert str(info.value) == f"no file {tmp_path / 'nope.html'}; check the path"


def test_broken_link_is_not_found(tmp_path: Path) -> None:
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "gone.txt")

    with pytest.raises(NotFound) as info:
        read_document(link)
    assert str(info.value) == f"{link} is a link to {tmp_path / 'gone.txt'}, which does not exist; fix the link"


def test_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(Invalid) as info:
        read_document(tmp_path)
    assert str(info.value) == f"{tmp_path} is a folder; give the article files inside it"


@pytest.mark.skipif(running_as_root(), reason="root can read any file")
def test_unreadable_file_is_refused_with_the_reason(tmp_path: Path) -> None:
    path = write(tmp_path / "secret.txt", "Fares rise.")
    path.chmod(0)
    try:
        with pytest.raises(Invalid) as info:
            read_document(path)
    finally:
        path.chmod(0o644)
    assert str(info.value) == f"cannot read {path}: Permission denied"


# --- walking folders ----------------------------------------------------------------------------------


def test_folder_is_walked_in_name_order_taking_the_formats_we_read(tmp_path: Path) -> None:
    for name in ("b.txt", "a.md", "sub/c.html", "sub/deeper/d.PDF", "e.htm", "f.xhtml", "g.markdown", "h.text"):
        write(tmp_path / name, "text")
    for name in ("photo.jpg", "notes", ".hidden.txt", ".git/config.txt", "sub/.cache/x.md", "data.csv"):
        write(tmp_path / name, "skipped")

    found = list(iter_files([tmp_path]))

    names = ["a.md", "b.txt", "e.htm", "f.xhtml", "g.markdown", "h.text", "sub/c.html", "sub/deeper/d.PDF"]
    assert found == [FileItem(tmp_path / name, 4) for name in names]


def test_named_files_are_taken_whatever_their_name_and_in_the_order_given(tmp_path: Path) -> None:
    notes = write(tmp_path / "notes", "Fares rise.")
    hidden = write(tmp_path / ".draft.txt", "Fares.")
    folder = tmp_path / "folder"
    article = write(folder / "a.txt", "A.")

    found = list(iter_files([notes, folder, hidden, tmp_path / "missing.txt"]))

    assert found == [
        FileItem(notes, 11),
        FileItem(article, 2),
        FileItem(hidden, 6),
        BadFile(tmp_path / "missing.txt", "no such file or folder"),
    ]


def test_links_are_followed_and_loops_and_broken_links_reported(tmp_path: Path) -> None:
    root = tmp_path / "root"
    article = write(root / "a.txt", "A.")
    outside = write(tmp_path / "outside" / "b.md", "B.")
    (root / "loop").symlink_to(root)
    (root / "linked").symlink_to(outside.parent)
    (root / "linked-again").symlink_to(outside.parent)
    (root / "broken.txt").symlink_to(tmp_path / "gone.txt")
    (root / "broken.jpg").symlink_to(tmp_path / "gone.jpg")
    (root / "self.txt").symlink_to(root / "self.txt")

    found = list(iter_files([root]))

    assert found == [
        FileItem(article, 2),
        BadFile(root / "broken.txt", f"broken link to {tmp_path / 'gone.txt'}"),
        FileItem(root / "linked" / "b.md", 2),  # and not again through linked-again
        BadFile(root / "loop", f"link loop: leads back to {root}"),
        BadFile(root / "self.txt", "it is a link that leads back to itself (a link loop)"),
    ]


def test_fifo_in_a_folder_is_reported(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")

    assert list(iter_files([tmp_path])) == [
        BadFile(tmp_path / "pipe.txt", "not a regular file (a device, pipe or socket)")
    ]


@pytest.mark.skipif(running_as_root(), reason="root can read any folder")
def test_unreadable_folder_is_reported(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    write(locked / "a.txt", "A.")
    readable = write(tmp_path / "z.txt", "Z.")
    locked.chmod(0)
    try:
        found = list(iter_files([tmp_path]))
    finally:
        locked.chmod(0o755)
    assert found == [BadFile(locked, "cannot read folder: Permission denied"), FileItem(readable, 2)]


def test_every_fixture_can_be_read_or_is_refused_with_a_reason() -> None:
    outcomes: dict[str, str] = {}
    for item in iter_files([FIXTURES]):
        assert isinstance(item, FileItem)
        try:
            outcomes[item.path.name] = read_document(item.path).document.media_type
        except Invalid as exc:
            outcomes[item.path.name] = f"refused: {str(exc).split(';')[0].removeprefix(str(item.path))}"
    assert outcomes == {
        "article.md": "text/markdown",
        "latin1-article.html": "text/html",
        "news-article.html": "text/html",
        "no-article.html": "refused:  has no article text that could be extracted",
        "two-pages-source.html": "text/html",
        "two-pages.pdf": "application/pdf",
    }
