"""`provenance import` and the files it reads: a repeated key, an impossible date, a file nested too deeply, a
path that leads out of the claims file's folder, an oversized inline text and a file that is no claims file are
each one `Error:` line, with nothing stored; a claims file loads whole or not at all."""

from __future__ import annotations

import datetime
import itertools
import json
import os
from pathlib import Path

import pytest
import yaml
from conftest import DEMO_CLAIMS, SEED_2020, Provenance, row_counts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provenance import bundle, datafile, importer
from provenance.errors import Invalid

QUOTE = "India on Friday extended medical assistance worth $ 1 million to North Korea"


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "desk"
    folder.mkdir(exist_ok=True)
    (folder / "nk.txt").write_bytes(SEED_2020.read_bytes())
    return folder


def _claims(**claim: object) -> dict[str, object]:
    evidence = {"source": "nk", "quote": QUOTE, "stance": "supports"}
    return {
        "sources": [{"path": "nk.txt"}],
        "claims": [{"key": "aid", "statement": "India sent $1 million of medicines", "evidence": [evidence], **claim}],
    }


def _write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


# --- a key given twice ------------------------------------------------------------------------------------

TWO_CLAIMS_BLOCKS = """\
sources:
  - path: nk.txt
claims:
  - key: first
    statement: The first block
claims:
  - key: second
    statement: The second block
"""

KEY_TWICE = """\
sources:
  - path: nk.txt
claims:
  - key: a
    statement: One claim
  - key: b
    statement: Another claim
    about: [India]
    key: c
"""


def test_two_claims_blocks_are_refused_with_both_lines(provenance: Provenance, tmp_path: Path) -> None:
    path = _write(_folder(tmp_path) / "claims.yaml", TWO_CLAIMS_BLOCKS)
    assert provenance.fails("import", path) == (
        f'Error: {path} line 6: the key "claims" is given twice at the top level (first on line 3); remove one'
    )


def test_a_key_twice_in_one_yaml_claim_is_refused(provenance: Provenance, tmp_path: Path) -> None:
    path = _write(_folder(tmp_path) / "claims.yaml", KEY_TWICE)
    assert provenance.fails("import", path) == (
        f'Error: {path} line 9: the key "key" is given twice in the claim at claims[1] (first on line 6); remove one'
    )


def test_a_key_twice_in_one_json_claim_is_refused(provenance: Provenance, tmp_path: Path) -> None:
    text = (
        '{"sources": [{"path": "nk.txt"}],\n'
        ' "claims": [\n'
        '  {"key": "a", "statement": "One claim"},\n'
        '  {"key": "b",\n'
        '   "statement": "x", "evidence": [{"source": "nk", "quote": "India", "stance": "supports",\n'
        '                                  "stance": "contradicts"}]}]}\n'
    )
    path = _write(_folder(tmp_path) / "claims.json", text)
    assert provenance.fails("import", path) == (
        f'Error: {path} line 6: the key "stance" is given twice in the evidence item at claims[1].evidence[0] '
        "(first on line 5); remove one"
    )


def test_a_key_twice_at_the_top_of_a_json_file_is_refused(provenance: Provenance, tmp_path: Path) -> None:
    text = '{"claims": [{"key": "a", "statement": "One"}],\n"claims": [{"key": "b", "statement": "Two"}]}'
    path = _write(_folder(tmp_path) / "claims.json", text)
    line = provenance.fails("import", path)
    assert line.endswith('line 2: the key "claims" is given twice at the top level (first on line 1); remove one')


