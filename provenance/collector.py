"""Pausing Python's cyclic garbage collector while a program makes many objects that live on."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block.

    Reading or writing a report, or loading a command's modules, makes hundreds of thousands of objects that live
    until it is done or as long as the program (rows, tuples, strings; functions, classes). The collector would go
    through all of them again and again as they accumulate, looking for reference cycles that none of them form;
    they are freed by reference counting as usual. Afterwards they are put straight in the collector's oldest
    generation, where long-lived objects go (otherwise the first collection after this would go through all of
    them at once), unless the program has frozen objects of its own with ``gc.freeze()``. The collector is
    restored as it was.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if gc.get_freeze_count() == 0:
                gc.freeze()  # every tracked object to the permanent generation, and back to the oldest one
                gc.unfreeze()
            gc.enable()
