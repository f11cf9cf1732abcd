"""Hostile text: terminal escapes and control characters are removed from what users give and never printed,
NUL is refused with one line, and the quantity reader never stops on any text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Provenance
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from provenance import db, events
from provenance.disagreement import compare
from provenance.errors import Invalid
from provenance.models import Claim, Entity, Evidence, Source
from provenance.quantities import quantities
from provenance.text import printable, user_text

OSC_TITLE = "\x1b]0;pwned\x07"
HOSTILE = f"Ships {OSC_TITLE}sailed \x1b[31min\x1b[0m May\x07 \x9b2J2019\u202e, \x85said\ttwice\x7f"
CLEANED = "Ships sailed in May 2019, said twice"
SINGH = "singh-first-visit-in-two-decades"
AID = "india-medical-aid-2020"


def has_control(text: str) -> bool:
    """Whether ``text`` holds a character a terminal would act on (line feeds and tabs lay output out)."""
    return any(
        (ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F or 0x202A <= ord(c) <= 0x202E for c in text
    )


# --- the rules ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_text", "kept"),
    [
        (HOSTILE, CLEANED),
        ("window title \x1b]2;title\x1b\\ gone", "window title gone"),
        ("a hyperlink \x1b]8;;http://x.example\x1b\\text\x1b]8;;\x1b\\ stays text", "a hyperlink text stays text"),
        ("colour \x1b[1;31;48;5;200mred", "colour red"),
        ("a lone ESC\x1b", "a lone ESC"),
        ("bell\x07 and backspace\x08", "bell and backspace"),
        ("two\nlines\r\nand\ta tab", "two lines and a tab"),
        ("form\ffeed and\vvertical tab", "form feed and vertical tab"),
        ("isolates \u2066left\u2069 and \u202bembedding\u202c", "isolates left and embedding"),
        ("Arabic mark \u061c and RLM \u200f stay", "Arabic mark \u061c and RLM \u200f stay"),
        ("noncharacter \ufffe and \U0001ffff", "noncharacter and"),
        ("Zürich – “quoted” 😀", "Zürich – “quoted” 😀"),
    ],
)
def test_user_text_removes_escapes_and_controls_and_folds_whitespace(given_text: str, kept: str) -> None:
    assert user_text(given_text, "statement") == kept


def test_a_quote_keeps_its_line_breaks_and_spacing_but_loses_controls() -> None:
    assert user_text("  two\nlines \x1b[1mbold\x1b[0m\t ", "quote", fold=False) == "  two\nlines bold\t "


@pytest.mark.parametrize("field", ["statement", "note", "alias"])
def test_a_nul_character_is_refused_naming_the_field(field: str) -> None:
    with pytest.raises(Invalid) as raised:
        user_text("before\x00after", field)
    assert str(raised.value) == (
        f"the {field} contains a NUL character (\\x00, at character 7); NUL characters are not allowed in text: "
        "remove it"
    )


def test_printable_escapes_every_control_character_and_keeps_layout() -> None:
    assert printable(f"title {OSC_TITLE}\x9b\u202e\n\tnext") == "title \\x1b]0;pwned\\x07\\x9b\\u202e\n\tnext"
    assert printable("plain text, “quoted”") == "plain text, “quoted”"


@given(st.text())
def test_user_text_never_leaves_a_control_character_or_nul(text: str) -> None:
    try:
        cleaned = user_text(text, "statement")
    except Invalid:
        assert "\x00" in text
        return
    assert not has_control(cleaned) and "\x00" not in cleaned and "\n" not in cleaned
    assert cleaned == cleaned.strip()


@given(st.text())
def test_printable_never_prints_a_control_character(text: str) -> None:
    assert not has_control(printable(text))


# --- what users give is stored clean --------------------------------------------------------------------


def test_a_statement_note_and_entity_name_are_stored_without_escapes(provenance: Provenance) -> None:
    provenance.ok("init")
    provenance.ok(
        "claim",
        "add",
        "hostile",
        HOSTILE,
        "--about",
        f"North {OSC_TITLE}Korea",
        "--confidence",
        "likely",
        "--confidence-note",
        f"why\x1b[2J {OSC_TITLE}not",
    )
    shown = provenance.ok("claim", "show", "hostile", "--json").stdout
    detail = json.loads(shown)
    assert detail["statement"] == CLEANED
    assert detail["about"] == ["North Korea"]
    assert detail["confidence_note"] == "why not"
    people = provenance.ok("claim", "show", "hostile").stdout
    assert f"  {CLEANED}\n" in people and not has_control(people)
    history = provenance.ok("history", "hostile").stdout
    assert f"+ statement: {CLEANED}" in history and not has_control(history)


def test_evidence_alias_and_notes_are_stored_without_escapes(seeded: Provenance) -> None:
    seeded.ok(
        "evidence",
        "add",
        SINGH,
        AID,
        "--quote",
        "\x1b[1mIndia\x1b[0m",
        "--occurrence",
        "1",
        "--stance",
        "mentions",
        "--attributed-to",
        f"the {OSC_TITLE}ministry",
        "--note",
        "said\x07 so",
    )
    seeded.ok("entity", "alias", "North Korea", f"D{OSC_TITLE}PRK", "--reason", "\x9b31mthe same")
    seeded.ok("contradiction", "add", SINGH, AID, "--note", f"{OSC_TITLE}disagree")
    engine = db.make_engine(seeded.url)
    try:
        with Session(engine) as session:
            evidence = session.scalars(select(Evidence).order_by(Evidence.id.desc())).first()
            assert evidence is not None
            assert (evidence.quote, evidence.attributed_to, evidence.note) == ("India", "the ministry", "said so")
            aliases = json.loads(seeded.ok("entity", "show", "North Korea", "--json").stdout)["aliases"]
            assert "DPRK" in aliases
    finally:
        engine.dispose()
    listed = json.loads(seeded.ok("contradiction", "list", "--json").stdout)
    assert "disagree" in [c["note"] for c in listed]
    assert not has_control(seeded.ok("history", "--limit", "10").stdout)


# --- text already in the database is never printed raw ----------------------------------------------------


def test_control_characters_already_stored_are_escaped_when_printed(seeded: Provenance) -> None:
    """Rows written before these rules, or by SQL, are shown with their control characters escaped."""
    engine = db.make_engine(seeded.url)
    try:
        with Session(engine) as session, session.begin():
            session.execute(update(Claim).where(Claim.key == SINGH).values(statement=f"Singh {OSC_TITLE}visited"))
            session.execute(update(Entity).where(Entity.name == "North Korea").values(name="North \x1b[2JKorea\u202e"))
            events.record(session, "claim.note", "claim", SINGH, after={"note": f"by SQL {OSC_TITLE}"}, reason="\x9b")
    finally:
        engine.dispose()
    outputs = {
        "claim show": seeded.ok("claim", "show", SINGH).stdout,
        "claim list": seeded.ok("claim", "list").stdout,
        "history": seeded.ok("history", SINGH).stdout,
        "entity list": seeded.ok("entity", "list").stdout,
        "entity show": seeded.ok("entity", "show", "North Korea").stdout,
        "status": seeded.ok("status").stdout,
    }
    for command, output in outputs.items():
        assert not has_control(output), command
    assert "Singh \\x1b]0;pwned\\x07visited" in outputs["claim show"]
    assert "by SQL \\x1b]0;pwned\\x07" in outputs["history"]


# --- NUL is refused everywhere text is given ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("claim", "add", "nul", "A\x00B"), "statement"),
        (("claim", "add", "nul", "AB", "--about", "North\x00Korea"), "entity name"),
        (("claim", "add", "nul", "AB", "--confidence", "likely", "--confidence-note", "x\x00"), "confidence note"),
        (("claim", "confidence", SINGH, "likely", "--reason", "\x00"), "reason"),
        (("evidence", "add", SINGH, AID, "--quote", "In\x00dia", "--stance", "mentions"), "quote"),
        (("evidence", "add", SINGH, AID, "--quote", "India", "--stance", "mentions", "--note", "\x00"), "note"),
        (("evidence", "add", SINGH, AID, "--quote", "India", "--stance", "mentions", "--prefix", "\x00"), "prefix"),
        (
            ("evidence", "add", SINGH, AID, "--quote", "India", "--stance", "mentions", "--attributed-to", "\x00"),
            "attribution",
        ),
        (("entity", "alias", "North Korea", "DP\x00RK"), "alias"),
        (("entity", "alias", "North Korea", "DPRK", "--reason", "\x00"), "reason"),
        (("entity", "merge", "India", "Pakistan", "--reason", "one\x00"), "reason"),
        (("contradiction", "add", SINGH, AID, "--note", "\x00"), "note"),
        (("source", "retract", AID, "--reason", "\x00"), "reason"),
        (("source", "rate", AID, "B", "--note", "\x00"), "note"),
        (("claim", "assign", SINGH, "--to", "ana\x00"), "assignee"),
        (("review", SINGH, "--status", "in progress", "--note", "\x00"), "note"),
        (("claim", "withdraw", SINGH, "--reason", "\x00"), "reason"),
        (("--as", "Ana\x00", "claim", "assign", SINGH, "--to", "Bo"), "name given to --as"),
    ],
)
def test_a_nul_character_is_refused_with_one_line_naming_the_field(
    seeded: Provenance, args: tuple[str, ...], field: str
) -> None:
    line = seeded.fails(*args)
    assert line.startswith(f"Error: the {field} contains a NUL character"), line
    assert line.endswith("NUL characters are not allowed in text: remove it")


def test_a_claims_file_with_a_nul_character_is_refused_and_loads_nothing(
    provenance: Provenance, tmp_path: Path
) -> None:
    provenance.ok("init")
    claims_file = tmp_path / "claims.yaml"
    claims_file.write_text('claims:\n  - key: nul\n    statement: "A\\0B"\n', encoding="utf-8")
    line = provenance.fails("import", str(claims_file))
    assert "the statement contains a NUL character" in line


# --- quantities are read from any text ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown", "days"),
    [
        ("the war lasted over a century", "over a century", (36525, float("inf"))),
        ("two centuries of trade", "two centuries", (73050, 73050)),
        ("half a decade later", "half a decade", (1826, 1826)),
        ("a fortnight of talks", "a fortnight", (14, 14)),
        ("almost a fortnight", "almost a fortnight", (11.2, 14)),
        ("over two millennia", "over two millennia", (730500, float("inf"))),
        ("a millennium ago", "a millennium", (365250, 365250)),
        ("for a dozen years", "a dozen years", (4383, 4383)),
    ],
)
def test_long_and_short_spans_of_time_are_read_as_durations(text: str, shown: str, days: tuple[float, float]) -> None:
    [found] = quantities(text)
    assert (found.kind, found.text) == ("duration", shown)
    assert (found.allowed[0].low, found.allowed[0].high) == pytest.approx(days)


def test_a_number_too_large_for_a_float_is_read_without_stopping() -> None:
    [found] = quantities("1" * 400 + " days")
    assert found.allowed[0].low == float("inf")


@settings(max_examples=300)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=20),
            st.sampled_from(
                "over a century,half a decade,a dozen,millennia,a fortnight,centuries,1,000,1.5 bn,twenty-five,"
                "mid-1990s,March 21 1994,2019-02-30,$,€,%,per cent,almost,more than,from,to,and,-,–,the 1590s,"
                "999999999999999999999999,0.0,several,a few,a couple of,Rs.,US$,crore,lakh".split(",")
            ),
        ),
        max_size=12,
    ).map(" ".join)
)
def test_reading_quantities_never_raises_on_any_text(text: str) -> None:
    for found in quantities(text):
        assert found.start <= found.end
        assert found.allowed or found.kind == "ignored"


_PHRASES = st.sampled_from(
    [
        *"India,not,never,over a century,half a decade,a dozen ships,two centuries,0 days,more than 0 days,0%,"
        "under 0 ships,almost,about,before,in 2019,from 2011 to 2016,$ 1.5 bn,mid-1990s".split(","),
        "9" * 400 + " days",
        "almost " + "9" * 400 + " days",
    ]
)


@settings(max_examples=300)
@given(*[st.lists(st.one_of(st.text(max_size=8), _PHRASES), max_size=8).map(" ".join)] * 2)
def test_comparing_two_statements_never_raises(a: str, b: str) -> None:
    for finding in compare(a, b):
        assert 0 <= finding.score <= 1 and finding.reason


def test_more_than_nothing_against_nothing_is_a_disagreement_not_a_division_by_zero() -> None:
    [finding] = compare("They waited more than 0 days", "They waited 0 days")
    assert finding.reason == "more than 0 days against 0 days"


def test_detect_and_suggest_read_passages_that_say_over_a_century(seeded: Provenance, tmp_path: Path) -> None:
    article = tmp_path / "century.txt"
    article.write_text(
        "Title: Old ties\n\nThe two countries have traded for over a century, officials said.\n\n"
        "The two countries have traded for half a decade, a report said.\n",
        encoding="utf-8",
    )
    seeded.ok("source", "add", str(article))
    seeded.ok("claim", "add", "old-ties", "The two countries have traded for a long time", "--about", "India")
    for quote in ("traded for over a century", "traded for half a decade"):
        seeded.ok("evidence", "add", "old-ties", "century", "--quote", quote, "--stance", "supports")
    found = json.loads(seeded.ok("contradictions", "detect", "--json").stdout)
    reasons = {s["reason"] for s in found}
    assert "over a century against half a decade" in reasons
    assert "almost two decades against two decades" in reasons  # the rest of the database is still read
    suggested = json.loads(seeded.ok("suggest", "old-ties", "--json").stdout)
    assert suggested


def test_an_error_line_never_prints_a_control_character_already_stored(seeded: Provenance) -> None:
    """An error naming what the database holds ("claims are about: ...") escapes what it quotes."""
    engine = db.make_engine(seeded.url)
    try:
        with Session(engine) as session, session.begin():
            session.execute(update(Entity).where(Entity.name == "North Korea").values(name=f"North {OSC_TITLE}Korea"))
    finally:
        engine.dispose()
    line = seeded.fails("claim", "list", "--about", "Atlantis")
    assert "North \\x1b]0;pwned\\x07Korea" in line and not has_control(line)


def test_a_source_shown_escapes_control_characters_already_stored(seeded: Provenance) -> None:
    engine = db.make_engine(seeded.url)
    try:
        with Session(engine) as session, session.begin():
            session.execute(update(Source).where(Source.key == AID).values(title=f"Aid {OSC_TITLE}title"))
    finally:
        engine.dispose()
    shown = seeded.ok("source", "show", AID).stdout
    assert "Aid \\x1b]0;pwned\\x07title" in shown and not has_control(shown)


def test_the_name_given_to_as_is_stored_without_escapes(seeded: Provenance) -> None:
    seeded.ok("--as", f"Ana {OSC_TITLE}Lima", "claim", "assign", SINGH, "--to", "Bo")
    [event] = json.loads(seeded.ok("history", SINGH, "--limit", "1", "--json").stdout)
    assert event["actor"] == "Ana Lima"


def test_metadata_given_for_a_source_is_stored_without_escapes(provenance: Provenance, tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text("One sentence of news.\n", encoding="utf-8")
    provenance.ok(
        "source", "add", str(article), "--title", f"The {OSC_TITLE}title", "--author", "A\x07B",
        "--reliability", "B", "--reliability-note", "\x1b[1mknown\x1b[0m desk",
    )  # fmt: skip
    shown = json.loads(provenance.ok("source", "show", "article", "--json").stdout)
    assert (shown["title"], shown["author"], shown["reliability_note"]) == ("The title", "AB", "known desk")


def test_a_nul_character_in_source_metadata_is_refused(provenance: Provenance, tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text("One sentence of news.\n", encoding="utf-8")
    line = provenance.fails("source", "add", str(article), "--title", "T\x00")
    assert line.startswith("Error: ") and "the title contains a NUL character" in line


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("claim", "show", "a\x00b"), "Error: no claim 'a\\x00b'; `provenance claim list` shows the keys"),
        (("source", "show", "a\x00b"), "Error: no source 'a\\x00b'; `provenance source list` shows the keys"),
        (("history", "--claim", "a\x00b"), "Error: no claim 'a\\x00b'; `provenance claim list` shows the keys"),
        (
            ("history", "a\x00b"),
            "Error: no claim or source 'a\\x00b'; `provenance claim list` shows the keys (`provenance source list` "
            "those of sources)",
        ),
    ],
)
def test_a_key_with_a_nul_character_is_not_found(seeded: Provenance, args: tuple[str, ...], said: str) -> None:
    assert seeded.fails(*args) == said


def test_a_claims_file_naming_a_key_with_a_nul_character_is_refused(seeded: Provenance, tmp_path: Path) -> None:
    claims_file = tmp_path / "claims.yaml"
    claims_file.write_text(
        f'claims:\n  - key: okay\n    statement: "fine"\ncontradictions:\n  - claims: [okay, "{SINGH}\\0"]\n',
        encoding="utf-8",
    )
    assert "no claim" in seeded.fails("import", str(claims_file))
