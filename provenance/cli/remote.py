"""The daily commands through the desk's server: how each one becomes a request, and how the answer is printed.

After ``provenance login URL``, when neither ``--db`` nor ``$PROVENANCE_DATABASE_URL`` is given, each command of
:data:`THROUGH_SERVER` calls :func:`run` at the top of its body (``if remote.through_server(ctx): return
remote.run(ctx)``): the request is made from the command's own parsed options (``ctx.params``; click has already
caught usage mistakes, exit 2), with ``Accept: text/plain`` for the command's text or JSON for ``--json``. The
server answers with exactly what the command prints on stdout, and its stderr lines as Provenance-Notice headers;
a problem answer becomes the command's one ``Error:`` line (exit 1). Every other command that would open the
database refuses, one line (:func:`refuse_local`). ``--as`` is refused: the server knows who is acting.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from provenance.cli import lazy
from provenance.cli.app import print_json, say
from provenance.errors import Invalid, ProvenanceError

if TYPE_CHECKING:
    from provenance import client, extract, ingest, outfile
    from provenance.client import Answer, Credentials, Server
else:  # loaded when a command first uses them: see provenance.cli.lazy
    client, extract, ingest, outfile = lazy.modules(
        "provenance.client", "provenance.extract", "provenance.ingest", "provenance.outfile"
    )

# The commands that go through the server once logged in.
THROUGH_SERVER = (
    "source add",
    "claim add",
    "claim show",
    "claim list",
    "evidence add",
    "search",
    "review",
    "status",
    "history",
    "report",
)
TEXT = "text/plain"
JSON = "application/json"
# The largest page the API gives; a list is read page after page (the Link headers) until its end.
PAGE_LIMIT = 1000
_LOGGED_IN = "logged_in"


def credentials(ctx: click.Context) -> Credentials | None:
    """The login the command works through: None when a database is given (--db or $PROVENANCE_DATABASE_URL) or
    nobody is logged in."""
    root = ctx.find_root()
    obj = root.obj if isinstance(root.obj, dict) else {}
    if obj.get("db") is not None:
        return None
    if _LOGGED_IN not in obj:
        obj[_LOGGED_IN] = client.load_credentials()
    found: Credentials | None = obj[_LOGGED_IN]
    return found


def through_server(ctx: click.Context) -> bool:
    """Whether this command goes to the desk's server (logged in, no database given)."""
    return credentials(ctx) is not None


def refuse_local(ctx: click.Context) -> None:
    """Refuse a command that works on a database directly when logged in to a server and no database is given."""
    login = credentials(ctx)
    if login is None:
        return
    command = " ".join(ctx.command_path.split()[1:])
    raise Invalid(
        f"`provenance {command}` works on a database directly: give --db URL (or $PROVENANCE_DATABASE_URL); "
        f"logged in to {login.url}, only {', '.join(THROUGH_SERVER)} go through the server "
        "(`provenance logout` to work locally)"
    )


def run(ctx: click.Context) -> None:
    """Run the command ``ctx`` stands for on the desk's server and print its answer as the command would."""
    login = credentials(ctx)
    assert login is not None
    if ctx.find_root().obj.get("as") is not None:
        raise Invalid(
            f"--as is not taken through the desk's server: it knows who you are ({login.name} at {login.url}); "
            "leave out --as, or give --db to work on a database directly"
        )
    command = " ".join(ctx.command_path.split()[1:])
    with client.Server(login.url, login.token) as server:
        try:
            COMMANDS[command](server, dict(ctx.params))
        except ProvenanceError as exc:
            for line in getattr(exc, "notices", []):
                say(line)
            raise


# --- printing ---------------------------------------------------------------------------------------------


def _accept(params: dict[str, Any]) -> str:
    return JSON if params.get("as_json") else TEXT


def _print(answer: Answer, params: dict[str, Any]) -> None:
    """The answer as the command prints it: the JSON indented as --json prints it, or the text and a newline."""
    if params.get("as_json"):
        print_json(answer.json())
    else:
        click.echo(answer.text)
    for line in answer.notices:
        say(line)


def _given(**values: Any) -> dict[str, Any]:
    """The query or body fields that were given (None and empty lists left out)."""
    return {name: value for name, value in values.items() if value not in (None, (), [])}


def _version_header(params: dict[str, Any]) -> dict[str, str]:
    version = params.get("expected_version")
    return {"If-Match": f'"{version}"'} if version is not None else {}


