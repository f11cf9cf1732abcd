"""Reading saved web pages: decoding them as a browser would, and their article text through trafilatura."""

from __future__ import annotations

import codecs
import copy
import re
from collections import Counter
from collections.abc import Sequence

import trafilatura
from lxml import etree  # type: ignore[import-untyped]
from lxml.html import HtmlElement  # type: ignore[import-untyped]
from trafilatura.settings import Document as TrafilaturaDocument
from trafilatura.settings import use_config
from trafilatura.utils import detect_encoding

from provenance import segmentation
from provenance.documents import Document, Metadata, normalise
from provenance.errors import Invalid
from provenance.extract import htmlinline
from provenance.extract.text import Extracted, clean_text, clean_value, codec_for, read_date

_META_CHARSET = re.compile(
    rb"<meta\s[^>]*?charset\s*=\s*[\"']?\s*([-\w.:]+)|<\?xml\s[^>]*?encoding\s*=\s*[\"']([-\w.:]+)",
    re.IGNORECASE,
)
_ARTICLE_BLOCKS = frozenset(("body", "div", "head", "p", "list", "item", "quote", "table", "figure", "note", "ab"))
_DECLARED_DATE = (
    "//meta[@property='article:published_time' or @name='article:published_time' or @itemprop='datePublished'"
    " or @name='date' or @name='pubdate' or @name='publishdate' or @name='dc.date' or @name='DC.date']/@content"
)
# Below MIN_EXTRACTED_SIZE characters (250) of article, trafilatura looks harder (text outside paragraphs, other
# algorithms), then falls back on a "baseline": every line of the page, or of its <article>, run together as one
# paragraph (the page's scripts, where a schema.org articleBody would be words the page may not show, are taken
# out first, see htmlinline). A page whose article is that short is read again with no minimum, so that a short
# page that is all article is kept as the paragraphs it shows.
_SHORT = use_config()
_SHORT.set("DEFAULT", "MIN_EXTRACTED_SIZE", "1")
_MIN_EXTRACTED_SIZE = use_config().getint("DEFAULT", "MIN_EXTRACTED_SIZE")
# Whole blocks that are the site's furniture, not the article: datelines, share, follow, sign-in and subscribe
# prompts. Matched against a block's whole text, never against words inside a paragraph, and narrow on purpose: a
# sentence of the article ("Sign up for the ferry scheme opened in May") is never one of them.
_WHEN = (
    r"(?:\d[\d:/.,-]*|[ap]\.?m\.?|ago|today|yesterday|just|now|at|on|by|a|an|(?:jan|feb|mar|apr|may|jun|jul|aug|sep"
    r"|sept|oct|nov|dec)[a-z]*\.?,?|(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?|(?:second|minute|min|hour|hr|day|week"
    r"|month|year)s?|gmt|utc|bst|cet|cest|[ecmp][sd]?t)"
)
_CHROME = re.compile(
    rf"(?:last\s+)?(?:updated|published|posted|modified)(?:\s*:)?(?:\s+{_WHEN})+"
    r"|share(?:\s+this(?:\s+(?:article|story|page|post))?)?(?:\s+(?:on|via)(?:\s+\w+){1,2})?"
    r"|follow\s+us(?:\s+on(?:\s+\w+){1,3})?"
    r"|(?:(?:sign|log)\s*(?:in|up|on|out)|register|subscribe)(?:\s+(?:now|today|here))?"
    r"|(?:(?:sign|log)\s*in|register|subscribe)\s+to\s+(?:continue|keep)\s+reading(?:\s+this\s+(?:article|story))?"
    r"|advertisement|sponsored(?:\s+content)?|print|e-?mail|comments?|(?:read\s+more|continue\s+reading)"
    r"|skip\s+to\s+(?:main\s+)?content",
    re.IGNORECASE,
)
_DATED = re.compile(rf"(?:\s*[|,·•–—-])?(?:\s+{_WHEN})+\s*$", re.IGNORECASE)
_BYLINE = re.compile(r"(?:written\s+)?by\s+(.+)", re.IGNORECASE)
_NAME_WORDS = re.compile(r"[^\W\d_]+(?:['’.-][^\W\d_]+)*")
_NO_ARTICLE = (
    "{name} has no article text that could be extracted; save the article page itself, or copy its text into a "
    ".txt file"
)


