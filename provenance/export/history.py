"""The audit log as ``provenance history`` shows it: for people, each event with the fields it changed as
``before -> after``; for scripts, one JSON record per event."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from provenance.history import Entry, History
from provenance.text import nothing_listed, option

VALUE_WIDTH = 120  # a long value (a statement, a note) is shortened to this many characters; --json has it whole
LONG = 80  # a change whose two values are longer than this together is shown on two lines, "was" and "now"


def event_record(entry: Entry) -> dict[str, Any]:
    """An event as ``history --json`` prints it: the row, and ``changes``, the fields it changed."""
    event = entry.event
    return {
        "id": event.id,
        "occurred_at": event.occurred_at.isoformat(),
        "actor": event.actor,
        "action": event.action,
        "subject_type": event.subject_type,
        "subject_key": event.subject_key,
        "reason": event.reason,
        "before": event.before,
        "after": event.after,
        "changes": [{"field": c.field, "before": c.before, "after": c.after} for c in entry.changes],
    }


def value(item: Any) -> str:
    """A recorded value for people: ``-`` for none, yes/no, a list's items joined, anything else as JSON."""
    if item is None or item == "" or item == [] or (isinstance(item, list) and all(v is None for v in item)):
        return "-"
    if isinstance(item, bool):
        return "yes" if item else "no"
    if isinstance(item, str):
        shown = " ".join(item.split())
    elif isinstance(item, list):
        shown = ", ".join(value(part) for part in item)
    elif isinstance(item, int | float):
        shown = f"{item:g}" if isinstance(item, float) else str(item)
    else:
        shown = json.dumps(item, ensure_ascii=False, sort_keys=True)
    return textwrap.shorten(shown, VALUE_WIDTH, placeholder="…") if len(shown) > VALUE_WIDTH else shown


def subject(entry: Entry) -> str:
    """What the event is about: ``claim KEY``, ``claim KEY, evidence quoting SOURCE characters 12–40``,
    ``source KEY``, ``contradiction A|B``."""
    event = entry.event
    label = f"{event.subject_type} {event.subject_key}"
    if event.subject_type == "claim" and entry.evidence is not None:
        label += f", {entry.evidence}"
    return label


def entry_lines(entry: Entry) -> list[str]:
    event = entry.event
    lines = [f"{event.occurred_at:%Y-%m-%d %H:%M:%S} UTC  {event.actor}  {event.action}  {subject(entry)}"]
    for change in entry.shown:  # as people read them: no database ids
        if entry.created:
            lines.append(f"    + {change.field}: {value(change.after)}")
        elif entry.removed:
            lines.append(f"    - {change.field}: {value(change.before)}")
        else:
            old, new = value(change.before), value(change.after)
            if len(old) + len(new) <= LONG:
                lines.append(f"    {change.field}: {old} -> {new}")
            else:  # a long value (a note, a statement) reads better above the other
                lines += [f"    {change.field}:", f"        was: {old}", f"        now: {new}"]
    if event.reason:
        lines.append(f"    reason: {' '.join(event.reason.split())}")  # whole: it is why
    return lines


def text(found: History) -> str:
    """Every event, newest first, a blank line between them."""
    if not found.entries:
        return "No events found."
    return "\n\n".join("\n".join(entry_lines(entry)) for entry in found.entries)


def shown(found: History, *, kind: str, wanted: str | None, since: str | None) -> tuple[str, list[str]]:
    """What `provenance history` prints for ``found`` (asked for with the key ``wanted``, of ``kind`` "claim",
    "source" or "" for either, ``since`` a day as typed), and what it says on stderr."""
    listed = text(found)
    if not found.entries:
        filters = [option(f"--{kind}" if kind else "KEY", wanted)] if wanted else []
        filters += [option("--since", since)] if since else []
        listed = nothing_listed("event", "events", filters, "every change a command makes is logged")
    notices = []
    if len(found.subjects) > 1:
        notices.append(f"{wanted!r} names a claim and a source: both histories are shown (--claim or --source for one)")
    if found.total > len(found.entries):
        notices.append(f"the {len(found.entries)} most recent of {found.total} events; --limit N shows more")
    return listed, notices
