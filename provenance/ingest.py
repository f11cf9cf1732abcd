"""Capturing many files at once: walk the files and folders given, read each, store what is good, list the rest.

One run is one transaction (the caller commits). A file that cannot be captured (unreadable, empty, not an
article, over the size limit, its key taken) is reported with its reason and the others are captured; with
``strict``, or when it is the only file, it stops the run and nothing is written. Sources are streamed: each
file is read, stored with bulk statements and let go before the next, so memory does not grow with the
corpus; their sentences enter the search index in batches.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from provenance import extract
from provenance.errors import Invalid, ProvenanceError
from provenance.models import Passage, PassageKind
from provenance.sources import Metadata, index_sentences, store_source


@dataclass(frozen=True)
class Captured:
    """One file stored (``state`` "added" or "version"), or found stored already ("unchanged")."""

    path: Path
    key: str
    state: str
    version: int
    supersedes: str | None
    paragraphs: int
    sentences: int
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Refused:
    """A file that was not captured, and why."""

    path: Path
    reason: str


Outcome = Captured | Refused
Progress = Callable[[Path, int], None]


def planned_files(paths: Sequence[Path]) -> list[extract.FileItem | extract.BadFile]:
    """Every file a run over ``paths`` will read (folders walked recursively), and the entries it cannot read."""
    items = list(extract.iter_files(paths))
    if not items:
        kinds = ", ".join(sorted(extract.READ_EXTENSIONS))
        raise Invalid(f"no files to capture in {', '.join(map(str, paths))}; provenance reads {kinds}")
    return items


def _with_path(path: Path, reason: str) -> str:
    return reason if str(path) in reason else f"{path}: {reason}"


INDEX_BATCH = 200  # sources whose sentences enter the search index together


def capture(
    session: Session,
    items: Sequence[extract.FileItem | extract.BadFile],
    *,
    key: str | None = None,
    metadata: Metadata | None = None,
    reliability: str | None = None,
    reliability_note: str | None = None,
    strict: bool = False,
    max_bytes: int = extract.DEFAULT_MAX_BYTES,
    progress: Progress | None = None,
) -> list[Outcome]:
    """Capture each file of ``items`` (from :func:`planned_files`); what became of each, in order."""
    files = [item for item in items if isinstance(item, extract.FileItem)]
    if key is not None and len(items) != 1:
        raise Invalid(f"--key names one source, but {len(files)} files were given; give one file with it")
    outcomes: list[Outcome] = []
    unindexed: list[int] = []
    for item in items:
        if isinstance(item, extract.BadFile):
            outcome: Outcome = Refused(item.path, _with_path(item.path, item.reason))
        else:
            outcome, new_id = _capture_one(session, item, key, metadata, reliability, reliability_note, max_bytes)
            if new_id is not None:
                unindexed.append(new_id)
            if len(unindexed) >= INDEX_BATCH:
                index_sentences(session, unindexed)
                unindexed.clear()
            if progress is not None:
                progress(item.path, item.size)
        if isinstance(outcome, Refused) and len(items) == 1:
            raise Invalid(outcome.reason)
        if strict and isinstance(outcome, Refused):
            raise Invalid(f"{outcome.reason}; nothing was captured (--strict stops at the first bad file)")
        outcomes.append(outcome)
    index_sentences(session, unindexed)
    return outcomes


def _capture_one(
    session: Session,
    item: extract.FileItem,
    key: str | None,
    metadata: Metadata | None,
    reliability: str | None,
    reliability_note: str | None,
    max_bytes: int,
) -> tuple[Outcome, int | None]:
    try:
        read = extract.read_document(item.path, max_bytes=max_bytes)
        stored = store_source(
            session,
            read.document,
            index=False,
            key=key,
            metadata=metadata,
            reliability=reliability,
            reliability_note=reliability_note,
        )
    except ProvenanceError as exc:
        # Every check in reading and add_source happens before anything is written for this file.
        return Refused(item.path, _with_path(item.path, str(exc))), None
    if stored.created:
        paragraphs, sentences = stored.paragraphs, stored.sentences
        state = "version" if stored.supersedes is not None else "added"
    else:
        paragraphs, sentences = passage_counts(session, stored.id)
        state = "unchanged"
    outcome = Captured(
        path=item.path,
        key=stored.key,
        state=state,
        version=stored.version,
        supersedes=stored.supersedes,
        paragraphs=paragraphs,
        sentences=sentences,
        warnings=read.warnings,
    )
    return outcome, stored.id if stored.created else None


def passage_counts(session: Session, source_id: int) -> tuple[int, int]:
    counts = dict(
        session.execute(
            select(Passage.kind, func.count())
            .where(Passage.source_id == source_id, Passage.kind.in_([PassageKind.PARAGRAPH, PassageKind.SENTENCE]))
            .group_by(Passage.kind)
        ).all()
    )
    return counts.get(PassageKind.PARAGRAPH, 0), counts.get(PassageKind.SENTENCE, 0)