def from_html(data: bytes, name: str, charset: str | None) -> Extracted:
    """A saved web page's article text and metadata; see :mod:`provenance.extract.htmlinline` and
    docs/capture.md for what of the page is kept. A page with no article text left is refused."""
    warnings: list[str] = []
    tree = trafilatura.load_html(clean_text(_decode_html(data, name, charset, warnings)))
    if tree is None:
        raise Invalid(_NO_ARTICLE.format(name=name))
    # Metadata is read from the page as it was saved (htmldate reads <time datetime>); the article is looked for
    # in the page as a reader sees it.
    declared = next((str(value) for value in tree.xpath(_DECLARED_DATE) if str(value).strip()), None)
    found = trafilatura.extract_metadata(tree)
    page = copy.deepcopy(tree)
    captions = htmlinline.prepare(page)
    result = _article(page)
    blocks = _article_blocks(result.body) if result is not None and result.body is not None else []
    author = clean_value(found.author)
    paragraphs = [block for block in blocks if not _chrome(block, author)]
    # Balanced extraction falls back to all of a page's text; where that is only menus, ask for precision.
    if not paragraphs or (_menu_like(paragraphs) and _trafilatura(page, favor_precision=True) is None):
        raise Invalid(_NO_ARTICLE.format(name=name))
    # The headline is the source's title, not a paragraph of its text (trafilatura kept it on some sites only).
    headlines = {
        " ".join(str(found.title or "").split()),
        *(" ".join(h.text_content().split()) for h in page.iter("h1")),
    }
    paragraphs = _without_first(paragraphs, headlines) or paragraphs
    published = read_date(found.date, name, warnings) if found.date else None
    if not found.date:
        # htmldate keeps to dates from 1995 to today and says nothing of one it cannot read: read the page's own
        published = read_date(declared, name, warnings) if declared else None
    metadata = Metadata(
        title=clean_value(found.title),
        author=author,
        publisher=clean_value(found.sitename),
        url=clean_value(found.url),
        published=published,
    )
    text = normalise("\n\n".join(paragraphs))
    document = Document(
        text=text,
        original_sha256="",
        origin=None,
        metadata=metadata,
        captions=_caption_spans(text, paragraphs, [caption.text_content() for caption in captions]),
    )
    return Extracted(document, warnings=tuple(warnings))


def _article(page: HtmlElement) -> TrafilaturaDocument | None:
    """The article as trafilatura finds it; for a short one (or one it gives as a single paragraph, as its baseline
    does when its own extraction finds little), the page read again with no minimum length, if that finds it."""
    result = _trafilatura(page, favor_precision=False)
    if result is None or result.body is None or len(result.text or "") < _MIN_EXTRACTED_SIZE or len(result.body) < 2:
        return _trafilatura(page, favor_precision=False, short=True) or result
    return result


def _trafilatura(tree: HtmlElement, *, favor_precision: bool, short: bool = False) -> TrafilaturaDocument | None:
    result = trafilatura.bare_extraction(
        tree,
        favor_precision=favor_precision,
        with_metadata=False,
        config=_SHORT if short else trafilatura.settings.DEFAULT_CONFIG,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        include_formatting=False,
    )
    if not isinstance(result, TrafilaturaDocument) or result.body is None or not (result.text or "").strip():
        return None
    return result


def _decode_html(data: bytes, name: str, charset: str | None, warnings: list[str]) -> str:
    """A page's text, decoded as a browser would (see :mod:`provenance.extract`)."""
    boms = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
    bom = next(((mark, encoding) for mark, encoding in boms if data.startswith(mark)), None)
    declared, codec = None, None
    if bom is not None:
        data, candidates = data[len(bom[0]) :], [bom[1]]
    else:
        declared = charset
        if declared is None and (match := _META_CHARSET.search(data, 0, 4096)):
            declared = (match.group(1) or match.group(2)).decode("ascii")
        codec = codec_for(declared)
        candidates = [*([codec] if codec else []), "utf-8", *detect_encoding(data)]
    for encoding in dict.fromkeys(candidates):
        try:
            text = data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
        if codec and encoding != codec:
            warnings.append(f"{name} says it is {declared} but is not; read as {encoding}")
        return text
    warnings.append(f"some bytes in {name} are not {candidates[0]}; they show as \ufffd")
    return data.decode(candidates[0], errors="replace")


