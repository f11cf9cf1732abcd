"""The HTML cited report: every highlighted quote is the source's exact text at its range, shown in its
paragraph, footnoted; untrusted source text renders inert; nothing outside the document is referred to."""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

import markupsafe
import pytest
from conftest import Provenance
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from provenance.citations import location, reference
from provenance.claims import add_claim, add_contradiction, add_evidence
from provenance.documents import Metadata, document_from_text
from provenance.errors import Invalid, ProvenanceError
from provenance.export.html import PDF_NEEDS_WEASYPRINT, escape, linkable_url, render, render_pdf
from provenance.models import Evidence, Source
from provenance.report import Report, build_report
from provenance.sources import add_source

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_NOTE = re.compile(r"Source (\S+), paragraph \d+(?:, sentence \d+)?, characters (\d+)–(\d+);")


@dataclass
class Node:
    """An element of the parsed document (``#document`` for the root)."""

    tag: str
    attrs: dict[str, str | None]
    children: list[Node | str] = field(default_factory=list)
    parent: Node | None = None

    def __getitem__(self, name: str) -> str:
        value = self.attrs[name]
        assert value is not None, f"<{self.tag}> attribute {name} has no value"
        return value

    def iter(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        return [
            n
            for n in self.iter()
            if (tag is None or n.tag == tag) and (cls is None or cls in (n.attrs.get("class") or "").split())
        ]

    def text(self, skip: str | None = None) -> str:
        """The text inside, leaving out elements with tag ``skip``."""
        return "".join(c if isinstance(c, str) else ("" if c.tag == skip else c.text(skip)) for c in self.children)

    def next_element(self) -> Node:
        assert self.parent is not None
        siblings = self.parent.children
        return next(c for c in siblings[siblings.index(self) + 1 :] if isinstance(c, Node))


class _TreeBuilder(HTMLParser):
    """Builds a tree with the stdlib parser, failing on anything a strict reading of HTML5 would not nest."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]
        self.doctype: str | None = None

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = [name for name, _ in attrs]
        assert len(names) == len(set(names)), f"<{tag}> repeats an attribute: {names}"
        node = Node(tag, dict(attrs), parent=self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in _VOID, f"<{tag}/> is not a void element"
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        assert tag not in _VOID, f"</{tag}> closes a void element"
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    assert builder.doctype == "DOCTYPE html"
    assert [n.tag for n in builder.stack] == ["#document"], "unclosed elements"
    return builder.root


def _texts(session: Session) -> dict[str, str]:
    return {s.key: s.text for s in session.scalars(select(Source))}


def notes_by_id(tree: Node) -> dict[str, Node]:
    return {n["id"]: n for n in tree.find_all("li") if (n.attrs.get("id") or "").startswith("note-")}


def assert_every_mark_is_exact(html: str, texts: dict[str, str]) -> int:
    """Each <mark> holds the source text at its data range, and links to the note citing that same range."""
    tree = parse(html)
    notes = notes_by_id(tree)
    marks = tree.find_all("mark")
    for mark in marks:
        key, start, end = mark["data-source"], int(mark["data-start"]), int(mark["data-end"])
        assert mark.text() == texts[key][start:end]
        link = mark.next_element().find_all("a")[0]
        assert link["href"] == f"#{mark['data-note']}"
        cited = _NOTE.search(notes[mark["data-note"]].text())
        assert cited is not None
        assert (cited.group(1), int(cited.group(2)), int(cited.group(3))) == (key, start, end)
    return len(marks)


def test_every_highlighted_quote_in_the_demo_report_is_the_source_text_at_its_cited_range(
    seeded: Provenance, session: Session
) -> None:
    html = render(build_report(session), title="Demo")
    assert assert_every_mark_is_exact(html, _texts(session)) == session.scalar(select(func.count(Evidence.id))) == 23


def test_each_quote_is_shown_in_its_paragraph_with_the_quoted_words_marked(
    seeded: Provenance, session: Session
) -> None:
    report = build_report(session)
    quotes = parse(render(report)).find_all("blockquote", "context")
    cited = [c for entry in report.claims for c in entry.cited]
    assert [q.text(skip="sup") for q in quotes] == [c.context for c in cited]
    assert [q.find_all("mark")[0].text() for q in quotes] == [c.passage.text for c in cited]
    # most quotes are part of a longer paragraph, shown around them
    assert sum(c.context != c.passage.text for c in cited) >= 15


def test_every_link_target_exists_ids_are_unique_and_notes_link_back_to_their_quotes(
    seeded: Provenance, session: Session
) -> None:
    tree = parse(render(build_report(session)))
    ids = [n["id"] for n in tree.iter() if "id" in n.attrs]
    assert len(ids) == len(set(ids))
    hrefs = [n["href"] for n in tree.find_all("a")]
    assert hrefs and all(h.startswith("#") and h[1:] in ids for h in hrefs)
    by_id = {n["id"]: n for n in tree.iter() if "id" in n.attrs}
    notes = notes_by_id(tree)
    assert list(notes) == [f"note-{n}" for n in range(1, len(notes) + 1)]
    for note_id, note in notes.items():
        backrefs = note.find_all("span", "backrefs")[0].find_all("a")
        assert backrefs
        for link in backrefs:
            assert by_id[link["href"][1:]].find_all("mark")[0]["data-note"] == note_id


def test_the_claim_shows_status_likelihood_attribution_and_contradictions_in_the_markdown_wording(
    seeded: Provenance, session: Session
) -> None:
    tree = parse(render(build_report(session, ["dprk-denuclearisation-willingness"])))
    (claim,) = tree.find_all("article", "claim")
    assert claim["id"] == "claim-dprk-denuclearisation-willingness"
    facts = dict(zip([n.text() for n in claim.find_all("dt")], [n.text() for n in claim.find_all("dd")], strict=True))
    assert facts["Claim"].startswith("North Korea (the DPRK) is willing to promote the denuclearization")
    assert facts["About"] == "Korean Peninsula, North Korea"
    assert facts["Status"] == "unstarted; no verdict yet"
    assert facts["Likelihood"].startswith("roughly even chance (50 %). The only supporting passage is an")
    (supporting,) = claim.find_all("figure", "evidence-supports")
    assessment = [p.text() for p in supporting.find_all("p") if p.parent and p.parent.tag == "figcaption"]
    assert assessment[:2] == [
        'Attributed to an unnamed speaker ("he said"; the article does not identify him).',
        "Likelihood: roughly even chance (50 %).",
    ]
    assert assessment[2].startswith("The speaker is not identified")
    (contradicting,) = claim.find_all("section", "stance-contradicting")
    assert (
        contradicting.find_all("mark")[0]
        .text()
        .endswith("North Korean officers reportedly claiming the talks may be called off")
    )
    (conflict,) = contradicting.find_all("li")
    assert conflict.text().startswith(
        "Conflicts with claim talks-may-be-called-off (open): “In May 2018 North Korean officers reportedly claimed"
    )
    assert conflict.find_all("a") == []  # the other claim is not in this report: named, not linked
    assert [h.text() for h in claim.find_all("h3")] == ["Supporting evidence", "Contradicting statements"]


def test_a_conflicting_claim_in_the_same_report_is_linked(seeded: Provenance, session: Session) -> None:
    tree = parse(render(build_report(session)))
    article = next(a for a in tree.find_all("article") if a["id"] == "claim-dprk-denuclearisation-willingness")
    (link,) = article.find_all("ul", "conflicts")[0].find_all("a")
    assert (link["href"], link.text()) == ("#claim-talks-may-be-called-off", "talks-may-be-called-off")


@pytest.mark.parametrize("style", ["apa", "chicago-author-date"])
def test_footnotes_give_the_reference_in_the_style_asked_source_key_location_and_reliability(
    seeded: Provenance, session: Session, style: str
) -> None:
    report = build_report(session, ["singh-first-visit-in-two-decades"])
    tree = parse(render(report, style=style))
    notes = [n.find_all("span", "note-text")[0].text() for n in notes_by_id(tree).values()]
    expected = [
        f"{reference(c.source, style)} Source {c.source.key}, {location(c.passage)}; "
        "source reliability F (reliability cannot be judged)."
        for c in report.claims[0].cited
    ]
    assert notes == expected
    assert re.fullmatch(
        r".* Source india-north-korea-2018, paragraph \d+(, sentence \d+)?, characters \d+–\d+; .*", notes[0]
    )
    # the 2020 article has no title or byline: none is invented
    assert notes[1].startswith("[untitled; begins “India on Friday extended medical assistance worth $ 1 million…”]")


def test_a_passage_quoted_for_two_claims_has_one_note_linking_back_to_both(session: Session) -> None:
    text = "The minister visited on Tuesday. Nobody else came."
    add_source(session, document_from_text(text, name="t", origin="t.txt"), key="t")
    for key in ("visit", "visit-tuesday"):
        add_claim(session, key, "The minister visited")
        add_evidence(session, key, "t", "The minister visited on Tuesday.", stance="supports")
    tree = parse(render(build_report(session)))
    (note,) = notes_by_id(tree).values()
    assert [(a["href"], a.text()) for a in note.find_all("a")] == [
        ("#cite-1-1", "↩ visit"),
        ("#cite-1-2", "↩ visit-tuesday"),
    ]
    assert [m["data-note"] for m in tree.find_all("mark")] == ["note-1", "note-1"]
    assert "2 claims, 1 quoted passage from 1 source." in tree.text()


def test_untrusted_source_text_metadata_and_notes_render_inert_and_exact(session: Session) -> None:
    text = (
        "Officials said <script>alert(1)</script> and <img src=x onerror=alert(1)> today.\n"
        "A second line of the same paragraph.\n\n"
        'Click <a href="javascript:alert(2)">here</a> & "see" it.'
    )
    meta = Metadata(
        title="<script>alert(3)</script>", author='"><img src=x onerror=alert(4)>', url="javascript:alert(5)"
    )
    source = add_source(session, document_from_text(text, name="x", origin="x.txt"), key="x", metadata=meta).source
    add_claim(session, "x", "<b>Something</b> <script>alert(6)</script>", about=["<i>Who</i>"])
    add_claim(session, "y", "Nothing </p></article> happened", confidence_note="<style>body{display:none}</style>")
    add_evidence(
        session, "x", "x", text.split("\n")[0], stance="supports", attributed_to="<script>alert(7)</script>",
        note='x" onmouseover="alert(8)',
    )  # fmt: skip
    add_evidence(session, "x", "x", "same paragraph.\n\nClick <a href", stance="mentions")  # crosses paragraphs
    add_contradiction(session, "x", "y", note="<iframe src=javascript:alert(9)></iframe>")
    html = render(build_report(session), title="<script>alert(10)</script>")

    assert "<script" not in html.lower() and "<iframe" not in html.lower()
    assert 'href="javascript:' not in html.lower()
    tree = parse(html)
    assert not tree.find_all("script") and not tree.find_all("img") and not tree.find_all("iframe")
    assert not tree.find_all("b") and not tree.find_all("i")
    assert len(tree.find_all("style")) == 1 and len(tree.find_all("article")) == 2
    assert not [(n.tag, a) for n in tree.iter() for a in n.attrs if a.startswith("on")]
    assert all(a["href"].startswith("#") for a in tree.find_all("a"))
    # shown as text, exactly
    assert assert_every_mark_is_exact(html, {"x": source.text}) == 2
    assert tree.find_all("title")[0].text() == "<script>alert(10)</script>"
    note = notes_by_id(tree)["note-1"].find_all("span", "note-text")[0].text()
    assert note.startswith(reference(source) + " Source x, paragraph 1")
    assert "<script>alert(3)</script>" in note and "javascript:alert(5)" in note and "<img src=x" in note
    quotes = tree.find_all("blockquote")
    assert quotes[1].text(skip="sup") == text  # the context of a quote across paragraphs is both paragraphs


@pytest.mark.parametrize(
    "text",
    [
        "",
        "plain words",
        "<script>alert(1)</script>",
        "a & b && c &amp; d",
        """it's "quoted" `back` 'single'""",
        '"><img src=x onerror=alert(4)>',
        "<!-- the claims --> <!-- the notes -->",
        "é 🎉 “curly” – \x00 \n\t",
    ],
)
def test_escaping_is_markupsafes(text: str) -> None:
    assert escape(text) == str(markupsafe.escape(text))
    assert type(escape(text)) is str


