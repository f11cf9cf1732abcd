"""The ``provenance`` command as a user types it: the whole path from an empty database to a cited report,
``--json`` and ``--help`` everywhere, schema commands, and every bad input giving one clear error line."""

from __future__ import annotations

import itertools
import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from conftest import DEMO_CLAIMS, SEED_2018, SEED_2020, Provenance, row_counts
from sqlalchemy import inspect, text

from provenance import db
from provenance.cli import cli

KEY_2018 = "india-north-korea-2018"
KEY_2020 = "india-medical-aid-2020"
SUNTECH_QUOTE = "certain nuclear materials supplied to Pakistan Atomic Energy Commission"
SANCTIONS_QUOTE = "the US, which has been driving United Nations sanctions on North Korea"
DIVERSION = "Nuclear materials that Suntech supplied to Pakistan's nuclear agency went to North Korea"
STAYED = "The nuclear materials Suntech supplied stayed in Pakistan"
CONTRADICTION_NOTE = "Both cannot hold: the same materials cannot have stayed and gone."
TALKS_EVIDENCE = ("evidence", "add", "talks-may-be-called-off", KEY_2018, "--quote")
NK_QUOTE = (*TALKS_EVIDENCE, "North Korea")
# Where "North Korea" occurs in the 2018 seed's normalised text (13 times in all).
NORTH_KOREA_2018 = [(32, 43), (77, 88), (163, 174), (535, 546), (628, 639)]

CLAIM_RECORD_KEYS = {
    "key",
    "statement",
    "status",
    "verdict",
    "verdict_by",
    "assignee",
    "confidence",
    "confidence_note",
    "computed_confidence",
    "about",
    "created_at",
    "created_by",
    "updated_at",
    "version",
}
CITED_KEYS = {
    "evidence_id",
    "stance",
    "source",
    "latest_version",
    "passage",
    "quote",
    "anchor_method",
    "anchor_score",
    "needs_review",
    "confidence",
    "credibility",
    "attributed_to",
    "note",
    "created_at",
    "created_by",
    "source_retracted",
    "orphaned_reason",
}
PASSAGE_KEYS = {"kind", "char_start", "char_end", "paragraph_no", "sentence_no", "page_no", "text", "prefix", "suffix"}


def body_2020() -> str:
    """The 2020 seed's text as provenance stores it: the leading ``date 2020-07-25`` token is metadata."""
    raw = SEED_2020.read_text(encoding="utf-8").strip()
    assert raw.startswith("date 2020-07-25 ")
    return raw.removeprefix("date 2020-07-25 ")


