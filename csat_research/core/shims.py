"""Every place where csat-research reaches into another library's internals, behind one switch.

A *shim* relies on something a library does not promise (a private attribute, the contents of
``sys.modules`` during an import, an undocumented method): it may break silently when that
library is upgraded. Each one is listed in :data:`SHIMS` with the library versions it was
written for and what it buys, measured with ``benchmarks/bench_shims.py`` (the four-report demo
batch with and without it, in the same run). A shim is kept only while it buys at least 10 % of
that batch's wall time.

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
    Shim("jieba_without_pkg_resources", "jieba 0.42.1 (text.tokenize)",
         "pkg_resources set to None in sys.modules while jieba is imported (jieba._compat then opens "
         "its data files with open()); plain: import jieba", "not measured yet"),
    Shim("jieba_dictionary_cache", "jieba 0.42.1 (text.tokenize)",
         "jieba's prefix dictionary parsed once into the disk cache and assigned to each Tokenizer's "
         "FREQ / total / initialized, POSTokenizer built with __new__; plain: Tokenizer().initialize(), "
         "add_word, POSTokenizer(tokenizer)", "not measured yet"),
    Shim("jieba_idf_table", "jieba 0.42.1 (text.frequencies)",
         "jieba/analyse/idf.txt read from jieba's package folder and disk-cached, TFIDF.STOP_WORDS "
         "copied; plain: jieba.analyse.default_tfidf", "not measured yet"),
    Shim("semopy_without_sympy_sklearn", "semopy 2.3.11 (stats.cfa)",
         "stand-in sympy / sklearn modules in sys.modules while semopy is imported; plain: import semopy",
         "not measured yet"),
    Shim("ordered_logit_fast_path", "statsmodels 0.14 (stats.ordinal)",
         "OrderedModel subclass overriding loglikeobs, cdf, hessian (cached) and initialize (skipped); "
         "plain: the stock loglikeobs times the case weights", "not measured yet"),
    Shim("wordcloud_font_face", "wordcloud 1.9, Pillow 10-11 (report.plots)",
         "wordcloud.wordcloud.ImageFont replaced while the cloud is drawn, so that it opens the SC face "
         "of the .ttc and reuses fonts; plain: the face extracted into its own file with fontTools",
         "not measured yet"),
    Shim("pyplot_redraw_after_print", "matplotlib 3.8-3.10 (report.style)",
         "pyplot's private _draw_all_if_interactive moved behind the inline backend's post_execute "
         "hook; plain: left where pyplot registers it", "not measured yet"),
    Shim("papermill_single_save", "papermill 2.6 (run.engine)",
         "the notebook manager's save replaced by a no-op while cells run (one write at the end); "
         "plain: papermill saves before and after every cell", "not measured yet"),
    Shim("nbclient_ready_client", "nbclient 0.10, jupyter_client 8 (run.engine)",
         "async_start_new_kernel_client overridden: ready at the kernel_info idle status; plain: "
         "jupyter_client's wait_for_ready", "not measured yet"),
    Shim("hidden_optional_imports", "jsonschema 4, papermill 2.6 (run.cli)",
         "rfc3987_syntax and pyarrow.fs set to None in sys.modules; plain: imported as usual",
         "not measured yet"),
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
