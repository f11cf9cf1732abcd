"""Walking files and folders for the articles to capture."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from provenance.extract.files import error_reason

READ_EXTENSIONS = frozenset((".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml", ".pdf"))
"""The files :func:`iter_files` picks up inside folders; a file named explicitly is read whatever its name."""


@dataclass(frozen=True)
class FileItem:
    """A file to capture, as it was reached (through any links), and its size in bytes."""

    path: Path
    size: int


@dataclass(frozen=True)
class BadFile:
    """A path that cannot be captured, and why, in words for the user."""

    path: Path
    reason: str


def iter_files(paths: Sequence[Path]) -> Iterator[FileItem | BadFile]:
    """Each file to capture from ``paths``, and each path that cannot be captured with the reason.

    Files named in ``paths`` are taken whatever their name. Folders are walked recursively in name order,
    taking files named as in :data:`READ_EXTENSIONS` and skipping names that start with ``.``. Links are
    followed; a link that leads back into a folder being walked (a loop) or to nothing, and a folder that
    cannot be read, come back as :class:`BadFile`. A folder reached twice through links is walked once.
    """
    walked: set[tuple[int, int]] = set()
    for path in paths:
        yield from _walk(path, named=True, ancestors={}, walked=walked)


def _walk(
    path: Path, *, named: bool, ancestors: dict[tuple[int, int], Path], walked: set[tuple[int, int]]
) -> Iterator[FileItem | BadFile]:
    suffix = path.suffix.lower()
    # Problems are worth reporting for what we would have read, and for what may be a folder.
    wanted = named or not suffix or suffix in READ_EXTENSIONS
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            if wanted:
                yield BadFile(path, f"broken link to {os.readlink(path)}")
        else:
            yield BadFile(path, "no such file or folder")
        return
    except OSError as exc:
        if wanted:
            yield BadFile(path, error_reason(exc))
        return
    if stat.S_ISDIR(info.st_mode):
        identity = (info.st_dev, info.st_ino)
        if identity in ancestors:
            yield BadFile(path, f"link loop: leads back to {ancestors[identity]}")
            return
        if identity in walked:
            return
        walked.add(identity)
        try:
            with os.scandir(path) as entries:
                names = sorted(entry.name for entry in entries)
        except OSError as exc:
            yield BadFile(path, f"cannot read folder: {error_reason(exc)}")
            return
        inner = {**ancestors, identity: path}
        for entry_name in names:
            if not entry_name.startswith("."):
                yield from _walk(path / entry_name, named=False, ancestors=inner, walked=walked)
    elif not stat.S_ISREG(info.st_mode):
        if wanted:
            yield BadFile(path, "not a regular file (a device, pipe or socket)")
    elif named or suffix in READ_EXTENSIONS:
        yield FileItem(path, info.st_size)