def test_the_same_source_listed_twice_is_no_repeated_key(provenance: Provenance, tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    text = "sources:\n  - path: nk.txt\n  - path: nk.txt\n"
    text += "  - key: t\n    text: Same words.\n  - key: t\n    text: Same words.\n"
    result = provenance.ok("import", "--json", _write(folder / "claims.yaml", text))
    data = json.loads(result.stdout)
    assert (data["sources_added"], data["sources_unchanged"]) == (["nk", "t"], ["nk", "t"])


def test_a_yaml_merge_key_may_be_overridden(provenance: Provenance, tmp_path: Path) -> None:
    text = (
        "sources:\n  - &nk {path: nk.txt, reliability: C}\n"
        "  - <<: *nk\n    reliability: B\n"
        "claims:\n  - {key: a, statement: One claim}\n"
    )
    provenance.ok("import", _write(_folder(tmp_path) / "claims.yaml", text))


def test_a_bundle_with_a_key_twice_is_refused(seeded: Provenance, tmp_path: Path) -> None:
    exported = tmp_path / "desk.json"
    seeded.ok("export", "bundle", "-o", str(exported))
    text = exported.read_text(encoding="utf-8").replace('"version": ', '"version": 1, "version": ', 1)
    exported.write_text(text, encoding="utf-8")
    with pytest.raises(Invalid, match=r'desk.json line 1: the key "version" is given twice at the top level'):
        bundle.read_file(exported)
    assert seeded.fails("import", str(exported)).endswith("(first on line 1); remove one")


# --- dates that are not dates ------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["yaml", "json"])
def test_an_impossible_date_in_a_claims_file_is_one_line(provenance: Provenance, tmp_path: Path, suffix: str) -> None:
    data = _claims()
    data["sources"] = [{"path": "nk.txt", "published": "2021-02-30"}]
    folder = _folder(tmp_path)
    # unquoted in YAML, so that PyYAML sees a timestamp
    text = yaml.safe_dump(data).replace("'2021-02-30'", "2021-02-30") if suffix == "yaml" else json.dumps(data)
    path = _write(folder / f"claims.{suffix}", text)
    assert provenance.fails("import", path) == (
        f'Error: {path}: sources[0].published: "2021-02-30" is not a date (day value is outside expected range); '
        "give a date such as 2018-05-17"
    )


def test_an_impossible_front_matter_date_is_a_warning_and_stored_as_unknown(
    provenance: Provenance, tmp_path: Path
) -> None:
    article = tmp_path / "article.md"
    article.write_text("---\ntitle: Aid\ndate: 2021-02-30\n---\n\nIndia sent medicines.\n", encoding="utf-8")
    result = provenance.ok("source", "add", "--json", str(article))
    assert json.loads(result.stdout)[0]["warnings"] == [
        f"published date '2021-02-30' in {article} could not be read; stored as unknown"
    ]
    shown = json.loads(provenance.ok("source", "show", "article", "--json").stdout)
    assert (shown["title"], shown["published"]) == ("Aid", None)


def test_a_date_with_a_time_in_a_claims_file_is_the_day(tmp_path: Path) -> None:
    text = "sources:\n  - key: wire\n    text: It rained.\n    published: 2021-02-03 23:30:00\n"
    path = Path(_write(tmp_path / "claims.yaml", text))
    assert importer.parse_claims_file(path).sources[0].published == datetime.date(2021, 2, 3)


def test_a_timestamp_that_is_no_time_stays_text() -> None:
    assert datafile.load_yaml("a: 2021-02-30\nb: 2021-01-01 25:00:00\nc: 2021-02-28\n", Path("x.yaml")) == {
        "a": "2021-02-30",
        "b": "2021-01-01 25:00:00",
        "c": datetime.date(2021, 2, 28),
    }


# --- nested too deeply ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("claims.json", '{"claims": ' + "[" * 2000 + "]" * 2000 + "}"),
        ("claims.yaml", "claims: " + "[" * 2000 + "]" * 2000 + "\n"),
        ("bundle.json", '{"format": "provenance-bundle", "tables": ' + "[" * 2000 + "]" * 2000 + "}"),
    ],
)
def test_a_file_nested_2000_deep_is_one_line(provenance: Provenance, tmp_path: Path, name: str, text: str) -> None:
    path = _write(tmp_path / name, text)
    assert provenance.fails("import", path) == (
        f"Error: {path} is nested too deeply to read (lists or mappings inside each other over ~1,000 levels)"
    )


def test_a_bundle_file_nested_2000_deep_is_refused(tmp_path: Path) -> None:
    path = Path(_write(tmp_path / "b.json", "[" * 2000 + "]" * 2000))
    with pytest.raises(Invalid, match="nested too deeply"):
        bundle.read_file(path)


def test_a_file_nested_just_within_the_limits_is_one_line(provenance: Provenance, tmp_path: Path) -> None:
    path = _write(tmp_path / "claims.yaml", "claims:\n  - key: a\n    statement: " + "[" * 900 + "]" * 900 + "\n")
    assert provenance.fails("import", path).startswith(f"Error: {path}: claims[0].statement: must be text")


