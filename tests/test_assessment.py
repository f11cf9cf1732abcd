"""How sure we are of a claim: the computed likelihood (independent source clusters, reliability, credibility,
log-odds), its explanation, rating and deriving sources, setting a claim's likelihood by hand, and the words
reports use for it."""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path

import pytest
from conftest import DEMO_CLAIMS, Provenance, row_counts
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from provenance import assessment as assessment_module
from provenance.assessment import (
    CREDIBILITY_WEIGHT,
    RELIABILITY_WEIGHT,
    Item,
    Link,
    SourceLinks,
    assess,
    assess_claims,
    log_odds,
    probability_of,
)
from provenance.confidence import TERMS, describe_credibility, parse_credibility
from provenance.errors import Invalid
from provenance.models import Claim, Event, Evidence, Source, SourceDerivation, Stance
from provenance.report import build_report

KEY_2018 = "india-north-korea-2018"
KEY_2020 = "india-medical-aid-2020"
SINGH = "singh-first-visit-in-two-decades"
LIKELY, VERY_LIKELY, UNLIKELY, EVEN = 0.675, 0.875, 0.325, 0.5


def lo(p: float) -> float:
    return math.log(p / (1 - p))


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def item(
    evidence_id: int,
    source_id: int,
    *,
    stance: Stance = Stance.SUPPORTS,
    likelihood: float | None = LIKELY,
    credibility: int | None = None,
    reliability: str = "F",
    needs_review: bool = False,
) -> Item:
    return Item(
        evidence_id,
        stance,
        likelihood,
        credibility,
        needs_review,
        source_id,
        f"s{source_id}",
        reliability,
        1,
        evidence_id,
        0,
        10,
    )


NO_LINKS = SourceLinks([])


def derived(source_id: int, other_id: int) -> Link:
    return Link("derived", source_id, f"s{source_id}", other_id, f"s{other_id}")


# --- the formula ----------------------------------------------------------------------------------------


def test_log_odds_of_the_icd_203_midpoints_and_the_ends_of_the_scale() -> None:
    assert log_odds(0.5) == 0
    assert log_odds(LIKELY) == pytest.approx(0.7309, abs=1e-4)
    assert log_odds(VERY_LIKELY) == pytest.approx(1.9459, abs=1e-4)
    assert log_odds(UNLIKELY) == pytest.approx(-0.7309, abs=1e-4)
    assert log_odds(1.0) == log_odds(0.99) == pytest.approx(4.5951, abs=1e-4)  # kept within 1-99 %
    assert log_odds(0.0) == pytest.approx(-log_odds(1.0))
    assert probability_of(0) == 0.5
    assert probability_of(100) == 0.99 and probability_of(-100) == 0.01


def test_the_weights_are_the_documented_ones() -> None:
    assert RELIABILITY_WEIGHT == {"A": 1.0, "B": 0.8, "C": 0.6, "D": 0.4, "E": 0.2, "F": 0.5}
    assert CREDIBILITY_WEIGHT == {1: 1.0, 2: 0.8, 3: 0.6, 4: 0.4, 5: 0.2, 6: 0.5, None: 1.0}


def test_one_supporting_passage_from_a_source_that_cannot_be_judged() -> None:
    result = assess([item(1, 1, likelihood=VERY_LIKELY)], NO_LINKS)
    assert result.log_odds == pytest.approx(0.5 * lo(VERY_LIKELY))
    assert result.probability == pytest.approx(sigmoid(0.5 * lo(VERY_LIKELY)))
    assert result.term == "likely"
    assert result.describe() == "likely (72.6 %) from 1 independent source"
    (step,) = result.contributions
    assert (step.cluster.reliability, step.credibility_weight, step.weight) == ("F", 1.0, 0.5)


def test_a_contradicting_passage_pulls_the_other_way_by_the_same_amount() -> None:
    supports = assess([item(1, 1, reliability="A")], NO_LINKS)
    contradicts = assess([item(1, 1, reliability="A", stance=Stance.CONTRADICTS)], NO_LINKS)
    assert contradicts.log_odds == pytest.approx(-supports.log_odds)
    assert contradicts.probability == pytest.approx(1 - supports.probability)  # type: ignore[operator]


def test_independent_sources_add_up() -> None:
    result = assess([item(1, 1, reliability="A"), item(2, 2, reliability="B")], NO_LINKS)
    assert len(result.clusters) == 2
    assert result.log_odds == pytest.approx(1.0 * lo(LIKELY) + 0.8 * lo(LIKELY))
    assert [round(c.running_log_odds, 4) for c in result.contributions] == [
        round(lo(LIKELY), 4),
        round(1.8 * lo(LIKELY), 4),
    ]