def test_text_that_looks_like_the_markers_the_page_is_joined_at_stays_text(session: Session) -> None:
    markers = "<!-- the contents --> <!-- the claims --> <!-- the notes -->"
    text = f"Before {markers} after."
    document = document_from_text(text, name="m", origin="m.txt")
    add_source(session, document, key="m", metadata=Metadata(title=markers, author=markers))
    add_claim(session, "m", f"Claim {markers}", about=[markers], confidence_note=markers)
    add_evidence(session, "m", "m", text, stance="supports", attributed_to=markers, note=markers)
    html = render(build_report(session), title=markers)
    assert "<!--" not in html
    tree = parse(html)
    assert tree.find_all("title")[0].text() == markers
    assert len(tree.find_all("article")) == 1 and len(tree.find_all("tr")) == 2 and len(notes_by_id(tree)) == 1
    assert assert_every_mark_is_exact(html, {"m": text}) == 1


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://example.org/a?b=1&c=<2>", True),
        ("http://example.org/", True),
        ("HTTPS://EXAMPLE.ORG/", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        (" https://example.org/", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("vbscript:msgbox(1)", False),
        ("//example.org/x", False),
        ("ftp://example.org/x", False),
        ("https:example.org", False),
        ("example.org", False),
        ("http://[::1", False),
        ("", False),
        (None, False),
    ],
)
def test_only_absolute_http_and_https_urls_are_linkable(url: str | None, linked: bool) -> None:
    assert linkable_url(url) == (url if linked else None)


