"""Evidence `reanchor` left on an older version of its source (orphaned) is shown with the reason it was not carried
over, in `claim show` (text and --json), `evidence list --json` and the Markdown, HTML and JSON reports; evidence
merely resting on a superseded version is still offered the `reanchor` command that carries it over."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import Provenance

RISE = "Household energy bills are set to rise 12% in April, the regulator said on Tuesday."
BACKGROUND = (
    "The increase follows a rise in wholesale gas prices over the winter, which suppliers say they can no longer "
    "absorb. Consumer groups warned that millions of families would struggle to heat their homes this year. "
    "Suppliers have been told to publish their new tariffs at least a month before they apply."
)
CAP = "The cap will be reviewed again in July, when a further change is expected to follow."
BILLS = f"Title: Bills\n\n{RISE}\n\n{BACKGROUND}\n\n{CAP}\n"
# the correction: 12% becomes 9.4%, and the sentence on the cap's review is gone
BILLS_2 = f"Title: Bills\n\n{RISE.replace('12%', '9.4%')}\n\n{BACKGROUND}\n"

ENGINEERS = "The company employs 450 engineers at the plant in Derby."
OPENED = "The plant opened on 3 March 2019 after two years of building and is the largest of its kind in the region."
PLANT = f"Title: Plant\n\n{ENGINEERS} {OPENED}\n"
PLANT_2 = f"{PLANT}\nA spokesperson said the company had no plans to close it.\n"

QUOTE = "bills are set to rise 12%"
CHANGED = "the close match in bills@2 changes 12% to 9.4%"
GONE = "the passage is no longer in bills@2: the closest text, "


@pytest.fixture
def desk(provenance: Provenance, tmp_path: Path) -> Provenance:
    """Claim `bills-rise` cites a figure a newer version corrects (orphaned by reanchor), a sentence the newer
    version drops (orphaned too) and a plant's article that has a newer version not yet reanchored to."""
    bills, plant = tmp_path / "bills.txt", tmp_path / "plant.txt"
    bills.write_text(BILLS, encoding="utf-8")
    plant.write_text(PLANT, encoding="utf-8")
    provenance.ok("source", "add", str(bills), "--key", "bills")
    provenance.ok("source", "add", str(plant), "--key", "plant")
    provenance.ok("claim", "add", "bills-rise", "Energy bills will rise by less than 10% in April")
    provenance.ok("evidence", "add", "bills-rise", "bills", "--quote", QUOTE, "--stance", "contradicts")
    provenance.ok("evidence", "add", "bills-rise", "bills", "--quote", CAP, "--stance", "mentions")
    provenance.ok("evidence", "add", "bills-rise", "plant", "--quote", ENGINEERS, "--stance", "supports")
    bills.write_text(BILLS_2, encoding="utf-8")
    assert provenance.ok("source", "add", str(bills)).stdout.startswith("bills@2\tnew version 2")
    plant.write_text(PLANT_2, encoding="utf-8")
    assert provenance.ok("source", "add", str(plant)).stdout.startswith("plant@2\tnew version 2")
    left = provenance.ok("reanchor", "bills", "bills@2")
    assert left.stderr == "2 evidence on bills: 0 moved to bills@2, 0 moved for review, 2 orphaned (left on bills)\n"
    return provenance


def shown(desk: Provenance) -> dict[str, dict[str, Any]]:
    """The claim's evidence in `claim show --json`, by the quote."""
    record = json.loads(desk.ok("claim", "show", "bills-rise", "--json").stdout)
    cited = [*record["supporting"], *record["contradicting"]["passages"], *record["mentioning"]]
    return {c["quote"]: c for c in cited}


def test_claim_show_gives_the_reason_instead_of_offering_reanchor(desk: Provenance) -> None:
    text = desk.ok("claim", "show", "bills-rise").stdout
    words = " ".join(text.split())
    assert f"on superseded version bills (latest bills@2); not carried to the newer version: {CHANGED} " in words
    assert f"on superseded version bills (latest bills@2); not carried to the newer version: {GONE}" in words
    # the merely superseded piece is offered the command; the orphaned ones, which it left, are not
    assert (
        "on superseded version plant (latest plant@2); `provenance reanchor plant plant@2` carries the evidence over"
        in words
    )
    assert words.count("`provenance reanchor") == 1
    assert "provenance reanchor bills" not in words
    # each reason stands under its own quote
    contradicting = words[words.index("Contradicting statements") : words.index("Mentioned in")]
    assert QUOTE in contradicting and CHANGED in contradicting and GONE not in contradicting
    supporting = words[words.index("Supporting evidence") : words.index("Contradicting statements")]
    assert "not carried" not in supporting and "plant plant@2" in supporting


