"""Reading Markdown: YAML front matter for metadata, and the text of each block."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

import yaml
from lxml.html import fragment_fromstring  # type: ignore[import-untyped]
from markdown_it import MarkdownIt
from markdown_it.token import Token

from provenance.datafile import YamlLoader
from provenance.documents import Document, Metadata, normalise
from provenance.errors import Invalid
from provenance.extract.text import Extracted, clean_value, decode_text, read_date

_MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])
_FRONT_MATTER_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline"),
    "author": ("author", "authors", "byline"),
    "published": ("published", "date", "pubdate", "publish_date", "published_at", "published_on"),
    "publisher": ("publisher", "site", "site_name", "sitename"),
    "url": ("url", "canonical_url", "canonical"),
}
# Safe, the C loader where PyYAML has it (ten times faster); a date that is no real date (2021-02-30) stays
# text, for read_date to warn about.
_YAML_LOADER = YamlLoader
_HTML_BLOCK_TAGS = (
    "address article aside blockquote dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header li main nav "
    "ol p pre section table td th tr ul"
).split()


def from_markdown(data: bytes, name: str, charset: str | None) -> Extracted:
    text = normalise(decode_text(data, name, charset))  # for the parser; the body is normalised below
    if not text:
        raise Invalid(f"{name} is empty; give an article with text")
    front_matter, source = _split_front_matter(text, name)
    warnings: list[str] = []
    metadata = _front_matter_metadata(front_matter, name, warnings)
    tokens = _MARKDOWN.parse(source)
    body = normalise("\n\n".join(_markdown_blocks(tokens)))
    if not body:
        raise Invalid(f"{name} has front matter but no article text")
    if metadata.title is None and len(tokens) > 1 and tokens[0].type == "heading_open" and tokens[0].tag == "h1":
        metadata = replace(metadata, title=clean_value(_inline_text(tokens[1].children or [])))
    return Extracted(Document(text=body, original_sha256="", origin=None, metadata=metadata), warnings=tuple(warnings))


def _split_front_matter(text: str, name: str) -> tuple[dict[str, Any], str]:
    """The YAML front matter (between ``---`` lines at the very top) as a mapping, and the rest."""
    lines = text.split("\n")
    if lines[0] != "---":
        return {}, text
    end = next((i for i in range(1, len(lines)) if lines[i] in ("---", "...")), None)
    if end is None:
        return {}, text
    try:
        values = yaml.load("\n".join(lines[1:end]), Loader=_YAML_LOADER)
    except (yaml.YAMLError, RecursionError) as exc:  # the pure-Python loader recurses; libyaml has a limit
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        raise Invalid(f"the front matter of {name} is not valid YAML{where}; fix it or remove the --- block") from exc
    if values is None:
        values = {}
    if not isinstance(values, dict):
        return {}, text  # two rules around a paragraph, not front matter
    return {str(key).lower(): value for key, value in values.items()}, "\n".join(lines[end + 1 :])


def _front_matter_metadata(values: dict[str, Any], name: str, warnings: list[str]) -> Metadata:
    found: dict[str, Any] = {}
    for field_name, keys in _FRONT_MATTER_FIELDS.items():
        value = next((values[key] for key in keys if values.get(key) not in (None, "")), None)
        if value is None:
            continue
        if field_name == "published":
            found[field_name] = read_date(value, name, warnings)
        elif field_name == "author" and isinstance(value, list):
            found[field_name] = clean_value(", ".join(item for item in value if isinstance(item, str)))
        else:
            found[field_name] = clean_value(value)
    return Metadata(**found)


def _markdown_blocks(tokens: Sequence[Token]) -> Iterator[str]:
    """The text of each block that holds text: headings, paragraphs (also in list items and quotations),
    code blocks, HTML blocks (their text only) and table rows (cells separated by a tab)."""
    row: list[str] | None = None
    for token in tokens:
        if token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            yield "\t".join(cell for cell in row if cell)
            row = None
        elif token.type == "inline" and row is not None:
            row.append(" ".join(_inline_text(token.children or []).split()))
        elif token.type == "inline":
            yield "\n".join(line.strip() for line in _inline_text(token.children or []).split("\n"))
        elif token.type in ("fence", "code_block"):
            yield token.content.strip("\n")
        elif token.type == "html_block":
            yield _html_fragment_text(token.content)


def _inline_text(tokens: Sequence[Token]) -> str:
    """The words of inline markup: emphasis, links and code keep their text, images their alt text, a
    soft break is the space a reader sees, a hard break (or ``<br>``) a line break; other HTML goes."""
    parts: list[str] = []
    for token in tokens:
        if token.type in ("text", "code_inline", "text_special"):
            parts.append(token.content)
        elif token.type == "image":
            parts.append(_inline_text(token.children or []))
        elif token.type == "softbreak":
            parts.append(" ")
        elif token.type == "hardbreak" or (
            token.type == "html_inline" and re.fullmatch(r"<br\s*/?>", token.content, re.IGNORECASE)
        ):
            parts.append("\n")
    return "".join(parts)


def _html_fragment_text(markup: str) -> str:
    """The words of an HTML block in Markdown, a paragraph for each block element; scripts and styles go."""
    fragment = fragment_fromstring(markup, create_parent="div")
    for element in fragment.xpath(".//script | .//style | .//template"):
        element.drop_tree()
    for element in fragment.iter(*_HTML_BLOCK_TAGS):
        element.tail = "\n\n" + (element.tail or "")
    paragraphs = (" ".join(paragraph.split()) for paragraph in fragment.text_content().split("\n\n"))
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)
