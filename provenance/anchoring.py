"""Finding a quote in a source's text, and saying how it was found.

"Exact" means the source's own characters. The quote is first put in the form every source's text is stored
in (:func:`provenance.documents.normalise`: control characters, Unicode NFC, no-break spaces as spaces, ``\n``
line ends, no spaces at the end of a line), so that a quote copied from the stored text or from the original
file is found as it is; :func:`stored_quote` is the form its evidence keeps. It is then looked for in this order:

1. **Exact**: the quote occurs in the source character for character. One occurrence is its span; several must
   be told apart with a prefix or suffix (text right before or after it: ``exact_context``) or an occurrence
   number (``exact_occurrence``). An ellipsis at the very start or end of a quote ("... were being diverted")
   only says that the sentence goes on, and is left out before looking.
2. **Exact with omission**: a quote with "...", "…", "[...]" or "(...)" between its words stands for words
   left out. Each part must occur exactly, in order, all within one paragraph and at most
   :data:`MAX_OMISSION_SPAN` characters from the start of the first part to the end of the last. The anchor is
   the whole span (``exact_omission``); reports show the parts with "…" between them.
3. **Not exact**: nothing is stored unless the analyst accepts a candidate (``accept_fuzzy``, or ``min_score``).
   The candidate is, first, text with the same words as the quote but other quotation marks (straight or curly)
   or spacing: where it is is not a guess, but its characters are not the quote's, so it is not called exact.
   Failing that, the span most like the quote, by rapidfuzz's Indel similarity (0-100). An accepted candidate
   is stored as ``fuzzy`` with its score and must be reviewed. A candidate scoring below
   :data:`CANDIDATE_FLOOR` is no candidate at all; quotes shorter than :data:`FUZZY_MIN_LENGTH` characters are
   never matched by similarity (a short quote resembles too many places); and when other spans come within
   :data:`TIE_MARGIN` points of the best, the analyst must choose among them as among exact occurrences.

Every refusal is a :class:`ProvenanceError` that shows what the source has instead, where, and with what score.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from provenance.errors import Invalid, NotFound
from provenance.models import AnchorMethod
from provenance.text import count

DEFAULT_MIN_SCORE = 80.0  # what --accept-fuzzy accepts without --min-score
CANDIDATE_FLOOR = 60.0  # below this, the closest text is not proposed as a candidate (unrelated text scores ~45-50)
FUZZY_MIN_LENGTH = 15  # characters; shorter quotes are matched only exactly (or by quotation marks and spacing)
TIE_MARGIN = 5.0  # candidates this close to the best one make the match ambiguous
MAX_OMISSION_SPAN = 1000  # characters from the first part of a quote with omissions to the end of its last
OMISSION_MARK = "…"  # how reports show the words a quote leaves out

_SHOWN = 5
_CONTEXT = 24
_DOTS = r"(?:\.{3,}|…|\.\s\.\s\.)"
_OMISSION = re.compile(rf"\s*(?:\[\s*{_DOTS}\s*\]|\(\s*{_DOTS}\s*\)|{_DOTS})\s*")
_LEADING = re.compile(rf"^(?:{_OMISSION.pattern})+")
_TRAILING = re.compile(rf"(?:{_OMISSION.pattern})+$")
_DOUBLE_QUOTES = '"“”„‟″«»'
_SINGLE_QUOTES = "'‘’‚‛′ʼ"
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


# Text stored before no-break spaces were stored as spaces may still hold them: looked up as spaces, one character
# for one, so that offsets into the lookup text are offsets into the source.
_STORED_NO_BREAK_SPACES = ("\u00a0", "\u2007", "\u202f")


def _lookup_text(text: str) -> str:
    """``text`` as quotes are looked up in it: the same length, any no-break space a space."""
    if text.isascii():
        return text
    for space in _STORED_NO_BREAK_SPACES:
        if space in text:
            text = text.replace(space, " ")
    return text


@dataclass(frozen=True)
class Anchor:
    """The span of a source's text a quote stands for, how it was found and, for a fuzzy match, its score."""

    start: int
    end: int
    method: AnchorMethod
    score: float | None = None  # similarity 0-100 between the quote and the span, for a fuzzy match

    @property
    def needs_review(self) -> bool:
        return self.method is AnchorMethod.FUZZY


