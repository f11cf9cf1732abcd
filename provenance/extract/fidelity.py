"""How faithfully a web page's stored text keeps the page: the extraction benchmark's own score, and the two
counts a fact-checker cares about, words stored that the page does not show and body words silently dropped.

**The benchmark's score** reproduces the method of scrapinghub/article-extraction-benchmark (``evaluate.py``),
so that figures here compare with its published table:

- tokens are the runs of ``\\w`` characters (Python's ``re``, Unicode), case kept, no other normalisation;
- a text's shingles are its runs of 4 consecutive tokens, counted with repetition (a text of fewer than 4
  tokens has one shorter shingle, an empty text none);
- per page, true positives, false positives and false negatives are summed over shingles (``min`` of the two
  counts, the excess of the stored text, the excess of the ground truth), then divided by their sum so that a
  long page weighs no more than a short one (:func:`benchmark_counts`);
- a page's precision is ``tp / (tp + fp)`` and its recall ``tp / (tp + fn)``, except that both are 1 when
  ``fp == fn == 0`` and 0 when there is nothing to divide;
- the averages are the mean precision over the pages with ``tp + fp > 0``, the mean recall over the pages with
  ``tp + fn > 0``, and F1 is the harmonic mean of those two means, not the mean of each page's F1
  (:func:`benchmark_averages`). A page's own F1 (:attr:`BenchmarkCounts.f1`) is only for showing per page.

**Words** (:func:`words`), for the two counts below, are the same ``\\w`` runs taken from text normalised the
same way on both sides: Unicode NFC; format characters that show nothing (soft hyphen, zero-width space and
joiners, bidirectional marks, word joiner: category Cf) removed; and each superscript or subscript character
(those Unicode decomposes as ``<super>`` or ``<sub>``: ``¹``, ``₂``, ``ª``, ``ⁿ``) read as its plain
character, each run of them a word of its own, apart from the characters around it. So ``3¹`` is the words ``3`` and
``1``, as a browser shows ``3<sup>1</sup>``: a 3 and a raised 1, two marks a reader tells apart; while ``31``
is one word, a number the page does not show. NFKC is deliberately not used: it would read ``3¹`` as ``31``.
Case is kept: ``US`` and ``us`` are different words.

**The words a page shows** (:func:`visible_words`) come from its HTML as a browser lays it out without
style sheets, over lxml's tree:

- nothing of ``head``, ``script``, ``style``, ``template``, ``noscript`` (browsers run scripts), ``iframe``,
  ``object``, ``embed``, ``canvas``, ``datalist``, a ``dialog`` that is not ``open``, nor of any element with
  the ``hidden`` attribute, an inline style ``display: none`` or ``visibility: hidden``, or one of the class
  names the common style sheets hide (``hidden``, ``d-none``, ``sr-only``, ``screen-reader-text``,
  ``visually-hidden``...: whole names only, and not ``d-none`` with ``d-md-block``; never ``html`` or
  ``body``, which pages hide until their scripts have run). Other elements hidden by a style sheet cannot be
  known without it and count as shown. ``aria-hidden`` hides from screen readers, not
  from the eye, so that text counts as shown;
- block elements (paragraphs, headings, list items, table cells, ``div``, ``section``...), ``br``, ``hr``,
  images and form controls separate words, and so do ``sup``, ``sub``, ``q`` (whose quotation marks a browser
  draws), ``rt`` and ``rp``; other inline elements (``a``, ``span``, ``time``, ``abbr``, ``code``, ``b``,
  ``wbr``, unknown custom elements) do not: ``Wash<span>ington</span>`` shows the one word ``Washington``;
- an inline style's ``display`` is a browser's too: ``block``, ``flex``, ``grid``, ``list-item``, ``table...``
  make an element separate words, ``inline`` and ``contents`` make a block element one of the line;
- two links side by side with nothing between them are two words, as pages style them (menus, lists of
  names or tags): ``<a>Omar</a><a>Ilhan</a>`` shows ``Omar`` and ``Ilhan``, and ``OmarIlhan`` is glued;
- an ordinal written with a raised suffix, ``1<sup>st</sup>`` or ``2<sup>e</sup>``, is read both as its two
  parts and as the one word a reader reads, ``1st`` (:func:`shown_words`); a raised number is never joined:
  ``3<sup>1</sup>`` shows ``3`` and ``1``, not ``31``.

**Invented words** (:func:`invented_words`): words of the stored text that are nowhere among the words the
page shows (a set, not a count). One that can be cut into two or more words the page does show is marked as
glued (``OmarIlhan`` from ``Omar`` and ``Ilhan`` in two elements; ``31`` from ``3<sup>1</sup>``).

**Dropped body words** (:func:`dropped_words`): the ground truth's ``articleBody`` (a person's marking of the
article) and the stored text are aligned word by word, in order (:class:`difflib.SequenceMatcher`, no junk
heuristic). A ground-truth paragraph (a line of it) of which at least half the words are found in the stored
text is *kept*; its words not found, that the page shows, are *dropped* (the words it has that the page does
not show are listed apart, as the marking's own, never counted). A paragraph with less than half its words
found is *left out*: that is a recall matter, reported apart and not counted as dropped. The kept paragraphs
are then aligned again without the left-out ones, so that a word of a left-out paragraph ("Get it on Amazon")
cannot stand in for the same word of a kept one. Adjacent missing words that, run together, are a word of
both the page and the stored text (the marking's ``expand ed`` for the page's ``expand<a>ed</a>``) are the
marking's cut, not dropped. A ground truth cut short by a paywall ends in ``...``; its last word may be cut
too, and is not looked for.

:func:`read_bench` reads the benchmark's folder; ``benchmarks/capture.py`` prints all of this per page, and
tests/test_capture_bench.py holds the extractor to it.
"""

