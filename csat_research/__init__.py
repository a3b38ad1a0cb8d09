"""csat-research: research and reporting framework for e-commerce CSAT surveys."""

from csat_research.errors import CsatError, CsatWarning

__all__ = ["CsatError", "CsatWarning", "__version__"]
__version__ = "0.1.0"