@dataclass(frozen=True)
class Candidate:
    """A span of a source's text proposed for a quote that does not occur in it exactly."""

    start: int
    end: int
    score: float  # similarity 0-100


def format_score(score: float) -> str:
    """``91`` or ``79.6``: a score as it is stored, one decimal at most, so a refusal at 80 never shows 80."""
    return f"{score:.1f}".removesuffix(".0")


def review_label(needs_review: bool, method: AnchorMethod, score: float | None) -> str | None:
    """``"fuzzy match 91/100"``: why a piece of evidence needs review, or None if it does not."""
    if not needs_review:
        return None
    label = f"{method.value.replace('_', ' ')} match"
    return label if score is None else f"{label} {format_score(score)}/100"


# --- quotes with omissions ----------------------------------------------------------------------------


def trim_ellipses(quote: str) -> str:
    """The quote without an ellipsis at its start or end ("... were diverted" -> "were diverted")."""
    return _TRAILING.sub("", _LEADING.sub("", quote))


def quote_parts(quote: str) -> list[str]:
    """The parts of a quote between the marks of left-out words; one part if it leaves nothing out."""
    return [part for part in _OMISSION.split(trim_ellipses(quote)) if part]


def has_omission(quote: str) -> bool:
    return len(quote_parts(quote)) > 1


def omission_parts(span: str, quote: str) -> list[tuple[int, int]]:
    """Where the parts of ``quote`` stand in ``span``, the text an ``exact_omission`` anchor covers, as offsets
    into ``span``: the first part at its start, each next one as early as it occurs, the last one ending it (as
    :func:`anchor_quote` placed them). The whole span as one part if the quote leaves nothing out or its parts
    are not there so."""
    parts = quote_parts(quote)
    whole = [(0, len(span))]
    if len(parts) < 2 or not span.startswith(parts[0]):
        return whole
    found = [(0, len(parts[0]))]
    for part in parts[1:]:
        at = span.find(part, found[-1][1])
        if at < 0:
            return whole
        found.append((at, at + len(part)))
    return found if found[-1][1] == len(span) else whole


def shown_quote(span: str, quote: str, method: AnchorMethod) -> str:
    """What a report quotes: the source's text, or for a quote with omissions its parts (the source's text at
    each) with "…" between them."""
    if method is not AnchorMethod.EXACT_OMISSION:
        return span
    return f" {OMISSION_MARK} ".join(span[start:end] for start, end in omission_parts(span, quote))


# --- finding ------------------------------------------------------------------------------------------


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


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _typographic_pattern(quote: str) -> re.Pattern[str]:
    """The quote's words with any run of whitespace between them and any kind of quotation mark or apostrophe
    where it has one."""
    tokens = []
    for word in quote.split():
        pieces = []
        for char in word:
            if char in _DOUBLE_QUOTES:
                pieces.append(f"[{re.escape(_DOUBLE_QUOTES)}]")
            elif char in _SINGLE_QUOTES:
                pieces.append(f"[{re.escape(_SINGLE_QUOTES)}]")
            else:
                pieces.append(re.escape(char))
        tokens.append("".join(pieces))
    return re.compile(r"\s+".join(tokens))


def typographic_candidates(text: str, quote: str) -> list[Candidate]:
    """Spans of ``text`` with the words of ``quote`` but other quotation marks or whitespace, in order."""
    return [
        Candidate(m.start(), m.end(), _similarity(quote, m.group())) for m in _typographic_pattern(quote).finditer(text)
    ]


def _similarity(quote: str, span: str) -> float:
    from rapidfuzz import fuzz  # loaded only to anchor a quote: `claim show` and reports need none of it

    return round(fuzz.ratio(quote, span), 1)


