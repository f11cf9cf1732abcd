"""Writing a command's output file: whole or not at all, never over the database, never over what is not a file.

Every command that writes to a path the user names (``report -o``, ``export -o``) writes through :func:`write`:

- Only a regular file is written, or a new one created. A folder, a device (``/dev/full``), a FIFO or a socket
  is refused. A symbolic link to a regular file is written through to that file: the link stays a link, as it
  would after a shell's ``>``.
- The database is refused, however it is named (another path, a link, a hard link), and so are SQLite's
  ``-wal``, ``-shm`` and ``-journal`` files beside it.
- The text goes into a temporary file in the same folder, is flushed to the disk, and is then renamed over the
  old file: a full disk or a crash leaves the old file whole. A replaced file keeps its permissions (and, when
  the writer may set them, its owner); a new one gets the usual permissions under the umask.
- Anything that goes wrong (no such folder, no permission, no space left) is one :class:`Invalid` line.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from provenance.errors import Invalid

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

# Files SQLite keeps beside a database while it is open (write-ahead log, shared memory, rollback journal).
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")

_KINDS = {
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFSOCK: "a socket",
}


def database_files(url: URL) -> list[Path]:
    """The files a SQLite database at ``url`` lives in (the database and its companions); none for a server
    database or an in-memory one."""
    name = url.database
    if url.get_backend_name() != "sqlite" or not name or name == ":memory:" or name.startswith("file:"):
        return []
    return [Path(name + suffix) for suffix in SQLITE_COMPANIONS]


def _stat(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None


def _same_file(real: Path, found: os.stat_result | None, other: Path) -> bool:
    if Path(os.path.realpath(other)) == real:
        return True
    theirs = _stat(other) if found is not None else None
    return theirs is not None and found is not None and os.path.samestat(found, theirs)


def check(path: Path, *, protected: Sequence[Path] = ()) -> Path:
    """Where writing ``path`` puts the text (its real path, through any symbolic links), if it may be written;
    else :class:`Invalid`. ``protected`` are files never to write: the database first, then its companions."""
    real = Path(os.path.realpath(path))
    try:
        found = _stat(real)
    except NotADirectoryError as exc:
        raise Invalid(f"cannot write {path}: {path.parent} is a file, not a folder; choose another path") from exc
    except OSError as exc:
        raise Invalid(f"cannot write {path}: {exc.strerror or exc}; choose another path") from exc
    if found is not None and stat.S_ISDIR(found.st_mode):
        raise Invalid(f"cannot write {path}: it is a folder; give a file name")
    if found is not None and not stat.S_ISREG(found.st_mode):
        kind = _KINDS.get(stat.S_IFMT(found.st_mode), "not a regular file")
        raise Invalid(f"cannot write {path}: it is {kind}, not a regular file; give a file name")
    if not real.parent.is_dir():
        folder = path.parent if real == Path(os.path.abspath(path)) else real.parent
        raise Invalid(f"cannot write {path}: folder {folder} does not exist; create it or choose another path")
    for n, other in enumerate(protected):
        if _same_file(real, found, other):
            what = "the database" if n == 0 else "one of the database's own files"
            raise Invalid(f"cannot write {path}: {other} is {what}; choose another file name")
    return real


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def _failure(path: Path, folder: Path, existed: bool, exc: OSError) -> Invalid:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        kept = f"{path} is unchanged" if existed else f"{path} was not created"
        return Invalid(f"cannot write {path}: no space left on the disk ({kept}); free some space or write elsewhere")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return Invalid(f"cannot write {path}: no permission to write in folder {folder}; choose another path")
    if exc.errno == errno.EROFS:
        return Invalid(f"cannot write {path}: folder {folder} is on a read-only file system; choose another path")
    return Invalid(f"cannot write {path}: {exc.strerror or exc}; choose another path")


def write(path: Path, content: str | bytes, *, protected: Sequence[Path] = ()) -> None:
    """Write ``content`` (text as UTF-8) to ``path`` whole, as the module says; :class:`Invalid` if it may not be
    written or the write fails, with the old file (if any) as it was."""
    real = check(path, protected=protected)
    old = _stat(real)
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        handle, temporary = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".tmp")
    except OSError as exc:
        raise _failure(path, real.parent, old is not None, exc) from exc
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        # mkstemp makes the file private: give it the old file's permissions, or the usual ones for a new file
        os.chmod(temporary, stat.S_IMODE(old.st_mode) if old is not None else 0o666 & ~_umask())
        if old is not None and (old.st_uid, old.st_gid) != (os.geteuid(), os.getegid()):
            # only root may give a file away: otherwise the permission bits are kept and the writer owns it
            with contextlib.suppress(PermissionError):
                os.chown(temporary, old.st_uid, old.st_gid)
        os.replace(temporary, real)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise _failure(path, real.parent, old is not None, exc) from exc
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_folder(real.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (where the platform allows opening a folder)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(handle)
    finally:
        os.close(handle)
