"""Click types for the numbers commands take, bounded so that no number a user types overflows the database."""

from __future__ import annotations

import click

# --limit and other counts of things to show: more than a desk would read, far less than any integer column holds.
MAX_COUNT = 1_000_000
COUNT = click.IntRange(1, MAX_COUNT)
# A row's id (evidence, a suggestion): at most the largest value an INTEGER column holds on PostgreSQL
# (provenance.claims.MAX_ROW_ID; not imported, so that the command line starts without the domain modules).
ROW_ID = click.IntRange(1, 2_147_483_647)