def test_several_passages_of_one_source_count_once() -> None:
    one = assess([item(1, 1, reliability="A")], NO_LINKS)
    three = assess([item(1, 1, reliability="A"), item(2, 1, reliability="A"), item(3, 1, reliability="A")], NO_LINKS)
    assert three.log_odds == pytest.approx(one.log_odds)
    assert [c.weight for c in three.contributions] == pytest.approx([1 / 3] * 3)
    assert len(three.clusters) == 1 and three.clusters[0].pieces == 3


def test_passages_of_one_source_are_averaged_not_summed() -> None:
    result = assess([item(1, 1, likelihood=VERY_LIKELY), item(2, 1, likelihood=LIKELY)], NO_LINKS)
    assert result.log_odds == pytest.approx(0.5 * (lo(VERY_LIKELY) + lo(LIKELY)) / 2)


@pytest.mark.parametrize(
    "links",
    [
        [derived(2, 1)],  # 2 repeats 1
        [derived(1, 2)],  # the other direction
        [derived(2, 9), derived(1, 9)],  # both repeat a source the claim does not cite
        [derived(2, 3), derived(3, 1)],  # a chain
        [Link("version", 2, "s1@2", 1, "s1")],  # two versions of one document
    ],
    ids=["derived", "reverse", "common-origin", "chain", "versions"],
)
def test_derived_sources_and_versions_count_once(links: list[Link]) -> None:
    separate = assess([item(1, 1), item(2, 2)], NO_LINKS)
    joined = assess([item(1, 1), item(2, 2)], SourceLinks(links))
    assert len(separate.clusters) == 2 and len(joined.clusters) == 1
    assert joined.log_odds == pytest.approx(separate.log_odds / 2)
    assert joined.clusters[0].sources == (("s1", "F"), ("s2", "F"))


def test_a_cluster_weighs_by_its_most_reliable_cited_source() -> None:
    result = assess([item(1, 1, reliability="A"), item(2, 2, reliability="D")], SourceLinks([derived(2, 1)]))
    (cluster,) = result.clusters
    assert (cluster.reliability, cluster.reliability_weight) == ("A", 1.0)
    assert result.log_odds == pytest.approx(lo(LIKELY))
    # "cannot be judged" (F, 0.5) weighs more than "not usually reliable" (D, 0.4)
    assert assess([item(1, 1, reliability="F"), item(2, 1, reliability="D")], NO_LINKS).clusters[0].reliability == "F"


def test_credibility_scales_each_piece() -> None:
    for credibility, factor in [(1, 1.0), (2, 0.8), (5, 0.2), (6, 0.5), (None, 1.0)]:
        result = assess([item(1, 1, reliability="A", credibility=credibility)], NO_LINKS)
        assert result.log_odds == pytest.approx(factor * lo(LIKELY)), credibility


def test_mentions_unassessed_and_flagged_evidence_count_nothing() -> None:
    result = assess(
        [
            item(1, 1, stance=Stance.MENTIONS),
            item(2, 1, likelihood=None),
            item(3, 2, needs_review=True),
            item(4, 3, likelihood=UNLIKELY),
        ],
        NO_LINKS,
    )
    assert [(s.item.evidence_id, s.reason) for s in result.skipped] == [
        (1, "only mentions the claim"),
        (2, "has no likelihood"),
        (3, "is flagged for review"),
    ]
    assert [c.item.evidence_id for c in result.contributions] == [4]
    assert result.log_odds == pytest.approx(0.5 * lo(UNLIKELY))


def test_no_counted_evidence_is_not_assessed() -> None:
    result = assess([item(1, 1, stance=Stance.MENTIONS)], NO_LINKS)
    assert result.probability is None and result.term is None and result.clusters == ()
    assert result.describe() == "not assessed (no supporting or contradicting passage with a likelihood)"


def test_the_result_does_not_depend_on_the_order_evidence_comes_in() -> None:
    items = [item(3, 2, reliability="B"), item(1, 1), item(2, 1, stance=Stance.CONTRADICTS), item(4, 3)]
    forward = assess(items, SourceLinks([derived(3, 1)]))
    backward = assess(list(reversed(items)), SourceLinks([derived(3, 1)]))
    assert forward.contributions == backward.contributions and forward.log_odds == backward.log_odds
    assert forward.contributions[-1].running_log_odds == forward.log_odds  # the steps end at the result
    assert [c.item.evidence_id for c in forward.contributions] == [1, 2, 4, 3]


def test_the_result_stays_within_the_icd_203_scale() -> None:
    many = assess([item(n, n, reliability="A", likelihood=0.99) for n in range(1, 20)], NO_LINKS)
    assert many.probability == 0.99 and many.term == "almost certain"


