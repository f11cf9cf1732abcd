"""``provenance serve``: the desk's server (:mod:`provenance.web`), run by uvicorn.

The command checks, before it binds its port, that the database is at the current schema and that the server's
secret (:mod:`provenance.web.secret`) can be made or read; then it hands its configuration to uvicorn's workers
through environment variables (:data:`provenance.web.app.ENV`), each of which builds the app with
:func:`provenance.web.app.app_from_environment`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from provenance.cli import lazy
from provenance.cli.app import cli, say
from provenance.errors import Invalid

if TYPE_CHECKING:
    from provenance import db, workflow
else:  # loaded when the command runs: see provenance.cli.lazy
    db, workflow = lazy.modules("provenance.db", "provenance.workflow")

DEFAULT_MAX_UPLOAD_MB = 50


def _check_database(url: str) -> str:
    """Refuse a database not at the current schema (before the port is bound); returns its identities mode."""
    engine = db.make_engine(url, application_name="provenance serve")
    try:
        with db.driver_errors(engine):
            db.require_current_schema(engine)
            with db.session_scope(engine, readonly=True) as session:
                return workflow.desk_value(session, workflow.IDENTITIES).value
    finally:
        engine.dispose()


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Worker processes.")
@click.option(
    "--secret-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The server's signing secret (default: $XDG_CONFIG_HOME/provenance/server-secret; made on first start).",
)
@click.option("--rotate-secret", is_flag=True, help="Make a new secret first (open pages must then be reloaded).")
@click.option(
    "--trust-forwarded",
    is_flag=True,
    help="Behind a proxy on this machine: take the client's address and scheme from its X-Forwarded-For and "
    "X-Forwarded-Proto headers.",
)
@click.option(
    "--forwarded-allow-ips",
    metavar="IPS",
    help="Behind a proxy at these addresses (comma-separated, or *): trust their X-Forwarded-* headers.",
)
@click.option(
    "--max-upload-mb",
    default=DEFAULT_MAX_UPLOAD_MB,
    show_default=True,
    type=click.IntRange(1, 4096),
    help="The largest request body the server reads, in MiB.",
)
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    workers: int,
    secret_file: Path | None,
    rotate_secret: bool,
    trust_forwarded: bool,
    forwarded_allow_ips: str | None,
    max_upload_mb: int,
) -> None:
    """Run the desk's server: the JSON API under /api/v1 (described at /api), for people signed in with an account.

    Accounts are made on the command line first: `provenance user add NAME --role admin`. Put it behind a
    proxy that speaks HTTPS before letting it listen beyond this machine.

    Example: provenance serve --port 8000
    """
    import uvicorn

    # imported here, not named to provenance.cli.lazy: finding a submodule would load its package at start-up
    from provenance.web import app as web_app
    from provenance.web import secret

    if ctx.find_root().obj.get("as") is not None:
        raise Invalid("--as means nothing to the server: whoever signs in acts under their own account; leave it out")
    url = db.resolve_url(ctx.find_root().obj["db"])
    identities = _check_database(url.render_as_string(hide_password=False))
    path = secret_file or Path(os.environ.get(secret.SECRET_FILE_ENV) or secret.default_path())
    if rotate_secret:
        secret.rotate(path)
    else:
        secret.load_or_create(path)
    allowed = forwarded_allow_ips or ("127.0.0.1,::1" if trust_forwarded else "")
    os.environ[db.URL_ENV] = url.render_as_string(hide_password=False)
    os.environ[secret.SECRET_FILE_ENV] = str(path)
    os.environ[web_app.MAX_UPLOAD_ENV] = str(max_upload_mb * 1024 * 1024)
    if allowed:
        os.environ[web_app.FORWARDED_ENV] = allowed
    else:
        os.environ.pop(web_app.FORWARDED_ENV, None)
    shown_host = f"[{host}]" if ":" in host else host
    address = f"http://{shown_host}:{port}"
    say(
        f"provenance serve: listening on {address} ({workers} worker{'s' if workers > 1 else ''}), database "
        f"{db.describe_url(url)}, identities {identities}; sign in with `provenance login {address}` (the API "
        f"is described at {address}/api)"
    )
    uvicorn.run(
        "provenance.web.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,  # the app itself decides whether X-Forwarded-* is trusted (provenance.web.deps)
        server_header=False,
        log_level="warning",
        access_log=False,
    )
