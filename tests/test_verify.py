"""`provenance verify`: every link checked, each kind of damage made by hand in the database (as another tool
could) and reported on one line with what was expected, what was found and what to do."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import pytest
from conftest import Provenance, row_counts
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from provenance import db

KEY_2018 = "india-north-korea-2018"
KEY_2020 = "india-medical-aid-2020"
CLEAN = "checked 2 sources, 73 passages, 12 claims, 23 evidence, 1 contradiction, 53 events: no problems"
HEAD = re.compile(r"log head [0-9a-f]{64} \(event [0-9,]+ of the chain; chained since the log began\)")
REAL = "India on Friday extended medical assistance worth $ 1 million to North Korea"
SUNTECH_PARTS = ("certain nuclear materials supplied to Pakistan Atomic Energy Commission", "were being diverted")


def tamper(url: str, *statements: str, **values: Any) -> None:
    """Run SQL on the database as another tool would: foreign keys off (SQLite) or not enforced (PostgreSQL:
    replication role), committed."""
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
            else:
                connection.exec_driver_sql("SET session_replication_role = replica")
            for statement in statements:
                connection.execute(text(statement), values)
            connection.commit()
    finally:
        engine.dispose()


def query(url: str, statement: str, **values: Any) -> list[Any]:
    engine = db.make_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(text(statement), values))
    finally:
        engine.dispose()


def one(url: str, statement: str, **values: Any) -> Any:
    [row] = query(url, statement, **values)
    return row


def problems(provenance: Provenance) -> list[dict[str, Any]]:
    """The problems `verify --json` reports; it must exit 1 and print only JSON."""
    result = provenance("verify", "--json")
    assert result.exit_code == 1, result.stdout + result.stderr
    record = json.loads(result.stdout)
    assert record["ok"] is False
    found: list[dict[str, Any]] = record["problems"]
    assert len(found) == len(record["problems"]) > 0
    return found


def lines(provenance: Provenance) -> list[str]:
    """What `verify` prints when it finds problems: one line each, then the summary; exit code 1."""
    before = row_counts(provenance.url)
    result = provenance("verify")
    assert result.exit_code == 1, result.stdout
    assert row_counts(provenance.url) == before
    printed = result.stdout.splitlines()
    assert printed[-1].endswith(f": {len(printed) - 2} problem{'' if len(printed) == 3 else 's'}")
    assert printed[-2].startswith("log head ")
    return printed[:-2]


def clean(provenance: Provenance, summary: str = CLEAN) -> None:
    """`verify` passes: the log's head, then the summary."""
    head, checked = provenance.ok("verify").stdout.splitlines()
    assert HEAD.fullmatch(head), head
    assert checked == summary


def sentence(url: str, key: str, number: int = 1) -> Any:
    return one(
        url,
        "SELECT p.id, p.char_start, p.char_end, p.text FROM passage p JOIN source s "
        "ON s.id = p.source_id WHERE s.key = :key AND p.kind = 'sentence' ORDER BY p.char_start "
        "LIMIT 1 OFFSET :skip",
        key=key,
        skip=number - 1,
    )


# --- nothing wrong ------------------------------------------------------------------------------------


def test_an_empty_database_passes(provenance: Provenance) -> None:
    result = provenance.ok("verify")
    summary = "checked 0 sources, 0 passages, 0 claims, 0 evidence, 0 contradictions, 0 events: no problems"
    assert result.stdout == f"log head {'0' * 64} (the log is empty)\n{summary}\n"
    assert json.loads(provenance.ok("verify", "--json").stdout) == {
        "ok": True,
        "sources": 0,
        "passages": 0,
        "claims": 0,
        "evidence": 0,
        "contradictions": 0,
        "events": 0,
        "head": {"seq": 0, "hash": "0" * 64, "migrated_events": 0},
        "problems": [],
        "summary": summary,
    }