def test_credibility_words_and_numbers() -> None:
    assert parse_credibility("2") == parse_credibility(2) == parse_credibility(" Probably True ") == 2
    assert describe_credibility(6) == "6 (truth cannot be judged)"
    assert describe_credibility(None) == "not given"
    with pytest.raises(Invalid, match=r"unknown credibility '7'; use a number on the Admiralty scale: 1 \("):
        parse_credibility("7")


# --- on the demo corpus ---------------------------------------------------------------------------------


def _computed(session: Session) -> dict[str, float | None]:
    keys = {claim_id: key for claim_id, key in session.execute(select(Claim.id, Claim.key))}
    return {keys[i]: a.probability for i, a in assess_claims(session, select(Claim.id)).items()}


def test_demo_claims_computed_by_hand(seeded: Provenance, session: Session) -> None:
    computed = _computed(session)
    f = RELIABILITY_WEIGHT["F"]  # both demo sources
    assert computed["suntech-diversion"] == pytest.approx(sigmoid(f * lo(UNLIKELY)))  # 41.0 %
    assert computed["khan-bribery-claim"] == 0.5
    # three passages of one source, all "very likely": one source's say
    assert computed["india-medical-aid-2020"] == pytest.approx(sigmoid(f * lo(VERY_LIKELY)))
    # one source: a supporting passage at even chance and a contradicting one "likely", averaged
    assert computed["dprk-denuclearisation-willingness"] == pytest.approx(sigmoid(f * (0 - lo(LIKELY)) / 2))
    # two independent sources: the 2018 article, and the 2020 one with two passages
    two = f * lo(VERY_LIKELY) + f * (lo(VERY_LIKELY) + lo(LIKELY)) / 2
    assert computed[SINGH] == pytest.approx(sigmoid(two))
    assert round(sigmoid(two), 3) == 0.838


def test_deriving_one_demo_source_from_the_other_makes_them_count_once(seeded: Provenance, session: Session) -> None:
    seeded.ok("source", "derive", KEY_2020, "--from", KEY_2018, "--note", "May draw on the 2018 coverage")
    f = RELIABILITY_WEIGHT["F"]
    one = f * (lo(VERY_LIKELY) + lo(VERY_LIKELY) + lo(LIKELY)) / 3
    assert _computed(session)[SINGH] == pytest.approx(sigmoid(one))
    assert round(sigmoid(one), 3) == 0.684
    record = json.loads(seeded.ok("claim", "show", SINGH, "--json", "--explain").stdout)["computed_confidence"]
    assert record["independent_sources"] == 1 and record["term"] == "likely"
    (cluster,) = record["clusters"]
    assert cluster["sources"] == [{"key": KEY_2020, "reliability": "F"}, {"key": KEY_2018, "reliability": "F"}]
    assert cluster["links"] == [f"{KEY_2020} derives from {KEY_2018}"]


def test_reports_and_claim_lists_compute_the_same_and_the_steps_end_at_the_result(
    seeded: Provenance, session: Session
) -> None:
    seeded.ok("source", "derive", KEY_2020, "--from", KEY_2018, "--note", "May draw on the 2018 coverage")
    listed = assess_claims(session, select(Claim.id))
    for entry in build_report(session).claims:
        computed = entry.assessment
        assert computed.log_odds == listed[entry.claim.id].log_odds, entry.claim.key
        assert computed.independent_sources == listed[entry.claim.id].independent_sources == len(computed.clusters)
        if computed.contributions:
            assert computed.contributions[-1].running_log_odds == computed.log_odds
            assert computed.contributions[-1].running_probability == computed.probability


def test_rating_a_source_changes_the_computed_likelihood(seeded: Provenance, session: Session) -> None:
    seeded.ok("source", "rate", KEY_2020, "A", "--note", "The ministry's statements check out")
    assert _computed(session)["suntech-diversion"] == pytest.approx(sigmoid(1.0 * lo(UNLIKELY)))


def test_credibility_and_review_flags_stored_on_evidence_are_used(seeded: Provenance, session: Session) -> None:
    claim_id = session.scalar(select(Claim.id).where(Claim.key == "suntech-diversion"))
    session.execute(update(Evidence).where(Evidence.claim_id == claim_id).values(credibility=4))
    session.commit()
    assert _computed(session)["suntech-diversion"] == pytest.approx(sigmoid(0.5 * 0.4 * lo(UNLIKELY)))
    session.execute(update(Evidence).where(Evidence.claim_id == claim_id).values(needs_review=True))
    session.commit()
    assert _computed(session)["suntech-diversion"] is None


