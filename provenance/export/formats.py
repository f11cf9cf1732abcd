"""Which reports and exports there are, the checks of a request for one, and the renderer each format calls: the
one place both doors (``provenance report`` / ``export`` and the server's ``/reports`` and ``/exports``) choose
them. Renderers are imported when a format is asked for, so that the command line loads only the one it writes.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from provenance import citations
from provenance import report as reports
from provenance.errors import Invalid

REPORT_FORMATS = ("markdown", "html", "json", "pdf")
EXPORT_FORMATS = ("webannotation", "claimreview", "prov", "csl", "bundle")


def check_report(fmt: str, style: str) -> None:
    """Refuse a report format or citation style that is not one, in one line naming the choices."""
    if fmt not in REPORT_FORMATS:
        raise Invalid(f"unknown report format {fmt!r}; use one of: {', '.join(REPORT_FORMATS)}")
    if style not in citations.STYLES:
        raise Invalid(f"unknown citation style {style!r}; use one of: {', '.join(citations.STYLES)}")


def render_report(data: reports.Report, fmt: str, *, title: str, style: str) -> str | bytes:
    """The report in ``fmt`` (checked with :func:`check_report`): text, or a PDF's bytes."""
    if fmt == "markdown":
        from provenance.export import markdown

        return markdown.render(data, title=title, style=style)
    if fmt == "json":
        from provenance.export import report_json

        return report_json.render(data, title=title)
    from provenance.export import html

    return (
        html.render(data, title=title, style=style)
        if fmt == "html"
        else html.render_pdf(data, title=title, style=style)
    )


def check_export(fmt: str, *, selected: bool, organisation: str | None, base_url: str | None) -> None:
    """Refuse an export that is not one, a bundle of chosen claims, or a ClaimReview without its publisher."""
    if fmt not in EXPORT_FORMATS:
        raise Invalid(f"unknown export format {fmt!r}; use one of: {', '.join(EXPORT_FORMATS)}")
    if fmt == "bundle" and selected:
        raise Invalid("a bundle holds the whole database; leave out --claim, --about, --status and --since")
    if fmt == "claimreview" and not (organisation and base_url):
        raise Invalid(
            "ClaimReview needs --organisation NAME and --base-url URL (or $PROVENANCE_ORGANISATION "
            "and $PROVENANCE_BASE_URL)"
        )


def render_export(
    session: Session,
    fmt: str,
    selection: reports.Selection,
    *,
    organisation: str | None = None,
    base_url: str | None = None,
    prov_format: str = "json",
) -> str:
    """The export ``fmt`` (checked with :func:`check_export`) of the claims ``selection`` chooses."""
    if fmt == "bundle":
        from provenance import bundle
        from provenance.export import jsontext  # escapes the bundle's JSON like every JSON export

        return jsontext.escape(bundle.dumps(session))
    data = reports.build_report(session, selection=selection)
    if fmt == "webannotation":
        from provenance.export import webannotation

        return webannotation.render(data)
    if fmt == "claimreview":
        from provenance.export import claimreview

        assert organisation is not None and base_url is not None
        return claimreview.render(data, organisation=organisation, base_url=base_url)
    if fmt == "prov":
        from provenance.export import prov

        return prov.render(data, reports.load_events(session), fmt=prov_format)
    from provenance.export import csl

    return csl.render(data)
