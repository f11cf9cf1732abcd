"""The cited sources as CSL-JSON: the input every CSL processor (citeproc-js, citeproc-py, pandoc, Zotero)
reads, valid against the CSL 1.0.2 ``csl-data.json`` schema.

These are the same items :func:`provenance.citations.reference` renders the report's references from, so a
reference list made from this file in the same style matches the report's footnotes.
"""

from __future__ import annotations

import json

from provenance.citations import csl_item
from provenance.report import Report


def render(report: Report) -> str:
    """A JSON array of one item per source the report quotes, sorted by id (the source key)."""
    items = sorted((csl_item(source) for source in report.sources), key=lambda item: str(item["id"]))
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"