def test_evidence_from_a_retracted_source_counts_nothing(seeded: Provenance, session: Session) -> None:
    seeded.ok("source", "retract", KEY_2018, "--reason", "The outlet withdrew the story")
    f = RELIABILITY_WEIGHT["F"]
    # only the 2020 article's two passages are left
    expected = sigmoid(f * (lo(VERY_LIKELY) + lo(LIKELY)) / 2)
    assert _computed(session)[SINGH] == pytest.approx(expected)
    report = {entry.claim.key: entry.assessment for entry in build_report(session).claims}
    assert report[SINGH].probability == pytest.approx(expected)
    explained = seeded.ok("claim", "show", SINGH, "--explain").stdout
    assert "comes from a retracted source" in explained


def test_versions_of_a_source_count_once(provenance: Provenance, session: Session, tmp_path: Path) -> None:
    article = tmp_path / "wire.txt"
    article.write_text("The envoy arrived on Monday. Talks began at noon.\n", encoding="utf-8")
    provenance.ok("source", "add", str(article), "--key", "wire")
    article.write_text("The envoy arrived on Monday. Talks began at noon. They ended late.\n", encoding="utf-8")
    provenance.ok("source", "add", str(article))
    provenance.ok("claim", "add", "talks", "Talks began at noon")
    for key in ("wire", "wire@2"):
        provenance.ok(
            "evidence", "add", "talks", key, "--quote", "Talks began at noon.", "--stance", "supports",
            "--confidence", "very likely",
        )  # fmt: skip
    record = json.loads(provenance.ok("claim", "show", "talks", "--json", "--explain").stdout)["computed_confidence"]
    assert record["independent_sources"] == 1 and record["evidence_counted"] == 2
    assert record["clusters"][0]["links"] == ["wire@2 is a later version of wire"]
    assert record["probability"] == round(sigmoid(0.5 * lo(VERY_LIKELY)), 4)


# --- claim show --explain, claim list ------------------------------------------------------------------


def test_claim_show_explain_lists_each_contribution_and_the_running_result(seeded: Provenance) -> None:
    out = seeded.ok("claim", "show", SINGH, "--explain").stdout
    lines = out.splitlines()
    assert "  likelihood set by the analyst: very likely (87.5 %)" in lines
    assert "  computed likelihood: very likely (83.8 %) from 2 independent sources" in lines
    start = lines.index("How the computed likelihood is worked out")
    table = lines[lines.index("", start + 1) + 1 :]
    assert table[0].split() == [
        "#", "source", "para.", "stance", "likelihood", "log-odds", "rel.", "cred.", "share", "weight", "adds",
        "running",
    ]  # fmt: skip
    rows = [re.split(r"\s{2,}", row.strip()) for row in table[2:5]]
    assert [row[:2] for row in rows] == [["1", KEY_2020], ["1", KEY_2020], ["2", KEY_2018]]
    shared = ["F 0.5", "- 1"]  # reliability F of the cluster's best source; no credibility given
    assert [row[3:] for row in rows] == [
        ["supports", "very likely (87.5 %)", "+1.946", *shared, "1/2", "0.250", "+0.486", "+0.486: likely (61.9 %)"],
        ["supports", "likely (67.5 %)", "+0.731", *shared, "1/2", "0.250", "+0.183", "+0.669: likely (66.1 %)"],
        [
            "supports",
            "very likely (87.5 %)",
            "+1.946",
            *shared,
            "1/1",
            "0.500",
            "+0.973",
            "+1.642: very likely (83.8 %)",
        ],
    ]
    assert "  Independent source clusters (each counts once):" in lines
    assert f"  1. {KEY_2020} (F); most reliable: F" in lines
    assert lines[-1] == "  Result: log-odds +1.642, computed likelihood very likely (83.8 %) from 2 independent sources"


def test_claim_show_explain_names_what_is_not_counted(seeded: Provenance) -> None:
    lines = seeded.ok("claim", "show", "rodong-transfer", "--explain").stdout.splitlines()
    not_counted = lines[lines.index("  Not counted:") + 1]
    assert not_counted.startswith(f"  - {KEY_2018}, paragraph ")
    assert not_counted.endswith("(mentions): only mentions the claim")


