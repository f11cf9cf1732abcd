"""The cited report as one self-contained HTML5 document, for the screen and for paper (and as PDF via WeasyPrint).

The content and wording are the Markdown report's. Each quoted passage is shown in its paragraph(s), with the
quoted words in a ``<mark>`` holding exactly the source's text at the cited range (``data-source``,
``data-start`` and ``data-end`` give the range) and a footnote naming the source. Nothing is fetched: the CSS
is inlined, there are no scripts, images or fonts, and a source's URL becomes a link only if it is http(s).

Source text is untrusted, so every value is escaped, exactly as Jinja2's autoescaping (MarkupSafe) escapes it.
The page is the template ``report.html.j2``; the table of contents, the claims and the notes, which in a large
report hold tens of thousands of values, are written here (a template macro call per quote cost more than all
the rest of the report), and a passage quoted several times is escaped and written once.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from provenance.assessment import COMPUTED_NOTE
from provenance.citations import STYLES, location, references, reliability
from provenance.confidence import describe_likelihood
from provenance.errors import Invalid, ProvenanceError
from provenance.models import Source
from provenance.report import CitedPassage, ClaimReport, Report, bulk
from provenance.retraction import retraction_details

PDF_NEEDS_WEASYPRINT = "PDF output needs WeasyPrint: pip install 'provenance[pdf]'"
_LINK_SCHEMES = ("http", "https")

_environment = Environment(
    loader=PackageLoader("provenance", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)

# The long parts of the page (tens of megabytes in a large report) are joined into it once, in place of markers
# the template puts where they go, rather than going through the template as markup, copied several times over
# on the way. A marker is an HTML comment, which no escaped value can contain: none has a "<".
_REFERENCES = (("&", "&amp;"), (">", "&gt;"), ("<", "&lt;"), ("'", "&#39;"), ('"', "&#34;"))
_CONTENTS, _CLAIMS, _NOTES = (Markup(f"<!-- the {part} -->") for part in ("contents", "claims", "notes"))
_FIGURES = {
    kind: f'<figure class="evidence evidence-{kind}">\n<blockquote class="context" id="'
    for kind in ("supports", "contradicts", "mentions")
}


def escape(text: str) -> str:
    """``text`` with ``&``, ``<``, ``>``, ``'`` and ``"`` replaced by character references, exactly as
    MarkupSafe's ``escape`` replaces them (and so Jinja2's autoescaping), as a plain string.

    MarkupSafe wraps each result in a ``Markup`` object; for the hundred thousand short values of a large
    report, that cost more than the escaping. A character is looked for before it is replaced: looking is a
    fast scan, while ``str.replace`` goes through the text character by character even when it finds nothing.
    (``&`` goes first, so the references made are not escaped again.)
    """
    for char, reference in _REFERENCES:
        if char in text:
            text = text.replace(char, reference)
    return text


def _stylesheet() -> Markup:
    """The report's CSS, read as it is (not as a template): a file of ours, so safe to put in <style> unescaped."""
    assert _environment.loader is not None
    css, _, _ = _environment.loader.get_source(_environment, "report.css")
    return Markup(css.strip())


