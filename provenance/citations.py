"""How a source and a place in it are named in plain words, for reports and the terminal.

A source's reference-list entry is rendered by citeproc-py (a CSL processor) from the CSL-JSON item
:func:`csl_item` makes, the same item the ``csl`` export writes, in one of the CSL styles shipped in
``provenance/styles/`` (see the README there for their origin and licence).

citeproc-py 0.11 implements CSL 1.0 but not all of CSL 1.0.1/1.0.2, which the current APA and Chicago styles
use. Three of the gaps produce wrong references for the sources we hold, so the element classes below fix
them for the styles loaded here (citeproc-py itself is left as it is):

- ``cs:label`` printed its term even when its variable was empty (Chicago gave "Edition." for every article);
- ``initialize="false"`` (CSL 1.0.1) was ignored, so Chicago abbreviated given names ("Fisher, I.");
- a variable put in place of a missing author through a macro (``<substitute><text macro="title"/>``) was
  printed a second time where it normally stands ("Title. (2020). Title.").

A fourth, ``punctuation-in-quote``, is applied to the finished text: a period or comma after a closing
quotation mark moves inside it, as the en-US locale asks (Chicago: “Title.” not “Title”.).
Known limits that remain: no italics (references are plain text); initials already in a name are not
punctuated ("V K Singh" stays "Singh, V K" in Chicago, where CSL would give "V. K."); names are read in
Western order unless written "Family, Given".
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from citeproc import (  # type: ignore[import-untyped]
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.model import (  # type: ignore[import-untyped]
    Choose,
    CitationStylesElement,
    ConditionFailed,
    Else,
    Formatted,
    If,
    Label,
    Locale,
    Name,
    Parent,
    Quoted,
    Substitute,
    Text,
)
from citeproc.model import Else_If as ElseIf
from citeproc.source.json import CiteProcJSON  # type: ignore[import-untyped]
from citeproc.string import String  # type: ignore[import-untyped]
from lxml import etree  # type: ignore[import-untyped]

from provenance.confidence import describe_reliability
from provenance.errors import Invalid
from provenance.models import Passage, Source

if TYPE_CHECKING:
    from provenance.report import PassageRow

_OPENING_WORDS = 10
STYLES = ("apa", "chicago-author-date")
STYLES_DIR = Path(__file__).resolve().parent / "styles"
# Every source is a captured news report (or something read like one), so every item is "article-newspaper":
# the publisher is the paper or agency (container-title). "webpage" would suit a capture with a URL and no
# publisher, but the type would then change with what metadata happens to be known; "article" is a preprint
# in CSL 1.0.2 (Chicago prints "Preprint").
CSL_TYPE = "article-newspaper"


def source_title(source: Source) -> str:
    """The source's title, or (for an untitled one) its opening words in brackets: we invent no title."""
    if source.title:
        return source.title
    words = source.text.split()
    opening = " ".join(words[:_OPENING_WORDS])
    return f"[untitled; begins “{opening}{'…' if len(words) > _OPENING_WORDS else ''}”]"


def citation(source: Source) -> str:
    """``Isabel Fisher, “India looks to revive ties with North Korea”, Publisher, 17 May 2018, URL``."""
    parts = []
    if source.author:
        parts.append(source.author)
    title = source_title(source)
    parts.append(title if title.startswith("[") else f"“{title}”")
    if source.publisher:
        parts.append(source.publisher)
    parts.append(f"{source.published.day} {source.published:%B %Y}" if source.published else "undated")
    if source.url:
        parts.append(source.url)
    return ", ".join(parts)


# --- CSL-JSON ---------------------------------------------------------------------------------------------

