"""Captions: the words under a picture or over a table are kept in a web page's text as paragraphs of their own
and marked as captions (the ``caption`` table), so that `source show` and `--json` say which paragraphs they are,
and `verify` checks that each mark is one of its source's paragraphs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import Provenance, row_counts
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_verify import problems, tamper

from provenance import segmentation
from provenance.documents import document_from_text
from provenance.extract.files import read_document
from provenance.extract.webpage import from_html
from provenance.models import Caption
from provenance.sources import add_source, caption_spans, source_passages

PICTURE = "Boats moored in the inner harbour at dawn. Photo: Ana Ruiz"
TABLE = "Mooring fees per metre, 2022 to 2024"
CREDITED = "The east quay, where new pontoons are planned."
RUNNING = (
    "The harbour board raised its mooring fees by 12% on Monday, the third rise in as many years, after a vote "
    "that split the board four to three."
)
PAGE = f"""<!doctype html><html lang="en"><head><title>Harbour fees rise for the third year</title></head><body>
<article>
<h1>Harbour fees rise for the third year</h1>
<p>{RUNNING}</p>
<figure><img src="boats.jpg" alt=""><figcaption>Boats moored in the <em>inner</em> harbour at dawn.
 Photo: <a href="https://example.org/ana">Ana Ruiz</a></figcaption></figure>
<p>Fishermen said the rise would cost a small crew about 900 pounds a year, and several said they would move their
boats to the neighbouring port.</p>
<table><caption>Mooring fees per <b>metre</b>, 2022 to 2024</caption>
<tr><th>Year</th><th>Fee</th></tr><tr><td>2022</td><td>41</td></tr><tr><td>2024</td><td>52</td></tr></table>
<p>The board said the money would pay for dredging the channel, which has not been done since 2009, and for new
pontoons on the east quay.</p>
<div class="wp-caption"><img src="quay.jpg"><p class="wp-caption-text">{CREDITED}</p></div>
<p>A public meeting on the fees will be held at the town hall on 14 March, the board said in a statement.</p>
</article></body></html>
"""


def _spans(text: str, *paragraphs: str) -> list[tuple[int, int]]:
    """Where each of ``paragraphs`` is in ``text`` (each once)."""
    spans = []
    for paragraph in paragraphs:
        assert text.count(paragraph) == 1, paragraph
        start = text.index(paragraph)
        spans.append((start, start + len(paragraph)))
    return spans


@pytest.fixture
def page(tmp_path: Path) -> Path:
    path = tmp_path / "harbour-fees.html"
    path.write_text(PAGE, encoding="utf-8")
    return path


def test_the_captions_of_a_page_are_exactly_its_caption_paragraphs() -> None:
    document = from_html(PAGE.encode(), "harbour-fees.html", None).document

    assert list(document.captions) == _spans(document.text, PICTURE, TABLE, CREDITED)
    paragraphs = set(segmentation.paragraphs(document.text))
    assert set(document.captions) <= paragraphs
    # the running text and the table's rows are paragraphs that are no captions
    assert _spans(document.text, RUNNING, "2022\t41")[0] in paragraphs - set(document.captions)
    assert _spans(document.text, "2022\t41")[0] not in document.captions


def test_two_captions_with_the_same_words_mark_two_paragraphs() -> None:
    twice = PAGE.replace(f">{CREDITED}<", f">{PICTURE}<")
    document = from_html(twice.encode(), "twice.html", None).document

    assert [document.text[s:e] for s, e in document.captions] == [PICTURE, TABLE, PICTURE]
    assert len({start for start, _ in document.captions}) == 3


def test_running_text_with_the_words_of_a_caption_left_out_is_not_marked() -> None:
    """A pull quote (a figure holding a quotation of the article) is left out with its caption: a paragraph of
    the article with the caption's words is no caption."""
    said = "Maren Okafor, harbour master"
    quoted = PAGE.replace(
        "<p>A public meeting",
        f"<figure><blockquote>Nobody wants the rise.</blockquote><figcaption>{said}</figcaption></figure>"
        f"<p>{said}</p><p>A public meeting",
    )
    document = from_html(quoted.encode(), "quoted.html", None).document

    assert document.text.count(said) == 1
    assert "Nobody wants" not in document.text
    assert [document.text[s:e] for s, e in document.captions] == [PICTURE, TABLE, CREDITED]


