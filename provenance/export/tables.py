"""Tables for people, laid out in the width there is: every table the command line prints goes through
:func:`table`.

- On a terminal, a table fits the terminal's width (``$COLUMNS`` when set, as shells set it, else the width the
  terminal reports): long cells (statements, titles, notes) wrap onto more lines within their column, the widest
  columns first; a word longer than its column is folded onto the next line. Nothing is cut short.
- Written to a file or a pipe (and ``$COLUMNS`` unset), nothing wraps: one line per row, whole, for grep and sort.

Cells are shown as given: text that looks like markup (``[bold]``) is printed as it is, and control characters are
shown escaped (``\\x1b``), never sent to the terminal. rich, which lays the table out, is loaded on the first
table, not when the command line starts.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
import textwrap
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from provenance.text import printable

if TYPE_CHECKING:
    from rich.box import Box
    from rich.table import Table
    from rich.text import Text

# Columns are two spaces apart, and the header is underlined with dashes, as tables were before they fitted the
# terminal (and as `column -t` and most command-line tools print them).
GAP = 2
# A value shown in a record (see table) gets at least this many columns.
MIN_VALUE = 20
# Narrower than this, a terminal's reported width is not believed (a pipe that says 0, an unset size): tables then
# get this many columns.
MIN_WIDTH = 40


def output_width() -> int | None:
    """How many columns a table may take: ``$COLUMNS`` if set, else the terminal's width when standard output is
    a terminal; None (no limit) when it goes to a file or a pipe."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return max(int(columns), MIN_WIDTH)
    stream = sys.stdout
    if stream is not None and stream.isatty():
        return max(shutil.get_terminal_size().columns, MIN_WIDTH)
    return None


def table(
    headers: Sequence[str], rows: Iterable[Sequence[object]], *, indent: int = 0, width: int | None = None
) -> str:
    """``rows`` under ``headers`` in left-aligned columns, as wide as :func:`output_width` allows (or ``width``),
    each line indented by ``indent`` spaces; no trailing spaces, no final line break. A cell that is None is
    empty; any other is shown as ``str`` shows it.

    When the rows are too wide, the widest columns give way first, wrapping at spaces, down to their longest
    word. If even the longest words do not fit side by side, each row is shown as a record instead: one line a
    column, its header and then its value, wrapped (as ``psql``'s expanded display does)."""
    from rich.table import Table
    from rich.text import Text

    header_cells = [Text(printable(header)) for header in headers]
    body = [[Text(printable("" if cell is None else str(cell))) for cell in row] for row in rows]
    limit = width if width is not None else output_width()
    room = None if limit is None else limit - indent
    widths = _column_widths([header_cells, *body], room)
    if widths is None:
        assert room is not None
        return _records(header_cells, body, room, indent)
    laid_out = Table(
        box=_dashed(),
        show_edge=False,
        pad_edge=False,
        padding=(0, GAP - 1, 0, 0),  # and the one-character divider
        collapse_padding=False,
        expand=False,
    )
    for header, column_width in zip(header_cells, widths, strict=True):
        laid_out.add_column(header, width=column_width, overflow="fold")
    for cells in body:
        laid_out.add_row(*cells)
    return _rendered(laid_out, sum(widths) + GAP * len(widths), indent)


def _records(headers: Sequence[Text], body: Sequence[Sequence[Text]], room: int, indent: int) -> str:
    """Each row as a block of lines, one a column: the header, then the value wrapped beside it."""
    from rich.cells import cell_len
    from rich.table import Table

    label = max(cell_len(header.plain) for header in headers)
    value = max(room - label - GAP, MIN_VALUE)
    blocks = []
    for cells in body:
        record = Table(box=None, show_header=False, show_edge=False, pad_edge=False, padding=(0, GAP, 0, 0))
        record.add_column(width=label, overflow="fold")
        record.add_column(width=value, overflow="fold")
        for header, cell in zip(headers, cells, strict=True):
            record.add_row(header, cell)
        blocks.append(_rendered(record, label + GAP + value, indent))
    return "\n\n".join(blocks)


def _rendered(laid_out: Table, width: int, indent: int) -> str:
    from rich.console import Console

    out = io.StringIO()
    console = Console(
        file=out,
        width=width,
        color_system=None,
        force_terminal=False,
        force_jupyter=False,
        highlight=False,
        markup=False,
        emoji=False,
        legacy_windows=False,
    )
    console.print(laid_out)
    margin = " " * indent
    return "\n".join((margin + line).rstrip() for line in out.getvalue().splitlines())


def _column_widths(rows: Sequence[Sequence[Text]], room: int | None) -> list[int] | None:
    """Each column's width: what its widest cell needs if all fit in ``room`` (None: no limit); else the widest
    columns are brought down to a common width, none below its longest word; None if the longest words do not
    fit side by side."""
    from rich.cells import cell_len  # what a character takes on screen: 2 for most CJK characters

    columns = len(rows[0])
    natural = [1] * columns
    longest_word = [0] * columns
    for row in rows:
        for i, cell in enumerate(row):
            natural[i] = max(natural[i], *(cell_len(line) for line in cell.plain.splitlines() or [""]))
            longest_word[i] = max(longest_word[i], *(cell_len(word) for word in cell.plain.split() or [""]))
    if room is None:
        return natural
    room -= GAP * (columns - 1)
    if sum(natural) <= room:
        return natural
    floors = [min(word, n) for word, n in zip(longest_word, natural, strict=True)]
    if sum(floors) > room:
        return None
    level = _level(natural, floors, room)
    return [min(n, max(floor, level)) for n, floor in zip(natural, floors, strict=True)]


def _level(natural: Sequence[int], floors: Sequence[int], room: int) -> int:
    """The largest width L such that the columns, each at its natural width or L if narrower (but not below its
    floor), fit in ``room``."""
    low, high = 0, max(natural)
    while low < high:
        middle = (low + high + 1) // 2
        if sum(min(n, max(f, middle)) for n, f in zip(natural, floors, strict=True)) <= room:
            low = middle
        else:
            high = middle - 1
    return low


def _dashed() -> Box:
    """No borders; the header underlined with dashes."""
    from rich.box import Box

    return Box(
        "    \n"  # top
        "    \n"  # header row: no edges; the divider is a space
        " -  \n"  # under the header: dashes, the divider a space
        "    \n"  # between rows (not drawn)
        "    \n"
        "    \n"
        "    \n"
        "    \n"
    )


def fit(text: str, width: int | None = None) -> str:
    """``text`` with each line wider than :func:`output_width` (or ``width``) wrapped at spaces, the rest of it on
    lines indented two more than it began; unchanged when there is no limit. For lines of prose around tables."""
    limit = width if width is not None else output_width()
    if limit is None:
        return text
    lines = []
    for line in text.splitlines():
        if len(line) <= limit:
            lines.append(line)
            continue
        indent = " " * (len(line) - len(line.lstrip()))
        lines += textwrap.wrap(
            line, limit, initial_indent="", subsequent_indent=indent + "  ", break_on_hyphens=False
        ) or [line]
    return "\n".join(lines)
