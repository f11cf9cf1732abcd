"""The server's signing secret: 32 random bytes that CSRF tokens are made with (:func:`provenance.web.deps.csrf_token`).

It is kept in a file only the desk's system user can read (mode 0600, in a directory of mode 0700), by default
``$XDG_CONFIG_HOME/provenance/server-secret`` (else ``~/.config/provenance/server-secret``), made on the first start.
The file is created whole or not at all: the bytes are written to a file of their own, which is then linked to
the secret's name, and linking fails if the name exists (as ``O_EXCL`` does). So several workers started at once
agree on one secret: whichever links first made it, the others read it.

A file that others may read is refused (one line saying how to fix it): whoever reads it can make CSRF tokens for
any session they also know the cookie of. Rotating (:func:`rotate`) replaces it whole; every CSRF token changes,
so open pages must be reloaded, but sessions themselves survive (they are rows in the database, not signed cookies).
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from provenance.errors import Invalid

SECRET_BYTES = 32
FILE_NAME = "server-secret"
SECRET_FILE_ENV = "PROVENANCE_SECRET_FILE"


def default_path() -> Path:
    """``$XDG_CONFIG_HOME/provenance/server-secret``, else ``~/.config/provenance/server-secret``."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "provenance" / FILE_NAME


def _write_new(directory: Path) -> Path:
    """A new secret in a file of its own (mode 0600) in ``directory``; returns its path."""
    value = secrets.token_bytes(SECRET_BYTES)
    while True:
        candidate = directory / f".{FILE_NAME}.{secrets.token_hex(8)}"
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        break
    try:
        os.write(fd, value)
        os.fsync(fd)
    finally:
        os.close(fd)
    return candidate


def _directory(path: Path) -> Path:
    directory = path.parent
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise Invalid(f"cannot make the directory {directory} for the server's secret ({exc.strerror})") from exc
    return directory


def read(path: Path) -> bytes:
    """The secret in ``path``, refused when others may read the file or it is not one this server made."""
    try:
        found = os.stat(path)
        if found.st_mode & 0o077:
            raise Invalid(
                f"the server's secret {path} can be read by others (mode {stat.S_IMODE(found.st_mode):04o}); make it "
                f"yours alone with `chmod 600 {path}` (or remove it to make a new one)"
            )
        value = path.read_bytes()
    except OSError as exc:
        raise Invalid(f"cannot read the server's secret {path} ({exc.strerror}); check who owns it") from exc
    if len(value) != SECRET_BYTES:
        raise Invalid(
            f"{path} holds {len(value)} bytes, not the server's {SECRET_BYTES}-byte secret; remove it, or start with "
            "--rotate-secret to make a new one"
        )
    return value


def load_or_create(path: Path) -> bytes:
    """The secret in ``path``, made first if there is none (atomically: concurrent starts agree on one)."""
    if not path.exists():
        made = _write_new(_directory(path))
        try:
            os.link(made, path)
        except FileExistsError:
            pass  # another worker made it first: use theirs
        except OSError as exc:
            raise Invalid(f"cannot write the server's secret {path} ({exc.strerror})") from exc
        finally:
            made.unlink(missing_ok=True)
    return read(path)


def rotate(path: Path) -> bytes:
    """Replace the secret in ``path`` with a new one (whole: readers see the old file or the new one)."""
    made = _write_new(_directory(path))
    try:
        os.replace(made, path)
    except OSError as exc:
        made.unlink(missing_ok=True)
        raise Invalid(f"cannot write the server's secret {path} ({exc.strerror})") from exc
    return read(path)
