"""The csl export: CSL-JSON of the cited sources, checked against the CSL project's own input schema."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from citeproc import (  # type: ignore[import-untyped]
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON  # type: ignore[import-untyped]
from conftest import REPO, Provenance
from jsonschema import Draft7Validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from provenance.citations import STYLES_DIR, reference
from provenance.claims import add_claim, add_evidence
from provenance.documents import Metadata, document_from_text
from provenance.export import csl
from provenance.models import Source
from provenance.report import build_report
from provenance.sources import add_source

CSL_SCHEMA = REPO.parent / "shared" / "conformance" / "csl" / "csl-data.json"
ITEM_KEYS = {"id", "type", "title", "author", "container-title", "URL", "issued", "accessed"}


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    if not CSL_SCHEMA.is_file():
        pytest.skip(f"the CSL-JSON schema is not at {CSL_SCHEMA} (shared/conformance beside the repository)")
    schema = json.loads(CSL_SCHEMA.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


def assert_valid(validator: Draft7Validator, data: Any) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
    assert errors == []


def _captured(session: Session, key: str) -> list[list[int]]:
    captured = session.scalars(select(Source.captured_at).where(Source.key == key)).one().astimezone(dt.UTC)
    return [[captured.year, captured.month, captured.day]]


def test_the_demo_corpus_exports_valid_csl_json(
    seeded: Provenance, session: Session, validator: Draft7Validator
) -> None:
    exported = csl.render(build_report(session))
    items = json.loads(exported)
    assert_valid(validator, items)
    assert items == [
        {
            "id": "india-medical-aid-2020",
            "type": "article-newspaper",
            "issued": {"date-parts": [[2020, 7, 25]]},
            "accessed": {"date-parts": _captured(session, "india-medical-aid-2020")},
        },
        {
            "id": "india-north-korea-2018",
            "type": "article-newspaper",
            "title": "India looks to revive ties with North Korea",
            "author": [{"family": "Fisher", "given": "Isabel"}],
            "issued": {"date-parts": [[2018, 5, 17]]},
            "accessed": {"date-parts": _captured(session, "india-north-korea-2018")},
        },
    ]
    assert exported.startswith('[\n  {\n    "id": "india-medical-aid-2020",') and exported.endswith("]\n")


def test_the_cli_exports_the_same_csl_json(seeded: Provenance, session: Session) -> None:
    assert seeded.ok("export", "csl").stdout == csl.render(build_report(session))


def test_items_hold_only_csl_variables_and_are_sorted_by_id(session: Session, validator: Draft7Validator) -> None:
    for key, title in [("zeta", "Last by key"), ("alpha", None)]:
        text = f"Officials in {key} said the talks would go ahead."
        metadata = Metadata(
            title=title,
            author="Press Trust of India",
            publisher="The Hindu",
            url=f"https://example.org/{key}",
            published=dt.date(2019, 2, 3),
        )
        add_source(session, document_from_text(text, name=key), key=key, metadata=metadata)
        add_claim(session, f"claim-{key}", "The talks would go ahead")
        add_evidence(session, f"claim-{key}", key, text, stance="supports")
    items = json.loads(csl.render(build_report(session)))
    assert_valid(validator, items)
    assert [item["id"] for item in items] == ["alpha", "zeta"]
    assert all(set(item) <= ITEM_KEYS for item in items)
    assert "title" not in items[0]  # untitled: no title is invented
    assert items[1]["author"] == [{"literal": "Press Trust of India"}]
    assert items[1]["container-title"] == "The Hindu" and items[1]["URL"] == "https://example.org/zeta"


def test_an_empty_report_exports_an_empty_list(session: Session, validator: Draft7Validator) -> None:
    exported = csl.render(build_report(session))
    assert exported == "[]\n"
    assert_valid(validator, json.loads(exported))


def test_another_csl_processor_reading_the_export_gives_the_report_reference(
    seeded: Provenance, session: Session
) -> None:
    """Stock citeproc-py (none of provenance's fixes) on the exported item gives the APA footnote's reference."""
    items = json.loads(csl.render(build_report(session)))
    bibliography = CitationStylesBibliography(
        CitationStylesStyle(str(STYLES_DIR / "apa.csl"), validate=False), CiteProcJSON(items), formatter.plain
    )
    bibliography.register(Citation([CitationItem("india-north-korea-2018")]))
    fisher = session.scalars(select(Source).where(Source.key == "india-north-korea-2018")).one()
    assert str(bibliography.bibliography()[0]) == reference(fisher, "apa")