def run(*args: str) -> Result:
    """Run the CLI with no --db (for commands that need no database), catching nothing."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def one_error_line(result: Result, code: int = 1) -> str:
    """The single ``Error:`` line of a failed command that has no database to count rows in."""
    assert result.exit_code == code, f"exit {result.exit_code}: {result.stdout!r} {result.stderr!r}"
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return str(lines[0])


def sqlite_files(path: Path) -> list[Path]:
    return [p for p in (Path(f"{path}{s}") for s in ("", "-wal", "-shm", "-journal")) if p.exists()]


# --- 1. the path a new user takes ---------------------------------------------------------------------


def test_new_user_path_from_empty_database_to_cited_report(empty_db_url: str, tmp_path: Path) -> None:
    provenance = Provenance(empty_db_url)
    head = db.head_revision()

    created = provenance.ok("init")
    assert created.stdout == ""
    assert f"created at schema {head}" in created.stderr

    added = provenance.ok("source", "add", str(SEED_2018), str(SEED_2020))
    assert added.stdout.splitlines() == [
        f"{KEY_2018}\tadded (10 paragraphs, 17 sentences)",
        f"{KEY_2020}\tadded (9 paragraphs, 16 sentences)",
    ]

    listed = provenance.ok("source", "list").stdout.splitlines()
    assert listed[0].split() == ["key", "title", "published", "rel.", "paragraphs", "sentences"]
    assert listed[2].split()[0] == KEY_2018 and listed[2].split()[-4:] == ["2018-05-17", "F", "10", "17"]
    assert listed[3].split()[0] == KEY_2020 and listed[3].split()[-4:] == ["2020-07-25", "F", "9", "16"]
    assert "India looks to revive ties with North Korea" in listed[2]
    assert len(listed) == 4

    sources_json = json.loads(provenance.ok("source", "list", "--json").stdout)
    assert [
        (s["key"], s["title"], s["published"], s["paragraphs"], s["sentences"], s["author"]) for s in sources_json
    ] == [
        (KEY_2018, "India looks to revive ties with North Korea", "2018-05-17", 10, 17, "Isabel Fisher"),
        (KEY_2020, None, "2020-07-25", 9, 16, None),
    ]
    body = body_2020()
    assert sources_json[1]["characters"] == len(body)

    shown = provenance.ok("source", "show", KEY_2020, "--passages").stdout
    assert shown.splitlines()[0] == KEY_2020
    assert "  published:   2020-07-25" in shown.splitlines()
    assert "  reliability: F (reliability cannot be judged)" in shown.splitlines()
    passage_labels = [line for line in shown.splitlines() if line.startswith("  [")]
    assert len(passage_labels) == 9 + 16
    assert passage_labels[0].endswith("] paragraph 1") and passage_labels[1].endswith("] sentence 1.1")

    shown_json = json.loads(provenance.ok("source", "show", KEY_2020, "--passages", "--json").stdout)
    assert shown_json["key"] == KEY_2020 and shown_json["published"] == "2020-07-25"
    passages = shown_json["passages"]
    assert [p["kind"] for p in passages].count("paragraph") == 9
    assert [p["kind"] for p in passages].count("sentence") == 16
    for passage in passages:
        assert set(passage) == PASSAGE_KEYS
        assert passage["text"] == body[passage["char_start"] : passage["char_end"]]

    assert (
        provenance.ok(
            "claim", "add", "suntech-diversion", DIVERSION, "--about", "Suntech", "--about", "North Korea"
        ).stdout
        == "suntech-diversion\n"
    )
    start = body.index(SUNTECH_QUOTE)
    end = start + len(SUNTECH_QUOTE)
    assert body.count(SUNTECH_QUOTE) == 1
    linked = provenance.ok(
        "evidence",
        "add",
        "suntech-diversion",
        KEY_2020,
        "--quote",
        SUNTECH_QUOTE,
        "--stance",
        "supports",
        "--confidence",
        "unlikely",
        "--attributed-to",
        "New Delhi, citing unnamed sources",
    )
    assert linked.stdout == f"suntech-diversion <- {KEY_2020} characters {start}–{end} (quote, supports)\n"
    provenance.ok(
        "evidence",
        "add",
        "suntech-diversion",
        KEY_2018,
        "--quote",
        SANCTIONS_QUOTE,
        "--stance",
        "contradicts",
        "--note",
        "Sanctions pressure made diversion harder.",
    )
    assert (
        provenance.ok("claim", "add", "suntech-materials-stayed", STAYED, "--about", "suntech").stdout
        == "suntech-materials-stayed\n"
    )
    contradiction = provenance.ok(
        "contradiction", "add", "suntech-diversion", "suntech-materials-stayed", "--note", CONTRADICTION_NOTE
    )
    assert contradiction.stdout == "suntech-diversion <-> suntech-materials-stayed (open)\n"

    detail = provenance.ok("claim", "show", "suntech-diversion").stdout
    lines = detail.splitlines()
    assert lines[0] == "suntech-diversion"
    assert DIVERSION in " ".join(detail.split())
    assert "  about: North Korea, Suntech" in lines
    assert "Supporting evidence (1)" in lines
    assert f"  - {KEY_2020}, paragraph 9, characters {start}–{end} (exact match)" in lines
    assert f"      “{SUNTECH_QUOTE}”" in lines
    assert "      attributed to: New Delhi, citing unnamed sources" in lines
    assert "      likelihood: unlikely (32.5 %)" in lines
    contradicting = lines[lines.index("Contradicting statements (2)") :]
    assert contradicting[1].startswith(f"  - {KEY_2018}, paragraph ")
    assert "  - claim suntech-materials-stayed (open contradiction)" in contradicting
    assert f"      note: {CONTRADICTION_NOTE}" in contradicting
    assert "Sanctions pressure made diversion harder." in " ".join(contradicting)

    other = provenance.ok("claim", "show", "suntech-materials-stayed").stdout.splitlines()
    assert "Contradicting statements (1)" in other
    assert "  - claim suntech-diversion (open contradiction)" in other

    record = json.loads(provenance.ok("claim", "show", "suntech-diversion", "--json").stdout)
    assert set(record) == CLAIM_RECORD_KEYS | {"supporting", "contradicting", "mentioning"}
    assert record["key"] == "suntech-diversion" and record["statement"] == DIVERSION
    assert record["about"] == ["North Korea", "Suntech"]
    assert record["status"] == "unstarted" and record["verdict"] is None and record["confidence"] is None
    assert record["mentioning"] == []
    [supporting] = record["supporting"]
    assert set(supporting) == CITED_KEYS
    assert supporting["source"] == KEY_2020 and supporting["stance"] == "supports"
    assert supporting["quote"] == SUNTECH_QUOTE and supporting["anchor_method"] == "exact"
    assert supporting["confidence"] == {"probability": 0.325, "term": "unlikely"}
    assert supporting["attributed_to"] == "New Delhi, citing unnamed sources"
    passage = supporting["passage"]
    assert set(passage) == PASSAGE_KEYS
    assert (passage["kind"], passage["char_start"], passage["char_end"]) == ("quote", start, end)
    assert body[passage["char_start"] : passage["char_end"]] == SUNTECH_QUOTE == passage["text"]
    holder = next(p for p in passages if p["kind"] == "paragraph" and p["char_start"] <= start and end <= p["char_end"])
    assert holder["paragraph_no"] == passage["paragraph_no"] == 9
    assert holder["text"][start - holder["char_start"] : end - holder["char_start"]] == SUNTECH_QUOTE
    assert set(record["contradicting"]) == {"passages", "claims", "evidence"}
    [against] = record["contradicting"]["passages"]
    assert (against["source"], against["stance"], against["quote"]) == (
        KEY_2018,
        "contradicts",
        SANCTIONS_QUOTE,
    )
    assert against["passage"]["text"] == SANCTIONS_QUOTE
    assert record["contradicting"]["claims"] == [
        {
            "key": "suntech-materials-stayed",
            "statement": STAYED,
            "kind": "direct",
            "status": "open",
            "note": CONTRADICTION_NOTE,
            "resolution": None,
        }
    ]

    about_table = provenance.ok("claim", "list", "--about", "suntech").stdout.splitlines()
    assert [line.split()[0] for line in about_table[2:]] == ["suntech-diversion", "suntech-materials-stayed"]
    about_json = json.loads(provenance.ok("claim", "list", "--about", "SUNTECH", "--json").stdout)
    assert [(c["key"], c["about"]) for c in about_json] == [
        ("suntech-diversion", ["North Korea", "Suntech"]),
        ("suntech-materials-stayed", ["Suntech"]),
    ]
    assert all(set(c) == CLAIM_RECORD_KEYS for c in about_json)
    north_korea = json.loads(provenance.ok("claim", "list", "--about", "north korea", "--json").stdout)
    assert [c["key"] for c in north_korea] == ["suntech-diversion"]

    report = provenance.ok("report").stdout
    assert report.startswith("# Cited report\n\n2 claims, 2 quoted passages from 2 sources.")
    assert "## suntech-diversion" in report.splitlines()
    assert "## suntech-materials-stayed" in report.splitlines()
    assert f"> {SUNTECH_QUOTE}[^1]" in report.splitlines()
    assert f"> {SANCTIONS_QUOTE}[^2]" in report.splitlines()
    assert f"Source `{KEY_2020}`, paragraph 9, characters {start}–{end}" in report
    assert "Conflicts with claim **suntech-materials-stayed** (open)" in report

    output = tmp_path / "report.md"
    written = provenance.ok("report", "--output", str(output))
    assert written.stdout == ""
    assert f"report written to {output}" in written.stderr
    assert output.read_text(encoding="utf-8") == report

    again = provenance.ok("init")
    assert f"is already at schema {head}" in again.stderr


# --- 2. --json everywhere something is listed or shown --------------------------------------------------


def walk(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    for name, command in sorted(group.commands.items()):
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from walk(command, (*path, name))


ALL_COMMANDS = [((), cli), *walk(cli)]
READ_COMMANDS = [(path, c) for path, c in walk(cli) if path[-1] in ("list", "show", "current", "history")]


def test_the_command_tree_has_the_expected_listing_commands() -> None:
    assert sorted(" ".join(path) for path, _ in READ_COMMANDS) == [
        "claim list",
        "claim show",
        "contradiction list",
        "contradictions list",
        "db current",
        "db history",
        "desk show",
        "entity list",
        "entity show",
        "evidence list",
        "history",
        "source history",
        "source list",
        "source show",
        "token list",
        "user list",
    ]


@pytest.mark.parametrize(("path", "command"), READ_COMMANDS, ids=[" ".join(p) for p, _ in READ_COMMANDS])
def test_every_listing_or_showing_command_has_a_json_option(path: tuple[str, ...], command: click.Command) -> None:
    assert "--json" in [opt for param in command.params for opt in param.opts]


JSON_READS: list[tuple[tuple[str, ...], type, str]] = [
    (("db", "current", "--json"), dict, "revision"),
    (("db", "history", "--json"), list, "revision"),
    (("source", "list", "--json"), list, KEY_2018),
    (("source", "show", KEY_2018, "--json"), dict, KEY_2018),
    (("source", "show", KEY_2018, "--passages", "--json"), dict, KEY_2018),
    (("source", "history", KEY_2018, "--json"), list, KEY_2018),
    (("claim", "list", "--json"), list, "suntech-diversion"),
    (("claim", "list", "--about", "pakistan", "--json"), list, "suntech-diversion"),
    (("claim", "show", "suntech-diversion", "--json"), dict, "suntech-diversion"),
    (("entity", "list", "--json"), list, "North Korea"),
    (("entity", "show", "Suntech", "--json"), dict, "suntech-diversion"),
    (("contradiction", "list", "--json"), list, "talks-may-be-called-off"),
    (("contradictions", "suggestions", "--json"), list, "[]"),
    (("suggest", "suntech-diversion", "--json"), list, "Suntech Technology Company"),
    (("history", "--json"), list, "claim.add"),
    (("history", "suntech-diversion", "--json"), list, "evidence.add"),
    (("status", "--json"), dict, "suntech-diversion"),
    (("desk", "show", "--json"), list, "second-reviewer"),
]


@pytest.mark.parametrize(("args", "kind", "mentioned"), JSON_READS, ids=[" ".join(a) for a, _, _ in JSON_READS])
def test_json_output_is_only_json(seeded: Provenance, args: tuple[str, ...], kind: type, mentioned: str) -> None:
    result = seeded.ok(*args)
    data = json.loads(result.stdout)
    assert isinstance(data, kind)
    assert result.stdout == json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    assert mentioned in result.stdout


def test_json_output_values_on_the_demo_corpus(seeded: Provenance) -> None:
    head = db.head_revision()
    assert json.loads(seeded.ok("db", "current", "--json").stdout) == {
        "revision": head,
        "head": head,
        "up_to_date": True,
    }
    claims = json.loads(seeded.ok("claim", "list", "--json").stdout)
    assert len(claims) == 12
    assert [c["key"] for c in claims] == sorted(c["key"] for c in claims)
    assert [c["key"] for c in json.loads(seeded.ok("claim", "list", "--about", "pakistan", "--json").stdout)] == [
        "khan-bribery-claim",
        "khan-trade-2003",
        "pak-nk-cooperation-continuing",
        "rodong-transfer",
        "suntech-diversion",
    ]
    shown = json.loads(seeded.ok("source", "show", KEY_2018, "--json").stdout)
    assert "passages" not in shown
    assert (shown["author"], shown["published"], shown["reliability"]) == ("Isabel Fisher", "2018-05-17", "F")


def test_writing_commands_print_json_only_when_asked(provenance: Provenance, tmp_path: Path) -> None:
    [source] = json.loads(provenance.ok("source", "add", str(SEED_2018), "--json").stdout)
    assert (source["key"], source["created"], source["paragraphs"], source["sentences"]) == (
        KEY_2018,
        True,
        10,
        17,
    )
    claim = json.loads(provenance.ok("claim", "add", "talks", "Talks may be called off", "--json").stdout)
    assert set(claim) == CLAIM_RECORD_KEYS and claim["key"] == "talks" and claim["about"] == []
    evidence = json.loads(
        provenance.ok(
            "evidence",
            "add",
            "talks",
            KEY_2018,
            "--quote",
            "North Korean officers reportedly claiming the talks may be called off",
            "--stance",
            "supports",
            "--confidence",
            "70%",
            "--json",
        ).stdout
    )
    assert (evidence["claim"], evidence["source"], evidence["stance"]) == ("talks", KEY_2018, "supports")
    assert evidence["confidence"] == {"probability": 0.7, "term": "likely"}
    assert evidence["passage"]["text"] == "North Korean officers reportedly claiming the talks may be called off"
    imported = json.loads(provenance.ok("import", str(DEMO_CLAIMS), "--json").stdout)
    assert imported == {
        "sources_added": [KEY_2020],
        "sources_unchanged": [KEY_2018],
        "claims": 12,
        "evidence": 23,
        "contradictions": 1,
    }


# --- 3. --help with an example, everywhere -----------------------------------------------------------


@pytest.mark.parametrize(("path", "command"), ALL_COMMANDS, ids=[" ".join(p) or "provenance" for p, _ in ALL_COMMANDS])
def test_every_command_and_group_has_help_with_an_example(path: tuple[str, ...], command: click.Command) -> None:
    result = run(*path, "--help")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Usage: ")
    assert any(line.strip().startswith("Example") for line in result.stdout.splitlines()), (
        f"`provenance {' '.join(path)} --help` shows no Example line:\n{result.stdout}"
    )


# --- 4. schema commands ------------------------------------------------------------------------------


def test_db_current_and_history_describe_the_schema(provenance: Provenance) -> None:
    head = db.head_revision()
    assert provenance.ok("db", "current").stdout == f"{head} (up to date)\n"
    history = json.loads(provenance.ok("db", "history", "--json").stdout)
    assert history[0]["revision"] == head
    assert history[-1]["down_revision"] is None
    for newer, older in itertools.pairwise(history):
        assert newer["down_revision"] == older["revision"]
    assert all(set(entry) == {"revision", "down_revision", "message"} and entry["message"] for entry in history)
    assert provenance.ok("db", "history").stdout.splitlines() == [
        f"{entry['revision']}  {entry['message']}" for entry in history
    ]


def test_db_downgrade_to_base_then_upgrade_gives_an_empty_current_schema(seeded: Provenance) -> None:
    head = db.head_revision()
    assert seeded.ok("db", "upgrade").stderr == f"schema {head} -> {head}\n"

    down = seeded.ok("db", "downgrade", "base", "--yes")
    assert down.stdout == ""
    assert down.stderr == f"schema {head} -> none\n"
    assert json.loads(seeded.ok("db", "current", "--json").stdout) == {
        "revision": None,
        "head": head,
        "up_to_date": False,
    }
    assert seeded.ok("db", "current").stdout == f"none (run `provenance init`) (behind: latest is {head})\n"
    listing = seeded("claim", "list")
    assert listing.exit_code == 1
    assert "run `provenance init` first" in one_error_line(listing)

    up = seeded.ok("db", "upgrade")
    assert up.stderr == f"schema none -> {head}\n"
    assert seeded.ok("db", "current").stdout == f"{head} (up to date)\n"
    assert json.loads(seeded.ok("claim", "list", "--json").stdout) == []
    assert json.loads(seeded.ok("source", "list", "--json").stdout) == []


def test_db_upgrade_to_an_unknown_revision_is_refused(provenance: Provenance) -> None:
    line = provenance.fails("db", "upgrade", "0000deadbeef")
    assert "no schema revision '0000deadbeef'" in line
    assert "`provenance db history` lists them" in line


def test_init_on_an_existing_database_changes_nothing(seeded: Provenance) -> None:
    before = row_counts(seeded.url)
    result = seeded.ok("init")
    assert result.stdout == ""
    assert f"is already at schema {db.head_revision()}" in result.stderr
    assert row_counts(seeded.url) == before
    assert len(json.loads(seeded.ok("claim", "list", "--json").stdout)) == 12


def write_article(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- 5. bad input: one line, exit 1, nothing written ------------------------------------------------


BAD_FILES: list[tuple[str, bytes | None, str]] = [
    ("latin1.txt", "café au lait\n".encode("latin-1"), "is not UTF-8 text (byte 0xe9 at offset 3)"),
    ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is a PNG image, which provenance cannot read"),
    ("empty.txt", b"", "is empty; give an article with text"),
    ("blank.txt", b"  \n\n\t\n", "is empty; give an article with text"),
    ("missing.txt", None, ": no such file or folder"),
]


@pytest.mark.parametrize(("name", "content", "fragment"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_unreadable_article_is_refused(
    provenance: Provenance, tmp_path: Path, name: str, content: bytes | None, fragment: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    line = provenance.fails("source", "add", str(path))
    assert str(path) in line
    assert fragment in line
    if content is None:
        assert line == f"Error: {path}: no such file or folder"


def test_a_folder_without_articles_is_refused(provenance: Provenance, tmp_path: Path) -> None:
    (tmp_path / "notes.docx").write_bytes(b"PK")
    line = provenance.fails("source", "add", str(tmp_path))
    assert line.startswith(f"Error: no files to capture in {tmp_path}; provenance reads .htm, .html, .markdown, .md")


def test_a_folder_is_captured_recursively_in_path_order(provenance: Provenance, tmp_path: Path) -> None:
    write_article(tmp_path / "b" / "two.txt", "Second story. It has two sentences.")
    write_article(tmp_path / "a" / "one.md", "---\ntitle: First\n---\n# First\n\nThe *first* story.")
    write_article(tmp_path / ".hidden" / "three.txt", "Hidden.")
    result = provenance.ok("source", "add", str(tmp_path))
    assert result.stdout == "one\tadded (2 paragraphs, 2 sentences)\ntwo\tadded (1 paragraph, 2 sentences)\n"
    [one] = [s for s in json.loads(provenance.ok("source", "list", "--json").stdout) if s["key"] == "one"]
    assert (one["title"], one["media_type"]) == ("First", "text/markdown")


@pytest.mark.parametrize("good_first", [True, False], ids=["good-then-bad", "bad-then-good"])
def test_good_files_are_captured_and_bad_ones_listed_with_exit_1(
    provenance: Provenance, tmp_path: Path, good_first: bool
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01binary")
    files = [str(SEED_2018), str(bad)] if good_first else [str(bad), str(SEED_2018)]
    result = provenance("source", "add", *files)
    assert result.exit_code == 1
    assert result.stdout == f"{KEY_2018}\tadded (10 paragraphs, 17 sentences)\n"
    assert result.stderr.splitlines() == [
        f"not captured: {bad} looks like a binary file (it contains NUL bytes); give a UTF-8 text file",
        "Error: 1 of 2 files were not captured (reasons above); the other 1 were",
    ]
    assert [s["key"] for s in json.loads(provenance.ok("source", "list", "--json").stdout)] == [KEY_2018]


def test_strict_stops_at_the_first_bad_file_and_stores_nothing(provenance: Provenance, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01binary")
    line = provenance.fails("source", "add", "--strict", str(SEED_2018), str(bad), str(SEED_2020))
    assert line == (
        f"Error: {bad} looks like a binary file (it contains NUL bytes); give a UTF-8 text file; "
        "nothing was captured (--strict stops at the first bad file)"
    )
    assert json.loads(provenance.ok("source", "list", "--json").stdout) == []


def test_json_lists_captured_and_refused_files(provenance: Provenance, tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    result = provenance("source", "add", str(SEED_2018), str(missing), "--json")
    assert result.exit_code == 1
    records = json.loads(result.stdout)
    assert [(r["path"], r["captured"]) for r in records] == [(str(SEED_2018), True), (str(missing), False)]
    assert (records[0]["key"], records[0]["state"], records[0]["version"]) == (KEY_2018, "added", 1)
    assert records[1]["error"] == f"{missing}: no such file or folder"


def test_a_changed_file_becomes_a_new_version_with_a_history(provenance: Provenance, tmp_path: Path) -> None:
    path = write_article(tmp_path / "aid.txt", "Title: Aid\n\nIndia sent aid in May.")
    provenance.ok("source", "add", str(path))
    write_article(path, "India sent aid in June.")
    assert provenance.ok("source", "add", str(path)).stdout == (
        "aid@2\tnew version 2, supersedes aid (1 paragraph, 1 sentence)\n"
    )
    assert provenance.ok("source", "add", str(path)).stdout.startswith("aid@2\talready stored, unchanged")
    history = json.loads(provenance.ok("source", "history", "aid@2", "--json").stdout)
    assert [(h["key"], h["version"], h["title"], h["current"]) for h in history] == [
        ("aid", 1, "Aid", False),
        ("aid@2", 2, "Aid", True),
    ]
    table = provenance.ok("source", "history", "aid").stdout.splitlines()
    assert table[0].split() == ["version", "key", "captured", "(UTC)", "by", "characters", "evidence", "state"]
    assert table[2].split()[:2] == ["1", "aid"] and table[2].endswith("superseded by aid@2")
    assert table[3].split()[:2] == ["2", "aid@2"] and table[3].endswith("current")


def test_the_same_article_added_twice_gives_its_key_back(provenance: Provenance, tmp_path: Path) -> None:
    provenance.ok("source", "add", str(SEED_2018))
    again = provenance.ok("source", "add", str(SEED_2018))
    assert again.stdout == f"{KEY_2018}\talready stored, unchanged (10 paragraphs, 17 sentences)\n"
    copy = tmp_path / "copy of the article.txt"
    shutil.copy(SEED_2018, copy)
    [record] = json.loads(provenance.ok("source", "add", str(copy), "--json").stdout)
    assert (record["key"], record["created"]) == (KEY_2018, False)
    twice = provenance.ok("source", "add", str(SEED_2020), str(SEED_2020))
    assert twice.stdout.splitlines() == [
        f"{KEY_2020}\tadded (9 paragraphs, 16 sentences)",
        f"{KEY_2020}\talready stored, unchanged (9 paragraphs, 16 sentences)",
    ]
    assert [s["key"] for s in json.loads(provenance.ok("source", "list", "--json").stdout)] == [
        KEY_2018,
        KEY_2020,
    ]


@pytest.fixture
def two_stories(tmp_path: Path) -> tuple[Path, Path]:
    first = tmp_path / "desk-a" / "story.txt"
    second = tmp_path / "desk-b" / "story.txt"
    first.parent.mkdir()
    second.parent.mkdir()
    first.write_text("The first desk's story. It says one thing.\n", encoding="utf-8")
    second.write_text("The second desk's story. It says another.\n", encoding="utf-8")
    return first, second


def test_a_file_over_the_size_limit_is_refused_naming_the_limit(provenance: Provenance) -> None:
    line = provenance.fails("source", "add", str(SEED_2018), "--max-size", "0.001")
    assert line.startswith(f"Error: {SEED_2018} is ")
    assert "over the 1 kB limit; split it or raise the limit with --max-size" in line


def test_progress_goes_to_stderr_and_results_alone_to_stdout(provenance: Provenance) -> None:
    result = provenance("source", "add", str(SEED_2018), str(SEED_2020), "--progress", "--json")
    assert result.exit_code == 0
    assert [r["key"] for r in json.loads(result.stdout)] == [KEY_2018, KEY_2020]
    assert "2/2 files" in result.stderr and "capturing" in result.stderr


def test_an_unreadable_date_is_stored_as_unknown_with_a_warning(provenance: Provenance, tmp_path: Path) -> None:
    page = write_article(tmp_path / "soon.md", "---\ntitle: Talks\ndate: soon\n---\nTalks will resume.")
    result = provenance.ok("source", "add", str(page))
    assert result.stdout == "soon\tadded (1 paragraph, 1 sentence)\n"
    assert result.stderr == f"Warning: published date 'soon' in {page} could not be read; stored as unknown\n"
    [record] = json.loads(provenance.ok("source", "list", "--json").stdout)
    assert record["published"] is None


def test_two_articles_with_the_same_key_in_one_command_store_the_first(
    provenance: Provenance, two_stories: tuple[Path, Path]
) -> None:
    first, second = two_stories
    result = provenance("source", "add", str(first), str(second))
    assert result.exit_code == 1
    assert "source key 'story' is already taken by a different article" in result.stderr
    assert [s["origin"] for s in json.loads(provenance.ok("source", "list", "--json").stdout)] == [str(first)]


def test_a_different_article_under_a_taken_key_is_refused(
    provenance: Provenance, two_stories: tuple[Path, Path]
) -> None:
    first, second = two_stories
    provenance.ok("source", "add", str(first))
    line = provenance.fails("source", "add", str(second))
    assert line == (
        f"Error: {second}: source key 'story' is already taken by a different article (from {first}); "
        "choose another key with --key or rename the file"
    )
    assert provenance.ok("source", "add", str(second), "--key", "story-b").stdout.startswith("story-b\tadded")


@pytest.mark.parametrize(
    "args",
    [("source", "show", "no-such-source"), ("evidence", "add", "suntech-diversion", "no-such-source")],
    ids=["source show", "evidence add"],
)
def test_unknown_source_key_is_refused(seeded: Provenance, args: tuple[str, ...]) -> None:
    extra = ("--quote", "North Korea", "--stance", "supports") if args[0] == "evidence" else ()
    line = seeded.fails(*args, *extra)
    assert line == "Error: no source 'no-such-source'; `provenance source list` shows the keys"


@pytest.mark.parametrize(
    "args",
    [
        ("claim", "show", "no-such-claim"),
        ("evidence", "add", "no-such-claim", KEY_2018, "--quote", "North Korea", "--stance", "supports"),
        ("contradiction", "add", "suntech-diversion", "no-such-claim"),
        ("report", "--claim", "no-such-claim"),
    ],
    ids=["claim show", "evidence add", "contradiction add", "report"],
)
def test_unknown_claim_key_is_refused(seeded: Provenance, args: tuple[str, ...]) -> None:
    line = seeded.fails(*args)
    assert line == "Error: no claim 'no-such-claim'; `provenance claim list` shows the keys"


def test_unknown_entity_is_refused_with_the_known_ones(seeded: Provenance) -> None:
    line = seeded.fails("claim", "list", "--about", "Atlantis")
    assert line.startswith("Error: no entity 'Atlantis'; claims are about: Abdul Qadeer Khan, China, India")


def test_duplicate_claim_key_is_refused(seeded: Provenance) -> None:
    line = seeded.fails("claim", "add", "suntech-diversion", "Something else entirely")
    assert line == (
        "Error: claim 'suntech-diversion' already exists; choose another key or "
        "`provenance claim show suntech-diversion`"
    )


def test_quote_not_in_the_source_is_refused_with_the_closest_text(seeded: Provenance) -> None:
    line = seeded.fails(*TALKS_EVIDENCE, "North Koreans are friendly", "--stance", "supports")
    assert line.startswith(f"Error: quote not found in source '{KEY_2018}'; the closest text it has (similarity ")
    assert "is: 'North Korean vice foreign'" in line
    assert line.endswith("; quote the source exactly, or add --min-score 74 to store that text marked for review")


PYONGYANG_QUOTE = "Pyongyang's proposed talks with the United States on abandoning its nuclear weapons programme"
MISSPELT = [
    (KEY_2020, SUNTECH_QUOTE.replace("materials", "materiels"), SUNTECH_QUOTE),
    (KEY_2020, SUNTECH_QUOTE.replace("Commission", "Comission"), SUNTECH_QUOTE),
    (KEY_2020, SUNTECH_QUOTE.replace("Energy", "Energy "), SUNTECH_QUOTE),
    (KEY_2018, PYONGYANG_QUOTE.replace("weapons", "weapon"), PYONGYANG_QUOTE),
]


@pytest.mark.parametrize(
    ("source", "typo", "meant"),
    MISSPELT,
    ids=["wrong-letter", "missing-letter", "extra-space", "missing-letter-near-the-end"],
)
def test_a_misspelt_quote_shows_the_whole_passage_it_meant(
    seeded: Provenance, source: str, typo: str, meant: str
) -> None:
    line = seeded.fails("evidence", "add", "suntech-diversion", source, "--quote", typo, "--stance", "supports")
    assert f"is: {meant!r}; quote the source exactly" in line


def test_ambiguous_quote_lists_occurrences_then_occurrence_or_prefix_chooses(seeded: Provenance) -> None:
    line = seeded.fails(*NK_QUOTE, "--stance", "mentions")
    assert line.startswith(f"Error: the quote occurs 13 times in source '{KEY_2018}': 1) at 32-43: ")
    for n, (start, end) in enumerate(NORTH_KOREA_2018, start=1):
        assert f"{n}) at {start}-{end}: " in line
    assert "; and 8 more; choose one with --occurrence N, or --prefix/--suffix" in line

    out_of_range = seeded.fails(*NK_QUOTE, "--stance", "mentions", "--occurrence", "14")
    assert "--occurrence 14 is out of range: the quote occurs 13 times" in out_of_range

    second = seeded.ok(*NK_QUOTE, "--stance", "mentions", "--occurrence", "2")
    assert second.stdout == f"talks-may-be-called-off <- {KEY_2018} characters 77–88 (quote, mentions)\n"

    by_prefix = seeded.ok(*NK_QUOTE, "--stance", "mentions", "--prefix", "Mike Pompeo visited ", "--json")
    data = json.loads(by_prefix.stdout)
    assert (data["passage"]["char_start"], data["passage"]["char_end"]) == NORTH_KOREA_2018[2]
    assert data["anchor_method"] == "exact_context"

    cited = json.loads(seeded.ok("claim", "show", "talks-may-be-called-off", "--json").stdout)["mentioning"]
    assert [(c["passage"]["char_start"], c["anchor_method"]) for c in cited] == [
        (77, "exact_occurrence"),
        (163, "exact_context"),
    ]


def test_citing_the_same_passage_twice_is_refused(seeded: Provenance) -> None:
    line = seeded.fails(
        *TALKS_EVIDENCE,
        "North Korean officers reportedly claiming the talks may be called off",
        "--stance",
        "mentions",
    )
    assert f"claim 'talks-may-be-called-off' already cites that passage of '{KEY_2018}'" in line


def test_unknown_stance_is_refused(seeded: Provenance) -> None:
    line = seeded.fails(*NK_QUOTE, "--occurrence", "2", "--stance", "agrees")
    assert line == "Error: unknown stance 'agrees'; use one of: supports, contradicts, mentions"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1.5", "Error: likelihood '1.5' is outside 0..1 (0 %..100 %); give a probability in that range"),
        (
            "maybe",
            "Error: unknown likelihood 'maybe'; use an ICD 203 term (almost no chance, very unlikely, ",
        ),
    ],
)
@pytest.mark.parametrize("where", ["evidence", "claim"])
def test_bad_likelihood_is_refused(seeded: Provenance, value: str, message: str, where: str) -> None:
    if where == "evidence":
        args: tuple[str, ...] = (*NK_QUOTE, "--occurrence", "2", "--stance", "mentions")
    else:
        args = ("claim", "add", "new-claim", "A new claim")
    line = seeded.fails(*args, "--confidence", value)
    assert line.startswith(message)


def test_claims_file_with_a_yaml_syntax_error_names_the_line(provenance: Provenance, tmp_path: Path) -> None:
    path = tmp_path / "claims.yaml"
    path.write_text("claims:\n  - key: a\n  statement: b\n", encoding="utf-8")
    line = provenance.fails("import", str(path))
    assert line.startswith(f"Error: {path} line 3, column 3: ")
    assert line.endswith("; fix the YAML")


def test_claims_file_failing_halfway_keeps_nothing(provenance: Provenance, tmp_path: Path) -> None:
    shutil.copy(SEED_2020, tmp_path / "aid.txt")
    path = tmp_path / "claims.yaml"
    path.write_text(
        f"""\
