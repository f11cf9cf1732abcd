"""`provenance reanchor OLD NEW`: evidence carried from one version of a source to the next, exactly, by a close
match marked for review, or not at all (left where it was, and said so); every move logged; unrelated sources,
unknown keys and the same key twice refused with nothing written; offered by `source add` and shown by `claim show`
and the reports while evidence rests on a superseded version."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import Provenance, row_counts
from sqlalchemy import select

from provenance import db
from provenance.models import Event, Evidence

FRIDAY = "India sent medical aid worth one million dollars to North Korea on Friday."
MEDICINES = "The consignment held anti-tuberculosis medicines for the national programme."
REQUEST = "The ministry said the shipment followed a request from Pyongyang."
SANCTIONS = "Sanctions do not cover medical supplies, a spokesperson added."
EARLIER = "Earlier, India had sent food aid worth one million dollars in 2011."
MILLION = "worth one million dollars"
OMISSION = "India sent medical aid ... on Friday"

VERSION_1 = f"Title: Aid\n\n{FRIDAY} {MEDICINES}\n\n{REQUEST} {SANCTIONS}\n\n{EARLIER}\n"
VERSION_2 = (
    "Title: Aid\n\nUpdated on Saturday with the ministry's statement.\n\n"
    f"{FRIDAY} {MEDICINES.replace('medicines', 'medicine')}\n\n{REQUEST}\n\n{EARLIER}\n"
)


def text_of(version: str) -> str:
    """The stored text of a version: the header line is metadata."""
    return version.removeprefix("Title: Aid\n\n").rstrip("\n")


@pytest.fixture
def article(tmp_path: Path) -> Path:
    return tmp_path / "aid.txt"


@pytest.fixture
def desk(provenance: Provenance, article: Path) -> Provenance:
    """Version 1 of the article with five pieces of evidence for one claim and one for another."""
    article.write_text(VERSION_1, encoding="utf-8")
    provenance.ok("source", "add", str(article))
    provenance.ok("claim", "add", "aid", "India sent medical aid to North Korea")
    provenance.ok("claim", "add", "request", "North Korea asked for the aid")
    for quote, *options in [
        (FRIDAY,),
        (MEDICINES, "--confidence", "likely"),
        (SANCTIONS, "--note", "the spokesperson's words"),
        (MILLION, "--occurrence", "2"),
        (OMISSION,),
    ]:
        provenance.ok("evidence", "add", "aid", "aid", "--quote", quote, "--stance", "supports", *options)
    provenance.ok("evidence", "add", "request", "aid", "--quote", REQUEST, "--stance", "supports")
    return provenance


def new_version(desk: Provenance, article: Path, text: str = VERSION_2) -> Any:
    article.write_text(text, encoding="utf-8")
    return desk.ok("source", "add", str(article))


def evidence_of(desk: Provenance, claim: str) -> list[dict[str, Any]]:
    record = json.loads(desk.ok("claim", "show", claim, "--json").stdout)
    cited: list[dict[str, Any]] = record["supporting"]
    return sorted(cited, key=lambda c: c["evidence_id"])


def events(url: str, action: str) -> list[Event]:
    engine = db.make_engine(url)
    try:
        with db.session_scope(engine) as session:
            return list(session.scalars(select(Event).where(Event.action == action).order_by(Event.id)))
    finally:
        engine.dispose()


# --- moving -------------------------------------------------------------------------------------------


def test_each_piece_moves_exactly_for_review_or_not_at_all_and_is_listed(desk: Provenance, article: Path) -> None:
    new_version(desk, article)
    before = {c["evidence_id"]: c for c in evidence_of(desk, "aid")}
    friday, medicines, sanctions, million, omission = sorted(before)
    [request] = [c["evidence_id"] for c in evidence_of(desk, "request")]
    result = desk.ok("reanchor", "aid", "aid@2")
    new_text, old_text = text_of(VERSION_2), text_of(VERSION_1)

    def span(text: str, quote: str, start: int = 0) -> str:
        at = text.index(quote, start)
        return f"{at}-{at + len(quote)}"

    medicine = MEDICINES.replace("medicines", "medicine")
    second = new_text.index(EARLIER)
    assert result.stdout.splitlines() == [
        f"moved\tevidence {friday} (claim aid): aid {span(old_text, FRIDAY)} -> aid@2 {span(new_text, FRIDAY)} "
        "(exact match)",
        f"review\tevidence {medicines} (claim aid): aid {span(old_text, MEDICINES)} -> aid@2 "
        f"{span(new_text, medicine)} (fuzzy match 99.3/100); needs review: `provenance evidence confirm {medicines} "
        "--note WHAT_YOU_CHECKED`",
        f"orphaned\tevidence {sanctions} (claim aid): stays on aid {span(old_text, SANCTIONS)}: the passage is no "
        "longer in aid@2: the closest text, 'statement. India sent medical aid worth one', scores 45.3/100, below "
        "the 80/100 a move needs",
        f"moved\tevidence {million} (claim aid): aid {span(old_text, MILLION, old_text.index(EARLIER))} -> aid@2 "
        f"{span(new_text, MILLION, second)} (exact context match)",
        f"moved\tevidence {omission} (claim aid): aid {span(old_text, 'India sent medical aid')[:-2]}"
        f"{old_text.index(' on Friday') + 10} -> aid@2 {new_text.index(FRIDAY)}-{new_text.index(' on Friday') + 10} "
        "(exact omission match)",
        f"moved\tevidence {request} (claim request): aid {span(old_text, REQUEST)} -> aid@2 {span(new_text, REQUEST)} "
        "(exact match)",
    ]
    assert result.stderr == "6 evidence on aid: 4 moved to aid@2, 1 moved for review, 1 orphaned (left on aid)\n"

    after = {c["evidence_id"]: c for c in evidence_of(desk, "aid")}
    assert [after[i]["source"] for i in (friday, medicines, sanctions, million, omission)] == [
        "aid@2",
        "aid@2",
        "aid",
        "aid@2",
        "aid@2",
    ]
    for evidence_id in (friday, medicines, million, omission):
        passage = after[evidence_id]["passage"]
        assert new_text[passage["char_start"] : passage["char_end"]] == passage["text"]
    assert after[friday]["passage"]["kind"] == "sentence" and after[friday]["anchor_method"] == "exact"
    assert (after[medicines]["anchor_method"], after[medicines]["anchor_score"]) == ("fuzzy", 99.3)
    assert after[medicines]["needs_review"] is True and after[medicines]["passage"]["text"] == medicine
    assert after[million]["anchor_method"] == "exact_context"
    assert after[omission]["anchor_method"] == "exact_omission" and after[omission]["quote"] == OMISSION
    # what the analyst said about each piece goes with it
    assert after[medicines]["confidence"] == {"probability": 0.675, "term": "likely"}
    assert after[sanctions] == before[sanctions] | {"orphaned_reason": after[sanctions]["orphaned_reason"]}
    assert after[sanctions]["orphaned_reason"].startswith("the passage is no longer in aid@2")
    # the claim that already cites the new version's passage keeps its own
    assert desk.ok("verify").stdout.endswith(": no problems\n")


def test_every_move_is_logged_under_its_claim_with_keys_and_offsets(desk: Provenance, article: Path) -> None:
    new_version(desk, article)
    [friday, *_] = evidence_of(desk, "aid")
    desk.ok("reanchor", "aid", "aid@2")
    logged = events(desk.url, "evidence.reanchor")
    assert [(e.subject_type, e.subject_key) for e in logged] == [("claim", "aid")] * 4 + [("claim", "request")]
    first = logged[0]
    start = text_of(VERSION_2).index(FRIDAY)
    assert first.before == {
        "evidence_id": friday["evidence_id"],
        "source": "aid",
        "char_start": 0,
        "char_end": len(FRIDAY),
        "anchor_method": "exact",
        "anchor_score": None,
        "needs_review": False,
    }
    assert first.after == {**first.before, "source": "aid@2", "char_start": start, "char_end": start + len(FRIDAY)}
    assert first.reason == "reanchored from aid to aid@2"


def test_running_it_again_moves_nothing_and_writes_nothing(desk: Provenance, article: Path) -> None:
    new_version(desk, article)
    desk.ok("reanchor", "aid", "aid@2")
    before = row_counts(desk.url)
    again = desk.ok("reanchor", "aid", "aid@2", "--json")
    assert row_counts(desk.url) == before
    record = json.loads(again.stdout)
    assert (record["moved"], record["needs_review"], record["orphaned"]) == (0, 0, 1)
    [left] = record["evidence"]
    assert (left["outcome"], left["before"]["source"], left["after"]) == ("orphaned", "aid", None)
    assert again.stderr == "1 evidence on aid: 0 moved to aid@2, 0 moved for review, 1 orphaned (left on aid)\n"
    last = desk.ok("reanchor", "aid@2", "aid", "--force")  # back again: everything has a place in version 1
    assert "5 evidence on aid@2: 5 moved to aid, 0 moved for review, 0 orphaned" in last.stderr


def test_a_passage_the_claim_already_cites_in_the_new_version_is_not_taken_twice(
    desk: Provenance, article: Path
) -> None:
    new_version(desk, article)
    added = desk.ok("evidence", "add", "request", "aid@2", "--quote", REQUEST, "--stance", "mentions", "--json")
    cited = json.loads(added.stdout)
    record = json.loads(desk.ok("reanchor", "aid", "aid@2", "--json").stdout)
    [request] = [e for e in record["evidence"] if e["claim"] == "request"]
    start = cited["passage"]["char_start"]
    assert (request["outcome"], request["reason"]) == (
        "orphaned",
        f"claim 'request' already cites that passage of aid@2 (characters {start}-{start + len(REQUEST)}) as "
        f"evidence {cited['evidence_id']}",
    )
    assert [e["source"] for e in evidence_of(desk, "request")] == ["aid"]


def test_json_lists_every_piece_with_before_and_after(desk: Provenance, article: Path) -> None:
    new_version(desk, article)
    record = json.loads(desk.ok("reanchor", "aid", "aid@2", "--json").stdout)
    assert set(record) == {"old", "new", "forced", "moved", "needs_review", "orphaned", "evidence"}
    assert (record["old"], record["new"], record["forced"]) == ("aid", "aid@2", False)
    assert (record["moved"], record["needs_review"], record["orphaned"]) == (4, 1, 1)
    assert len(record["evidence"]) == 6
    for piece in record["evidence"]:
        assert set(piece) == {"evidence_id", "claim", "quote", "outcome", "before", "after", "reason", "changes"}
        assert piece["changes"] == []
        assert set(piece["before"]) == {
            "source",
            "char_start",
            "char_end",
            "anchor_method",
            "anchor_score",
            "needs_review",
        }
        assert (piece["after"] is None) == (piece["outcome"] == "orphaned") == (piece["reason"] is not None)


def test_several_places_the_old_context_cannot_tell_apart_stay_orphaned(desk: Provenance, article: Path) -> None:
    # the occurrence cited changes its surroundings: neither its prefix nor its suffix is found again
    new_version(
        desk,
        article,
        VERSION_2.replace(EARLIER, "Earlier, India had sent food aid, also worth one million dollars, in 2011."),
    )
    record = json.loads(desk.ok("reanchor", "aid", "aid@2", "--json").stdout)
    [million] = [e for e in record["evidence"] if e["quote"] == MILLION]
    assert million["outcome"] == "orphaned"
    assert million["reason"] == (
        "matches several places in aid@2, and the text around it in the old version does not tell which; add it by "
        "hand: `provenance evidence add CLAIM aid@2 --quote ... --occurrence N`"
    )


def test_a_quote_with_left_out_words_not_in_the_new_version_stays(desk: Provenance, article: Path) -> None:
    new_version(desk, article, VERSION_2.replace(" on Friday", ""))
    record = json.loads(desk.ok("reanchor", "aid", "aid@2", "--json").stdout)
    [omission] = [e for e in record["evidence"] if e["quote"] == OMISSION]
    assert omission["outcome"] == "orphaned"
    assert (
        omission["reason"]
        == "the parts of the quote with left-out words are not all in aid@2, in order within one paragraph"
    )


# --- refused, with nothing written --------------------------------------------------------------------


def test_unrelated_sources_are_refused_without_force(desk: Provenance, tmp_path: Path) -> None:
    other = tmp_path / "other.txt"
    other.write_text(f"Title: Other\n\n{FRIDAY}\n", encoding="utf-8")
    desk.ok("source", "add", str(other))
    line = desk.fails("reanchor", "aid", "other")
    assert line == (
        "Error: 'other' is not a version of 'aid' (its versions: aid); reanchoring between unrelated sources would "
        "tie the quotes to another document; add --force to move the evidence anyway"
    )
    forced = json.loads(desk.ok("reanchor", "aid", "other", "--force", "--json").stdout)
    assert forced["forced"] is True and forced["moved"] == 3  # the sentence, the phrase, the omission
    assert forced["orphaned"] == 3
    logged = events(desk.url, "evidence.reanchor")[0]
    assert logged.reason == (
        "reanchored from aid to other with --force ('other' is not a version of 'aid' (its versions: aid); "
        "reanchoring between unrelated sources would tie the quotes to another document)"
    )
    # what a forced run leaves behind was not left by a newer version of its text: it is not marked orphaned
    assert events(desk.url, "evidence.orphan") == []
    assert json.loads(desk.ok("status", "--json").stdout)["evidence_orphaned"] == 0


def test_an_earlier_version_is_refused_without_force(desk: Provenance, article: Path) -> None:
    new_version(desk, article)
    assert desk.fails("reanchor", "aid@2", "aid") == (
        "Error: 'aid' is an earlier version than 'aid@2'; evidence is carried forward, to a later version; add "
        "--force to move the evidence anyway"
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("aid", "aid", "Error: OLD and NEW are both 'aid'; name the version the evidence should move to as NEW"),
        ("nope", "aid", "Error: no source 'nope'; `provenance source list` shows the keys"),
        ("aid", "aid@9", "Error: no source 'aid@9'; `provenance source list` shows the keys"),
    ],
    ids=["same", "unknown-old", "unknown-new"],
)
def test_bad_keys_are_refused(desk: Provenance, article: Path, old: str, new: str, expected: str) -> None:
    new_version(desk, article)
    assert desk.fails("reanchor", old, new) == expected
    assert desk.fails("reanchor", old, new, "--force") == expected


def test_nothing_on_the_old_version_says_so(provenance: Provenance, article: Path) -> None:
    article.write_text(VERSION_1, encoding="utf-8")
    provenance.ok("source", "add", str(article))
    article.write_text(VERSION_2, encoding="utf-8")
    provenance.ok("source", "add", str(article))
    before = row_counts(provenance.url)
    result = provenance.ok("reanchor", "aid", "aid@2")
    assert (result.stdout, result.stderr) == ("", "no evidence rests on aid; nothing to move\n")
    assert row_counts(provenance.url) == before


# --- offered, and shown -------------------------------------------------------------------------------


def test_source_add_offers_to_carry_the_evidence_over(desk: Provenance, article: Path) -> None:
    added = new_version(desk, article)
    assert added.stdout == "aid@2\tnew version 2, supersedes aid (4 paragraphs, 5 sentences)\n"
    assert added.stderr == "6 evidence rest on aid; carry them over with: provenance reanchor aid aid@2\n"
    article.write_text(VERSION_2 + "\nA third paragraph.\n", encoding="utf-8")
    [record] = json.loads(desk.ok("source", "add", str(article), "--json").stdout)
    assert record["reanchor"] == [
        {"from": "aid", "to": "aid@3", "evidence": 6, "orphaned": 0, "command": "provenance reanchor aid aid@3"}
    ]
    desk.ok("reanchor", "aid", "aid@3")
    article.write_text(VERSION_2 + "\nA fourth paragraph.\n", encoding="utf-8")
    added = desk.ok("source", "add", str(article))
    assert added.stderr == (
        "1 evidence rest on aid (1 of them left there by an earlier reanchor); carry them over with: provenance "
        "reanchor aid aid@4\n5 evidence rest on aid@3; carry them over with: provenance reanchor aid@3 aid@4\n"
    )
    article.write_text(VERSION_2 + "\nA fifth paragraph.\n", encoding="utf-8")
    [record] = json.loads(desk.ok("source", "add", str(article), "--json").stdout)
    assert [(r["from"], r["evidence"], r["orphaned"]) for r in record["reanchor"]] == [
        ("aid", 1, 1),
        ("aid@3", 5, 0),
    ]
    unchanged = desk.ok("source", "add", str(article))
    assert unchanged.stderr == ""


def test_claim_show_and_reports_say_when_evidence_rests_on_a_superseded_version(
    desk: Provenance, article: Path
) -> None:
    new_version(desk, article)
    note = "on superseded version aid (latest aid@2)"
    shown = desk.ok("claim", "show", "aid").stdout
    assert shown.count(note) == 5
    cited = evidence_of(desk, "aid")
    assert {c["latest_version"] for c in cited} == {"aid@2"}
    markdown = desk.ok("report").stdout
    assert markdown.count("On superseded version aid (latest aid@2).") == 6
    html = desk.ok("report", "--format", "html").stdout
    assert html.count('<span class="label">On superseded version</span> aid (latest aid@2).') == 6

    desk.ok("reanchor", "aid", "aid@2")
    shown = desk.ok("claim", "show", "aid").stdout
    assert shown.count(note) == 1  # the orphaned piece
    assert [c["latest_version"] for c in evidence_of(desk, "aid")].count(None) == 4


# --- a close match that changes what the passage says is never made -----------------------------------------

RISE = "Household energy bills are set to rise 12% in April, the regulator said on Tuesday."
ENGINEERS = "The company employs 450 engineers at the plant in Derby."
OPENED = "The plant opened on 3 March 2019 after two years of building."
EXTEND = "The minister said the government would not extend the scheme."
CONFIRMED = "The figures were confirmed by Sarah Jones, the chief executive."
KOREA = "Aid shipments to North Korea resumed after the talks in Singapore."
BACKGROUND = (
    "The increase follows a rise in wholesale gas prices over the winter, which suppliers say they can no longer "
    "absorb. Consumer groups warned that millions of families would struggle to heat their homes this year. "
    "Suppliers have been told to publish their new tariffs at least a month before they apply."
)
ENERGY = f"Title: Bills\n\n{RISE}\n\n{BACKGROUND}\n\n{ENGINEERS} {OPENED}\n\n{EXTEND} {CONFIRMED} {KOREA}\n"
BILLS = "bills set to rise 12%"


@pytest.fixture
def energy(provenance: Provenance, article: Path) -> Provenance:
    """An article on energy bills, its sentences cited as evidence for one claim, its rise contradicting another."""
    article.write_text(ENERGY, encoding="utf-8")
    provenance.ok("source", "add", str(article), "--key", "bills")
    provenance.ok("claim", "add", "bills-rise", "Energy bills will rise by less than 10% in April")
    provenance.ok("claim", "add", "plant", "The Derby plant is growing", "--about", "North Korea")
    provenance.ok(
        "evidence", "add", "bills-rise", "bills", "--quote", "bills are set to rise 12%", "--stance", "contradicts"
    )
    for quote in (ENGINEERS, OPENED, EXTEND, CONFIRMED, KOREA):
        provenance.ok("evidence", "add", "plant", "bills", "--quote", quote, "--stance", "mentions")
    return provenance


def corrected(energy: Provenance, article: Path, old: str, new: str) -> None:
    text = ENERGY.replace(old, new)
    assert text != ENERGY
    article.write_text(text, encoding="utf-8")
    assert energy.ok("source", "add", str(article)).stdout.startswith("bills@2\tnew version 2")


def piece(record: dict[str, Any], quote: str) -> dict[str, Any]:
    [found] = [e for e in record["evidence"] if e["quote"] == quote]
    return found


def test_a_corrected_figure_is_not_carried_onto_a_published_claim(
    energy: Provenance, article: Path, tmp_path: Path
) -> None:
    quote = "bills are set to rise 12%"
    energy.ok("--as", "ana", "review", "bills-rise", "--status", "in_progress")
    energy.ok("--as", "ana", "review", "bills-rise", "--status", "in_review", "--verdict", "false")
    energy.ok("--as", "bea", "review", "bills-rise", "--status", "published", "--note", "the regulator's figure")
    corrected(energy, article, "rise 12% in April", "rise 9.4% in April")
    board = json.loads(energy.ok("status", "--json").stdout)
    assert (board["evidence_orphaned"], board["evidence_on_superseded_versions"]) == (0, 6)

    result = energy.ok("reanchor", "bills", "bills@2")
    before = json.loads(energy.ok("claim", "show", "bills-rise", "--json").stdout)["contradicting"]
    [evidence_id] = [e["evidence_id"] for e in before["passages"]]
    start = ENERGY.removeprefix("Title: Bills\n\n").index("bills are set")
    assert result.stdout.splitlines()[0] == (
        f"orphaned\tevidence {evidence_id} (claim bills-rise): stays on bills {start}-{start + len(quote)}: the close "
        "match in bills@2 changes 12% to 9.4%"
    )
    assert result.stderr == "6 evidence on bills: 5 moved to bills@2, 0 moved for review, 1 orphaned (left on bills)\n"

    # the claim still cites the words it was checked against, where they were, as contradicting
    shown = json.loads(energy.ok("claim", "show", "bills-rise", "--json").stdout)
    [cited] = shown["contradicting"]["passages"]
    assert (cited["source"], cited["quote"], cited["passage"]["text"]) == ("bills", quote, quote)
    assert cited["latest_version"] == "bills@2"
    report = energy.ok("report").stdout
    quoted = [line for line in report[report.index("Contradicting") :].splitlines() if line.startswith(">")]
    assert quoted[0] == "> bills are set to rise 12%[^1]"
    assert not [line for line in quoted if "9.4%" in line]
    assert (
        "On superseded version bills (latest bills@2). **Not carried to the newer version:** the close match in "
        "bills@2 changes 12% to 9.4%." in report
    )

    board = json.loads(energy.ok("status", "--json").stdout)
    assert (board["evidence_orphaned"], board["evidence_on_superseded_versions"]) == (1, 0)
    [published] = [c for s in board["statuses"] if s["status"] == "published" for c in s["claims"]]
    assert (published["key"], published["evidence_orphaned"], published["evidence_on_superseded_versions"]) == (
        "bills-rise",
        1,
        0,
    )
    text = energy.ok("status").stdout.splitlines()
    assert text[2] == "evidence orphaned by reanchor: 1; evidence on superseded versions, not yet reanchored: 0"

    [logged] = events(energy.url, "evidence.orphan")
    assert (logged.subject_type, logged.subject_key, logged.reason) == (
        "claim",
        "bills-rise",
        "left on bills by reanchor to bills@2",
    )
    assert logged.after is not None
    # before and after differ only in the mark and the changes that made it
    assert logged.before == {key: value for key, value in logged.after.items() if key != "changes"} | {
        "orphaned_reason": None
    }
    assert logged.after["orphaned_reason"] == "the close match in bills@2 changes 12% to 9.4%"
    assert logged.after["changes"] == [{"kind": "amount", "before": "12%", "after": "9.4%"}]
    assert (logged.after["source"], logged.after["char_start"]) == ("bills", start)
    assert energy.ok("verify").stdout.endswith(": no problems\n")


@pytest.mark.parametrize(
    ("quote", "original", "changed", "kept", "change"),
    [
        ("bills are set to rise 12%", "rise 12% in", "rise 9.4% in", "12% in", "changes 12% to 9.4%"),
        (ENGINEERS, "450 engineers", "540 engineers", "at the plant", "changes 450 engineers to 540 engineers"),
        (OPENED, "2019 after", "2018 after", "of building", "changes 3 March 2019 to 3 March 2018"),
        (EXTEND, "would not extend", "would extend", "would not extend", "leaves out “not”"),
        (CONFIRMED, "Sarah Jones, the", "Sarah Smith, the", "Jones, the", "changes Sarah Jones to Sarah Smith"),
        (KOREA, "to North Korea", "to South Korea", "the talks", "changes North Korea to South Korea"),
    ],
    ids=["amount", "number", "date", "negation", "name", "entity"],
)
def test_a_close_match_moves_only_if_it_says_the_same(
    energy: Provenance, article: Path, quote: str, original: str, changed: str, kept: str, change: str
) -> None:
    corrected(energy, article, original, changed)
    refused = json.loads(energy.ok("reanchor", "bills", "bills@2", "--json").stdout)
    assert (refused["moved"], refused["needs_review"], refused["orphaned"]) == (5, 0, 1)
    stayed = piece(refused, quote)
    assert (stayed["outcome"], stayed["after"], stayed["reason"]) == (
        "orphaned",
        None,
        f"the close match in bills@2 {change}",
    )
    assert stayed["changes"]

    # other words that say the same are a close match that keeps the meaning: it moves, for review
    rewords = {
        "12% in": "12 per cent in",
        "at the plant": "at its plant",
        "of building": "of construction",
        "would not extend": "wouldn't extend",
        "Jones, the": "Jones, its",
        "the talks": "talks",
    }
    article.write_text(ENERGY.replace(kept, rewords[kept]), encoding="utf-8")
    assert energy.ok("source", "add", str(article)).stdout.startswith("bills@3\tnew version 3")
    again = json.loads(energy.ok("reanchor", "bills", "bills@3", "--json").stdout)
    moved = piece(again, quote)
    assert (moved["outcome"], moved["after"]["source"], moved["changes"]) == ("needs_review", "bills@3", [])
    # moved, it is no longer orphaned; the move says what it was left for
    board = json.loads(energy.ok("status", "--json").stdout)
    assert board["evidence_orphaned"] == 0
    assert board["evidence_on_superseded_versions"] == 5  # the others, on bills@2, which bills@3 supersedes
    [logged] = [e for e in events(energy.url, "evidence.reanchor") if e.after and e.after["source"] == "bills@3"]
    assert logged.before is not None
    assert logged.before["orphaned_reason"] == f"the close match in bills@2 {change}"


def test_evidence_left_again_for_another_reason_says_the_new_one(energy: Provenance, article: Path) -> None:
    corrected(energy, article, "rise 12% in", "rise 9.4% in")
    energy.ok("reanchor", "bills", "bills@2")
    article.write_text(ENERGY.replace("rise 12% in", "rise 11% in"), encoding="utf-8")
    assert energy.ok("source", "add", str(article)).stderr.startswith(
        "1 evidence rest on bills (1 of them left there by an earlier reanchor); carry them over with: provenance "
        "reanchor bills bills@3\n"
    )
    record = json.loads(energy.ok("reanchor", "bills", "bills@3", "--json").stdout)
    assert piece(record, "bills are set to rise 12%")["reason"] == "the close match in bills@3 changes 12% to 11%"
    logged = events(energy.url, "evidence.orphan")
    assert [(e.before or {}).get("orphaned_reason") for e in logged] == [
        None,
        "the close match in bills@2 changes 12% to 9.4%",
    ]
    assert [(e.after or {}).get("orphaned_reason") for e in logged] == [
        "the close match in bills@2 changes 12% to 9.4%",
        "the close match in bills@3 changes 12% to 11%",
    ]
    status = json.loads(energy.ok("status", "--json").stdout)
    assert (status["evidence_orphaned"], status["evidence_on_superseded_versions"]) == (1, 5)


def test_an_exact_quote_moved_from_a_text_stored_with_no_break_spaces_is_kept_as_its_new_passage(
    provenance: Provenance, db_url: str, tmp_path: Path
) -> None:
    """A source stored before no-break spaces were stored as spaces keeps them; evidence quoting across one that
    is carried to a new version takes the new version's characters, so verify still finds it its passage's text."""
    from sqlalchemy.orm import Session

    from provenance import claims, sources
    from provenance.documents import Document, Metadata

    old = "Bills rise 12%\u00a0next year, the regulator said.\n\nThe cap is reviewed in April."
    article = tmp_path / "bills.txt"
    engine = db.make_engine(db_url)
    try:
        with Session(engine) as session, session.begin():
            # as a source was stored before: the no-break space kept, the origin its file
            document = Document(text=old, original_sha256="0" * 64, origin=str(article), metadata=Metadata())
            sources.store_source(session, document, key="bills")
            claims.add_claim(session, "bills-rise", "Energy bills will rise 12% next year")
            claims.add_evidence(session, "bills-rise", "bills", quote="rise 12%\u00a0next year", stance="supports")
    finally:
        engine.dispose()
    article.write_text(old.replace("April", "May"), encoding="utf-8")
    provenance.ok("source", "add", str(article))
    [moved] = json.loads(provenance.ok("reanchor", "bills", "bills@2", "--json").stdout)["evidence"]
    assert moved["outcome"] == "moved"
    engine = db.make_engine(db_url)
    try:
        with Session(engine) as session:
            [evidence] = session.scalars(select(Evidence)).all()
            assert evidence.quote == evidence.passage.text == "rise 12% next year"
    finally:
        engine.dispose()
    provenance.ok("verify")
