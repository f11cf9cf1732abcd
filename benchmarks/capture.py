"""Benchmark: how faithfully web page capture keeps real news pages, against trafilatura's default output.

    python benchmarks/capture.py                       # ../shared/capture-bench, one line a page
    python benchmarks/capture.py --verbose             # and the invented, dropped and left-out words
    python benchmarks/capture.py --bench DIR --repeat 5

For each page of the benchmark folder (laid out as scrapinghub/article-extraction-benchmark: ``ground-truth.json``
and ``html/ID.html.gz``; ``$PROVENANCE_CAPTURE_BENCH`` or ``../shared/capture-bench`` beside the repository),
the stored text of `provenance` (``provenance.extract.webpage.from_html``) and, as the baseline measured in the
same run, ``trafilatura.extract(html)`` with its defaults (the page decoded as UTF-8, as the benchmark reads it)
are scored by :mod:`provenance.extract.fidelity`: the benchmark's precision, recall and F1 against the marked
``articleBody``, words stored that the page does not show (invented; ``g`` counts those that are shown words
glued together), visible words missing from ground-truth paragraphs otherwise kept (dropped), and ground-truth
paragraphs less than half kept (left out, a recall matter). A page refused as having no article scores as an
empty text. The averages also show trafilatura as the benchmark's own runner calls it
(``include_comments=False``, "no comments"), whose figures are the ones its table publishes; --verbose lists, for
each page, the stored paragraphs that are not in the marking (what costs precision).

Times are CPU seconds per page, fastest of --repeat runs, for each extractor, and their ratio. This is not a
test: run it by hand, on a quiet machine if you can.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import trafilatura

from provenance.errors import Invalid
from provenance.extract import fidelity
from provenance.extract.webpage import from_html

DEFAULT_BENCH = Path(__file__).resolve().parents[2] / "shared" / "capture-bench"


@dataclass
class Run:
    """One extractor's stored text of one page, how long it took, and what it is worth."""

    text: str
    seconds: float
    score: fidelity.PageFidelity


def ours(page: fidelity.BenchPage) -> str:
    try:
        return from_html(page.html, page.id, None).document.text
    except Invalid:
        return ""


def baseline(page: fidelity.BenchPage) -> str:
    return trafilatura.extract(page.html.decode("utf-8", errors="replace")) or ""


def as_the_benchmark_runs_it(page: fidelity.BenchPage) -> str:
    return trafilatura.extract(page.html.decode("utf-8", errors="replace"), include_comments=False) or ""


def run(extract: Callable[[fidelity.BenchPage], str], page: fidelity.BenchPage, repeat: int) -> Run:
    best = float("inf")
    text = ""
    for _ in range(repeat):
        start = time.process_time()
        text = extract(page)
        best = min(best, time.process_time() - start)
    return Run(text, best, fidelity.page_fidelity(page.html, page.truth, text))


def print_words(label: str, items: list[str]) -> None:
    if items:
        print(f"    {label} ({len(items)}): {', '.join(items)}")


def details(page: fidelity.BenchPage, result: Run) -> None:
    score = result.score
    invented = [f"{w.word} (= {' + '.join(w.glued_from)})" if w.glued_from else w.word for w in score.invented]
    print_words("invented", invented)
    print_words("dropped", [f"{word} (para {index})" for index, word in score.dropped.dropped])
    print_words("not on the page, in the marking", [word for _, word in score.dropped.not_shown])
    for paragraph in fidelity.extra_paragraphs(page.truth, result.text):
        print(f"    extra (not in the marking): {' '.join(paragraph.words)[:100]}")
    for paragraph in score.dropped.left_out:
        text = " ".join(paragraph.words)
        found = len(paragraph.words) - len(paragraph.missing)
        print(f"    left out para {paragraph.index} ({found}/{len(paragraph.words)} found): {text[:100]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bench", type=Path, default=Path(os.environ.get("PROVENANCE_CAPTURE_BENCH", DEFAULT_BENCH)))
    parser.add_argument("--repeat", type=int, default=1, help="time each extraction this many times (fastest)")
    parser.add_argument("--verbose", "-v", action="store_true", help="list the invented, dropped, left-out words")
    args = parser.parse_args()
    if not (args.bench / "ground-truth.json").is_file():
        sys.exit(f"no benchmark at {args.bench} (ground-truth.json and html/); give --bench DIR")
    pages = fidelity.read_bench(args.bench)

    header = f"{'page':<8}  {'P':>5} {'R':>5} {'F1':>5} {'inv':>4} {'g':>3} {'drop':>4} {'out':>3}  {'ms':>5}"
    print(f"{header}  | trafilatura.extract: {'F1':>5} {'inv':>4} {'drop':>4} {'ms':>5}")
    mine: list[Run] = []
    theirs: list[Run] = []
    benchmarks: list[Run] = []
    for page in pages:
        a, b = run(ours, page, args.repeat), run(baseline, page, args.repeat)
        mine.append(a)
        theirs.append(b)
        benchmarks.append(run(as_the_benchmark_runs_it, page, 1))
        s, t = a.score, b.score
        print(
            f"{page.id[:8]:<8}  {s.benchmark.precision:5.3f} {s.benchmark.recall:5.3f} {s.benchmark.f1:5.3f}"
            f" {len(s.invented):4d} {len(s.glued):3d} {len(s.dropped.dropped):4d} {len(s.dropped.left_out):3d}"
            f"  {a.seconds * 1000:5.1f}  | {'':<21}{t.benchmark.f1:5.3f} {len(t.invented):4d}"
            f" {len(t.dropped.dropped):4d} {b.seconds * 1000:5.1f}"
        )
        if args.verbose:
            details(page, a)

    print()
    for name, runs in (("provenance", mine), ("trafilatura.extract", theirs), ("  no comments", benchmarks)):
        averages = fidelity.mean_counts([r.score for r in runs])
        invented = sum(len(r.score.invented) for r in runs)
        glued = sum(len(r.score.glued) for r in runs)
        dropped = sum(len(r.score.dropped.dropped) for r in runs)
        left_out = sum(len(r.score.dropped.left_out) for r in runs)
        failing = sum(bool(r.score.invented or r.score.dropped.dropped) for r in runs)
        print(
            f"{name:<20} precision {averages.precision:.3f}  recall {averages.recall:.3f}  F1 {averages.f1:.3f}"
            f"  invented {invented} (glued {glued})  dropped {dropped}  left-out paragraphs {left_out}"
            f"  pages with either {failing}/{len(runs)}"
        )
    ours_avg = fidelity.mean_counts([r.score for r in mine])
    base_avg = fidelity.mean_counts([r.score for r in theirs])
    ours_time = statistics.mean(r.seconds for r in mine)
    base_time = statistics.mean(r.seconds for r in theirs)
    print(
        f"difference (provenance - trafilatura): precision {ours_avg.precision - base_avg.precision:+.3f}"
        f"  recall {ours_avg.recall - base_avg.recall:+.3f}  F1 {ours_avg.f1 - base_avg.f1:+.3f}"
    )
    print(
        f"CPU time a page: provenance {ours_time * 1000:.1f} ms, trafilatura.extract {base_time * 1000:.1f} ms,"
        f" ratio {ours_time / base_time:.2f}x"
    )


if __name__ == "__main__":
    main()
