"""Finding a quote in a source's text: exactly, or not at all.

A quote must occur in the source's normalised text character for character. One occurrence is its span.
Several must be told apart with a prefix or suffix (text right before or after the quote) or an occurrence
number; none is an error that shows the closest text the source has, so the analyst can correct the quote.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from provenance.errors import Invalid, NotFound
from provenance.models import AnchorMethod

_SHOWN = 5
_CONTEXT = 24


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int
    method: AnchorMethod


def occurrences(text: str, quote: str) -> list[int]:
    """Start offsets of every occurrence of ``quote`` in ``text`` (overlapping ones too)."""
    found = []
    position = text.find(quote)
    while position != -1:
        found.append(position)
        position = text.find(quote, position + 1)
    return found


def _in_context(text: str, start: int, end: int) -> str:
    before = text[max(0, start - _CONTEXT) : start]
    after = text[end : end + _CONTEXT]
    return " ".join(f"…{before}[{text[start:end]}]{after}…".split())


def closest_text(text: str, quote: str) -> tuple[str, float]:
    """The span of ``text`` most like ``quote`` and its similarity score (0-100)."""
    if len(quote) >= len(text):
        return text, fuzz.ratio(quote, text)
    alignment = fuzz.partial_ratio_alignment(quote, text)
    if alignment is None:  # only when a score cutoff is given; kept for the type checker
        return "", 0.0
    # The alignment window is exactly as long as the quote, so a quote missing a letter would be shown cut short
    # ("North Kore"); widen it to whole words, so that what is shown is text the analyst can quote.
    start, end = alignment.dest_start, alignment.dest_end
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    return text[start:end], alignment.score


def anchor_quote(
    text: str,
    quote: str,
    *,
    source_key: str,
    prefix: str | None = None,
    suffix: str | None = None,
    occurrence: int | None = None,
) -> Anchor:
    """The one span of ``text`` the quote stands for, or a :class:`ProvenanceError` saying why not."""
    if not quote.strip():
        raise Invalid("the quote is empty; give the exact words from the source")
    if quote != quote.strip():
        raise Invalid("the quote starts or ends with whitespace; give the words alone")
    starts = occurrences(text, quote)
    if not starts:
        near, score = closest_text(text, quote)
        raise NotFound(
            f"quote not found in source {source_key!r}; the closest text it has (similarity {score:.0f} %) "
            f"is: {' '.join(near.split())!r}; quote the source exactly"
        )
    method = AnchorMethod.EXACT
    if prefix is not None or suffix is not None:
        method = AnchorMethod.EXACT_CONTEXT
        starts = [
            s
            for s in starts
            if (prefix is None or text[:s].endswith(prefix))
            and (suffix is None or text[s + len(quote) :].startswith(suffix))
        ]
        if not starts:
            raise NotFound(
                f"the quote occurs in source {source_key!r}, but never with that prefix/suffix around it; "
                "check them against `provenance source show " + source_key + " --passages`"
            )
    if occurrence is not None:
        if occurrence < 1 or occurrence > len(starts):
            raise Invalid(
                f"--occurrence {occurrence} is out of range: the quote occurs {len(starts)} time(s) "
                f"in source {source_key!r}"
            )
        return Anchor(starts[occurrence - 1], starts[occurrence - 1] + len(quote), AnchorMethod.EXACT_OCCURRENCE)
    if len(starts) > 1:
        shown = "; ".join(
            f"{n}) at {s}-{s + len(quote)}: {_in_context(text, s, s + len(quote))}"
            for n, s in enumerate(starts[:_SHOWN], start=1)
        )
        more = f"; and {len(starts) - _SHOWN} more" if len(starts) > _SHOWN else ""
        raise Invalid(
            f"the quote occurs {len(starts)} times in source {source_key!r}: {shown}{more}; "
            "choose one with --occurrence N, or --prefix/--suffix"
        )
    return Anchor(starts[0], starts[0] + len(quote), method)
