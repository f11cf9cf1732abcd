"""How much two texts are the same document: the share of their runs of five words that they have in common.

A corrected article keeps almost every run of five words it had (a changed figure changes the five runs that hold
it; an added paragraph or a correction notice adds runs and removes none), while two different articles, even on
the same subject and from the same site, share almost none (the two demo articles about India and North Korea share
0.6% of them). Words are compared case-folded, without punctuation, so that a changed comma or capital counts for
little. In a short text one changed word would leave no run of five in common, so texts of fewer than 40 words are
compared on shorter runs: one word for every eight in the shorter text (single words under 16 words). Reading a
text costs about a tenth of a second a megabyte; beyond :data:`EXACT_RUNS` runs, a sample of the runs chosen by
their hash (the same runs in both texts, Broder's "mod m" sample) keeps the memory bounded and the figure close to
the exact one.
"""

from __future__ import annotations

import re

RUN = 5  # words in a run
WORDS_A_RUN_WORD = 8  # in a short text, a run has a word for every eight words of the shorter text
EXACT_RUNS = 200_000  # runs compared one by one; longer texts are compared on a sample of about this many
_WORD = re.compile(r"\w+")
_PIECE = 1_000_000  # characters read at a time, so that a long text is never held as one list of words
_WORD_END = re.compile(r"\W")


def common_share(first: str, second: str) -> float:
    """The share (0 to 1) of the longer text's runs of five words that the other text has too.

    1.0 for the same words, whatever the spacing and punctuation; 0.0 for texts with no word in common ("One."
    and "Two."). Two empty texts are the same.
    """
    # The same sample for both texts: one run in `every`, chosen by its hash.
    longer = max(len(first), len(second))
    every = 1
    while longer // (6 * every) > EXACT_RUNS:  # about six characters a word
        every *= 2
    shorter = min(_words_up_to(first, RUN * WORDS_A_RUN_WORD), _words_up_to(second, RUN * WORDS_A_RUN_WORD))
    run = max(1, min(RUN, shorter // WORDS_A_RUN_WORD))
    runs_a, runs_b = _runs(first, run, every), _runs(second, run, every)
    if not runs_a and not runs_b:
        return 1.0
    return len(runs_a & runs_b) / max(len(runs_a), len(runs_b))


def _words_up_to(text: str, most: int) -> int:
    """How many words ``text`` has, counting no further than ``most``."""
    found = 0
    for _ in _WORD.finditer(text):
        found += 1
        if found >= most:
            break
    return found


def _runs(text: str, run: int, every: int) -> set[int]:
    """The hashes of ``text``'s runs of ``run`` words (those whose hash ``every`` divides); a text of fewer words is
    one run."""
    found: set[int] = set()
    carried: list[str] = []  # the last words of the piece before, which start runs ending in this one
    start = 0
    while start < len(text):
        end = min(len(text), start + _PIECE)
        if end < len(text):  # end the piece after a whole word
            boundary = _WORD_END.search(text, end)
            end = boundary.end() if boundary else len(text)
        words = carried + _WORD.findall(text[start:end].casefold())
        runs = map(hash, zip(*(words[n:] for n in range(run)), strict=False))  # the last run ends the text
        found.update(runs if every == 1 else (h for h in runs if h % every == 0))
        carried = words[len(words) - run + 1 :] if run > 1 else []
        start = end
    if not found and carried and every == 1:
        found.add(hash(tuple(carried)))  # a text of fewer words than a run is one run
    return found