# Words that mark a byline as an organisation or a role rather than a person ("Press Trust of India",
# "Staff Reporter", "Reuters"): such a byline is kept whole, as a literal name.
_NOT_A_PERSON = frozenset(
    """
    agence agencies agency associated association board bureau by channel college committee correspondent
    correspondents council department desk editor editorial editors foundation government group inc institute
    limited ltd magazine media ministry network news newsroom office online organisation organization party post
    press presse reporter reporters reuters service staff team television times trust tv university web writer
    writers
    """.split()
)
_PARTICLES = frozenset("al bin da das de del della den der di dos du el la le ten ter van von zu".split())
_SUFFIXES = frozenset("jr jr. sr sr. ii iii iv".split())
_NAME_WORD = re.compile(r"[^\W\d_][\w'’.-]*")  # starts with a letter: "O’Brien", "A.", "Jean-Luc", "Élodie"
_LIST = re.compile(r"\s*[;,]\s*|\s+(?:and|&)\s+")


def _name_word(word: str) -> bool:
    if word in _PARTICLES:
        return True
    if not _NAME_WORD.fullmatch(word) or not word[0].isupper():
        return False
    return len(word.rstrip(".")) == 1 or not word.isupper()  # "V" and "A." are initials; "PTI" is an agency


def _reads_as_name(words: list[str]) -> bool:
    return all(_name_word(w) for w in words) and not any(w.casefold().strip(".") in _NOT_A_PERSON for w in words)


def _given_family(words: list[str]) -> dict[str, str] | None:
    """``Isabel Fisher``, ``A. Q. Khan``, ``Ludwig van Beethoven`` (given names first) as CSL name parts."""
    if not 2 <= len(words) <= 5 or not _reads_as_name(words) or words[0] in _PARTICLES or words[-1] in _PARTICLES:
        return None
    # the family name is the last word, after any lowercase particles ("van Beethoven")
    start = len(words) - 1
    while start > 1 and words[start - 1] in _PARTICLES:
        start -= 1
    name = {"family": words[-1], "given": " ".join(words[:start])}
    if start < len(words) - 1:
        name["non-dropping-particle"] = " ".join(words[start:-1])
    return name


def _person(byline: str) -> dict[str, str] | None:
    """One person's name (``Isabel Fisher``, ``Fisher, Isabel``, ``Isabel Fisher, Jr.``) as CSL name parts,
    or None if the byline does not read as one."""
    words = byline.split()
    if len(words) > 2 and words[-1].casefold() in _SUFFIXES:
        name = _given_family([w.rstrip(",") for w in words[:-1]])
        return {**name, "suffix": words[-1]} if name else None
    if byline.count(",") == 1:
        family, given = (part.split() for part in byline.split(","))
        if family and given and _reads_as_name(family + given):
            return {"family": " ".join(family), "given": " ".join(given)}
        return None
    return _given_family(words)


def csl_names(byline: str) -> list[dict[str, str]]:
    """A byline as CSL name variables: each person as family and given names, anything else (an agency, a
    desk, a byline we cannot read) whole, as a literal name.

    ``Isabel Fisher, Anand Roy and Li Wei`` is three people when each part reads as given names and a family
    name; ``Fisher, Isabel`` is one (family name first); ``Johnson & Johnson`` and ``Press Trust of India`` are
    literal names. Names are read in Western order: write ``Kim, Jong Un`` for family name first.
    """
    byline = " ".join(byline.split())
    parts = [part for part in _LIST.split(byline) if part]
    if len(parts) > 1:
        people = [_given_family(part.split()) for part in parts]
        if all(people):
            return [person for person in people if person]
    person = _person(byline)
    return [person] if person else [{"literal": byline}]


def _date_parts(day: dt.date) -> dict[str, list[list[int]]]:
    return {"date-parts": [[day.year, day.month, day.day]]}


def csl_item(source: Source) -> dict[str, Any]:
    """The source as one CSL-JSON item (CSL 1.0.2 input schema): only what the source records, nothing
    invented. An untitled source has no ``title`` here (its rendered reference describes it instead)."""
    item: dict[str, Any] = {"id": source.key, "type": CSL_TYPE}
    if source.title:
        item["title"] = source.title
    if source.author:
        item["author"] = csl_names(source.author)
    if source.publisher:
        item["container-title"] = source.publisher
    if source.url:
        item["URL"] = source.url
    if source.published:
        item["issued"] = _date_parts(source.published)
    if source.captured_at is not None:  # None only before the row is flushed
        item["accessed"] = _date_parts(source.captured_at.astimezone(dt.UTC).date())
    return item