def test_a_source_url_is_a_link_only_when_it_is_http_or_https(session: Session) -> None:
    for key, url in (("web", "https://example.org/story?id=1&x=<y>"), ("bad", "javascript:alert(1)")):
        document = document_from_text(f"The {key} article says this.", name=key, origin=f"{key}.txt")
        add_source(session, document, key=key, metadata=Metadata(url=url))
        add_claim(session, key, "It says this")
        add_evidence(session, key, key, f"The {key} article says this.", stance="supports")
    tree = parse(render(build_report(session)))
    notes = {n.find_all("code")[0].text(): n for n in notes_by_id(tree).values()}
    (link,) = notes["web"].find_all("a", "source-url")
    assert (link["href"], link.text()) == (
        "https://example.org/story?id=1&x=<y>",
        "https://example.org/story?id=1&x=<y>",
    )
    sources = {s.key: s for s in session.scalars(select(Source))}
    assert notes["web"].find_all("span", "note-text")[0].text().startswith(reference(sources["web"]) + " Source web, ")
    assert notes["bad"].find_all("a", "source-url") == []
    assert notes["bad"].find_all("span", "note-text")[0].text().startswith(reference(sources["bad"]) + " Source bad, ")
    assert "javascript:alert(1)" in reference(sources["bad"])  # shown as text, not linked


