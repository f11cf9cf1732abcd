"""Reports and exports: the very bytes `provenance report` and `provenance export` write, for the claims chosen as
their --claim, --about, --status and --since choose them, with their media type and a file name to save them as.

Both doors check a request and choose a format's renderer in :mod:`provenance.export.formats`;
tests/test_api_reports.py checks they give the same bytes.
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Response

from provenance import documents
from provenance import report as reports
from provenance.access import Permission
from provenance.errors import Invalid
from provenance.export import formats
from provenance.web.deps import DeskDep, needs

router = APIRouter(tags=["reports"])

REPORT_FORMATS, EXPORT_FORMATS = formats.REPORT_FORMATS, formats.EXPORT_FORMATS

JSON = "application/json"
JSON_LD = "application/ld+json"
# Media type and file name of each report format and export.
REPORT_TYPES = {
    "markdown": ("text/markdown; charset=utf-8", "report.md"),
    "html": ("text/html; charset=utf-8", "report.html"),
    "json": (JSON, "report.json"),
    "pdf": ("application/pdf", "report.pdf"),
}
EXPORT_TYPES = {
    "webannotation": (JSON_LD, "annotations.jsonld"),
    "claimreview": (JSON_LD, "claimreview.jsonld"),
    "prov:json": (JSON, "provenance.json"),
    "prov:provn": ("text/provenance-notation; charset=utf-8", "provenance.provn"),
    "prov:turtle": ("text/turtle; charset=utf-8", "provenance.ttl"),
    "csl": ("application/vnd.citationstyles.csl+json", "references.json"),
    "bundle": (JSON, "bundle.json"),
}

# Repeated query parameters, as the commands' repeatable options.
CLAIMS = Query(default=[], description="Only these claims (repeatable: --claim).")
ABOUT = Query(default=[], description="Only claims about this entity (repeatable: --about).")
STATUSES = Query(default=[], description="Only claims with this status (repeatable: --status).")


def _selection(keys: list[str], about: list[str], statuses: list[str], since: str | None) -> reports.Selection:
    return reports.Selection(
        keys=tuple(keys),
        about=tuple(about),
        statuses=tuple(statuses),
        since=documents.parse_date_option(since) if since else None,
    )


def _file(content: str | bytes, media_type: str, filename: str) -> Response:
    return Response(
        content.encode("utf-8") if isinstance(content, str) else content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/reports",
    responses={200: {"content": {t.split(";")[0]: {} for t, _ in REPORT_TYPES.values()}}},
    **needs(Permission.READ),
)
def report(
    desk: DeskDep,
    claim: list[str] = CLAIMS,
    about: list[str] = ABOUT,
    status: list[str] = STATUSES,
    since: str | None = None,
    format: str = "markdown",  # the command's option
    style: str = "apa",
    order: str = "key",
    title: str = "Cited report",
) -> Response:
    """A cited report, as `provenance report` writes it: every claim chosen (``claim``, ``about``, ``status``
    repeatable; none: every claim), its quoted passages with footnotes and its contradictions, as markdown,
    html, json or pdf (pdf needs the pdf extra on the server)."""
    formats.check_report(format, style)
    with desk.reading() as session:
        data = reports.build_report(session, selection=_selection(claim, about, status, since), order=order)
        content = formats.render_report(data, format, title=title, style=style)
    return _file(content, *REPORT_TYPES[format])


@router.get("/exports/bundle", **needs(Permission.MANAGE_ACCOUNTS))
def export_bundle(
    desk: DeskDep,
    claim: list[str] = CLAIMS,
    about: list[str] = ABOUT,
    status: list[str] = STATUSES,
    since: str | None = None,
) -> Response:
    """The whole database as a bundle, as `provenance export bundle` writes it (`provenance import` loads it into
    another desk). It holds the desk's accounts with their password hashes, so it needs the admin role."""
    formats.check_export("bundle", selected=bool(claim or about or status or since), organisation=None, base_url=None)
    with desk.reading() as session:
        content = formats.render_export(session, "bundle", _selection(claim, about, status, since))
    return _file(content, *EXPORT_TYPES["bundle"])


@router.get(
    "/exports/{fmt}",
    responses={200: {"content": {t.split(";")[0]: {} for t, _ in EXPORT_TYPES.values()}}},
    **needs(Permission.READ),
)
def export(
    fmt: str,
    desk: DeskDep,
    claim: list[str] = CLAIMS,
    about: list[str] = ABOUT,
    status: list[str] = STATUSES,
    since: str | None = None,
    organisation: str | None = None,
    base_url: str | None = None,
    prov_format: str = "json",
) -> Response:
    """An export for other tools, as `provenance export FORMAT` writes it: webannotation (W3C Web Annotations,
    JSON-LD), claimreview (schema.org ClaimReview, JSON-LD; needs ``organisation`` and ``base_url``), prov
    (W3C PROV: ``prov_format`` json, provn or turtle) or csl (CSL-JSON); bundle has a route of its own."""
    if fmt == "bundle":
        raise Invalid("the bundle is at /api/v1/exports/bundle (it needs the admin role)")
    formats.check_export(fmt, selected=False, organisation=organisation, base_url=base_url)
    with desk.reading() as session:
        content = formats.render_export(
            session,
            fmt,
            _selection(claim, about, status, since),
            organisation=organisation,
            base_url=base_url,
            prov_format=prov_format,
        )
    kind = f"prov:{prov_format}" if fmt == "prov" else fmt
    return _file(content, *EXPORT_TYPES[kind])
