"""The daily commands through the desk's server after `provenance login`: the same stdout, --json, stderr lines,
`Error:` lines and exit codes as the same commands run on the database; the credentials file; logout; refusals.

A real server (uvicorn, in a thread, on a free loopback port) runs the desk's app over the `seeded` database; the
command line runs in-process without --db, its credentials in a file of the test's own ($PROVENANCE_CREDENTIALS).
The same command run on the database directly acts as the same name (`--as editor`), so that every "by" agrees.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from argon2 import PasswordHasher
from click.testing import CliRunner, Result
from conftest import PASSWORD, SEED_2018, SERVER_SECRET, Provenance, make_accounts, row_counts

from provenance import accounts, client
from provenance.cli import cli
from provenance.cli import remote as remote_cli
from provenance.web.app import ServerConfig, create_app

CLAIM = "suntech-diversion"
SOURCE = "india-medical-aid-2020"
QUOTE = "certain nuclear materials supplied to Pakistan Atomic Energy Commission"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class DeskServer:
    """The desk's app served by uvicorn in a background thread, on 127.0.0.1."""

    def __init__(self, url: str) -> None:
        self.tokens = make_accounts(url)
        self.app = create_app(ServerConfig(database_url=url, secret=SERVER_SECRET))
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert self.thread.is_alive() and time.monotonic() < deadline, "the test server did not start"
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)
        self.app.state.engine.dispose()


@pytest.fixture
def desk_server(seeded: Provenance, monkeypatch: pytest.MonkeyPatch) -> Iterator[DeskServer]:
    # passwords hashed at the least cost: the accounts' hashing is tested in test_accounts.py, not here
    monkeypatch.setattr(accounts, "hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    server = DeskServer(seeded.url)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class Remote:
    """The command line with no database given, its login kept in ``credentials``."""

    def __init__(self, url: str, credentials: Path) -> None:
        self.url = url
        self.credentials = credentials
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None) -> Result:
        return self.runner.invoke(cli, ["--debug", *args], input=input, catch_exceptions=False)

    def ok(self, *args: str, input: str | None = None) -> Result:
        result = self(*args, input=input)
        assert result.exit_code == 0, f"exit {result.exit_code}: {result.stderr}"
        return result

    def login(self, name: str) -> Result:
        """Log in as ``name``, and use the token once: its first use is logged (an event), later ones are not
        for an hour, so that a failing command can be shown to write nothing."""
        result = self.ok("login", self.url, "--name", name, input=PASSWORD + "\n")
        self.ok("whoami")
        return result

    def error(self, *args: str, code: int = 1, input: str | None = None) -> str:
        """The one `Error:` line of a command that fails, with nothing on stdout."""
        result = self(*args, input=input)
        assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
        return lines[0]


