"""The cited report as Markdown (CommonMark with footnotes, as GitHub and pandoc read it).

Each quoted passage is a block quote holding exactly the source's text at the cited range, followed by a
footnote that names the source and the range. Source text is escaped so that none of it is read as Markdown.
"""

from __future__ import annotations

import re

from provenance.assessment import COMPUTED_NOTE
from provenance.citations import location, references, reliability
from provenance.confidence import describe_likelihood
from provenance.report import CitedPassage, ClaimReport, Report, bulk
from provenance.retraction import retraction_details

_LIST_MARKER = re.compile(r"^(\s*)([-+=])", re.M)
_ORDINAL = re.compile(r"^(\s*\d+)([.)])", re.M)  # "1998. Next" at a line start would start a list
_SPECIAL = "\\`*_[]<>#|~&!"  # the backslash first, so the escapes added after it are not escaped again


def escape(text: str) -> str:
    """Backslash-escape what Markdown would otherwise read as markup (CommonMark undoes each escape)."""
    for char in _SPECIAL:
        if char in text:  # one replace per character present: several times faster than str.translate
            text = text.replace(char, "\\" + char)
    if "\n" in text or text[:1] in "-+=0123456789 \t":
        text = _LIST_MARKER.sub(r"\1\\\2", text)
        text = _ORDINAL.sub(r"\1\\\2", text)
    return text