def test_claim_show_json_explain(seeded: Provenance) -> None:
    plain = json.loads(seeded.ok("claim", "show", "dprk-denuclearisation-willingness", "--json").stdout)
    assert plain["computed_confidence"] == {
        "probability": round(sigmoid(-0.5 * lo(LIKELY) / 2), 4),
        "term": "roughly even chance",
        "log_odds": round(-0.5 * lo(LIKELY) / 2, 4),
        "independent_sources": 1,
        "evidence_counted": 2,
    }
    assert plain["confidence"] == {"probability": 0.5, "term": "roughly even chance"}
    record = json.loads(seeded.ok("claim", "show", "dprk-denuclearisation-willingness", "--json", "--explain").stdout)
    steps = record["computed_confidence"]["contributions"]
    assert [(s["stance"], s["likelihood"]["term"], s["weight"], s["adds"]) for s in steps] == [
        ("supports", "roughly even chance", 0.25, 0.0),
        ("contradicts", "likely", 0.25, round(-0.25 * lo(LIKELY), 4)),
    ]
    assert steps[-1]["running"] == {
        "log_odds": round(-0.25 * lo(LIKELY), 4),
        "probability": round(sigmoid(-0.25 * lo(LIKELY)), 4),
        "term": "roughly even chance",
    }
    assert {s["evidence_id"] for s in steps} == {e["evidence_id"] for e in record["supporting"]} | {
        e["evidence_id"] for e in record["contradicting"]["passages"]
    }
    assert record["computed_confidence"]["not_counted"] == []


def test_claim_list_shows_both_likelihoods(seeded: Provenance) -> None:
    listed = {c["key"]: c for c in json.loads(seeded.ok("claim", "list", "--json").stdout)}
    khan = listed["khan-trade-2003"]
    assert khan["confidence"] == {"probability": VERY_LIKELY, "term": "very likely"}
    assert khan["computed_confidence"]["term"] == "likely"
    assert khan["computed_confidence"]["probability"] == round(sigmoid(0.5 * lo(VERY_LIKELY)), 4)
    table = seeded.ok("claim", "list", "--about", "Suntech").stdout.splitlines()
    assert table[0].split()[:4] == ["key", "status", "likelihood", "computed"]
    assert re.search(r"unlikely \(32\.5 %\)\s+unlikely \(41 %\)", table[2])


# --- source rate --------------------------------------------------------------------------------------


def _events(session: Session, action: str) -> list[Event]:
    session.expire_all()
    return list(session.scalars(select(Event).where(Event.action == action).order_by(Event.id)))


def test_source_rate_sets_reliability_and_logs_before_after_and_reason(seeded: Provenance, session: Session) -> None:
    result = seeded.ok("source", "rate", KEY_2020, "b", "--note", "Names the ministry and its spokesperson")
    assert result.stdout == f"{KEY_2020}\tB\n"
    shown = json.loads(seeded.ok("source", "show", KEY_2020, "--json").stdout)
    assert (shown["reliability"], shown["reliability_note"]) == ("B", "Names the ministry and its spokesperson")
    (event,) = _events(session, "source.rate")
    assert (event.subject_type, event.subject_key) == ("source", KEY_2020)
    assert event.before is not None and event.before["reliability"] == "F"
    assert event.before["reliability_note"].startswith("No publisher, byline or headline.")
    assert event.after == {"reliability": "B", "reliability_note": "Names the ministry and its spokesperson"}
    assert event.reason == "Names the ministry and its spokesperson"


def test_rating_a_source_again_the_same_way_changes_nothing(seeded: Provenance, session: Session) -> None:
    seeded.ok("source", "rate", KEY_2020, "C", "--note", "Fairly reliable")
    before = row_counts(seeded.url)
    again = seeded.ok("source", "rate", KEY_2020, "fairly reliable", "--note", "Fairly  reliable", "--json")
    assert json.loads(again.stdout)["changed"] is False
    assert row_counts(seeded.url) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            (KEY_2020, "G", "--note", "x"),
            "Error: unknown source reliability 'G'; use a letter on the Admiralty scale: A (",
        ),
        ((KEY_2020, "B"), f"Error: say why source '{KEY_2020}' is rated B with --note; a rating needs its reason"),
        ((KEY_2020, "B", "--note", "  "), f"Error: say why source '{KEY_2020}' is rated B with --note"),
        (("no-such-source", "B", "--note", "x"), "Error: no source 'no-such-source'; `provenance source list` shows"),
    ],
    ids=["bad-letter", "no-note", "blank-note", "unknown-source"],
)
def test_bad_ratings_are_refused_and_change_nothing(seeded: Provenance, args: tuple[str, ...], message: str) -> None:
    assert seeded.fails("source", "rate", *args).startswith(message)


# --- source derive ------------------------------------------------------------------------------------


