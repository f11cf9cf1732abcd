"""``provenance serve``: a real server in a subprocess, on a free loopback port, against a database file (and
PostgreSQL when the tests have one); its refusals; the secret it keeps."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher
from conftest import PASSWORD, Provenance, make_accounts

from provenance import accounts, db
from provenance.errors import Invalid
from provenance.web import secret

CHEAP = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
START_TIMEOUT = 60.0


@pytest.fixture(autouse=True)
def cheap_hasher(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "hasher", CHEAP)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """`provenance serve` running in a subprocess."""

    def __init__(self, url: str, config_home: Path, *extra: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "XDG_CONFIG_HOME": str(config_home)}
        env.pop("PROVENANCE_SECRET_FILE", None)
        command = [sys.executable, "-c", "from provenance.cli import cli; cli()"]
        self.process = subprocess.Popen(
            [*command, "--db", url, "serve", "--port", str(self.port), *extra],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server ended ({self.process.returncode}): {self.process.stderr.read()}")  # type: ignore[union-attr]
            try:
                if httpx.get(f"{self.base}/api/v1/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"the server did not answer within {START_TIMEOUT} s")

    def stop(self) -> tuple[str, str]:
        self.process.terminate()
        try:
            out, err = self.process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, err = self.process.communicate()
        return out, err


@pytest.fixture
def serving(seeded: Provenance, tmp_path: Path) -> Iterator[Server]:
    make_accounts(seeded.url)
    server = Server(seeded.url, tmp_path / "config")
    try:
        server.wait_until_up()
        yield server
    finally:
        server.stop()


def test_a_real_server_signs_in_and_answers(serving: Server, tmp_path: Path) -> None:
    with httpx.Client(base_url=serving.base, timeout=30) as client:
        signed = client.post("/api/v1/session", json={"name": "viewer", "password": PASSWORD})
        assert signed.status_code == 200
        assert signed.json()["account"]["name"] == "viewer"
        claim = client.get("/api/v1/claims/suntech-diversion")
        assert claim.status_code == 200, claim.text
        assert claim.json()["key"] == "suntech-diversion"
        assert claim.headers["etag"].strip('"').isdigit()
        assert claim.headers["content-security-policy"].startswith("default-src 'self'")
        assert "server" not in claim.headers
        client.cookies.clear()
        refused = client.get("/api/v1/claims/suntech-diversion")
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
    secret_file = tmp_path / "config" / "provenance" / "server-secret"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(secret_file.parent.stat().st_mode) == 0o700
    assert len(secret_file.read_bytes()) == 32
    out, err = serving.stop()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err  # uvicorn's own start and stop lines are not shown
    first = lines[0]
    assert first.startswith(f"provenance serve: listening on {serving.base} (1 worker), database ")
    assert first.endswith(
        f", identities declared; sign in with `provenance login {serving.base}` (the API is described at "
        f"{serving.base}/api)"
    )


def test_workers_share_one_secret(seeded: Provenance, tmp_path: Path) -> None:
    """Two workers: a session signed in through one is accepted, with its CSRF token, by whichever answers."""
    make_accounts(seeded.url)
    server = Server(seeded.url, tmp_path / "config", "--workers", "2")
    try:
        server.wait_until_up()
        with httpx.Client(base_url=server.base, timeout=30) as client:
            signed = client.post("/api/v1/session", json={"name": "editor", "password": PASSWORD})
            csrf = signed.json()["csrf_token"]
            for number in range(6):
                made = client.post("/api/v1/tokens", json={"label": f"t{number}"}, headers={"X-CSRF-Token": csrf})
                assert made.status_code == 201, made.text
    finally:
        server.stop()


def test_serve_refuses_a_database_behind_the_schema(empty_db_url: str, tmp_path: Path) -> None:
    engine = db.make_engine(empty_db_url)
    try:
        previous = db.script_directory().get_revision(db.head_revision()).down_revision
        assert isinstance(previous, str)
        db.upgrade(engine, previous)
    finally:
        engine.dispose()
    line = Provenance(empty_db_url).fails("serve", "--port", str(free_port()), "--secret-file", str(tmp_path / "s"))
    assert line.startswith("Error: database ")
    assert line.endswith(
        f"is at schema revision {previous}, older than this provenance needs ({db.head_revision()}); "
        "run `provenance db upgrade`"
    )
    assert not (tmp_path / "s").exists()


def test_serve_refuses_a_database_without_the_schema(empty_db_url: str, tmp_path: Path) -> None:
    line = Provenance(empty_db_url).fails("serve", "--secret-file", str(tmp_path / "s"))
    assert line.endswith("has no provenance schema yet; run `provenance init` first")


def test_serve_refuses_as(db_url: str, tmp_path: Path) -> None:
    line = Provenance(db_url).fails("--as", "ana", "serve", "--secret-file", str(tmp_path / "s"))
    assert line == (
        "Error: --as means nothing to the server: whoever signs in acts under their own account; leave it out"
    )


def test_serve_refuses_a_secret_others_can_read(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "server-secret"
    path.write_bytes(b"k" * 32)
    path.chmod(0o644)
    line = Provenance(db_url).fails("serve", "--secret-file", str(path))
    assert line == (
        f"Error: the server's secret {path} can be read by others (mode 0644); make it yours alone with "
        f"`chmod 600 {path}` (or remove it to make a new one)"
    )


# --- the secret ---------------------------------------------------------------------------------------


def test_the_secret_is_made_once_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "provenance" / "server-secret"
    made = secret.load_or_create(path)
    assert len(made) == 32
    assert secret.load_or_create(path) == made
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert os.listdir(path.parent) == ["server-secret"]


def test_starting_at_once_agrees_on_one_secret(tmp_path: Path) -> None:
    path = tmp_path / "provenance" / "server-secret"
    found: list[bytes] = []
    threads = [threading.Thread(target=lambda: found.append(secret.load_or_create(path))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 8 and len(set(found)) == 1
    assert os.listdir(path.parent) == ["server-secret"]


def test_rotating_makes_a_new_secret(tmp_path: Path) -> None:
    path = tmp_path / "server-secret"
    old = secret.load_or_create(path)
    new = secret.rotate(path)
    assert new != old and secret.load_or_create(path) == new
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_file_that_is_not_a_secret_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "server-secret"
    path.write_bytes(b"short")
    path.chmod(0o600)
    with pytest.raises(Invalid) as refused:
        secret.load_or_create(path)
    assert str(refused.value) == (
        f"{path} holds 5 bytes, not the server's 32-byte secret; remove it, or start with --rotate-secret to make "
        "a new one"
    )


def test_the_default_place_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert secret.default_path() == tmp_path / "provenance" / "server-secret"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert secret.default_path() == tmp_path / "home" / ".config" / "provenance" / "server-secret"