from __future__ import annotations

import codecs
import difflib
import gzip
import json
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html  # type: ignore[import-untyped]
from lxml import etree

SHINGLE = 4
# The benchmark's tokens, and the words of the counts below: the same runs of word characters, the latter taken
# from normalised text.
_WORD = re.compile(r"\w+")

# --- the benchmark's score --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchmarkCounts:
    """One page's shingle matches, as fractions of their sum (the benchmark's ``tp, fp, fn``)."""

    tp: float
    fp: float
    fn: float

    @property
    def precision(self) -> float:
        if self.fp == self.fn == 0:
            return 1.0
        if self.tp == self.fp == 0:
            return 0.0
        return self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float:
        if self.fp == self.fn == 0:
            return 1.0
        if self.tp == self.fn == 0:
            return 0.0
        return self.tp / (self.tp + self.fn)

    @property
    def f1(self) -> float:
        precision, recall = self.precision, self.recall
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


@dataclass(frozen=True)
class BenchmarkAverages:
    """The benchmark's figures over a set of pages (see the module's description of how they are averaged)."""

    precision: float
    recall: float
    f1: float


def benchmark_tokens(text: str | None) -> list[str]:
    """The benchmark's tokens: runs of word characters, nothing else changed."""
    return _WORD.findall(text or "")


def _shingles(text: str | None, n: int) -> Counter[tuple[str, ...]]:
    tokens = benchmark_tokens(text)
    grams = (tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)))
    return Counter(gram for gram in grams if gram)


def benchmark_counts(truth: str | None, stored: str | None, n: int = SHINGLE) -> BenchmarkCounts:
    """The benchmark's ``tp, fp, fn`` of ``stored`` against the ground truth ``truth``."""
    true_shingles, stored_shingles = _shingles(truth, n), _shingles(stored, n)
    tp = fp = fn = 0.0
    for shingle in true_shingles.keys() | stored_shingles.keys():
        expected, got = true_shingles[shingle], stored_shingles[shingle]
        tp += min(expected, got)
        fp += max(0, got - expected)
        fn += max(0, expected - got)
    total = tp + fp + fn
    if total > 0:
        tp, fp, fn = tp / total, fp / total, fn / total
    return BenchmarkCounts(tp, fp, fn)