def test_source_derive_records_the_link_and_logs_it(seeded: Provenance, session: Session) -> None:
    result = seeded.ok("source", "derive", KEY_2020, "--from", KEY_2018, "--note", "Repeats the 2018 account")
    assert result.stdout == f"{KEY_2020} <- {KEY_2018}\n"
    (row,) = session.scalars(select(SourceDerivation))
    ids = {key: source_id for key, source_id in session.execute(select(Source.key, Source.id))}
    assert (row.source_id, row.derived_from_id, row.note) == (ids[KEY_2020], ids[KEY_2018], "Repeats the 2018 account")
    (event,) = _events(session, "source.derive")
    assert (event.subject_key, event.before, event.reason) == (KEY_2020, None, "Repeats the 2018 account")
    assert event.after == {"derived_from": KEY_2018, "note": "Repeats the 2018 account"}
    newer = json.loads(seeded.ok("source", "show", KEY_2020, "--json").stdout)
    older = json.loads(seeded.ok("source", "show", KEY_2018, "--json").stdout)
    assert newer["derived_from"] == [{"key": KEY_2018, "note": "Repeats the 2018 account"}]
    assert older["repeated_by"] == [{"key": KEY_2020, "note": "Repeats the 2018 account"}]
    assert (
        "  repeated by: india-medical-aid-2020 (Repeats the 2018 account)"
        in seeded.ok("source", "show", KEY_2018).stdout.splitlines()
    )


def test_deriving_the_same_pair_twice_is_a_conflict(seeded: Provenance) -> None:
    seeded.ok("source", "derive", KEY_2020, "--from", KEY_2018, "--note", "Repeats it")
    line = seeded.fails("source", "derive", KEY_2020, "--from", KEY_2018, "--note", "Another note")
    assert line == f"Error: source '{KEY_2020}' is already recorded as derived from '{KEY_2018}'; nothing to change"


def test_a_source_cannot_derive_from_itself(seeded: Provenance) -> None:
    line = seeded.fails("source", "derive", KEY_2018, "--from", KEY_2018, "--note", "x")
    assert line == f"Error: source '{KEY_2018}' cannot be derived from itself; give the source it repeats with --from"


def test_a_circle_of_derivations_is_refused(seeded: Provenance, tmp_path: Path) -> None:
    third = tmp_path / "third.txt"
    third.write_text("A third article repeating the others.\n", encoding="utf-8")
    seeded.ok("source", "add", str(third), "--key", "third")
    seeded.ok("source", "derive", KEY_2020, "--from", KEY_2018, "--note", "Repeats it")
    line = seeded.fails("source", "derive", KEY_2018, "--from", KEY_2020, "--note", "x")
    assert line == (
        f"Error: source '{KEY_2018}' cannot be derived from '{KEY_2020}': {KEY_2020} derives from {KEY_2018} "
        "already, so the derivations would go round in a circle; check which of them is the original"
    )
    seeded.ok("source", "derive", "third", "--from", KEY_2020, "--note", "Repeats it")
    line = seeded.fails("source", "derive", KEY_2018, "--from", "third", "--note", "x")
    assert f"third derives from {KEY_2020}; {KEY_2020} derives from {KEY_2018} already" in line


def test_versions_of_one_document_cannot_be_derived_from_each_other(provenance: Provenance, tmp_path: Path) -> None:
    article = tmp_path / "wire.txt"
    article.write_text("First text.\n", encoding="utf-8")
    provenance.ok("source", "add", str(article), "--key", "wire")
    article.write_text("Second text.\n", encoding="utf-8")
    provenance.ok("source", "add", str(article))
    other = tmp_path / "other.txt"
    other.write_text("Another article.\n", encoding="utf-8")
    provenance.ok("source", "add", str(other), "--key", "other")
    line = provenance.fails("source", "derive", "wire@2", "--from", "wire", "--note", "x")
    assert line.startswith("Error: sources 'wire@2' and 'wire' are versions of one document and already count as one")
    # a circle through another version of a document is a circle too
    provenance.ok("source", "derive", "other", "--from", "wire", "--note", "x")
    line = provenance.fails("source", "derive", "wire@2", "--from", "other", "--note", "x")
    assert "other derives from wire already, so the derivations would go round in a circle" in line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("nope", "--from", KEY_2018, "--note", "x"),
            "Error: no source 'nope'; `provenance source list` shows the keys",
        ),
        (
            (KEY_2020, "--from", "nope", "--note", "x"),
            "Error: no source 'nope'; `provenance source list` shows the keys",
        ),
        ((KEY_2020, "--from", KEY_2018), f"Error: say why '{KEY_2020}' derives from '{KEY_2018}' with --note"),
    ],
    ids=["unknown-source", "unknown-origin", "no-note"],
)
def test_bad_derivations_are_refused_and_change_nothing(
    seeded: Provenance, args: tuple[str, ...], message: str
) -> None:
    assert seeded.fails("source", "derive", *args).startswith(message)


# --- claim confidence ---------------------------------------------------------------------------------