@pytest.fixture
def remote(desk_server: DeskServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Remote:
    credentials = tmp_path / "config" / "provenance" / "credentials.json"
    monkeypatch.setenv(client.CREDENTIALS_ENV, str(credentials))
    monkeypatch.delenv("PROVENANCE_DATABASE_URL", raising=False)
    monkeypatch.delenv("PROVENANCE_USER", raising=False)
    return Remote(desk_server.url, credentials)


@pytest.fixture
def editor(remote: Remote) -> Remote:
    remote.login("editor")
    return remote


def same(direct: Result, through: Result, *, swap: tuple[str, str] | None = None) -> None:
    """Both runs printed the same (stdout and stderr) and ended the same; ``swap`` = (direct's name, the
    server run's name) for a thing each made under a name of its own."""

    def norm(text: str) -> str:
        return text.replace(swap[0], swap[1]) if swap else text

    assert through.exit_code == direct.exit_code
    assert through.stdout == norm(direct.stdout)
    assert through.stderr == norm(direct.stderr)


# --- login, the credentials file, logout ----------------------------------------------------------------


def test_login_keeps_a_token_in_a_file_only_the_user_can_read(remote: Remote, desk_server: DeskServer) -> None:
    result = remote.login("editor")
    assert result.stdout == ""
    assert result.stderr.startswith(f"signed in as editor at {desk_server.url}; the daily commands now go through it")
    assert stat.S_IMODE(remote.credentials.stat().st_mode) == 0o600
    assert stat.S_IMODE(remote.credentials.parent.stat().st_mode) == 0o700
    kept = json.loads(remote.credentials.read_text())
    assert sorted(kept) == ["name", "token", "token_id", "url"]
    assert kept["url"] == desk_server.url and kept["name"] == "editor"
    assert kept["token"].startswith("pvt_") and isinstance(kept["token_id"], int)
    assert PASSWORD not in remote.credentials.read_text()
    assert [p.name for p in remote.credentials.parent.iterdir()] == ["credentials.json"]  # no temporary file left
    whoami = remote.ok("whoami")
    assert whoami.stdout == f"editor (editor) at {desk_server.url}\n"


def test_a_wrong_password_is_the_servers_line_and_keeps_no_file(remote: Remote) -> None:
    result = remote("login", remote.url, "--name", "editor", input="not the password\n")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {accounts.WRONG_NAME_OR_PASSWORD}\n"
    assert not remote.credentials.exists()


def test_logout_revokes_the_token_so_a_copy_of_the_file_no_longer_works(editor: Remote) -> None:
    kept = editor.credentials.read_text()
    result = editor.ok("logout")
    assert result.stderr.startswith(f"logged out of {editor.url}: token ")
    assert not editor.credentials.exists()
    editor.credentials.write_text(kept)
    os.chmod(editor.credentials, 0o600)
    line = editor.error("claim", "show", CLAIM)
    assert line.startswith(f"Error: the desk's server at {editor.url} no longer takes your token (")
    assert line.endswith(f"log in again with `provenance login {editor.url}`")


def test_logout_removes_the_file_even_when_the_server_is_gone(remote: Remote) -> None:
    port = _free_port()
    client.save_credentials(client.Credentials(f"http://127.0.0.1:{port}", "editor", 7, "pvt_" + "x" * 43))
    result = remote.ok("logout")
    assert not remote.credentials.exists()
    assert result.stderr.startswith(
        f"credentials removed, but the token was not revoked on http://127.0.0.1:{port} (cannot reach the desk's "
        f"server at http://127.0.0.1:{port} ("
    )


def test_an_unreachable_server_is_one_line_saying_what_to_do(remote: Remote) -> None:
    port = _free_port()
    client.save_credentials(client.Credentials(f"http://127.0.0.1:{port}", "editor", 7, "pvt_" + "x" * 43))
    line = remote.error("claim", "show", CLAIM)
    assert line.startswith(f"Error: cannot reach the desk's server at http://127.0.0.1:{port} (")
    assert line.endswith("is `provenance serve` running there? `provenance logout` to work on a database directly")


def test_a_file_others_may_read_is_refused(editor: Remote) -> None:
    os.chmod(editor.credentials, 0o644)
    assert editor.error("claim", "show", CLAIM) == (
        f"Error: the credentials file {editor.credentials} may be read by others (mode 0644); `chmod 600 "
        f"{editor.credentials}`, or `provenance logout` and log in again"
    )


def test_http_to_another_machine_warns_that_the_password_travels_in_clear() -> None:
    assert client.in_clear("http://desk.example.org:8000")
    assert client.in_clear("http://10.0.0.5")
    assert not client.in_clear("http://127.0.0.1:8000")
    assert not client.in_clear("http://localhost:8000")
    assert not client.in_clear("http://[::1]:8000")
    assert not client.in_clear("https://desk.example.org")
    assert client.server_url("https://desk.example.org/api/v1/") == "https://desk.example.org"


def test_login_refuses_an_address_that_is_no_server_address(remote: Remote) -> None:
    assert remote.error("login", "desk.example.org", input=PASSWORD + "\n") == (
        "Error: 'desk.example.org' is not the address of a desk's server; give it as http(s)://HOST[:PORT]"
    )


# --- what is refused while logged in ----------------------------------------------------------------------


def test_as_is_refused_through_the_server(editor: Remote, seeded: Provenance) -> None:
    before = row_counts(seeded.url)
    assert editor.error("--as", "bea", "claim", "add", "x-as", "A statement.") == (
        f"Error: --as is not taken through the desk's server: it knows who you are (editor at {editor.url}); "
        "leave out --as, or give --db to work on a database directly"
    )
    assert row_counts(seeded.url) == before


def test_other_commands_say_they_work_on_a_database_directly(editor: Remote) -> None:
    listed = ", ".join(remote_cli.THROUGH_SERVER)
    assert editor.error("entity", "list") == (
        "Error: `provenance entity list` works on a database directly: give --db URL (or "
        f"$PROVENANCE_DATABASE_URL); logged in to {editor.url}, only {listed} go through the server "
        "(`provenance logout` to work locally)"
    )


def test_with_db_the_commands_work_on_the_database_as_before(editor: Remote, seeded: Provenance) -> None:
    direct = editor.ok("--db", seeded.url, "--as", "bea", "whoami")
    assert direct.stdout.startswith("bea (declared, not signed in) on ")
    assert editor.ok("--db", seeded.url, "entity", "list").stdout == seeded.ok("entity", "list").stdout


def test_a_usage_mistake_is_still_caught_on_this_side(editor: Remote) -> None:
    result = editor("claim", "show")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: Missing argument 'KEY'.")


# --- the daily commands: the same output either way -------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("claim", "show", CLAIM),
        ("claim", "show", CLAIM, "--explain"),
        ("claim", "show", CLAIM, "--json"),
        ("claim", "list"),
        ("claim", "list", "--json"),
        ("claim", "list", "--about", "North Korea"),
        ("search", '"nuclear materials" Pakistan'),
        ("search", "nuclear", "--json", "--limit", "3"),
        ("status",),
        ("status", "--json"),
        ("history", CLAIM),
        ("history", "--source", SOURCE, "--json"),
        ("history", "--limit", "5"),
        ("report",),
        ("report", "--format", "json", "--claim", CLAIM),
        ("report", "--format", "html", "--style", "chicago-author-date"),
    ],
    ids=lambda args: " ".join(args),
)
def test_reading_through_the_server_prints_what_the_database_gives(
    editor: Remote, seeded: Provenance, args: tuple[str, ...]
) -> None:
    through = editor(*args)
    direct = seeded("--as", "editor", *args)
    assert direct.exit_code == 0, direct.stderr
    same(direct, through)


