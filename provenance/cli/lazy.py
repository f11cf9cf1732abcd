"""Modules loaded when a command first uses them, not when ``provenance`` starts.

Every command module is imported to build the command group (so that ``provenance --help`` lists every command),
but one command uses only a few domain modules, and some of those load large libraries (Alembic, citeproc-py,
trafilatura, lxml, Jinja2, pydantic...) that together took most of a second to load before any command could
print. So a command module names the modules its commands use with :func:`modules`: each is loaded, with all it
imports, the first time one of its attributes is read. The type checker sees the same names imported as usual
under ``TYPE_CHECKING``::

    if TYPE_CHECKING:
        from provenance import claims, sources
    else:
        claims, sources = lazy.modules("provenance.claims", "provenance.sources")

tests/test_startup.py checks that both lists name the same modules and that starting the command line loads none
of the large libraries.

While such a module loads (and all it imports: SQLAlchemy's ORM, the models...), the cyclic garbage collector is
paused, and what the loading made is then put in the collector's oldest generation (:func:`provenance.collector.paused`,
as for a report): loading makes a few hundred thousand objects that live as long as the program, and the collector
would otherwise go through them again and again as they accumulate, finding nothing to free.
"""

from __future__ import annotations

import importlib.util
import sys
from importlib.abc import Loader
from types import ModuleType


def module(name: str) -> ModuleType:
    """The module ``name``, loaded when one of its attributes is first read (now, if it is loaded already)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"no module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(_Paused(spec.loader))
    spec.loader = loader
    found = importlib.util.module_from_spec(spec)
    sys.modules[name] = found
    loader.exec_module(found)
    parent, _, child = name.rpartition(".")
    if parent:  # as an import would: `import provenance.claims` then `provenance.claims` finds it
        setattr(sys.modules[parent], child, found)
    return found


class _Paused(Loader):
    """``loader``, with the garbage collector paused while it runs a module (see above). The module keeps
    ``loader`` itself as its loader (for tracebacks' source lines, resources...)."""

    def __init__(self, loader: Loader) -> None:
        self.loader = loader

    def exec_module(self, module: ModuleType) -> None:
        module.__loader__ = self.loader
        if module.__spec__ is not None:
            module.__spec__.loader = self.loader
        from provenance import collector  # only once a command loads its first module: not for --help

        with collector.paused():
            try:
                self.loader.exec_module(module)
            except BaseException:
                # as a failed import does (ctrl-C in the middle of loading, say): no half-run module is left for
                # the next import of it to find and take for whole
                if sys.modules.get(module.__name__) is module:
                    del sys.modules[module.__name__]
                raise


def modules(*names: str) -> tuple[ModuleType, ...]:
    """:func:`module` for each name, in order."""
    return tuple(module(name) for name in names)