def test_claim_show_json_and_evidence_list_carry_the_reason(desk: Provenance) -> None:
    by_quote = shown(desk)
    rise, cap, engineers = by_quote[QUOTE], by_quote[CAP], by_quote[ENGINEERS]
    assert (rise["source"], rise["latest_version"], rise["orphaned_reason"]) == ("bills", "bills@2", CHANGED)
    assert (cap["source"], cap["latest_version"]) == ("bills", "bills@2")
    assert cap["orphaned_reason"].startswith(GONE)
    assert (engineers["source"], engineers["latest_version"], engineers["orphaned_reason"]) == (
        "plant",
        "plant@2",
        None,
    )

    listed = {e["quote"]: e for e in json.loads(desk.ok("evidence", "list", "--json").stdout)}
    assert {quote: e["orphaned_reason"] for quote, e in listed.items()} == {
        QUOTE: CHANGED,
        CAP: cap["orphaned_reason"],
        ENGINEERS: None,
    }
    assert listed[ENGINEERS]["orphaned_at"] is None
    # marked when reanchor left it: after the evidence was recorded, and not in the future
    for quote in (QUOTE, CAP):
        at = dt.datetime.fromisoformat(listed[quote]["orphaned_at"])
        assert at.tzinfo is not None
        assert dt.datetime.fromisoformat(listed[quote]["created_at"]) <= at <= dt.datetime.now(dt.UTC)


def test_json_report_carries_the_reason(desk: Provenance) -> None:
    report = json.loads(desk.ok("report", "--format", "json").stdout)
    [claim] = report["claims"]
    [rise] = claim["contradicting"]["passages"]
    [cap] = claim["mentioning"]
    [engineers] = claim["supporting"]
    assert (rise["quote"], rise["latest_version"], rise["orphaned_reason"]) == (QUOTE, "bills@2", CHANGED)
    assert (cap["quote"], cap["latest_version"]) == (CAP, "bills@2") and cap["orphaned_reason"].startswith(GONE)
    assert (engineers["latest_version"], engineers["orphaned_reason"]) == ("plant@2", None)
    # the same records as `claim show --json`
    assert [rise, cap, engineers] == [shown(desk)[q] for q in (QUOTE, CAP, ENGINEERS)]


def figures(html: str) -> list[str]:
    """The evidence figures of the HTML report, in the order they stand."""
    return re.findall(r'<figure class="evidence[^"]*">.*?</figure>', html, flags=re.DOTALL)


def test_html_report_says_why_beside_the_quote(desk: Provenance) -> None:
    html = desk.ok("report", "--format", "html").stdout
    [engineers, rise, cap] = figures(html)  # supporting, contradicting, mentioned: the report's order
    superseded = '<p class="superseded"><span class="label">On superseded version</span> {} (latest {}).</p>'
    label = '<p class="orphaned"><span class="label">Not carried to the newer version:</span> '
    assert superseded.format("bills", "bills@2") in rise and f"{label}{CHANGED}.</p>" in rise
    # the words the claim was checked against are quoted, not the corrected ones
    quoted = rise[: rise.index("</blockquote>")]
    assert "rise 12%" in quoted and "9.4%" not in quoted
    # the reason is the source's words, escaped: the closest text is quoted with apostrophes
    [reason] = re.findall(re.escape(label) + r"(.*?)</p>", cap)
    assert reason.startswith(GONE + "&#39;") and "'" not in reason
    assert superseded.format("plant", "plant@2") in engineers and 'class="orphaned"' not in engineers
    assert html.count('class="orphaned"') == 2
    # the Markdown report says the same
    markdown = desk.ok("report").stdout
    assert f"On superseded version bills (latest bills@2). **Not carried to the newer version:** {CHANGED}." in (
        markdown
    )
    assert markdown.count("**Not carried to the newer version:**") == 2