@pytest.mark.parametrize(
    "args",
    [
        ("claim", "show", "no-such-claim"),
        ("claim", "show", "no-such-claim", "--json"),
        ("search", "nuclear", "--source", "no-such-source"),
        ("history", "--claim", "no-such-claim"),
        ("report", "--format", "docx"),
        ("report", "--claim", "no-such-claim"),
        ("evidence", "add", CLAIM, SOURCE, "--quote", "words this source never had", "--stance", "supports"),
        ("evidence", "add", CLAIM, "no-such-source", "--quote", QUOTE, "--stance", "supports"),
        ("review", "no-such-claim", "--status", "in progress"),
        ("claim", "add", CLAIM, "A claim that is there already."),
    ],
    ids=lambda args: " ".join(args),
)
def test_a_mistake_is_the_same_error_line_either_way(editor: Remote, seeded: Provenance, args: tuple[str, ...]) -> None:
    before = row_counts(seeded.url)
    through = editor.error(*args)
    assert row_counts(seeded.url) == before
    assert through == seeded.fails("--as", "editor", *args)


def test_report_to_a_file_writes_the_bytes_the_server_sends(editor: Remote, seeded: Provenance, tmp_path: Path) -> None:
    for fmt in ("markdown", "html", "json"):
        direct_file, through_file = tmp_path / f"direct.{fmt}", tmp_path / f"through.{fmt}"
        direct = seeded.ok("report", "--format", fmt, "-o", str(direct_file))
        through = editor.ok("report", "--format", fmt, "-o", str(through_file))
        assert through_file.read_bytes() == direct_file.read_bytes()
        assert (through.stdout, through.stderr) == ("", f"report written to {through_file}\n")
        assert direct.stderr == f"report written to {direct_file}\n"


