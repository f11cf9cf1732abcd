"""Passages suggested for a claim: found by its words, entities and aliases, ranked the same on both backends,
marked when already cited, flagged when they look like they disagree."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Provenance

SINGH = "singh-first-visit-in-two-decades"
MORE_AID = "India on Friday extended medical assistance worth $ 1.5 million to North Korea, officials said."


def test_the_passages_cited_for_a_claim_rank_first_and_are_marked(seeded: Provenance) -> None:
    found = json.loads(seeded.ok("suggest", SINGH, "--limit", "5", "--json").stdout)
    assert len(found) == 5
    # The same places and scores on SQLite and PostgreSQL: the ranking is computed by provenance, not the engine.
    assert [(f["source"], f["passage"]["char_start"], f["score"]) for f in found[:3]] == [
        ("india-medical-aid-2020", 1396, 32.0417),
        ("india-medical-aid-2020", 1180, 23.5438),
        ("india-north-korea-2018", 993, 12.0644),
    ]
    assert [f["cited_as"] for f in found[:3]] == [["supports"]] * 3
    assert [f["cited_as"] for f in found[3:]] == [[], []]
    assert all(f["passage"]["kind"] == "sentence" for f in found)
    assert "Mukhtar Abbas Naqvi" in found[0]["matched"] and "1998" in found[0]["matched"]
    assert [f["score"] for f in found] == sorted((f["score"] for f in found), reverse=True)
    text = seeded.ok("suggest", SINGH, "--limit", "1").stdout.splitlines()
    assert text[0] == "32.042  india-medical-aid-2020 (2020-07-25), paragraph 6, sentence 2, characters 1396–1500"
    assert text[-1] == "    [cited: supports]"


def test_a_passage_that_disagrees_with_the_claim_is_flagged(seeded: Provenance, tmp_path: Path) -> None:
    article = tmp_path / "aid-report.txt"
    article.write_text(f"Title: Aid to North Korea\n\n{MORE_AID}\n", encoding="utf-8")
    seeded.ok("source", "add", str(article))
    found = json.loads(seeded.ok("suggest", "india-medical-aid-2020", "--json").stdout)
    [other] = [f for f in found if f["source"] == "aid-report"]
    assert other["cited_as"] == []
    assert other["disagreement"] == {
        "kind": "numeric",
        "reason": "$ 1 million against $ 1.5 million",
        "score": other["disagreement"]["score"],
        "with": "india-medical-aid-2020 0–76",
    }
    assert 0 < other["disagreement"]["score"] <= 1
    shown = " ".join(seeded.ok("suggest", "india-medical-aid-2020").stdout.split())
    assert "[may disagree (numeric): $ 1 million against $ 1.5 million – against india-medical-aid-2020 0–76]" in shown


def test_an_alias_of_an_entity_finds_passages_naming_it_so(seeded: Provenance, tmp_path: Path) -> None:
    article = tmp_path / "kcna.txt"
    article.write_text("Title: Statement\n\nThe DPRK reported a bumper harvest this autumn.\n", encoding="utf-8")
    seeded.ok("source", "add", str(article))
    before = json.loads(seeded.ok("suggest", "india-nk-trade-minimal", "--limit", "100", "--json").stdout)
    assert "kcna" not in {f["source"] for f in before}
    seeded.ok("entity", "alias", "North Korea", "DPRK")
    after = json.loads(seeded.ok("suggest", "india-nk-trade-minimal", "--limit", "100", "--json").stdout)
    [found] = [f for f in after if f["source"] == "kcna"]
    assert found["matched"] == ["DPRK"]


def test_bad_suggest_requests_say_what_to_do(seeded: Provenance) -> None:
    assert (
        seeded.fails("suggest", "no-such-claim")
        == "Error: no claim 'no-such-claim'; `provenance claim list` shows the keys"
    )
    assert seeded.fails("suggest", SINGH, "--limit", "0", code=2).startswith(
        "Error: Invalid value for '--limit': 0 is not in the range 1<=x<=1000000."
    )
