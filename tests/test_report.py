"""The cited report: every quoted passage is exactly the source's text at the range its footnote cites."""

from __future__ import annotations

import datetime as dt
import gc
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import Provenance
from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from provenance.claims import add_claim, add_evidence
from provenance.cli import cli
from provenance.documents import document_from_text
from provenance.export.markdown import escape, render, unescape
from provenance.models import Evidence, Source
from provenance.report import build_report, bulk
from provenance.sources import add_source

_FOOTNOTE = re.compile(r"^\[\^(\d+)\]: .*Source `([^`]+)`, paragraph \d+(?:, sentence \d+)?, characters (\d+)–(\d+);")


def quoted_passages(report: str) -> list[tuple[str, int]]:
    """Each block quote's text (unescaped, lines joined by newlines) and its footnote number."""
    quotes: list[tuple[str, int]] = []
    block: list[str] = []
    for line in [*report.split("\n"), ""]:
        if line.startswith(">"):
            block.append(line[2:] if line.startswith("> ") else line[1:])
            continue
        if block:
            match = re.search(r"\[\^(\d+)\]$", block[-1])
            assert match, f"block quote without a footnote: {block!r}"
            block[-1] = block[-1][: match.start()]
            quotes.append((unescape("\n".join(block)), int(match.group(1))))
            block = []
    return quotes


def footnotes(report: str) -> dict[int, tuple[str, int, int]]:
    found = {}
    for line in report.split("\n"):
        match = _FOOTNOTE.match(line)
        if match:
            found[int(match.group(1))] = (match.group(2), int(match.group(3)), int(match.group(4)))
    return found


def assert_every_quote_is_exact(report: str, texts: dict[str, str]) -> int:
    quotes = quoted_passages(report)
    notes = footnotes(report)
    assert quotes, "the report quotes nothing"
    for quote, number in quotes:
        key, start, end = notes[number]
        assert texts[key][start:end] == quote, f"footnote {number}: {quote!r}"
    return len(quotes)


def _texts(session: Session) -> dict[str, str]:
    return {s.key: s.text for s in session.scalars(select(Source))}


def test_every_quote_in_the_demo_report_is_the_source_text_at_its_cited_range(
    seeded: Provenance, session: Session
) -> None:
    report = seeded.ok("report").stdout
    count = assert_every_quote_is_exact(report, _texts(session))
    assert count >= 20
    assert "## suntech-diversion" in report and "## singh-first-visit-in-two-decades" in report


def test_the_report_shows_status_likelihood_attribution_and_contradictions(seeded: Provenance) -> None:
    report = seeded.ok("report", "--claim", "dprk-denuclearisation-willingness").stdout
    assert "**Status:** unstarted; no verdict yet" in report
    assert "**Likelihood:** roughly even chance (50 %)" in report
    section = report.split("### Contradicting statements", 1)[1]
    assert "North Korean officers reportedly claiming the talks may be called off" in section
    assert "Conflicts with claim **talks-may-be-called-off** (open)" in section
    assert "## suntech-diversion" not in report


def test_footnotes_cite_title_author_date_and_range(seeded: Provenance) -> None:
    report = seeded.ok("report", "--claim", "singh-first-visit-in-two-decades").stdout
    assert re.search(
        r"\[\^\d+\]: Fisher, I\. \(2018, May 17\)\. India looks to revive ties with North Korea\. "
        r"Source `india-north-korea-2018`, paragraph \d+(?:, sentence \d+)?, characters \d+–\d+; "
        r"source reliability F \(reliability cannot be judged\)\.",
        report,
    )
    # the 2020 article has no title or byline: none is invented, its opening words stand in the title's place
    assert (
        "[untitled; begins “India on Friday extended medical assistance worth $ 1 million…”]. (2020, July 25). "
        "Source `india-medical-aid-2020`, paragraph"
    ) in unescape(report)


