"""The README's desk, followed as a new user would: real processes, a real server on a loopback port.

An operator creates the first admin and starts ``provenance serve``; the admin signs in and creates a researcher,
a reviewer and an editor; the demo's claim path runs through the HTTP API (sources uploaded, a claim, its evidence,
review) and through ``provenance login`` (the editor publishes from the command line); then the desk's identities
are made verified, ``--as`` is refused, and an editor cannot publish the verdict he set himself while another
can. On SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import SEED_2018, SEED_2020
from test_serve import Server

PASSWORDS = {
    "ana": "ana's long desk password",
    "bea": "bea's long desk password",
    "cai": "cai's long desk password",
    "dev": "dev's long desk password",
}
SUNTECH = "suntech-diversion"
SUNTECH_STATEMENT = (
    "Nuclear materials that China's Suntech Technology Company supplied to the Pakistan Atomic Energy Commission "
    "were diverted to North Korea"
)
SUNTECH_QUOTE = (
    "certain nuclear materials supplied to Pakistan Atomic Energy Commission by the Suntech Technology Company "
    "Limited of China in the recent years were being diverted to North Korea"
)
RODONG = "rodong-transfer"
RODONG_QUOTE = "which in the mid-1990s led to supply of Rodong Missiles and technology to Pakistan"


class Shell:
    """The `provenance` command as a user runs it: its own process, its own config directory."""

    def __init__(self, home: Path) -> None:
        self.env = {**os.environ, "XDG_CONFIG_HOME": str(home)}
        for name in ("PROVENANCE_DATABASE_URL", "PROVENANCE_USER", "PROVENANCE_CREDENTIALS"):
            self.env.pop(name, None)

    def __call__(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-c", "from provenance.cli import cli; cli()", *args]
        return subprocess.run(command, input=input, env=self.env, capture_output=True, text=True, timeout=120)

    def ok(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        done = self(*args, input=input)
        assert done.returncode == 0, (args, done.returncode, done.stderr)
        return done


@pytest.fixture
def desk(db_url: str, tmp_path: Path) -> Iterator[tuple[str, Shell, Server]]:
    operator = Shell(tmp_path / "operator")
    operator.ok("--db", db_url, "init")
    operator.ok("--db", db_url, "user", "add", "ana", "--role", "admin", input=PASSWORDS["ana"] + "\n")
    server = Server(db_url, tmp_path / "server")
    try:
        server.wait_until_up()
        yield db_url, operator, server
    finally:
        server.stop()


def _token(client: httpx.Client, name: str) -> dict[str, str]:
    answer = client.post(
        "/api/v1/session/token", json={"name": name, "password": PASSWORDS[name], "label": "walkthrough"}
    )
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def _version(client: httpx.Client, who: dict[str, str], key: str) -> str:
    answer = client.get(f"/api/v1/claims/{key}", headers=who)
    assert answer.status_code == 200, answer.text
    return str(answer.headers["ETag"])


def _review(client: httpx.Client, who: dict[str, str], key: str, **change: Any) -> httpx.Response:
    headers = {**who, "If-Match": _version(client, who, key)}
    return client.post(f"/api/v1/claims/{key}/review", headers=headers, json=change)


def test_the_readme_desk_from_first_admin_to_a_verified_desk(desk: tuple[str, Shell, Server], tmp_path: Path) -> None:
    url, operator, server = desk
    with httpx.Client(base_url=server.base, timeout=60) as client:
        # the admin signs in (a cookie session) and creates the desk's members
        signed_in = client.post("/api/v1/session", json={"name": "ana", "password": PASSWORDS["ana"]})
        assert signed_in.status_code == 200, signed_in.text
        csrf = {"X-CSRF-Token": signed_in.json()["csrf_token"]}
        for name, role in (("bea", "researcher"), ("cai", "reviewer"), ("dev", "editor")):
            made = client.post(
                "/api/v1/accounts", headers=csrf, json={"name": name, "role": role, "password": PASSWORDS[name]}
            )
            assert made.status_code == 201, made.text
        client.cookies.clear()
        bea, cai, ana = _token(client, "bea"), _token(client, "cai"), _token(client, "ana")

        # the researcher captures the two articles, records the claim and quotes its evidence
        files = [("files", (p.name, p.read_bytes(), "text/plain")) for p in (SEED_2018, SEED_2020)]
        captured = client.post("/api/v1/sources", headers=bea, files=files)
        assert captured.status_code == 201, captured.text
        for key, statement in ((SUNTECH, SUNTECH_STATEMENT), (RODONG, "North Korea supplied Rodong missiles")):
            added = client.post("/api/v1/claims", headers=bea, json={"key": key, "statement": statement})
            assert added.status_code == 201, added.text
        for key, quote in ((SUNTECH, SUNTECH_QUOTE), (RODONG, RODONG_QUOTE)):
            evidence = client.post(
                f"/api/v1/claims/{key}/evidence",
                headers=bea,
                json={"source": "india-medical-aid-2020", "quote": quote, "stance": "supports"},
            )
            assert evidence.status_code == 201, evidence.text
        refused = _review(client, bea, SUNTECH, verdict="false")
        assert refused.status_code == 403
        assert refused.json()["detail"].startswith("bea is a researcher and may not move claims through review")

        # the reviewer takes it through review and sets the verdict
        assert _review(client, cai, SUNTECH, status="in progress").status_code == 200
        reviewed = _review(client, cai, SUNTECH, status="in review", verdict="false")
        assert reviewed.status_code == 200, reviewed.text
        assert reviewed.json()["verdict_by"] == "cai"

    # the editor works from the command line through the server, with no database credentials
    dev = Shell(tmp_path / "dev")
    signed = dev.ok("login", server.base, "--name", "dev", input=PASSWORDS["dev"] + "\n")
    assert "dev" in signed.stderr
    shown = dev.ok("claim", "show", SUNTECH)
    assert SUNTECH_QUOTE in " ".join(shown.stdout.split())
    published = dev.ok("review", SUNTECH, "--status", "published", "--note", "checked against the 2020 article")
    assert published.stdout.startswith(SUNTECH)
    assert '"status": "published"' in dev.ok("claim", "show", SUNTECH, "--json").stdout

    # the desk now proves who acts: --as is refused, and nobody publishes a verdict they set themselves
    operator.ok("--db", url, "desk", "set", "identities", "verified", "--reason", "the desk signs in now")
    pretend = operator("--db", url, "--as", "cai", "review", RODONG, "--status", "in progress")
    assert pretend.returncode == 1 and pretend.stderr.startswith("Error: --as is refused: this desk's identities")
    dev.ok("review", RODONG, "--status", "in progress")
    dev.ok("review", RODONG, "--status", "in review", "--verdict", "true", "--note", "the 2020 article says so")
    own = dev("review", RODONG, "--status", "published", "--note", "mine")
    assert own.returncode == 1
    assert own.stderr.startswith(f"Error: claim '{RODONG}' needs a second person to publish it"), own.stderr
    with httpx.Client(base_url=server.base, timeout=60) as client:
        by_another = _review(client, ana, RODONG, status="published", note="checked by a second editor")
        assert by_another.status_code == 200, by_another.text
        assert by_another.json()["status"] == "published"
        history = client.get(f"/api/v1/claims/{RODONG}/history", headers=ana)
        assert history.status_code == 200
        assert {"dev", "ana"} <= {entry["actor"] for entry in history.json()}