def benchmark_averages(pages: Iterable[BenchmarkCounts]) -> BenchmarkAverages:
    """Mean precision and mean recall over the pages that have a denominator for each, and their harmonic
    mean as F1, as the benchmark averages them."""
    pages = list(pages)
    precisions = [page.precision for page in pages if page.tp + page.fp > 0]
    recalls = [page.recall for page in pages if page.tp + page.fn > 0]
    precision = statistics.mean(precisions) if precisions else 0.0
    recall = statistics.mean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return BenchmarkAverages(precision, recall, f1)


# --- words ------------------------------------------------------------------------------------------------


def _raised(char: str) -> tuple[str, str]:
    """``("super" | "sub", plain character)`` for a superscript or subscript character, else ``("", char)``."""
    if char.isascii():
        return "", char
    decomposition = unicodedata.decomposition(char)
    for kind in ("super", "sub"):
        if decomposition.startswith(f"<{kind}> "):
            return kind, "".join(chr(int(code, 16)) for code in decomposition.split()[1:])
    return "", char


def _split_raised(token: str) -> list[str]:
    """``3¹²`` -> ``["3", "12"]``: each run of superscript (or subscript) characters a word of its own, read
    plainly."""
    if token.isascii():
        return [token]
    parts: list[str] = []
    current: list[str] = []
    current_kind = ""
    for char in token:
        kind, plain = _raised(char)
        if kind != current_kind and current:
            parts.append("".join(current))
            current.clear()
        current_kind = kind
        current.append(plain)
    if current:
        parts.append("".join(current))
    return parts


def _without_format_characters(text: str) -> str:
    if text.isascii():
        return text
    return "".join(char for char in text if unicodedata.category(char) != "Cf")


def words(text: str) -> list[str]:
    """The words of ``text``, in order, normalised as described in the module's documentation."""
    text = _without_format_characters(unicodedata.normalize("NFC", text))
    return [part for token in _WORD.findall(text) for part in _split_raised(token)]


# --- the words a page shows -------------------------------------------------------------------------------

_NOT_SHOWN = frozenset(
    ("head", "script", "style", "template", "noscript", "iframe", "object", "embed", "canvas", "datalist", "title")
)
_BLOCKS = frozenset(
    (
        "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog", "dir",
        "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "frameset", "h1", "h2", "h3", "h4",
        "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li", "listing", "main", "menu", "nav", "ol",
        "optgroup", "option", "p", "plaintext", "pre", "search", "section", "summary", "table", "tbody", "td",
        "tfoot", "th", "thead", "tr", "ul", "xmp",
    )
)  # fmt: skip
_SEPARATE = _BLOCKS | frozenset(
    (
        # breaks, replaced elements and controls
        "br", "img", "picture", "video", "audio", "svg", "math", "input", "button", "select", "textarea", "meter",
        "progress", "output",
        # raised, lowered and quoted text, and ruby annotations
        "sup", "sub", "q", "rt", "rp",
    )
)  # fmt: skip
# The last display declaration of an inline style: "block" and the like put an inline element on lines of its own,
# "inline" puts a block element in the line.
_DISPLAY = re.compile(r"(?:^|;)\s*display\s*:\s*([a-z-]+)", re.IGNORECASE)
_BLOCK_DISPLAY = re.compile(r"block|flex|grid|list-item|flow-root|table(?:-[a-z-]+)?", re.IGNORECASE)
_HIDING_STYLE = re.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\b", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
_META_CHARSET = re.compile(rb"<meta\s[^>]*?charset\s*=\s*[\"']?\s*([-\w.:]+)", re.IGNORECASE)


# Class names that hide an element in the common style sheets (Bootstrap, Foundation, WordPress, Drupal):
# only whole names, as "hidden-xs" hides on small screens only and "field-label-hidden" hides a label, not
# the field it names.
_HIDING_CLASSES = frozenset(
    (
        "hidden", "hide", "d-none", "dis-none", "display-none", "is-hidden", "u-hidden", "js-hidden",
        "element-hidden", "element-invisible", "invisible", "sr-only", "screen-reader-text", "visually-hidden",
        "visuallyhidden", "u-hidden-text", "vjs-hidden",
    )
)  # fmt: skip
# "d-none d-md-block": hidden on small screens only.
_SHOWN_FROM_A_WIDTH = re.compile(r"^d-(?:sm|md|lg|xl|xxl)-(?!none)")