def test_claim_add_evidence_add_and_review_print_the_same(editor: Remote, seeded: Provenance) -> None:
    for json_flag in ((), ("--json",)):
        suffix = "-json" if json_flag else ""
        mine, theirs = f"x-direct{suffix}", f"x-through{suffix}"
        steps: list[tuple[str, ...]] = [
            ("claim", "add", "{key}", "India sent nuclear material to Pakistan.", "--about", "India", *json_flag),
            (
                "evidence",
                "add",
                "{key}",
                SOURCE,
                "--quote",
                QUOTE,
                "--stance",
                "supports",
                "--confidence",
                "unlikely",
                *json_flag,
            ),
            ("review", "{key}", "--status", "in progress", *json_flag),
            ("review", "{key}", "--status", "in progress", *json_flag),  # nothing changed: a line on stderr
            ("review", "{key}", "--status", "in review", "--verdict", "unproven", *json_flag),
            ("claim", "show", "{key}", *json_flag),
        ]
        for step in steps:
            direct = seeded("--as", "editor", *(part.format(key=mine) for part in step))
            through = editor(*(part.format(key=theirs) for part in step))
            assert direct.exit_code == 0, direct.stderr
            if json_flag:
                _same_json(direct, through, swap=(mine, theirs))
            else:
                same(direct, through, swap=(mine, theirs))


VOLATILE = ("created_at", "updated_at", "at", "evidence_id", "id")


