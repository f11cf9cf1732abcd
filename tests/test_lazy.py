"""A module loaded on first use that fails half-way (ctrl-C while it loads, say) is not left behind half-run: the
next import of it runs it again, whole, as after any failed import."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from provenance.cli import lazy

NAME = "provenance_lazy_probe"


@pytest.fixture
def probe(tmp_path: Path) -> Iterator[Path]:
    # fails while a marker file exists, after defining its first name: a load cut off half-way
    marker = tmp_path / "fail"
    (tmp_path / f"{NAME}.py").write_text(
        "from pathlib import Path\n"
        "first = 1\n"
        f"if Path({str(marker)!r}).exists():\n"
        "    raise KeyboardInterrupt\n"
        "second = 2\n",
        encoding="utf-8",
    )
    marker.touch()
    sys.path.insert(0, str(tmp_path))
    try:
        yield marker
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop(NAME, None)


def test_a_module_whose_load_was_cut_off_is_loaded_whole_next_time(probe: Path) -> None:
    module = lazy.module(NAME)
    with pytest.raises(KeyboardInterrupt):
        module.second  # noqa: B018 (reading it loads the module)
    assert NAME not in sys.modules
    probe.unlink()
    from provenance_lazy_probe import second  # type: ignore[import-not-found]

    assert second == 2
    assert importlib.import_module(NAME).first == 1
