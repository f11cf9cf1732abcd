"""What a new user reads: bounded numbers, short quotes, empty selections, search snippets and ranks on both
backends, history without database ids, counts in good English, statuses in words, and --prefix/--suffix
typed as the text looks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Provenance

from provenance.text import count

KEY_2018 = "india-north-korea-2018"
KEY_2020 = "india-medical-aid-2020"
SINGH = "singh-first-visit-in-two-decades"
HUGE = "99999999999999999999"


# --- numbers a database cannot hold ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("search", "korea", "--limit", HUGE), "'--limit'"),
        (("search", "korea", "--limit", "0"), "'--limit'"),
        (("history", "--limit", HUGE), "'--limit'"),
        (("history", "--limit", "-3"), "'--limit'"),
        (("suggest", SINGH, "--limit", HUGE), "'--limit'"),
        (("evidence", "confirm", HUGE, "--note", "checked"), "'EVIDENCE_ID'"),
        (
            ("evidence", "add", SINGH, KEY_2018, "--quote", "India", "--stance", "mentions", "--occurrence", HUGE),
            "'--occurrence'",
        ),
    ],
)
def test_a_number_out_of_range_is_one_usage_line(seeded: Provenance, args: tuple[str, ...], option: str) -> None:
    line = seeded.fails(*args, code=2)
    assert line.startswith(f"Error: Invalid value for {option}: ")
    assert "is not in the range 1<=x<=" in line


def test_a_suggestion_number_too_large_for_the_database_is_not_found(seeded: Provenance) -> None:
    assert seeded.fails("contradictions", "confirm", HUGE) == (
        f"Error: no suggestion {HUGE}; `provenance contradictions suggestions --status all` lists them"
    )
    assert seeded.fails("contradictions", "dismiss", "²", "--note", "x") == (
        "Error: '²' is not a suggestion number; `provenance contradictions suggestions` lists them"
    )


# --- short quotes --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("accept", [(), ("--accept-fuzzy",), ("--min-score", "10")])
def test_a_short_quote_not_in_the_source_shows_no_closest_text(seeded: Provenance, accept: tuple[str, ...]) -> None:
    line = seeded.fails("evidence", "add", SINGH, KEY_2018, "--quote", "Pompeo visitd", "--stance", "mentions", *accept)
    assert line.startswith(
        f"Error: quote not found in source '{KEY_2018}'; it is too short to be matched approximately (under 15 "
        "characters), so no closest text is shown"
    )
    assert "similarity" not in line and "closest text it has" not in line
    assert ("--accept-fuzzy and --min-score do not apply to it" in line) == bool(accept)
    assert line.endswith(": quote the source exactly, or quote more of it")


# --- empty selections --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ("claim", "list", "--about", "Libya", "--search", "zeppelin"),
            "No claim matches --about 'Libya' and --search 'zeppelin'.",
        ),
        (("claim", "list", "--search", "zeppelin"), "No claim matches --search 'zeppelin'."),
        (("evidence", "list", "--needs-review"), "No evidence matches --needs-review."),
        (("contradiction", "list", "--status", "dismissed"), "No contradiction matches --status 'dismissed'."),
        (("contradictions", "suggestions", "--status", "confirmed"), "No suggestion matches --status 'confirmed'."),
        (
            ("contradictions", "suggestions"),
            "No open suggestions: `provenance contradictions detect` suggests pairs of cited passages that disagree "
            "(--status all lists those decided too).",
        ),
        (("history", "--since", "2999-01-01"), "No event matches --since '2999-01-01'."),
        (("status", "--assignee", "Zed"), "No claim matches --assignee 'Zed'."),
    ],
)
def test_a_filter_that_matches_nothing_says_so(seeded: Provenance, args: tuple[str, ...], said: str) -> None:
    assert seeded.ok(*args).stdout == said + "\n"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("claim", "list"), "No claims recorded yet: `provenance claim add KEY STATEMENT` records one."),
        (
            ("evidence", "list"),
            "No evidence recorded yet: `provenance evidence add CLAIM SOURCE --quote WORDS --stance STANCE` links a "
            "claim to a passage.",
        ),
        (
            ("contradiction", "list"),
            "No contradictions recorded yet: `provenance contradiction add CLAIM_A CLAIM_B` records one.",
        ),
        (("history",), "No events recorded yet: every change a command makes is logged."),
    ],
)
def test_an_empty_desk_says_nothing_is_recorded_yet(provenance: Provenance, args: tuple[str, ...], said: str) -> None:
    assert provenance.ok(*args).stdout == said + "\n"


def test_a_report_whose_selection_matches_nothing_says_so(seeded: Provenance) -> None:
    markdown = seeded.ok("report", "--status", "published").stdout
    assert "No claims recorded yet." not in markdown
    assert "\nNo claim matches this report's selection (claims with status published).\n" in markdown
    html = seeded.ok("report", "--format", "html", "--about", "India", "--status", "in review").stdout
    assert (
        '<p class="none">No claim matches this report&#39;s selection (claims about India; with status in review).</p>'
    ) in html


def test_a_report_of_an_empty_desk_says_nothing_is_recorded_yet(provenance: Provenance) -> None:
    assert "\nNo claims recorded yet.\n" in provenance.ok("report").stdout


# --- search on both backends --------------------------------------------------------------------------------


def test_a_snippet_cut_short_says_so_with_an_ellipsis(seeded: Provenance) -> None:
    [hit] = json.loads(seeded.ok("search", "Suntech", "--json").stdout)
    assert len(hit["text"].split()) == 45
    assert "**Suntech**" in hit["snippet"]
    assert hit["snippet"].endswith("…")
    assert hit["snippet"].replace("**", "").strip("…") in hit["text"]
    whole = json.loads(seeded.ok("search", "revive", "--json").stdout)
    assert [h["snippet"] for h in whole] == ["India looks to **revive** ties with North Korea"] * 2


def test_sentences_of_different_relevance_rank_apart(seeded: Provenance) -> None:
    hits = json.loads(seeded.ok("search", "india", "--json").stdout)
    ranks = [h["rank"] for h in hits]
    assert ranks == sorted(ranks, reverse=True)
    assert len(set(ranks)) >= 5
    # the shortest sentences holding the word once rank first (as bm25 has them on SQLite)
    assert [h["text"] for h in hits[:2]] == ["India looks to revive ties with North Korea"] * 2
    assert hits[2]["rank"] < hits[0]["rank"]


# --- history names what people know ---------------------------------------------------------------------------


def test_history_shows_no_database_ids(seeded: Provenance) -> None:
    seeded.ok("review", SINGH, "--status", "in progress")
    seeded.ok("contradictions", "detect")
    shown = seeded.ok("history", SINGH, "--limit", "1000").stdout
    assert "evidence_id" not in shown and "passage_ids" not in shown and "claim_ids" not in shown
    assert "evidence 1" not in shown
    assert f"evidence.add  claim {SINGH}, evidence quoting {KEY_2018} characters " in shown
    assert "    status: unstarted -> in progress" in shown
    assert f"    + claims: {SINGH}, {SINGH}" in shown
    assert f"    + passages: {KEY_2018} characters 993–1085, {KEY_2020} characters " in shown
    recorded = json.loads(seeded.ok("history", SINGH, "--json", "--limit", "1000").stdout)
    evidence = [e for e in recorded if e["action"] == "evidence.add"]
    assert evidence and all(isinstance(e["after"]["evidence_id"], int) for e in evidence)  # --json keeps the row
    review = next(e for e in recorded if e["action"] == "claim.review")
    assert review["after"]["status"] == "in_progress"  # --json keeps its stable values


def test_a_contradiction_in_history_names_its_passages(seeded: Provenance) -> None:
    seeded.ok("contradictions", "detect")
    [suggestion] = json.loads(seeded.ok("contradictions", "suggestions", "--json").stdout)
    seeded.ok("contradictions", "dismiss", str(suggestion["id"]), "--note", "the same visit")
    shown = seeded.ok("history", "--limit", "3").stdout
    assert f"suggestion.dismiss  suggestion {suggestion['id']}" in shown
    assert "status: open -> dismissed" in shown


# --- counts and statuses in words ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "noun", "plural", "said"),
    [
        (1, "paragraph", None, "1 paragraph"),
        (0, "paragraph", None, "0 paragraphs"),
        (2, "sentence", None, "2 sentences"),
        (1_500, "claim", None, "1,500 claims"),
        (1, "piece of evidence", "pieces of evidence", "1 piece of evidence"),
        (3, "piece of evidence", "pieces of evidence", "3 pieces of evidence"),
    ],
)
def test_count_says_one_thing_or_several(number: int, noun: str, plural: str | None, said: str) -> None:
    assert count(number, noun, plural) == said


def test_one_paragraph_is_not_one_paragraphs(provenance: Provenance, tmp_path: Path) -> None:
    article = tmp_path / "short.txt"
    article.write_text("Title: Short\n\nOne sentence only.\n", encoding="utf-8")
    assert provenance.ok("source", "add", str(article)).stdout == "short\tadded (1 paragraph, 1 sentence)\n"


def test_detect_counts_its_suggestions_in_words(seeded: Provenance) -> None:
    assert "1 new suggestion; 1 open in all" in seeded.ok("contradictions", "detect").stderr
    assert "0 new suggestions; 1 open in all" in seeded.ok("contradictions", "detect").stderr


def test_statuses_are_written_in_words_wherever_people_read_them(seeded: Provenance) -> None:
    for command in (("review", "--help"), ("claim", "withdraw", "--help")):
        shown = seeded.ok(*command).stdout
        assert "in_progress" not in shown and "in_review" not in shown
    seeded.ok("claim", "withdraw", SINGH, "--reason", "a duplicate")
    line = seeded.fails("claim", "assign", SINGH, "--to", "Ana")
    assert f"`provenance review {SINGH} --status 'in progress' --note WHY`" in line
    assert seeded.ok("review", SINGH, "--status", "in progress", "--note", "back").stdout.startswith(
        f"{SINGH}\twithdrawn -> in progress;"
    )
    board = json.loads(seeded.ok("status", "--json").stdout)
    assert {s["status"] for s in board["statuses"]} >= {"in_progress", "in_review"}  # --json keeps its values


# --- --prefix and --suffix as the text looks -----------------------------------------------------------------


@pytest.mark.parametrize(
    "context",
    [("--prefix", "North Korea "), ("--prefix", "ties with North Korea"), ("--suffix", " with North Korea The")],
)
def test_prefix_and_suffix_match_across_line_breaks(seeded: Provenance, context: tuple[str, str]) -> None:
    """The title is repeated as the first line: the second "India looks to revive ties" follows a blank line,
    which people see as a space."""
    quote = "India looks to revive ties"
    assert "occurs 2 times" in seeded.fails(
        "evidence", "add", SINGH, KEY_2018, "--quote", quote, "--stance", "mentions"
    )
    # both occurrences are followed by the same words: a suffix needs a prefix beside it
    args = (*context, "--prefix", "North Korea") if context[0] == "--suffix" else context
    added = seeded.ok("evidence", "add", SINGH, KEY_2018, "--quote", quote, "--stance", "mentions", *args, "--json")
    record = json.loads(added.stdout)
    assert (record["passage"]["char_start"], record["anchor_method"]) == (45, "exact_context")


def test_a_prefix_that_is_not_there_is_still_refused(seeded: Provenance) -> None:
    line = seeded.fails(
        "evidence", "add", SINGH, KEY_2018, "--quote", "India looks to revive ties", "--stance", "mentions",
        "--prefix", "South Korea",
    )  # fmt: skip
    assert "never with that prefix/suffix around it" in line
