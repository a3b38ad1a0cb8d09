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


class StoreError(CsatError, RuntimeError):
    """The study store cannot be read or written (locked too long, corrupt, not a store, newer schema)."""


class CsatWarning(UserWarning):
    """Soft problems: small base sizes, exclusions, dropped cases (always with counts).

    A warning may also carry what it counted, so that a report can say it in its own language
    instead of quoting the (English, technical) message: ``kind`` names the situation (e.g.
    ``"cases_dropped"``) and ``facts`` holds its numbers and names.

    Examples
    --------
    >>> w = CsatWarning("cfa: dropped 3 of 10", kind="cases_dropped", analysis="cfa", n_used=7, n_total=10)
    >>> str(w), w.kind, w.facts["n_used"]
    ('cfa: dropped 3 of 10', 'cases_dropped', 7)
    """

    def __init__(self, message: str = "", *, kind: str | None = None, **facts: object) -> None:
        super().__init__(message)
        self.kind = kind
        self.facts = facts