# --- rendering with citeproc-py ---------------------------------------------------------------------------


# citeproc-py re-derives facts about the style on every reference: it finds an element's root, its layout and its
# enclosing bibliography by XPath, looks macros up, asks each group whether it calls a variable by walking the
# group's whole subtree, and reads the same attributes again and again. None of these depend on the item being
# rendered, so for the styles loaded here (and their locales), which stay parsed for the life of the process,
# each is worked out once per element.
_OUR_ROOTS: set[int] = set()  # ids of the root elements of our styles and their locales


class _PerElement(dict[Any, Any]):
    """What ``work(element)`` gives, worked out once for each element of our trees: ``memo[element]``.

    Keying by element is sound because the memo keeps the element's Python proxy alive, and lxml returns the
    live proxy for its node. Elements of other trees are not kept.
    """

    def __init__(self, work: Callable[[Any], Any]) -> None:
        super().__init__()
        self.work = work

    def __missing__(self, element: Any) -> Any:
        found = self.work(element)
        if id(element.get_root()) in _OUR_ROOTS:
            self[element] = found
        return found


class _Label(Label):  # type: ignore[misc]
    """``cs:label`` renders nothing when its variable is empty (CSL 1.0 spec; citeproc-py printed the term)."""

    def process(self, item: Any, variable: str | None = None, plural: bool | None = None, **kwargs: Any) -> Any:
        own = self.get("variable")
        if variable is None and own not in (None, "locator") and own.replace("-", "_") not in item.reference:
            return None
        return super().process(item, variable, plural, **kwargs)


class _Name(Name):  # type: ignore[misc]
    """``initialize="false"`` (CSL 1.0.1): given names are not turned into initials."""

    def get_option(self, name: str, context: Any = None, sort_options: Any = None) -> Any:
        value = super().get_option(name, context, sort_options)
        if name == "initialize-with" and value is not None and self._initialize(context) == "false":
            return None
        return value

    def _initialize(self, context: Any) -> str:
        if "initialize" in self.attrib:
            return str(self.get("initialize"))
        scope = (context if context is not None else self).xpath_search(
            "./ancestor::*[self::cs:citation or self::cs:bibliography][1]"
        )
        for element in [*scope, self.get_root()]:
            if "initialize" in element.attrib:
                return str(element.get("initialize"))
        return "true"


class _Substitute(Substitute):  # type: ignore[misc]
    """Variables a substitute printed through a macro are not printed again (CSL: "substituted variables are
    suppressed in the rest of the output"); citeproc-py only suppressed a ``<text variable=...>`` child."""

    def render(self, item: Any, context: Any = None, **kwargs: Any) -> Any:
        layout = (context if context is not None else self).get_layout()
        outer = getattr(layout, "rendered_variables", None)
        layout.rendered_variables = []
        try:
            text = super().render(item, context=context, **kwargs)
            if text:
                layout.repressed.setdefault(_TEXT_TAG, []).extend(layout.rendered_variables)
            return text
        finally:
            layout.rendered_variables = outer


class _Text(Text):  # type: ignore[misc]
    """Records the variables it prints while a substitute is being rendered (see :class:`_Substitute`).

    Also does what citeproc-py's ``cs:text`` does in fewer steps: what the element prints (a variable, a macro,
    a term or a value) is read from its attributes once, and the item's language is looked up without raising
    an exception when the item has none (as most have).
    """

    def process(self, item: Any, context: Any = None, **kwargs: Any) -> Any:
        kind = _TEXT_KINDS[self]
        if not kind:
            return super().process(item, context, **kwargs)
        if context is None:
            context = self
        reference = item.reference
        language = reference["language"][:2] if "language" in reference else _DEFAULT_LANGUAGES[self]
        if kind == "variable":
            text = self._variable(item, context)
        elif kind == "macro":
            text = self.get_macro(self.get("macro")).render(item, context)
        elif kind == "term":
            text = self._term(item)
        else:
            text = String(self.preformat(self.get("value")))
        return text, language

    def _variable(self, item: Any, context: Any) -> Any:
        text = super()._variable(item, context)
        if text:
            rendered = getattr(context.get_layout(), "rendered_variables", None)
            if rendered is not None:
                rendered.append(self.get("variable"))
        return text


