"""Claims files: sources, entities and their aliases, claims with their evidence, and contradictions, loaded
whole or not at all.

The format (YAML, or the same shape as JSON) is documented in the README. Paths are relative to the file, and
must lead into its folder (or a folder the caller allows). The file is read by :mod:`provenance.datafile`, which
refuses a key given twice. Every check the CLI makes is made here too, with the place in the file that failed; a
mistake in the file's shape is told in the file's words (``claims[3].evidence[0].stance: ...``), and a file that
is no claims file (a Web Annotation, ClaimReview or other export, an article) is named for what it seems to be.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import reprlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy.orm import Session

from provenance import access, datafile, extract
from provenance.access import Permission
from provenance.claims import add_claim, add_contradiction, add_evidence, parse_stance, parse_status, parse_verdict
from provenance.confidence import parse_likelihood
from provenance.documents import Metadata, document_from_text
from provenance.entities import add_aliases, get_or_create_entities
from provenance.errors import Invalid, NotFound, ProvenanceError
from provenance.sources import VERSION_OF_ADVICE, key_from_name, store_source

MB = 1_000_000  # as --max-size counts them (extract.DEFAULT_MAX_BYTES)


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _day_of(value: object) -> object:
    # YAML reads `2021-02-03 10:00` as a datetime: the day it was published is what a source keeps
    return value.date() if isinstance(value, dt.datetime) else value


class SourceSpec(_Spec):
    key: str | None = None
    path: str | None = None
    text: str | None = None
    title: str | None = None
    author: str | None = None
    publisher: str | None = None
    url: str | None = None
    published: Annotated[dt.date | None, BeforeValidator(_day_of)] = None
    reliability: str | None = None
    reliability_note: str | None = None
    version_of: str | None = None
    not_a_version: bool = False

    @model_validator(mode="after")
    def _path_or_text(self) -> SourceSpec:
        if (self.path is None) == (self.text is None):
            raise ValueError("give either path or text")
        if self.text is not None and not self.key:
            raise ValueError("a source given as text needs a key")
        if self.version_of is not None and self.not_a_version:
            raise ValueError("version_of and not_a_version contradict each other; give one of them")
        return self


class EntitySpec(_Spec):
    """An entity named before the claims, with its other names: a claim's ``about`` may then use any of them."""

    name: str
    aliases: list[str] = []


def _checked(parse: Callable[[Any], object], value: object) -> None:
    """Run a domain parser on a value from the file, as a pydantic validator: its message, as a ValueError."""
    try:
        parse(value)
    except ProvenanceError as exc:
        raise ValueError(str(exc)) from None


def _likelihood(value: object) -> object:
    if value is not None and not isinstance(value, str | int | float):
        raise ValueError("give a likelihood: an ICD 203 term (e.g. likely), a number from 0 to 1 or a percentage")
    if value is not None:
        _checked(parse_likelihood, value)
    return value


class EvidenceSpec(_Spec):
    source: str
    quote: str = Field(min_length=1)
    stance: str
    confidence: Annotated[str | float | None, BeforeValidator(_likelihood)] = None
    attributed_to: str | None = None
    note: str | None = None
    prefix: str | None = None
    suffix: str | None = None
    occurrence: int | None = None

    @field_validator("stance")
    @classmethod
    def _known_stance(cls, value: str) -> str:
        _checked(parse_stance, value)
        return value


class ClaimSpec(_Spec):
    key: str
    statement: str
    about: list[str] = []
    confidence: Annotated[str | float | None, BeforeValidator(_likelihood)] = None
    confidence_note: str | None = None
    status: str = "unstarted"
    verdict: str | None = None
    evidence: list[EvidenceSpec] = []

    @field_validator("verdict", mode="before")
    @classmethod
    def _yaml_booleans(cls, value: object) -> object:
        # YAML reads an unquoted `verdict: true` as a boolean
        return str(value).lower() if isinstance(value, bool) else value

    @field_validator("status")
    @classmethod
    def _known_status(cls, value: str) -> str:
        _checked(parse_status, value)
        return value

    @field_validator("verdict")
    @classmethod
    def _known_verdict(cls, value: str | None) -> str | None:
        if value is not None:
            _checked(parse_verdict, value)
        return value


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
    """What a claims file added. ``notes``: a source entry that is no version of the source from its path or URL,
    and why; a key whose text was stored already under another key, which the file's claims then cite."""

    sources_added: list[str]
    sources_unchanged: list[str]
    claims: int
    evidence: int
    contradictions: int
    notes: list[str] = field(default_factory=list)


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
        return datafile.loads_json(raw, path)
    except json.JSONDecodeError as exc:
        if path.suffix.lower() == ".json":
            raise Invalid(f"{path} line {exc.lineno}, column {exc.colno}: {exc.msg}; fix the JSON") from exc
    try:
        return datafile.load_yaml(raw, path)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise Invalid(f"{path}{where}: {exc.problem or exc.context}; fix the YAML") from exc
    except yaml.YAMLError as exc:
        raise Invalid(f"{path}: not valid YAML ({exc})") from exc


