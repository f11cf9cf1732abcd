"""Sources: list, show, their passages, capture (uploaded files, a pasted text, a web address) and retraction.

Each route calls the domain function its command calls (``provenance source list|show|add|retract``) with the same
arguments, and answers with what ``--json`` prints or, for ``Accept: text/plain``, what the command prints on stdout
(its stderr lines as Provenance-Notice headers). Uploads are captured as ``source add FILE`` captures files, the file
name standing for the path typed; a web address is fetched by the server under the same rules as ``source add URL``,
addresses on the server's machine or private networks always refused.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException

from provenance import assessment, documents, fetch, ingest, reanchor, retraction, sources, webcapture
from provenance.access import Permission
from provenance.errors import Invalid
from provenance.export import records, text
from provenance.models import PassageKind
from provenance.text import printable
from provenance.web.deps import CSRF_FIELD, Desk, DeskDep, needs
from provenance.web.negotiate import DEFAULT_LIMIT, answer, page

router = APIRouter(tags=["sources"])

API = "/api/v1"


# --- reading --------------------------------------------------------------------------------------------


@router.get("/sources", **needs(Permission.READ))
def list_sources(request: Request, desk: DeskDep, cursor: str | None = None, limit: int = DEFAULT_LIMIT) -> Response:
    """Every source with its paragraph and sentence counts, oldest publication first, as `provenance source list
    --json` prints them (a page of them); text: its table."""
    with desk.reading() as session:
        rows = sources.list_sources(session)
        order = {row.source.id: n for n, row in enumerate(rows)}
        chosen, headers = page(request, rows, lambda row: [order[row.source.id]], cursor=cursor, limit=limit)
        record = [records.source_row_record(row) for row in chosen]
        shown = text.source_table(chosen)
    return answer(request, record, lambda: shown, headers=headers)


@router.get("/sources/{key}", **needs(Permission.READ))
def show_source(request: Request, key: str, desk: DeskDep, passages: bool = False) -> Response:
    """A source as `provenance source show KEY --json` prints it (``passages``: with --passages); text: what the
    command prints."""
    with desk.reading() as session:
        source = sources.get_source(session, key)
        found = sources.source_passages(session, source) if passages else None
        supersedes = source.supersedes.key if source.supersedes is not None else None
        derived_from, repeated_by = assessment.derivations(session, source)
        web = webcapture.capture_of(session, source)
        record = records.source_detail_record(source, found, supersedes, derived_from, repeated_by, web)
        shown = printable(
            text.source_detail(source, found, supersedes, derived_from=derived_from, repeated_by=repeated_by, web=web)
        )
    return answer(request, record, lambda: shown)


@router.get("/sources/{key}/passages", **needs(Permission.READ))
def source_passages(
    request: Request,
    key: str,
    desk: DeskDep,
    kind: list[PassageKind] = Query(default=[]),  # noqa: B008 (FastAPI's way to take a repeated parameter)
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Response:
    """A source's paragraphs, sentences and quotes with their offsets, in reading order (a paragraph before its
    sentences), as `source show KEY --passages --json` lists them; ``kind`` (repeatable) keeps only those kinds."""
    with desk.reading() as session:
        source = sources.get_source(session, key)
        found = sources.source_passages(session, source, kind or None)
        chosen, headers = page(request, found, lambda p: [p.char_start, -p.char_end, p.id], cursor=cursor, limit=limit)
        record = [records.passage_record(p) for p in chosen]
    return JSONResponse(record, headers=headers)


# --- capturing ------------------------------------------------------------------------------------------


class _Capture(BaseModel):
    """What `source add` takes besides the files: the same options, by the same names."""

    model_config = ConfigDict(extra="forbid")

    key: str | None = None
    version_of: str | None = None
    not_a_version: bool = False
    title: str | None = None
    author: str | None = None
    publisher: str | None = None
    published: str | None = None
    reliability: str | None = None
    reliability_note: str | None = None
    strict: bool = False


class UploadForm(_Capture):
    """The form fields sent with uploaded files: where the article was published (``url``) among them."""

    url: str | None = None


class CaptureJson(_Capture):
    """A JSON body: ``{"url": ...}`` to fetch a web page, or ``{"text": ..., "key": ...}`` to store a pasted
    text (where it was published then goes in ``published_url``)."""

    url: str | None = None
    text: str | None = None
    published_url: str | None = None


FORM_FIELDS = frozenset(UploadForm.model_fields) | {"files", CSRF_FIELD}
ADD_USAGE = (
    "send files as multipart/form-data (one 'files' field per file), or JSON: {\"url\": ...} for a web page, "
    '{"text": ..., "key": ...} for a pasted text'
)


# What capturing a file, a page or a text stored, as `source add` tells it.
_Stored = text.Stored


class _Report:
    """What `source add` prints: lines on stdout, notes on stderr, and ``--json``'s records."""

    def __init__(self, offered: dict[str, list[reanchor.Offer]]) -> None:
        self.offered = offered
        self.records: list[dict[str, Any]] = []
        self.lines: list[str] = []
        self.notices: list[str] = []
        self.created: list[str] = []

    def offers(self, stored: _Stored) -> list[dict[str, Any]]:
        return [o.record() for o in self.offered.get(stored.key, [])] if stored.state == "version" else []

    def captured(self, stored: _Stored, shown: str, record: dict[str, Any]) -> None:
        """As the command's ``_print_captured``: warnings, why it is no version, a key not used; then its line."""
        self.records.append({**record, **_captured_record(stored), "reanchor": self.offers(stored)})
        notes, line = text.captured(stored, shown)
        self.notices += notes
        self.lines.append(line)
        if stored.state != "unchanged":
            self.created.append(stored.key)

    def refused(self, reason: str, record: dict[str, Any]) -> None:
        self.records.append({**record, "captured": False, "error": reason})
        self.notices.append(f"not captured: {reason}")

    def respond(self, request: Request) -> Response:
        notices = self.notices + [offer.line() for offers in self.offered.values() for offer in offers]
        refused = sum(1 for r in self.records if not r["captured"])
        if refused:
            done = len(self.records)
            notices.append(
                f"{refused} of {done} files were not captured (reasons above); the other {done - refused} were"
            )
        headers = {"Location": f"{API}/sources/{self.created[0]}"} if self.created else {}
        return answer(
            request,
            self.records,
            lambda: "\n".join(self.lines),
            status=201 if self.created else 200,
            headers=headers,
            notices=notices,
        )