sources:
  - path: aid.txt
    key: aid
  - key: note
    text: A short inline note. It has two sentences.
claims:
  - key: first-claim
    statement: India sent medical aid
    about: [India]
    evidence:
      - source: aid
        quote: "{SUNTECH_QUOTE}"
        stance: mentions
  - key: second-claim
    statement: The second claim
    evidence:
      - source: note
        quote: "a sentence that is not there"
        stance: supports
""",
        encoding="utf-8",
    )
    line = provenance.fails("import", str(path))
    assert line.startswith(f"Error: {path}: claims[1] (second-claim) evidence[0]: quote not found in source 'note'; ")
    assert json.loads(provenance.ok("source", "list", "--json").stdout) == []
    assert json.loads(provenance.ok("claim", "list", "--json").stdout) == []


def test_database_at_a_newer_schema_is_refused(provenance: Provenance) -> None:
    engine = db.make_engine(provenance.url)
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = 'ffffffffffff'"))
    finally:
        engine.dispose()
    for args in (
        ("source", "list"),
        ("source", "add", str(SEED_2018)),
        ("claim", "list"),
        ("init",),
        ("db", "upgrade"),
        ("db", "downgrade", "base"),
        ("db", "current"),
    ):
        line = provenance.fails(*args)
        assert "is at schema revision ffffffffffff, newer than this provenance knows" in line, args
        assert line.endswith(f"(latest {db.head_revision()}); upgrade provenance to use it"), args


NO_SCHEMA_COMMANDS = [
    ("source", "list"),
    ("source", "add", str(SEED_2018)),
    ("source", "show", KEY_2018),
    ("claim", "list"),
    ("claim", "add", "a-claim", "A claim"),
    ("claim", "show", "a-claim"),
    ("evidence", "add", "a-claim", KEY_2018, "--quote", "North Korea", "--stance", "supports"),
    ("contradiction", "add", "a-claim", "b-claim"),
    ("import", str(DEMO_CLAIMS)),
    ("report",),
]


@pytest.mark.parametrize("args", NO_SCHEMA_COMMANDS, ids=[" ".join(a[:2]) for a in NO_SCHEMA_COMMANDS])
def test_database_without_schema_asks_for_init(empty_db_url: str, args: tuple[str, ...]) -> None:
    database = db.resolve_url(empty_db_url).database
    if db.resolve_url(empty_db_url).get_backend_name() == "sqlite":
        assert database is not None
        Path(database).touch()
    result = Provenance(empty_db_url)(*args)
    line = one_error_line(result)
    assert line.startswith("Error: database ")
    assert line.endswith("has no provenance schema yet; run `provenance init` first")
    engine = db.make_engine(empty_db_url)
    try:
        with engine.connect() as connection:
            assert inspect(connection).get_table_names() == []
    finally:
        engine.dispose()


MISSING_FILE_COMMANDS = [
    ("source", "list"),
    ("source", "add", str(SEED_2018)),
    ("claim", "show", "suntech-diversion"),
    ("import", str(DEMO_CLAIMS)),
    ("report",),
]


@pytest.mark.parametrize("args", MISSING_FILE_COMMANDS, ids=[" ".join(a[:2]) for a in MISSING_FILE_COMMANDS])
@pytest.mark.parametrize("as_url", [False, True], ids=["path", "sqlite-url"])
def test_missing_sqlite_file_is_reported_and_not_created(tmp_path: Path, args: tuple[str, ...], as_url: bool) -> None:
    path = tmp_path / "typo.db"
    result = run("--db", f"sqlite:///{path}" if as_url else str(path), *args)
    assert one_error_line(result) == (
        f"Error: no database file {path}; run `provenance init` to create it, or pass --db"
    )
    assert sqlite_files(path) == []


@pytest.mark.parametrize("args", [("db", "current"), ("db", "downgrade", "base")], ids=["current", "downgrade"])
def test_schema_commands_do_not_create_a_missing_sqlite_file(tmp_path: Path, args: tuple[str, ...]) -> None:
    path = tmp_path / "typo.db"
    result = run("--db", str(path), *args)
    assert "provenance init" in result.stdout + result.stderr
    assert sqlite_files(path) == [], f"`provenance {' '.join(args)}` created {path}"


@pytest.mark.parametrize("args", [("init",), ("source", "list"), ("db", "current")], ids=lambda a: " ".join(a))
def test_postgresql_url_without_its_driver_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    result = run("--db", "postgresql://postgres@127.0.0.1:5432/provenance_dev", *args)
    line = one_error_line(result)
    assert "PostgreSQL driver" in line
    assert "pip install 'provenance[postgres]'" in line


def test_unsupported_database_kind_is_refused() -> None:
    line = one_error_line(run("--db", "mysql://root@localhost/desk", "source", "list"))
    assert line == ("Error: provenance works with SQLite and PostgreSQL, not 'mysql'; use sqlite:/// or postgresql://")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("source", "list", "--bogus"), "No such option '--bogus'"),
        (("claim", "frobnicate"), "No such command 'frobnicate'"),
        (("evidence", "add", "suntech-diversion", KEY_2018, "--quote", "x"), "Missing option '--stance'"),
        (("source", "add"), "Missing argument 'FILE_FOLDER_OR_URL...'"),
        (
            ("evidence", "add", "a", "b", "--quote", "x", "--stance", "supports", "--occurrence", "two"),
            "'two'",
        ),
    ],
    ids=["unknown option", "unknown command", "missing option", "missing argument", "bad integer"],
)
def test_usage_mistakes_give_one_line_and_exit_2(seeded: Provenance, args: tuple[str, ...], fragment: str) -> None:
    line = seeded.fails(*args, code=2)
    assert fragment in line
    assert "--help`)" in line


def test_a_claim_cannot_contradict_itself(seeded: Provenance) -> None:
    line = seeded.fails("contradiction", "add", "suntech-diversion", "suntech-diversion")
    assert line == "Error: a claim cannot contradict itself ('suntech-diversion'); name two different claims"


def test_a_contradiction_recorded_twice_is_refused(seeded: Provenance) -> None:
    line = seeded.fails("contradiction", "add", "talks-may-be-called-off", "dprk-denuclearisation-willingness")
    assert line == (
        "Error: claims 'talks-may-be-called-off' and 'dprk-denuclearisation-willingness' are already "
        "recorded as contradicting each other"
    )


def test_report_into_a_missing_folder_is_refused(seeded: Provenance, tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "report.md"
    line = seeded.fails("report", "--output", str(target))
    assert line == (
        f"Error: cannot write {target}: folder {target.parent} does not exist; create it or choose another path"
    )
    assert not target.parent.exists()


def test_a_folder_with_a_link_loop_captures_the_rest_and_lists_the_loop(provenance: Provenance, tmp_path: Path) -> None:
    folder = tmp_path / "desk"
    write_article(folder / "story.txt", "A story. It is short.")
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    result = provenance("source", "add", str(folder))
    assert result.exit_code == 1
    assert result.stdout == "story\tadded (1 paragraph, 2 sentences)\n"
    assert f"not captured: {folder / 'loop'}: link loop" in result.stderr


def test_a_saved_web_page_is_captured_with_its_metadata(provenance: Provenance) -> None:
    page = Path(__file__).parent / "fixtures" / "documents" / "news-article.html"
    [record] = json.loads(provenance.ok("source", "add", str(page), "--json").stdout)
    shown = json.loads(provenance.ok("source", "show", record["key"], "--passages", "--json").stdout)
    assert shown["media_type"] == "text/html"
    assert shown["title"] and shown["published"] and shown["url"]
    text = " ".join(p["text"] for p in shown["passages"])
    assert "<" not in text and "function(" not in text


def test_a_pdf_is_captured_with_the_page_of_each_passage(provenance: Provenance) -> None:
    pytest.importorskip("pypdf")
    pdf = Path(__file__).parent / "fixtures" / "documents" / "two-pages.pdf"
    [record] = json.loads(provenance.ok("source", "add", str(pdf), "--json").stdout)
    shown = json.loads(provenance.ok("source", "show", record["key"], "--passages", "--json").stdout)
    assert shown["media_type"] == "application/pdf"
    pages = {p["page_no"] for p in shown["passages"]}
    assert pages == {1, 2}
    text = provenance.ok("source", "show", record["key"], "--passages").stdout
    assert ", page 2]" not in text and ", page 2" in text
    assert text.splitlines()[1] == "  version:     1"


def test_a_report_cites_the_page_of_a_pdf_passage(provenance: Provenance) -> None:
    pytest.importorskip("pypdf")
    pdf = Path(__file__).parent / "fixtures" / "documents" / "two-pages.pdf"
    [record] = json.loads(provenance.ok("source", "add", str(pdf), "--json").stdout)
    shown = json.loads(provenance.ok("source", "show", record["key"], "--passages", "--json").stdout)
    second = next(p for p in shown["passages"] if p["kind"] == "sentence" and p["page_no"] == 2)
    provenance.ok("claim", "add", "paged", "A claim resting on page two.")
    provenance.ok("evidence", "add", "paged", record["key"], "--quote", second["text"], "--stance", "supports")
    report = provenance.ok("report").stdout
    assert f"page 2, paragraph {second['paragraph_no']}" in report
