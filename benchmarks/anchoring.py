"""Benchmark: how the closest text scores when a quote is slightly wrong, and when it is from somewhere else.

    python benchmarks/anchoring.py

Takes every quote in sources/demo-claims.yaml and spoils it four ways (a changed letter, a dropped word, a
straight apostrophe or quotation mark for a curly one and a doubled space, where the quote has them), then
anchors each against its own source; and anchors every sentence of each seed article against the other
article, where it does not occur. Prints the scores of each kind, whether the closest text found was the
quote's real span, and the time per lookup, exact and not, on the seed texts and on a text 300 times as long.
The thresholds in provenance/anchoring.py (a candidate from 60/100, --accept-fuzzy from 80/100) are read
against these figures. This is not a test.
"""

from __future__ import annotations

import contextlib
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from provenance.anchoring import (
    CANDIDATE_FLOOR,
    DEFAULT_MIN_SCORE,
    anchor_quote,
    fuzzy_candidates,
    typographic_candidates,
)
from provenance.documents import read_document
from provenance.errors import ProvenanceError
from provenance.segmentation import segment

SOURCES = Path(__file__).resolve().parent.parent / "sources"


def spoil_letter(quote: str) -> str | None:
    words = [w for w in quote.split() if len(w) > 5 and w.isalpha()]
    if not words:
        return None
    word = words[len(words) // 2]
    return quote.replace(word, word[:3] + ("e" if word[3] != "e" else "a") + word[4:], 1)


def spoil_word(quote: str) -> str | None:
    words = quote.split()
    if len(words) < 6:
        return None
    del words[len(words) // 2]
    return " ".join(words)


def spoil_marks(quote: str) -> str | None:
    straight = quote.translate(str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'}))
    return straight if straight != quote else None


def spoil_space(quote: str) -> str | None:
    return quote.replace(" ", "  ", 1) if " " in quote else None


SPOILERS: dict[str, Callable[[str], str | None]] = {
    "one letter changed": spoil_letter,
    "one word dropped": spoil_word,
    "straight quotation marks": spoil_marks,
    "a doubled space": spoil_space,
}


def best(text: str, quote: str) -> tuple[int, int, float] | None:
    typographic = typographic_candidates(text, quote)
    found = typographic or fuzzy_candidates(text, quote)
    if not found:
        return None
    top = max(found, key=lambda c: c.score)
    return top.start, top.end, top.score


def timed(call: Callable[[], object], repeat: int = 20) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        with contextlib.suppress(ProvenanceError):
            call()
    return (time.perf_counter() - start) / repeat * 1000


def main() -> None:
    texts = {path.stem: read_document(path).text for path in sorted(SOURCES.glob("*.txt"))}
    spec = yaml.safe_load((SOURCES / "demo-claims.yaml").read_text(encoding="utf-8"))
    quotes = [(e["source"], e["quote"]) for claim in spec["claims"] for e in claim.get("evidence", [])]
    print(f"{len(quotes)} demo quotes; candidate floor {CANDIDATE_FLOOR:g}, --accept-fuzzy from {DEFAULT_MIN_SCORE:g}")
    for name, spoil in SPOILERS.items():
        scores, right = [], 0
        for key, quote in quotes:
            spoilt = spoil(quote)
            if spoilt is None:
                continue
            text = texts[key]
            real = text.index(quote)
            found = best(text, spoilt)
            assert found is not None
            scores.append(found[2])
            right += found[:2] == (real, real + len(quote))
        print(
            f"  {name:26} {len(scores):2} quotes: score {min(scores):5.1f}-{max(scores):5.1f} "
            f"(median {statistics.median(scores):5.1f}); closest text is the real span for {right}"
        )
    keys = list(texts)
    for key, other in ((keys[0], keys[1]), (keys[1], keys[0])):
        sentences = [texts[key][s.start : s.end] for s in segment(texts[key]) if s.kind == "sentence"]
        scores = []
        for sentence in sentences:
            if len(sentence) < 15:
                continue
            if sentence in texts[other]:
                continue
            found = best(texts[other], sentence)
            scores.append(found[2] if found else 0.0)
        above = sum(s >= CANDIDATE_FLOOR for s in scores)
        print(
            f"  sentences of {key} against {other}: {len(scores)}, best scores {min(scores):.1f}-{max(scores):.1f} "
            f"(median {statistics.median(scores):.1f}); {above} at or above {CANDIDATE_FLOOR:g}, "
            f"{sum(s >= DEFAULT_MIN_SCORE for s in scores)} at or above {DEFAULT_MIN_SCORE:g}"
        )
    key, quote = quotes[0]
    text = texts[key]
    big = text * 300
    typo = spoil_letter(quote) or quote
    for label, haystack in ((f"{len(text):,} characters", text), (f"{len(big):,} characters", big)):
        exact = timed(lambda h=haystack: anchor_quote(h, quote, source_key="k", occurrence=1))
        fuzzy = timed(lambda h=haystack: anchor_quote(h, typo, source_key="k", accept_fuzzy=True, occurrence=1), 5)
        print(f"  {label}: exact {exact:.2f} ms, not exact (closest text) {fuzzy:.1f} ms")


if __name__ == "__main__":
    main()
