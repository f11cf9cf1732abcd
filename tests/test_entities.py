"""Entities: aliases that stand for their entity wherever a name is given, removing aliases, merging entities."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import Provenance, row_counts
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from provenance.claims import add_claim, list_claims
from provenance.entities import (
    add_aliases,
    close_names,
    find_entities,
    get_entity,
    list_entities,
    merge_entities,
    remove_alias,
)
from provenance.errors import Conflict, Invalid, NotFound
from provenance.models import Entity, EntityAlias, Event, claim_entity

NORTH_KOREA_CLAIMS = 12  # demo claims about North Korea


def entity_json(provenance: Provenance, name: str) -> dict[str, Any]:
    data = json.loads(provenance.ok("entity", "show", name, "--json").stdout)
    assert isinstance(data, dict)
    return data


def claim_keys(provenance: Provenance, *args: str) -> list[str]:
    return [c["key"] for c in json.loads(provenance.ok("claim", "list", *args, "--json").stdout)]


def entity_events(session: Session) -> list[Event]:
    return list(session.scalars(select(Event).where(Event.subject_type == "entity").order_by(Event.id)))


@pytest.fixture
def aliased(seeded: Provenance) -> Provenance:
    """The demo corpus with North Korea also known as DPRK and Pyongyang."""
    seeded.ok("entity", "alias", "North Korea", "DPRK", "Pyongyang", "--reason", "names the articles use")
    return seeded


# --- aliases stand for their entity ---------------------------------------------------------------------


def test_an_alias_finds_the_claims_about_its_entity(aliased: Provenance) -> None:
    by_name = claim_keys(aliased, "--about", "North Korea")
    assert len(by_name) == NORTH_KOREA_CLAIMS
    assert claim_keys(aliased, "--about", "Pyongyang") == by_name
    assert claim_keys(aliased, "--about", "dprk") == by_name


def test_claim_add_about_an_alias_links_the_entity_instead_of_making_one(aliased: Provenance) -> None:
    before = row_counts(aliased.url)
    claim = json.loads(
        aliased.ok(
            "claim", "add", "dprk-claim", "A claim", "--about", "DPRK", "--about", "north  korea", "--json"
        ).stdout
    )
    assert claim["about"] == ["North Korea"]
    after = row_counts(aliased.url)
    assert after["entity"] == before["entity"]
    assert after["claim_entity"] == before["claim_entity"] + 1  # DPRK and North Korea: one entity, one link
    assert "dprk-claim" in claim_keys(aliased, "--about", "Pyongyang")


def test_a_report_about_an_alias_selects_the_entitys_claims(aliased: Provenance) -> None:
    report = aliased.ok("report", "--format", "json", "--about", "Pyongyang").stdout
    keys = [c["key"] for c in json.loads(report)["claims"]]
    assert keys == claim_keys(aliased, "--about", "North Korea")


def test_whole_words_of_a_name_or_an_alias_find_the_entity(session: Session) -> None:
    add_claim(session, "khan", "A claim", about=["Abdul Qadeer Khan"])
    add_claim(session, "suntech", "Another", about=["Suntech Technology Company", "North Korea"])
    add_aliases(session, "Abdul Qadeer Khan", ["A. Q. Khan"])
    assert [e.name for e in find_entities(session, "Suntech")] == ["Suntech Technology Company"]
    assert [e.name for e in find_entities(session, "q.  KHAN")] == ["Abdul Qadeer Khan"]  # only in the alias
    assert [e.name for e in find_entities(session, "a. q. khan")] == ["Abdul Qadeer Khan"]
    assert find_entities(session, "Qadee") == [] and find_entities(session, "") == []
    assert [c.key for c in list_claims(session, "Q. Khan")] == ["khan"]


def test_an_unaliased_name_is_free_for_a_new_entity(aliased: Provenance) -> None:
    line = aliased.ok("entity", "unalias", "Pyongyang", "--reason", "the city, not the state").stdout
    assert line == f"North Korea (also: DPRK): {NORTH_KOREA_CLAIMS} claims\n"
    aliased.ok("claim", "add", "capital", "The capital hosted a film festival", "--about", "Pyongyang")
    assert entity_json(aliased, "Pyongyang")["name"] == "Pyongyang"
    assert claim_keys(aliased, "--about", "Pyongyang") == ["capital"]


# --- listing and showing --------------------------------------------------------------------------------


def test_entity_list_gives_names_aliases_and_claim_counts(aliased: Provenance) -> None:
    listed = json.loads(aliased.ok("entity", "list", "--json").stdout)
    assert [e["name"] for e in listed] == sorted((e["name"] for e in listed), key=str.casefold)
    by_name = {e["name"]: e for e in listed}
    assert by_name["North Korea"] == {"name": "North Korea", "aliases": ["DPRK", "Pyongyang"], "claim_count": 12}
    assert by_name["Abdul Qadeer Khan"] == {"name": "Abdul Qadeer Khan", "aliases": [], "claim_count": 2}
    table = aliased.ok("entity", "list").stdout.splitlines()
    assert table[0].split() == ["name", "aliases", "claims"]
    assert [line.split() for line in table if line.startswith("North Korea")] == [
        ["North", "Korea", "DPRK,", "Pyongyang", "12"]
    ]


def test_entity_show_by_alias_or_whole_words_lists_its_claims(aliased: Provenance) -> None:
    shown = entity_json(aliased, "pyongyang")
    assert (shown["name"], shown["aliases"]) == ("North Korea", ["DPRK", "Pyongyang"])
    assert isinstance(shown["claims"], list) and len(shown["claims"]) == NORTH_KOREA_CLAIMS
    suntech = entity_json(aliased, "Suntech")
    assert suntech["claims"] == [
        {
            "key": "suntech-diversion",
            "statement": "Nuclear materials that China's Suntech Technology Company supplied to the Pakistan Atomic "
            "Energy Commission were diverted to North Korea",
            "status": "unstarted",
            "verdict": None,
            "about": [
                "China",
                "North Korea",
                "Pakistan",
                "Pakistan Atomic Energy Commission",
                "Suntech Technology Company",
            ],
        }
    ]
    text = aliased.ok("entity", "show", "DPRK").stdout.splitlines()
    assert text[:3] == ["North Korea", "  aliases: DPRK, Pyongyang", f"  claims:  {NORTH_KOREA_CLAIMS}"]
    assert text[6].startswith("dprk-denuclearisation-willingness  unstarted  North Korea (the DPRK) is willing")


def test_entity_show_of_words_in_several_names_asks_for_one(seeded: Provenance) -> None:
    seeded.ok("claim", "add", "south", "A claim about the South", "--about", "South Korea")
    line = seeded.fails("entity", "show", "korea")
    assert line == "Error: 'korea' is part of 2 entities' names: North Korea, South Korea; give one of them"


def test_entity_list_on_an_empty_database_says_how_entities_are_made(provenance: Provenance) -> None:
    assert provenance.ok("entity", "list").stdout.startswith("No entities yet: `provenance claim add")
    assert json.loads(provenance.ok("entity", "list", "--json").stdout) == []
    line = provenance.fails("entity", "show", "North Korea", code=1)
    assert line == (
        "Error: no entity 'North Korea'; there are no entities yet; `provenance claim add KEY STATEMENT --about "
        "NAME` makes one"
    )


# --- bad input: one line, nothing written ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("North Korea", "  "), "Error: an alias is empty; give a name such as 'DPRK'"),
        (("North Korea", "Juche", ""), "Error: an alias is empty; give a name such as 'DPRK'"),
        (("North Korea", "dprk"), "Error: 'DPRK' is already an alias of 'North Korea'"),
        (
            ("North Korea", "north  KOREA"),
            "Error: 'North Korea' is already the entity's name; an alias is another name for it",
        ),
        (
            ("North Korea", "Juche", "Pakistan"),
            "Error: 'Pakistan' is the name of another entity; if they are one, merge it: `provenance entity merge "
            "Pakistan 'North Korea' --reason WHY`",
        ),
        (
            ("Pakistan", "Islamabad", "Pyongyang"),
            "Error: 'Pyongyang' is already an alias of 'North Korea'; remove it there first (`provenance entity "
            "unalias Pyongyang`) or merge the two entities",
        ),
        (("North Korea", "x" * 201), "Error: an alias 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'... is 201"),
        (
            ("Nort Korea", "Juche"),
            "Error: no entity 'Nort Korea'; close names: North Korea (`provenance entity list` shows them all)",
        ),
    ],
)
def test_an_alias_that_cannot_be_given_is_refused(aliased: Provenance, args: tuple[str, ...], message: str) -> None:
    assert aliased.fails("entity", "alias", *args).startswith(message)
    assert entity_json(aliased, "North Korea")["aliases"] == ["DPRK", "Pyongyang"]


@pytest.mark.parametrize(
    ("alias", "message"),
    [
        (
            "north korea",
            "Error: 'North Korea' is an entity's name, not an alias, and stays; to retire it, merge the entity "
            "into another (`provenance entity merge FROM INTO --reason WHY`)",
        ),
        ("Pyongyng", "Error: no alias 'Pyongyng'; close names: Pyongyang (North Korea)"),
        ("", "Error: an alias is empty; give a name such as 'DPRK'"),
    ],
)
def test_an_alias_that_cannot_be_removed_is_refused(aliased: Provenance, alias: str, message: str) -> None:
    assert aliased.fails("entity", "unalias", alias).startswith(message)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("North Korea", "north korea", "--reason", "same"),
            "Error: cannot merge 'North Korea' into itself; name two different entities",
        ),
        (
            ("DPRK", "North Korea", "--reason", "same"),
            "Error: cannot merge 'North Korea' into itself ('DPRK' and 'North Korea' both name it); name two "
            "different entities",
        ),
        (
            ("Narnia", "North Korea", "--reason", "same"),
            "Error: no entity 'Narnia'; `provenance entity list` shows the names and aliases",
        ),
        (
            ("Pakistan", "Chna", "--reason", "same"),
            "Error: no entity 'Chna'; close names: China (`provenance entity list` shows them all)",
        ),
        (
            ("Pakistan", "China", "--reason", "   "),
            "Error: say why the two entities are one with --reason, e.g. --reason 'DPRK is North Korea'",
        ),
    ],
)
def test_a_merge_that_cannot_be_made_is_refused(aliased: Provenance, args: tuple[str, ...], message: str) -> None:
    assert aliased.fails("entity", "merge", *args) == message


def test_a_merge_without_a_reason_is_a_usage_mistake(aliased: Provenance) -> None:
    line = aliased.fails("entity", "merge", "Pakistan", "China", code=2)
    assert line.startswith("Error: Missing option '--reason'.")


def test_close_names_offer_near_spellings_and_whole_word_matches(aliased: Provenance, session: Session) -> None:
    assert close_names(session, "Suntech") == ["Suntech Technology Company"]
    assert close_names(session, "Pyongyng") == ["Pyongyang (North Korea)"]
    assert close_names(session, "Atlantis") == []
    with pytest.raises(
        NotFound, match=r"^no entity 'World Health Organization'; close names: World Health Organisation"
    ):
        get_entity(session, "World  Health Organization")


# --- merging --------------------------------------------------------------------------------------------


def test_merge_moves_claims_and_aliases_and_keeps_the_name_as_an_alias(seeded: Provenance, session: Session) -> None:
    seeded.ok("claim", "add", "dprk-only", "A claim about the DPRK", "--about", "DPRK")
    seeded.ok("claim", "add", "both", "A claim about both", "--about", "DPRK", "--about", "North Korea")
    seeded.ok("entity", "alias", "DPRK", "Democratic People's Republic of Korea")
    before = row_counts(seeded.url)

    line = seeded.ok("entity", "merge", "dprk", "North Korea", "--reason", "the DPRK is North Korea").stdout

    assert line == f"North Korea (also: Democratic People's Republic of Korea, DPRK): {NORTH_KOREA_CLAIMS + 2} claims\n"
    after = row_counts(seeded.url)
    assert after["entity"] == before["entity"] - 1
    assert after["claim_entity"] == before["claim_entity"] - 1  # "both" is now about North Korea once
    assert after["entity_alias"] == before["entity_alias"] + 1
    assert session.scalar(select(func.count()).select_from(Entity).where(Entity.name == "DPRK")) == 0
    links = session.execute(select(claim_entity.c.claim_id, claim_entity.c.entity_id)).all()
    assert len(links) == len(set(links))
    shown = entity_json(seeded, "Democratic People's Republic of Korea")
    assert shown["aliases"] == ["Democratic People's Republic of Korea", "DPRK"]
    keys = [c["key"] for c in shown["claims"]]
    assert "both" in keys and "dprk-only" in keys and len(keys) == NORTH_KOREA_CLAIMS + 2
    assert claim_keys(seeded, "--about", "DPRK") == keys

    seeded.ok("claim", "add", "later", "A later claim", "--about", "DPRK")
    assert json.loads(seeded.ok("claim", "show", "later", "--json").stdout)["about"] == ["North Korea"]
    assert row_counts(seeded.url)["entity"] == after["entity"]


def test_merge_is_a_change_of_each_claim_it_moves(seeded: Provenance) -> None:
    seeded.ok("claim", "add", "dprk-only", "A claim about the DPRK", "--about", "DPRK")
    seeded.ok("claim", "add", "korea-only", "A claim about North Korea", "--about", "North Korea")

    def version(key: str) -> int:
        return int(json.loads(seeded.ok("claim", "show", key, "--json").stdout)["version"])

    moved, stayed = version("dprk-only"), version("korea-only")
    seeded.ok("entity", "merge", "DPRK", "North Korea", "--reason", "the DPRK is North Korea")
    assert version("dprk-only") == moved + 1  # --expect-version from before the merge is refused
    assert version("korea-only") == stayed


def test_merge_is_logged_with_both_entities_before_and_after_and_the_reason(
    provenance: Provenance, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROVENANCE_USER", "checker")
    provenance.ok("claim", "add", "a", "About the DPRK", "--about", "DPRK")
    provenance.ok("claim", "add", "b", "About North Korea", "--about", "North Korea")
    provenance.ok("claim", "add", "c", "About both", "--about", "DPRK", "--about", "North Korea")
    provenance.ok("entity", "alias", "North Korea", "Pyongyang", "--reason", "the capital stands for the state")
    provenance.ok("entity", "alias", "DPRK", "Juche state")
    provenance.ok("entity", "merge", "DPRK", "Pyongyang", "--reason", "the  DPRK is\nNorth Korea")
    provenance.ok("entity", "unalias", "Juche state")

    logged = [(e.action, e.subject_key, e.before, e.after, e.reason, e.actor) for e in entity_events(session)]
    assert logged == [
        ("entity.add", "DPRK", None, {"name": "DPRK"}, None, "checker"),
        ("entity.add", "North Korea", None, {"name": "North Korea"}, None, "checker"),
        (
            "entity.alias",
            "North Korea",
            {"name": "North Korea", "aliases": []},
            {"name": "North Korea", "aliases": ["Pyongyang"]},
            "the capital stands for the state",
            "checker",
        ),
        (
            "entity.alias",
            "DPRK",
            {"name": "DPRK", "aliases": []},
            {"name": "DPRK", "aliases": ["Juche state"]},
            None,
            "checker",
        ),
        (
            "entity.merge",
            "DPRK",
            {
                "from": {"name": "DPRK", "aliases": ["Juche state"], "claims": ["a", "c"]},
                "into": {"name": "North Korea", "aliases": ["Pyongyang"], "claims": ["b", "c"]},
            },
            {
                "into": {
                    "name": "North Korea",
                    "aliases": ["DPRK", "Juche state", "Pyongyang"],
                    "claims": ["a", "b", "c"],
                }
            },
            "the DPRK is North Korea",
            "checker",
        ),
        (
            "entity.unalias",
            "North Korea",
            {"name": "North Korea", "aliases": ["DPRK", "Juche state", "Pyongyang"]},
            {"name": "North Korea", "aliases": ["DPRK", "Pyongyang"]},
            None,
            "checker",
        ),
    ]


def test_domain_functions_refuse_bad_input_before_writing(session: Session) -> None:
    add_claim(session, "a", "A claim", about=["North Korea", "Pakistan"])
    add_aliases(session, "North Korea", ["DPRK"])
    session.commit()
    events_before = session.scalar(select(func.count()).select_from(Event))
    with pytest.raises(Conflict, match="'DPRK' is already an alias of 'North Korea'"):
        add_aliases(session, "Pakistan", ["Islamabad", "DPRK"])
    with pytest.raises(Invalid, match="no alias given for 'Pakistan'"):
        add_aliases(session, "Pakistan", [])
    with pytest.raises(Invalid, match="into itself"):
        merge_entities(session, "DPRK", "North Korea", reason="same")
    with pytest.raises(Invalid, match="an entity's name, not an alias"):
        remove_alias(session, "Pakistan")
    with pytest.raises(Invalid, match="an entity name is empty"):
        add_claim(session, "b", "Another", about=["  "])
    session.flush()
    assert session.scalars(select(EntityAlias.name)).all() == ["DPRK"]
    assert session.scalar(select(func.count()).select_from(Event)) == events_before
    assert [(s.name, s.aliases, s.claims) for s in list_entities(session)] == [
        ("North Korea", ["DPRK"], 1),
        ("Pakistan", [], 1),
    ]


# --- claims files ---------------------------------------------------------------------------------------

CLAIMS_WITH_ALIASES = """
entities:
  - name: North Korea
    aliases: [DPRK, Pyongyang]
  - name: Abdul Qadeer Khan
    aliases: [A. Q. Khan]