def _captured_record(stored: _Stored) -> dict[str, Any]:
    return {
        "captured": True,
        "key": stored.key,
        "state": stored.state,
        "created": stored.state != "unchanged",
        "version": stored.version,
        "supersedes": stored.supersedes,
        "paragraphs": stored.paragraphs,
        "sentences": stored.sentences,
        "warnings": list(stored.warnings),
        "not_a_version": stored.not_a_version,
        "key_not_used": stored.key_not_used,
    }


def _metadata(given: _Capture, url: str | None) -> documents.Metadata:
    return documents.Metadata(
        title=given.title,
        author=given.author,
        publisher=given.publisher,
        url=url,
        published=documents.parse_date_option(given.published) if given.published else None,
    )


def _checked(model: type[_Capture], values: dict[str, Any]) -> Any:
    """``values`` as ``model``, or the problem the server answers for a JSON body that does not fit."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False, include_context=False)]
        ) from exc


async def _form(request: Request) -> tuple[list[ingest.Upload], UploadForm]:
    form = await request.form()
    try:
        return await _read_form(form)
    finally:
        await form.close()  # the files spooled to disk


async def _read_form(form: FormData) -> tuple[list[ingest.Upload], UploadForm]:
    unknown = sorted(set(form.keys()) - FORM_FIELDS)
    if unknown:
        raise Invalid(f"unknown field {unknown[0]!r}; leave it out (see /openapi.json for the fields)")
    values: dict[str, Any] = {}
    for name in set(form.keys()) - {"files", CSRF_FIELD}:
        given = form.getlist(name)
        if len(given) > 1:
            raise Invalid(f"the field {name!r} was sent {len(given)} times; send it once")
        if not isinstance(given[0], str):
            raise Invalid(f"the field {name!r} takes a value, not a file; send files in 'files'")
        values[name] = given[0]
    uploads: list[ingest.Upload] = []
    for item in form.getlist("files"):
        if not isinstance(item, UploadFile):
            raise Invalid("the field 'files' takes files (multipart file parts), not text; send a pasted text as JSON")
        uploads.append(ingest.Upload.of(item.filename, await item.read()))
    if not uploads:
        raise Invalid(f"no files were sent; {ADD_USAGE}")
    return uploads, _checked(UploadForm, values)


def _capture_files(desk: Desk, uploads: list[ingest.Upload], given: UploadForm) -> _Report:
    """`source add FILE...`, for the files sent."""
    with desk.writing() as session:
        # Read in this process: a server does not fork readers from its threads.
        results = ingest.capture(
            session,
            uploads,
            version_of=given.version_of,
            not_a_version=given.not_a_version,
            key=given.key,
            metadata=_metadata(given, given.url),
            reliability=given.reliability,
            reliability_note=given.reliability_note,
            strict=given.strict,
            max_bytes=ingest.max_bytes(None),
            workers=0,
        )
        offered = reanchor.offers(
            session, [o.key for o in results if isinstance(o, ingest.Captured) and o.state == "version"]
        )
    report = _Report(offered)
    for outcome in results:
        path = {"path": ingest.display_path(outcome.path)}
        if isinstance(outcome, ingest.Refused):
            report.refused(outcome.reason, path)
        else:
            report.captured(outcome, ingest.display_path(outcome.path), path)
    return report


def _capture_page(desk: Desk, given: CaptureJson) -> _Report:
    """`source add URL`: fetched before the transaction opens, so that none waits on another server."""
    assert given.url is not None
    fetched = webcapture.fetch_page(
        given.url, allow_private=False, max_bytes=ingest.max_bytes(None), timeout=fetch.DEFAULT_TIMEOUT
    )
    with desk.writing() as session:
        stored = webcapture.store_page(
            session,
            fetched,
            key=given.key,
            metadata=_metadata(given, None),
            reliability=given.reliability,
            reliability_note=given.reliability_note,
            version_of=given.version_of,
            not_a_version=given.not_a_version,
        )
        offered = reanchor.offers(session, [stored.key] if stored.state == "version" else [])
    report = _Report(offered)
    report.captured(stored, stored.url, {"url": stored.url, "archive_file": stored.archive_file})
    return report


class _Pasted:
    """A pasted text as stored: its key and what became of it."""

    def __init__(self, stored: sources.Stored, state: str, paragraphs: int, sentences: int) -> None:
        self.key = stored.key
        self.state = state
        self.version = stored.version
        self.supersedes = stored.supersedes
        self.paragraphs = paragraphs
        self.sentences = sentences
        self.warnings: tuple[str, ...] = ()
        self.not_a_version = stored.not_a_version
        self.key_not_used = stored.key_not_used


PASTED = "the pasted text"


def _capture_text(desk: Desk, given: CaptureJson) -> _Report:
    """A pasted text, stored as a claims file's inline ``text:`` is (it needs a key)."""
    assert given.text is not None
    limit = ingest.max_bytes(None)
    size = len(given.text.encode("utf-8", "surrogatepass"))
    if size > limit:
        raise Invalid(f"{PASTED} is {size:,} bytes, over the {limit:,}-byte limit for a source; split it")
    document = documents.document_from_text(given.text, name=PASTED)
    with desk.writing() as session:
        stored = sources.store_source(
            session,
            document,
            key=given.key,
            metadata=_metadata(given, given.published_url),
            reliability=given.reliability,
            reliability_note=given.reliability_note,
            version_of=given.version_of,
            not_a_version=given.not_a_version,
        )
        state, paragraphs, sentences = ingest.stored_state(session, stored)
        offered = reanchor.offers(session, [stored.key] if state == "version" else [])
    report = _Report(offered)
    report.captured(_Pasted(stored, state, paragraphs, sentences), PASTED, {"text": PASTED})
    return report


