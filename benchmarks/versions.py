"""Benchmark: capturing a corpus again after every article was corrected, so that each file is compared with the
version stored from its path before it becomes the next version.

    python benchmarks/versions.py                     # 2,000 articles, temporary SQLite files
    python benchmarks/versions.py --articles 500

Generates the corpus of benchmarks/ingest.py, captures it, changes a figure in every article and captures the
folder again, twice, each time into a copy of the same database and in this process (no reader processes):

- the baseline: the second capture with the comparison of texts left out (every file from a stored path taken
  for a version of the latest version from there, the stored text not read: as before texts were compared);
- provenance: the second capture as ``provenance source add`` makes it, the stored text read and compared with
  the new one (provenance.resemblance) before the new one is made a version.

Prints both times and the ratio: what comparing the texts costs where it is made most, once for every file.
Times are this process's CPU time (the best of --rounds), which other work on the machine disturbs less than
the clock; the clock's times are printed beside them.
Not a test: run it by hand.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ingest as corpus_of  # benchmarks/ingest.py: the same corpus

FIGURE = re.compile(r"(?<=[a-z] )(\d+)(?= )")  # a number inside a sentence


def correct(folder: Path) -> None:
    """Change the first figure of every article, as a correction would."""
    for path in corpus_of.files_of(folder):
        text = path.read_text(encoding="utf-8")
        path.write_text(FIGURE.sub(lambda m: str(int(m.group(1)) + 1), text, count=1), encoding="utf-8")


def capture(folder: Path, url: str) -> tuple[float, float, dict[str, int]]:
    from provenance import db, ingest

    engine = db.make_engine(url)
    with db.session_scope(engine) as session:
        start, cpu = time.perf_counter(), time.process_time()
        outcomes = ingest.capture(session, ingest.planned_files([folder]), workers=0)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    engine.dispose()
    states: dict[str, int] = {}
    for outcome in outcomes:
        state = getattr(outcome, "state", "refused")
        states[state] = states.get(state, 0) + 1
    return cpu, seconds, states


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=3, help="each side is timed this many times; the best counts")
    args = parser.parse_args()

    from provenance import db, sources

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        folder.mkdir()
        size, _ = corpus_of.write_corpus(folder, args.articles, 0.05, seed=20261122)
        first = Path(tmp) / "first.db"
        engine = db.make_engine(f"sqlite:///{first}")
        db.upgrade(engine)
        engine.dispose()
        capture(folder, f"sqlite:///{first}")
        correct(folder)
        compared = sources._closest

        def not_compared(
            session: object, document: object, same_address: list[object], texts: object
        ) -> tuple[object, float]:
            return sources._latest(session, same_address[0]), 1.0

        times: dict[str, list[float]] = {"baseline": [], "provenance": []}
        clock: dict[str, list[float]] = {"baseline": [], "provenance": []}
        states: dict[str, dict[str, int]] = {}
        for _ in range(args.rounds):
            for side in times:
                copy = Path(tmp) / f"{side}.db"
                shutil.copy(first, copy)
                sources._closest = not_compared if side == "baseline" else compared  # type: ignore[assignment]
                cpu, seconds, states[side] = capture(folder, f"sqlite:///{copy}")
                times[side].append(cpu)
                clock[side].append(seconds)
        sources._closest = compared  # type: ignore[assignment]
    base, ours = min(times["baseline"]), min(times["provenance"])
    print(f"corpus: {args.articles} articles, {size / 1e6:.1f} MB, every one corrected")
    print(f"baseline (no comparison): {base:.2f} s CPU ({min(clock['baseline']):.2f} s), {states['baseline']}")
    print(f"provenance (texts compared): {ours:.2f} s CPU ({min(clock['provenance']):.2f} s), {states['provenance']}")
    print(f"ratio {ours / base:.2f}x; {(ours - base) / args.articles * 1000:.2f} ms a file")
    return 0


if __name__ == "__main__":
    sys.exit(main())