def _hidden(element: etree._Element) -> bool:
    if element.tag in ("html", "body"):
        return False  # a page that hides itself until its scripts run is shown by them
    if element.get("hidden") is not None:
        return True
    if element.tag == "dialog" and element.get("open") is None:
        return True
    style = element.get("style")
    if style and _HIDING_STYLE.search(style):
        return True
    classes = (element.get("class") or "").split()
    return not _HIDING_CLASSES.isdisjoint(classes) and not any(_SHOWN_FROM_A_WIDTH.match(c) for c in classes)


# Written raised after a number and read as part of it: 1st, 2nd, 3e, 4ème, 5º.
_ORDINAL_SUFFIX = re.compile(r"(?:st|nd|rd|th|d|e|er|re|ère|ème|eme|es|ers|res|o|a|os|as|º|ª)", re.IGNORECASE)
_WORD_BEFORE = re.compile(r"\w*\d$")


def decode_page(data: bytes) -> str:
    """A saved page's text: by its byte order mark, else the charset its ``<meta>`` declares, else UTF-8;
    bytes that do not fit are replaced by U+FFFD."""
    for mark, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(mark):
            return data[len(mark) :].decode(encoding, errors="replace")
    encoding = "utf-8"
    if match := _META_CHARSET.search(data, 0, 4096):
        declared = match.group(1).decode("ascii").lower()
        encoding = "windows-1252" if declared in ("iso-8859-1", "latin-1", "us-ascii", "ascii") else declared
    try:
        return data.decode(encoding, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


def _separates(element: etree._Element, tag: str) -> bool:
    """Whether a browser keeps the words before, inside and after ``element`` apart."""
    displays = _DISPLAY.findall(element.get("style") or "")
    if displays and _BLOCK_DISPLAY.fullmatch(displays[-1]):
        return True
    if displays and displays[-1].lower() in ("inline", "contents") and tag in _BLOCKS:
        return False
    return tag in _SEPARATE


def _right_after_a_link(element: etree._Element) -> bool:
    """Whether a link follows another with nothing between them (``<a>Omar</a><a>Ilhan</a>``); an empty link
    before it shows nothing to keep apart from."""
    before = element.getprevious()
    # what shows nothing between them (a hidden element, a comment, a script) does not part them
    while (
        before is not None
        and not before.tail
        and (not isinstance(before.tag, str) or before.tag in _NOT_SHOWN or _hidden(before))
    ):
        before = before.getprevious()
    return before is not None and before.tag == "a" and not before.tail and bool(before.text_content().strip())


def _read_page(html: str | bytes) -> tuple[str, list[str]]:
    """The text a browser shows of a page, and the ordinals written with a raised suffix read as one word."""
    if isinstance(html, bytes):
        html = decode_page(html)
    html = _XML_DECLARATION.sub("", html, count=1)
    if not html.strip():
        return "", []
    root = lxml.html.document_fromstring(html)
    parts: list[str] = []
    ordinals: list[str] = []
    # An explicit stack rather than recursion: some pages nest elements thousands deep.
    stack: list[tuple[etree._Element, bool, bool]] = [(root, False, False)]
    while stack:
        element, closing, separates = stack.pop()
        tag = element.tag.lower() if isinstance(element.tag, str) else None
        if closing:
            if separates:
                parts.append("\n")
            if element.tail:
                parts.append(element.tail)
            continue
        if tag is None or tag in _NOT_SHOWN or _hidden(element):
            # comments and processing instructions show nothing, nor do hidden elements, but their tails do
            if element.tail:
                parts.append(element.tail)
            continue
        # the word before may end in an inline element's text or tail: look at the last few pieces together
        if tag == "sup" and parts and (number := _WORD_BEFORE.search(_without_format_characters("".join(parts[-8:])))):
            suffix = "".join(element.itertext()).strip()
            if _ORDINAL_SUFFIX.fullmatch(suffix):
                ordinals.append(number.group(0) + suffix)
        separates = _separates(element, tag)
        if separates or (tag == "a" and _right_after_a_link(element)):
            parts.append("\n")
        if element.text:
            parts.append(element.text)
        stack.append((element, True, separates))
        stack.extend((child, False, False) for child in reversed(element))
    return "".join(parts), ordinals


def visible_text(html: str | bytes) -> str:
    """The text a browser shows of a page, blocks and word-separating elements replaced by line breaks."""
    return _read_page(html)[0]


def visible_words(html: str | bytes) -> list[str]:
    """The words a browser shows of a page, in order (see the module's documentation)."""
    return words(visible_text(html))


def shown_words(html: str | bytes) -> frozenset[str]:
    """The set of words a page shows: :func:`visible_words`, and an ordinal written with a raised suffix
    (``1<sup>st</sup>``) read as the one word a reader reads (``1st``) as well as its two parts."""
    text, ordinals = _read_page(html)
    return frozenset(words(text)).union(*(words(ordinal) for ordinal in ordinals), ordinals)


# --- invented words ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Invented:
    """A word of the stored text that the page does not show; ``glued_from`` the shown words it is made of,
    when it is two or more of them run together."""

    word: str
    glued_from: tuple[str, ...] | None = None


def _cut(word: str, shown: Collection[str]) -> tuple[str, ...] | None:
    """``word`` as two or more shown words run together (the fewest such pieces), or ``None``."""
    n = len(word)
    best: list[tuple[str, ...] | None] = [None] * (n + 1)
    best[0] = ()
    for end in range(1, n + 1):
        for start in range(end):
            before = best[start]
            if before is None or word[start:end] not in shown or (start == 0 and end == n):
                continue
            candidate = (*before, word[start:end])
            current = best[end]
            if current is None or len(candidate) < len(current):
                best[end] = candidate
    return best[n]


def invented_words(stored: str, shown: Collection[str]) -> list[Invented]:
    """Each word of ``stored`` (every occurrence, in order) that is not among the words ``shown``."""
    shown = shown if isinstance(shown, set | frozenset) else set(shown)
    return [Invented(word, _cut(word, shown)) for word in words(stored) if word not in shown]


# --- dropped body words -----------------------------------------------------------------------------------

KEPT_SHARE = 0.5


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of the ground truth: its number (from 0), its words, whether the stored text keeps it
    (at least half its words found in order), the words not found, and the runs of its words that the marking
    cut apart but the stored text and the page have whole (``expand ed`` for ``expanded``), not counted."""

    index: int
    words: tuple[str, ...]
    kept: bool
    missing: tuple[str, ...]
    cut_in_marking: tuple[str, ...] = ()


@dataclass(frozen=True)
class Dropped:
    """The ground truth's paragraphs measured against the stored text."""

    paragraphs: tuple[Paragraph, ...]
    shown: frozenset[str] = field(repr=False)

    @property
    def dropped(self) -> list[tuple[int, str]]:
        """``(paragraph, word)`` for each word the page shows missing from a kept paragraph."""
        return [(p.index, word) for p in self.paragraphs if p.kept for word in p.missing if word in self.shown]

    @property
    def not_shown(self) -> list[tuple[int, str]]:
        """Words of the marking missing from kept paragraphs that the page does not show either: not counted."""
        return [(p.index, word) for p in self.paragraphs if p.kept for word in p.missing if word not in self.shown]

    @property
    def left_out(self) -> list[Paragraph]:
        """Paragraphs of which less than half the words were found: a recall matter."""
        return [p for p in self.paragraphs if not p.kept]


_CUT_SHORT = re.compile(r"(?:\.\.\.|…)\s*$")


def _found(truth_words: Sequence[str], stored_words: Sequence[str]) -> list[bool]:
    """For each word of ``truth_words``, whether the in-order alignment with ``stored_words`` finds it."""
    found = [False] * len(truth_words)
    matcher = difflib.SequenceMatcher(None, truth_words, stored_words, autojunk=False)
    for start, _, size in matcher.get_matching_blocks():
        found[start : start + size] = [True] * size
    return found


def _whole_again(line_words: Sequence[str], found: list[bool], whole: Collection[str]) -> list[str]:
    """Runs of adjacent missing words that, put together, are one word of ``whole``: marked found, and listed."""
    joined: list[str] = []
    i = 0
    while i < len(line_words):
        end = next(
            (j for j in range(len(line_words), i + 1, -1) if not any(found[i:j]) and "".join(line_words[i:j]) in whole),
            None,
        )
        if end is None or found[i]:
            i += 1
            continue
        joined.append("".join(line_words[i:end]))
        found[i:end] = [True] * (end - i)
        i = end
    return joined


def dropped_words(truth: str, stored: str, shown: Collection[str]) -> Dropped:
    """The ground truth's paragraphs, each with its words that ``stored`` lacks, aligned in order.

    The alignment is made twice: once with every paragraph, to tell the kept ones from the left-out ones,
    then with the kept paragraphs alone, so that a word of a left-out paragraph ("Get it on Amazon") cannot
    take the place of the same word in a kept one ("Get Dashlane...") and make it look dropped."""
    lines = [line for line in truth.split("\n") if line.strip()]
    per_line = [words(line) for line in lines]
    if per_line and _CUT_SHORT.search(lines[-1]) and per_line[-1]:
        per_line[-1] = per_line[-1][:-1]  # the word before a paywall's "..." may itself be cut
    stored_words = words(stored)
    first = _found([word for line_words in per_line for word in line_words], stored_words)
    kept: list[bool] = []
    position = 0
    for line_words in per_line:
        found_count = sum(first[position : position + len(line_words)])
        position += len(line_words)
        kept.append(bool(line_words) and found_count >= len(line_words) * KEPT_SHARE)
    second = iter(
        _found([w for line_words, k in zip(per_line, kept, strict=True) if k for w in line_words], stored_words)
    )
    whole = frozenset(stored_words) & frozenset(shown)
    paragraphs: list[Paragraph] = []
    position = 0
    for index, (line_words, is_kept) in enumerate(zip(per_line, kept, strict=True)):
        if not line_words:
            continue
        if is_kept:
            found = [next(second) for _ in line_words]
            cut = tuple(_whole_again(line_words, found, whole))
        else:
            found, cut = first[position : position + len(line_words)], ()
        position += len(line_words)
        missing = tuple(word for word, ok in zip(line_words, found, strict=True) if not ok)
        paragraphs.append(Paragraph(index, tuple(line_words), is_kept, missing, cut))
    return Dropped(tuple(paragraphs), frozenset(shown))


def extra_paragraphs(truth: str, stored: str) -> list[Paragraph]:
    """The stored text's paragraphs (its lines) of which less than half the words are in the ground truth, in
    order: what costs precision (site chrome, captions, related links), for a person to look at."""
    return dropped_words(stored, truth, ()).left_out


# --- one page ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageFidelity:
    """Everything measured of one page's stored text."""

    benchmark: BenchmarkCounts
    invented: tuple[Invented, ...]
    dropped: Dropped

    @property
    def glued(self) -> list[Invented]:
        return [word for word in self.invented if word.glued_from is not None]


def page_fidelity(html: str | bytes, truth: str, stored: str) -> PageFidelity:
    """The benchmark's counts, the invented words and the dropped words of ``stored``, the text kept of
    the page ``html`` whose article a person marked as ``truth``."""
    shown = shown_words(html)
    return PageFidelity(
        benchmark=benchmark_counts(truth, stored),
        invented=tuple(invented_words(stored, shown)),
        dropped=dropped_words(truth, stored, shown),
    )


def mean_counts(pages: Sequence[PageFidelity]) -> BenchmarkAverages:
    """:func:`benchmark_averages` of several pages' measures."""
    return benchmark_averages(page.benchmark for page in pages)


# --- the benchmark's pages --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchPage:
    """One page of an article extraction benchmark: its id, its saved bytes and the article a person marked."""

    id: str
    html: bytes
    truth: str
    url: str | None = None


def read_bench(folder: Path) -> list[BenchPage]:
    """The pages of ``folder`` laid out as scrapinghub/article-extraction-benchmark lays them out:
    ``ground-truth.json`` (id -> ``articleBody``, ``url``) and ``html/ID.html.gz``, in the order of the ids."""
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        BenchPage(
            id=key,
            html=gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes()),
            truth=item.get("articleBody") or "",
            url=item.get("url"),
        )
        for key, item in sorted(truth.items())
    ]