async def _json(request: Request) -> CaptureJson:
    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError) as exc:
        # answered as any JSON body that is not JSON (provenance.web.problems): 400
        raise RequestValidationError([{"type": "json_invalid", "loc": ("body",), "msg": "JSON decode error"}]) from exc
    if not isinstance(body, dict):
        raise Invalid(f"send a JSON object; {ADD_USAGE}")
    given: CaptureJson = _checked(CaptureJson, body)
    if (given.url is None) == (given.text is None):
        raise Invalid(f"give either 'url' or 'text' (not both); {ADD_USAGE}")
    if given.url is not None and given.published_url is not None:
        raise Invalid("'published_url' goes with a pasted text; a web page's address is 'url'")
    return given


@router.post(
    "/sources",
    status_code=201,
    **needs(Permission.CAPTURE),
    responses={
        201: {"description": "Captured; Location names the first source stored."},
        415: {"description": "The body is neither multipart/form-data nor JSON."},
    },
)
async def add_sources(request: Request, desk: DeskDep) -> Response:
    """Capture articles as `provenance source add` does: uploaded files (multipart ``files``, with the command's
    options as form fields), or JSON ``{"url": ...}`` (the server fetches it; private addresses refused) or
    ``{"text": ..., "key": ..., "title": ...}``. 201 with Location when a source was stored; 200 when every one was
    stored already. The body is what ``source add --json`` prints; text: its lines."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    report: _Report
    if kind == "multipart/form-data":
        uploads, form = await _form(request)
        report = await run_in_threadpool(_capture_files, desk, uploads, form)
    elif kind == "application/json" or kind.endswith("+json"):
        given = await _json(request)
        handler = _capture_page if given.url is not None else _capture_text
        report = await run_in_threadpool(handler, desk, given)
    else:
        raise HTTPException(415, f"the body is {kind or 'missing'}; {ADD_USAGE}")
    return report.respond(request)


# --- retraction -----------------------------------------------------------------------------------------


class RetractionIn(BaseModel):
    """Why the source is retracted (required); ``undo`` takes a retraction made by mistake back."""

    model_config = ConfigDict(extra="forbid")

    reason: str | None = None
    undo: bool = False


@router.post("/sources/{key}/retraction", **needs(Permission.RETRACT_SOURCES))
def retract_source(request: Request, key: str, given: RetractionIn, desk: DeskDep) -> Response:
    """`provenance source retract KEY --reason WHY` (``undo``: ``--undo``): the source stays, marked retracted
    everywhere; the body is what ``--json`` prints."""
    notices: Sequence[str] = ()
    with desk.writing() as session:
        if given.undo:
            source = retraction.reinstate_source(session, key, reason=given.reason)
        else:
            source = retraction.retract_source(session, key, reason=given.reason)
        record = records.source_record(source)
        cited_by = sources.evidence_counts(session, [source.id]).get(source.id, 0)
        details = retraction.retraction_details(source)
    if given.undo:
        shown = f"{key}\treinstated"
    else:
        shown = printable(f"{key}\tretracted {details}")
        if cited_by:
            notices = [f"claim show, reports and exports now mark the {cited_by} evidence quoting {key} as retracted"]
    return answer(request, {**record, "evidence": cited_by}, lambda: shown, notices=notices)
