"""Benchmark: what reading claims files and bundles strictly costs (a key given twice refused, dates checked).

    python benchmarks/readfiles.py                  # the demo claims file x 200, a bundle of the demo x 200
    python benchmarks/readfiles.py --copies 1000    # larger

The claims file is the demo claims file with its claims repeated (``--copies`` times, keys made unique), as
YAML and as JSON; the bundle is `provenance export bundle` of the demo database with every table's rows repeated
as many times. Each is read by the plain parser (PyYAML's C safe loader, ``json.loads``) and by
:mod:`provenance.datafile` (``load_yaml``, ``loads_json``), fastest CPU time of --repeat runs each, and the ratio
is printed. This is not a test: run it by hand, on a quiet machine if you can.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from provenance import bundle, datafile, db
from provenance.demo import run_demo

SOURCES = Path(__file__).resolve().parent.parent / "sources"
PLAIN_YAML = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def claims_file(copies: int) -> dict[str, Any]:
    data = yaml.load((SOURCES / "demo-claims.yaml").read_text(encoding="utf-8"), Loader=PLAIN_YAML)
    claims = [{**claim, "key": f"{claim['key']}-{n}"} for n in range(copies) for claim in data["claims"]]
    return {**data, "claims": claims, "contradictions": []}


def bundle_file(copies: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "demo.db"
        run_demo(database)
        engine = db.make_engine(f"sqlite:///{database}")
        try:
            with db.session_scope(engine) as session:
                data: dict[str, Any] = json.loads(bundle.dumps(session))
        finally:
            engine.dispose()
    for table in data["tables"].values():
        table["rows"] = table["rows"] * copies
    return data


def fastest(read: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        read()
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    path = Path("benchmark")
    claims = claims_file(args.copies)
    as_yaml = yaml.safe_dump(claims, allow_unicode=True, sort_keys=False)
    as_json = json.dumps(claims, ensure_ascii=False, indent=1)
    as_bundle = json.dumps(bundle_file(args.copies), ensure_ascii=False)
    cases: list[tuple[str, str, Callable[[], object], Callable[[], object]]] = [
        (
            "claims file, YAML",
            as_yaml,
            lambda: yaml.load(as_yaml, Loader=PLAIN_YAML),
            lambda: datafile.load_yaml(as_yaml, path),
        ),
        ("claims file, JSON", as_json, lambda: json.loads(as_json), lambda: datafile.loads_json(as_json, path)),
        ("bundle", as_bundle, lambda: json.loads(as_bundle), lambda: datafile.loads_json(as_bundle, path)),
    ]
    print(f"{'file':<20}{'MB':>8}{'plain s':>10}{'strict s':>10}{'ratio':>8}")
    for name, text, plain, strict in cases:
        assert plain() == strict()
        base, ours = fastest(plain, args.repeat), fastest(strict, args.repeat)
        print(f"{name:<20}{len(text.encode()) / 1e6:>8.1f}{base:>10.3f}{ours:>10.3f}{ours / base:>8.2f}")


if __name__ == "__main__":
    main()