def _same_json(direct: Result, through: Result, *, swap: tuple[str, str]) -> None:
    """The same JSON but for the key each run made and the times and row ids that differ between two rows."""

    def norm(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: ("..." if k in VOLATILE else norm(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [norm(v) for v in value]
        return value.replace(swap[0], swap[1]) if isinstance(value, str) else value

    assert through.exit_code == direct.exit_code
    assert norm(json.loads(through.stdout)) == norm(json.loads(direct.stdout))
    assert through.stderr == direct.stderr.replace(swap[0], swap[1])


def test_a_stale_version_is_refused_with_the_current_one(editor: Remote, seeded: Provenance) -> None:
    before = row_counts(seeded.url)
    version = json.loads(editor.ok("claim", "show", CLAIM, "--json").stdout)["version"]
    line = editor.error("review", CLAIM, "--status", "in progress", "--expect-version", str(version + 5))
    assert row_counts(seeded.url) == before
    assert line == seeded.fails(
        "--as", "editor", "review", CLAIM, "--status", "in progress", "--expect-version", str(version + 5)
    )


def test_a_viewer_may_not_add_a_claim(remote: Remote, seeded: Provenance) -> None:
    remote.login("viewer")
    before = row_counts(seeded.url)
    line = remote.error("claim", "add", "x-viewer", "A statement.")
    assert line.startswith("Error: viewer is a viewer and may not ")
    assert row_counts(seeded.url) == before


def test_source_add_uploads_the_file_and_captures_it_as_the_database_would(
    editor: Remote, seeded: Provenance, tmp_path: Path
) -> None:
    texts = {}
    for year in ("1960", "1961"):  # two articles alike but for one word: the same lines, a source each
        texts[year] = tmp_path / f"river-{year}.txt"
        texts[year].write_text(
            f"Title: The river dispute\nPublished: 2021-03-04\n\nThe two states signed a water treaty in {year}. "
            "Talks on the treaty stalled in 2019.\n",
            encoding="utf-8",
        )
    through = editor("source", "add", str(texts["1960"]), "--key", "river-through", "--reliability", "C")
    direct = seeded(
        "--as", "editor", "source", "add", str(texts["1961"]), "--key", "river-direct", "--reliability", "C"
    )
    assert direct.exit_code == 0, direct.stderr
    same(direct, through, swap=("river-direct", "river-through"))
    assert through.stdout == "river-through\tadded (1 paragraph, 2 sentences)\n"
    stored = json.loads(seeded.ok("source", "show", "river-through", "--json").stdout)
    assert stored["original_sha256"] == hashlib.sha256(texts["1960"].read_bytes()).hexdigest()
    assert (stored["title"], stored["published"], stored["reliability"]) == ("The river dispute", "2021-03-04", "C")
    assert stored["captured_by"] == "editor"


def test_source_add_of_a_file_already_captured_says_so_the_same_way(editor: Remote, seeded: Provenance) -> None:
    through = editor("source", "add", str(SEED_2018))
    direct = seeded("--as", "editor", "source", "add", str(SEED_2018))
    assert direct.exit_code == 0, direct.stderr
    same(direct, through)
    found = json.loads(editor.ok("source", "add", str(SEED_2018), "--json").stdout)
    assert [(f["key"], f["state"], f["created"]) for f in found] == [("india-north-korea-2018", "unchanged", False)]


def test_source_add_of_a_folder_says_what_was_skipped_and_not_captured_and_fails_as_the_command_does(
    editor: Remote, seeded: Provenance, tmp_path: Path
) -> None:
    for side in ("direct", "through"):
        folder = tmp_path / side
        folder.mkdir()
        (folder / f"{side}.txt").write_text(
            f"Title: A\n\nOne sentence here, {side}. Two sentences here.\n", encoding="utf-8"
        )
        (folder / "b.txt").write_text("", encoding="utf-8")
        (folder / "c.xyz").write_text("x", encoding="utf-8")
    direct = seeded("--as", "editor", "source", "add", str(tmp_path / "direct"))
    through = editor("source", "add", str(tmp_path / "through"))
    assert (direct.exit_code, through.exit_code) == (1, 1), through.stderr
    assert direct.stdout == "direct\tadded (1 paragraph, 2 sentences)\n"
    assert through.stdout == "through\tadded (1 paragraph, 2 sentences)\n"
    assert through.stderr.splitlines() == [
        f"skipped {tmp_path / 'through' / 'c.xyz'}: provenance does not read .xyz files",
        "not captured: b.txt is empty; give an article with text",  # the server names the file it was sent
        "Error: 1 of 2 files were not captured (reasons above); the other 1 were",
    ]
    assert (
        direct.stderr.splitlines()[0] == f"skipped {tmp_path / 'direct' / 'c.xyz'}: provenance does not read .xyz files"
    )
    assert direct.stderr.splitlines()[2] == through.stderr.splitlines()[2]


def test_source_add_refuses_private_addresses_through_the_server(editor: Remote, seeded: Provenance) -> None:
    before = row_counts(seeded.url)
    assert editor.error("source", "add", "http://127.0.0.1:9/page.html", "--allow-private-addresses") == (
        "Error: --allow-private-addresses is not taken through the desk's server: the server fetches pages itself, "
        "never from its own machine or network; give --db to capture from this machine"
    )
    line = editor.error("source", "add", "http://127.0.0.1:9/page.html")
    assert line == seeded.fails("source", "add", "http://127.0.0.1:9/page.html")
    assert row_counts(seeded.url) == before


def test_claim_list_json_joins_every_page_and_the_text_says_when_it_shows_the_first_only(
    editor: Remote, seeded: Provenance, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(remote_cli, "PAGE_LIMIT", 2)
    everything = json.loads(seeded.ok("claim", "list", "--json").stdout)
    assert len(everything) > 2
    assert json.loads(editor.ok("claim", "list", "--json").stdout) == everything
    text = editor.ok("claim", "list")
    assert text.stderr == "the first 2 claims only: the server lists them 2 at a time; --json gives every one\n"
    assert [line.split()[0] for line in text.stdout.splitlines()[-2:]] == [c["key"] for c in everything[:2]]


def test_login_over_http_to_another_machine_warns_first(remote: Remote) -> None:
    result = remote("login", "http://desk.invalid:8000", "--name", "editor", input=PASSWORD + "\n")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == (
        "Warning: http://desk.invalid:8000 is not encrypted (http:// to another machine): your password and token "
        "travel in clear; use https://"
    )
    assert lines[1].startswith("Error: cannot reach the desk's server at http://desk.invalid:8000 (")
    assert len(lines) == 2 and not remote.credentials.exists()


def test_whoami_and_logout_when_not_logged_in(remote: Remote, seeded: Provenance) -> None:
    assert remote.ok("logout").stderr == f"not logged in (no {remote.credentials}); nothing to do\n"
    shown = json.loads(remote.ok("--db", seeded.url, "--as", "bea", "whoami", "--json").stdout)
    assert shown["name"] == "bea" and shown["declared"] is True


def test_whoami_json_gives_the_account_and_the_server(editor: Remote) -> None:
    shown = json.loads(editor.ok("whoami", "--json").stdout)
    assert (shown["name"], shown["role"], shown["server"]) == ("editor", "editor", editor.url)


def test_logging_in_again_revokes_the_earlier_token(remote: Remote) -> None:
    remote.login("editor")
    first = json.loads(remote.credentials.read_text())
    remote.login("reviewer")
    second = json.loads(remote.credentials.read_text())
    assert second["name"] == "reviewer" and second["token_id"] != first["token_id"]
    with client.Server(remote.url, first["token"]) as server, pytest.raises(client.ServerError) as refused:
        server.request("GET", "/me")
    assert refused.value.status == 401


def test_the_credentials_file_defaults_to_the_xdg_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(client.CREDENTIALS_ENV, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    kept = client.Credentials("https://desk.example.org", "bea", 3, "pvt_" + "a" * 43)
    path = client.save_credentials(kept)
    assert path == tmp_path / "xdg" / "provenance" / "credentials.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert client.load_credentials() == kept
    assert client.remove_credentials() is True
    assert client.load_credentials() is None


def test_notices_come_back_as_the_lines_the_command_prints() -> None:
    headers = {
        "Provenance-Notice": 'caf\\u00e9 \\"quoted\\"',
        "Provenance-Notice-10": "eleventh",
        "Provenance-Notice-2": "third",
        "Content-Type": "text/plain",
    }
    assert client.notices(headers) == ['café "quoted"', "third", "eleventh"]


def test_a_credentials_file_not_written_by_login_is_one_line(editor: Remote) -> None:
    editor.credentials.write_text("{not json", encoding="utf-8")
    assert editor.error("status") == (
        f"Error: the credentials file {editor.credentials} is not one `provenance login` wrote; remove it with "
        "`provenance logout` and log in again"
    )
    assert editor.ok("logout").stderr.startswith(f"credentials file {editor.credentials} removed; no token was revoked")
    assert not editor.credentials.exists()


def test_logout_revokes_the_token_of_a_file_others_could_read(editor: Remote) -> None:
    os.chmod(editor.credentials, 0o644)
    assert editor.ok("logout").stderr.startswith(f"logged out of {editor.url}: token ")
    assert not editor.credentials.exists()


def test_a_busy_server_is_asked_again_when_it_says_so_but_an_upload_is_not_sent_twice() -> None:
    import httpx

    calls: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if len(calls) == 1 or request.method == "POST":
            return httpx.Response(
                503,
                headers={"Retry-After": "0", "Content-Type": "application/problem+json"},
                json={"status": 503, "title": "Service Unavailable", "detail": "the database is busy; try again"},
            )
        return httpx.Response(200, json={"name": "editor"})

    with client.Server("http://127.0.0.1:9", "pvt_" + "x" * 43) as server:
        server._client = httpx.Client(base_url=server.url + client.API, transport=httpx.MockTransport(answer))
        assert server.request("GET", "/me").json() == {"name": "editor"}
        assert calls == ["GET", "GET"]
        with pytest.raises(client.ServerError) as busy:
            server.request("POST", "/sources", files=[("files", ("a.txt", b"text", "text/plain"))])
        assert (busy.value.status, str(busy.value)) == (503, "the database is busy; try again")
        assert calls == ["GET", "GET", "POST"]
