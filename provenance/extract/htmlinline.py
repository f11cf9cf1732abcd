"""A page's tree rewritten as a reader sees it, before trafilatura looks for the article in it.

trafilatura finds an article well but was not made to keep every word of it: it deletes ``<time>`` with the date
inside it, makes a ``<q>`` or an inline ``<code>`` a paragraph of its own, strips ``<sup>`` so that
``table 3<sup>1</sup>`` reads "table 31", and trims the space that a block, a line break or an image puts between two
words. Its options do not reach these (its element lists are module globals shared by every caller), so
:func:`prepare` rewrites the page's own tree first, the way a browser draws it (docs/capture.md says the same for
users):

- words either side of a block (paragraph, list item, table cell, heading, an element styled as a block...), a line
  break, an image, a control or an inline element trafilatura removes are kept apart by a space, and so are two
  links, or two elements of one class, side by side;
- a ``<q>`` becomes its words between the quotation marks a browser draws for the page's language (“…”, and ‘…’
  inside another ``<q>``);
- ``<time>`` in a line of words and inline ``<code>`` (not in a ``<pre>``) become plain words of their sentence;
  a ``<time>`` on a line of its own (a dateline) is left for trafilatura to remove;
- ``<sup>`` and ``<sub>`` stay distinguishable: characters with a Unicode superscript or subscript form take it
  ("3¹", "CO₂", "10⁻³"), an ordinal suffix after a digit stays plain ("1st", "2e"), and any other raised or lowered
  text is a word of its own, a space away from the word it would otherwise run into; MathML is read the same way;
- what a browser does not show (the ``hidden`` attribute, an inline ``display: none`` or ``visibility: hidden``,
  the class names common style sheets hide by, a card shown only while pointing at a link) and what the page says
  it no longer says (struck text) are removed with their words, and so is the page's data (a schema.org
  ``articleBody`` in a script);
- captions become paragraphs of their own where their figure is; the standfirst under the headline, a paragraph
  that only links to another page of the site, and a pull quote are left out; an article split over containers of
  one class is joined, and a post quoted from a social network is kept.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml import etree  # type: ignore[import-untyped]
from lxml.html import HtmlElement  # type: ignore[import-untyped]
from trafilatura.xpaths import BODY_XPATH, OVERALL_DISCARD_XPATH, REGEXP_NS

# Elements a browser draws on lines of their own: the words either side of one are never one word.
BLOCKS = frozenset(
    (
        "address article aside blockquote body caption center dd details dialog dir div dl dt fieldset figcaption "
        "figure footer form frameset h1 h2 h3 h4 h5 h6 header hgroup hr html legend li listing main menu nav ol p "
        "plaintext pre section summary table tbody td tfoot th thead tr ul xmp"
    ).split()
)
# Elements that show something other than words between the words either side (or that trafilatura removes):
# text on one side of them is not glued to text on the other.
_SEPARATORS = frozenset(
    "audio br button canvas embed iframe img input meter object picture progress select svg textarea video".split()
)
_INLINE_FLATTENED = "provenance-inline"
# A paragraph that is only a link to another page of the site is a pointer to it up to this many words.
_LINK_PARAGRAPH_WORDS = 25
# A heading under the headline is a section's up to this many words, when paragraphs follow it; else a standfirst.
_STANDFIRST_WORDS = 5
# A part of an article split over several containers holds at least a paragraph or two.
_CHUNK_LENGTH = 500
# Class names of the words under a picture: "caption", "wp-caption-text", "image-caption", "photo_caption".
_CAPTION_CLASS = re.compile(r"^(?:[a-z]+[-_])*caption(?:[-_]text)?$", re.IGNORECASE)
_HIDDEN_STYLE = re.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\s*(?:!important\s*)?(?:;|$)")
# Class names the common style sheets (Bootstrap, Foundation, WordPress, Drupal) hide an element by. Whole names
# only: "hidden-xs" hides on small screens only; and "d-none d-md-block" is shown from a width on.
_HIDING_CLASSES = frozenset(
    (
        "hidden", "hide", "d-none", "dis-none", "display-none", "is-hidden", "u-hidden", "js-hidden",
        "element-hidden", "element-invisible", "invisible", "sr-only", "screen-reader-text", "visually-hidden",
        "visuallyhidden", "vjs-hidden",
    )
)  # fmt: skip
_BLOCK_STYLE = re.compile(r"display\s*:\s*(?:block|flex|grid|list-item|table)", re.IGNORECASE)
_HOVER_CLASS = re.compile(r"rollover|hover-?card|tooltip|popover", re.IGNORECASE)
_SHOWN_FROM_A_WIDTH = re.compile(r"^d-(?:sm|md|lg|xl|xxl)-(?!none)")

_SUPERSCRIPTS = str.maketrans("0123456789+-−=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱ")
_SUBSCRIPTS = str.maketrans("0123456789+-−=()", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎")
# Between raised digits ("1,2", "1–3"): no superscript form, shown as they are.
_SCRIPT_PUNCTUATION = frozenset(",;–—")
# Written raised after a number, and read as part of it: 1st, 2nd, 3e, 4ème, 5º.
_ORDINAL_SUFFIXES = frozenset("st nd rd th d e er re ère ème eme es ers res o a os as º ª".split())
# The quotation marks a browser draws for <q>, by the language of the page: (outer open, close, inner open, close)
_QUOTES = {
    "de": ("„", "“", "‚", "‘"),
    "fr": ("«", "»", "“", "”"),
    "es": ("«", "»", "“", "”"),
    "it": ("«", "»", "“", "”"),
    "ru": ("«", "»", "„", "“"),
    "pl": ("„", "”", "«", "»"),
}
_ENGLISH_QUOTES = ("“", "”", "‘", "’")


def _inline_only(expression: etree.XPath) -> etree.XPath:
    """trafilatura's pattern of boilerplate narrowed to the inline elements it would remove (blocks are kept apart
    already), which is several times faster; the pattern unchanged if trafilatura no longer writes it this way."""
    path = expression.path.lstrip()
    for start, inline in (
        (".//*[self::div or self::item or self::list or self::p or self::section or self::span][", ".//span["),
        (".//*[", ".//*[self::span or self::a or self::small or self::i or self::em or self::b or self::strong]["),
    ):
        if path.startswith(start):
            return etree.XPath(inline + path.removeprefix(start), namespaces={"re": REGEXP_NS})
    return expression


_INLINE_DISCARDS = [_inline_only(expression) for expression in OVERALL_DISCARD_XPATH]


def prepare(tree: HtmlElement) -> list[HtmlElement]:
    """Rewrite ``tree`` in place so that its elements' text reads as a browser shows it (see the module's text).

    Returns the captions left in the page, in the page's order: those made paragraphs of their own, and tables'
    ``<caption>`` elements (trafilatura gives the words of one as the first row of its table)."""
    # Words in a page's data (a schema.org articleBody, a forum's preloaded posts) are not words it shows.
    for data in tree.xpath("//script[@type='application/ld+json']|//*[@data-preloaded]"):
        _replace_with_text(data, " ") if data.tag == "script" else data.attrib.pop("data-preloaded")
    hidden, captions, styled_blocks = _read_elements(tree)
    table_captions = [element for element in tree.iter("caption") if element not in captions]
    for element in hidden:
        if element.getparent() is not None:
            _replace_with_text(element, "")
    _mathematics_as_shown(tree)
    _drop_standfirst(tree)
    captions = _captions_as_paragraphs([caption for caption in captions if _in_tree(caption, tree)])
    _join_article_chunks(tree)
    _embedded_quotations_kept(tree)
    _drop_link_paragraphs(tree)
    for element in [*tree.iter(*BLOCKS, *_SEPARATORS), *styled_blocks]:
        _space_around(element)
    # trafilatura removes some inline elements by their class names (share buttons, "meta" bits) or aria-hidden,
    # keeping the text after them: the words either side must not meet.
    for element in [element for expression in _INLINE_DISCARDS for element in expression(tree)]:
        _space_around(element)
    _space_between_links(tree)
    time_elements = [element for element in tree.iter("time") if _in_running_text(element)]
    for element in set(tree.iter("time")).difference(time_elements):
        _space_around(element)
    # Struck text is what the page says it no longer says (HTML: "removed from the document", "no longer
    # accurate"): "rise <del>12%</del> 9.4%" must not hold the quote "rise 12%".
    for element in list(tree.iter("del", "s", "strike")):
        _replace_with_text(element, " ")
    quotations = [(element, sum(1 for _ in element.iterancestors("q")) % 2 == 1) for element in tree.iter("q")]
    for element, nested in quotations:
        _draw_quotation_marks(element, nested)
    # Innermost first, so that text raised inside raised text ("x<sup>2<sup>n</sup></sup>") keeps its own bounds.
    for element in reversed(list(tree.iter("sup", "sub"))):
        _replace_with_text(element, _script_text(element))
    for element in time_elements:
        element.tag = _INLINE_FLATTENED
    for element in tree.iter("code"):
        text = "".join(element.itertext())
        if "\n" not in text and next(element.iterancestors("pre"), None) is None:
            element.tag = _INLINE_FLATTENED
    etree.strip_tags(tree, _INLINE_FLATTENED)
    kept = {*captions, *table_captions}
    return [element for element in tree.iter("p", "caption") if element in kept]


def _read_elements(tree: HtmlElement) -> tuple[list[HtmlElement], list[HtmlElement], list[HtmlElement]]:
    """One walk over the page: the elements a browser does not show, the captions, and the elements its own style
    attribute draws as blocks. Class names and ids are also given in lower case on the way (see below)."""
    hidden, captions, blocks = [], [], []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        classes = element.get("class")
        lowered = classes.lower().split() if classes else []
        if element.tag not in ("html", "body") and (
            element.get("hidden") is not None
            or _HIDDEN_STYLE.search((element.get("style") or "").lower())
            or _hidden_by_class(lowered)
            or (classes and _hover_card(element))
        ):
            hidden.append(element)
        if _BLOCK_STYLE.search(element.get("style") or ""):
            blocks.append(element)
        if element.tag == "figcaption" or any(map(_CAPTION_CLASS.match, lowered)):
            captions.append(element)
        # trafilatura knows boilerplate by words in class names and ids ("newsletter", "share", "related"), mostly
        # in lower case: a site that writes them "Newsletter-title" or "ShareBar" would keep its chrome. The name is
        # kept as written, first, for the patterns that look for "articleBody" or "ArticleContent".
        for attribute in ("class", "id"):
            value = element.get(attribute)
            if value and value != value.lower():
                element.set(attribute, f"{value} {value.lower()}")
    return hidden, captions, blocks


def _in_tree(element: HtmlElement, tree: HtmlElement) -> bool:
    return element is tree or any(ancestor is tree for ancestor in element.iterancestors())


def _mathematics_as_shown(tree: HtmlElement) -> None:
    """MathML as the characters a browser draws (its exponents and indices raised and lowered as ``<sup>`` and
    ``<sub>`` are), where trafilatura would store its LaTeX source ("\\frac{a}{b}"), which the page does not show."""
    for formula in list(tree.iter("math")):
        for annotation in list(formula.iter("annotation", "annotation-xml")):
            _replace_with_text(annotation, "")
        for script in formula.iter("msup", "msub", "msubsup"):
            scripts = list(script)[1:]
            kinds = {"msup": ["sup"], "msub": ["sub"], "msubsup": ["sub", "sup"]}[script.tag]
            for element, kind in zip(scripts, kinds, strict=False):
                element.tag = kind
        formula.tag = "div" if formula.get("display") == "block" else _INLINE_FLATTENED


def _hover_card(element: HtmlElement) -> bool:
    """A card a site shows only while the pointer is on the link before it (a person's photo and latest stories)."""
    previous = element.getprevious()
    return (
        element.tag != "a"
        and previous is not None
        and previous.tag == "a"
        and _HOVER_CLASS.search(element.get("class") or "") is not None
    )


def _drop_standfirst(tree: HtmlElement) -> None:
    """The standfirst, a heading right under the page's headline, is part of the article's heading, as the
    headline is: neither is a paragraph of its text (trafilatura kept them on some sites only). A short heading
    followed by paragraphs ("Introduction", "What the plan includes") is the first of the article's own."""
    for headline in list(tree.iter("h1")):
        standfirst = headline.getnext()
        if (
            standfirst is not None
            and standfirst.tag == "h2"
            and not (headline.tail or "").strip()
            and (
                len(standfirst.text_content().split()) >= _STANDFIRST_WORDS
                or next(standfirst.itersiblings("p"), None) is None
            )
        ):
            _replace_with_text(standfirst, " ")


def _hidden_by_class(classes: list[str]) -> bool:
    return not _HIDING_CLASSES.isdisjoint(classes) and not any(_SHOWN_FROM_A_WIDTH.match(name) for name in classes)


def _join_article_chunks(tree: HtmlElement) -> None:
    """One article body where a site splits it into several containers of the same class (between them, ads):
    trafilatura takes the first container its body patterns find, and would keep only the first part."""
    for expression in BODY_XPATH:
        found = expression(tree)
        if not found:
            continue
        first = found[0]
        same_class = first.xpath("following::*[@class=$name]", name=first.get("class") or "")
        chunks = [
            element
            for element in same_class
            if element.tag == first.tag and first.get("class") and len(element.text_content()) >= _CHUNK_LENGTH
        ]
        chunks = [chunk for chunk in chunks if not any(outer in chunks for outer in chunk.iterancestors())]
        if chunks and len(first.text_content()) >= _CHUNK_LENGTH:
            for chunk in chunks:
                if len(first):
                    first[-1].tail = f"{first[-1].tail or ''} {chunk.text or ''} "
                else:
                    first.text = f"{first.text or ''} {chunk.text or ''} "
                first.extend(list(chunk))
                _replace_with_text(chunk, " ")
        return


def _embedded_quotations_kept(tree: HtmlElement) -> None:
    """A post quoted in an article (a ``<blockquote>`` that a social network's script draws as a card) is words the
    page shows; trafilatura removes it with its wrapper, named "social-media-embed" or the like, on some sites."""
    for quotation in tree.iter("blockquote"):
        words = quotation.text_content().split()
        for wrapper in quotation.iterancestors():
            if wrapper.tag in ("body", "html") or wrapper.text_content().split() != words:
                break
            for attribute in ("class", "id"):
                wrapper.attrib.pop(attribute, None)


def _drop_link_paragraphs(tree: HtmlElement) -> None:
    """Remove paragraphs that are only a link to another page of the same site, perhaps after a label ("Related:",
    "Read more:"): a reader sees them as pointers to the site's other articles, not as sentences of this one. A
    link out of the site ("Get it on Amazon for $39", a source's account) is the article's own."""
    site = _site(tree)
    for paragraph in list(tree.iter("p", "li", "h2", "h3", "h4")):
        links = [link for link in paragraph.iter("a") if _same_site(link.get("href") or "", site)]
        words = paragraph.text_content().split()
        linked = sum(len(link.text_content().split()) for link in links)
        if not linked or len(words) > _LINK_PARAGRAPH_WORDS or any(link not in links for link in paragraph.iter("a")):
            continue
        label = words[: len(words) - linked]
        if (not label or (len(label) <= 3 and label[-1].endswith(":"))) and words[len(label) :] == [
            word for link in links for word in link.text_content().split()
        ]:
            _replace_with_text(paragraph, " ")


def _site(tree: HtmlElement) -> str | None:
    """The host of the page's own address (its canonical link or og:url), when it says it."""
    for address in tree.xpath("//link[@rel='canonical']/@href|//meta[@property='og:url']/@content"):
        host = urlsplit(str(address).strip()).hostname
        if host:
            return host.removeprefix("www.")
    return None


def _same_site(href: str, site: str | None) -> bool:
    """Whether ``href`` leads to another page of the page's own site (a relative address, or the same host)."""
    if not href or href.startswith(("#", "javascript:", "mailto:")):
        return False
    parts = urlsplit(href.strip())
    if not parts.netloc:
        return not parts.scheme
    host = (parts.hostname or "").removeprefix("www.")
    return site is not None and (host == site or host.endswith("." + site) or site.endswith("." + host))


def _captions_as_paragraphs(captions: list[HtmlElement]) -> list[HtmlElement]:
    """Each caption a paragraph of its own where its figure is (trafilatura removes figures and anything whose
    class names a caption, with the words under the picture); returns those paragraphs."""
    captions = [caption for caption in captions if caption.xpath("string()").strip()]
    inner = set(captions)
    for caption in captions:
        # "wp-caption" holds the picture and "wp-caption-text": the words are the innermost caption's
        inner.difference_update(caption.iterancestors())
    paragraphs = []
    for caption in (element for element in captions if element in inner):
        for element in (caption, *caption.iterancestors()):
            for attribute in ("class", "id"):
                if "caption" in (element.get(attribute) or "").lower():
                    del element.attrib[attribute]
        caption.tag = "p"
        figure = next(caption.iterancestors("figure"), None)
        if figure is None:
            paragraphs.append(caption)
            continue
        # trafilatura removes a figure with all its words: the caption takes the place of a picture (and of its
        # credit line), and follows a table (which trafilatura keeps). A figure holding a quotation is a pull quote,
        # which repeats the article's text: trafilatura removes it, caption and all.
        if figure.find(".//table") is not None:
            caption.tail = None
            figure.addnext(caption)
            _space_around(caption)
            paragraphs.append(caption)
        elif figure.find(".//blockquote") is None:
            caption.tail = None
            figure.addprevious(caption)
            _replace_with_text(figure, "")
            _space_around(caption)
            paragraphs.append(caption)
    return paragraphs


def _space_around(element: HtmlElement) -> None:
    """A space before and after ``element``, where a browser shows its words (or it) apart from the text around."""
    if not element.tail or not element.tail[0].isspace():
        element.tail = " " + (element.tail or "")
    previous = element.getprevious()
    parent = element.getparent()
    if previous is not None:
        if not previous.tail or not previous.tail[-1].isspace():
            previous.tail = (previous.tail or "") + " "
    elif parent is not None and (not parent.text or not parent.text[-1].isspace()):
        parent.text = (parent.text or "") + " "


def _space_between_links(tree: HtmlElement) -> None:
    # Two links with nothing between them are two names in a list (authors, tags), not one word; so are two
    # elements of one class (the items of a list the site's style sheet lays out), unless they hold single
    # letters (a word spelt out letter by letter for an animation).
    for element in tree.iter("a", "span", "em", "strong", "b", "i", "small", "cite"):
        following = element.getnext()
        if following is None or following.tag != element.tag or element.tail:
            continue
        shortest = 1 if element.tag == "a" else 2
        if (
            (element.tag == "a" or (element.get("class") and following.get("class") == element.get("class")))
            and len("".join(element.itertext()).strip()) >= shortest
            and len("".join(following.itertext()).strip()) >= shortest
        ):
            element.tail = " "


def _in_running_text(element: HtmlElement) -> bool:
    """Whether ``element`` is part of a line of words (a sentence, or a dateline such as "Updated 3 hours ago",
    which is left out as a whole line later), not a date on a line of its own."""
    block = next(element.iterancestors(*BLOCKS), None)
    return block is not None and any(word.isalnum() for word in " ".join(_line_text(block)).split())


def _line_text(element: HtmlElement) -> list[str]:
    """The texts of ``element`` outside its blocks and dates: the words on its own line."""
    texts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag not in BLOCKS and child.tag != "time":
            texts.extend(_line_text(child))
        texts.append(child.tail or "")
    return texts


def _script_text(element: HtmlElement) -> str:
    """The words of a ``<sup>`` or ``<sub>``, kept apart from the words around it (see the module's text)."""
    text = "".join(element.itertext())
    word = text.strip()
    if not word:
        return text
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
    forms = _SUPERSCRIPTS if element.tag == "sup" else _SUBSCRIPTS
    mapped = word.translate(forms)
    if all(char != original or char in _SCRIPT_PUNCTUATION for char, original in zip(mapped, word, strict=True)):
        return lead + mapped + trail
    before, after = _character_before(element), _character_after(element)
    if element.tag == "sup" and before.isdigit() and not lead and word.lower() in _ORDINAL_SUFFIXES:
        return text
    if before.isalnum() and not lead and word[0].isalnum():
        lead = " "
    if after.isalnum() and not trail and word[-1].isalnum():
        trail = " "
    return lead + word + trail


def _draw_quotation_marks(element: HtmlElement, nested: bool) -> None:
    language = next((str(value) for value in element.xpath("ancestor-or-self::*[@lang][1]/@lang")), "")
    marks = _QUOTES.get(language.split("-")[0].lower(), _ENGLISH_QUOTES)
    opening, closing = (marks[2], marks[3]) if nested else (marks[0], marks[1])
    element.text = opening + (element.text or "")
    if len(element):
        element[-1].tail = (element[-1].tail or "") + closing
    else:
        element.text += closing
    element.tag = _INLINE_FLATTENED


def _replace_with_text(element: HtmlElement, text: str) -> None:
    """Put ``text`` (and the element's tail) where ``element`` was, and remove the element."""
    parent = element.getparent()
    joined = text + (element.tail or "")
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + joined
    else:
        parent.text = (parent.text or "") + joined
    parent.remove(element)


def _character_before(element: HtmlElement) -> str:
    """The last character a reader sees before ``element`` on its line ("" at the start of a block)."""
    while True:
        previous = element.getprevious()
        if previous is not None:
            if previous.tail:
                return str(previous.tail[-1])
            text = "".join(previous.itertext())
            if text:
                return text[-1]
            element = previous
            continue
        parent = element.getparent()
        if parent is None:
            return ""
        if parent.text:
            return str(parent.text[-1])
        if parent.tag in BLOCKS:
            return ""
        element = parent


def _character_after(element: HtmlElement) -> str:
    """The first character a reader sees after ``element`` on its line ("" at the end of a block)."""
    while True:
        if element.tail:
            return str(element.tail[0])
        following = element.getnext()
        if following is not None:
            text = "".join(following.itertext())
            if text:
                return text[0]
            element = following
            continue
        parent = element.getparent()
        if parent is None or parent.tag in BLOCKS:
            return ""
        element = parent