def _article_blocks(body: etree._Element) -> list[str]:
    """The text of each block of trafilatura's article tree (headings, paragraphs, list items, quotations,
    table rows with a tab between cells, code), its whitespace collapsed as a browser shows it."""
    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        lines = (re.sub(" {2,}", " ", line).strip(" ") for line in "".join(current).split("\n"))
        text = "\n".join(line for line in lines if line)
        current.clear()
        if text:
            blocks.append(text)

    def add(text: str | None) -> None:
        # trafilatura has collapsed the page's own line breaks; a line break left in a text is a real one
        if text:
            current.append(" " if text.isspace() else re.sub(r"[ \t\r\f]+", " ", text))

    def visit(element: etree._Element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == "row":
            flush()
            cells = (" ".join("".join(cell.itertext()).split()) for cell in element)
            blocks.append("\t".join(cell for cell in cells if cell))
        elif tag == "code":
            flush()
            blocks.append("".join(element.itertext()).strip("\n"))
        elif tag in _ARTICLE_BLOCKS:
            flush()
            add(element.text)
            for child in element:
                visit(child)
            flush()
        elif tag == "lb":
            current.append("\n")
        elif tag != "graphic":
            add(element.text)
            for child in element:
                visit(child)
        add(element.tail)

    visit(body)
    flush()
    return [block for block in blocks if block.strip()]


def _caption_spans(text: str, blocks: Sequence[str], captions: Sequence[str]) -> tuple[tuple[int, int], ...]:
    """The paragraphs of ``text`` (``blocks`` joined and normalised) that are the page's ``captions``: a block is a
    caption's when it has the caption's words (spacing aside: trafilatura spaces the words of a table's caption
    its own way), each caption marking the first such block not marked yet."""
    wanted = Counter(_unspaced(normalise(caption)) for caption in captions)
    wanted.pop("", None)
    if not wanted:
        return ()
    ranges: list[tuple[int, int]] = []
    position = 0
    for block in blocks:
        # Each block is in the text as normalise() leaves it, after the blocks before it.
        words = normalise(block)
        start = text.find(words, position)
        if not words or start < 0:
            continue
        position = start + len(words)
        key = _unspaced(words)
        if wanted[key] > 0:
            wanted[key] -= 1
            ranges.append((start, position))
    return tuple(
        (start, end)
        for start, end in segmentation.paragraphs(text)
        if any(low <= start and end <= high for low, high in ranges)
    )


def _unspaced(text: str) -> str:
    return "".join(text.split())


def _chrome(block: str, author: str | None) -> bool:
    """Whether ``block`` is a line of the site's furniture (a dateline, a share, follow, sign-in or subscribe
    prompt) or the byline: a whole block, never words inside a paragraph."""
    line = " ".join(block.split()).strip(" .:|·•–—-")
    if _CHROME.fullmatch(line):
        return True
    byline = _BYLINE.fullmatch(line)
    names = set(_NAME_WORDS.findall(author or ""))
    # "By Maren Okafor", "Maren Okafor", "By Maren Okafor | 14 March 2023, 09:30"
    who = _DATED.sub("", byline.group(1) if byline else line)
    return bool(names) and set(_NAME_WORDS.findall(who)) <= names


def _without_first(blocks: list[str], left_out: set[str]) -> list[str]:
    """``blocks`` without the first one that is one of ``left_out``."""
    index = next((i for i, block in enumerate(blocks) if " ".join(block.split()) in left_out), None)
    return blocks if index is None else blocks[:index] + blocks[index + 1 :]


def _menu_like(blocks: Sequence[str]) -> bool:
    """Only short lines (menus, form labels): what a page without an article leaves after extraction."""
    return all(len(line) < 40 and len(line.split()) < 6 for block in blocks for line in block.split("\n"))
