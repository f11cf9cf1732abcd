"""The cited report as JSON: every selected claim with its evidence, and the sources they quote."""

from __future__ import annotations

from provenance.export import jsontext
from provenance.export.records import claim_detail_record, source_record
from provenance.report import Report


def render(report: Report, title: str = "Cited report") -> str:
    data = {
        "title": title,
        "order": report.order,
        "claims": [claim_detail_record(entry) for entry in report.claims],
        "sources": [source_record(source) for source in report.sources],
    }
    return jsontext.dumps(data)
