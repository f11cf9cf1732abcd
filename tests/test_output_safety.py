"""Output files (`report -o`, `export -o`): written whole or not at all, never over the database, never over
what is not a regular file, keeping the permissions of the file they replace."""

from __future__ import annotations

import errno
import hashlib
import html.parser
import json
import os
import shutil
import stat
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import Provenance
from hypothesis import given
from hypothesis import strategies as st

from provenance import db, outfile
from provenance.cli import cli
from provenance.cli.output import OUTPUT_HELP
from provenance.export import jsontext


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def desk(sqlite_seeded_template: Path, tmp_path: Path) -> Path:
    """A seeded SQLite database in its own folder."""
    path = tmp_path / "desk" / "provenance.db"
    path.parent.mkdir()
    shutil.copy(sqlite_seeded_template, path)
    return path


@pytest.mark.parametrize("command", [("report",), ("report", "--format", "json"), ("export", "bundle")])
@pytest.mark.parametrize("name", ["provenance.db", "provenance.db-wal", "provenance.db-shm", "provenance.db-journal"])
def test_an_output_onto_the_database_or_its_companions_is_refused(
    desk: Path, command: tuple[str, ...], name: str
) -> None:
    target = desk.parent / name
    before = digest(desk)
    line = Provenance(f"sqlite:///{desk}").fails(*command, "-o", str(target))
    assert line == f"Error: cannot write {target}: {desk.parent / name} is " + (
        "the database; choose another file name"
        if name == "provenance.db"
        else "one of the database's own files; choose another file name"
    )
    assert digest(desk) == before


def test_the_database_is_recognised_by_another_name_a_link_or_a_hard_link(desk: Path) -> None:
    before = digest(desk)
    (desk.parent / "link.md").symlink_to(desk)
    os.link(desk, desk.parent / "hard.md")
    provenance = Provenance(str(desk))  # a bare path, not a URL
    for target in (desk.parent / "link.md", desk.parent / "hard.md", desk.parent / "." / "provenance.db"):
        line = provenance.fails("report", "-o", str(target))
        assert line == f"Error: cannot write {target}: {desk} is the database; choose another file name"
    assert digest(desk) == before
    assert (desk.parent / "link.md").is_symlink()


def test_the_default_database_in_the_current_folder_is_refused(desk: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(desk.parent)
    monkeypatch.delenv(db.URL_ENV, raising=False)
    before = digest(desk)
    result = CliRunner().invoke(cli, ["report", "-o", "provenance.db"])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: cannot write provenance.db: provenance.db is the database; choose another file name\n"
    )
    assert digest(desk) == before


def test_a_fifo_is_refused_and_stays_a_fifo(seeded: Provenance, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    line = seeded.fails("report", "-o", str(fifo))
    assert line == f"Error: cannot write {fifo}: it is a FIFO (named pipe), not a regular file; give a file name"
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="making a device node needs root")
def test_a_device_is_refused_and_stays_a_device(seeded: Provenance, tmp_path: Path) -> None:
    full = tmp_path / "full"
    os.mknod(full, 0o666 | stat.S_IFCHR, os.makedev(1, 7))  # the same device as /dev/full
    line = seeded.fails("export", "csl", "-o", str(full))
    assert line == f"Error: cannot write {full}: it is a character device, not a regular file; give a file name"
    assert stat.S_ISCHR(os.lstat(full).st_mode)


def test_a_folder_is_refused(seeded: Provenance, tmp_path: Path) -> None:
    line = seeded.fails("report", "-o", str(tmp_path))
    assert line == f"Error: cannot write {tmp_path}: it is a folder; give a file name"


def test_a_link_to_a_file_is_written_through_and_stays_a_link(seeded: Provenance, tmp_path: Path) -> None:
    target = tmp_path / "kept" / "report.md"
    target.parent.mkdir()
    target.write_text("old report\n", encoding="utf-8")
    target.chmod(0o640)
    link = tmp_path / "latest.md"
    link.symlink_to(target)
    result = seeded.ok("report", "-o", str(link))
    assert result.stderr == f"report written to {link}\n"
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text(encoding="utf-8").startswith("# Cited report\n\n12 claims")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.md"]  # no temporary file left behind


def test_a_dangling_link_creates_the_file_it_names(seeded: Provenance, tmp_path: Path) -> None:
    link = tmp_path / "latest.json"
    link.symlink_to(tmp_path / "made.json")
    seeded.ok("export", "csl", "-o", str(link))
    assert link.is_symlink() and (tmp_path / "made.json").read_text(encoding="utf-8").startswith("[\n")


