"""Claims files: sources, entities and their aliases, claims with their evidence, and contradictions, loaded
whole or not at all.

The format (YAML, or the same shape as JSON) is documented in the README. Paths are relative to the file.
Every check the CLI makes is made here too, with the place in the file that failed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy.orm import Session

from provenance import extract
from provenance.claims import add_claim, add_contradiction, add_evidence
from provenance.documents import Metadata, document_from_text
from provenance.entities import add_aliases, get_or_create_entities
from provenance.errors import Invalid, NotFound, ProvenanceError
from provenance.sources import store_source

_SHOWN_PROBLEMS = 3
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML was built with it


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SourceSpec(_Spec):
    key: str | None = None
    path: str | None = None
    text: str | None = None
    title: str | None = None
    author: str | None = None
    publisher: str | None = None
    url: str | None = None
    published: dt.date | None = None
    reliability: str | None = None
    reliability_note: str | None = None

    @model_validator(mode="after")
    def _path_or_text(self) -> SourceSpec:
        if (self.path is None) == (self.text is None):
            raise ValueError("give either path or text")
        if self.text is not None and not self.key:
            raise ValueError("a source given as text needs a key")
        return self


class EntitySpec(_Spec):
    """An entity named before the claims, with its other names: a claim's ``about`` may then use any of them."""

    name: str
    aliases: list[str] = []


class EvidenceSpec(_Spec):
    source: str
    quote: str = Field(min_length=1)
    stance: str
    confidence: str | float | None = None
    attributed_to: str | None = None
    note: str | None = None
    prefix: str | None = None
    suffix: str | None = None
    occurrence: int | None = None


class ClaimSpec(_Spec):
    key: str
    statement: str
    about: list[str] = []
    confidence: str | float | None = None
    confidence_note: str | None = None
    status: str = "unstarted"
    verdict: str | None = None
    evidence: list[EvidenceSpec] = []

    @field_validator("verdict", mode="before")
    @classmethod
    def _yaml_booleans(cls, value: object) -> object:
        # YAML reads an unquoted `verdict: true` as a boolean
        return str(value).lower() if isinstance(value, bool) else value


class ContradictionSpec(_Spec):
    claims: tuple[str, str]
    note: str | None = None


class ClaimsFile(_Spec):
    sources: list[SourceSpec] = []
    entities: list[EntitySpec] = []
    claims: list[ClaimSpec] = []
    contradictions: list[ContradictionSpec] = []


@dataclass(frozen=True)
class ImportSummary:
    sources_added: list[str]
    sources_unchanged: list[str]
    claims: int
    evidence: int
    contradictions: int


def read_text(path: Path, what: str) -> str:
    """A UTF-8 text file's contents, or one clear error naming ``what`` it should have been."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise NotFound(f"no {what} {path}; check the path") from exc
    except IsADirectoryError as exc:
        raise Invalid(f"{path} is a folder; give a {what}") from exc
    except UnicodeDecodeError as exc:
        raise Invalid(f"{path} is not UTF-8 text; give a {what} saved as UTF-8") from exc
    except OSError as exc:
        raise Invalid(f"cannot read {path}: {exc.strerror}") from exc


def read_data(path: Path) -> Any:
    """The contents of a JSON or YAML file (a claims file or a bundle), with clear errors for unreadable ones."""
    raw = read_text(path, "file")
    # JSON first, whatever the name: a bundle is JSON, and YAML would read some JSON numbers (1e-07) as strings.
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        if path.suffix.lower() == ".json":
            raise Invalid(f"{path} line {exc.lineno}, column {exc.colno}: {exc.msg}; fix the JSON") from exc
    try:
        return yaml.load(raw, Loader=_YAML_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise Invalid(f"{path}{where}: {exc.problem or exc.context}; fix the YAML") from exc
    except yaml.YAMLError as exc:
        raise Invalid(f"{path}: not valid YAML ({exc})") from exc


def parse_claims_file(path: Path) -> ClaimsFile:
    """Read and check the shape of a claims file, without touching the database."""
    return parse_claims(read_data(path), path)


def parse_claims(data: Any, path: Path) -> ClaimsFile:
    """Check the shape of a claims file's contents (``path`` is named in errors)."""
    if data is None:
        raise Invalid(f"{path} is empty; a claims file has sources, claims and contradictions")
    if not isinstance(data, dict):
        raise Invalid(f"{path}: the top level must be a mapping with sources, claims and contradictions")
    try:
        return ClaimsFile.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{_location(e['loc'])}: {e['msg']}" for e in exc.errors()[:_SHOWN_PROBLEMS])
        raise Invalid(f"{path}: {problems}{_more(exc)}") from exc


