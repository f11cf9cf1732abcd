"""Commands for contradictions: recording, listing, resolving and dismissing them; detecting, confirming and
dismissing suggested ones; and ``suggest``, the passages that may bear on a claim.

The group answers to ``contradiction`` and ``contradictions`` alike.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from provenance.cli import lazy
from provenance.cli.app import ProvenanceGroup, cli, json_option, open_database, print_json, say
from provenance.cli.options import COUNT
from provenance.errors import Invalid
from provenance.text import count, nothing_listed, option, printable

if TYPE_CHECKING:
    from provenance import claims, contradictions, suggest
    from provenance.export import conflicts
else:  # loaded when a command first uses them: see provenance.cli.lazy
    claims, contradictions, suggest, conflicts = lazy.modules(
        "provenance.claims", "provenance.contradictions", "provenance.suggest", "provenance.export.conflicts"
    )

KINDS = "direct, numeric, temporal or attribution"


@cli.group("contradiction", cls=ProvenanceGroup)
def contradiction_group() -> None:
    """Record claims that cannot both be true, find passages that disagree, and decide each.

    Also answers to `provenance contradictions`.

    \b
    Example:
        provenance contradiction add CLAIM_A CLAIM_B --kind numeric --note "why"
        provenance contradictions detect
        provenance contradictions confirm 1 --note "the 2020 report is wrong"
    """


cli.add_command(contradiction_group, "contradictions")


@contradiction_group.command("add")
@click.argument("claim_a")
@click.argument("claim_b")
@click.option("--kind", default="direct", show_default=True, help=f"What they disagree on: {KINDS}.")
@click.option("--note", help="Why they cannot both be true.")
@json_option
@click.pass_context
def contradiction_add(
    ctx: click.Context, claim_a: str, claim_b: str, kind: str, note: str | None, as_json: bool
) -> None:
    """Record that CLAIM_A and CLAIM_B contradict each other.

    Example: provenance contradiction add dprk-denuclearisation-willingness talks-may-be-called-off --kind direct
    """
    with open_database(ctx) as session:
        contradiction = claims.add_contradiction(session, claim_a, claim_b, note=note, kind=kind)
        record = conflicts.contradiction_record(contradiction)
    if as_json:
        print_json(record)
    else:
        click.echo(f"{claim_a} <-> {claim_b} (open)")


@contradiction_group.command("list")
@click.option("--status", help="Only contradictions that are open, resolved or dismissed.")
@json_option
@click.pass_context
def contradiction_list(ctx: click.Context, status: str | None, as_json: bool) -> None:
    """List contradictions with their kind, status and resolution (or note).

    Example: provenance contradiction list --status open
    """
    with open_database(ctx, readonly=True) as session:
        found = contradictions.list_contradictions(session, status)
        if as_json:
            print_json([conflicts.contradiction_record(c) for c in found])
        else:
            filters = [option("--status", status)] if status else []
            how = "`provenance contradiction add CLAIM_A CLAIM_B` records one"
            shown = (
                conflicts.contradiction_table(found)
                if found
                else nothing_listed("contradiction", "contradictions", filters, how)
            )
            click.echo(printable(shown))


@contradiction_group.command("resolve")
@click.argument("claim_a")
@click.argument("claim_b")
@click.option("--note", help="How it was resolved: which claim holds, or how both do (required).")
@click.pass_context
def contradiction_resolve(ctx: click.Context, claim_a: str, claim_b: str, note: str | None) -> None:
    """Mark the contradiction between CLAIM_A and CLAIM_B resolved, saying how.

    Example: provenance contradiction resolve claim-a claim-b --note "The 2020 figure is the MEA's own"
    """
    with open_database(ctx) as session:
        contradictions.resolve_contradiction(session, claim_a, claim_b, note)
    click.echo(f"{claim_a} <-> {claim_b} (resolved)")


@contradiction_group.command("dismiss")
@click.argument("target", nargs=-1, required=True, metavar="SUGGESTION_ID | CLAIM_A CLAIM_B")
@click.option("--note", help="Why it is not a contradiction (required).")
@click.pass_context
def contradiction_dismiss(ctx: click.Context, target: tuple[str, ...], note: str | None) -> None:
    """Dismiss a suggested contradiction (by its number), or the contradiction between two claims.

    \b
    Example:
        provenance contradictions dismiss 3 --note "Two different aid consignments"
        provenance contradiction dismiss claim-a claim-b --note "Both hold: different years"
    """
    if len(target) > 2:
        raise Invalid("give one suggestion number or two claim keys to dismiss, not " + str(len(target)))
    with open_database(ctx) as session:
        if len(target) == 1:
            suggestion = contradictions.dismiss_suggestion(session, target[0], note)
            shown = f"suggestion {suggestion.id} (dismissed)"
        else:
            contradictions.dismiss_contradiction(session, target[0], target[1], note)
            shown = f"{target[0]} <-> {target[1]} (dismissed)"
    click.echo(shown)


@contradiction_group.command("detect")
@click.option("--claim", "claim_key", metavar="KEY", help="Only pairs with a passage cited for this claim.")
@click.option(
    "--evaluate",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="Measure the detector on a labelled file instead (no database needed): precision and recall.",
)
@json_option
@click.pass_context
def contradiction_detect(ctx: click.Context, claim_key: str | None, evaluate: Path | None, as_json: bool) -> None:
    """Suggest pairs of cited passages that disagree on a number, amount, date or duration, or where one denies
    the other, for the analyst to confirm or dismiss. Prints the new suggestions, each with both passages.

    \b
    Example:
        provenance contradictions detect
        provenance contradictions detect --evaluate tests/fixtures/contradiction_pairs.yaml
    """
    if evaluate is not None:
        _print_evaluation(contradictions.evaluate(evaluate), as_json)
        return
    with open_database(ctx) as session:
        found = contradictions.detect(session, claim_key)
        by_id = contradictions.claims_of(session, found)
        if as_json:
            print_json([conflicts.suggestion_record(s, by_id) for s in found])
        else:
            click.echo(printable(conflicts.suggestion_list(found, by_id)))
        still_open = len(contradictions.list_suggestions(session))
    say(f"{count(len(found), 'new suggestion')}; {still_open} open in all (`provenance contradictions suggestions`)")


def _print_evaluation(results: list[contradictions.Measured], as_json: bool) -> None:
    records = [
        {
            "pairs": m.name,
            "true_positives": m.true_positives,
            "false_positives": m.false_positives,
            "false_negatives": m.false_negatives,
            "true_negatives": m.true_negatives,
            "precision": round(m.precision, 4),
            "recall": round(m.recall, 4),
            "right_kind": m.right_kind,
            "mistakes": m.mistakes,
        }
        for m in results
    ]
    if as_json:
        print_json(records)
        return
    for m in results:
        click.echo(
            f"{m.name}: precision {m.precision:.3f}, recall {m.recall:.3f} (found {m.true_positives} of "
            f"{count(m.true_positives + m.false_negatives, 'contradiction')}, {m.right_kind} with the right kind; "
            f"{count(m.false_positives, 'false alarm')} in {m.false_positives + m.true_negatives} pairs that agree)"
        )
    for mistake in results[-1].mistakes:
        found = mistake["found"] or "nothing"
        click.echo(printable(f"  labelled {mistake['labelled']}, found {found}: {mistake['a']!r} / {mistake['b']!r}"))


@contradiction_group.command("suggestions")
@click.option(
    "--status",
    default="open",
    show_default=True,
    help="open, confirmed, dismissed, or all.",
)
@json_option
@click.pass_context
def contradiction_suggestions(ctx: click.Context, status: str, as_json: bool) -> None:
    """List suggested contradictions, most certain first, each with both passages side by side.

    Example: provenance contradictions suggestions --status all
    """
    with open_database(ctx, readonly=True) as session:
        found = contradictions.list_suggestions(session, None if status.strip().lower() == "all" else status)
        by_id = contradictions.claims_of(session, found)
        notes = contradictions.decision_notes(session, found)
        if as_json:
            print_json([conflicts.suggestion_record(s, by_id, notes.get(s.id)) for s in found])
        else:
            how = "`provenance contradictions detect` suggests pairs of cited passages that disagree"
            chosen = status.strip().lower()
            if found:
                shown = conflicts.suggestion_list(found, by_id, notes)
            elif chosen == "open":  # the default: say how to get some, and how to see the decided ones
                shown = f"No open suggestions: {how} (--status all lists those decided too)."
            else:
                shown = nothing_listed(
                    "suggestion", "suggestions", [] if chosen == "all" else [option("--status", status)], how
                )
            click.echo(printable(shown))


@contradiction_group.command("confirm")
@click.argument("suggestion_id")
@click.option("--note", help="Why they cannot both be true (kept as the contradiction's note).")
@json_option
@click.pass_context
def contradiction_confirm(ctx: click.Context, suggestion_id: str, note: str | None, as_json: bool) -> None:
    """Confirm a suggested contradiction: records (or links) the contradiction between its two claims, or, for
    two passages of one claim, keeps them as that claim's conflicting evidence.

    Example: provenance contradictions confirm 1 --note "Almost two decades is right: September 1998 to May 2018"
    """
    with open_database(ctx) as session:
        suggestion = contradictions.confirm_suggestion(session, suggestion_id, note)
        by_id = contradictions.claims_of(session, [suggestion])
        record = conflicts.suggestion_record(
            suggestion, by_id, contradictions.decision_notes(session, [suggestion]).get(suggestion.id)
        )
    if as_json:
        print_json(record)
    elif suggestion.contradiction_id is not None:
        a, b = record["claims"]
        click.echo(f"suggestion {suggestion.id} (confirmed): {a} <-> {b}")
    else:
        click.echo(f"suggestion {suggestion.id} (confirmed): conflicting evidence of {record['claims'][0]}")


@cli.command("suggest")
@click.argument("claim_key", metavar="CLAIM")
@click.option("--limit", type=COUNT, default=20, show_default=True, help="At most this many passages.")
@json_option
@click.pass_context
def suggest_command(ctx: click.Context, claim_key: str, limit: int, as_json: bool) -> None:
    """Passages across every source that may support or contradict CLAIM, most relevant first: those already
    cited for it are marked, and those that look like they disagree with it are flagged.

    Example: provenance suggest singh-first-visit-in-two-decades --limit 5
    """
    with open_database(ctx, readonly=True) as session:
        found = suggest.suggest_passages(session, claim_key, limit=limit)
        if as_json:
            print_json([conflicts.suggested_record(entry) for entry in found])
        else:
            click.echo(printable(conflicts.suggested_list(found)))
