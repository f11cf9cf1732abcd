"""`evidence add` says what the new passage did to its claim's computed likelihood, worked out as `claim show`
works it out, so that a contradicting passage rated "unlikely" (which counts for the claim) is seen at once."""

from __future__ import annotations

import json

import pytest
from conftest import Provenance

from provenance.cli import cli

SUPPORT_2018 = "India had said that its trade with North Korea was in any case"  # india-north-korea-2018
CONTRADICT_2020 = "nuclear materials"  # india-medical-aid-2020
OPPOSITE_NOTE = (
    "; note: a contradicting passage rated unlikely (32.5 %) counts for the claim, since its likelihood is that of "
    "what it says, the claim's opposite (rate it likely to count it against the claim)"
)


@pytest.fixture
def desk(seeded: Provenance) -> Provenance:
    """The demo corpus with both articles rated A, and a new claim with no evidence yet."""
    for source in ("india-north-korea-2018", "india-medical-aid-2020"):
        seeded.ok("source", "rate", source, "A", "--note", "Checked against the wire copy")
    seeded.ok("claim", "add", "trade-minimal", "India's trade with North Korea is minimal")
    return seeded


def add(desk: Provenance, source: str, quote: str, stance: str, *more: str) -> str:
    """Add a piece of evidence to trade-minimal; what it printed on stderr."""
    result = desk.ok("evidence", "add", "trade-minimal", source, "--quote", quote, "--stance", stance, *more)
    return result.stderr


def computed(desk: Provenance) -> dict[str, object]:
    shown: dict[str, object] = json.loads(desk.ok("claim", "show", "trade-minimal", "--json").stdout)
    result = shown["computed_confidence"]
    assert isinstance(result, dict)
    return result


def test_a_contradicting_passage_rated_unlikely_shows_it_raises_the_likelihood(desk: Provenance) -> None:
    first = add(desk, "india-north-korea-2018", SUPPORT_2018, "supports", "--confidence", "very likely")
    assert first == "computed likelihood of trade-minimal: not assessed -> very likely (87.5 %)\n"
    second = add(desk, "india-medical-aid-2020", CONTRADICT_2020, "contradicts", "--confidence", "unlikely")
    # 1.946 + 0.731 (the sign of a contradicting passage turned round) = 2.677: 93.6 %, as claim show says
    assert second == (
        f"computed likelihood of trade-minimal: very likely (87.5 %) -> very likely (93.6 %){OPPOSITE_NOTE}\n"
    )
    assert computed(desk)["probability"] == 0.9356


def test_a_contradicting_passage_rated_likely_lowers_it_without_a_note(desk: Provenance) -> None:
    add(desk, "india-north-korea-2018", SUPPORT_2018, "supports", "--confidence", "very likely")
    line = add(desk, "india-medical-aid-2020", CONTRADICT_2020, "contradicts", "--confidence", "likely")
    # 1.946 - 0.731 = 1.215
    assert line == "computed likelihood of trade-minimal: very likely (87.5 %) -> likely (77.1 %)\n"
    assert computed(desk)["probability"] == 0.7712


def test_a_supporting_passage_rated_unlikely_says_it_counts_against(desk: Provenance) -> None:
    line = add(desk, "india-north-korea-2018", SUPPORT_2018, "supports", "--confidence", "very unlikely")
    assert line == (
        "computed likelihood of trade-minimal: not assessed -> very unlikely (12.5 %); note: a supporting passage "
        "rated very unlikely (12.5 %) counts against the claim, since its likelihood is that of what it says\n"
    )


@pytest.mark.parametrize(
    ("extra", "why"),
    [
        (("--stance", "mentions"), "only mentions the claim"),
        (("--stance", "supports"), "has no likelihood"),
    ],
)
def test_a_passage_that_counts_nothing_leaves_it_unchanged_and_says_why(
    desk: Provenance, extra: tuple[str, ...], why: str
) -> None:
    add(desk, "india-north-korea-2018", SUPPORT_2018, "supports", "--confidence", "likely")
    result = desk.ok("evidence", "add", "trade-minimal", "india-medical-aid-2020", "--quote", CONTRADICT_2020, *extra)
    assert result.stderr == (
        f"computed likelihood of trade-minimal: unchanged, likely (67.5 %) (this passage {why}, so it counts nothing)\n"
    )


def test_the_effect_goes_to_stderr_beside_json(desk: Provenance) -> None:
    result = desk.ok(
        "evidence",
        "add",
        "trade-minimal",
        "india-north-korea-2018",
        "--quote",
        SUPPORT_2018,
        "--stance",
        "supports",
        "--confidence",
        "likely",
        "--json",
    )
    assert json.loads(result.stdout)["confidence"]["term"] == "likely"
    assert result.stderr == "computed likelihood of trade-minimal: not assessed -> likely (67.5 %)\n"


def test_evidence_for_an_unknown_claim_is_still_one_error_line(desk: Provenance) -> None:
    line = desk.fails(
        "evidence", "add", "no-such-claim", "india-north-korea-2018", "--quote", SUPPORT_2018, "--stance", "supports"
    )
    assert line.startswith("Error: no claim 'no-such-claim'")


def test_the_confidence_help_says_what_a_contradicting_passage_is_rated_on() -> None:
    command = cli.commands["evidence"].commands["add"]  # type: ignore[attr-defined]
    (option,) = [p for p in command.params if p.name == "confidence"]
    assert "For a contradicting passage that is the likelihood of the claim's opposite" in option.help
    assert "rate it likely if it counts against the claim" in option.help