def read_import(path: Path) -> Any:
    """The contents of a file given to `provenance import` (a claims file or a bundle), refusing an article
    (a text, Markdown, web page or PDF file that is no claims file) with a word on how to capture it."""
    article = path.suffix.lower() in extract.READ_EXTENSIONS
    try:
        data = read_data(path)
    except Invalid as exc:
        if article:
            raise _an_article(path) from exc
        raise
    if article and not (isinstance(data, dict) and ("format" in data or not set(data).isdisjoint(_CLAIMS_FILE_KEYS))):
        raise _an_article(path)
    return data


def _an_article(path: Path) -> Invalid:
    return Invalid(
        f"{path} looks like an article, not a claims file or a bundle; capture an article with "
        f"`provenance source add {path}`; {_IMPORT_TAKES}"
    )


def parse_claims_file(path: Path) -> ClaimsFile:
    """Read and check the shape of a claims file, without touching the database."""
    return parse_claims(read_data(path), path)


def parse_claims(data: Any, path: Path) -> ClaimsFile:
    """Check the shape of a claims file's contents (``path`` is named in errors)."""
    if data is None:
        raise Invalid(f"{path} is empty; a claims file has sources, claims and contradictions")
    foreign = _looks_like(data)
    if foreign is not None:
        raise Invalid(f"{path} looks like {foreign}, not a claims file or a bundle; {_IMPORT_TAKES}")
    try:
        return ClaimsFile.model_validate(data)
    except ValidationError as exc:
        # a misspelt field first: its "did you mean" also explains the field then missing
        first = min(exc.errors(), key=lambda error: error["type"] != "extra_forbidden")
        raise Invalid(f"{path}: {_problem(first)}{_more(exc)}") from exc


_IMPORT_TAKES = (
    "import takes a provenance claims file (sources, entities, claims and contradictions, in YAML or JSON) "
    "or a bundle from `provenance export bundle`"
)
_CLAIMS_FILE_KEYS = tuple(ClaimsFile.model_fields)
_PROV_JSON_KEYS = frozenset(
    "prefix entity activity agent wasGeneratedBy used wasInformedBy wasStartedBy wasEndedBy wasInvalidatedBy "
    "wasDerivedFrom wasAttributedTo wasAssociatedWith actedOnBehalfOf wasInfluencedBy specializationOf "
    "alternateOf hadMember bundle".split()
)
_ANNOTATION_TYPES = frozenset(("Annotation", "AnnotationCollection", "AnnotationPage"))


def _looks_like(data: object) -> str | None:
    """What a document that is no claims file seems to be (for the error), or ``None`` if it may be one."""
    if isinstance(data, dict) and not set(data).isdisjoint(_CLAIMS_FILE_KEYS):
        if {"title", "order"} <= set(data):
            return "a report from `provenance report --format json`"
        return None  # a claims file, perhaps with mistakes: the fields are checked one by one
    items = data if isinstance(data, list) else [data]
    first = items[0] if items and isinstance(items[0], dict) else {}
    context = first.get("@context")
    context = " ".join(c for c in context if isinstance(c, str)) if isinstance(context, list) else str(context)
    types = {str(first.get("type")), str(first.get("@type"))}
    if "w3.org/ns/anno" in context or types & _ANNOTATION_TYPES:
        return "a W3C Web Annotation document"
    if "ClaimReview" in types:
        return "a ClaimReview (schema.org) document"
    if "@context" in first:
        return "a JSON-LD document"
    if isinstance(data, dict) and set(data) & _PROV_JSON_KEYS:
        return "a PROV-JSON document"
    if isinstance(data, dict) and "format" in data:
        return f'a file of format {str(data["format"])[:40]!r} (a bundle says "format": "provenance-bundle")'
    if isinstance(data, list) and {"id", "type"} <= set(first):
        return "CSL JSON (a bibliography)"
    if isinstance(data, list):
        return "a list"
    if isinstance(data, dict):
        keys = ", ".join(str(key)[:40] for key in list(data)[:5]) + (", ..." if len(data) > 5 else "")
        return f"a mapping whose keys ({keys}) are none of {', '.join(_CLAIMS_FILE_KEYS)}"
    if isinstance(data, str):
        return "plain text"
    return f"a single value ({type(data).__name__})"


