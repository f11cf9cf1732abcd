"""provenance: where every claim came from, how sure we are, and who says otherwise."""

__version__ = "0.1.0"