def test_the_demo_corpus_passes_and_nothing_is_written(seeded: Provenance) -> None:
    before = row_counts(seeded.url)
    clean(seeded)
    record = json.loads(seeded.ok("verify", "--json").stdout)
    assert (record["ok"], record["sources"], record["passages"], record["evidence"]) == (True, 2, 73, 23)
    assert (record["claims"], record["contradictions"], record["events"]) == (12, 1, 53)
    assert record["head"]["seq"] == 53 and record["head"]["migrated_events"] == 0
    assert row_counts(seeded.url) == before


def test_fuzzy_matches_and_quotes_with_left_out_words_pass_as_stored(seeded: Provenance) -> None:
    seeded.ok("claim", "add", "aid", "India sent aid")
    typo = REAL.replace("assistance", "assistence")
    fuzzy = json.loads(
        seeded.ok(
            "evidence", "add", "aid", KEY_2020, "--quote", typo, "--stance", "supports", "--accept-fuzzy", "--json"
        ).stdout
    )
    assert (fuzzy["anchor_method"], fuzzy["anchor_score"]) == ("fuzzy", 98.7)
    omission = json.loads(
        seeded.ok(
            "evidence", "add", "aid", KEY_2020, "--quote", " ... ".join(SUNTECH_PARTS), "--stance", "mentions", "--json"
        ).stdout
    )
    assert omission["anchor_method"] == "exact_omission"
    ellipsis = json.loads(
        seeded.ok(
            "evidence",
            "add",
            "aid",
            KEY_2020,
            "--quote",
            "... were being diverted to North Korea",
            "--stance",
            "mentions",
            "--json",
        ).stdout
    )
    assert ellipsis["passage"]["text"] == "were being diverted to North Korea"
    clean(seeded, "checked 2 sources, 75 passages, 13 claims, 26 evidence, 1 contradiction, 57 events: no problems")


# --- sources ------------------------------------------------------------------------------------------


def test_a_changed_source_text_fails_its_hash_and_the_passages_over_the_change(seeded: Provenance) -> None:
    source_id, stored, sha = one(seeded.url, "SELECT id, text, text_sha256 FROM source WHERE key = :k", k=KEY_2020)
    at = stored.index("$ 1 million") + 2  # its first occurrence only
    changed = stored[:at] + "9" + stored[at + 1 :]
    tamper(seeded.url, "UPDATE source SET text = :t WHERE id = :i", t=changed, i=source_id)

    printed = lines(seeded)
    digest = hashlib.sha256(changed.encode()).hexdigest()
    assert printed[0] == (
        f"source {KEY_2020}: its text does not have the SHA-256 stored for it: expected {sha}, found {digest} (the "
        "text was changed after it was captured); restore it from a backup or an export bundle made before the "
        "change; its passages and evidence were checked against the changed text"
    )
    # the passages that store their words (sentences and quotes) over the change; paragraphs store none
    covering = query(
        seeded.url,
        "SELECT id FROM passage WHERE source_id = :i AND text IS NOT NULL AND char_start <= :at AND char_end > :at",
        i=source_id,
        at=at,
    )
    assert len(printed) == 1 + len(covering)
    assert all("the source's text was changed too (see its line): restore both" in line for line in printed[1:])
    found = problems(seeded)
    assert found[0]["kind"] == "source_hash" and found[0]["table"] == "source" and found[0]["row_id"] == source_id
    assert {p["row_id"] for p in found[1:]} == {row.id for row in covering}


# --- passages -----------------------------------------------------------------------------------------


def test_a_changed_passage_text_is_reported_with_the_difference(seeded: Provenance) -> None:
    passage = sentence(seeded.url, KEY_2020)
    assert passage.text.startswith("India on Friday extended medical assistance")
    tamper(
        seeded.url,
        "UPDATE passage SET text = :t WHERE id = :i",
        t=passage.text.replace("Friday", "Monday"),
        i=passage.id,
    )
    assert lines(seeded) == [
        f"passage {passage.id} of {KEY_2020} (sentence, characters {passage.char_start}-{passage.char_end}): its "
        "text is not its source's text at its offsets: expected 'India on Friday extended medical assistance wort…' "
        "(from character 9), found 'India on Monday extended medical assistance wort…'; the "
        "source's text is intact, so the passage was changed: restore it from a backup or an export bundle made "
        "before the change"
    ]
    [found] = problems(seeded)
    assert (found["kind"], found["table"], found["row_id"]) == ("passage_text", "passage", passage.id)