def test_a_caption_read_as_two_paragraphs_marks_both() -> None:
    """A line break in a caption can end a paragraph (see provenance.segmentation): each caption span is one
    paragraph, so both are marked."""
    broken = PAGE.replace("at dawn.\n Photo:", "at dawn.<br>Photo:")
    document = from_html(broken.encode(), "broken.html", None).document

    assert [document.text[s:e] for s, e in document.captions] == [
        "Boats moored in the inner harbour at dawn.",
        "Photo: Ana Ruiz",
        TABLE,
        CREDITED,
    ]
    assert set(document.captions) <= set(segmentation.paragraphs(document.text))


def test_a_page_stored_as_a_source_has_its_caption_rows(session: Session, page: Path) -> None:
    document = read_document(page).document
    added = add_source(session, document)
    session.commit()

    rows = session.execute(
        select(Caption.char_start, Caption.char_end).where(Caption.source_id == added.source.id)
    ).all()
    assert [tuple(row) for row in rows] == _spans(added.source.text, PICTURE, TABLE, CREDITED)
    assert caption_spans(session, added.source.id) == list(document.captions)
    marked = [p for p in source_passages(session, added.source) if p.kind.value == "paragraph"]
    captions = [p.text for p in marked if (p.char_start, p.char_end) in document.captions]
    assert captions == [PICTURE, TABLE, CREDITED]


def test_a_plain_text_source_has_no_captions(session: Session) -> None:
    added = add_source(session, document_from_text(f"{PICTURE}\n\n{RUNNING}", name="inline"), key="plain")
    session.commit()
    assert caption_spans(session, added.source.id) == []
    assert session.scalar(select(Caption).where(Caption.source_id == added.source.id)) is None


def test_source_show_labels_the_captions_and_their_sentences(provenance: Provenance, page: Path) -> None:
    provenance.ok("source", "add", str(page))

    shown = provenance.ok("source", "show", "harbour-fees", "--passages").stdout.splitlines()

    labels: dict[str, str] = {}
    for line in shown[shown.index("") + 1 :]:
        if line.startswith("  ["):
            label = line.split("] ", 1)[1]
            labels[label] = ""
        else:  # the passage's words, wrapped
            labels[label] = f"{labels[label]} {line.strip()}".strip()
    assert labels["paragraph 2 (caption)"] == PICTURE
    assert labels["sentence 2.1 (caption)"] == "Boats moored in the inner harbour at dawn."
    assert labels["paragraph 1"] == RUNNING
    assert labels["sentence 1.1"] == RUNNING
    captions = [label for label in labels if label.endswith("(caption)") and label.startswith("paragraph")]
    assert [labels[label] for label in captions] == [PICTURE, TABLE, CREDITED]


def test_source_show_json_gives_the_caption_spans(provenance: Provenance, page: Path) -> None:
    provenance.ok("source", "add", str(page))

    record = json.loads(provenance.ok("source", "show", "harbour-fees", "--passages", "--json").stdout)

    paragraphs = {(p["char_start"], p["char_end"]): p["text"] for p in record["passages"] if p["kind"] == "paragraph"}
    assert [paragraphs[c["char_start"], c["char_end"]] for c in record["captions"]] == [PICTURE, TABLE, CREDITED]
    # captions are looked up with the passages only
    assert "captions" not in json.loads(provenance.ok("source", "show", "harbour-fees", "--json").stdout)


def test_a_source_without_captions_shows_none(provenance: Provenance, tmp_path: Path) -> None:
    article = tmp_path / "harbour-fees.txt"
    article.write_text(f"{PICTURE}\n\n{RUNNING}\n", encoding="utf-8")
    provenance.ok("source", "add", str(article))

    assert json.loads(provenance.ok("source", "show", "harbour-fees", "--passages", "--json").stdout)["captions"] == []
    assert "(caption)" not in provenance.ok("source", "show", "harbour-fees", "--passages").stdout