claims:
  - key: {key}
    statement: A. Q. Khan traded nuclear know-how with North Korea
    about: [A. Q. Khan, Pyongyang, dprk]
"""


def test_a_claims_file_names_entities_with_aliases_that_its_claims_may_use(
    provenance: Provenance, tmp_path: Path
) -> None:
    first = tmp_path / "first.yaml"
    first.write_text(CLAIMS_WITH_ALIASES.format(key="khan-trade"), encoding="utf-8")
    provenance.ok("import", str(first))
    about = json.loads(provenance.ok("claim", "list", "--json").stdout)[0]["about"]
    assert about == ["Abdul Qadeer Khan", "North Korea"]
    listed = json.loads(provenance.ok("entity", "list", "--json").stdout)
    assert listed == [
        {"name": "Abdul Qadeer Khan", "aliases": ["A. Q. Khan"], "claim_count": 1},
        {"name": "North Korea", "aliases": ["DPRK", "Pyongyang"], "claim_count": 1},
    ]
    # Another file naming the same entities and aliases adds its claims and leaves the aliases as they are.
    second = tmp_path / "second.yaml"
    second.write_text(CLAIMS_WITH_ALIASES.format(key="khan-trade-again"), encoding="utf-8")
    before = row_counts(provenance.url)
    provenance.ok("import", str(second))
    after = row_counts(provenance.url)
    assert (after["entity"], after["entity_alias"], after["claim"]) == (2, 3, before["claim"] + 1)
    assert json.loads(provenance.ok("entity", "list", "--json").stdout)[1]["claim_count"] == 2


@pytest.mark.parametrize(
    ("entities", "message"),
    [
        (
            "  - name: North Korea\n    aliases: [DPRK]\n  - name: Pakistan\n    aliases: [dprk]\n",
            "entities[1] (Pakistan): 'DPRK' is already an alias of 'North Korea'",
        ),
        ("  - name: North Korea\n    aliases: ['  ']\n", "entities[0] (North Korea): an alias is empty"),
        ("  - name: ''\n", "entities[0] (): an entity name is empty"),
        ("  - aliases: [DPRK]\n", "entities[0].name: missing; an entity needs a name"),
        (
            "  - name: North Korea\n    alias: [DPRK]\n",
            "entities[0].alias: not a field of an entity; did you mean aliases?",
        ),
    ],
)
def test_a_claims_file_with_a_bad_entity_is_refused_whole(
    provenance: Provenance, tmp_path: Path, entities: str, message: str
) -> None:
    path = tmp_path / "claims.yaml"
    claims = "claims:\n  - key: a\n    statement: A claim\n    about: [North Korea]\n"
    path.write_text(f"entities:\n{entities}{claims}", encoding="utf-8")
    line = provenance.fails("import", str(path))
    assert line.startswith(f"Error: {path}")
    assert message in line


# --- bundles --------------------------------------------------------------------------------------------


def test_aliases_go_into_a_bundle_and_come_back(aliased: Provenance, tmp_path: Path) -> None:
    aliased.ok("entity", "alias", "Abdul Qadeer Khan", "A. Q. Khan")
    bundle = tmp_path / "desk.json"
    aliased.ok("export", "bundle", "-o", str(bundle))
    listed = aliased.ok("entity", "list", "--json").stdout
    counts = row_counts(aliased.url)
    assert counts["entity_alias"] == 3

    aliased.ok("db", "downgrade", "base", "--yes")
    aliased.ok("init")
    assert row_counts(aliased.url)["entity_alias"] == 0
    loaded = aliased.ok("import", str(bundle)).stdout
    assert "3 entity aliases" in loaded

    assert row_counts(aliased.url) == counts
    assert aliased.ok("entity", "list", "--json").stdout == listed
    assert len(claim_keys(aliased, "--about", "Pyongyang")) == NORTH_KOREA_CLAIMS
    aliased.ok("entity", "alias", "Pakistan", "Islamabad")  # new ids follow the imported ones
    assert row_counts(aliased.url)["entity_alias"] == 4