def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "top level"


def _more(exc: ValidationError) -> str:
    extra = exc.error_count() - _SHOWN_PROBLEMS
    return f"; and {extra} more problem{'s' if extra > 1 else ''}" if extra > 0 else ""


def import_claims_file(session: Session, path: Path, spec: ClaimsFile | None = None) -> ImportSummary:
    """Load a claims file (``spec``, when already parsed from ``path``) into the session's transaction; the
    caller commits, or rolls back on any error."""
    if spec is None:
        spec = parse_claims_file(path)
    base = path.parent
    added: list[str] = []
    unchanged: list[str] = []
    for n, source_spec in enumerate(spec.sources):
        where = f"{path}: sources[{n}]"
        with _located(where):
            if source_spec.path is not None:
                document = extract.read_document(base / source_spec.path).document
            else:
                assert source_spec.text is not None and source_spec.key is not None
                document = document_from_text(source_spec.text, name=f"{where}.text")
            result = store_source(
                session,
                document,
                key=source_spec.key,
                metadata=Metadata(
                    title=source_spec.title,
                    author=source_spec.author,
                    publisher=source_spec.publisher,
                    url=source_spec.url,
                    published=source_spec.published,
                ),
                reliability=source_spec.reliability,
                reliability_note=source_spec.reliability_note,
            )
        (added if result.created else unchanged).append(result.key)
    for n, entity_spec in enumerate(spec.entities):
        with _located(f"{path}: entities[{n}] ({entity_spec.name})"):
            (entity,) = get_or_create_entities(session, [entity_spec.name])
            if entity_spec.aliases:
                add_aliases(session, entity.name, entity_spec.aliases, existing_ok=True)
    evidence_count = 0
    for n, claim_spec in enumerate(spec.claims):
        with _located(f"{path}: claims[{n}] ({claim_spec.key})"):
            add_claim(
                session,
                claim_spec.key,
                claim_spec.statement,
                about=claim_spec.about,
                confidence=claim_spec.confidence,
                confidence_note=claim_spec.confidence_note,
                status=claim_spec.status,
                verdict=claim_spec.verdict,
            )
        for m, ev in enumerate(claim_spec.evidence):
            with _located(f"{path}: claims[{n}] ({claim_spec.key}) evidence[{m}]"):
                add_evidence(
                    session,
                    claim_spec.key,
                    ev.source,
                    ev.quote,
                    stance=ev.stance,
                    confidence=ev.confidence,
                    attributed_to=ev.attributed_to,
                    note=ev.note,
                    prefix=ev.prefix,
                    suffix=ev.suffix,
                    occurrence=ev.occurrence,
                )
            evidence_count += 1
    for n, contradiction in enumerate(spec.contradictions):
        with _located(f"{path}: contradictions[{n}]"):
            add_contradiction(session, *contradiction.claims, note=contradiction.note)
    return ImportSummary(added, unchanged, len(spec.claims), evidence_count, len(spec.contradictions))


@contextmanager
def _located(where: str) -> Iterator[None]:
    """Prefix a ProvenanceError raised inside with the place in the claims file it comes from."""
    try:
        yield
    except ProvenanceError as exc:
        raise type(exc)(f"{where}: {exc}") from exc