# The fields of each part of a claims file, by the name of the list it is in.
_SPECS: dict[str, type[_Spec]] = {
    "sources": SourceSpec,
    "entities": EntitySpec,
    "claims": ClaimSpec,
    "evidence": EvidenceSpec,
    "contradictions": ContradictionSpec,
}
_PART_NAMES = {
    "sources": "a source",
    "entities": "an entity",
    "claims": "a claim",
    "evidence": "an evidence item",
    "contradictions": "a contradiction",
}
_EXPECTED = {
    "string_type": "must be text (put it in quotes if it looks like a number, date or true/false)",
    "list_type": "must be a list",
    "dict_type": "must be a mapping (field: value lines)",
    "model_type": "must be a mapping (field: value lines)",
    "model_attributes_type": "must be a mapping (field: value lines)",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "tuple_type": "must be a list of two claim keys",
    "too_long": "must be a list of two claim keys",
    "string_too_short": "must not be empty",
}


def _problem(error: Any) -> str:
    """One problem pydantic found, in the file's words: where, and what is expected there."""
    loc: tuple[int | str, ...] = error["loc"]
    where = _location(loc)
    kind = error["type"]
    if kind == "missing" and isinstance(loc[-1], int):  # a tuple too short: a contradiction's claims
        return f"{_location(loc[:-1])}: must be a list of two claim keys"
    if kind == "missing":
        return f"{where}: missing; {_part(loc)} needs a {loc[-1]}"
    if kind == "extra_forbidden":
        fields = list(_SPECS.get(_parent(loc), ClaimsFile).model_fields)
        guess = difflib.get_close_matches(str(loc[-1]), fields, n=1)
        hint = f"did you mean {guess[0]}? " if guess else ""
        return f"{where}: not a field of {_part(loc)}; {hint}the fields are {', '.join(fields)}"
    if kind.startswith("date"):
        reason = error.get("ctx", {}).get("error")
        because = f" ({reason})" if reason else ""
        return f"{where}: {_shown(error['input'])} is not a date{because}; give a date such as 2018-05-17"
    if kind == "too_short" and _parent(loc) == "contradictions":
        return f"{where}: must be a list of two claim keys"
    if kind in _EXPECTED:
        return f"{where}: {_EXPECTED[kind]}, not {_shown(error['input'])}"
    if kind == "value_error":
        return f"{where}: {str(error['msg']).removeprefix('Value error, ')}"
    return f"{where}: {error['msg']}"


def _parent(loc: tuple[int | str, ...]) -> str:
    """The name of the list the failing field's mapping is in (``evidence``), or ``""`` at the top level."""
    names = [part for part in loc[:-1] if isinstance(part, str)]
    return names[-1] if names else ""


def _part(loc: tuple[int | str, ...]) -> str:
    return _PART_NAMES.get(_parent(loc), "a claims file")


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict, _SHORT.maxstring, _SHORT.maxother = 2, 3, 3, 60, 60


def _shown(value: object) -> str:
    """A value from the file, briefly, whatever it holds (a list may hold itself, through a YAML alias)."""
    if isinstance(value, str):
        return json.dumps(value if len(value) <= 60 else value[:57] + "...", ensure_ascii=False)
    return _SHORT.repr(value)


def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "top level"


def _more(exc: ValidationError) -> str:
    extra = exc.error_count() - 1
    return f" (and {extra} more problem{'s' if extra > 1 else ''} after it)" if extra > 0 else ""


