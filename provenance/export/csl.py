"""The cited sources as CSL-JSON: the input every CSL processor (citeproc-js, citeproc-py, pandoc, Zotero)
reads, valid against the CSL 1.0.2 ``csl-data.json`` schema.

These are the same items :func:`provenance.citations.reference` renders the report's references from, so a
reference list made from this file in the same style matches the report's footnotes.
"""

from __future__ import annotations

from typing import Any

from provenance.citations import csl_item
from provenance.export import jsontext
from provenance.models import Source
from provenance.report import Report
from provenance.retraction import retraction_details


def item(source: Source) -> dict[str, Any]:
    """The source's CSL-JSON item; a retracted source says so in ``note`` (which neither bundled style prints,
    so references made from these items still match the report's)."""
    csl = csl_item(source)
    retraction = retraction_details(source)
    if retraction is not None:
        csl["note"] = f"Retracted {retraction}"
    return csl


def render(report: Report) -> str:
    """A JSON array of one item per source the report quotes, sorted by id (the source key)."""
    items = sorted((item(source) for source in report.sources), key=lambda item: str(item["id"]))
    return jsontext.dumps(items)