def _path_part(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


# --- the commands -----------------------------------------------------------------------------------------


def _claim_add(server: Server, p: dict[str, Any]) -> None:
    body = _given(
        key=p["key"],
        statement=p["statement"],
        about=list(p["about"]),
        confidence=p["confidence"],
        confidence_note=p["confidence_note"],
        verdict=p["verdict"],
    )
    _print(server.request("POST", "/claims", accept=_accept(p), json=body), p)


def _claim_show(server: Server, p: dict[str, Any]) -> None:
    params = {"explain": "true"} if p["explain"] else None
    _print(server.request("GET", f"/claims/{_path_part(p['key'])}", accept=_accept(p), params=params), p)


def _pages(server: Server, path: str, params: dict[str, Any]) -> Answer:
    """Every page of a JSON list, joined into one answer (the notices of the first page)."""
    import json

    first = server.request("GET", path, params={**params, "limit": PAGE_LIMIT})
    items = list(first.json())
    following = _next_link(first.headers)
    while following is not None:
        page = server.request("GET", _relative(server, following))
        items.extend(page.json())
        following = _next_link(page.headers)
    return client.Answer(first.status, first.headers, json.dumps(items).encode(), first.notices)


def _next_link(headers: dict[str, str]) -> str | None:
    for name, value in headers.items():
        if name.lower() != "link":
            continue
        for part in value.split(","):
            target, _, relation = part.partition(";")
            if 'rel="next"' in relation.replace(" ", ""):
                return target.strip().strip("<>")
    return None


def _relative(server: Server, link: str) -> str:
    """A Link target as a path under the API (the server names the next page by its full address)."""
    from urllib.parse import urlsplit

    parts = urlsplit(link)
    path = parts.path
    prefix = urlsplit(server.url).path + client.API
    if path.startswith(prefix):
        path = path[len(prefix) :]
    return f"{path}?{parts.query}" if parts.query else path


def _list(server: Server, path: str, query: dict[str, Any], p: dict[str, Any], what: str) -> None:
    """A list the server pages: --json joins every page; the text is the first page's table, the largest the
    server gives (a table is laid out for the rows it holds, so pages cannot be joined)."""
    if p.get("as_json"):
        _print(_pages(server, path, query), p)
        return
    answer = server.request("GET", path, accept=TEXT, params={**query, "limit": PAGE_LIMIT})
    _print(answer, p)
    if _next_link(answer.headers) is not None:
        say(f"the first {PAGE_LIMIT} {what} only: the server lists them {PAGE_LIMIT} at a time; --json gives every one")


def _claim_list(server: Server, p: dict[str, Any]) -> None:
    _list(server, "/claims", _given(about=p["about"], search=p["search"]), p, "claims")


def _evidence_add(server: Server, p: dict[str, Any]) -> None:
    body = _given(
        source=p["source_key"],
        quote=p["quote"],
        stance=p["stance"],
        confidence=p["confidence"],
        attributed_to=p["attributed_to"],
        note=p["note"],
        prefix=p["prefix"],
        suffix=p["suffix"],
        occurrence=p["occurrence"],
        credibility=p["credibility"],
        min_score=p["min_score"],
    )
    if p["accept_fuzzy"]:
        body["accept_fuzzy"] = True
    path = f"/claims/{_path_part(p['claim_key'])}/evidence"
    _print(server.request("POST", path, accept=_accept(p), json=body, headers=_version_header(p)), p)


def _search(server: Server, p: dict[str, Any]) -> None:
    query = _given(q=p["query"], source=p["source"], since=p["since"], until=p["until"], limit=p["limit"])
    _print(server.request("GET", "/search", accept=_accept(p), params=query), p)


def _review(server: Server, p: dict[str, Any]) -> None:
    key = _path_part(p["key"])
    headers = _version_header(p)
    if not headers:
        # the command changes the claim at whatever version it is; the server asks which one that is
        current = server.request("GET", f"/claims/{key}")
        headers = {"If-Match": current.headers.get("etag", "")}
    body = _given(status=p["status"], verdict=p["verdict"], note=p["note"])
    _print(server.request("POST", f"/claims/{key}/review", accept=_accept(p), json=body, headers=headers), p)


def _status(server: Server, p: dict[str, Any]) -> None:
    query = _given(assignee=p["assignee"], per_status=p["per_status"])
    _print(server.request("GET", "/board", accept=_accept(p), params=query), p)


def _history(server: Server, p: dict[str, Any]) -> None:
    query = _given(key=p["key"], claim=p["claim_key"], source=p["source_key"], limit=p["limit"], since=p["since"])
    _print(server.request("GET", "/history", accept=_accept(p), params=query), p)


def _report(server: Server, p: dict[str, Any]) -> None:
    output: Path | None = p["output"]
    if output is not None:
        outfile.check(output, protected=[])
    query = _given(
        format=p["fmt"],
        style=p["style"],
        order=p["order"],
        claim=list(p["keys"]),
        about=list(p["about"]),
        status=list(p["statuses"]),
        since=p["since"],
        title=p["title"],
    )
    answer = server.request("GET", "/reports", accept="*/*", params=query)
    for line in answer.notices:
        say(line)
    if output is None:
        if not answer.headers.get("content-type", "").startswith(("text/", "application/json")):
            raise Invalid("report is binary; write it to a file with --output")
        click.echo(answer.text, nl=False)
        return
    outfile.write(output, answer.content, protected=[])
    say(f"report written to {output}")


def _source_add(server: Server, p: dict[str, Any]) -> None:
    """Files (each file given, and every file the command would read in each folder) are uploaded in one request;
    each web address is a request of its own, the server fetching it (never from a private address)."""
    if p["allow_private_addresses"]:
        raise Invalid(
            "--allow-private-addresses is not taken through the desk's server: the server fetches pages itself, "
            "never from its own machine or network; give --db to capture from this machine"
        )
    fields = _given(
        key=p["key"],
        title=p["title"],
        author=p["author"],
        publisher=p["publisher"],
        published=p["published"],
        reliability=p["reliability"],
        reliability_note=p["reliability_note"],
        version_of=p["version_of"],
    )
    fields.update({name: True for name in ("strict", "not_a_version") if p[name]})
    addresses = [a for a in p["arguments"] if a.lower().startswith(("http://", "https://"))]
    paths = [Path(a) for a in p["arguments"] if a not in addresses]
    skipped: list[ingest.Skipped] = []
    items = ingest.planned_files(paths, skipped=skipped) if paths else []
    for entry in skipped:
        say(f"skipped {ingest.display_path(entry.path)}: {entry.reason}")
    bad = [item.reason for item in items if isinstance(item, extract.BadFile)]
    if bad and p["strict"]:
        raise Invalid(f"{bad[0]}; nothing was captured (--strict stops at the first bad file)")
    refused = [f"not captured: {reason}" for reason in bad]
    uploads = [item.path for item in items if not isinstance(item, extract.BadFile)]
    answers: list[Answer] = []
    if uploads:
        form = {name: ("true" if value is True else str(value)) for name, value in fields.items()}
        if p["url"] is not None:
            form["url"] = p["url"]
        opened = [(path.name, path.open("rb")) for path in uploads]
        try:
            sent = [("files", (name, handle, "application/octet-stream")) for name, handle in opened]
            answers.append(server.request("POST", "/sources", accept=_accept(p), files=sent, data=form))
        finally:
            for _name, handle in opened:
                handle.close()
    for address in addresses:
        try:
            answers.append(server.request("POST", "/sources", accept=_accept(p), json={"url": address, **fields}))
        except client.ServerError as exc:
            if len(p["arguments"]) == 1 or exc.status in (0, 401, 403):
                raise
            if p["strict"]:
                raise Invalid(f"{exc}; nothing was captured (--strict stops at the first bad file)") from exc
            refused.append(f"not captured: {exc}")
    if p.get("as_json"):
        joined: list[Any] = []
        for answer in answers:
            found = answer.json()
            joined.extend(found if isinstance(found, list) else [found])
        print_json(joined)
    else:
        for answer in answers:
            if answer.text:
                click.echo(answer.text)
    for line in refused:
        say(line)
    not_captured = len(refused)
    for answer in answers:
        for line in answer.notices:
            summary = _NOT_CAPTURED.match(line)
            if summary is None:
                say(line)
            else:  # the server's count of the files sent, joined below with what was refused on this side
                not_captured += int(summary["refused"])
    if not_captured:
        done = len(items) + len(addresses)
        raise Invalid(
            f"{not_captured} of {done} {'files and pages' if addresses else 'files'} were not captured (reasons "
            f"above); the other {done - not_captured} were"
        )


_NOT_CAPTURED = re.compile(r"^(?P<refused>\d+) of (?P<done>\d+) files were not captured")


COMMANDS: dict[str, Callable[[Server, dict[str, Any]], None]] = {
    "source add": _source_add,
    "claim add": _claim_add,
    "claim show": _claim_show,
    "claim list": _claim_list,
    "evidence add": _evidence_add,
    "search": _search,
    "review": _review,
    "status": _status,
    "history": _history,
    "report": _report,
}

__all__ = ["COMMANDS", "THROUGH_SERVER", "refuse_local", "run", "through_server"]