_TEXT_KINDS = _PerElement(lambda e: next((k for k in ("variable", "macro", "term", "value") if k in e.attrib), ""))
_DEFAULT_LANGUAGES = _PerElement(lambda e: e.get_root().get("default-locale", "en")[:2])


class _Conditions:
    """``cs:if`` and ``cs:else-if``, as citeproc-py renders them, in fewer steps: which tests an element makes
    (and the lists of types and variables it tests) are read from its attributes once, not for every reference.
    """

    def render(self: Any, item: Any, context: Any = None, delimiter: str = "", **kwargs: Any) -> Any:
        if not self.holds(item, context):
            raise ConditionFailed
        return self.render_children(item, context=context, delimiter=delimiter, **kwargs)

    def holds(self: Any, item: Any, context: Any = None) -> bool:
        """Whether the element's condition holds for ``item``."""
        tests, match = _TESTS[self]
        results: list[Any] = []
        for test in tests:
            if test == "type":
                item_type = item.reference.type
                results += [name == item_type for name in _TYPES[self]]
            elif test == "variable":
                reference = item.reference
                results += [
                    ("locator" in item) if name == "locator" else (name in reference) for name in _VARIABLES[self]
                ]
            elif test == "position":
                results += self._position(item, context)
            else:
                results += getattr(self, _TEST_METHODS[test])(item)
        if match == "any":
            return any(results)
        if match == "none":
            return not any(results)
        return all(results)


_TEST_METHODS = {
    "type": "_type",
    "variable": "_variable",
    "is-numeric": "_is_numeric",
    "is-uncertain-date": "_is_uncertain_date",
    "locator": "_locator",
    "position": "_position",
}
_TESTS = _PerElement(lambda e: (tuple(test for test in _TEST_METHODS if test in e.attrib), e.get("match")))
_TYPES = _PerElement(lambda e: [name.lower() for name in e.get("type").split()])
_VARIABLES = _PerElement(lambda e: [name.replace("-", "_") for name in e.get("variable").split()])


class _If(_Conditions, If):  # type: ignore[misc]
    pass


class _ElseIf(_Conditions, ElseIf):  # type: ignore[misc]
    pass


class _Choose(Choose):  # type: ignore[misc]
    """``cs:choose``, as citeproc-py renders it: the first branch whose condition holds. When every condition
    tests only the item's type and which variables it has, the branch depends on nothing else, so it is found
    once for each kind of item (most of a style's conditions are of this sort, and most sources alike)."""

    def render(self, item: Any, context: Any = None, delimiter: str = "", **kwargs: Any) -> Any:
        shape = getattr(item, "shape", None)
        if shape is None or not _BY_SHAPE[self]:
            return super().render(item, context=context, delimiter=delimiter, **kwargs)
        key = (self, shape)
        branch = _BRANCHES.get(key, _UNKNOWN)
        if branch is _UNKNOWN:
            branch = next((child for child in self.iterchildren() if _holds(child, item, context)), None)
            if id(self.get_root()) in _OUR_ROOTS:
                _BRANCHES[key] = branch
        if branch is None:
            return None
        return branch.render_children(item, context=context, delimiter=delimiter, **kwargs)


def _holds(branch: Any, item: Any, context: Any) -> bool:
    return branch.holds(item, context) if isinstance(branch, _Conditions) else isinstance(branch, Else)


def _by_shape(choose: Any) -> bool:
    """Whether the branch ``choose`` takes depends only on an item's type and the variables it has."""
    return all(
        (isinstance(child, _Conditions) and set(_TESTS[child][0]) <= {"type", "variable"}) or isinstance(child, Else)
        for child in choose.iterchildren()
    )


