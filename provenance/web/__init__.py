"""The desk's server: the second door onto the same domain functions the command line calls.

``app.create_app`` builds the ASGI application (FastAPI); ``deps`` proves who is acting (a session cookie or a
bearer token) and hands each route its :class:`~provenance.web.deps.Desk`; ``problems`` turns every
:class:`~provenance.errors.ProvenanceError` into an RFC 9457 problem with the same one-line message the command
line prints; ``api/`` holds the JSON routes, one module per resource. A route parses the request, calls one domain
function with the acting person set, and returns what :mod:`provenance.export.records` builds for ``--json``.
"""
