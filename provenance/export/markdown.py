"""The cited report as Markdown (CommonMark with footnotes, as GitHub and pandoc read it).

Each quoted passage is a block quote holding exactly the source's text at the cited range, followed by a
footnote that names the source and the range. Source text is escaped so that none of it is read as Markdown.
"""

from __future__ import annotations

import re

from provenance.citations import location, references, reliability
from provenance.confidence import describe_likelihood
from provenance.report import CitedPassage, ClaimReport, Report

_LIST_MARKER = re.compile(r"^(\s*)([-+=])", re.M)
_ORDINAL = re.compile(r"^(\s*\d+)([.)])", re.M)  # "1998. Next" at a line start would start a list


_ESCAPES = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|~&!"})


def escape(text: str) -> str:
    """Backslash-escape what Markdown would otherwise read as markup (CommonMark undoes each escape)."""
    text = text.translate(_ESCAPES)
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


class _Footnotes:
    """One footnote per passage, numbered in order of first citation."""

    def __init__(self, references: dict[int, str]) -> None:
        self.references = references
        self.numbers: dict[int, int] = {}
        self.lines: list[str] = []

    def cite(self, cited: CitedPassage) -> str:
        number = self.numbers.get(cited.passage.id)
        if number is None:
            number = self.numbers[cited.passage.id] = len(self.numbers) + 1
            self.lines.append(
                f"[^{number}]: {escape(self.references[cited.source.id])} Source `{cited.source.key}`, "
                f"{location(cited.passage)}; {reliability(cited.source)}."
            )
        return f"[^{number}]"


def _quote_block(cited: CitedPassage, footnotes: _Footnotes) -> list[str]:
    lines = [f"> {line}".rstrip() for line in escape(cited.passage.text).split("\n")]
    lines[-1] += footnotes.cite(cited)
    details = []
    if cited.evidence.attributed_to:
        details.append(f"Attributed to {escape(cited.evidence.attributed_to)}.")
    if cited.evidence.confidence is not None:
        details.append(f"Likelihood: {describe_likelihood(cited.evidence.confidence)}.")
    if cited.evidence.note:
        details.append(escape(cited.evidence.note))
    return [*lines, "", *([" ".join(details), ""] if details else [])]


def _claim_section(entry: ClaimReport, footnotes: _Footnotes, level: int) -> list[str]:
    claim = entry.claim
    h, sub = "#" * level, "#" * (level + 1)
    out = [
        f"{h} {claim.key}",
        "",
        f"**Claim:** {escape(claim.statement)}  ",
    ]
    if entry.about:
        out.append(f"**About:** {escape(', '.join(entry.about))}  ")
    out.append(f"**Status:** {_status(entry)}  ")
    likelihood = f"**Likelihood:** {describe_likelihood(claim.confidence)}"
    if claim.confidence_note:
        likelihood += f". {escape(claim.confidence_note)}"
    out += [likelihood, ""]

    out += [f"{sub} Supporting evidence", ""]
    if not entry.supporting:
        out += ["No supporting passage recorded.", ""]
    for cited in entry.supporting:
        out += _quote_block(cited, footnotes)

    out += [f"{sub} Contradicting statements", ""]
    if not entry.contradicting and not entry.conflicts:
        out += ["None recorded.", ""]
    for cited in entry.contradicting:
        out += _quote_block(cited, footnotes)
    for conflict in entry.conflicts:
        note = f" {escape(conflict.contradiction.note)}" if conflict.contradiction.note else ""
        out += [
            f"- Conflicts with claim **{conflict.claim.key}** ({conflict.contradiction.status.value}): "
            f"“{escape(conflict.claim.statement)}”.{note}",
        ]
    if entry.conflicts:
        out.append("")

    if entry.mentioning:
        out += [f"{sub} Also mentioned in", ""]
        for cited in entry.mentioning:
            out += _quote_block(cited, footnotes)
    return out


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def render(report: Report, title: str = "Cited report", style: str = "apa") -> str:
    """The whole report as one Markdown document (ending with a newline); references in ``style``."""
    footnotes = _Footnotes(references(report.sources, style))
    body: list[str] = []
    current_group: str | None = None
    for entry in report.claims:
        group = report.group_of(entry)
        if group is not None and group != current_group:
            body += [f"## {escape(group)}", ""]
            current_group = group
        body += _claim_section(entry, footnotes, 2 if group is None else 3)
    sources = report.sources
    passages = len(footnotes.numbers)
    intro = [
        f"# {escape(title)}",
        "",
        f"{_count(len(report.claims), 'claim')}, {_count(passages, 'quoted passage')} from "
        f"{_count(len(sources), 'source')}. "
        "Each block quote is the source's exact text at the range its footnote gives (Unicode code points, end "
        "exclusive). Likelihoods use the ICD 203 terms; source reliability uses the Admiralty scale (A-F).",
        "",
    ]
    if not report.claims:
        intro += ["No claims recorded yet.", ""]
    notes = ["## Sources cited", "", *footnotes.lines, ""] if footnotes.lines else []
    return "\n".join(intro + body + notes).rstrip("\n") + "\n"