def test_aliases_that_multiply_a_yaml_file_are_refused(provenance: Provenance, tmp_path: Path) -> None:
    lines = ["x0: &x0 [a, a, a, a, a, a, a, a, a]"]
    lines += [f"x{n}: &x{n} [{', '.join([f'*x{n - 1}'] * 9)}]" for n in range(1, 9)]
    path = _write(tmp_path / "claims.yaml", "\n".join(lines) + "\nclaims:\n  - {key: k, statement: *x8}\n")
    line = provenance.fails("import", path)
    assert line == (
        f"Error: {path}: its aliases (*name) repeat lists and mappings into 926,177,120 values, from 34 written; "
        "write the values out rather than through nested aliases"
    )


def test_an_alias_inside_itself_is_refused(provenance: Provenance, tmp_path: Path) -> None:
    path = _write(tmp_path / "claims.yaml", "claims: &c\n  - key: k\n    statement: x\n    about: *c\n")
    assert provenance.fails("import", path) == (
        f"Error: {path}: an alias (*name) refers to a list or mapping that contains it; write it out"
    )


def test_a_few_aliases_are_fine() -> None:
    text = "base: &b {reliability: C}\nsources:\n  - {<<: *b, path: a.txt}\n  - {<<: *b, path: b.txt}\n"
    assert datafile.load_yaml(text, Path("x.yaml"))["sources"][1] == {"reliability": "C", "path": "b.txt"}


# --- paths out of the claims file's folder, and sizes ---------------------------------------------------------


def _outside(tmp_path: Path) -> Path:
    secret = tmp_path / "secret.txt"
    secret.write_text("The launch codes are 0000. Nobody knows them.\n", encoding="utf-8")
    return secret


@pytest.mark.parametrize("how", ["dotdot", "absolute", "link"])
def test_a_path_out_of_the_folder_is_refused(provenance: Provenance, tmp_path: Path, how: str) -> None:
    folder = _folder(tmp_path)
    secret = _outside(tmp_path)
    given = {"dotdot": "../secret.txt", "absolute": str(secret), "link": "link.txt"}[how]
    if how == "link":
        os.symlink(secret, folder / "link.txt")
    path = _write(folder / "claims.yaml", yaml.safe_dump({"sources": [{"path": given}]}))
    assert provenance.fails("import", path) == (
        f"Error: {path}: sources[0]: path {given} leads outside {folder.resolve()}: sources are read only from the "
        "claims file's folder; move the file there, or allow its folder with `provenance import --allow-path DIR`"
    )


