"""Evidence whose quote is not in its source exactly, as an analyst meets it at the command line: refused with the
closest text shown, stored only when accepted and then marked for review (in `claim show`, `evidence list` and
every report) until `evidence confirm` clears it in the audit log; quotes with left-out words; credibility."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import Provenance, row_counts
from sqlalchemy import select

from provenance import db
from provenance.models import Event

KEY_2018 = "india-north-korea-2018"
KEY_2020 = "india-medical-aid-2020"
CLAIM = "aid-and-diversion"
REAL = "India on Friday extended medical assistance worth $ 1 million to North Korea"
TYPO = REAL.replace("assistance", "assistence")
CURLY_SOURCE = "New Delhi\u2019s envoy to Pyongyang"  # the source's apostrophe is curly
STRAIGHT_QUOTE = "New Delhi's envoy to Pyongyang"
SUNTECH_PARTS = ("certain nuclear materials supplied to Pakistan Atomic Energy Commission", "were being diverted")
OMISSION_QUOTE = " ... ".join(SUNTECH_PARTS)
OMITTED = " by the Suntech Technology Company Limited of China in the recent years "


@pytest.fixture
def desk(seeded: Provenance) -> Provenance:
    """The demo corpus and one more claim, with no evidence yet."""
    seeded.ok("claim", "add", CLAIM, "India sent medical aid while Pakistan's nuclear materials reached North Korea")
    return seeded


def add(desk: Provenance, quote: str, *options: str, source: str = KEY_2020) -> tuple[str, ...]:
    return ("evidence", "add", CLAIM, source, "--quote", quote, "--stance", "supports", *options)


def shown(desk: Provenance) -> dict[str, Any]:
    record: dict[str, Any] = json.loads(desk.ok("claim", "show", CLAIM, "--json").stdout)
    return record


def events(desk: Provenance, action: str) -> list[Event]:
    engine = db.make_engine(desk.url)
    try:
        with db.session_scope(engine) as session:
            return list(session.scalars(select(Event).where(Event.action == action).order_by(Event.id)))
    finally:
        engine.dispose()


# --- refused until accepted ---------------------------------------------------------------------------------


def test_a_typo_is_refused_showing_the_candidate_its_place_and_score(desk: Provenance) -> None:
    line = desk.fails(*add(desk, TYPO))
    assert line == (
        f"Error: quote not found in source '{KEY_2020}'; the closest text it has (similarity 98.7/100, characters "
        f"0-76) is: {REAL!r}; quote the source exactly, or add --accept-fuzzy to store that text marked for review"
    )


def test_accept_fuzzy_stores_the_source_text_marked_for_review(desk: Provenance) -> None:
    before = row_counts(desk.url)
    result = desk.ok(*add(desk, TYPO, "--accept-fuzzy", "--json"))
    record = json.loads(result.stdout)
    assert (record["anchor_method"], record["anchor_score"], record["needs_review"]) == ("fuzzy", 98.7, True)
    assert record["quote"] == TYPO
    assert (record["passage"]["char_start"], record["passage"]["char_end"], record["passage"]["text"]) == (0, 76, REAL)
    assert result.stderr == (
        f"accepted a fuzzy match 98.7/100 for the quote {TYPO!r}: the source has {REAL!r}; evidence "
        f"{record['evidence_id']} needs review (`provenance evidence confirm {record['evidence_id']} --note "
        "WHAT_YOU_CHECKED`)\n"
        "computed likelihood of aid-and-diversion: unchanged, not assessed (this passage has no likelihood, so it "
        "counts nothing)\n"
    )
    after = row_counts(desk.url)
    assert after["evidence"] == before["evidence"] + 1 and after["event"] == before["event"] + 1

    [cited] = shown(desk)["supporting"]
    assert (cited["anchor_method"], cited["anchor_score"], cited["needs_review"]) == ("fuzzy", 98.7, True)
    assert cited["passage"]["text"] == REAL and cited["quote"] == TYPO
    [logged] = [e for e in events(desk, "evidence.add") if e.subject_key == CLAIM]
    assert logged.after is not None
    assert (logged.after["anchor_method"], logged.after["anchor_score"], logged.after["needs_review"]) == (
        "fuzzy",
        98.7,
        True,
    )


def test_plain_output_says_the_evidence_needs_review(desk: Provenance) -> None:
    out = desk.ok(*add(desk, TYPO, "--min-score", "95")).stdout
    assert out == f"{CLAIM} <- {KEY_2020} characters 0–76 (quote, supports, needs review: fuzzy match 98.7/100)\n"


def test_min_score_above_the_candidates_score_is_refused_with_the_score_that_would_accept_it(
    desk: Provenance,
) -> None:
    line = desk.fails(*add(desk, TYPO, "--min-score", "99"))
    assert line.endswith(
        f"is: {REAL!r}, below the 99/100 accepted; quote the source exactly, or accept it with --min-score 98"
    )
    desk.ok(*add(desk, TYPO, "--min-score", "98"))


@pytest.mark.parametrize("score", ["-1", "100.01", "nan"])
def test_min_score_outside_0_to_100_is_refused(desk: Provenance, score: str) -> None:
    line = desk.fails(*add(desk, TYPO, "--min-score", score))
    assert line.startswith(f"Error: --min-score {score} is out of range; give a similarity from 0 to 100")


def test_min_score_that_is_not_a_number_is_a_usage_error(desk: Provenance) -> None:
    line = desk.fails(*add(desk, TYPO, "--min-score", "high"), code=2)
    assert "'high' is not a valid float" in line


@pytest.mark.parametrize("option", [("--accept-fuzzy",), ("--min-score", "0")])
def test_text_sharing_nothing_with_the_source_has_nothing_to_accept(desk: Provenance, option: tuple[str, ...]) -> None:
    line = desk.fails(*add(desk, "Bananas grow in tropical climates all around the world", *option))
    assert line.startswith(
        f"Error: quote not found in source '{KEY_2020}'; nothing in it comes close: the closest text"
    )
    assert "below the 60/100 a candidate needs; there is nothing to accept with --accept-fuzzy;" in line


def test_a_curly_apostrophe_is_not_exact_but_is_found_and_accepted_as_fuzzy(desk: Provenance) -> None:
    line = desk.fails(*add(desk, STRAIGHT_QUOTE))
    assert "(the same words with other quotation marks or spacing; similarity 96.7/100, characters 697-727)" in line
    assert f"is: {CURLY_SOURCE!r}; quote the source exactly, or add --accept-fuzzy" in line
    record = json.loads(desk.ok(*add(desk, STRAIGHT_QUOTE, "--accept-fuzzy", "--json")).stdout)
    assert (record["passage"]["text"], record["anchor_method"], record["needs_review"]) == (CURLY_SOURCE, "fuzzy", True)
    # the source's exact characters need no review
    desk.ok("evidence", "add", "suntech-diversion", KEY_2020, "--quote", CURLY_SOURCE, "--stance", "mentions")


def test_an_exact_quote_ignores_accept_fuzzy(desk: Provenance) -> None:
    record = json.loads(desk.ok(*add(desk, REAL, "--accept-fuzzy", "--json")).stdout)
    assert (record["anchor_method"], record["anchor_score"], record["needs_review"]) == ("exact", None, False)


# --- visible until confirmed -----------------------------------------------------------------------------


@pytest.fixture
def flagged(desk: Provenance) -> int:
    """The id of a fuzzy match accepted for CLAIM."""
    evidence_id: int = json.loads(desk.ok(*add(desk, TYPO, "--accept-fuzzy", "--json")).stdout)["evidence_id"]
    return evidence_id


def test_claim_show_flags_the_evidence_and_says_how_to_confirm_it(desk: Provenance, flagged: int) -> None:
    out = desk.ok("claim", "show", CLAIM).stdout
    lines = out.splitlines()
    assert f"  - {KEY_2020}, paragraph 1, characters 0–76 (fuzzy match 98.7/100)" in lines
    assert f"      “{REAL}”" in lines
    flat = " ".join(out.split())
    assert (
        f"NEEDS REVIEW: fuzzy match 98.7/100; the quote as entered: “{TYPO}”; once checked: "
        f"`provenance evidence confirm {flagged} --note WHAT_YOU_CHECKED`"
    ) in flat


def test_evidence_list_needs_review_lists_only_what_needs_review(desk: Provenance, flagged: int) -> None:
    everything = json.loads(desk.ok("evidence", "list", "--json").stdout)
    assert len(everything) == 24  # the demo's 23 and this one
    [record] = json.loads(desk.ok("evidence", "list", "--needs-review", "--json").stdout)
    assert (record["evidence_id"], record["claim"], record["source"]) == (flagged, CLAIM, KEY_2020)
    assert (record["anchor_method"], record["anchor_score"], record["needs_review"]) == ("fuzzy", 98.7, True)
    table = desk.ok("evidence", "list", "--needs-review").stdout.splitlines()
    assert table[0].split() == ["id", "claim", "source", "characters", "stance", "anchored", "review", "quote"]
    assert table[2].split()[:8] == [str(flagged), CLAIM, KEY_2020, "0–76", "supports", "fuzzy", "match", "98.7/100"]
    assert "needs review" in table[2]
    assert (
        json.loads(desk.ok("evidence", "list", "--claim", "suntech-diversion", "--needs-review", "--json").stdout) == []
    )
    assert desk.fails("evidence", "list", "--claim", "no-such-claim") == (
        "Error: no claim 'no-such-claim'; `provenance claim list` shows the keys"
    )


@pytest.mark.parametrize("report_format", ["markdown", "html"])
def test_reports_show_that_the_evidence_needs_review(desk: Provenance, flagged: int, report_format: str) -> None:
    report = desk.ok("report", "--claim", CLAIM, "--format", report_format).stdout
    if report_format == "markdown":
        assert f"**Needs review:** fuzzy match 98.7/100; quoted as “{TYPO}”." in report
    else:
        assert (
            '<p class="needs-review"><span class="label">Needs review:</span> fuzzy match 98.7/100; '
            f"quoted as “{TYPO}”.</p>"
        ) in report


def test_confirm_clears_the_flag_and_logs_who_before_after_and_why(
    desk: Provenance, flagged: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROVENANCE_USER", "second-reader")
    note = "Checked against the article: the quote misspelt 'assistance'"
    assert (
        desk.ok("evidence", "confirm", str(flagged), "--note", note).stdout
        == f"evidence {flagged} of {CLAIM}: reviewed\n"
    )
    [logged] = events(desk, "evidence.confirm")
    assert (logged.actor, logged.subject_type, logged.subject_key, logged.reason) == (
        "second-reader",
        "claim",
        CLAIM,
        note,
    )
    state = {
        "evidence_id": flagged,
        "source": KEY_2020,
        "char_start": 0,
        "char_end": 76,
        "anchor_method": "fuzzy",
        "anchor_score": 98.7,
    }
    assert logged.before == {**state, "needs_review": True}
    assert logged.after == {**state, "needs_review": False}

    [cited] = shown(desk)["supporting"]
    assert (cited["anchor_method"], cited["needs_review"]) == ("fuzzy", False)
    out = desk.ok("claim", "show", CLAIM).stdout
    assert "NEEDS REVIEW" not in out and f"reviewed; the quote as entered: “{TYPO}”" in " ".join(out.split())
    assert json.loads(desk.ok("evidence", "list", "--needs-review", "--json").stdout) == []
    assert "Needs review" not in desk.ok("report", "--claim", CLAIM).stdout


def test_confirm_refuses_what_there_is_nothing_to_confirm(desk: Provenance, flagged: int) -> None:
    assert desk.fails("evidence", "confirm", "9999", "--note", "x").startswith("Error: no evidence 9999; ")
    assert desk.fails("evidence", "confirm", str(flagged), "--note", "  ") == (
        "Error: say what you checked with --note, e.g. --note 'same words; the quote had curly quotes'"
    )
    assert "Missing option '--note'" in desk.fails("evidence", "confirm", str(flagged), code=2)
    assert "is not a valid integer" in desk.fails("evidence", "confirm", "first", "--note", "x", code=2)
    desk.ok("evidence", "confirm", str(flagged), "--note", "checked")
    assert desk.fails("evidence", "confirm", str(flagged), "--note", "again") == (
        f"Error: evidence {flagged} (fuzzy match) was reviewed already; nothing to confirm"
    )
    exact = json.loads(desk.ok(*add(desk, SUNTECH_PARTS[0], "--json")).stdout)["evidence_id"]
    assert desk.fails("evidence", "confirm", str(exact), "--note", "x") == (
        f"Error: evidence {exact} (exact match) does not need review; nothing to confirm"
    )


# --- quotes with left-out words ---------------------------------------------------------------------------


def test_a_quote_with_left_out_words_cites_the_whole_span_and_shows_the_analysts_words(desk: Provenance) -> None:
    record = json.loads(desk.ok(*add(desk, OMISSION_QUOTE, "--json")).stdout)
    assert (record["anchor_method"], record["needs_review"], record["quote"]) == (
        "exact_omission",
        False,
        OMISSION_QUOTE,
    )
    passage = record["passage"]
    assert passage["text"] == SUNTECH_PARTS[0] + OMITTED + SUNTECH_PARTS[1]
    assert (passage["char_start"], passage["char_end"], passage["paragraph_no"]) == (2843, 3005, 9)

    quoted = " … ".join(SUNTECH_PARTS)
    shown_lines = desk.ok("claim", "show", CLAIM).stdout
    assert f"  - {KEY_2020}, paragraph 9, characters 2843–3005 (exact omission match)" in shown_lines.splitlines()
    assert f"“{quoted}”" in " ".join(shown_lines.split())

    markdown = desk.ok("report", "--claim", CLAIM).stdout
    assert f"> {quoted}[^1]\n\n“…” marks words left out of the quote.\n" in markdown
    assert "characters 2843–3005" in markdown and OMITTED.strip() not in markdown

    html = desk.ok("report", "--claim", CLAIM, "--format", "html").stdout
    assert (
        f'<mark data-source="{KEY_2020}" data-start="2843" data-end="3005" data-note="note-1">{SUNTECH_PARTS[0]}'
        f'<span class="omitted">{OMITTED}</span>{SUNTECH_PARTS[1]}</mark>'
    ) in html
    assert f'<span class="label">Quoted with words left out:</span> “{quoted}”</p>' in html


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        (
            "certain nuclear materials supplied ... were being diverted to Pakistan",
            "Error: part 2 of the quote, 'were being diverted to Pakistan', is not in source",
        ),
        ("were being diverted ... certain nuclear materials", "but never in this order;"),
        ("India on Friday ... in violation of the sanctions", "only further apart than one paragraph and 1,000"),
    ],
    ids=["part-missing", "out-of-order", "different-paragraphs"],
)
def test_a_quote_with_left_out_words_that_does_not_fit_is_refused(desk: Provenance, quote: str, expected: str) -> None:
    assert expected in desk.fails(*add(desk, quote, "--accept-fuzzy"))


def test_an_ellipsis_at_the_start_only_anchors_the_words(desk: Provenance) -> None:
    record = json.loads(desk.ok(*add(desk, "... were being diverted to North Korea", "--json")).stdout)
    assert (record["anchor_method"], record["passage"]["text"]) == ("exact", "were being diverted to North Korea")


def test_several_places_for_a_quote_with_left_out_words_are_told_apart_like_occurrences(desk: Provenance) -> None:
    quote = "North Korea ... India"
    line = desk.fails(*add(desk, quote, source=KEY_2018))
    assert line.startswith(
        f"Error: the quote with its left-out words occurs 3 times in source '{KEY_2018}': 1) at 163-306: "
    )
    assert "; 2) at 628-744: " in line and "; 3) at 1523-1566: " in line
    assert line.endswith("choose one with --occurrence N, or --prefix/--suffix")
    record = json.loads(desk.ok(*add(desk, quote, "--occurrence", "2", "--json", source=KEY_2018)).stdout)
    assert record["anchor_method"] == "exact_omission"
    passage = record["passage"]
    assert (passage["char_start"], passage["char_end"]) == (628, 744)
    assert passage["text"].startswith("North Korea") and passage["text"].endswith("India")


# --- credibility -------------------------------------------------------------------------------------------


def test_credibility_is_stored_and_shown(desk: Provenance) -> None:
    record = json.loads(desk.ok(*add(desk, REAL, "--credibility", "2", "--json")).stdout)
    assert record["credibility"] == 2
    assert shown(desk)["supporting"][0]["credibility"] == 2
    assert "      credibility: 2 (probably true)" in desk.ok("claim", "show", CLAIM).stdout.splitlines()
    assert json.loads(desk.ok("evidence", "list", "--claim", CLAIM, "--json").stdout)[0]["credibility"] == 2


def test_credibility_not_given_is_none(desk: Provenance) -> None:
    desk.ok(*add(desk, REAL))
    assert shown(desk)["supporting"][0]["credibility"] is None
    assert "credibility:" not in desk.ok("claim", "show", CLAIM).stdout


@pytest.mark.parametrize("value", ["0", "7", "-1", "B", "likely"])
def test_credibility_off_the_scale_is_refused_naming_the_scale(desk: Provenance, value: str) -> None:
    assert desk.fails(*add(desk, REAL, "--credibility", value)) == (
        f"Error: unknown credibility {value!r}; use a number on the Admiralty scale: 1 (confirmed by other sources), "
        "2 (probably true), 3 (possibly true), 4 (doubtful), 5 (improbable), 6 (truth cannot be judged)"
    )
