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


@dataclass(frozen=True)
class Skipped:
    """An entry of a folder that is not read, and why: hidden, or not a kind of file provenance reads."""

    path: Path
    reason: str


def display_path(path: Path | str) -> str:
    """``path`` as text to print or store: the bytes of a name that are not UTF-8 shown escaped (``\\xff``)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def iter_files(paths: Sequence[Path], *, skipped: list[Skipped] | None = None) -> Iterator[FileItem | BadFile]:
    """Each file to capture from ``paths``, and each path that cannot be captured with the reason.

    Files named in ``paths`` are taken whatever their name. Folders are walked recursively in name order,
    taking files named as in :data:`READ_EXTENSIONS` and skipping names that start with ``.``. Links are
    followed; a link that leads back into a folder being walked (a loop) or to nothing, and a folder that
    cannot be read, come back as :class:`BadFile`, and so does a name that is not UTF-8 (which a source's origin
    could not hold). A folder reached twice through links is walked once. The entries of folders not read are
    added to ``skipped``.
    """
    walked: set[tuple[int, int]] = set()
    passed: list[Skipped] = [] if skipped is None else skipped
    for path in paths:
        yield from _walk(path, named=True, ancestors={}, walked=walked, skipped=passed)


def _walk(
    path: Path,
    *,
    named: bool,
    ancestors: dict[tuple[int, int], Path],
    walked: set[tuple[int, int]],
    skipped: list[Skipped],
) -> Iterator[FileItem | BadFile]:
    suffix = path.suffix.lower()
    # Problems are worth reporting for what we would have read, and for what may be a folder.
    wanted = named or not suffix or suffix in READ_EXTENSIONS
    if display_path(path) != str(path):
        if wanted:
            yield BadFile(
                path,
                "its name is not valid UTF-8 (the bytes shown as \\x..), which provenance cannot store; rename it "
                "(e.g. `convmv -f latin1 -t utf8 --notest NAME`) and add it again",
            )
        else:
            skipped.append(_not_read(path))
        return
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            if wanted:
                yield BadFile(path, f"broken link to {display_path(os.readlink(path))}")
            else:
                skipped.append(Skipped(path, "a broken link"))
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
            yield BadFile(path, f"link loop: leads back to {display_path(ancestors[identity])}")
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
            if entry_name.startswith("."):
                skipped.append(Skipped(path / entry_name, "hidden: its name starts with a dot"))
            else:
                yield from _walk(path / entry_name, named=False, ancestors=inner, walked=walked, skipped=skipped)
    elif not stat.S_ISREG(info.st_mode):
        if wanted:
            yield BadFile(path, "not a regular file (a device, pipe or socket)")
        else:
            skipped.append(Skipped(path, "not a regular file (a device, pipe or socket)"))
    elif named or suffix in READ_EXTENSIONS:
        yield FileItem(path, info.st_size)
    else:
        skipped.append(_not_read(path))


def _not_read(path: Path) -> Skipped:
    suffix = display_path(path.suffix.lower())
    return Skipped(path, f"provenance does not read {suffix} files" if suffix else "it has no extension, like .txt")