def _caption_problems(provenance: Provenance) -> list[dict[str, Any]]:
    return [p for p in problems(provenance) if p["kind"] == "caption_span"]


def test_verify_is_clean_with_captions_and_reports_a_damaged_one(provenance: Provenance, page: Path) -> None:
    provenance.ok("source", "add", str(page))
    assert provenance.ok("verify").stdout.splitlines()[-1].endswith(": no problems")
    record = json.loads(provenance.ok("source", "show", "harbour-fees", "--passages", "--json").stdout)
    [(start, end)] = [
        (row["char_start"], row["char_end"])
        for row in record["passages"]
        if row["kind"] == "paragraph" and row["text"] == TABLE
    ]

    tamper(provenance.url, "UPDATE caption SET char_end = char_end + 3 WHERE char_start = :s", s=start)

    [problem] = _caption_problems(provenance)
    assert problem["table"] == "caption"
    assert problem["subject"] == f"caption of source harbour-fees (characters {start}-{end + 3})"
    assert problem["what"] == "it is not one of its source's paragraphs"
    assert problem["found"] == f"characters {start}-{end + 3}"


def test_verify_reports_a_caption_outside_its_source_s_text(provenance: Provenance, page: Path) -> None:
    provenance.ok("source", "add", str(page))
    length = json.loads(provenance.ok("source", "show", "harbour-fees", "--json").stdout)["characters"]

    tamper(
        provenance.url,
        "INSERT INTO caption (source_id, char_start, char_end) SELECT id, :s, :e FROM source",
        s=length - 2,
        e=length + 10,
    )

    [problem] = _caption_problems(provenance)
    assert problem["what"] == "it lies outside its source's text"
    assert problem["expected"] == f"a paragraph within its {length:,} characters"


def test_a_bundle_keeps_the_captions(provenance: Provenance, page: Path, tmp_path: Path) -> None:
    provenance.ok("source", "add", str(page))
    bundle = tmp_path / "desk.json"
    provenance.ok("export", "bundle", "--output", str(bundle))
    assert len(json.loads(bundle.read_text(encoding="utf-8"))["tables"]["caption"]["rows"]) == 3
    copy = Provenance(f"sqlite:///{tmp_path / 'copy.db'}")
    copy.ok("init")

    copy.ok("import", str(bundle))

    assert row_counts(copy.url)["caption"] == 3
    original = json.loads(provenance.ok("source", "show", "harbour-fees", "--passages", "--json").stdout)
    copied = json.loads(copy.ok("source", "show", "harbour-fees", "--passages", "--json").stdout)
    assert copied["captions"] == original["captions"] != []
    assert copied["passages"] == original["passages"]
    assert copy.ok("verify").stdout.splitlines()[-1].endswith(": no problems")


def test_a_quote_from_a_caption_is_cited_as_a_caption(provenance: Provenance, page: Path) -> None:
    """A report's footnote and `claim show` say that a quoted passage stands in a caption, not in the running text."""
    provenance.ok("source", "add", str(page))
    provenance.ok("claim", "add", "fees-rise", "Harbour mooring fees rose by 12%")
    provenance.ok("evidence", "add", "fees-rise", "harbour-fees", "--quote", TABLE, "--stance", "mentions")
    provenance.ok(
        "evidence",
        "add",
        "fees-rise",
        "harbour-fees",
        "--quote",
        "raised its mooring fees by 12%",
        "--stance",
        "supports",
    )
    report = provenance.ok("report").stdout
    notes = [line for line in report.splitlines() if re.match(r"\[\^\d+\]:", line)]
    assert len(notes) == 2
    assert [("(caption)" in note) for note in notes] == [False, True]  # in reading order: running text first
    assert re.search(r"paragraph \d+ \(caption\), sentence 1, characters \d+–\d+", notes[1])
    shown = " ".join(provenance.ok("claim", "show", "fees-rise").stdout.split())
    assert re.search(r"harbour-fees, paragraph \d+ \(caption\), sentence 1, characters", shown)
    assert re.search(r"harbour-fees, paragraph 1, characters", shown)  # a quote within the sentence
    html = provenance.ok("report", "--format", "html").stdout
    assert html.count("(caption)") == 1
