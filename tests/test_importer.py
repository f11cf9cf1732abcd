"""Claims files load whole or not at all, and say where in the file a problem is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from conftest import DEMO_CLAIMS, SEED_2018, SEED_2020, row_counts
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from provenance.errors import Conflict, Invalid, NotFound
from provenance.importer import import_claims_file, parse_claims_file
from provenance.models import Claim, Contradiction, Evidence, Source


def _write(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _minimal(tmp_path: Path, **claim: object) -> dict[str, object]:
    (tmp_path / "nk.txt").write_bytes(SEED_2020.read_bytes())
    evidence = {
        "source": "nk",
        "quote": "India on Friday extended medical assistance worth $ 1 million to North Korea",
        "stance": "supports",
        "confidence": "very likely",
        "attributed_to": "the reporter",
    }
    return {
        "sources": [{"path": "nk.txt", "reliability": "C"}],
        "claims": [{"key": "aid", "statement": "India sent $1 million of medicines", **claim, "evidence": [evidence]}],
    }


def test_the_demo_claims_file_loads_every_claim_evidence_and_contradiction(session: Session) -> None:
    summary = import_claims_file(session, DEMO_CLAIMS)
    session.commit()
    spec = parse_claims_file(DEMO_CLAIMS)
    assert summary.sources_added == ["india-north-korea-2018", "india-medical-aid-2020"]
    assert summary.claims == len(spec.claims) >= 8
    assert summary.evidence == sum(len(c.evidence) for c in spec.claims)
    assert session.scalar(select(func.count()).select_from(Evidence)) == summary.evidence
    assert session.scalar(select(func.count()).select_from(Contradiction)) == summary.contradictions >= 1
    assert set(session.scalars(select(Claim.key))) >= {
        "suntech-diversion",
        "rodong-transfer",
        "khan-trade-2003",
        "india-medical-aid-2020",
        "india-food-aid-2011-2016",
        "singh-first-visit-in-two-decades",
    }


def test_the_demo_first_visit_claim_rests_on_both_sources(session: Session) -> None:
    import_claims_file(session, DEMO_CLAIMS)
    claim = session.scalar(select(Claim).where(Claim.key == "singh-first-visit-in-two-decades"))
    assert claim is not None
    quotes = {(e.passage.source.key, e.passage.text) for e in claim.evidence if e.stance.value == "supports"}
    keys = {key for key, _ in quotes}
    assert keys == {"india-north-korea-2018", "india-medical-aid-2020"}
    texts = " ".join(text for _, text in quotes)
    assert "almost two decades" in texts and "in two decades" in texts and "1998" in texts


def test_every_demo_evidence_note_justifies_its_likelihood(session: Session) -> None:
    import_claims_file(session, DEMO_CLAIMS)
    for evidence in session.scalars(select(Evidence)):
        assert evidence.note and evidence.confidence is not None
    suntech = session.scalar(select(Claim).where(Claim.key == "suntech-diversion"))
    assert suntech is not None and all(e.confidence is not None and e.confidence < 0.95 for e in suntech.evidence)


def test_sources_may_be_given_inline_with_metadata(session: Session, tmp_path: Path) -> None:
    data = {
        "sources": [
            {
                "key": "wire",
                "text": "Title: Wire story\n\nPyongyang said on Monday it would talk. Officials agreed.",
                "author": "A Reporter",
                "published": "2019-02-03",
                "url": "https://example.org/wire",
            }
        ],
        "claims": [
            {
                "key": "talk",
                "statement": "Pyongyang said it would talk",
                "about": ["North Korea"],
                "evidence": [
                    {
                        "source": "wire",
                        "quote": "Pyongyang said on Monday it would talk.",
                        "stance": "supports",
                    }
                ],
            }
        ],
    }
    import_claims_file(session, _write(tmp_path / "inline.yaml", data))
    source = session.scalar(select(Source).where(Source.key == "wire"))
    assert source is not None
    assert (source.title, source.author, source.url, str(source.published)) == (
        "Wire story",
        "A Reporter",
        "https://example.org/wire",
        "2019-02-03",
    )
    assert source.text.startswith("Pyongyang said on Monday")


def test_json_claims_files_have_the_same_shape(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "claims.json"
    path.write_text(json.dumps(_minimal(tmp_path)), encoding="utf-8")
    summary = import_claims_file(session, path)
    assert (summary.sources_added, summary.claims, summary.evidence) == (["nk"], 1, 1)


def test_a_yaml_syntax_error_gives_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("claims:\n  - key: a\n    statement: [unclosed\n", encoding="utf-8")
    with pytest.raises(Invalid, match=r"broken.yaml line 4, column 1: .*fix the YAML"):
        parse_claims_file(path)


def test_a_json_syntax_error_gives_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"claims": [\n  {"key": "a",}\n]}', encoding="utf-8")
    with pytest.raises(Invalid, match=r"broken.json line 2, column"):
        parse_claims_file(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"stance_key": "stanse"},
            r"claims\[0\].evidence\[0\].stanse: not a field of an evidence item; did you mean stance\?",
        ),
        ({"drop": "statement"}, r"claims\[0\].statement: missing; a claim needs a statement"),
    ],
)
def test_a_misshapen_file_names_the_field(tmp_path: Path, change: dict[str, str], message: str) -> None:
    data = _minimal(tmp_path)
    claim = data["claims"][0]  # type: ignore[index]
    if "stance_key" in change:
        claim["evidence"][0][change["stance_key"]] = claim["evidence"][0].pop("stance")
    else:
        del claim[change["drop"]]
    with pytest.raises(Invalid, match=message):
        parse_claims_file(_write(tmp_path / "claims.yaml", data))


def test_a_source_needs_a_path_or_text_not_both(tmp_path: Path) -> None:
    path = _write(tmp_path / "c.yaml", {"sources": [{"key": "x", "path": "a.txt", "text": "Some text."}]})
    with pytest.raises(Invalid, match=r"sources\[0\]: give either path or text"):
        parse_claims_file(path)


def test_an_empty_or_missing_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    with pytest.raises(Invalid, match="is empty"):
        parse_claims_file(tmp_path / "empty.yaml")
    with pytest.raises(NotFound, match="no file"):
        parse_claims_file(tmp_path / "absent.yaml")


def test_a_domain_error_says_which_claim_and_evidence(session: Session, tmp_path: Path) -> None:
    data = _minimal(tmp_path)
    data["claims"][0]["evidence"][0]["quote"] = "India on Friday extended medical aid"  # type: ignore[index]
    with pytest.raises(NotFound, match=r"claims\[0\] \(aid\) evidence\[0\]: quote not found in source 'nk'"):
        import_claims_file(session, _write(tmp_path / "c.yaml", data))


def test_a_file_that_fails_halfway_keeps_nothing(provenance: object, db_url: str, tmp_path: Path) -> None:
    data = _minimal(tmp_path)
    (tmp_path / "2018.txt").write_bytes(SEED_2018.read_bytes())
    data["sources"].append({"path": "2018.txt"})  # type: ignore[attr-defined]
    data["claims"].append(  # type: ignore[attr-defined]
        {
            "key": "second",
            "statement": "A second claim whose quote is not in the source",
            "evidence": [{"source": "nk", "quote": "words the article never uses", "stance": "supports"}],
        }
    )
    before = row_counts(db_url)
    result = provenance("import", str(_write(tmp_path / "c.yaml", data)))  # type: ignore[operator]
    assert result.exit_code == 1
    assert "claims[1] (second) evidence[0]: quote not found" in result.stderr
    assert row_counts(db_url) == before


def test_importing_a_claim_key_twice_is_a_conflict(session: Session, tmp_path: Path) -> None:
    path = _write(tmp_path / "c.yaml", _minimal(tmp_path))
    import_claims_file(session, path)
    with pytest.raises(Conflict, match="claim 'aid' already exists"):
        import_claims_file(session, path)


def test_seed_sources_already_captured_are_reused(session: Session, tmp_path: Path) -> None:
    path = _write(tmp_path / "c.yaml", _minimal(tmp_path))
    from provenance.documents import read_document
    from provenance.sources import add_source

    add_source(session, read_document(tmp_path / "nk.txt"))
    summary = import_claims_file(session, path)
    assert (summary.sources_added, summary.sources_unchanged) == ([], ["nk"])
    assert session.scalar(select(func.count()).select_from(Source)) == 1


def test_reviewed_claims_carry_their_status_and_verdict(session: Session, tmp_path: Path) -> None:
    data = _minimal(tmp_path, status="published", verdict="mostly true")
    import_claims_file(session, _write(tmp_path / "c.yaml", data))
    claim = session.scalar(select(Claim).where(Claim.key == "aid"))
    assert claim is not None and (claim.status.value, claim.verdict and claim.verdict.value) == (
        "published",
        "mostly_true",
    )
    bad = _minimal(tmp_path, verdict="pants on fire")
    bad["claims"][0]["key"] = "other"  # type: ignore[index]
    with pytest.raises(Invalid, match="unknown verdict 'pants on fire'; use one of: true, mostly true, mixed"):
        import_claims_file(session, _write(tmp_path / "bad.yaml", bad))