def test_the_output_is_the_same_every_time(seeded: Provenance, session: Session) -> None:
    report = build_report(session)
    html = render(report, title="Cited report", style="apa")
    assert render(report, title="Cited report", style="apa") == html
    session.expunge_all()
    assert render(build_report(session)) == html
    assert str(dt.date.today().year) not in html.split("<main>")[0]  # no time of rendering in the header


@pytest.mark.parametrize(("order", "first_heading"), [("entity", "Abdul Qadeer Khan"), ("status", "Unstarted")])
def test_claims_ordered_by_entity_or_status_are_grouped_under_headings(
    seeded: Provenance, session: Session, order: str, first_heading: str
) -> None:
    report = build_report(session, order=order)
    expected: dict[str, list[str]] = {}
    for entry in report.claims:
        expected.setdefault(entry.group if order == "entity" else "Unstarted", []).append(entry.claim.key)
    tree = parse(render(report))
    groups = [
        (g.find_all("h2")[0].text(), [h.text() for h in g.find_all("h3", "claim-key")])
        for g in tree.find_all("section", "group")
    ]
    assert groups == list(expected.items())
    assert groups[0][0] == first_heading and sum(len(keys) for _, keys in groups) == 12
    assert not tree.find_all("h2", "claim-key")


def test_claims_ordered_by_key_have_no_group_headings(seeded: Provenance, session: Session) -> None:
    tree = parse(render(build_report(session)))
    assert tree.find_all("section", "group") == [] and tree.find_all("h3", "claim-key") == []
    assert [h.text() for h in tree.find_all("h2", "claim-key")][:2] == [
        "dprk-denuclearisation-willingness",
        "india-embassy-stays-open",
    ]