def test_allow_path_lets_a_folder_in(provenance: Provenance, tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    _outside(tmp_path)
    (folder / "sub").mkdir()
    (folder / "sub" / "inner.txt").write_text("Inside the folder. Still inside.\n", encoding="utf-8")
    os.symlink(folder / "nk.txt", folder / "sub" / "link.txt")
    data = {"sources": [{"path": "../secret.txt"}, {"path": "sub/inner.txt"}, {"path": "sub/link.txt", "key": "l"}]}
    path = _write(folder / "claims.yaml", yaml.safe_dump(data))
    result = provenance.ok("import", "--json", "--allow-path", str(tmp_path), path)
    assert json.loads(result.stdout)["sources_added"] == ["secret", "inner", "l"]


def test_the_size_limit_applies_to_inline_text(provenance: Provenance, tmp_path: Path) -> None:
    data = {"sources": [{"key": "big", "text": "Many words here. " * 200}]}
    path = _write(_folder(tmp_path) / "claims.yaml", yaml.safe_dump(data))
    assert provenance.fails("import", "--max-size", "0.003", path) == (
        f"Error: {path}: sources[0]: the text is 3.4 kB, over the 3 kB limit; put it in a file of its own, or "
        "raise the limit with --max-size"
    )
    provenance.ok("import", "--max-size", "0.004", path)


def test_the_size_limit_applies_to_source_files(provenance: Provenance, tmp_path: Path) -> None:
    path = _write(_folder(tmp_path) / "claims.yaml", yaml.safe_dump(_claims()))
    line = provenance.fails("import", "--max-size", "0.001", path)
    assert line.startswith(f"Error: {path}: sources[0]: ") and "over the 1 kB limit" in line


@pytest.mark.parametrize("value", ["nan", "inf", "0", "-1"])
def test_a_size_limit_that_is_no_size_is_refused(provenance: Provenance, tmp_path: Path, value: str) -> None:
    path = _write(_folder(tmp_path) / "claims.yaml", yaml.safe_dump(_claims()))
    line = provenance.fails("import", "--max-size", value, path)
    assert line.startswith("Error: --max-size is a number of megabytes above 0 and at most 1,000,000, not ")


# --- files that are not claims files, and claims files with mistakes -------------------------------------------


@pytest.mark.parametrize(
    ("export", "looks_like"),
    [
        (["export", "webannotation"], "a W3C Web Annotation document"),
        (["export", "prov"], "a PROV-JSON document"),
        (["export", "csl"], "CSL JSON (a bibliography)"),
        (["report", "--format", "json"], "a report from `provenance report --format json`"),
    ],
)
def test_an_export_given_to_import_says_what_it_is(
    seeded: Provenance, tmp_path: Path, export: list[str], looks_like: str
) -> None:
    path = tmp_path / "exported.json"
    path.write_text(seeded.ok(*export).stdout, encoding="utf-8")
    assert seeded.fails("import", str(path)) == (
        f"Error: {path} looks like {looks_like}, not a claims file or a bundle; import takes a provenance claims "
        "file (sources, entities, claims and contradictions, in YAML or JSON) or a bundle from "
        "`provenance export bundle`"
    )


@pytest.mark.parametrize(
    ("content", "looks_like"),
    [
        ([{"@context": "https://schema.org", "@type": "ClaimReview", "claimReviewed": "x"}], "a ClaimReview"),
        ({"@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation"}, "a W3C Web Annotation document"),
        ({"title": "x", "body": "y"}, "a mapping whose keys (title, body) are none of sources, entities, claims"),
        ([1, 2], "a list"),
    ],
)
def test_a_foreign_json_file_says_what_it_is(
    provenance: Provenance, tmp_path: Path, content: object, looks_like: str
) -> None:
    path = _write(tmp_path / "file.json", json.dumps(content))
    assert provenance.fails("import", path).startswith(f"Error: {path} looks like {looks_like}")


@pytest.mark.parametrize("name", ["article.txt", "article.md"])
def test_an_article_given_to_import_says_to_capture_it(provenance: Provenance, tmp_path: Path, name: str) -> None:
    path = _write(tmp_path / name, "Published: 2020-07-25\n\nIndia sent medicines: it said so.\n")
    assert provenance.fails("import", path).startswith(
        f"Error: {path} looks like an article, not a claims file or a bundle; capture an article with "
        f"`provenance source add {path}`"
    )


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            {"evidence": [{"source": "nk", "quote": QUOTE, "stance": "agrees"}]},
            "claims[0].evidence[0].stance: unknown stance 'agrees'; use one of: supports, contradicts, mentions",
        ),
        ({"statement": 1998}, "claims[0].statement: must be text (put it in quotes if it looks like a number"),
        ({"about": "North Korea"}, 'claims[0].about: must be a list, not "North Korea"'),
        ({"confidence": [1]}, "claims[0].confidence: give a likelihood: an ICD 203 term (e.g. likely)"),
        ({"confidence": "sure"}, "claims[0].confidence: unknown likelihood 'sure'; use an ICD 203 term"),
        ({"verdict": "maybe"}, "claims[0].verdict: unknown verdict 'maybe'; use one of: true, mostly true"),
        ({"status": "done"}, "claims[0].status: unknown status 'done'; use one of: "),
        (
            {"statment": "x"},
            "claims[0].statment: not a field of a claim; did you mean statement? the fields are key, statement, ",
        ),
    ],
)
def test_a_mistake_in_a_claims_file_names_the_field_and_what_it_takes(
    provenance: Provenance, tmp_path: Path, change: dict[str, object], problem: str
) -> None:
    path = _write(_folder(tmp_path) / "claims.yaml", yaml.safe_dump(_claims(**change)))
    assert provenance.fails("import", path).startswith(f"Error: {path}: {problem}")


def test_a_missing_field_and_a_short_contradiction_are_named(tmp_path: Path) -> None:
    data: dict[str, object] = {"claims": [{"key": "a"}], "contradictions": [{"claims": ["a"]}]}
    path = Path(_write(tmp_path / "claims.yaml", yaml.safe_dump(data)))
    with pytest.raises(Invalid) as caught:
        importer.parse_claims_file(path)
    assert (
        str(caught.value)
        == f"{path}: claims[0].statement: missing; a claim needs a statement (and 1 more problem after it)"
    )
    del data["claims"]
    path = Path(_write(tmp_path / "claims.yaml", yaml.safe_dump(data)))
    with pytest.raises(Invalid, match=r"contradictions\[0\].claims: must be a list of two claim keys$"):
        importer.parse_claims_file(path)