def test_a_passage_cited_twice_gets_one_footnote(seeded: Provenance) -> None:
    report = seeded.ok("report").stdout
    numbers = [n for _, n in quoted_passages(report)]
    assert sorted(set(numbers)) == list(range(1, len(set(numbers)) + 1))
    assert len(footnotes(report)) == len(set(numbers))


def test_source_text_that_looks_like_markup_is_quoted_exactly(session: Session) -> None:
    text = (
        "Officials said *nothing* about [the deal] <b>today</b> & left.\n\n"
        "1998. That year # changed _everything_ | for `them` \\ again.\n\n- Not a list item."
    )
    source = add_source(session, document_from_text(text, name="odd", origin="odd.txt"), key="odd").source
    add_claim(session, "odd", "Something was said")
    add_evidence(session, "odd", "odd", text.split("\n\n")[0], stance="supports")
    add_evidence(session, "odd", "odd", text.split("\n\n", 1)[1], stance="mentions")
    report = render(build_report(session))
    assert "<b>" not in report and "*nothing*" not in report
    assert assert_every_quote_is_exact(report, {"odd": source.text}) == 2


def test_escape_round_trips() -> None:
    for text in ["a *b* [c](d) <e> & #f", "1. one\n- two\n+ three", "\\ back`tick`"]:
        assert unescape(escape(text)) == text


def test_an_empty_database_gives_an_empty_report(provenance: Provenance) -> None:
    report = provenance.ok("report").stdout
    assert report.startswith("# Cited report\n\n0 claims, 0 quoted passages from 0 sources.")
    assert "No claims recorded yet." in report


def test_report_output_writes_the_file(seeded: Provenance, tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    result = seeded.ok("report", "--output", str(target))
    assert result.stdout == ""
    assert target.read_text(encoding="utf-8") == seeded.ok("report").stdout


def test_the_demo_builds_the_same_report_twice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    first = runner.invoke(cli, ["demo"], catch_exceptions=False)
    second = runner.invoke(cli, ["demo"], catch_exceptions=False)
    assert first.exit_code == second.exit_code == 0
    assert first.stdout == second.stdout
    assert first.stdout.startswith("# Cited report: India and North Korea (demo)")
    assert (tmp_path / "provenance-demo.db").is_file()
    assert not list(tmp_path.glob("*.building*"))
    claims = runner.invoke(cli, ["--db", "provenance-demo.db", "claim", "list", "--json"], catch_exceptions=False)
    assert claims.exit_code == 0 and "suntech-diversion" in claims.stdout


def _count_statements(engine: Engine, session: Session) -> int:
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        render(build_report(session))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_the_report_runs_the_same_number_of_queries_for_3_or_30_claims(engine: Engine, session: Session) -> None:
    text = " ".join(f"Statement number {n} was made." for n in range(40))
    add_source(session, document_from_text(text, name="t", origin="t.txt"), key="t")
    counts = []
    for total in (3, 30):
        for n in range(total):
            key = f"c{total}-{n}"
            add_claim(session, key, f"Claim {n}", about=[f"Entity {n % 4}"])
            add_evidence(session, key, "t", f"Statement number {n} was made.", stance="supports", confidence=0.7)
        session.flush()
        session.expunge_all()
        counts.append(_count_statements(engine, session))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("enabled", [True, False])
def test_the_garbage_collector_is_left_as_it_was(enabled: bool) -> None:
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        frozen = gc.get_freeze_count()
        with bulk():
            assert not gc.isenabled()
            garbage = [[n] for n in range(1000)]
        assert gc.isenabled() is enabled
        assert gc.get_freeze_count() == frozen
        assert len(garbage) == 1000
    finally:
        (gc.enable if was else gc.disable)()


def test_evidence_times_in_a_report_are_the_models_in_utc(seeded: Provenance, session: Session) -> None:
    stored = {e.id: e.created_at for e in session.scalars(select(Evidence))}
    cited = [c.evidence for entry in build_report(session).claims for c in entry.cited]
    assert cited and {e.id: e.created_at for e in cited} == stored
    assert all(e.created_at.utcoffset() == dt.timedelta(0) for e in cited)