def test_the_document_refers_to_nothing_outside_itself(seeded: Provenance, session: Session) -> None:
    html = render(build_report(session))
    tree = parse(html)
    external = {"script", "link", "img", "iframe", "object", "embed", "video", "audio", "source", "picture", "base"}
    assert not [n.tag for n in tree.iter() if n.tag in external]
    assert not [(n.tag, a) for n in tree.iter() for a in n.attrs if a in {"src", "srcset", "action", "style"}]
    (style,) = tree.find_all("style")
    css = style.text()
    assert "url(" not in css and "@import" not in css and "@font-face" not in css
    assert "@media print" in css and "@page" in css
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">') and '<meta charset="utf-8">' in html


def test_an_empty_report_says_no_claims_are_recorded() -> None:
    tree = parse(render(Report([]), title="Nothing yet"))
    assert tree.find_all("h1")[0].text() == "Nothing yet"
    assert tree.find_all("p", "summary")[0].text().startswith("0 claims, 0 quoted passages from 0 sources. ")
    assert "No claims recorded yet." in tree.text()
    assert tree.find_all("nav") == [] and tree.find_all("ol") == []


def test_an_unknown_citation_style_is_refused() -> None:
    with pytest.raises(Invalid, match=r"unknown citation style 'mla'; use one of: apa, chicago-author-date"):
        render(Report([]), style="mla")


def _weasyprint_problem() -> str | None:
    """Why WeasyPrint cannot make a PDF here (not installed, or its system libraries missing), or None."""
    try:
        import weasyprint

        weasyprint.HTML(string="<p>test</p>").write_pdf()
    except (ImportError, OSError) as exc:
        return f"WeasyPrint cannot make PDFs here ({type(exc).__name__}: {exc}); pip install 'provenance[pdf]'"
    return None


# WeasyPrint warns, once per process, when the system lacks HarfBuzz's subsetting library (Debian 12 ships
# it separately): a note about its future requirements, not about this output.
@pytest.mark.filterwarnings("ignore:HarfBuzz-Subset will be required:DeprecationWarning")
def test_the_pdf_is_a_pdf(seeded: Provenance, session: Session) -> None:
    problem = _weasyprint_problem()
    if problem:
        pytest.skip(problem)
    pdf = render_pdf(build_report(session, ["suntech-diversion"]), title="Suntech", style="apa")
    assert pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-64:]


def test_pdf_output_without_weasyprint_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    with pytest.raises(ProvenanceError) as error:
        render_pdf(Report([]), title="x")
    assert str(error.value) == PDF_NEEDS_WEASYPRINT == "PDF output needs WeasyPrint: pip install 'provenance[pdf]'"
