"""The ``provenance`` command line: thin click commands over the domain functions.

:mod:`provenance.cli.app` holds the group, error handling and schema commands; :mod:`~provenance.cli.sources`
capturing articles; :mod:`~provenance.cli.capture` the other commands that put things in;
:mod:`~provenance.cli.entities` what claims are about; :mod:`~provenance.cli.contradictions` contradictions,
suggested ones and passages suggested for a claim; :mod:`~provenance.cli.output` reports and exports;
:mod:`~provenance.cli.history` the audit log of the desk, a claim or a source;
:mod:`~provenance.cli.integrity` verifying every link and carrying evidence to a new version of its source;
:mod:`~provenance.cli.workflow` assigning, reviewing and withdrawing claims, the desk's settings and its board;
:mod:`~provenance.cli.accounts` the desk's accounts and API tokens.
"""

from provenance.cli import (  # noqa: F401  (importing them registers their commands)
    accounts,
    capture,
    contradictions,
    entities,
    history,
    integrity,
    login,
    output,
    serve,
    sources,
    workflow,
)
from provenance.cli.app import cli

__all__ = ["cli"]
