"""Reading JSON and YAML that people write (claims files, front matter) and that tools write (bundles), strictly.

Python's json and PyYAML both let a key given twice in one mapping silently replace the first: a claims file
with two ``claims:`` blocks would import only the second. Here a repeated key is an error naming both lines.
A document nested too deeply for the parser is one error line, not a ``RecursionError``. A YAML date that is
not a real date (``2021-02-30``) is kept as the text it is, so that whatever reads it can say what is wrong
with it and where, rather than PyYAML stopping with a traceback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from provenance.errors import Invalid

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built with it

# What the container a key is repeated in is called, by the list it belongs to.
_ITEM_NAMES = {
    "sources": "source",
    "entities": "entity",
    "claims": "claim",
    "evidence": "evidence item",
    "contradictions": "contradiction",
}
_MERGE_TAG = "tag:yaml.org,2002:merge"
_MAX_EXPANSION = 10  # how many times larger than written aliases may make a YAML document


class YamlLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """PyYAML's safe loader (the C one when there is one), except that a timestamp that is no real date or
    time (``2021-02-30``, ``2021-01-01 25:00``) stays a string instead of raising ``ValueError``."""


def _timestamp(loader: SafeConstructor, node: yaml.ScalarNode) -> object:
    try:
        return SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


YamlLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def too_deep(path: Path) -> Invalid:
    return Invalid(f"{path} is nested too deeply to read (lists or mappings inside each other over ~1,000 levels)")


def repeated_key(path: Path, key: str, where: list[str | int], line: int, first_line: int) -> Invalid:
    return Invalid(
        f'{path} line {line}: the key "{key}" is given twice {_container(where)} (first on line {first_line}); '
        "remove one"
    )


def _container(where: list[str | int]) -> str:
    """``in the claim at claims[3]``, ``at the top level``: the mapping a repeated key is in."""
    if not where:
        return "at the top level"
    text = ""
    for part in where:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    parent = where[-2] if len(where) >= 2 and isinstance(where[-1], int) else None
    noun = _ITEM_NAMES.get(parent, "mapping") if isinstance(parent, str) else "mapping"
    return f"in the {noun} at {text}"


# --- YAML -----------------------------------------------------------------------------------------------


def load_yaml(raw: str, path: Path) -> Any:
    """The YAML document in ``raw``, refusing a key given twice in one mapping. Syntax errors are raised as
    ``yaml.YAMLError`` for the caller to word; ``path`` is named in the other errors."""
    loader = YamlLoader(raw)
    try:
        try:
            node = loader.get_single_node()
        except RecursionError as exc:  # the pure-Python composer recurses; libyaml stops at 1,000 levels itself
            raise too_deep(path) from exc
        except yaml.MarkedYAMLError as exc:
            if "nesting depth" in str(exc.problem):
                raise too_deep(path) from exc
            raise
        if node is None:
            return None
        _check_yaml_keys(node, path)
        _check_yaml_size(node, path)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _check_yaml_keys(root: yaml.Node, path: Path) -> None:
    """Refuse a mapping that gives one key twice. Walks without recursion (a document may be 1,000 deep) and
    visits a node shared through YAML aliases once."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, list[str | int]]] = [(root, [])]
    while stack:
        node, where = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[object, int] = {}
            children = []
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag != _MERGE_TAG:
                    key = (key_node.tag, key_node.value)
                    line = key_node.start_mark.line + 1
                    if key in first:
                        raise repeated_key(path, key_node.value, where, line, first[key])
                    first[key] = line
                    children.append((value_node, [*where, key_node.value]))
                else:
                    children.append((value_node, [*where, "?"]))
            stack.extend(reversed(children))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, [*where, n]) for n, item in reversed(list(enumerate(node.value))))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [child for pair in node.value for child in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_yaml_size(root: yaml.Node, path: Path) -> None:
    """Refuse a document whose aliases make it far larger than it is written ("a billion laughs": nine lists
    of nine aliases to the one before are 387 million values to whatever walks them), or refer to themselves."""
    sizes: dict[int, int] = {}
    started: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if children_done:
            sizes[id(node)] = 1 + sum(sizes[id(child)] for child in children)
            continue
        if id(node) in started:
            raise Invalid(f"{path}: an alias (*name) refers to a list or mapping that contains it; write it out")
        started.add(id(node))
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)
    if sizes[id(root)] > _MAX_EXPANSION * len(sizes) + 10_000:
        raise Invalid(
            f"{path}: its aliases (*name) repeat lists and mappings into {sizes[id(root)]:,} values, from "
            f"{len(sizes):,} written; write the values out rather than through nested aliases"
        )


# --- JSON -----------------------------------------------------------------------------------------------


def loads_json(raw: str, path: Path, *, parse_constant: Callable[[str], Any] | None = None) -> Any:
    """The JSON document in ``raw``, refusing a key given twice in one object. Syntax errors are raised as
    ``json.JSONDecodeError`` for the caller to word; ``path`` is named in the other errors."""
    repeated = False

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal repeated
        mapping = dict(pairs)
        if len(mapping) != len(pairs):
            repeated = True
        return mapping

    try:
        data = json.loads(raw, object_pairs_hook=pairs_hook, parse_constant=parse_constant)
    except RecursionError as exc:
        raise too_deep(path) from exc
    if repeated:
        found = _json_repeated_key(raw)
        if found is None:  # not expected: the scan reads keys as json does
            raise Invalid(f"{path}: a key is given twice in one object; remove one")
        key, where, line, first_line = found
        raise repeated_key(path, key, where, line, first_line)
    return data


_JSON_TOKEN = re.compile(r'[{}\[\]:,"\n]')


def _json_repeated_key(raw: str) -> tuple[str, list[str | int], int, int] | None:
    """The first key given twice in one object of the valid JSON ``raw``: the key, the object's place, and
    the lines of its second and first appearance. Only run once a repeated key is known to be there."""
    # One frame per open object or array: for an object, the lines of its keys, its current key and whether a
    # key comes next; for an array, the index of the current item.
    frames: list[dict[str, Any]] = []
    line = 1
    position = 0
    while True:
        match = _JSON_TOKEN.search(raw, position)
        if match is None:
            return None
        char, position = match.group(), match.end()
        if char == "\n":
            line += 1
        elif char == '"':
            text, position = json.decoder.scanstring(raw, position)  # type: ignore[attr-defined]
            frame = frames[-1] if frames else None
            if frame is not None and frame["kind"] == "object" and frame["expect_key"]:
                if text in frame["keys"]:
                    where = [f["key"] if f["kind"] == "object" else f["index"] for f in frames[:-1]]
                    return text, where, line, frame["keys"][text]
                frame["keys"][text] = line
                frame["key"] = text
                frame["expect_key"] = False
        elif char == "{":
            frames.append({"kind": "object", "keys": {}, "key": None, "expect_key": True})
        elif char == "[":
            frames.append({"kind": "array", "index": 0})
        elif char in "}]":
            frames.pop()
        elif char == "," and frames:
            if frames[-1]["kind"] == "object":
                frames[-1]["expect_key"] = True
            else:
                frames[-1]["index"] += 1