def test_setting_a_claims_likelihood_by_hand_logs_it(seeded: Provenance, session: Session) -> None:
    result = seeded.ok("claim", "confidence", "suntech-diversion", "very unlikely", "--reason", "Denied on record")
    assert result.stdout == (
        "suntech-diversion\tlikelihood set by the analyst: very unlikely (12.5 %); "
        "computed: unlikely (41 %) from 1 independent source\n"
    )
    claim = session.scalars(select(Claim).where(Claim.key == "suntech-diversion")).one()
    assert (claim.confidence, claim.confidence_note) == (0.125, "Denied on record")
    (event,) = _events(session, "claim.confidence")
    assert (event.subject_type, event.subject_key, event.reason) == ("claim", "suntech-diversion", "Denied on record")
    assert event.before is not None and event.before["confidence"] == UNLIKELY
    assert event.before["confidence_note"].startswith("The only support is one sentence")
    assert event.after == {"confidence": 0.125, "confidence_note": "Denied on record"}
    shown = json.loads(seeded.ok("claim", "show", "suntech-diversion", "--json").stdout)
    assert shown["confidence"] == {"probability": 0.125, "term": "very unlikely"}
    assert shown["computed_confidence"]["term"] == "unlikely"


def test_clearing_a_claims_likelihood_needs_a_reason_too(seeded: Provenance, session: Session) -> None:
    result = seeded.ok(
        "claim", "confidence", "suntech-diversion", "--clear", "--reason", "Wait for the reply", "--json"
    )
    record = json.loads(result.stdout)
    assert record["confidence"] is None and record["confidence_note"] is None and record["changed"] is True
    assert record["computed_confidence"]["term"] == "unlikely"
    (event,) = _events(session, "claim.confidence")
    assert event.after == {"confidence": None, "confidence_note": None}
    assert event.reason == "Wait for the reply"
    assert "  likelihood set by the analyst: not assessed" in seeded.ok("claim", "show", "suntech-diversion").stdout


def test_setting_the_same_likelihood_and_reason_again_changes_nothing(seeded: Provenance) -> None:
    seeded.ok("claim", "confidence", "talks-may-be-called-off", "likely", "--reason", "Single-sourced")
    before = row_counts(seeded.url)
    again = seeded.ok("claim", "confidence", "talks-may-be-called-off", "0.675", "--reason", "Single-sourced")
    assert "nothing changed" in again.stderr
    assert row_counts(seeded.url) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("suntech-diversion", "likely"), "Error: say why with --reason; a likelihood set by hand for claim"),
        (("suntech-diversion", "likely", "--reason", " "), "Error: say why with --reason"),
        (("suntech-diversion", "--clear"), "Error: say why with --reason"),
        (("suntech-diversion", "likely", "--clear", "--reason", "x"), "Error: give a likelihood for claim"),
        (("suntech-diversion", "--reason", "x"), "Error: give a likelihood for claim 'suntech-diversion' (an ICD"),
        (("suntech-diversion", "maybe", "--reason", "x"), "Error: unknown likelihood 'maybe'; use an ICD 203 term"),
        (("suntech-diversion", "1.5", "--reason", "x"), "Error: likelihood '1.5' is outside 0..1"),
        (("no-such-claim", "likely", "--reason", "x"), "Error: no claim 'no-such-claim'; `provenance claim list`"),
    ],
    ids=["no-reason", "blank-reason", "clear-no-reason", "both", "neither", "bad-term", "out-of-range", "unknown"],
)
def test_bad_hand_set_likelihoods_are_refused_and_change_nothing(
    seeded: Provenance, args: tuple[str, ...], message: str
) -> None:
    assert seeded.fails("claim", "confidence", *args).startswith(message)


# --- reports: both likelihoods, and the words ---------------------------------------------------------

_CONFIDENCE_LEVEL = re.compile(r"\b(?:high|higher|moderate|medium|low|lower)[- ]confidence\b", re.IGNORECASE)
_ICD_TERM = re.compile(r"\b(?:" + "|".join(re.escape(term) for term in TERMS) + r")\b", re.IGNORECASE)


def _sentences(text: str) -> list[str]:
    """Sentences of a rendered report: split at . ! ? and line ends (blocks and list items never run on)."""
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def _html_text(document: str) -> str:
    document = re.sub(r"<style>.*?</style>", " ", document, flags=re.S)
    document = re.sub(r"</(?:p|dd|dt|li|h\d|td|th|tr|figcaption|blockquote)>", "\n", document)
    return html.unescape(re.sub(r"<[^>]+>", " ", document))


def mixed_sentences(text: str) -> list[str]:
    """Sentences that put a confidence level and an ICD 203 likelihood term together."""
    return [s for s in _sentences(text) if _CONFIDENCE_LEVEL.search(s) and _ICD_TERM.search(s)]