# --- all or nothing, whatever the file holds -----------------------------------------------------------------

# Each entry of a generated claims file: what it is, and whether it makes the whole file fail.
ENTRIES = st.sampled_from(
    [
        ("good claim", False),
        ("inline source", False),
        ("bad stance", True),
        ("missing source", True),
        ("repeated key", True),
        ("bad date", True),
        ("unknown quote", True),
        ("no statement", True),
        ("path outside", True),
    ]
)
_EXAMPLES = itertools.count()  # the examples share one database: each names its claims and sources afresh


def _claims_text(entries: list[str], first: int, as_json: bool) -> str:
    """A claims file holding ``entries``, as JSON or as YAML (block style, dates unquoted), written out by hand
    so that it can give a key twice."""
    sources = ['{"path": "nk.txt", "key": "nk", "published": "2020-07-25"}']
    claims = []
    for n, kind in enumerate(entries, start=first):
        if kind in ("inline source", "bad date"):
            date = "2021-02-30" if kind == "bad date" else "2019-01-02"
            text = f"Source number {n} says that it rained. Nothing else."
            sources.append(f'{{"key": "inline-{n}", "text": "{text}", "published": "{date}"}}')
            continue
        if kind == "path outside":
            sources.append('{"path": "../secret.txt"}')
            continue
        evidence = {
            "source": "nowhere" if kind == "missing source" else "nk",
            "quote": "words the article never uses" if kind == "unknown quote" else QUOTE,
            "stance": "agrees" if kind == "bad stance" else "supports",
        }
        fields = [f'"key": "claim-{n}"']
        if kind != "no statement":
            fields.append(f'"statement": "Claim number {n}"')
        if kind == "repeated key":
            fields.append(f'"key": "claim-{n}-again"')
        fields.append(f'"evidence": [{json.dumps(evidence)}]')
        claims.append("{" + ", ".join(fields) + "}")
    if as_json:
        rows = ",\n".join(claims)
        return f'{{"sources": [{", ".join(sources)}],\n"claims": [\n{rows}]}}\n'
    lines = ["sources:"]
    for source in sources:  # one field a line, so that the date is a YAML timestamp, not a quoted string
        lines += [
            ("  - " if m == 0 else "    ") + f"{key}: {json.dumps(value) if key == 'text' else value}"
            for m, (key, value) in enumerate(json.loads(source).items())
        ]
    lines += ["claims:"] + [f"  - {claim}" for claim in claims] if claims else ["claims: []"]
    return "\n".join(lines) + "\n"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.lists(ENTRIES, min_size=1, max_size=5), as_json=st.booleans())
def test_a_claims_file_loads_whole_or_not_at_all(
    provenance: Provenance, tmp_path: Path, entries: list[tuple[str, bool]], as_json: bool
) -> None:
    folder = _folder(tmp_path)
    _outside(tmp_path)
    text = _claims_text([kind for kind, _ in entries], next(_EXAMPLES) * 10, as_json)
    path = _write(folder / ("claims.json" if as_json else "claims.yaml"), text)
    before = row_counts(provenance.url)
    result = provenance("import", "--json", path)
    if any(fails for _, fails in entries):
        lines = result.stderr.splitlines()
        assert (result.exit_code, result.stdout, len(lines)) == (1, "", 1), result.stderr
        assert lines[0].startswith(f"Error: {path}"), text
        assert row_counts(provenance.url) == before
    else:
        assert result.exit_code == 0, result.stderr
        claims = sum(kind == "good claim" for kind, _ in entries)
        inline = sum(kind == "inline source" for kind, _ in entries)
        assert json.loads(result.stdout)["claims"] == claims
        after = row_counts(provenance.url)
        assert after["claim"] == before["claim"] + claims
        assert after["evidence"] == before["evidence"] + claims
        assert after["source"] == before["source"] + inline + (before["source"] == 0)


def test_the_demo_claims_file_still_loads(provenance: Provenance) -> None:
    provenance.ok("import", str(DEMO_CLAIMS))
