"""The workflow as the desk sees it: the board (``provenance status``) and where a claim stands after a workflow
change, as text for people and as the records ``--json`` prints (the server answers with the same)."""

from __future__ import annotations

from typing import Any

from provenance import workflow
from provenance.export.tables import fit
from provenance.export.tables import table as columns
from provenance.models import Claim, Verdict


def state_record(claim: Claim, changed: bool) -> dict[str, Any]:
    """Where a claim stands after a workflow command: the stable keys its ``--json`` prints."""
    return {
        "key": claim.key,
        "status": claim.status.value,
        "verdict": claim.verdict.value if claim.verdict else None,
        "rating": workflow.RATING_SCALE[claim.verdict] if claim.verdict else None,
        "verdict_by": claim.verdict_by,
        "assignee": claim.assignee,
        "version": claim.version,
        "changed": changed,
    }


def desk_record(value: workflow.DeskValue) -> dict[str, Any]:
    """A desk setting as `provenance desk show --json` prints it."""
    return {
        "name": value.setting.name,
        "value": value.value,
        "default": value.setting.default,
        "choices": list(value.setting.choices),
        "meaning": value.setting.meaning,
        "updated_at": value.updated_at.isoformat() if value.updated_at else None,
        "updated_by": value.updated_by,
    }


def verdict_text(verdict: Verdict | None, verdict_by: str | None) -> str:
    if verdict is None:
        return "none"
    return f"{workflow.words(verdict)} (by {verdict_by or 'unknown'})"


def board_record(board: workflow.Board) -> dict[str, Any]:
    return {
        "total": board.total,
        "open_contradictions": board.open_contradictions,
        "evidence_needing_review": board.needs_review,
        "evidence_orphaned": board.orphaned,
        "evidence_on_superseded_versions": board.superseded,
        "second_reviewer": "on" if board.second_reviewer else "off",
        "statuses": [
            {
                "status": status.value,
                "count": board.count(status),
                "not_shown": board.more(status),
                "claims": [
                    {
                        "key": row.key,
                        "statement": row.statement,
                        "assignee": row.assignee,
                        "verdict": row.verdict.value if row.verdict else None,
                        "verdict_by": row.verdict_by,
                        "evidence": row.evidence,
                        "evidence_needing_review": row.needs_review,
                        "evidence_orphaned": row.orphaned,
                        "evidence_on_superseded_versions": row.superseded,
                        "open_contradictions": row.open_contradictions,
                        "updated_at": row.updated_at.isoformat(),
                        "version": row.version,
                    }
                    for row in rows
                ],
            }
            for status, rows in board.columns.items()
        ],
    }


def board_text(board: workflow.Board) -> str:
    counts = ", ".join(f"{workflow.words(status)} {board.count(status)}" for status in board.columns)
    lines = [
        f"{board.total} claim{'' if board.total == 1 else 's'}: {counts}",
        f"open contradictions: {board.open_contradictions}; evidence needing review: {board.needs_review}; "
        f"second reviewer: {'on' if board.second_reviewer else 'off'}",
        f"evidence orphaned by reanchor: {board.orphaned}; evidence on superseded versions, not yet reanchored: "
        f"{board.superseded}",
    ]
    headers = [
        "key",
        "assignee",
        "verdict",
        "evidence",
        "needs review",
        "open contradictions",
        "orphaned",
        "superseded",
        "updated",
    ]
    for status, rows in board.columns.items():
        if not rows:
            continue
        table = [
            [
                row.key,
                row.assignee or "-",
                verdict_text(row.verdict, row.verdict_by) if row.verdict else "-",
                row.evidence,
                row.needs_review,
                row.open_contradictions,
                row.orphaned,
                row.superseded,
                row.updated_at.date().isoformat(),
            ]
            for row in rows
        ]
        lines += ["", f"{workflow.words(status).upper()} ({board.count(status)})", columns(headers, table)]
        if board.more(status):
            lines.append(
                f"... and {board.more(status)} more {workflow.words(status)}: show more with --per-status N, "
                "or list them with `provenance claim list`"
            )
    return fit("\n".join(lines))