_BY_SHAPE = _PerElement(_by_shape)
_BRANCHES: dict[tuple[Any, Any], Any] = {}  # (choose, shape) -> the branch taken, or None
_UNKNOWN = object()


_CSL_NAMESPACE = "http://purl.org/net/xbiblio/csl"
_TEXT_TAG = f"{{{_CSL_NAMESPACE}}}text"
_FIXED = {
    "label": _Label,
    "name": _Name,
    "substitute": _Substitute,
    "text": _Text,
    "if": _If,
    "else-if": _ElseIf,
    "choose": _Choose,
}


class _Style(CitationStylesStyle):  # type: ignore[misc]
    """A CSL style parsed with citeproc-py's element classes, the fixed ones above in place of theirs."""

    def __init__(self, path: Path) -> None:
        # Not CitationStylesStyle.__init__: that parses with citeproc-py's own classes, and would validate the
        # style on every load (the shipped styles are validated once, by the tests).
        lookup = etree.ElementNamespaceClassLookup()
        namespace = lookup.get_namespace(_CSL_NAMESPACE)
        namespace[None] = CitationStylesElement
        namespace.update(
            {cls.__name__.replace("_", "-").lower(): cls for cls in CitationStylesElement.__subclasses__()}
        )
        namespace.update(_FIXED)
        parser = etree.XMLParser(remove_comments=True, encoding="UTF-8", no_network=True)
        parser.set_element_class_lookup(lookup)
        self.xml = etree.parse(str(path), parser)
        self.root = self.xml.getroot()
        self.root.set_locale_list(self.root.get("default-locale", "en-US"), validate=False)
        self.punctuation_in_quote = str(self.root.get_locale_option("punctuation-in-quote")).lower() == "true"
        _OUR_ROOTS.update(id(root) for root in (self.root, *self.root.locales))
        _MACROS[id(self.root)] = {m.get("name"): m for m in self.root.iterfind(f"{{{_CSL_NAMESPACE}}}macro")}


# The same facts, for every element citeproc-py renders (ours and those of the locales, which citeproc-py parses).
_MACROS: dict[int, dict[str, Any]] = {}  # by id of the style's root, by name
_xpath_get_macro = CitationStylesElement.get_macro
_xpath_search = CitationStylesElement.xpath_search
_get_root = CitationStylesElement.get_root
_format = Formatted.format
_quote = Quoted.quote


class _Roots(dict[Any, Any]):
    def __missing__(self, element: Any) -> Any:
        root = _get_root(element)
        if id(root) in _OUR_ROOTS:
            self[element] = root
        return root


class _XPaths(dict[tuple[Any, str], Any]):
    # The expressions citeproc-py asks depend on the tree's shape and on names, which rendering never changes.
    def __missing__(self, key: tuple[Any, str]) -> Any:
        element, expression = key
        found = _xpath_search(element, expression)
        if id(element.get_root()) in _OUR_ROOTS:
            self[key] = found
        return found


_ROOTS = _Roots()
_XPATHS = _XPaths()


def _get_macro(element: Any, name: str) -> Any:
    macros = _MACROS.get(id(element.get_root()))
    return macros[name] if macros is not None and name in macros else _xpath_get_macro(element, name)


def _formatter_holder(element: Any) -> Any:
    root = element.get_root()
    return root.style if isinstance(root, Locale) else root  # a locale's ``style`` is the style's root element


# Formatting an element that sets no font, weight, decoration or alignment changes nothing; quoting an element
# without quotes="true" changes nothing (the locale's punctuation-in-quote option, which citeproc-py reads each
# time, is not used); the formatter is the one set on the style (for an element of a locale, the style using it).
_FORMATTING = ("font-style", "font-variant", "font-weight", "text-decoration", "vertical-align")
_UNFORMATTED = _PerElement(lambda e: not any(name in e.attrib for name in _FORMATTING))
_UNQUOTED = _PerElement(lambda e: e.get("quotes", "false").lower() != "true")
_FORMATTER_HOLDERS = _PerElement(_formatter_holder)


