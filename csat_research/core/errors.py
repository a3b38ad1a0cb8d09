"""Exception hierarchy of csat_research.

Every error the package raises on purpose derives from :class:`CsatError`, so that a
caller (the CLI, the batch runner) can catch the project's errors in one place while
``TypeError``/``ValueError`` semantics are kept through multiple inheritance.
Messages name the file, the row, the column or the parameter, what was expected and
what was found.
"""

from __future__ import annotations


class CsatError(Exception):
    """Base class of every error raised by csat_research."""


class ParamsError(CsatError, ValueError):
    """A study parameter file is invalid (unknown key, wrong type, impossible value)."""


class CodebookError(CsatError, ValueError):
    """An instrument / codebook file is invalid."""


class DataError(CsatError, ValueError):
    """Survey or ticket data does not fit the codebook (bad code, missing column, ...)."""


class AnalysisError(CsatError, ValueError):
    """A statistic cannot be computed from the data given (too few cases, constant item, ...)."""


class ConsistencyError(AnalysisError):
    """An AHP pairwise matrix is too inconsistent (consistency ratio above the limit)."""


class ReportError(CsatError, RuntimeError):
    """Executing or rendering a report failed."""


class CsatWarning(UserWarning):
    """Soft problems: small base sizes, exclusions, dropped cases (always with counts)."""