def test_changed_offsets_are_reported(seeded: Provenance) -> None:
    passage = sentence(seeded.url, KEY_2018, 3)
    tamper(
        seeded.url,
        "UPDATE passage SET char_start = char_start + 1, char_end = char_end + 1 WHERE id = :i",
        i=passage.id,
    )
    kinds = [p["kind"] for p in problems(seeded)]
    assert kinds == ["passage_text", "row_changed"]  # and its source is not what the log says it became
    length = len(one(seeded.url, "SELECT text FROM source WHERE key = :k", k=KEY_2018).text)
    tamper(
        seeded.url,
        "UPDATE passage SET char_start = :s, char_end = :e WHERE id = :i",
        s=length,
        e=length + len(passage.text),
        i=passage.id,
    )
    [line, logged] = lines(seeded)
    assert line.startswith(f"passage {passage.id} of {KEY_2018} (sentence, characters {length}-")
    assert logged.startswith(f"source {KEY_2018}: it is not what the log says it last became: its text or passages ")
    assert f"its offsets are outside its source's text: expected offsets within the {length} characters" in line


def test_a_paragraph_past_the_end_of_its_source_is_reported(seeded: Provenance) -> None:
    # a paragraph stores no words of its own, so only its offsets can be wrong
    last = one(
        seeded.url,
        "SELECT p.id, p.char_start, p.char_end FROM passage p JOIN source s ON s.id = p.source_id "
        "WHERE s.key = :k AND p.kind = 'paragraph' ORDER BY p.char_start DESC LIMIT 1",
        k=KEY_2018,
    )
    tamper(seeded.url, "UPDATE passage SET char_end = char_end + 5 WHERE id = :i", i=last.id)
    [line, logged] = lines(seeded)
    assert line.startswith(f"passage {last.id} of {KEY_2018} (paragraph, characters {last.char_start}-")
    assert logged.startswith(f"source {KEY_2018}: it is not what the log says it last became")
    assert "its offsets are outside its source's text" in line


def test_the_database_refuses_words_stored_for_a_paragraph_or_missing_for_a_sentence(seeded: Provenance) -> None:
    paragraph = one(seeded.url, "SELECT id FROM passage WHERE kind = 'paragraph' LIMIT 1")
    with pytest.raises(IntegrityError, match="text_stored_unless_paragraph"):
        tamper(
            seeded.url,
            "UPDATE passage SET text = (SELECT substr(s.text, char_start + 1, char_end - char_start) FROM source s "
            "WHERE s.id = passage.source_id) WHERE id = :i",
            i=paragraph.id,
        )
    with pytest.raises(IntegrityError, match="text_stored_unless_paragraph"):
        tamper(seeded.url, "UPDATE passage SET text = NULL WHERE id = :i", i=sentence(seeded.url, KEY_2018).id)


# --- evidence -----------------------------------------------------------------------------------------


def evidence_on(url: str, method: str | None = None) -> Any:
    where = "" if method is None else f"WHERE e.anchor_method = '{method}'"
    return query(
        url,
        f"SELECT e.id, e.quote, e.anchor_score, c.key AS claim, p.id AS passage_id, p.text FROM evidence e "
        f"JOIN claim c ON c.id = e.claim_id JOIN passage p ON p.id = e.passage_id {where} ORDER BY e.id",
    )[0]


def test_a_changed_exact_quote_is_reported(seeded: Provenance) -> None:
    piece = evidence_on(seeded.url, "exact")
    tamper(seeded.url, "UPDATE evidence SET quote = :q WHERE id = :i", q=piece.quote + " and more", i=piece.id)
    [line, logged] = lines(seeded)
    assert line.startswith(f"evidence {piece.id} of claim {piece.claim} (passage {piece.passage_id} of ")
    assert logged.startswith(f"evidence {piece.id} of claim ")
    assert ": it is not what the log says it last became: it was changed outside provenance: " in logged
    assert ": its quote (exact) is not its passage's text: expected " in line
    assert "and more" in line
    assert line.endswith(
        "the quote no longer stands for its passage: check it, then restore the evidence from a backup or add it "
        "again (`provenance evidence add`)"
    )