def unescape(text: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


def _status(entry: ClaimReport) -> str:
    claim = entry.claim
    status = claim.status.value.replace("_", " ")
    verdict = claim.verdict.value.replace("_", " ") if claim.verdict else "no verdict yet"
    return f"{status}; {verdict}"


class _Writer:
    """Writes the claims' sections, numbering one footnote per passage in order of first citation.

    A report quotes the same passage for several claims and repeats attributions, notes and likelihoods, so
    each passage's block quote (with its footnote mark), and each part of an assessment, is made once.
    """

    def __init__(self, references: dict[int, str]) -> None:
        self.references = references
        self.quotes: dict[int, str] = {}  # passage id -> its block quote, ending with its footnote mark
        self.notes: list[str] = []
        self.escaped: dict[str, str] = {}
        self.attributions: dict[str, str] = {}
        self.likelihoods: dict[float, str] = {}

    def escape(self, text: str) -> str:
        escaped = self.escaped.get(text)
        if escaped is None:
            escaped = self.escaped[text] = escape(text)
        return escaped

    def _quote(self, cited: CitedPassage) -> str:
        """The passage as a block quote ending with the mark of its footnote, which this adds."""
        passage, source = cited.passage, cited.source
        number = len(self.quotes) + 1
        retraction = retraction_details(source)
        self.notes.append(
            f"[^{number}]: {escape(self.references[source.id])} Source `{source.key}`, "
            f"{location(passage)}; {reliability(source)}."
            + (f" Retracted {escape(retraction.rstrip('.'))}." if retraction is not None else "")
        )
        lines = escape(passage.text).split("\n")
        quote = self.quotes[passage.id] = "\n".join([f"> {line}".rstrip() for line in lines]) + f"[^{number}]"
        return quote

    def quote_block(self, cited: CitedPassage, out: list[str]) -> None:
        """The passage quoted, then who it is attributed to, its likelihood and the analyst's note, if any."""
        quote = self.quotes.get(cited.passage.id) or self._quote(cited)
        evidence = cited.evidence
        details = []
        if cited.latest is not None:
            key, latest = self.escape(cited.source.key), self.escape(cited.latest)
            details.append(f"On superseded version {key} (latest {latest}).")
        if evidence.orphaned_reason is not None:
            details.append(f"**Not carried to the newer version:** {self.escape(evidence.orphaned_reason)}.")
        retraction = retraction_details(cited.source)
        if retraction is not None:
            details.append(f"**Source retracted** {self.escape(retraction.rstrip('.'))}.")
        if cited.omits:  # the analyst's parts of the passage, "…" between them, with the passage's footnote mark
            lines = escape(cited.quoted).split("\n")
            quote = "\n".join([f"> {line}".rstrip() for line in lines]) + quote[quote.rindex("[^") :]
            details.append("“…” marks words left out of the quote.")
        if evidence.needs_review:
            details.append(f"**Needs review:** {cited.review}; quoted as “{self.escape(evidence.quote)}”.")
        if evidence.attributed_to:
            attribution = self.attributions.get(evidence.attributed_to)
            if attribution is None:
                attribution = self.attributions[evidence.attributed_to] = (
                    f"Attributed to {escape(evidence.attributed_to)}."
                )
            details.append(attribution)
        if evidence.confidence is not None:
            likelihood = self.likelihoods.get(evidence.confidence)
            if likelihood is None:
                likelihood = self.likelihoods[evidence.confidence] = (
                    f"Likelihood: {describe_likelihood(evidence.confidence)}."
                )
            details.append(likelihood)
        if evidence.note:
            details.append(self.escape(evidence.note))
        if details:
            out += (quote, "", " ".join(details), "")
        else:
            out += (quote, "")

    def claim_section(self, entry: ClaimReport, level: int, out: list[str]) -> None:
        claim = entry.claim
        h, sub = "#" * level, "#" * (level + 1)
        out += (f"{h} {claim.key}", "", f"**Claim:** {escape(claim.statement)}  ")
        if entry.about:
            out.append(f"**About:** {self.escape(', '.join(entry.about))}  ")
        out.append(f"**Status:** {_status(entry)}  ")
        likelihood = f"**Likelihood:** {describe_likelihood(claim.confidence)}"
        if claim.confidence_note:
            likelihood += f". {self.escape(claim.confidence_note)}"
        out += (f"{likelihood}  ", f"**Computed likelihood:** {entry.assessment.describe()}.", "")

        out += (f"{sub} Supporting evidence", "")
        if not entry.supporting:
            out += ("No supporting passage recorded.", "")
        for cited in entry.supporting:
            self.quote_block(cited, out)

        out += (f"{sub} Contradicting statements", "")
        if not entry.contradicting and not entry.conflicts:
            out += ("None recorded.", "")
        for cited in entry.contradicting:
            self.quote_block(cited, out)
        for conflict in entry.conflicts:
            contradiction = conflict.contradiction
            note = f" {escape(contradiction.note)}" if contradiction.note else ""
            note += f" Kind: {contradiction.kind.value}."
            note += f" Resolution: {escape(contradiction.resolution)}" if contradiction.resolution else ""
            out.append(
                f"- Conflicts with claim **{conflict.claim.key}** ({contradiction.status.value}): "
                f"“{escape(conflict.claim.statement)}”.{note}"
            )
        if entry.conflicts:
            out.append("")

        if entry.mentioning:
            out += (f"{sub} Also mentioned in", "")
            for cited in entry.mentioning:
                self.quote_block(cited, out)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def render(report: Report, title: str = "Cited report", style: str = "apa") -> str:
    """The whole report as one Markdown document (ending with a newline); references in ``style``."""
    with bulk():
        return _render(report, title, style)


def _render(report: Report, title: str, style: str) -> str:
    sources = report.sources
    writer = _Writer(references(sources, style))
    body: list[str] = []
    current_group: str | None = None
    for entry in report.claims:
        group = report.group_of(entry)
        if group is not None and group != current_group:
            body += (f"## {escape(group)}", "")
            current_group = group
        writer.claim_section(entry, 2 if group is None else 3, body)
    intro = [
        f"# {escape(title)}",
        "",
        f"{_count(len(report.claims), 'claim')}, {_count(len(writer.quotes), 'quoted passage')} from "
        f"{_count(len(sources), 'source')}. "
        "Each block quote is the source's exact text at the range its footnote gives (Unicode code points, end "
        "exclusive). Likelihoods use the ICD 203 terms; source reliability uses the Admiralty scale (A-F). "
        f"{COMPUTED_NOTE}",
        "",
    ]
    if not report.claims:
        intro += [escape(report.nothing), ""]
    lines = intro + body + (["## Sources cited", "", *writer.notes] if writer.notes else [])
    # The document ends with exactly one newline. Joined with one more line, it is made in one piece (a large
    # report is tens of megabytes; stripping and appending would copy it twice more).
    while lines and lines[-1] == "":
        lines.pop()
    if lines and lines[-1].endswith("\n"):
        return "\n".join(lines).rstrip("\n") + "\n"
    lines.append("")
    return "\n".join(lines)
