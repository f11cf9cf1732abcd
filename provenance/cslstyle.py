"""A CSL-JSON item rendered in one of the CSL styles shipped in ``provenance/styles/``, by citeproc-py with the
fixes :mod:`provenance.citations` describes (and the memos that make it fast enough for a report).

This is the only module that loads citeproc-py and lxml: :func:`provenance.citations.reference` loads it when it
first renders a reference, so that the commands that print no reference (``claim show``...) need neither.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

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

from provenance.citations import STYLES_DIR

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


def render(style: str, item: dict[str, Any]) -> str:
    """``item`` (CSL-JSON) rendered in ``style``, plain text ending with a period."""
    parsed = _style(style)
    with _RENDERING:
        bibliography = CitationStylesBibliography(parsed, CiteProcJSON([item]), formatter.plain)
        bibliography.register(Citation([_CitationItem(item["id"])]))
        text = str(bibliography.bibliography()[0])
    if parsed.punctuation_in_quote:
        text = _MOVE_INSIDE_QUOTE.sub(r"\1”", text)
    return text if text.endswith(".") else text + "."