def test_the_scan_finds_a_sentence_mixing_confidence_and_likelihood() -> None:
    text = (
        "**Likelihood:** likely (67.5 %). We have high confidence in it.\n"
        "We judge with moderate confidence it is very likely."
    )
    assert mixed_sentences(text) == ["We judge with moderate confidence it is very likely."]
    assert mixed_sentences(_html_text("<p>Low-confidence assessment: <strong>unlikely</strong>.</p>")) == [
        "Low-confidence assessment:  unlikely ."
    ]


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_the_demo_report_never_mixes_a_confidence_level_with_a_likelihood(seeded: Provenance, fmt: str) -> None:
    seeded.ok("source", "derive", KEY_2020, "--from", KEY_2018, "--note", "May draw on the 2018 coverage")
    seeded.ok("claim", "confidence", "khan-trade-2003", "almost certain", "--reason", "Public record")
    rendered = seeded.ok("report", "--format", fmt).stdout
    text = rendered if fmt == "markdown" else _html_text(rendered)
    sentences = _sentences(text)
    assert sum(1 for s in sentences if _ICD_TERM.search(s)) > 40  # the scan reads the likelihoods
    assert mixed_sentences(text) == []


def test_reports_show_the_analysts_and_the_computed_likelihood(seeded: Provenance) -> None:
    markdown = seeded.ok("report", "--claim", SINGH).stdout
    assert "**Likelihood:** very likely (87.5 %). Both sources agree." in markdown
    assert "**Computed likelihood:** very likely (83.8 %) from 2 independent sources." in markdown.splitlines()
    page = seeded.ok("report", "--claim", SINGH, "--format", "html").stdout
    assert "<dt>Computed likelihood</dt>\n<dd>very likely (83.8 %) from 2 independent sources.</dd>" in page
    assert "<td>very likely (87.5 %)</td><td>very likely (83.8 %)</td></tr>" in page
    record = json.loads(seeded.ok("report", "--claim", SINGH, "--format", "json").stdout)
    (claim,) = record["claims"]
    assert claim["confidence"]["term"] == "very likely"
    assert claim["computed_confidence"]["probability"] == round(
        sigmoid(0.5 * lo(VERY_LIKELY) * 1.5 + 0.5 * lo(LIKELY) / 2), 4
    )


def test_a_claim_without_counted_evidence_is_not_assessed_in_reports(provenance: Provenance) -> None:
    provenance.ok("import", str(DEMO_CLAIMS))
    provenance.ok("claim", "add", "bare", "A claim with no evidence yet")
    markdown = provenance.ok("report", "--claim", "bare").stdout
    assert (
        "**Computed likelihood:** not assessed (no supporting or contradicting passage with a likelihood)."
        in markdown.splitlines()
    )
    assert json.loads(provenance.ok("claim", "show", "bare", "--json").stdout)["computed_confidence"] == {
        "probability": None,
        "term": None,
        "log_odds": 0.0,
        "independent_sources": 0,
        "evidence_counted": 0,
    }


def test_every_new_command_has_help_with_an_example(provenance: Provenance) -> None:
    for command in (("source", "rate"), ("source", "derive"), ("claim", "confidence"), ("claim", "show")):
        help_text = provenance.ok(*command, "--help").stdout
        assert "Example" in help_text, command


def test_computed_likelihood_reads_a_fixed_number_of_queries(seeded: Provenance, session: Session) -> None:
    statements: list[str] = []
    engine = session.get_bind()

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        assess_claims(session, select(Claim.id))
        few = len(statements)
        statements.clear()
        assess_claims(session, select(Claim.id).where(Claim.key == SINGH))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert few == len(statements) == 3


def test_a_long_list_of_claims_is_read_in_chunks(
    seeded: Provenance, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = assess_claims(session, select(Claim.id))
    monkeypatch.setattr(assessment_module, "_CHUNK", 5)
    ids = list(session.scalars(select(Claim.id)))
    chunked = assess_claims(session, ids)
    assert len(ids) == 12 and set(chunked) == set(whole)
    assert {k: a.log_odds for k, a in chunked.items()} == {k: a.log_odds for k, a in whole.items()}


def test_a_claim_added_with_a_likelihood_needs_its_reason(seeded: Provenance, tmp_path: Path) -> None:
    line = seeded.fails("claim", "add", "new-claim", "A new claim", "--confidence", "likely")
    assert line == (
        "Error: claim 'new-claim' has a likelihood but no reason; say why with --confidence-note "
        "(confidence_note in a claims file)"
    )
    seeded.ok("claim", "add", "new-claim", "A new claim", "--confidence", "likely", "--confidence-note", "Because")
    claims_file = tmp_path / "claims.yaml"
    claims_file.write_text("claims:\n  - key: other\n    statement: Another claim\n    confidence: likely\n")
    line = seeded.fails("import", str(claims_file))
    assert line.startswith(f"Error: {claims_file}: claims[0] (other): claim 'other' has a likelihood but no reason")
