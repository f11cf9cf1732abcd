"""The desk's server as the command line reaches it: the credentials ``provenance login`` keeps, and the one HTTP
client that sends them.

Credentials are one JSON file, ``{"url", "name", "token_id", "token"}``, readable by its owner only (mode 0600, in
a folder of mode 0700), replaced whole (written to a temporary file beside it, then renamed over it):
``$PROVENANCE_CREDENTIALS`` if set, else ``$XDG_CONFIG_HOME/provenance/credentials.json``, else
``~/.config/provenance/credentials.json``. A file others may read is refused, as ssh refuses such a key.

:class:`Server` sends the token as a bearer header only (never in an address), with timeouts, TLS verified; it
turns every answer that is not a success into one :class:`~provenance.errors.ProvenanceError` line: the server's
problem ``detail`` (the very line the command line prints for the same mistake), or what to do when the server
cannot be reached or no longer takes the token.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import stat
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from provenance.errors import Invalid, ProvenanceError

if TYPE_CHECKING:
    import httpx

CREDENTIALS_ENV = "PROVENANCE_CREDENTIALS"
API = "/api/v1"
# Seconds: to connect, and for the whole of one answer (an upload or a PDF report takes a while).
CONNECT_TIMEOUT = 10.0
ANSWER_TIMEOUT = 300.0
NOTICE_HEADER = "provenance-notice"  # provenance.web.negotiate.NOTICE_HEADER, then -1, -2...
PROBLEM_TYPE = "application/problem+json"
# A busy database (503 with Retry-After) is asked again this many times, waiting at most this many seconds each.
BUSY_RETRIES = 3
MAX_BUSY_WAIT = 10.0


@dataclass(frozen=True)
class Credentials:
    """Who ``provenance login`` signed in, where, and the token the server gave for it."""

    url: str
    name: str
    token_id: int | None
    token: str


def credentials_path() -> Path:
    given = os.environ.get(CREDENTIALS_ENV)
    if given:
        return Path(given).expanduser()
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "provenance" / "credentials.json"


def _default_location(path: Path) -> bool:
    return not os.environ.get(CREDENTIALS_ENV) and path == credentials_path()


def load_credentials(*, private: bool = True) -> Credentials | None:
    """The saved credentials, or None when nobody is logged in; ``private``: refuse a file others may read (not
    when logging out, which revokes the token such a file may have given away)."""
    path = credentials_path()
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise Invalid(f"cannot read the credentials file {path}: {exc.strerror}") from exc
    if private and found.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise Invalid(
            f"the credentials file {path} may be read by others (mode {stat.S_IMODE(found.st_mode):04o}); "
            f"`chmod 600 {path}`, or `provenance logout` and log in again"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        token_id = data.get("token_id")
        credentials = Credentials(
            url=str(data["url"]),
            name=str(data["name"]),
            token_id=int(token_id) if token_id is not None else None,
            token=str(data["token"]),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise Invalid(
            f"the credentials file {path} is not one `provenance login` wrote; remove it with `provenance logout` "
            "and log in again"
        ) from exc
    return credentials


def save_credentials(credentials: Credentials) -> Path:
    """Write ``credentials`` whole, readable by the user only; returns where."""
    path = credentials_path()
    folder = path.parent
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if _default_location(path):
            os.chmod(folder, 0o700)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".credentials-", suffix=".tmp")  # mode 0600
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(asdict(credentials), out, indent=2)
                out.write("\n")
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o600)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    except OSError as exc:
        raise Invalid(f"cannot write the credentials file {path}: {exc.strerror}") from exc
    return path


def remove_credentials() -> bool:
    """Remove the credentials file; whether there was one."""
    try:
        credentials_path().unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise Invalid(f"cannot remove the credentials file {credentials_path()}: {exc.strerror}") from exc
    return True


# --- addresses --------------------------------------------------------------------------------------------


def server_url(given: str) -> str:
    """The server's base address as the user typed it, checked: http(s), a host, no query; without a trailing
    slash or the API's path (``http://desk:8000/api/v1/`` -> ``http://desk:8000``)."""
    text = given.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid(f"{given!r} is not the address of a desk's server; give it as http(s)://HOST[:PORT]")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise Invalid(
            f"{given!r}: give the server's address without a query, fragment or name and password in it, as "
            "http(s)://HOST[:PORT]"
        )
    try:
        parts.port  # noqa: B018  (reading it checks it)
    except ValueError as exc:
        raise Invalid(f"{given!r}: the port is not a number from 1 to 65535") from exc
    path = parts.path.rstrip("/")
    if path.endswith(API):
        path = path[: -len(API)]
    return f"{parts.scheme}://{parts.netloc}{path}"


def in_clear(url: str) -> bool:
    """Whether the password and token would travel unencrypted across a network: http:// to another machine."""
    parts = urlsplit(url)
    if parts.scheme != "http":
        return False
    host = parts.hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


# --- answers ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """A successful answer: its status, headers, bytes, and the stderr lines the command would print."""

    status: int
    headers: dict[str, str]
    content: bytes
    notices: list[str]

    @property
    def text(self) -> str:
        return self.content.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.content)


