"""`provenance report` and `provenance export` from the command line: formats, selection and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Provenance

ORG = ("--organisation", "Desk", "--base-url", "https://factcheck.example.org")


@pytest.mark.parametrize(
    ("args", "starts"),
    [
        (("report",), "# Cited report\n"),
        (("report", "--format", "html"), "<!DOCTYPE html>"),
        (("report", "--format", "json"), "{"),
        (("export", "webannotation"), "{"),
        (("export", "prov"), "{"),
        (("export", "prov", "--prov-format", "provn"), "document"),
        (("export", "csl"), "["),
        (("export", "bundle"), "{"),
        (("export", "claimreview", *ORG), "["),
    ],
)
def test_each_format_prints_only_its_document(seeded: Provenance, args: tuple[str, ...], starts: str) -> None:
    result = seeded.ok(*args)
    assert result.stdout.startswith(starts)
    if starts in "{[":
        json.loads(result.stdout)


def test_selection_narrows_the_report_and_exports(seeded: Provenance) -> None:
    data = json.loads(seeded.ok("report", "--format", "json", "--about", "Pakistan", "--status", "unstarted").stdout)
    keys = [c["key"] for c in data["claims"]]
    assert "suntech-diversion" in keys and "india-medical-aid-2020" not in keys
    annotations = json.loads(seeded.ok("export", "webannotation", "--claim", "suntech-diversion").stdout)
    assert annotations["total"] == 1
    assert json.loads(seeded.ok("report", "--format", "json", "--since", "2999-01-01").stdout)["claims"] == []


def test_reports_group_by_entity_or_status(seeded: Provenance) -> None:
    by_status = seeded.ok("report", "--order", "status").stdout
    assert "\n## Unstarted\n\n### dprk-denuclearisation-willingness\n" in by_status
    by_entity = seeded.ok("report", "--order", "entity", "--about", "Suntech").stdout
    assert "\n## China\n\n### suntech-diversion\n" in by_entity


def test_an_empty_database_exports_valid_empty_documents(provenance: Provenance) -> None:
    assert json.loads(provenance.ok("export", "csl").stdout) == []
    assert json.loads(provenance.ok("export", "claimreview", *ORG).stdout) == []
    assert json.loads(provenance.ok("export", "webannotation").stdout)["total"] == 0
    assert json.loads(provenance.ok("report", "--format", "json").stdout)["claims"] == []


def test_outputs_are_written_whole_to_files(seeded: Provenance, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    result = seeded.ok("report", "--format", "html", "--style", "chicago-author-date", "-o", str(target))
    assert result.stdout == "" and "report written to" in result.stderr
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Fisher, Isabel. 2018." in html
    assert target.stat().st_mode & 0o044  # readable by others, like any file the user writes


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("report", "--format", "docx"), "unknown report format 'docx'; use one of: markdown, html, json, pdf"),
        (("report", "--style", "mla"), "unknown citation style 'mla'; use one of: apa, chicago-author-date"),
        (("report", "--order", "date"), "unknown order 'date'; use one of: key, entity, status"),
        (("report", "--status", "done"), "unknown status 'done'"),
        (("report", "--since", "someday"), "cannot read the date 'someday'"),
        (("report", "--claim", "nope"), "no claim 'nope'"),
        (("report", "--about", "Narnia"), "no entity 'Narnia'"),
        (("report", "-o", "/nonexistent/folder/r.md"), "folder /nonexistent/folder does not exist"),
        (("export", "docx"), "unknown export format 'docx'; use one of: webannotation, claimreview, prov, csl, bundle"),
        (("export", "claimreview"), "ClaimReview needs --organisation NAME and --base-url URL"),
        (("export", "claimreview", "--organisation", "Desk", "--base-url", "factcheck"), "absolute http(s) URL"),
        (("export", "bundle", "--claim", "suntech-diversion"), "a bundle holds the whole database"),
        (("export", "prov", "--prov-format", "xml"), "json, provn, turtle"),
        (("report", "--format", "pdf"), "write it to a file with --output"),
    ],
)
def test_bad_report_and_export_requests_fail_in_one_line(
    seeded: Provenance, args: tuple[str, ...], message: str
) -> None:
    if args == ("report", "--format", "pdf"):
        pytest.importorskip("weasyprint", reason="PDF output needs the pdf extra")
    assert message in seeded.fails(*args)


def test_a_bundle_moves_a_database_to_another(seeded: Provenance, tmp_path: Path) -> None:
    bundle = tmp_path / "desk.json"
    seeded.ok("export", "bundle", "-o", str(bundle))
    target = Provenance(f"sqlite:///{tmp_path / 'copy.db'}")
    target.ok("init")
    imported = target.ok("import", str(bundle))
    assert imported.stdout.startswith(f"imported bundle {bundle}: 12 claims, 2 sources")
    assert target.ok("report").stdout == seeded.ok("report").stdout
    assert "import a bundle into an empty database" in target.fails("import", str(bundle))