def _in_word(char: str) -> bool:
    return char.isalnum() or char in "'’-‐"  # "Pyongyang's", "Trump-Kim": one word each


def _starts_word(text: str, position: int) -> bool:
    """Whether a span may start at ``position``: at a word or at punctuation that follows a space, never inside
    a word (so a candidate is words the analyst can quote)."""
    if position >= len(text) or text[position].isspace():
        return False
    if position == 0 or text[position - 1].isspace():
        return True
    return not _in_word(text[position - 1]) and _in_word(text[position])


def _ends_word(text: str, position: int) -> bool:
    """Whether a span may end at ``position``: after a word or punctuation, before a space or punctuation."""
    if position <= 0 or text[position - 1].isspace():
        return False
    if position == len(text) or text[position].isspace():
        return True
    return _in_word(text[position - 1]) and not _in_word(text[position])


def _refine(text: str, quote: str, start: int, end: int) -> Candidate:
    """The span near ``start``..``end`` (an alignment as long as the quote) most like the quote, starting and
    ending at word edges: a quote missing a word or a letter matches the whole words it meant."""
    slack = max(10, min(len(quote) // 2, 80))
    starts = [p for p in range(max(0, start - slack), min(len(text), start + slack) + 1) if _starts_word(text, p)]
    ends = [p for p in range(max(1, end - slack), min(len(text), end + slack) + 1) if _ends_word(text, p)]
    best: tuple[float, int, int, int, int] | None = None
    for s in starts:
        for e in ends:
            if e <= s:
                continue
            score = _similarity(quote, text[s:e])
            key = (score, -abs(e - s - len(quote)), -s, s, e)
            if best is None or key > best:
                best = key
    if best is None:
        return Candidate(start, end, _similarity(quote, text[start:end]))
    return Candidate(best[3], best[4], best[0])


def fuzzy_candidates(text: str, quote: str) -> list[Candidate]:
    """The span of ``text`` most like ``quote`` and any others within :data:`TIE_MARGIN` points of it (at most
    five), best first. Each is found by rapidfuzz's alignment of the quote with the text, then widened or
    narrowed to whole words; the spans already found are masked before looking for the next."""
    if not text.strip():
        return []
    if len(quote) >= len(text):
        start = len(text) - len(text.lstrip())
        end = len(text.rstrip())
        return [Candidate(start, end, _similarity(quote, text[start:end]))]
    from rapidfuzz import fuzz

    found: list[Candidate] = []
    masked = text
    for _ in range(_SHOWN):
        alignment = fuzz.partial_ratio_alignment(quote, masked)
        if alignment is None or alignment.score <= 0:  # None only when a score cutoff is given
            break
        candidate = _refine(text, quote, alignment.dest_start, alignment.dest_end)
        if any(c.start < candidate.end and candidate.start < c.end for c in found):
            break  # what is left of the text is no closer than what was found
        if found and candidate.score < found[0].score - TIE_MARGIN:
            break
        found.append(candidate)
        masked = masked[: candidate.start] + "\0" * (candidate.end - candidate.start) + masked[candidate.end :]
    found.sort(key=lambda c: -c.score)
    return [c for c in found if c.score >= found[0].score - TIE_MARGIN]


def closest_text(text: str, quote: str) -> tuple[str, float]:
    """The span of ``text`` most like ``quote`` and its similarity score (0-100)."""
    candidates = fuzzy_candidates(text, quote)
    if not candidates:
        return "", 0.0
    return text[candidates[0].start : candidates[0].end], candidates[0].score


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Paragraphs as blank lines separate them, for callers that do not pass the segmenter's."""
    spans, start = [], 0
    for gap in _PARAGRAPH_BREAK.finditer(text):
        spans.append((start, gap.start()))
        start = gap.end()
    spans.append((start, len(text)))
    return spans


def _chain(text: str, parts: Sequence[str], start: int, limit: int | None) -> int | None:
    """The end of the parts found in order from ``parts[0]`` at ``start``, each as early as it occurs, or None;
    with ``limit``, all within that many characters of ``start``."""
    position = start + len(parts[0])
    bound = len(text) if limit is None else min(len(text), start + limit)
    for part in parts[1:]:
        at = text.find(part, position, bound)
        if at < 0:
            return None
        position = at + len(part)
    return position


def omission_spans(
    text: str, parts: Sequence[str], paragraphs: Sequence[tuple[int, int]] | None = None
) -> list[tuple[int, int]]:
    """Every span of ``text`` that holds ``parts`` exactly, in order, within one paragraph and
    :data:`MAX_OMISSION_SPAN` characters, and holds no smaller such span (from several starts that reach the
    same end, the last)."""
    paragraphs = sorted(paragraphs) if paragraphs is not None else _paragraph_spans(text)
    starts = [p[0] for p in paragraphs]
    by_end: dict[int, int] = {}
    for start in occurrences(text, parts[0]):
        end = _chain(text, parts, start, MAX_OMISSION_SPAN)
        if end is None:
            continue
        holder = bisect.bisect_right(starts, start) - 1
        if holder < 0 or end > paragraphs[holder][1]:
            continue
        by_end[end] = start  # later starts overwrite earlier ones
    return sorted((start, end) for end, start in by_end.items())


# --- anchoring ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Choice:
    """What tells several candidate spans apart: the analyst's prefix, suffix or occurrence number."""

    source_key: str
    prefix: str | None
    suffix: str | None
    occurrence: int | None


def _choose(
    text: str,
    spans: Sequence[tuple[int, int]],
    what: str,
    choice: _Choice,
    scores: dict[tuple[int, int], float] | None = None,
) -> tuple[tuple[int, int], AnchorMethod | None]:
    """The one span the prefix, suffix or occurrence number picks, and how it was picked (None: it was the only
    one); an error listing them if several remain, or saying why none does."""
    source_key, prefix, suffix, occurrence = choice.source_key, choice.prefix, choice.suffix, choice.occurrence
    chosen_by: AnchorMethod | None = None
    if prefix is not None or suffix is not None:
        chosen_by = AnchorMethod.EXACT_CONTEXT
        # the whitespace between a prefix or suffix and the quote may be left out, as people type them
        before = None if prefix is None else re.compile(_spaced(prefix) + r"\s*\Z")
        after = None if suffix is None else re.compile(r"\s*" + _spaced(suffix))
        reach = 4 * len(prefix or "") + 100  # how far back a prefix typed with single spaces may reach
        spans = [
            (s, e)
            for s, e in spans
            if (before is None or before.search(text, max(0, s - reach), s)) and (after is None or after.match(text, e))
        ]
        if not spans:
            raise NotFound(
                f"{what} occurs in source {source_key!r}, but never with that prefix/suffix around it; "
                "check them against `provenance source show " + source_key + " --passages`"
            )
    if occurrence is not None:
        if occurrence < 1 or occurrence > len(spans):
            raise Invalid(
                f"--occurrence {occurrence} is out of range: {what} occurs {count(len(spans), 'time')} "
                f"in source {source_key!r}"
            )
        return spans[occurrence - 1], AnchorMethod.EXACT_OCCURRENCE
    if len(spans) > 1:

        def described(n: int, s: int, e: int) -> str:
            score = f" (similarity {format_score(scores[s, e])}/100)" if scores else ""
            return f"{n}) at {s}-{e}{score}: {_in_context(text, s, e)}"

        shown = "; ".join(described(n, s, e) for n, (s, e) in enumerate(spans[:_SHOWN], start=1))
        more = f"; and {len(spans) - _SHOWN} more" if len(spans) > _SHOWN else ""
        raise Invalid(
            f"{what} occurs {len(spans)} times in source {source_key!r}: {shown}{more}; "
            "choose one with --occurrence N, or --prefix/--suffix"
        )
    return spans[0], chosen_by


def _spaced(context: str) -> str:
    """A pattern for a prefix or suffix as typed: its characters, with any run of whitespace (a space, a line
    break, a blank line) standing for any other, since a reader sees them alike: ``--prefix "North Korea "``
    matches ``North Korea`` and the blank line after it. Its words are normalised as the source's text is."""
    from provenance.documents import normalise  # loaded only to anchor a quote

    words = [re.escape(word) for word in normalise(context).split()]
    pattern = r"\s+".join(words)
    if context[:1].isspace():
        pattern = r"\s+" + pattern
    if context[-1:].isspace() and words:
        pattern += r"\s+"
    return pattern


def check_min_score(min_score: float | None) -> None:
    if min_score is not None and not 0 <= min_score <= 100:
        raise Invalid(
            f"--min-score {min_score:g} is out of range; give a similarity from 0 to 100 "
            "(the score shown beside the closest text)"
        )


def anchor_quote(
    text: str,
    quote: str,
    *,
    source_key: str,
    prefix: str | None = None,
    suffix: str | None = None,
    occurrence: int | None = None,
    accept_fuzzy: bool = False,
    min_score: float | None = None,
    paragraphs: Sequence[tuple[int, int]] | None = None,
) -> Anchor:
    """The one span of ``text`` the quote stands for, or a :class:`ProvenanceError` saying why not.

    ``accept_fuzzy`` accepts a quote that is not in the text exactly if the closest candidate scores at least
    :data:`DEFAULT_MIN_SCORE`; ``min_score`` accepts it if it scores at least that much. ``paragraphs`` are the
    source's paragraph spans, which a quote with omissions must stay within (default: as blank lines part them).

    The quote is looked up normalised as the source's text is (:func:`provenance.documents.normalise`): a
    no-break space, a space at the end of a line, a Windows line end, a control character or a decomposed
    accent in it does not keep it from being found exactly.
    """
    check_min_score(min_score)
    if not quote.strip():
        raise Invalid("the quote is empty; give the exact words from the source")
    if quote != quote.strip():
        raise Invalid("the quote starts or ends with whitespace; give the words alone")
    from provenance.documents import normalise  # loaded only to anchor a quote: `claim show` needs none of it

    quote = normalise(quote)
    if not quote:
        raise Invalid("the quote is empty; give the exact words from the source")
    choice = _Choice(source_key, prefix, suffix, occurrence)
    lookup = _lookup_text(text)
    words = quote
    starts = occurrences(lookup, quote)
    if not starts:
        words = trim_ellipses(quote)
        if not words:
            raise Invalid("the quote is only an ellipsis; give the exact words from the source")
        starts = occurrences(lookup, words) if words != quote else []
    if starts:
        (start, end), chosen_by = _choose(lookup, [(s, s + len(words)) for s in starts], "the quote", choice)
        return Anchor(start, end, chosen_by or AnchorMethod.EXACT)

    parts = quote_parts(words)
    if len(parts) > 1:
        return _anchor_omission(lookup, parts, paragraphs, choice)

    accept_at = min_score if min_score is not None else DEFAULT_MIN_SCORE if accept_fuzzy else None
    typographic = typographic_candidates(text, words)
    if typographic:
        spans = [(c.start, c.end) for c in typographic]
        what = "text differing from the quote only in quotation marks or spacing"
        (start, end), _ = _choose(text, spans, what, choice)
        candidate = next(c for c in typographic if (c.start, c.end) == (start, end))
        return _accept(text, candidate, accept_at, source_key, "the same words with other quotation marks or spacing")

    if len(words) < FUZZY_MIN_LENGTH:
        # Said before any candidate is looked for: a short quote resembles too many places for one to mean much.
        accepting = "; --accept-fuzzy and --min-score do not apply to it" if accept_at is not None else ""
        raise NotFound(
            f"quote not found in source {source_key!r}; it is too short to be matched approximately (under "
            f"{FUZZY_MIN_LENGTH} characters), so no closest text is shown{accepting}: quote the source exactly, "
            "or quote more of it"
        )
    candidates = fuzzy_candidates(text, words)
    if not candidates or candidates[0].score < CANDIDATE_FLOOR:
        closest = (
            f"the closest text, {_one_line(text[candidates[0].start : candidates[0].end])!r}, scores "
            f"{format_score(candidates[0].score)}/100, below the {format_score(CANDIDATE_FLOOR)}/100 a candidate needs"
            if candidates
            else "it has no text to compare"
        )
        nothing = "; there is nothing to accept with --accept-fuzzy" if accept_at is not None else ""
        raise NotFound(
            f"quote not found in source {source_key!r}; nothing in it comes close: {closest}{nothing}; "
            "check that the quote comes from this source"
        )
    if accept_at is None or candidates[0].score < accept_at or len(candidates) == 1:
        return _accept(text, candidates[0], accept_at, source_key, None, candidates[1:])
    # Accepting, and several spans are about as close: the analyst chooses, as among exact occurrences.
    scores = {(c.start, c.end): c.score for c in sorted(candidates, key=lambda c: c.start)}
    (start, end), _ = _choose(text, list(scores), "text about as close to the quote", choice, scores)
    return _accept(text, Candidate(start, end, scores[start, end]), accept_at, source_key, None)


def stored_quote(text: str, quote: str, anchor: Anchor) -> str:
    """The quote as its evidence keeps it, once ``anchor`` has been found for it in ``text``: normalised as the
    source's text is (:func:`provenance.documents.normalise`), so that a quote found exactly is, word for word
    and character for character, its passage's text (with the analyst's ellipses at its ends and for left-out
    words). Where a source stored before no-break spaces were stored as spaces still has one, the words found
    keep the source's character. A fuzzy match keeps the analyst's words, normalised."""
    from provenance.documents import normalise

    quote = normalise(quote)
    span = text[anchor.start : anchor.end]
    lookup = _lookup_text(span)
    if anchor.method is AnchorMethod.FUZZY or lookup == span:
        return quote
    if anchor.method is AnchorMethod.EXACT_OMISSION:
        # the quote's parts (even places) and the marks of left-out words between them (odd places)
        pieces = re.split(f"({_OMISSION.pattern})", quote)
        places = [n for n in range(0, len(pieces), 2) if pieces[n]]
        found = omission_parts(lookup, quote)
        if len(found) != len(places):
            return quote
        if any(pieces[n] != lookup[s:e] for n, (s, e) in zip(places, found, strict=True)):
            return quote
        for n, (start, end) in zip(places, found, strict=True):
            pieces[n] = span[start:end]
        return "".join(pieces)
    at = quote.find(lookup)
    return quote if at < 0 else quote[:at] + span + quote[at + len(lookup) :]


def _accept(
    text: str,
    candidate: Candidate,
    accept_at: float | None,
    source_key: str,
    kind: str | None,
    others: Sequence[Candidate] = (),
) -> Anchor:
    """``candidate`` as a fuzzy anchor if the analyst accepts its score, else an error showing it (and the
    ``others`` about as close)."""
    near = _one_line(text[candidate.start : candidate.end])
    score = format_score(candidate.score)
    where = f"similarity {score}/100, characters {candidate.start}-{candidate.end}"
    also = ""
    if others:
        listed = ", ".join(f"{c.start}-{c.end} ({format_score(c.score)}/100)" for c in others)
        also = f" (text at {listed} comes about as close)"
    if accept_at is None:
        accept = (
            "add --accept-fuzzy" if candidate.score >= DEFAULT_MIN_SCORE else f"add --min-score {int(candidate.score)}"
        )
        raise NotFound(
            f"quote not found in source {source_key!r}; the closest text it has ({f'{kind}; ' if kind else ''}"
            f"{where}) is: {near!r}{also}; quote the source exactly, or {accept} to store that text marked for review"
        )
    if candidate.score < accept_at:
        raise NotFound(
            f"quote not found in source {source_key!r}; the closest text it has ({where}) is: {near!r}{also}, "
            f"below the {format_score(accept_at)}/100 accepted; quote the source exactly, or accept it with "
            f"--min-score {int(candidate.score)}"
        )
    return Anchor(candidate.start, candidate.end, AnchorMethod.FUZZY, candidate.score)


def _anchor_omission(
    text: str,
    parts: list[str],
    paragraphs: Sequence[tuple[int, int]] | None,
    choice: _Choice,
) -> Anchor:
    source_key = choice.source_key
    exactly = "a quote with left-out words is anchored only if each part is in the source exactly"
    for n, part in enumerate(parts, start=1):
        if part not in text:
            near, score = closest_text(text, part)
            raise NotFound(
                f"part {n} of the quote, {part!r}, is not in source {source_key!r} (the closest text, similarity "
                f"{format_score(score)}/100: {_one_line(near)!r}); {exactly}"
            )
    spans = omission_spans(text, parts, paragraphs)
    if not spans:
        in_order = any(_chain(text, parts, start, None) is not None for start in occurrences(text, parts[0]))
        if not in_order:
            raise NotFound(
                f"the parts of the quote are in source {source_key!r}, but never in this order; {exactly}, in order"
            )
        raise NotFound(
            f"the parts of the quote are in source {source_key!r} in this order only further apart than one "
            f"paragraph and {MAX_OMISSION_SPAN:,} characters; quote words that stand together, or cite each part "
            "as evidence of its own"
        )
    (start, end), _ = _choose(text, spans, "the quote with its left-out words", choice)
    return Anchor(start, end, AnchorMethod.EXACT_OMISSION)


def position_choice(
    text: str,
    start: int,
    end: int,
    *,
    source_key: str,
    quote: str | None = None,
    prefix: str | None = None,
    suffix: str | None = None,
) -> tuple[str, int | None]:
    """What makes :func:`anchor_quote` pick characters ``start``-``end`` of ``text`` (code points, as a W3C
    TextPositionSelector counts them): the words there, and their occurrence number among the spans that the
    words, ``prefix`` and ``suffix`` leave (None when they leave that one alone). A ``quote`` given as well must be
    those very words, and a prefix or suffix must surround them there; an error says which does not."""
    if not 0 <= start < end <= len(text):
        raise Invalid(
            f"characters {start}-{end} are not a span of source {source_key!r}, whose text has {len(text):,} "
            "characters; give a start below the end, both within the text"
        )
    from provenance.documents import normalise  # loaded only to anchor a quote

    lookup = _lookup_text(text)
    words = lookup[start:end]
    if words != words.strip():
        raise Invalid(
            f"characters {start}-{end} of source {source_key!r} start or end with whitespace ({words!r}); "
            "select the words alone"
        )
    if normalise(words) != words:
        raise Invalid(
            f"characters {start}-{end} of source {source_key!r} start or end inside a character ({words!r}); "
            "select whole characters"
        )
    if quote is not None and normalise(quote) != words:
        raise Invalid(
            f"the quote and its position select different text in source {source_key!r}: characters {start}-{end} "
            f"are {_one_line(words)!r}, the quote is {_one_line(quote)!r}; give the quote's own position, or only "
            "one of them"
        )
    spans = [(s, s + len(words)) for s in occurrences(lookup, words)]
    if prefix is not None or suffix is not None:
        choice = _Choice(source_key, prefix, suffix, None)
        kept = []
        for span in spans:
            try:
                kept.append(_choose(lookup, [span], "the quote", choice)[0])
            except NotFound:
                continue
        if (start, end) not in kept:
            raise Invalid(
                f"the prefix/suffix given are not the text around characters {start}-{end} of source "
                f"{source_key!r} ({_in_context(lookup, start, end)}); give the text right before and after the quote"
            )
        spans = kept
    return text[start:end], None if len(spans) == 1 else spans.index((start, end)) + 1
