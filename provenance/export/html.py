"""The cited report as one self-contained HTML5 document, for the screen and for paper (and as PDF via WeasyPrint).

The content and wording are the Markdown report's. Each quoted passage is shown in its paragraph(s), with the
quoted words in a ``<mark>`` holding exactly the source's text at the cited range (``data-source``,
``data-start`` and ``data-end`` give the range) and a footnote naming the source. Nothing is fetched: the CSS
is inlined, there are no scripts, images or fonts, and a source's URL becomes a link only if it is http(s).
Every value comes into the template through Jinja2's autoescaping, because source text is untrusted.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from provenance.citations import STYLES, location, references, reliability
from provenance.confidence import describe_likelihood
from provenance.errors import Invalid, ProvenanceError
from provenance.report import CitedPassage, ClaimReport, Report

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


def _stylesheet() -> Markup:
    """The report's CSS, read as it is (not as a template): a file of ours, so safe to put in <style> unescaped."""
    assert _environment.loader is not None
    css, _, _ = _environment.loader.get_source(_environment, "report.css")
    return Markup(css.strip())


@dataclass
class Note:
    """One footnote: a passage and its source, with a back link to every place the passage is quoted."""

    number: int
    reference: str  # the reference-list entry, less the URL when that is shown as a link
    url: str | None  # an http(s) URL to link, shown after ``reference``
    reference_end: str  # what the reference has after its URL
    source_key: str
    location: str
    reliability: str
    quoted_at: list[tuple[str, str]] = field(default_factory=list)  # (anchor id, claim key)

    @property
    def id(self) -> str:
        return f"note-{self.number}"


@dataclass(frozen=True)
class Quote:
    """A quoted passage in its context: ``before`` + ``text`` + ``after`` is the paragraph(s) it stands in."""

    anchor: str
    note: Note
    before: str
    text: str
    after: str
    source_key: str
    start: int
    end: int
    attributed_to: str | None
    likelihood: str | None
    note_text: str | None


@dataclass(frozen=True)
class ConflictLine:
    key: str
    href: str | None  # the claim's section, when it is in the report
    status: str
    statement: str
    note: str | None


@dataclass(frozen=True)
class ClaimView:
    id: str
    key: str
    statement: str
    about: str
    status: str
    likelihood: str
    likelihood_note: str | None
    supporting: list[Quote]
    contradicting: list[Quote]
    conflicts: list[ConflictLine]
    mentioning: list[Quote]


@dataclass(frozen=True)
class Group:
    id: str | None
    heading: str | None  # None when the report is ordered by key: one run of claims, no heading
    claims: list[ClaimView]


def _status(entry: ClaimReport) -> str:
    claim = entry.claim
    status = claim.status.value.replace("_", " ")
    verdict = claim.verdict.value.replace("_", " ") if claim.verdict else "no verdict yet"
    return f"{status}; {verdict}"


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


class _Notes:
    """One note per passage, numbered in order of first citation (as the Markdown report numbers them)."""

    def __init__(self, references: dict[int, str]) -> None:
        self.references = references
        self.by_passage: dict[int, Note] = {}

    def quote(self, cited: CitedPassage, claim_key: str) -> Quote:
        note = self.by_passage.get(cited.passage.id)
        if note is None:
            note = self.by_passage[cited.passage.id] = self._note(cited, len(self.by_passage) + 1)
        anchor = f"cite-{note.number}-{len(note.quoted_at) + 1}"
        note.quoted_at.append((anchor, claim_key))
        passage, text = cited.passage, cited.source.text
        evidence = cited.evidence
        return Quote(
            anchor=anchor,
            note=note,
            before=text[cited.context_start : passage.char_start],
            text=passage.text,
            after=text[passage.char_end : cited.context_end],
            source_key=cited.source.key,
            start=passage.char_start,
            end=passage.char_end,
            attributed_to=evidence.attributed_to,
            likelihood=None if evidence.confidence is None else describe_likelihood(evidence.confidence),
            note_text=evidence.note,
        )

    def _note(self, cited: CitedPassage, number: int) -> Note:
        entry = self.references[cited.source.id]
        url = linkable_url(cited.source.url)
        at = entry.rfind(url) if url else -1
        if url is None or at < 0:
            before, url, after = entry, None, ""
        else:
            before, after = entry[:at], entry[at + len(url) :]
        return Note(
            number=number,
            reference=before,
            url=url,
            reference_end=after,
            source_key=cited.source.key,
            location=location(cited.passage),
            reliability=reliability(cited.source),
        )


def _claim_view(entry: ClaimReport, notes: _Notes, in_report: set[str]) -> ClaimView:
    claim = entry.claim
    key = claim.key
    return ClaimView(
        id=f"claim-{key}",
        key=key,
        statement=claim.statement,
        about=", ".join(entry.about),
        status=_status(entry),
        likelihood=describe_likelihood(claim.confidence),
        likelihood_note=claim.confidence_note,
        supporting=[notes.quote(c, key) for c in entry.supporting],
        contradicting=[notes.quote(c, key) for c in entry.contradicting],
        conflicts=[
            ConflictLine(
                key=c.claim.key,
                href=f"#claim-{c.claim.key}" if c.claim.key in in_report else None,
                status=c.contradiction.status.value,
                statement=c.claim.statement,
                note=c.contradiction.note,
            )
            for c in entry.conflicts
        ],
        mentioning=[notes.quote(c, key) for c in entry.mentioning],
    )


def _groups(report: Report, notes: _Notes) -> list[Group]:
    in_report = {entry.claim.key for entry in report.claims}
    groups: list[Group] = []
    for entry in report.claims:
        heading = report.group_of(entry)
        if not groups or groups[-1].heading != heading:
            groups.append(Group(None if heading is None else f"group-{len(groups) + 1}", heading, []))
        groups[-1].claims.append(_claim_view(entry, notes, in_report))
    return groups


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def render(report: Report, *, title: str = "Cited report", style: str = "apa") -> str:
    """The whole report as one HTML5 document (ending with a newline); references in ``style``."""
    if style not in STYLES:
        raise Invalid(f"unknown citation style {style!r}; use one of: {', '.join(STYLES)}")
    notes = _Notes(references(report.sources, style))
    groups = _groups(report, notes)
    summary = (
        f"{_count(len(report.claims), 'claim')}, {_count(len(notes.by_passage), 'quoted passage')} from "
        f"{_count(len(report.sources), 'source')}."
    )
    return _environment.get_template("report.html.j2").render(
        title=title,
        summary=summary,
        groups=groups,
        stylesheet=_stylesheet(),
        claims=[claim for group in groups for claim in group.claims],
        notes=list(notes.by_passage.values()),
    )


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
