"""The one way the JSON exports are written: JSON text that is also safe inside an HTML page.

ClaimReview (and any JSON-LD) is published in a ``<script type="application/ld+json">`` element, where a
``</script>`` inside a string would end the element and whatever follows would run as a script. So every JSON
export writes ``<``, ``>`` and ``&`` as ``\\u003c``, ``\\u003e`` and ``\\u0026`` (and the line and paragraph
separators U+2028 and U+2029, which older JavaScript does not accept inside a string, as ``\\u2028`` and
``\\u2029``). The text is still JSON and parses back to exactly the same data.
"""

from __future__ import annotations

import json
from typing import Any

# Outside strings JSON text holds only ASCII punctuation, digits, letters and white space, so each of these can
# only be inside a string, where its \u escape means the same character.
ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def escape(text: str) -> str:
    """JSON text ``text`` with the characters HTML (or a script) would read as markup written as escapes."""
    for raw, escaped in ESCAPES:
        if raw in text:
            text = text.replace(raw, escaped)
    return text


def dumps(data: Any, *, sort_keys: bool = False) -> str:
    """``data`` as indented JSON text (non-ASCII letters as they are), escaped as above, ending in a newline."""
    return escape(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=sort_keys)) + "\n"