def test_a_quote_with_left_out_words_is_checked_part_by_part(seeded: Provenance) -> None:
    seeded.ok("claim", "add", "aid", "India sent aid")
    seeded.ok("evidence", "add", "aid", KEY_2020, "--quote", " ... ".join(SUNTECH_PARTS), "--stance", "supports")
    piece = evidence_on(seeded.url, "exact_omission")
    # the parts the other way round: each is in the passage, but not in this order
    tamper(seeded.url, "UPDATE evidence SET quote = :q WHERE id = :i", q=" ... ".join(SUNTECH_PARTS[::-1]), i=piece.id)
    [line, _logged] = lines(seeded)
    assert "a part of its quote with left-out words is not in its passage, in order: expected part 2 " in line
    tamper(
        seeded.url, "UPDATE evidence SET quote = :q WHERE id = :i", q=SUNTECH_PARTS[0] + " … were diverted", i=piece.id
    )
    [found, logged] = problems(seeded)
    assert found["kind"] == "evidence_quote" and found["expected"].startswith("part 2 'were diverted'")
    assert (logged["kind"], logged["table"], logged["row_id"]) == ("row_changed", "evidence", piece.id)


def test_a_fuzzy_score_is_recomputed(seeded: Provenance) -> None:
    seeded.ok("claim", "add", "aid", "India sent aid")
    typo = REAL.replace("assistance", "assistence")
    seeded.ok("evidence", "add", "aid", KEY_2020, "--quote", typo, "--stance", "supports", "--accept-fuzzy")
    piece = evidence_on(seeded.url, "fuzzy")
    assert piece.anchor_score == 98.7
    tamper(seeded.url, "UPDATE evidence SET anchor_score = 99.5 WHERE id = :i", i=piece.id)
    [line, _logged] = lines(seeded)
    assert ": its fuzzy match score is not the quote's similarity to its passage: expected 98.7/100 (the quote " in line
    assert "found stored score 99.5/100; the stored score is not the quote's similarity" in line
    # the quote changed instead: the stored score no longer fits it
    tamper(
        seeded.url,
        "UPDATE evidence SET anchor_score = 98.7, quote = :q WHERE id = :i",
        q="Pakistan on Friday extended medical assistence",
        i=piece.id,
    )
    [found, _logged] = problems(seeded)
    assert (found["kind"], found["found"]) == ("evidence_score", "stored score 98.7/100")


# --- references ---------------------------------------------------------------------------------------


def test_evidence_whose_passage_was_deleted_is_reported(seeded: Provenance) -> None:
    piece = evidence_on(seeded.url)
    tamper(seeded.url, "DELETE FROM passage WHERE id = :i", i=piece.passage_id)
    found = problems(seeded)
    missing = [p for p in found if p["kind"] == "missing_passage"]
    assert [p["message"] for p in missing] == [
        f"evidence {piece.id} of claim {piece.claim}: its passage does not exist: expected passage "
        f"{piece.passage_id}, found no such passage; restore the passage from a backup or an export bundle, or add "
        "the evidence again (`provenance evidence add`)"
    ]
    # a passage that several rows name: contradictions and suggestions name passages too
    # and its source's passages are not what the log says they became
    assert {p["kind"] for p in found} <= {"missing_passage", "missing_reference", "row_changed"}