def import_claims_file(
    session: Session,
    path: Path,
    spec: ClaimsFile | None = None,
    *,
    allowed: Sequence[Path] = (),
    max_bytes: int = extract.DEFAULT_MAX_BYTES,
) -> ImportSummary:
    """Load a claims file (``spec``, when already parsed from ``path``) into the session's transaction; the
    caller commits, or rolls back on any error.

    A source's ``path`` must lead (after following links) into the claims file's folder or one of the
    ``allowed`` folders: a claims file from elsewhere cannot read any file on the machine into the database.
    A source larger than ``max_bytes``, given as a file or inline as ``text``, is refused.

    The claims of the file cite its sources as the file names them: a key (or file name) whose text is stored
    under another key (the same text listed twice, or stored before) or as a new version (``KEY@2``) stands, in
    this file, for the source that holds that text.

    Needs the permissions to capture sources, add claims and add evidence (and, for a claim given with a status
    or verdict, what :func:`provenance.claims.add_claim` asks), checked before the file is read.
    """
    for permission in (Permission.CAPTURE, Permission.EDIT_CLAIMS, Permission.ADD_EVIDENCE):
        access.require(permission)
    if spec is None:
        spec = parse_claims_file(path)
    base = path.parent
    folders = [base.resolve(), *(folder.resolve() for folder in allowed)]
    added: list[str] = []
    unchanged: list[str] = []
    notes: list[str] = []
    stored_as: dict[str, str] = {}  # a source key as the file gives it -> the key of the source holding its text
    for n, source_spec in enumerate(spec.sources):
        where = f"{path}: sources[{n}]"
        with _located(where):
            if source_spec.path is not None:
                file = _confined(base, source_spec.path, folders)
                document = extract.read_document(file, max_bytes=max_bytes).document
            else:
                assert source_spec.text is not None and source_spec.key is not None
                size = len(source_spec.text.encode("utf-8"))
                if size > max_bytes:
                    raise Invalid(
                        f"the text is {_size(size)}, over the {_size(max_bytes)} limit; put it in a file of its "
                        "own, or raise the limit with --max-size"
                    )
                document = document_from_text(source_spec.text, name=f"{where}.text")
            version_of = source_spec.version_of
            result = store_source(
                session,
                document,
                version_of=stored_as.get(version_of, version_of) if version_of is not None else None,
                not_a_version=source_spec.not_a_version,
                # made a version, a text is stored as KEY@N; the file's own key for it stands for that
                key=source_spec.key if version_of is None else None,
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
        named = source_spec.key or (key_from_name(document.origin) if document.origin else None)
        if named is not None and named != result.key:
            stored_as[named] = result.key
        if result.not_a_version:
            # the same advice in the words of a claims file
            advice = re.sub(
                re.escape(VERSION_OF_ADVICE).replace(r"\{key\}", "(?P<key>[^ )]+)"),
                lambda m: f"give this entry version_of: {m['key']} to make it a version",
                result.not_a_version,
            )
            notes.append(f"{where} {advice}")
        if result.key_not_used:
            notes.append(
                f"{where}: the same text is already stored as {result.key}; the claims of this file that cite "
                f"{result.key_not_used} cite {result.key}"
            )
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
                    stored_as.get(ev.source, ev.source),
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
    return ImportSummary(added, unchanged, len(spec.claims), evidence_count, len(spec.contradictions), notes)


def _confined(base: Path, given: str, folders: Sequence[Path]) -> Path:
    """``given`` (relative to ``base``), if it leads into one of ``folders`` once links are followed."""
    file = base / given
    if not any(file.resolve().is_relative_to(folder) for folder in folders):
        also = f" or {', '.join(map(str, folders[1:]))}" if len(folders) > 1 else ""
        raise Invalid(
            f"path {given} leads outside {folders[0]}{also}: sources are read only from the claims file's folder; "
            "move the file there, or allow its folder with `provenance import --allow-path DIR`"
        )
    return file


def _size(count: int) -> str:
    """``60.2 MB``, ``3 kB``, ``512 bytes``: as the size limit on files says it."""
    for unit, scale in (("MB", MB), ("kB", 1_000)):
        if count >= scale:
            return f"{count / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{count} bytes"


@contextmanager
def _located(where: str) -> Iterator[None]:
    """Prefix a ProvenanceError raised inside with the place in the claims file it comes from."""
    try:
        yield
    except ProvenanceError as exc:
        raise type(exc)(f"{where}: {exc}") from exc