def test_a_replaced_file_keeps_its_permissions(seeded: Provenance, tmp_path: Path) -> None:
    target = tmp_path / "private.md"
    target.write_text("draft\n", encoding="utf-8")
    target.chmod(0o600)
    seeded.ok("report", "-o", str(target))
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text(encoding="utf-8").startswith("# Cited report")


def test_a_new_file_gets_the_usual_permissions(seeded: Provenance, tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        seeded.ok("report", "-o", str(tmp_path / "new.md"))
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new.md").stat().st_mode) == 0o644


def test_a_full_disk_leaves_the_old_file_whole(
    seeded: Provenance, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out" / "report.md"
    target.parent.mkdir()
    target.write_text("the old report\n", encoding="utf-8")

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(outfile.os, "fsync", full)
    line = seeded.fails("report", "-o", str(target))
    assert line == (
        f"Error: cannot write {target}: no space left on the disk ({target} is unchanged); free some space or "
        "write elsewhere"
    )
    assert target.read_text(encoding="utf-8") == "the old report\n"
    assert [p.name for p in target.parent.iterdir()] == ["report.md"]


def test_a_full_disk_creates_no_file(seeded: Provenance, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out" / "export.json"
    target.parent.mkdir()

    class FullFile:
        def __init__(self, handle: int, mode: str) -> None:
            os.close(handle)

        def __enter__(self) -> FullFile:
            return self

        def __exit__(self, *_: object) -> None:
            return None

        def write(self, _data: bytes) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(outfile.os, "fdopen", FullFile)
    line = seeded.fails("export", "webannotation", "-o", str(target))
    assert line.endswith(f"no space left on the disk ({target} was not created); free some space or write elsewhere")
    assert list(target.parent.iterdir()) == []


def test_a_folder_that_cannot_be_written_is_one_line(
    seeded: Provenance, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(**_: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(outfile.tempfile, "mkstemp", refused)
    line = seeded.fails("report", "-o", str(tmp_path / "r.md"))
    assert line == (
        f"Error: cannot write {tmp_path / 'r.md'}: no permission to write in folder {tmp_path}; choose another path"
    )


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write in any folder")
def test_a_read_only_folder_is_one_line(seeded: Provenance, tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        line = seeded.fails("report", "-o", str(folder / "r.md"))
    finally:
        folder.chmod(0o755)
    assert (
        line == f"Error: cannot write {folder / 'r.md'}: no permission to write in folder {folder}; choose another path"
    )


def test_a_missing_folder_is_one_line(seeded: Provenance, tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "r.md"
    line = seeded.fails("export", "bundle", "-o", str(target))
    assert (
        line == f"Error: cannot write {target}: folder {target.parent} does not exist; create it or choose another path"
    )


def test_every_output_option_writes_through_the_one_function() -> None:
    """Every command's output path has the same help, so it goes through provenance.outfile (see cli/output.py)."""

    def walk(command: click.Command, path: str) -> list[tuple[str, click.Parameter]]:
        found = [(path, p) for p in command.params if isinstance(p.type, click.Path) and p.name == "output"]
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                found += walk(sub, f"{path} {name}")
        return found

    outputs = walk(cli, "provenance")
    assert sorted(path for path, _ in outputs) == [
        "provenance export",
        "provenance report",
        "provenance source archive",
    ]
    assert all(isinstance(p, click.Option) and p.help == OUTPUT_HELP for _, p in outputs)


# --- JSON exports: still JSON, and safe inside an HTML page ------------------------------------------------

SCRIPT = "</script><script>alert(1)</script>"
HOSTILE_CLAIMS = f"""\
sources:
  - key: hostile-page
    title: 'Page {SCRIPT}'
    publisher: 'Desk & Co <b>'
    text: "A statement about aid. It arrived on Monday."
claims:
  - key: hostile
    statement: 'Aid arrived {SCRIPT} & left <!-- --> at once'
    status: published
    verdict: "false"
    evidence:
      - source: hostile-page
        quote: "It arrived on Monday."
        stance: supports
        attributed_to: '{SCRIPT}'
"""


@pytest.fixture
def hostile(seeded: Provenance, tmp_path: Path) -> Provenance:
    """The demo database plus a published claim whose statement and attribution try to end a script element."""
    claims_file = tmp_path / "hostile.yaml"
    claims_file.write_text(HOSTILE_CLAIMS, encoding="utf-8")
    seeded.ok("import", str(claims_file))
    return seeded


class ScriptElements(html.parser.HTMLParser):
    """The script elements of a page and the text inside each, as a browser splits them."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts.append("")
            self._inside = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.scripts[-1] += data


def strings(data: object) -> list[str]:
    """Every string in a parsed JSON document."""
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for key, value in data.items() for s in [key, *strings(value)]]
    if isinstance(data, list):
        return [s for item in data for s in strings(item)]
    return []


def test_a_claimreview_published_in_a_page_cannot_end_its_script_element(hostile: Provenance) -> None:
    organisation = f"Desk {SCRIPT}"
    text = hostile.ok(
        "export", "claimreview", "--organisation", organisation, "--base-url", "https://factcheck.example.org"
    ).stdout
    assert "<" not in text and ">" not in text and "&" not in text
    page = f'<html><head><script type="application/ld+json">\n{text}</script></head><body></body></html>'
    parser = ScriptElements()
    parser.feed(page)
    assert parser.scripts == [f"\n{text}"]  # one script element, holding the whole export
    reviews = {review["url"]: review for review in json.loads(parser.scripts[0])}
    review = reviews["https://factcheck.example.org/claims/hostile"]
    assert review["claimReviewed"] == f"Aid arrived {SCRIPT} & left <!-- --> at once"
    assert review["author"]["name"] == organisation
    assert review["itemReviewed"]["author"] == {"@type": "Person", "name": SCRIPT}
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e \\u0026 left" in text


@pytest.mark.parametrize(
    "args",
    [
        ("report", "--format", "json"),
        ("export", "webannotation"),
        ("export", "prov"),
        ("export", "csl"),
        ("export", "claimreview", "--organisation", "Desk", "--base-url", "https://factcheck.example.org"),
        ("export", "bundle"),
    ],
)
def test_every_json_export_escapes_markup_and_parses_back_to_the_same_text(
    hostile: Provenance, args: tuple[str, ...]
) -> None:
    pytest.importorskip("prov") if args == ("export", "prov") else None
    text = hostile.ok(*args).stdout
    assert not {"<", ">", "&"} & set(text)
    found = strings(json.loads(text))
    expected = f"Page {SCRIPT}" if args[-1] == "csl" else f"Aid arrived {SCRIPT} & left <!-- --> at once"
    assert any(expected in s for s in found)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    )
)
def test_json_text_parses_back_to_the_same_data_with_no_markup(data: object) -> None:
    text = jsontext.dumps(data)
    assert json.loads(text) == data
    assert not {"<", ">", "&", "\u2028", "\u2029"} & set(text)


@pytest.mark.parametrize(
    "base_url",
    ["factcheck.example.org", "javascript:alert(1)", "ftp://factcheck.example.org", "https://", "https://a b.org"],
)
def test_claimreview_needs_an_absolute_http_base_url(seeded: Provenance, base_url: str) -> None:
    line = seeded.fails("export", "claimreview", "--organisation", "Desk", "--base-url", base_url)
    assert line == (
        "Error: ClaimReview needs --base-url as an absolute http(s) URL, e.g. https://factcheck.example.org; "
        f"got {base_url!r}"
    )


def test_an_escaped_bundle_moves_the_same_text(hostile: Provenance, tmp_path: Path) -> None:
    bundle = tmp_path / "desk.json"
    hostile.ok("export", "bundle", "-o", str(bundle))
    assert "<" not in bundle.read_text(encoding="utf-8")
    copy = Provenance(f"sqlite:///{tmp_path / 'copy.db'}")
    copy.ok("init")
    copy.ok("import", str(bundle))
    shown = json.loads(copy.ok("claim", "show", "hostile", "--json").stdout)
    assert shown["statement"] == f"Aid arrived {SCRIPT} & left <!-- --> at once"


def test_a_path_below_a_file_or_through_a_link_loop_is_one_line(seeded: Provenance, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("notes\n", encoding="utf-8")
    line = seeded.fails("report", "-o", str(notes / "r.md"))
    assert line == f"Error: cannot write {notes / 'r.md'}: {notes} is a file, not a folder; choose another path"
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    line = seeded.fails("report", "-o", str(loop))
    assert line == f"Error: cannot write {loop}: Too many levels of symbolic links; choose another path"
