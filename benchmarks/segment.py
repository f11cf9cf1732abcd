"""Benchmark: sentence segmentation of English text, ours against pysbd on the same text.

    python benchmarks/segment.py                 # 3 MB of news, 0.5 MB of hard cases
    python benchmarks/segment.py --size-mb 10    # more news
    python benchmarks/segment.py --skip-pysbd    # ours only (pysbd needs about 3 s a megabyte)

Two texts, each made of paragraphs repeated and shuffled with a fixed seed, blank lines between them: "news",
the seed articles' paragraphs (--size-mb), and "hard", paragraphs full of what the rules beyond the plain full
stop are for: list items, spaced and bracketed ellipses, units, abbreviations and initials (--hard-size-mb).
Ours is `segment` over the whole text, fastest of --repeat runs; pysbd (language "en", clean=False,
char_span=True, as the tests use it) runs once, paragraph by paragraph, since it treats every line break as a
sentence end anyway. Prints megabytes (10^6 bytes of UTF-8) a second for each, by CPU time and by wall clock,
and for each text the ratio of CPU times. This is not a test: run it by hand, on a quiet machine if you can.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from provenance.documents import read_document
from provenance.segmentation import paragraphs, segment

SOURCES = Path(__file__).resolve().parent.parent / "sources"
SEEDS = ("india-north-korea-2018.txt", "india-medical-aid-2020.txt")
HARD = (
    "1.) Food was sent first 2.) Medicine followed 3.) Money came last",
    "1) The ministry said so. 2) The envoy agreed. 3) Nobody else spoke.",
    "\u2022 9. Rice and wheat \u2022 10. Vaccines \u2022 11. Tents for the winter",
    "a. The first shipment b. The second shipment c. The third and last shipment",
    "The aid is kept at N\u00b0. 1026.253.553. That is where the convoy loaded it.",
    "It was 2 \u00b0C. Models had predicted 5 \u00b0C. at dawn and ALT of 40 U/L. Overall the readings held.",
    "Glucose was 10 mg/dL. Patients walked 5 km. The clinic closed at 6 p.m. on Friday.",
    "We make a good team, you and I. Did you see Albert I. Jones yesterday? He met Dr. Rao at St. Stephen's.",
    "The report says the supplies . . . were diverted. . . . The ministry denied it . . . . Nobody believed it.",
    '"Bohr [...] used the analogy of parallel stairways [...]" (Smith 55). I never meant that.... She left.',
    "I live in the U.S. How about you? I work for the U.S. Government in Virginia. She has $100.00. It is hers.",
    "Let's ask Jane and co. They should know. They closed the deal with Pitt, Briggs & Co. at noon.",
)


def seed_paragraphs() -> list[str]:
    """The paragraphs of the seed articles."""
    pool: list[str] = []
    for name in SEEDS:
        text = read_document(SOURCES / name).text
        pool.extend(text[start:end] for start, end in paragraphs(text))
    return pool


def generated_text(pool: list[str], size_mb: float, seed: int) -> str:
    """Paragraphs of ``pool``, repeated and shuffled, until the UTF-8 text is ``size_mb`` megabytes."""
    rng = random.Random(seed)
    chosen: list[str] = []
    size = 0
    while size < size_mb * 1e6:
        batch = pool[:]
        rng.shuffle(batch)
        for paragraph in batch:
            chosen.append(paragraph)
            size += len(paragraph.encode("utf-8")) + 2
    return "\n\n".join(chosen)


class Timing:
    """CPU and wall-clock seconds of one run; CPU time counts, as other work on the machine barely changes it."""

    def __init__(self) -> None:
        self.cpu = self.wall = 0.0

    def __enter__(self) -> Timing:
        self._cpu, self._wall = time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.cpu, self.wall = time.process_time() - self._cpu, time.perf_counter() - self._wall


def time_ours(text: str, repeat: int) -> tuple[Timing, int]:
    best: Timing | None = None
    count = 0
    for _ in range(repeat):
        with Timing() as timing:
            found = segment(text)
        if best is None or timing.cpu < best.cpu:
            best = timing
        count = sum(s.kind == "sentence" for s in found)
        del found  # so that each run starts with the same objects alive
    assert best is not None
    return best, count


def time_pysbd(text: str) -> tuple[Timing, int]:
    import pysbd  # type: ignore[import-untyped]  # no type information

    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    blocks = text.split("\n\n")
    with Timing() as timing:
        count = sum(len(segmenter.segment(block)) for block in blocks)
    return timing, count


def report(name: str, megabytes: float, timing: Timing, sentences: int) -> None:
    print(
        f"  {name:6} {megabytes / timing.cpu:8.2f} MB/s CPU ({timing.cpu:.3f} s), "
        f"{megabytes / timing.wall:8.2f} MB/s wall ({timing.wall:.3f} s), {sentences:,} sentences"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=float, default=3.0, help="megabytes of news to segment (default 3)")
    parser.add_argument(
        "--hard-size-mb", type=float, default=0.5, help="megabytes of hard cases to segment (default 0.5)"
    )
    parser.add_argument("--seed", type=int, default=2018, help="shuffle seed (default 2018)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of ours; the fastest counts (default 5)")
    parser.add_argument("--skip-pysbd", action="store_true", help="time ours only")
    args = parser.parse_args()

    ratios = []
    for name, pool, size_mb in (("news", seed_paragraphs(), args.size_mb), ("hard", list(HARD), args.hard_size_mb)):
        text = generated_text(pool, size_mb, args.seed)
        megabytes = len(text.encode("utf-8")) / 1e6
        print(f"{name}: {megabytes:.2f} MB, {len(text):,} code points, {text.count(chr(10) * 2) + 1:,} paragraphs")
        ours, ours_count = time_ours(text, args.repeat)
        report("ours", megabytes, ours, ours_count)
        if args.skip_pysbd:
            continue
        theirs, theirs_count = time_pysbd(text)
        report("pysbd", megabytes, theirs, theirs_count)
        ratios.append(f"{name} {theirs.cpu / ours.cpu:.0f}x")
    if ratios:
        print(f"ours / pysbd (CPU time): {', '.join(ratios)}")


if __name__ == "__main__":
    main()