def _fast_format(element: Any, string: Any) -> Any:
    if _UNFORMATTED[element]:
        return str(string) if isinstance(string, int | float) else string
    return _format(element, string)


def _fast_quote(element: Any, string: Any) -> Any:
    return string if _UNQUOTED[element] else _quote(element, string)


def _memo_calls_variable(original: Any) -> Any:
    memo = _PerElement(lambda e: bool(original(e)))
    return lambda element: memo[element]


CitationStylesElement.get_macro = _get_macro
CitationStylesElement.get_root = lambda element: _ROOTS[element]
CitationStylesElement.xpath_search = lambda element, expression: _XPATHS[element, expression]
CitationStylesElement.get_formatter = lambda element: _FORMATTER_HOLDERS[element].formatter
for _cls in (Parent, Text):  # the two that compute it; the others answer a constant or read an attribute
    _cls.calls_variable = _memo_calls_variable(_cls.calls_variable)
Formatted.format = _fast_format
Quoted.quote = _fast_quote


class _CitationItem(CitationItem):  # type: ignore[misc]
    """An item that finds its CSL-JSON data once (citeproc-py looks it up through three objects every time a
    variable is read, a few hundred times per reference)."""

    @functools.cached_property
    def reference(self) -> Any:
        return self.bibliography.source[self.key]

    @functools.cached_property
    def shape(self) -> tuple[str, frozenset[str], bool]:
        """What the conditions of a :class:`_Choose` look at: the type, the variables present, a locator or not.
        (Rendering never changes an item's data.)"""
        return self.reference.type, frozenset(self.reference), "locator" in self


@functools.cache
def _style(name: str) -> _Style:
    return _Style(STYLES_DIR / f"{name}.csl")


# citeproc-py keeps rendering state on the parsed style, so one style renders one reference at a time.
_RENDERING = threading.Lock()
_MOVE_INSIDE_QUOTE = re.compile(r"”([.,])")


def reference(source: Source, style: str = "apa") -> str:
    """The source's reference-list entry in ``style`` (plain text, ending with a period), rendered from
    :func:`csl_item`. An untitled source is named by its opening words in brackets, as the title."""
    if style not in STYLES:
        raise Invalid(f"unknown citation style {style!r}; use one of: {', '.join(STYLES)}")
    item = csl_item(source)
    if "title" not in item:
        # protected from the style's title case: it is our description, not the source's words
        item["title"] = f'<span class="nocase">{source_title(source)}</span>'
    return _render(style, json.dumps(item, ensure_ascii=False, sort_keys=True))


@functools.lru_cache(maxsize=1024)
def _render(style: str, item_json: str) -> str:
    """One CSL-JSON item rendered in ``style``; cached, since a report cites each source many times and
    citeproc-py takes tens of milliseconds per reference."""
    item = json.loads(item_json)
    parsed = _style(style)
    with _RENDERING:
        bibliography = CitationStylesBibliography(parsed, CiteProcJSON([item]), formatter.plain)
        bibliography.register(Citation([_CitationItem(item["id"])]))
        text = str(bibliography.bibliography()[0])
    if parsed.punctuation_in_quote:
        text = _MOVE_INSIDE_QUOTE.sub(r"\1”", text)
    return text if text.endswith(".") else text + "."


def references(sources: Iterable[Source], style: str = "apa") -> dict[int, str]:
    """Each source's reference in ``style`` by source id, each rendered once (a report cites a source many times)."""
    return {source.id: reference(source, style) for source in sources}


def location(passage: Passage | PassageRow) -> str:
    """``page 3, paragraph 4, sentence 2, characters 120–188`` (end exclusive, code points; the page for PDF)."""
    where = f"page {passage.page_no}, " if passage.page_no is not None else ""
    where += f"paragraph {passage.paragraph_no}"
    if passage.sentence_no is not None:
        where += f", sentence {passage.sentence_no}"
    return f"{where}, characters {passage.char_start}–{passage.char_end}"


def reliability(source: Source) -> str:
    return f"source reliability {describe_reliability(source.reliability.value)}"
