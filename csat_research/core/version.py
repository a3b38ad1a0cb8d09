"""The package's version (one place: ``csat_research.__version__`` and the study store read it)."""

__version__ = "0.1.0"
