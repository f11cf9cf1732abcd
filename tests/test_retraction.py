"""Sources are retracted, never deleted: ``source retract`` (and ``--undo``) with a reason, logged; claim show,
source show and list, the reports and the exports say that a source is retracted, and the exports stay valid."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from types import ModuleType

import click
import pytest
from conftest import REPO, Provenance, row_counts
from sqlalchemy import select
from sqlalchemy.orm import Session

from provenance import events
from provenance.cli import cli
from provenance.export import claimreview, csl, prov, webannotation
from provenance.models import Claim, ClaimStatus, Source, Verdict
from provenance.report import build_report, load_events
from provenance.retraction import retract_source, retraction_details

KEY_2018 = "india-north-korea-2018"
KEY_2020 = "india-medical-aid-2020"
REASON = "The publisher withdrew the article"
CONFORMANCE = REPO.parent / "shared" / "conformance"


@pytest.fixture
def retracted(seeded: Provenance) -> Provenance:
    """The demo corpus with the 2020 article retracted by anna."""
    result = seeded.ok("--as", "anna", "source", "retract", KEY_2020, "--reason", REASON)
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert result.stdout == f"{KEY_2020}\tretracted {today} by anna: {REASON}\n"
    assert (
        result.stderr == f"claim show, reports and exports now mark the 13 evidence quoting {KEY_2020} as retracted\n"
    )
    return seeded


def today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


# --- retracting -----------------------------------------------------------------------------------------------


def test_retracting_marks_the_source_and_logs_who_when_and_why(retracted: Provenance, session: Session) -> None:
    source = session.scalars(select(Source).where(Source.key == KEY_2020)).one()
    assert source.retracted_by == "anna" and source.retraction_reason == REASON
    assert source.retracted_at is not None
    assert dt.datetime.now(dt.UTC) - source.retracted_at < dt.timedelta(minutes=5)
    [event] = json.loads(retracted.ok("history", "--source", KEY_2020, "--limit", "1", "--json").stdout)
    assert (event["action"], event["actor"], event["reason"]) == ("source.retract", "anna", REASON)
    assert event["before"] == {"retracted_at": None, "retracted_by": None, "retraction_reason": None}
    assert event["after"] == {
        "retracted_at": source.retracted_at.isoformat(),
        "retracted_by": "anna",
        "retraction_reason": REASON,
    }
    # the passages and the evidence quoting them stay
    assert row_counts(retracted.url)["evidence"] == 23
    shown = retracted.ok("history", "--source", KEY_2020, "--limit", "1").stdout.splitlines()
    assert shown[1:] == [
        f"    retracted_at: - -> {source.retracted_at.isoformat()}",
        "    retracted_by: - -> anna",
        f"    retraction_reason: - -> {REASON}",
        f"    reason: {REASON}",
    ]


def test_retracting_twice_is_a_clear_error_and_changes_nothing(retracted: Provenance) -> None:
    line = retracted.fails("--as", "bea", "source", "retract", KEY_2020, "--reason", "again")
    assert line == (
        f"Error: source '{KEY_2020}' is already retracted ({today()} by anna: {REASON}); to take that back: "
        f'`provenance source retract {KEY_2020} --undo --reason "..."`'
    )


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_retracting_without_a_reason_is_refused(seeded: Provenance, reason: str | None) -> None:
    args = ("source", "retract", KEY_2020) + (() if reason is None else ("--reason", reason))
    assert seeded.fails(*args) == (
        f"Error: say why source '{KEY_2020}' is retracted, with --reason \"...\" (it goes into the audit log and "
        "every report quoting the source)"
    )


def test_retracting_an_unknown_source_is_refused(seeded: Provenance) -> None:
    line = seeded.fails("source", "retract", "nope", "--reason", REASON)
    assert line == "Error: no source 'nope'; `provenance source list` shows the keys"


def test_undo_reinstates_with_a_reason_and_keeps_both_in_the_history(retracted: Provenance) -> None:
    result = retracted.ok("--as", "bea", "source", "retract", KEY_2020, "--undo", "--reason", "Wrong source")
    assert result.stdout == f"{KEY_2020}\treinstated\n"
    record = json.loads(retracted.ok("source", "show", KEY_2020, "--json").stdout)
    assert record["retracted"] is None
    found = json.loads(retracted.ok("history", "--source", KEY_2020, "--limit", "2", "--json").stdout)
    assert [(e["action"], e["actor"], e["reason"]) for e in found] == [
        ("source.reinstate", "bea", "Wrong source"),
        ("source.retract", "anna", REASON),
    ]
    assert found[0]["after"] == {"retracted_at": None, "retracted_by": None, "retraction_reason": None}
    # it can be retracted again afterwards
    retracted.ok("source", "retract", KEY_2020, "--reason", "Withdrawn after all")


def test_undo_needs_a_retraction_and_a_reason(retracted: Provenance) -> None:
    assert retracted.fails("source", "retract", KEY_2018, "--undo", "--reason", "oops") == (
        f"Error: source '{KEY_2018}' is not retracted; there is no retraction to undo"
    )
    assert retracted.fails("source", "retract", KEY_2020, "--undo").startswith(
        f"Error: say why source '{KEY_2020}' is reinstated, with --reason"
    )


def test_retract_json_gives_the_source_with_its_retraction(seeded: Provenance) -> None:
    record = json.loads(seeded.ok("--as", "anna", "source", "retract", KEY_2018, "--reason", REASON, "--json").stdout)
    assert record["key"] == KEY_2018 and record["evidence"] == 10
    assert record["retracted"]["by"] == "anna" and record["retracted"]["reason"] == REASON
    assert record["retracted"]["at"].startswith(today())


def test_evidence_from_a_retracted_source_is_stored_with_a_warning(retracted: Provenance) -> None:
    retracted.ok("claim", "add", "aid", "India sent medicines to North Korea")
    result = retracted.ok("evidence", "add", "aid", KEY_2020, "--quote", "anti-tuberculosis", "--stance", "mentions")
    assert result.stdout.startswith(f"aid <- {KEY_2020} characters ")
    assert result.stderr == (
        f"Warning: source '{KEY_2020}' is retracted ({today()} by anna: {REASON}); claim show and reports mark "
        "this evidence\n"
        "computed likelihood of aid: unchanged, not assessed (this passage only mentions the claim, so it counts "
        "nothing)\n"
    )
    assert "SOURCE RETRACTED" in retracted.ok("claim", "show", "aid").stdout
    elsewhere = (
        "evidence",
        "add",
        "aid",
        KEY_2018,
        "--quote",
        "Pyongyang",
        "--stance",
        "mentions",
        "--occurrence",
        "1",
    )
    assert "Warning" not in retracted.ok(*elsewhere).stderr  # the source it quotes is not retracted


# --- nothing deletes claims or sources ------------------------------------------------------------------------


def _names(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        found.append((*path, name))
        if isinstance(command, click.Group):
            found += _names(command, (*path, name))
    return found


def test_no_command_deletes_a_claim_or_a_source() -> None:
    removing = {"delete", "remove", "rm", "drop", "purge", "erase", "destroy"}
    paths = _names(cli)
    assert ("source", "retract") in paths
    assert [p for p in paths if p[0] in ("claim", "source") and p[-1] in removing] == []
    assert [p for p in paths if len(p) == 1 and p[0] in removing] == []


def test_the_orm_refuses_to_delete_a_source(seeded: Provenance, session: Session) -> None:
    source = session.scalars(select(Source).where(Source.key == KEY_2020)).one()
    session.delete(source)
    with pytest.raises(events.KeptRecord, match="a source cannot be deleted: it is retracted instead"):
        session.flush()
    session.rollback()
    assert session.scalar(select(Source.id).where(Source.key == KEY_2020)) is not None


# --- what people read --------------------------------------------------------------------------------------


def test_claim_show_marks_evidence_whose_source_is_retracted(retracted: Provenance) -> None:
    shown = retracted.ok("claim", "show", "suntech-diversion").stdout.splitlines()
    marks = [line for line in shown if "RETRACTED" in line]
    assert marks == [f"      SOURCE RETRACTED {today()} by anna: {REASON}"]
    record = json.loads(retracted.ok("claim", "show", "suntech-diversion", "--json").stdout)
    [supporting] = record["supporting"]
    assert supporting["source"] == KEY_2020
    assert supporting["source_retracted"]["by"] == "anna" and supporting["source_retracted"]["reason"] == REASON
    other = json.loads(retracted.ok("claim", "show", "talks-may-be-called-off", "--json").stdout)
    assert [e["source_retracted"] for e in other["supporting"]] == [None]
    assert "RETRACTED" not in retracted.ok("claim", "show", "talks-may-be-called-off").stdout


def test_source_show_and_list_say_the_source_is_retracted(retracted: Provenance) -> None:
    shown = retracted.ok("source", "show", KEY_2020).stdout.splitlines()
    assert shown[:2] == [KEY_2020, f"  RETRACTED {today()} by anna: {REASON}"]
    assert "RETRACTED" not in retracted.ok("source", "show", KEY_2018).stdout

    listed = retracted.ok("source", "list").stdout.splitlines()
    assert listed[0].split() == ["key", "title", "published", "rel.", "paragraphs", "sentences", "retracted"]
    assert listed[2].split()[0] == KEY_2018 and listed[2].split()[-1] == "17"
    assert listed[3].split()[0] == KEY_2020 and listed[3].split()[-3:] == [today(), "by", "anna"]

    rows = {r["key"]: r["retracted"] for r in json.loads(retracted.ok("source", "list", "--json").stdout)}
    assert rows[KEY_2018] is None
    assert rows[KEY_2020]["by"] == "anna" and rows[KEY_2020]["reason"] == REASON


def test_without_retractions_source_list_has_no_retracted_column(seeded: Provenance) -> None:
    assert "retracted" not in seeded.ok("source", "list").stdout


def test_markdown_report_marks_each_quote_and_footnote_of_a_retracted_source(retracted: Provenance) -> None:
    report = retracted.ok("report", "--claim", "suntech-diversion").stdout
    mark = f"**Source retracted** {today()} by anna: {REASON}."
    assert report.count(mark) == 1
    paragraph = next(line for line in report.splitlines() if line.startswith(mark))
    assert "Attributed to New Delhi" in paragraph
    [note] = [line for line in report.splitlines() if line.startswith("[^1]:")]
    assert note.endswith(f"Retracted {today()} by anna: {REASON}.")

    whole = retracted.ok("report").stdout
    assert whole.count("**Source retracted**") == 13  # every quote of the 2020 article, none of the 2018 one


def test_html_report_marks_each_quote_and_note_of_a_retracted_source(retracted: Provenance) -> None:
    page = retracted.ok("report", "--format", "html", "--claim", "suntech-diversion").stdout
    assert f'<p class="retracted"><span class="label">Source retracted</span> {today()} by anna: {REASON}.</p>' in page
    assert f'; <span class="retracted">retracted {today()} by anna: {REASON}</span>.</span>' in page


def test_html_escapes_a_retraction_reason(seeded: Provenance) -> None:
    seeded.ok("--as", "<b>x</b>", "source", "retract", KEY_2020, "--reason", "<script>alert(1)</script>")
    page = seeded.ok("report", "--format", "html", "--claim", "suntech-diversion").stdout
    assert "<script>alert" not in page and "<b>x</b>" not in page
    assert "by &lt;b&gt;x&lt;/b&gt;: &lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_json_report_gives_the_retraction_of_sources_and_cited_evidence(retracted: Provenance) -> None:
    data = json.loads(retracted.ok("report", "--format", "json").stdout)
    sources = {s["key"]: s["retracted"] for s in data["sources"]}
    assert sources[KEY_2018] is None and sources[KEY_2020]["reason"] == REASON
    cited = [c for claim in data["claims"] for c in claim["supporting"] + claim["mentioning"]]
    assert {c["source"] for c in cited if c["source_retracted"]} == {KEY_2020}
    assert all(c["source_retracted"] is None for c in cited if c["source"] == KEY_2018)


def test_evidence_list_json_gives_the_source_retraction(retracted: Provenance) -> None:
    listed = json.loads(retracted.ok("evidence", "list", "--json").stdout)
    assert sum(1 for e in listed if e["source_retracted"] is not None) == 13
    assert all((e["source_retracted"] is not None) == (e["source"] == KEY_2020) for e in listed)


# --- exports ---------------------------------------------------------------------------------------------------


def test_csl_json_notes_the_retraction_and_stays_valid(retracted: Provenance, session: Session) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema_path = CONFORMANCE / "csl" / "csl-data.json"
    if not schema_path.is_file():
        pytest.skip(f"the CSL-JSON schema is not at {schema_path}")
    items = json.loads(csl.render(build_report(session)))
    validator = jsonschema.Draft7Validator(json.loads(schema_path.read_text(encoding="utf-8")))
    assert [e.message for e in validator.iter_errors(items)] == []
    notes = {item["id"]: item.get("note") for item in items}
    assert notes == {KEY_2018: None, KEY_2020: f"Retracted {today()} by anna: {REASON}"}
    # the references the report prints from these items do not change: neither style prints a note
    assert retracted.ok("export", "csl").stdout == csl.render(build_report(session))


@pytest.fixture(scope="module")
def checker() -> ModuleType:
    path = CONFORMANCE / "check_webannotation.py"
    if not path.is_file():
        pytest.skip(f"the W3C Web Annotation checker is not at {path}")
    for name in ("jsonschema", "rfc3987", "rfc3339_validator"):
        if importlib.util.find_spec(name) is None:
            pytest.skip(f"the W3C checker needs {name}")
    spec = importlib.util.spec_from_file_location("check_webannotation", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_web_annotations_comment_on_the_retraction_and_meet_every_must(
    retracted: Provenance, session: Session, checker: ModuleType
) -> None:
    data = json.loads(webannotation.render(build_report(session)))
    items = data["first"]["items"]
    assert [checker.failures(item) for item in items] == [[] for _ in items]
    comment = f"The source was retracted {today()} by anna: {REASON}"
    marked = [item for item in items if any(body["value"] == comment for body in item["body"])]
    assert len(marked) == 13
    assert all(body["purpose"] == "commenting" for item in marked for body in item["body"] if body["value"] == comment)
    assert all(item["target"]["source"].startswith("ni:///sha-256;") for item in marked)  # the 2020 article


def test_prov_gives_the_retraction_as_attributes_of_the_source(retracted: Provenance, session: Session) -> None:
    prov_model = pytest.importorskip("prov.model")
    report = build_report(session, ["suntech-diversion"])
    text = prov.render(report, load_events(session), fmt="json")
    document = prov_model.ProvDocument.deserialize(content=text, format="json")
    assert document == prov.build_document(report, load_events(session))
    [source] = [r for r in document.get_records() if str(r.identifier) == f"source:{KEY_2020}"]
    attributes = {str(name): str(value) for name, value in source.extra_attributes}
    assert attributes["provenance:retracted_by"] == "analyst:anna"
    assert attributes["provenance:retraction_reason"] == REASON
    assert attributes["provenance:retracted_at"].startswith(today())
    activities = [r for r in document.get_records() if r.get_type().localpart == "Activity"]
    assert "provenance:source.retract" in {
        str(value) for r in activities for name, value in r.extra_attributes if str(name) == "prov:type"
    }
    schema_path = CONFORMANCE / "prov" / "prov-json.schema.json"
    if schema_path.is_file():
        jsonschema = pytest.importorskip("jsonschema")
        validator = jsonschema.Draft4Validator(json.loads(schema_path.read_text(encoding="utf-8")))
        assert [e.message for e in validator.iter_errors(json.loads(text))] == []


def test_claimreview_gives_a_retracted_appearance_its_status(retracted: Provenance, session: Session) -> None:
    for claim in session.scalars(select(Claim).where(Claim.key.in_(["suntech-diversion", "talks-may-be-called-off"]))):
        claim.verdict = claim.verdict or Verdict.UNPROVEN
        claim.status = ClaimStatus.PUBLISHED
    session.commit()
    reviews = json.loads(
        claimreview.render(build_report(session), organisation="Desk", base_url="https://factcheck.example.org")
    )
    by_key = {r["url"].rsplit("/", 1)[1]: r for r in reviews}
    [appearance] = by_key["suntech-diversion"]["itemReviewed"]["appearance"]
    assert appearance["creativeWorkStatus"] == "Retracted"
    assert by_key["suntech-diversion"]["itemReviewed"]["firstAppearance"]["creativeWorkStatus"] == "Retracted"
    assert all("creativeWorkStatus" not in a for a in by_key["talks-may-be-called-off"]["itemReviewed"]["appearance"])


# --- the domain function ------------------------------------------------------------------------------------------


def test_retract_source_records_the_acting_name(seeded: Provenance, session: Session) -> None:
    with events.acting_as("carol"):
        source = retract_source(session, KEY_2018, reason="  Fabricated   quotes ")
    session.commit()
    assert (source.retracted_by, source.retraction_reason) == ("carol", "Fabricated quotes")
    assert retraction_details(source) == f"{today()} by carol: Fabricated quotes"
    assert source.key == KEY_2018
