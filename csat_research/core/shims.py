"""Every place where csat-research reaches into another library's internals, behind one switch.

A *shim* relies on something a library does not promise (a private attribute, the contents of
``sys.modules`` during an import, an undocumented method): it may break silently when that
library is upgraded. Each one is listed in :data:`SHIMS` with the library versions it was
written for and what it buys, measured with ``benchmarks/bench_shims.py`` (the four-report demo
batch with and without it, in the same run). A shim is kept only while it buys at least 10 % of
that batch's wall time. Measured on 2026-12-07 (median of 3 interleaved batches; all shims on
11.7 s, all off 17.5 s): these bought 10.6-10.7 % each; seven others bought 5 % or less and
were removed (jieba without pkg_resources 4.9 %, semopy without sympy and scikit-learn 4.6 %,
jieba's idf table read directly 3.3 %, hidden optional imports 2.7 %, nbclient's ready client
2.2 %, the word cloud's font patch and the ordered logit's fast likelihood within noise).
``jieba_dictionary_cache`` (jieba's prefix dictionary parsed once into the disk cache and copied
into each tokenizer, 12.8 % then) was removed once open answers were segmented through rjieba
(issue 14): the report no longer builds a jieba tokenizer, and the batch without it took -1.0 %
(56.0 s against 56.6 s with it, median of 3 interleaved runs on a busy machine,
``bench_batch.py --shims --repeats 3``).

``CSAT_SHIMS=off`` turns every shim off: the code then takes the plain route through public
APIs, with the same results. The test suite runs once that way (``make test``), so an upgrade
that breaks a shim shows up as a difference between the two runs. ``CSAT_SHIMS_OFF=a,b`` turns
single shims off (the benchmark uses it).

>>> sorted(SHIMS) == sorted(s.name for s in SHIMS.values())
True
"""

from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = ["SHIMS", "Shim", "enabled"]


@dataclass(frozen=True)
class Shim:
    """One reach into another library's internals."""

    name: str
    library: str  #: the library and the version range the shim was written and tested for
    what: str  #: what it touches and what the plain route does instead
    buys: str  #: what it saves, as measured by benchmarks/bench_shims.py


SHIMS: dict[str, Shim] = {s.name: s for s in (
    Shim("pyplot_redraw_after_print", "matplotlib 3.8-3.10, matplotlib-inline 0.1 (csat_research.report.style)",
         "pyplot's private _draw_all_if_interactive moved behind the inline backend's post_execute "
         "hook, so figures are not drawn an extra time before they are printed; plain route: left "
         "where pyplot registers it",
         "13.0 -> 11.7 s of the four-report batch (10.6 %), bench_batch.py --shims, 2026-12-07"),
    Shim("papermill_single_save", "papermill 2.6 (csat_research.run.engine)",
         "the notebook manager's save replaced by a no-op while cells run, so the executed notebook "
         "is written once at the end; plain route: papermill serialises it before and after every cell",
         "13.0 -> 11.7 s of the four-report batch (10.7 %), bench_batch.py --shims, 2026-12-07"),
)}


def enabled(name: str) -> bool:
    """True unless ``CSAT_SHIMS=off`` or ``name`` is listed in ``CSAT_SHIMS_OFF``.

    Raises
    ------
    KeyError
        For a name that is not in :data:`SHIMS` (a typo would otherwise switch nothing).
    """
    if name not in SHIMS:
        raise KeyError(f"no shim named {name!r}; known: {sorted(SHIMS)}")
    if os.environ.get("CSAT_SHIMS", "").strip().lower() in ("off", "0", "false", "no"):
        return False
    off = {s.strip() for s in os.environ.get("CSAT_SHIMS_OFF", "").split(",") if s.strip()}
    return name not in off
