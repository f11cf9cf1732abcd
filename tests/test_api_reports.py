"""The API's reports and exports are the very bytes `provenance report` and `provenance export` write for the same
choice of claims, with their media type and a file name; a format that is not one is the command's line."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import DeskApi, Provenance, row_counts

from provenance.cli import output
from provenance.export.html import PDF_NEEDS_WEASYPRINT
from provenance.web.api import reports

pytestmark = [
    # starlette's test client asks for httpx2 where the environment has httpx: a note about its future, once.
    pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`"),
    # WeasyPrint's note, once per process, that the system lacks HarfBuzz's subsetting library
    pytest.mark.filterwarnings("ignore:HarfBuzz-Subset will be required:DeprecationWarning"),
]

API = "/api/v1"
SUNTECH = "suntech-diversion"
VISIT = "singh-first-visit-in-two-decades"


def cli_bytes(seeded: Provenance, *args: str) -> bytes:
    return seeded.ok(*args).stdout_bytes


def cli_error(seeded: Provenance, *args: str) -> str:
    return seeded.fails(*args).removeprefix("Error: ")


def saved(response: Any, media_type: str, filename: str) -> bytes:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == media_type
    assert response.headers["content-disposition"] == f'attachment; filename="{filename}"'
    return bytes(response.content)


def test_the_formats_are_the_commands() -> None:
    assert reports.REPORT_FORMATS == output.REPORT_FORMATS
    assert reports.EXPORT_FORMATS == output.EXPORT_FORMATS
    assert set(reports.REPORT_TYPES) == set(output.REPORT_FORMATS)


def test_reports_are_the_bytes_report_writes(seeded_api: DeskApi, seeded: Provenance) -> None:
    for fmt, media_type, filename in [
        ("markdown", "text/markdown; charset=utf-8", "report.md"),
        ("html", "text/html; charset=utf-8", "report.html"),
        ("json", "application/json", "report.json"),
    ]:
        whole = seeded_api.get(f"{API}/reports", "viewer", params={"format": fmt})
        assert saved(whole, media_type, filename) == cli_bytes(seeded, "report", "--format", fmt)
    default = seeded_api.get(f"{API}/reports", "viewer")
    assert saved(default, "text/markdown; charset=utf-8", "report.md") == cli_bytes(seeded, "report")
    chosen = seeded_api.get(
        f"{API}/reports",
        params={"claim": [VISIT, SUNTECH], "style": "chicago-author-date", "title": "Two claims", "order": "status"},
    )
    expected = cli_bytes(
        seeded,
        "report",
        *("--claim", VISIT, "--claim", SUNTECH, "--style", "chicago-author-date", "--title", "Two claims"),
        *("--order", "status"),
    )
    assert saved(chosen, "text/markdown; charset=utf-8", "report.md") == expected
    assert expected.startswith(b"# Two claims\n") and b"suntech" in expected
    about = seeded_api.get(f"{API}/reports", params={"about": "China", "status": ["unstarted"], "format": "json"})
    assert saved(about, "application/json", "report.json") == cli_bytes(
        seeded, "report", "--about", "China", "--status", "unstarted", "--format", "json"
    )


def test_a_pdf_report_needs_the_pdf_extra(
    seeded_api: DeskApi, seeded: Provenance, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    try:
        importlib.import_module("weasyprint")
        pdf = saved(
            seeded_api.get(f"{API}/reports", params={"format": "pdf", "claim": SUNTECH}),
            "application/pdf",
            "report.pdf",
        )
        assert pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-64:]
    except (ImportError, OSError):
        pass
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as without the extra: importing it fails
    line = seeded_api.problem(seeded_api.get(f"{API}/reports", params={"format": "pdf"}), 422)
    assert line == PDF_NEEDS_WEASYPRINT == cli_error(seeded, "report", "--format", "pdf", "-o", str(tmp_path / "r.pdf"))


def test_bad_report_requests_are_the_commands_lines(seeded_api: DeskApi, seeded: Provenance) -> None:
    for params, args in [
        ({"format": "docx"}, ("--format", "docx")),
        ({"style": "mla"}, ("--style", "mla")),
        ({"order": "date"}, ("--order", "date")),
        ({"claim": "no-such-claim"}, ("--claim", "no-such-claim")),
        ({"since": "soon"}, ("--since", "soon")),
    ]:
        line = cli_error(seeded, "report", *args)
        status = 404 if "claim" in params else 422
        assert seeded_api.problem(seeded_api.get(f"{API}/reports", params=params), status) == line
    assert cli_error(seeded, "report", "--format", "docx") == (
        "unknown report format 'docx'; use one of: markdown, html, json, pdf"
    )
    assert seeded_api.problem(seeded_api.get(f"{API}/reports", None), 401).startswith("sign in first")


def test_exports_are_the_bytes_export_writes(seeded_api: DeskApi, seeded: Provenance) -> None:
    claimreview = ["--organisation", "The Desk", "--base-url", "https://factcheck.example.org"]
    for fmt, options, params, media_type, filename in [
        ("webannotation", [], {}, "application/ld+json", "annotations.jsonld"),
        (
            "claimreview",
            claimreview,
            {"organisation": "The Desk", "base_url": "https://factcheck.example.org"},
            "application/ld+json",
            "claimreview.jsonld",
        ),
        ("prov", [], {}, "application/json", "provenance.json"),
        (
            "prov",
            ["--prov-format", "provn"],
            {"prov_format": "provn"},
            "text/provenance-notation; charset=utf-8",
            "provenance.provn",
        ),
        (
            "prov",
            ["--prov-format", "turtle"],
            {"prov_format": "turtle"},
            "text/turtle; charset=utf-8",
            "provenance.ttl",
        ),
        ("csl", [], {}, "application/vnd.citationstyles.csl+json", "references.json"),
    ]:
        answer = seeded_api.get(f"{API}/exports/{fmt}", "viewer", params=params)
        assert saved(answer, media_type, filename) == cli_bytes(seeded, "export", fmt, *options), (fmt, params)
        one = seeded_api.get(f"{API}/exports/{fmt}", "viewer", params={**params, "claim": SUNTECH})
        assert saved(one, media_type, filename) == cli_bytes(seeded, "export", fmt, *options, "--claim", SUNTECH)


def test_a_bundle_needs_an_admin(seeded_api: DeskApi, seeded: Provenance) -> None:
    for who in ("editor", "admin"):  # each token's first use is logged: made before the bundles are compared
        assert seeded_api.get(f"{API}/sources", who).status_code == 200
    before = row_counts(seeded_api.url)
    line = seeded_api.problem(seeded_api.get(f"{API}/exports/bundle", "editor"), 403)
    assert line.startswith("editor is an editor and may not manage accounts: that needs the admin role")
    bundle = saved(seeded_api.get(f"{API}/exports/bundle", "admin"), "application/json", "bundle.json")
    assert bundle == cli_bytes(seeded, "export", "bundle") and b'"account"' in bundle
    selected = seeded_api.problem(seeded_api.get(f"{API}/exports/bundle", "admin", params={"claim": SUNTECH}), 422)
    assert selected == cli_error(seeded, "export", "bundle", "--claim", SUNTECH)
    assert row_counts(seeded_api.url) == before


def test_bad_export_requests_are_the_commands_lines(seeded_api: DeskApi, seeded: Provenance) -> None:
    unknown = seeded_api.problem(seeded_api.get(f"{API}/exports/rdfa"), 422)
    assert unknown == cli_error(seeded, "export", "rdfa")
    assert unknown == "unknown export format 'rdfa'; use one of: webannotation, claimreview, prov, csl, bundle"
    nameless = seeded_api.problem(seeded_api.get(f"{API}/exports/claimreview"), 422)
    assert nameless == cli_error(seeded, "export", "claimreview")
    prov_format = seeded_api.problem(seeded_api.get(f"{API}/exports/prov", params={"prov_format": "xml"}), 422)
    assert prov_format == cli_error(seeded, "export", "prov", "--prov-format", "xml")
    missing = seeded_api.problem(seeded_api.get(f"{API}/exports/csl", params={"claim": "no-such-claim"}), 404)
    assert missing == cli_error(seeded, "export", "csl", "--claim", "no-such-claim")