def test_passages_of_a_deleted_source_are_reported_once(seeded: Provenance) -> None:
    source_id = one(seeded.url, "SELECT id FROM source WHERE key = :k", k=KEY_2018).id
    ids = [r.id for r in query(seeded.url, "SELECT id FROM passage WHERE source_id = :i ORDER BY id", i=source_id)]
    tamper(seeded.url, "DELETE FROM source WHERE id = :i", i=source_id)
    found = problems(seeded)
    [orphans] = [p for p in found if p["kind"] == "missing_source"]
    shown = ", ".join(map(str, ids[:10]))
    assert orphans["message"] == (
        f"passages {shown} and {len(ids) - 10} more: their source does not exist: expected source {source_id}, "
        "found no such source; restore the source from a backup or an export bundle; without it these passages "
        "quote nothing"
    )
    # the evidence on those passages is still checked against them, and names the missing source
    on_them = [p for p in found if p["table"] == "evidence"]
    assert on_them == []
    summary = seeded("verify").stdout.splitlines()[-1]
    assert summary == (
        "checked 1 source, 73 passages, 12 claims, 23 evidence, 1 contradiction, 53 events: "
        f"{len(found)} problem{'s' * (len(found) > 1)}"
    )
    [gone] = [p for p in found if p["kind"] == "logged_row_missing"]
    assert (gone["table"], gone["row_id"]) == ("source", source_id)


def test_a_deleted_claim_leaves_its_evidence_contradictions_and_entities_dangling(seeded: Provenance) -> None:
    claim_id = one(seeded.url, "SELECT id FROM claim WHERE key = 'talks-may-be-called-off'").id
    evidence_ids = [r.id for r in query(seeded.url, "SELECT id FROM evidence WHERE claim_id = :i", i=claim_id)]
    tamper(seeded.url, "DELETE FROM claim WHERE id = :i", i=claim_id)
    found = problems(seeded)
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for problem in found:
        by_kind.setdefault(problem["kind"], []).append(problem)
    assert [p["row_id"] for p in by_kind["missing_claim"]] == evidence_ids
    assert by_kind["missing_claim"][0]["message"].startswith(
        f"evidence {evidence_ids[0]} of claim {claim_id}: its claim does not exist: expected claim {claim_id}, "
        "found no such claim; "
    )
    tables = sorted({p["table"] for p in by_kind["missing_reference"]})
    assert tables == ["claim_entity", "contradiction"]
    [contradiction] = [p for p in by_kind["missing_reference"] if p["table"] == "contradiction"]
    assert contradiction["message"].startswith(f"contradiction {contradiction['row_id']}: its claim_")
    assert (
        f"names a claim that does not exist: expected claim {claim_id}, found no such claim"
        in (contradiction["message"])
    )


def test_a_suggestion_naming_a_deleted_passage_is_reported(seeded: Provenance) -> None:
    a, b = (sentence(seeded.url, KEY_2018, n) for n in (1, 2))
    tamper(
        seeded.url,
        "INSERT INTO contradiction_suggestion (passage_a_id, passage_b_id, kind, reason, score, status) "
        "VALUES (:a, :b, 'numeric', '1998 against 1999', 0.5, 'open')",
        a=a.id,
        b=b.id,
    )
    clean(seeded)
    tamper(seeded.url, "DELETE FROM passage WHERE id = :i", i=b.id)
    [_logged, line] = lines(seeded)
    suggestion = one(seeded.url, "SELECT id FROM contradiction_suggestion").id
    assert line == (
        f"contradiction_suggestion {suggestion}: its passage_b_id names a passage that does not exist: expected "
        f"passage {b.id}, found no such passage; restore the row it names from a backup or an export bundle; "
        "`provenance contradictions detect` suggests afresh from the passages there are"
    )


def test_several_kinds_of_damage_are_all_reported_in_one_run(seeded: Provenance) -> None:
    passage = one(
        seeded.url,
        "SELECT id FROM passage WHERE kind = 'sentence' AND id NOT IN (SELECT passage_id FROM evidence) LIMIT 1",
    )
    piece = evidence_on(seeded.url)
    tamper(
        seeded.url,
        "UPDATE passage SET text = 'x' || substr(text, 2) WHERE id = :p",
        "UPDATE evidence SET quote = 'nothing like it' WHERE id = :e",
        "UPDATE source SET text_sha256 = 'abc' WHERE key = :k",
        p=passage.id,
        e=piece.id,
        k=KEY_2018,
    )
    kinds = sorted(p["kind"] for p in problems(seeded))
    # the evidence and the source are not what the log says they became either
    assert kinds == ["evidence_quote", "passage_text", "row_changed", "row_changed", "source_hash"]
