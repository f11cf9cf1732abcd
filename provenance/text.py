"""Text as people type it, and text as people are shown it.

What a user gives (a statement, a note, a reason, an entity's name or alias, who a passage is attributed to, a
quote as entered) goes through :func:`user_text` in the domain, before anything is stored or compared, so that
every door (the command line, claims files, the server to come) gets the same rules:

- a NUL character is refused with one line naming the field: PostgreSQL cannot store one, and a desk that
  stored one on SQLite could never move;
- terminal escape sequences (``ESC [ ... m`` colours, ``ESC ] ... BEL`` window titles) are removed whole, and
  every other control character (C0, DEL, C1 U+0080-U+009F), noncharacter and unpaired surrogate is removed,
  as capture removes them from sources (:func:`clean_text`, shared with :mod:`provenance.extract`);
- bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) are removed too: in one line
  of text they can only make what is shown differ from what is stored ("Trojan Source"). Marks (U+200E,
  U+200F, U+061C) stay, as in sources;
- line breaks and tabs become spaces and runs of spaces one: every such field is one line (a newline in a
  note was already folded before these rules).

Text already in a database (older rows, rows written by SQL) may still hold any of these: :func:`printable`
shows each control character as an escape (``\\x1b``) when printing for people, so that none reaches the
terminal.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from provenance.errors import Invalid

_BREAKS = {"\f": "\n\n", "\u2029": "\n\n", "\v": "\n", "\x85": "\n", "\u2028": "\n"}
# Two patterns, not one: a character class mixing the Basic Multilingual Plane with the other planes makes
# Python's regex engine about 15 times slower on every text.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
_ASTRAL_NONCHARACTERS = re.compile(
    "[" + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(1, 17)) + "]"
)


def clean_text(text: str) -> str:
    """``text`` without control characters: the ones that break lines break lines, the rest are removed.

    Tab, line feed and carriage return are kept (:func:`~provenance.documents.normalise` folds the last)."""
    if _CONTROLS.search(text):
        text = _CONTROLS.sub(lambda match: _BREAKS.get(match.group(), ""), text)
    if _has_astral(text) and _ASTRAL_NONCHARACTERS.search(text):
        text = _ASTRAL_NONCHARACTERS.sub("", text)
    return text


def _has_astral(text: str) -> bool:
    """Whether ``text`` has a character beyond the Basic Multilingual Plane. Encoding is a C loop about 40 times
    faster than a regex scan for astral characters; each of them takes two UTF-16 code units."""
    return not text.isascii() and len(text.encode("utf-16-le", "surrogatepass")) != 2 * len(text)


# ESC [ parameters intermediates final (CSI: colours, cursor moves); ESC ] ... BEL or ESC \ (OSC: window titles,
# hyperlinks); ESC P/X/^/_ ... ESC \ (DCS and kin); the 8-bit CSI and OSC (U+009B, U+009D); ESC and one character.
_ESCAPE_SEQUENCES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -~]?"
)
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def user_text(value: str, field: str, *, fold: bool = True) -> str:
    """``value`` as a user gave it for ``field`` ("statement", "note", "alias"...), cleaned by the rules above,
    on one line: no control characters, no escape sequences, no bidirectional overrides, whitespace folded.
    Without ``fold`` (a quote, which must match the source's characters, and its prefix and suffix), tabs and
    line breaks are kept and whitespace is left as it is: :mod:`provenance.anchoring` then normalises a quote as
    the source's text was (:func:`provenance.documents.normalise`) before looking it up.

    A NUL character is refused: :class:`~provenance.errors.Invalid` names the field."""
    if "\x00" in value:
        raise Invalid(
            f"the {field} contains a NUL character (\\x00, at character {value.index(chr(0)) + 1}); NUL "
            "characters are not allowed in text: remove it"
        )
    if not value.isascii() or _ESCAPE_SEQUENCES.search(value) or _CONTROLS.search(value):
        value = _BIDI_CONTROLS.sub("", clean_text(_ESCAPE_SEQUENCES.sub("", value)))
    return " ".join(value.split()) if fold else value


def optional_user_text(value: str | None, field: str, *, fold: bool = True) -> str | None:
    """:func:`user_text` for an optional field: ``None`` when nothing is left of it."""
    if value is None:
        return None
    return user_text(value, field, fold=fold) or None


# Every control character a terminal could act on, and the bidirectional controls: escaped when printed.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def printable(text: str) -> str:
    """``text`` with every control character a terminal would act on shown as an escape (``\\x1b``,
    ``\\u202e``), for printing to people. Line feeds and tabs are kept: they are how output is laid out."""
    if text.isascii() and text.isprintable():
        return text
    return _UNPRINTABLE.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def count(number: int, noun: str, plural: str | None = None) -> str:
    """``number`` and ``noun``, plural unless the number is one: "1 paragraph", "2 paragraphs", "0 paragraphs";
    ``plural`` for nouns that do not just take an "s" ("1 piece of evidence", "3 pieces of evidence")."""
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"


def nothing_listed(thing: str, things: str, filters: Sequence[str], how_to_add: str) -> str:
    """What an empty list says: that nothing matched the filters given (``--about 'India'``), or, without
    filters, that nothing is recorded yet and how to record it."""
    if filters:
        return f"No {thing} matches {' and '.join(filters)}."
    return f"No {things} recorded yet: {how_to_add}."


def option(name: str, value: object = None) -> str:
    """An option as the user gave it, for saying which filter matched nothing: ``--about 'North Korea'``."""
    return name if value is None or value is True else f"{name} {str(value)!r}"
