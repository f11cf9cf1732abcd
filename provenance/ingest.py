"""Capturing many files at once: walk the files and folders given, read each, store what is good, list the rest.

One run is one transaction (the caller commits). A file that cannot be captured (unreadable, empty, not an
article, over the size limit, its key taken) is reported with its reason and the others are captured; with
``strict``, or when it is the only file, it stops the run and nothing is written. Sources are streamed: each
file is read, stored with bulk statements and let go before the next, so memory does not grow with the
corpus; their sentences enter the search index every few thousand sources, in a few large statements.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import multiprocessing.connection
import os
import re
import signal
import stat
import sys
import threading
from collections import deque
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from provenance import access, extract
from provenance.access import Permission
from provenance.documents import Metadata
from provenance.errors import Invalid, ProvenanceError
from provenance.extract.walk import Skipped as Skipped  # re-exported for the CLI
from provenance.extract.walk import display_path as display_path
from provenance.models import Passage, PassageKind
from provenance.sources import (
    Pending,
    Span,
    Stored,
    index_sentences,
    refresh_statistics,
    segment_spans,
    store_source,
    store_sources,
)


@dataclass(frozen=True)
class Captured:
    """One file stored (``state`` "added" or "version"), or found stored already ("unchanged").

    ``not_a_version``: why a file from the address of a stored source was stored apart from it; ``key_not_used``:
    the key asked for when the file's text was found stored under another key, which it keeps.
    """

    path: Path
    key: str
    state: str
    version: int
    supersedes: str | None
    paragraphs: int
    sentences: int
    warnings: tuple[str, ...] = ()
    not_a_version: str | None = None
    key_not_used: str | None = None


@dataclass(frozen=True)
class Refused:
    """A file that was not captured, and why."""

    path: Path
    reason: str


Outcome = Captured | Refused
Progress = Callable[[Path, int], None]


@dataclass(frozen=True)
class Upload:
    """A file sent to the desk's server: captured as ``source add`` captures a file, its name (without folders)
    standing for the path typed, as its origin and what its key is made from."""

    name: str
    data: bytes

    @classmethod
    def of(cls, filename: str | None, data: bytes) -> Upload:
        name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
        if not name or name in (".", ".."):
            raise Invalid("an uploaded file came without a file name; send each file with its name (e.g. article.txt)")
        return cls(name, data)

    @property
    def path(self) -> Path:
        return Path(self.name)

    @property
    def size(self) -> int:
        return len(self.data)


File = extract.FileItem | Upload


MB = 1_000_000  # as --max-size counts them
max_bytes = extract.max_bytes  # the one limit: files here, inline texts in claims files


def planned_files(
    paths: Sequence[Path], *, skipped: list[Skipped] | None = None
) -> list[extract.FileItem | extract.BadFile]:
    """Every file a run over ``paths`` will read (folders walked recursively), and the entries it cannot read.

    Entries of folders that are not read (hidden ones, files of kinds provenance does not read) are added to
    ``skipped``, to tell the user."""
    for path in paths:
        if URL_START.match(str(path)) and not path.exists():
            raise Invalid(
                f"{_as_typed(path)} is a web address, not a file; give it to `provenance source add` as it is "
                "written (http:// or https://), or save the page and add the saved file"
            )
    found = [] if skipped is None else skipped
    items = list(extract.iter_files(paths, skipped=found))
    if not items:
        kinds = ", ".join(sorted(extract.READ_EXTENSIONS))
        names = [display_path(entry.path) for entry in found[:5]] + ([f"{len(found) - 5} more"] if found[5:] else [])
        passed = f"; skipped: {', '.join(names)}" if names else ""
        raise Invalid(f"no files to capture in {', '.join(map(display_path, paths))}; provenance reads {kinds}{passed}")
    return items


# A web address given where a file is expected ("https://...", which the shell and Path make "https:/...").
URL_START = re.compile(r"(?i)^(?:https?|ftp):/")


def _as_typed(address: Path) -> str:
    """A web address as the user typed it (a path keeps one slash of ``https://``)."""
    return URL_START.sub(lambda scheme: scheme[0] + "/", display_path(address))


def _with_path(path: Path, reason: str) -> str:
    shown = display_path(path)
    return reason if shown in reason else f"{shown}: {reason}"


BATCH = 100  # files stored together: a few statements for all of them
# Sources whose sentences enter the search index in one statement. The index writes out and merges what each
# statement added, so a few large statements cost less than one per batch of files; and those made before the
# end of a run are made while the workers go on reading. (SQLite binds at most 32,766 values a statement.)
INDEX_BATCH = 5_000
# On PostgreSQL, the sources table's statistics are refreshed after this many new sources, and then with every
# search-index batch, so that finding the stored sources a file may repeat keeps to the indexes: without them,
# the planner scans the whole table, 200 times for 20,000 files.
FIRST_STATISTICS = 1_000
PARALLEL_FROM = 64  # files; fewer are read in this process (starting workers costs about a second)
CHUNK = 16  # files a worker reads per task
# Tasks queued ahead: the workers keep reading while this process writes, also while it fills the search index
# (about a second for each INDEX_BATCH sources). A file read ahead holds about 15 kB (text and spans).
AHEAD = 2_000 // CHUNK


@dataclass(frozen=True)
class _Read:
    """A file read, cleaned and segmented: the part of capturing that needs no database."""

    extracted: extract.Extracted
    spans: list[Span]


def _read(path: Path | Upload, max_bytes: int) -> _Read | str:
    try:
        if isinstance(path, Upload):
            extracted = extract.document_from_bytes(path.data, name=path.name, origin=path.name, max_bytes=max_bytes)
        else:
            extracted = extract.read_document(path, max_bytes=max_bytes)
    except ProvenanceError as exc:
        return str(exc)
    document = extracted.document
    document.text_sha256  # noqa: B018 (computed here, in a worker, it travels with the document)
    return _Read(extracted, segment_spans(document.text))


def _read_chunk(paths: Sequence[Path | Upload], max_bytes: int) -> list[_Read | str]:
    return [_read(path, max_bytes) for path in paths]


def default_workers(files: int) -> int:
    """Processes that read files while this one writes: as many as the cores, at most four; none on one core.

    Not one fewer than the cores: this process waits on the database for part of its time, and the workers,
    which only read a bounded number of files ahead (AHEAD), stop when they are far enough ahead. On 2 cores two
    workers captured 20,000 articles in 23 s where one took 26 s (benchmarks/ingest.py).
    """
    cores = os.cpu_count() or 1
    if files < PARALLEL_FROM or cores < 2:
        return 0
    return min(4, cores)


def _start_reader(parent: int, forked: bool) -> None:
    """Set up a reader (a worker process): it dies with ``parent``, the process it reads for, holds none of its
    database connections (``forked`` ones inherit them), and gives way to it."""
    # Ctrl-C reaches the whole process group: the parent stops the run and the readers with it, without a
    # traceback from each reader. (Taken by the thread _die_with starts, the signal also left a reader waiting
    # for work for ever.)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with(parent)
    if forked:
        _close_inherited_sockets()
    _lower_priority()


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
PARENT_CHECK_SECONDS = 0.5


def _die_with(parent: int) -> None:
    """End this reader when ``parent`` ends, however it ends (``kill -9`` included): readers left behind would
    keep reading for nobody and, forked with the parent's open files, keep its database connections open.

    On Linux the kernel sends SIGKILL at the parent's death (``prctl(PR_SET_PDEATHSIG)``; strictly, when the
    thread that started the reader ends: the pool lives within one call of :func:`capture`, in one thread);
    everywhere, a thread also watches the parent and ends this process once it is gone.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no libc to call: the thread below still watches
            pass
    if _parent_gone(parent):  # it died before the kernel was told to watch it
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="provenance-parent-watch", daemon=True).start()


def _parent_gone(parent: int) -> bool:
    # An orphan is adopted by init or a subreaper: its parent's pid changes. (On Windows, os.getppid() keeps
    # naming the dead parent: there the parent's sentinel, below, tells.)
    return os.name == "posix" and os.getppid() != parent


def _watch_parent(parent: int) -> None:
    process = multiprocessing.parent_process()
    sentinels = [process.sentinel] if process is not None and process.sentinel is not None else []
    while not _parent_gone(parent):
        if sentinels and multiprocessing.connection.wait(sentinels, timeout=PARENT_CHECK_SECONDS):
            break
        if not sentinels:
            threading.Event().wait(PARENT_CHECK_SECONDS)
    os._exit(1)


def _close_inherited_sockets() -> None:
    """Close the sockets a forked reader inherited: readers read files only, and a copy of a database
    connection's socket left open here would keep the connection (and its transaction, with its locks) alive on
    the PostgreSQL server after this process's parent is gone. Closing a copy leaves the parent's connection as
    it is. (SQLite's files need no such care: its locks are the parent's alone.)"""
    try:
        fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:  # no /proc (macOS, BSD): look at each descriptor this process may have
        fds = list(range(3, min(os.sysconf("SC_OPEN_MAX"), 65_536))) if hasattr(os, "sysconf") else []
    for fd in fds:
        if fd <= 2:
            continue
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.close(fd)
        except OSError:  # closed already, or the descriptor of the listing above
            pass


def _lower_priority() -> None:
    """Let this process (a worker) give way to the one writing to the database, which the whole run waits on:
    with as many workers as cores, 20,000 articles took 23.7-23.9 s so, 24.7-25.7 s at the same priority."""
    if hasattr(os, "nice"):  # not on Windows
        os.nice(5)


def _reads(paths: Sequence[Path | Upload], max_bytes: int, workers: int) -> Generator[_Read | str, None, None]:
    """Each file of ``paths`` read, in order: by ``workers`` processes, a bounded number of files ahead."""
    if workers < 1:
        yield from (_read(path, max_bytes) for path in paths)
        return
    # Forked workers start at once with everything imported (started by "forkserver" or "spawn", each would
    # import provenance again: the first file came 3-5 s later instead of 0.1 s). They only read files, never the
    # database or a lock this process holds; they close the connections they inherit and die with this process
    # (see _start_reader). Where fork is missing (Windows), the platform's way is used.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    chunks = iter([paths[n : n + CHUNK] for n in range(0, len(paths), CHUNK)])
    setup = (os.getpid(), context.get_start_method() == "fork")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_reader, initargs=setup) as pool:
        ahead: deque[Future[list[_Read | str]]] = deque(
            pool.submit(_read_chunk, chunk, max_bytes) for chunk in islice(chunks, AHEAD)
        )
        try:
            while ahead:
                done = ahead.popleft().result()
                following = next(chunks, None)
                if following is not None:
                    ahead.append(pool.submit(_read_chunk, following, max_bytes))
                yield from done
        finally:
            # A run stopped early (--strict, an error) does not wait for the files read ahead.
            pool.shutdown(cancel_futures=True)


def capture(
    session: Session,
    items: Sequence[File | extract.BadFile],
    *,
    version_of: str | None = None,
    not_a_version: bool = False,
    key: str | None = None,
    metadata: Metadata | None = None,
    reliability: str | None = None,
    reliability_note: str | None = None,
    strict: bool = False,
    max_bytes: int = extract.DEFAULT_MAX_BYTES,
    progress: Progress | None = None,
    workers: int | None = None,
) -> list[Outcome]:
    """Capture each file of ``items`` (from :func:`planned_files`, or files sent to the server); what became of
    each, in order.

    Files are read, cleaned and segmented by ``workers`` other processes (default: :func:`default_workers`)
    while this one writes to the database, in the same order and with the same results as without them.
    ``version_of`` (one file only) and ``not_a_version`` decide about versions as in :func:`store_source`.
    """
    access.require(Permission.CAPTURE)  # before a file is read
    files = [item for item in items if isinstance(item, extract.FileItem | Upload)]
    if version_of is not None and not_a_version:
        raise Invalid("--version-of and --not-a-version contradict each other; give one of them")
    for option, given in (("--key", key), ("--version-of", version_of)):
        if given is not None and len(items) != 1:
            raise Invalid(f"{option} names one source, but {len(files)} files were given; give one file with it")
    if workers is None:
        workers = default_workers(len(files))
    reads = _reads([item if isinstance(item, Upload) else item.path for item in files], max_bytes, workers)
    outcomes: list[Outcome] = []
    batch: list[tuple[File, _Read]] = []
    created: list[int] = []  # sources stored whose sentences are not in the search index yet
    added = 0  # sources stored in this run

    def store_batch() -> None:
        nonlocal added
        if not batch:
            return
        pending = [Pending(read.extracted.document, read.spans) for _, read in batch]
        if key is not None or version_of is not None:
            results: list[Stored | ProvenanceError] = [
                _store_one(session, pending[0], version_of, not_a_version, key, metadata, reliability, reliability_note)
            ]
        else:
            results = store_sources(
                session,
                pending,
                not_a_version=not_a_version,
                metadata=metadata,
                reliability=reliability,
                reliability_note=reliability_note,
                index=False,
            )
        new = [r.id for r in results if isinstance(r, Stored) and r.created]
        created.extend(new)
        added += len(new)
        if added - len(new) < FIRST_STATISTICS <= added:
            refresh_statistics(session)
        if len(created) >= INDEX_BATCH:
            index_created()
            refresh_statistics(session)
        for (item, read), result in zip(batch, results, strict=True):
            add(_outcome(session, item, read, result))
            if progress is not None:
                progress(item.path, item.size)
        batch.clear()

    def index_created() -> None:
        index_sentences(session, created)
        created.clear()

    def add(outcome: Outcome) -> None:
        if isinstance(outcome, Refused) and len(items) == 1:
            raise Invalid(outcome.reason)
        if strict and isinstance(outcome, Refused):
            reads.close()
            raise Invalid(f"{outcome.reason}; nothing was captured (--strict stops at the first bad file)")
        outcomes.append(outcome)

    # Closed here, whatever stops the run (ctrl-C included): left to the garbage collector, the readers would be
    # shut down from whichever thread collects it, possibly one of the pool's own, which cannot wait for itself.
    with closing(reads):
        for item in items:
            if isinstance(item, extract.BadFile):
                store_batch()
                add(Refused(item.path, _with_path(item.path, item.reason)))
                continue
            read = next(reads)
            if isinstance(read, str):
                store_batch()
                add(Refused(item.path, _with_path(item.path, read)))
                if progress is not None:
                    progress(item.path, item.size)
                continue
            batch.append((item, read))
            if len(batch) >= BATCH:
                store_batch()
        store_batch()
        index_created()
    return outcomes


def _store_one(
    session: Session,
    pending: Pending,
    version_of: str | None,
    not_a_version: bool,
    key: str | None,
    metadata: Metadata | None,
    reliability: str | None,
    reliability_note: str | None,
) -> Stored | ProvenanceError:
    try:
        return store_source(
            session,
            pending.document,
            version_of=version_of,
            not_a_version=not_a_version,
            index=False,
            spans=pending.spans,
            key=key,
            metadata=metadata,
            reliability=reliability,
            reliability_note=reliability_note,
        )
    except ProvenanceError as exc:
        return exc


def stored_state(session: Session, result: Stored) -> tuple[str, int, int]:
    """What storing a document did, as a capture tells it: "added", "version" or "unchanged", and the paragraphs
    and sentences of the source it is."""
    if result.created:
        return ("version" if result.supersedes is not None else "added"), result.paragraphs, result.sentences
    return ("unchanged", *passage_counts(session, result.id))


def _outcome(session: Session, item: File, read: _Read, result: Stored | ProvenanceError) -> Outcome:
    if isinstance(result, ProvenanceError):
        # Every check in storing a document happens before anything of it is written.
        return Refused(item.path, _with_path(item.path, str(result)))
    state, paragraphs, sentences = stored_state(session, result)
    return Captured(
        path=item.path,
        key=result.key,
        state=state,
        version=result.version,
        supersedes=result.supersedes,
        paragraphs=paragraphs,
        sentences=sentences,
        warnings=read.extracted.warnings,
        not_a_version=result.not_a_version,
        key_not_used=result.key_not_used,
    )


def passage_counts(session: Session, source_id: int) -> tuple[int, int]:
    counts = dict(
        session.execute(
            select(Passage.kind, func.count())
            .where(Passage.source_id == source_id, Passage.kind.in_([PassageKind.PARAGRAPH, PassageKind.SENTENCE]))
            .group_by(Passage.kind)
        ).all()
    )
    return counts.get(PassageKind.PARAGRAPH, 0), counts.get(PassageKind.SENTENCE, 0)
