"""csat-research: research and reporting framework for e-commerce CSAT surveys.

The package is layered along the data's path; each layer imports only from the ones below it:

* :mod:`csat_research.core` - errors, column schema, input checks, numeric helpers, files, cache;
* :mod:`csat_research.io` - params, codebook (the instrument), ingest of survey exports, YAML;
* :mod:`csat_research.stats` - screening, scoring and estimates, index weights, reliability,
  models, drivers, crosstabs, group comparisons, survey weights, sampling, KPIs;
  :mod:`csat_research.text` - open answers;
* :mod:`csat_research.report` - the study, all analyses of a report, tables, narrative, plots,
  HTML/PDF rendering, outputs; :mod:`csat_research.demo` - the synthetic demo study;
* :mod:`csat_research.run` - runner, warm kernels, the ``csat`` command line.

What a user imports first is here: ``load_study`` and ``analyse`` (imported on first use, so
that ``import csat_research`` stays cheap).
"""

from csat_research.core.errors import CsatError, CsatWarning
from csat_research.core.version import __version__

__all__ = ["CsatError", "CsatWarning", "__version__", "analyse", "load_study"]


def __getattr__(name: str):
    if name == "load_study":
        from csat_research.report.study import load_study

        return load_study
    if name == "analyse":
        from csat_research.report.analyse import analyse

        return analyse
    raise AttributeError(f"module 'csat_research' has no attribute {name!r}")
