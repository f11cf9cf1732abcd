"""Reading saved web pages: decoding them as a browser would, and their article text through trafilatura."""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence

import trafilatura
from lxml import etree  # type: ignore[import-untyped]
from lxml.html import HtmlElement  # type: ignore[import-untyped]
from trafilatura.settings import Document as TrafilaturaDocument
from trafilatura.utils import detect_encoding

from provenance.documents import Document, Metadata, normalise
from provenance.errors import Invalid
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
_NO_ARTICLE = (
    "{name} has no article text that could be extracted; save the article page itself, or copy its text into a "
    ".txt file"
)


def from_html(data: bytes, name: str, charset: str | None) -> Extracted:
    warnings: list[str] = []
    tree = trafilatura.load_html(clean_text(_decode_html(data, name, charset, warnings)))
    if tree is None:
        raise Invalid(_NO_ARTICLE.format(name=name))
    result = _trafilatura(tree, favor_precision=False, with_metadata=True)
    paragraphs = _article_blocks(result.body) if result is not None and result.body is not None else []
    # Balanced extraction falls back to all of a page's text; where that is only menus, ask for precision.
    if (
        result is None
        or not paragraphs
        or (_menu_like(paragraphs) and _trafilatura(tree, favor_precision=True) is None)
    ):
        raise Invalid(_NO_ARTICLE.format(name=name))
    published = read_date(result.date, name, warnings) if result.date else None
    if not result.date:
        # htmldate keeps to dates from 1995 to today and says nothing of one it cannot read: read the page's own
        declared = next((str(value) for value in tree.xpath(_DECLARED_DATE) if str(value).strip()), None)
        published = read_date(declared, name, warnings) if declared else None
    metadata = Metadata(
        title=clean_value(result.title),
        author=clean_value(result.author),
        publisher=clean_value(result.sitename),
        url=clean_value(result.url),
        published=published,
    )
    text = normalise("\n\n".join(paragraphs))
    return Extracted(Document(text=text, original_sha256="", origin=None, metadata=metadata), warnings=tuple(warnings))


def _trafilatura(
    tree: HtmlElement, *, favor_precision: bool, with_metadata: bool = False
) -> TrafilaturaDocument | None:
    result = trafilatura.bare_extraction(
        tree,
        favor_precision=favor_precision,
        with_metadata=with_metadata,
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


def _menu_like(blocks: Sequence[str]) -> bool:
    """Only short lines (menus, form labels): what a page without an article leaves after extraction."""
    return all(len(line) < 40 and len(line.split()) < 6 for block in blocks for line in block.split("\n"))
