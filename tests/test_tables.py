"""Tables fit the terminal: long cells wrap within their column, nothing is cut, user text is printed as it is."""

from __future__ import annotations

import re

import pytest
from conftest import Provenance
from rich.cells import cell_len

from provenance.export.tables import output_width, table

LONG = (
    "The ministry said on Tuesday that the shipment of [bold]centrifuge parts[/bold] reached the port of Nampo in "
    "March after passing through Dalian, according to customs records seen by reporters, and that nobody was charged"
)


def _words(text: str) -> list[str]:
    return text.split()


def _widest(output: str) -> int:
    return max(cell_len(line) for line in output.splitlines())


# --- the table itself ---------------------------------------------------------------------------------------


def test_rows_that_fit_are_one_line_each_under_an_underlined_header() -> None:
    shown = table(["key", "status"], [("a-claim", "unstarted"), ("b", None)], width=80)
    assert shown.splitlines() == [
        "key      status",
        "-------- ---------",
        "a-claim  unstarted",
        "b",
    ]


def test_a_long_cell_wraps_at_spaces_within_the_width_keeping_every_word_in_order() -> None:
    shown = table(["key", "statement"], [("khan-trade-2003", LONG)], width=60)
    lines = shown.splitlines()
    assert _widest(shown) <= 60
    assert len(lines) > 3
    assert all(line.startswith("khan-trade-2003  ") or line.startswith(" " * 17) for line in lines[2:])
    assert _words(" ".join(line[17:] for line in lines[2:])) == _words(LONG)


def test_the_widest_column_gives_way_first_and_keys_stay_whole() -> None:
    rows = [("dprk-denuclearisation-willingness", "unstarted", LONG)]
    shown = table(["key", "status", "statement"], rows, width=80)
    assert _widest(shown) <= 80
    assert shown.splitlines()[2].startswith("dprk-denuclearisation-willingness  unstarted  The ministry")


def test_rows_whose_longest_words_do_not_fit_side_by_side_are_shown_as_records() -> None:
    rows = [
        ("dprk-denuclearisation-willingness", "unstarted", "roughly even chance (50 %)", LONG),
        ("b", "", None, "x"),
    ]
    shown = table(["key", "status", "likelihood", "statement"], rows, width=60)
    assert _widest(shown) <= 60
    first, second = shown.split("\n\n")
    lines = first.splitlines()
    assert lines[:3] == [
        "key         dprk-denuclearisation-willingness",
        "status      unstarted",
        "likelihood  roughly even chance (50 %)",
    ]
    assert lines[3].startswith("statement   The ministry said")
    assert all(line.startswith(" " * 12) for line in lines[4:])
    assert _words(" ".join(line[12:] for line in lines[3:])) == _words(LONG)
    assert second.splitlines() == ["key         b", "status", "likelihood", "statement   x"]


def test_a_word_longer_than_a_record_has_room_for_is_folded_not_cut() -> None:
    key = "a-very-long-claim-key-that-cannot-fit-beside-anything-else-in-forty-columns"
    shown = table(["key", "statement"], [(key, "short words here")], width=40)
    assert _widest(shown) <= 40
    lines = shown.splitlines()
    assert "".join(line[11:] for line in lines[:-1]) == key
    assert lines[-1] == "statement  short words here"


def test_without_a_width_nothing_wraps() -> None:
    shown = table(["key", "statement"], [("k", LONG)], width=None)
    assert shown.splitlines()[2] == f"k    {LONG}"


def test_markup_is_printed_as_it_is_and_control_characters_escaped() -> None:
    shown = table(["statement"], [("[red]alarm[/red] :smile: \x1b]0;title\x07 done",)], width=100)
    assert "[red]alarm[/red] :smile:" in shown
    assert "\x1b" not in shown and "\x07" not in shown
    assert "\\x1b]0;title\\x07 done" in shown


def test_wide_characters_count_as_the_columns_they_take() -> None:
    statement = "北朝鮮の外相は 朝鮮半島の非核化を 推進する用意があると 述べた " * 3
    shown = table(["key", "statement"], [("nk", statement)], width=40)
    assert _widest(shown) <= 40
    assert "".join(shown.split()).endswith("".join(statement.split()))


def test_an_indented_table_fits_with_its_indent() -> None:
    shown = table(["key", "statement"], [("k", LONG)], width=50, indent=2)
    assert _widest(shown) <= 50
    assert all(line.startswith("  ") for line in shown.splitlines())


def test_the_width_is_columns_when_set_and_none_when_output_is_not_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "72")
    assert output_width() == 72
    monkeypatch.delenv("COLUMNS")
    assert output_width() is None  # pytest captures stdout: not a terminal


# --- every table the command line prints ------------------------------------------------------------------


@pytest.fixture
def long_claim(seeded: Provenance) -> Provenance:
    seeded.ok("claim", "add", "nampo-shipment", LONG, "--about", "North Korea", "--about", "Dalian customs office")
    seeded.ok(
        "evidence",
        "add",
        "nampo-shipment",
        "india-north-korea-2018",
        "--quote",
        "India had said that its trade with North Korea was in any case",
        "--stance",
        "mentions",
        "--note",
        LONG,
    )
    seeded.ok("contradiction", "add", "nampo-shipment", "suntech-diversion", "--kind", "direct", "--note", LONG)
    seeded.ok("contradictions", "detect")  # a suggestion, shown side by side
    return seeded


TABLES = [
    ["claim", "list"],
    ["source", "list"],
    ["source", "history", "india-north-korea-2018"],
    ["evidence", "list"],
    ["entity", "list"],
    ["entity", "show", "North Korea"],
    ["contradiction", "list"],
    ["status"],
    ["desk", "show"],
    ["claim", "show", "nampo-shipment", "--explain"],
    ["claim", "show", "suntech-diversion", "--explain"],
    ["contradictions", "suggestions", "--status", "all"],
    ["suggest", "suntech-diversion"],
]


@pytest.mark.parametrize("command", TABLES, ids=" ".join)
def test_at_80_columns_every_line_fits(
    long_claim: Provenance, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    shown = long_claim.ok(*command).stdout
    assert shown.strip()
    too_wide = [line for line in shown.splitlines() if cell_len(line) > 80]
    assert too_wide == []


@pytest.mark.parametrize("columns", ["80", "120"])
def test_claim_list_shows_every_word_of_a_long_statement_literally(
    long_claim: Provenance, monkeypatch: pytest.MonkeyPatch, columns: str
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    shown = long_claim.ok("claim", "list").stdout
    assert "[bold]centrifuge" in shown
    words = shown.split()
    position = 0
    for word in _words(LONG):  # each word of the statement, in order (other columns' words may come between)
        position = words.index(word, position) + 1


def test_piped_without_columns_each_claim_is_one_whole_line(
    long_claim: Provenance, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    lines = long_claim.ok("claim", "list").stdout.splitlines()
    (row,) = [line for line in lines if line.startswith("nampo-shipment ")]
    assert row.endswith(LONG)
    assert len(lines) == 2 + len(long_claim.ok("claim", "list", "--json").stdout.split('"key"')) - 1


def test_contradiction_list_and_evidence_list_keep_the_whole_note_and_quote(
    long_claim: Provenance, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    listed = long_claim.ok("contradiction", "list").stdout
    assert _words(LONG)[-1] in listed and "…" not in listed
    monkeypatch.delenv("COLUMNS")
    evidence = long_claim.ok("evidence", "list", "--claim", "nampo-shipment").stdout
    assert "India had said that its trade with North Korea was in any case" in evidence
    assert not re.search(r"…", evidence)