def notices(headers: Any) -> list[str]:
    """The Provenance-Notice headers, in order, as the lines they stand for."""
    found: list[tuple[int, str]] = []
    for name, value in headers.items():
        lowered = name.lower()
        if lowered == NOTICE_HEADER:
            found.append((0, value))
        elif lowered.startswith(NOTICE_HEADER + "-") and lowered[len(NOTICE_HEADER) + 1 :].isdigit():
            found.append((int(lowered[len(NOTICE_HEADER) + 1 :]), value))
    lines = []
    for _number, value in sorted(found):
        try:
            lines.append(str(json.loads(f'"{value}"')))
        except ValueError:
            lines.append(value)
    return lines


class ServerError(ProvenanceError):
    """An answer of the desk's server that is not a success, as one line; ``status`` is the HTTP status (0 when
    the server could not be reached) and ``notices`` the stderr lines that came with it."""

    def __init__(self, message: str, *, status: int, notices: list[str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.notices = notices or []


class Server:
    """The desk's server at ``url``, reached with ``token`` (a bearer token) when given."""

    def __init__(self, url: str, token: str | None = None) -> None:
        import httpx  # only commands that go through a server load it

        self.url = url
        self.token = token
        self._client = httpx.Client(
            base_url=url + API,
            timeout=httpx.Timeout(ANSWER_TIMEOUT, connect=CONNECT_TIMEOUT),
            headers={"User-Agent": "provenance-cli"},
            follow_redirects=False,
            verify=True,
            trust_env=False,
        )

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        accept: str = "application/json",
        params: Any = None,
        json: Any = None,
        files: Any = None,
        data: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        """Send one request; a success as an :class:`Answer`, anything else as one :class:`ServerError` line."""
        sent = {"Accept": accept, **(headers or {})}
        if self.token is not None:
            sent["Authorization"] = f"Bearer {self.token}"
        for attempt in range(BUSY_RETRIES + 1):
            response = self._send(method, path, params=params, json=json, files=files, data=data, headers=sent)
            wait = _retry_after(response)
            # a busy database (503) saved nothing, and says when to try again; files already sent are not re-read
            if wait is None or files is not None or attempt == BUSY_RETRIES:
                break
            time.sleep(wait)
        if response.is_success:
            return Answer(response.status_code, dict(response.headers), response.content, notices(response.headers))
        raise self._failure(response)

    def _send(self, method: str, path: str, **options: Any) -> httpx.Response:
        import httpx

        try:
            return self._client.request(method, path, **options)
        except httpx.TimeoutException as exc:
            raise ServerError(
                f"the desk's server at {self.url} did not answer in time ({type(exc).__name__}); try again, or "
                "`provenance logout` to work on a database directly",
                status=0,
            ) from exc
        except httpx.TransportError as exc:
            raise ServerError(
                f"cannot reach the desk's server at {self.url} ({_reason(exc)}); is `provenance serve` running "
                "there? `provenance logout` to work on a database directly",
                status=0,
            ) from exc

    def _failure(self, response: httpx.Response) -> ServerError:
        said = notices(response.headers)
        detail = _problem_detail(response)
        status = response.status_code
        if status == 401 and self.token is not None:
            return ServerError(
                f"the desk's server at {self.url} no longer takes your token ({detail or 'unauthenticated'}); log in "
                f"again with `provenance login {self.url}`",
                status=status,
                notices=said,
            )
        if detail is not None:
            return ServerError(detail, status=status, notices=said)
        return ServerError(
            f"the desk's server at {self.url} answered {status} {response.reason_phrase} to "
            f"{response.request.method} {response.request.url.path}; is this the address of `provenance serve`?",
            status=status,
            notices=said,
        )


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds to wait before sending again: a 503 that says when (at most :data:`MAX_BUSY_WAIT`), else None."""
    if response.status_code != 503:
        return None
    try:
        wait = float(response.headers.get("retry-after", ""))
    except ValueError:
        return None
    return wait if 0 <= wait <= MAX_BUSY_WAIT else None


def _problem_detail(response: httpx.Response) -> str | None:
    if not response.headers.get("content-type", "").startswith(PROBLEM_TYPE):
        return None
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return None
    return str(detail) if detail else None


def _reason(exc: Exception) -> str:
    said = str(exc).strip().splitlines()
    return said[0] if said and said[0] else type(exc).__name__


# --- signing in -------------------------------------------------------------------------------------------


def log_in(url: str, name: str, password: str, *, label: str) -> Credentials:
    """Sign ``name`` in at the server at ``url`` and get a token for the command line."""
    with Server(url) as server:
        answer = server.request("POST", "/session/token", json={"name": name, "password": password, "label": label})
    body = answer.json()
    token = body.get("token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        raise ServerError(
            f"the desk's server at {url} answered the sign-in without a token; is this the address of "
            "`provenance serve`?",
            status=answer.status,
        )
    token_id = body.get("id", body.get("token_id"))
    account = body.get("account")
    signed_in = account.get("name") if isinstance(account, dict) else body.get("name")
    return Credentials(
        url=url,
        name=str(signed_in or name),
        token_id=int(token_id) if isinstance(token_id, int) else None,
        token=token,
    )


__all__ = [
    "Answer",
    "Credentials",
    "Server",
    "ServerError",
    "credentials_path",
    "in_clear",
    "load_credentials",
    "log_in",
    "remove_credentials",
    "save_credentials",
    "server_url",
]