def linkable_url(url: str | None) -> str | None:
    """``url`` if it is an absolute http or https URL (safe to put in an href), else None."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in _LINK_SCHEMES or not parts.netloc or url != url.strip():
        return None
    return url


def _status(entry: ClaimReport) -> str:
    claim = entry.claim
    status = claim.status.value.replace("_", " ")
    verdict = claim.verdict.value.replace("_", " ") if claim.verdict else "no verdict yet"
    return f"{status}; {verdict}"


@dataclass(slots=True)
class _Note:
    """One footnote: a passage and its source, with a back link to every place the passage is quoted."""

    number: int
    cited: CitedPassage
    blockquote: str  # the passage's blockquote, after the value of its id attribute
    quoted_at: list[tuple[str, str]] = field(default_factory=list)  # (anchor id, claim key escaped)


class _Writer:
    """Writes the claims and their notes as pieces of HTML, every value escaped.

    One note per passage, numbered in order of first citation (as the Markdown report numbers them). The
    blockquote of a passage (its paragraph, the quoted words marked, the note mark) is the same wherever the
    passage is quoted, so it is written once; so is each paragraph of an assessment (attribution, likelihood,
    analyst's note), and a text that recurs (a status, an attribution) is escaped once.
    """

    def __init__(self, references: dict[int, str], in_report: set[str]) -> None:
        self.references = references
        self.in_report = in_report
        self.notes: dict[int, _Note] = {}  # by passage id
        self.escaped: dict[str, str] = {}
        self.attributions: dict[str, str] = {}
        self.likelihoods: dict[float, str] = {}
        self.analyst_notes: dict[str, str] = {}

    def escape(self, text: str) -> str:
        escaped = self.escaped.get(text)
        if escaped is None:
            escaped = self.escaped[text] = escape(text)
        return escaped

    def _attribution(self, attributed_to: str) -> str:
        self.attributions[attributed_to] = paragraph = (
            f'<p class="attribution"><span class="label">Attributed to</span> {escape(attributed_to)}.</p>\n'
        )
        return paragraph

    def _likelihood(self, probability: float) -> str:
        self.likelihoods[probability] = paragraph = (
            f'<p class="likelihood"><span class="label">Likelihood:</span> '
            f"{escape(describe_likelihood(probability))}.</p>\n"
        )
        return paragraph

    def _analyst_note(self, note: str) -> str:
        self.analyst_notes[note] = paragraph = f'<p class="analyst-note">{escape(note)}</p>\n'
        return paragraph

    def _note(self, cited: CitedPassage) -> _Note:
        """A new note, for the passage ``cited`` quotes, with the passage's blockquote."""
        passage, text = cited.passage, cited.source.text
        number = len(self.notes) + 1
        note = f"note-{number}"
        blockquote = (
            f'"><p>{escape(text[cited.context_start : passage.char_start])}'
            f'<mark data-source="{self.escape(cited.source.key)}" data-start="{passage.char_start}" '
            f'data-end="{passage.char_end}" data-note="{note}">{escape(passage.text)}</mark>'
            f'<sup class="noteref"><a href="#{note}" aria-label="Note {number}">{number}</a></sup>'
            f"{escape(text[passage.char_end : cited.context_end])}</p></blockquote>\n"
        )
        self.notes[passage.id] = new = _Note(number, cited, blockquote)
        return new

    def _omission_blockquote(self, cited: CitedPassage, number: int) -> str:
        """The blockquote of a quote that leaves words out: the passage marked as ever, the words left out inside
        the mark set apart (``<span class="omitted">``), so the reader sees both what was quoted and what was not."""
        passage, text, note = cited.passage, cited.source.text, f"note-{number}"
        pieces = [
            f'"><p>{escape(text[cited.context_start : passage.char_start])}'
            f'<mark data-source="{self.escape(cited.source.key)}" data-start="{passage.char_start}" '
            f'data-end="{passage.char_end}" data-note="{note}">'
        ]
        end = passage.char_start
        for start, stop in cited.parts:
            if start > end:
                pieces.append(f'<span class="omitted">{escape(text[end:start])}</span>')
            pieces.append(escape(text[start:stop]))
            end = stop
        pieces.append(
            f'</mark><sup class="noteref"><a href="#{note}" aria-label="Note {number}">{number}</a></sup>'
            f"{escape(text[passage.char_end : cited.context_end])}</p></blockquote>\n"
        )
        return "".join(pieces)

    def _anchoring(self, cited: CitedPassage) -> str:
        """What a reader must know about how the quote was anchored: words left out, a match to review, or a text
        a later version of the source supersedes (and, if ``reanchor`` left the evidence on it, why)."""
        paragraphs = []
        if cited.latest is not None:
            paragraphs.append(
                f'<p class="superseded"><span class="label">On superseded version</span> '
                f"{self.escape(cited.source.key)} (latest {self.escape(cited.latest)}).</p>\n"
            )
        orphaned = cited.evidence.orphaned_reason
        if orphaned is not None:
            paragraphs.append(
                f'<p class="orphaned"><span class="label">Not carried to the newer version:</span> '
                f"{escape(orphaned)}.</p>\n"
            )
        if cited.omits:
            paragraphs.append(
                f'<p class="omission"><span class="label">Quoted with words left out:</span> '
                f"“{escape(cited.quoted)}”</p>\n"
            )
        if cited.evidence.needs_review:
            paragraphs.append(
                f'<p class="needs-review"><span class="label">Needs review:</span> {escape(cited.review or "")}; '
                f"quoted as “{escape(cited.evidence.quote)}”.</p>\n"
            )
        return "".join(paragraphs)

    def figures(self, quoted: list[CitedPassage], claim_key: str, kind: str, out: list[str]) -> None:
        """A figure for each passage: the passage in its paragraph(s), then the analyst's assessment of it (who it
        is attributed to, its likelihood and the analyst's note), if any. ``claim_key`` is escaped already.

        A figure goes out in pieces, most of them shared: the page is joined once, and a large report's figures,
        each copied into a string of its own first, would be tens of megabytes more to make and copy.
        """
        notes, figure = self.notes, _FIGURES[kind]
        attributions, likelihoods, analyst_notes = self.attributions, self.likelihoods, self.analyst_notes
        for cited in quoted:
            note = notes.get(cited.passage.id) or self._note(cited)
            anchor = f"cite-{note.number}-{len(note.quoted_at) + 1}"
            note.quoted_at.append((anchor, claim_key))
            omits = cited.omits
            out += (figure, anchor, self._omission_blockquote(cited, note.number) if omits else note.blockquote)
            evidence = cited.evidence
            attributed_to, confidence, analyst_note = evidence.attributed_to, evidence.confidence, evidence.note
            retraction = retraction_details(cited.source) if cited.source.retracted_at is not None else None
            flagged = omits or evidence.needs_review or cited.latest is not None or evidence.orphaned_reason is not None
            if not attributed_to and confidence is None and not analyst_note and not flagged and retraction is None:
                out.append("</figure>\n")
                continue
            out.append('<figcaption class="assessment">\n')
            if retraction is not None:
                out.append(
                    f'<p class="retracted"><span class="label">Source retracted</span> '
                    f"{escape(retraction.rstrip('.'))}.</p>\n"
                )
            if flagged:
                out.append(self._anchoring(cited))
            if attributed_to:
                out.append(attributions.get(attributed_to) or self._attribution(attributed_to))
            if confidence is not None:
                out.append(likelihoods.get(confidence) or self._likelihood(confidence))
            if analyst_note:
                out.append(analyst_notes.get(analyst_note) or self._analyst_note(analyst_note))
            out.append("</figcaption>\n</figure>\n")

    def claim(
        self,
        entry: ClaimReport,
        level: int,
        key: str,
        status: str,
        likelihood: str,
        out: list[str],
        computed: str = "",
    ) -> None:
        """The claim's article: its facts, then its evidence by stance and the claims it conflicts with.
        ``key``, ``status``, ``likelihood`` and ``computed`` (the computed likelihood) are escaped already."""
        claim = entry.claim
        sub = level + 1
        out.append(
            f'<article class="claim" id="claim-{key}">\n<h{level} class="claim-key">{key}</h{level}>\n'
            f'<dl class="facts">\n<dt>Claim</dt>\n<dd class="statement">{escape(claim.statement)}</dd>\n'
        )
        if entry.about:
            out.append(f"<dt>About</dt>\n<dd>{self.escape(', '.join(entry.about))}</dd>\n")
        note = f". {self.escape(claim.confidence_note)}" if claim.confidence_note else ""
        out.append(
            f"<dt>Status</dt>\n<dd>{status}</dd>\n"
            f"<dt>Likelihood</dt>\n<dd><strong>{likelihood}</strong>{note}</dd>\n"
            f"<dt>Computed likelihood</dt>\n<dd>{computed}.</dd>\n</dl>\n"
            f'<section class="stance stance-supporting">\n<h{sub}>Supporting evidence</h{sub}>\n'
        )
        self.figures(entry.supporting, key, "supports", out)
        if not entry.supporting:
            out.append('<p class="none">No supporting passage recorded.</p>\n')
        out.append(
            f'</section>\n<section class="stance stance-contradicting">\n<h{sub}>Contradicting statements</h{sub}>\n'
        )
        self.figures(entry.contradicting, key, "contradicts", out)
        if entry.conflicts:
            out.append('<ul class="conflicts">\n')
            for conflict in entry.conflicts:
                other = self.escape(conflict.claim.key)
                link = f'<a href="#claim-{other}">{other}</a>' if conflict.claim.key in self.in_report else other
                contradiction = conflict.contradiction
                note = f" {escape(contradiction.note)}" if contradiction.note else ""
                note += f" Kind: {escape(contradiction.kind.value)}."
                note += f" Resolution: {escape(contradiction.resolution)}" if contradiction.resolution else ""
                out.append(
                    f"<li>Conflicts with claim <strong>{link}</strong> ({escape(contradiction.status.value)}): "
                    f"“{escape(conflict.claim.statement)}”.{note}</li>\n"
                )
            out.append("</ul>\n")
        if not entry.contradicting and not entry.conflicts:
            out.append('<p class="none">None recorded.</p>\n')
        out.append("</section>\n")
        if entry.mentioning:
            out.append(f'<section class="stance stance-mentioning">\n<h{sub}>Also mentioned in</h{sub}>\n')
            self.figures(entry.mentioning, key, "mentions", out)
            out.append("</section>\n")
        out.append("</article>\n")

    def note_list(self) -> list[str]:
        """The notes, in order: reference (its http(s) URL a link), source key, place and reliability, and a
        link back to each quote."""
        by_source: dict[int, tuple[str, str]] = {}
        out: list[str] = []
        for note in self.notes.values():
            cited = note.cited
            source = cited.source
            described = by_source.get(source.id)
            if described is None:
                retraction = retraction_details(source)
                retracted = (
                    f'; <span class="retracted">retracted {escape(retraction.rstrip("."))}</span>' if retraction else ""
                )
                described = by_source[source.id] = (self._reference(source), escape(reliability(source)) + retracted)
            back = ", ".join(
                [
                    f'<a href="#{anchor}" aria-label="Back to the quote for {claim_key}">'
                    f'<span class="backref-arrow">↩ </span>{claim_key}</a>'
                    for anchor, claim_key in note.quoted_at
                ]
            )
            out.append(
                f'<li id="note-{note.number}"><span class="note-number">{note.number}.</span> '
                f'<span class="note-text">{described[0]}, {escape(location(cited.passage))}; {described[1]}.</span> '
                f'<span class="backrefs">Quoted for {back}</span></li>\n'
            )
        return out

    def _reference(self, source: Source) -> str:
        """The source's reference, its URL a link if it is http(s), then ``Source <code>KEY</code>``."""
        entry = self.references[source.id]
        url = linkable_url(source.url)
        at = entry.rfind(url) if url else -1
        if url is None or at < 0:
            text = escape(entry)
        else:
            link = escape(url)
            text = f'{escape(entry[:at])}<a class="source-url" href="{link}">{link}</a>{escape(entry[at + len(url) :])}'
        return f"{text} Source <code>{escape(source.key)}</code>"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def render(report: Report, *, title: str = "Cited report", style: str = "apa") -> str:
    """The whole report as one HTML5 document (ending with a newline); references in ``style``."""
    if style not in STYLES:
        raise Invalid(f"unknown citation style {style!r}; use one of: {', '.join(STYLES)}")
    with bulk():
        return _render(report, title, style)


def _render(report: Report, title: str, style: str) -> str:
    writer = _Writer(references(report.sources, style), {entry.claim.key for entry in report.claims})
    contents: list[str] = []  # pieces of HTML, every value in them escaped as it was written
    claims: list[str] = []
    heading: str | None = None
    groups = 0
    for entry in report.claims:
        group = report.group_of(entry)
        if group is not None and (groups == 0 or group != heading):
            if groups:
                claims.append("</section>\n")
            groups += 1
            claims.append(
                f'<section class="group" id="group-{groups}">\n<h2 class="group-heading">{escape(group)}</h2>\n'
            )
        heading = group
        key = writer.escape(entry.claim.key)
        status = writer.escape(_status(entry))
        likelihood = escape(describe_likelihood(entry.claim.confidence))
        computed = escape(entry.assessment.describe())
        contents.append(
            f'<tr><td><a href="#claim-{key}">{key}</a></td><td>{status}</td><td>{likelihood}</td>'
            f"<td>{escape(describe_likelihood(entry.assessment.probability))}</td></tr>\n"
        )
        writer.claim(entry, 2 if group is None else 3, key, status, likelihood, claims, computed)
    if groups:
        claims.append("</section>\n")
    notes = writer.note_list()
    summary = (
        f"{_count(len(report.claims), 'claim')}, {_count(len(writer.notes), 'quoted passage')} from "
        f"{_count(len(report.sources), 'source')}."
    )
    page = _environment.get_template("report.html.j2").render(
        title=title,
        summary=summary,
        computed_note=COMPUTED_NOTE,
        stylesheet=_stylesheet(),
        contents=_CONTENTS if contents else Markup(),
        claims=_CLAIMS if claims else Markup(),
        notes=_NOTES if notes else Markup(),
        nothing=report.nothing,
    )
    pieces: list[str] = []
    for marker, part in ((_CONTENTS, contents), (_CLAIMS, claims), (_NOTES, notes)):
        if part:
            before, page = page.split(marker)
            pieces.append(before)
            pieces += part
    pieces.append(page)
    return "".join(pieces)


def render_pdf(report: Report, *, title: str = "Cited report", style: str = "apa") -> bytes:
    """The report as PDF, laid out by WeasyPrint from the HTML's print styles; nothing is fetched."""
    try:
        weasyprint: Any = importlib.import_module("weasyprint")
    except ImportError as exc:
        raise ProvenanceError(PDF_NEEDS_WEASYPRINT) from exc
    document = render(report, title=title, style=style)
    fetcher_class = getattr(weasyprint, "URLFetcher", None)
    # The document refers to nothing outside itself; refuse any fetch all the same.
    fetcher = fetcher_class(allowed_protocols=()) if fetcher_class is not None else _refuse_fetch
    pdf: bytes = weasyprint.HTML(string=document, url_fetcher=fetcher).write_pdf()
    return pdf


def _refuse_fetch(url: str, *args: object, **kwargs: object) -> dict[str, object]:
    raise ValueError(f"the cited report fetches nothing (asked for {url})")
