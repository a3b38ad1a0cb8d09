"""What a report kernel prepares before its first notebook: one list for every kernel pool.

:func:`warm_up` imports the modules the report notebook imports and builds what their first
calls would build (the open-answer segmenter with its dictionary, taken by the report's
``make_tokenizer``, the compiled theme lexicon, semopy, statsmodels' repurchase models, seaborn,
the table export's, the deck's and the word cloud's libraries, the
word cloud's font face), so that a warm
kernel (``csat_research.run.engine``) or every kernel forked from the zygote
(``csat_research.run.zygote``) starts its first report with them ready. Both run this one
function; it only calls public functions.
"""

from __future__ import annotations

__all__ = ["warm_up"]


def warm_up() -> None:
    """Import the report's modules and build their per-process caches (about 2 s, once)."""
    import pptx.chart.data  # noqa: F401 - imported lazily by the deck (report.pptx)
    import seaborn  # noqa: F401 - imported lazily by style.use_report_style
    import statsmodels.discrete.discrete_model  # noqa: F401 - imported lazily by stats.logit
    import statsmodels.miscmodels.ordinal_model  # noqa: F401 - imported lazily by stats.ordinal
    import wordcloud  # noqa: F401 - imported lazily by the word cloud
    import xlsxwriter  # noqa: F401 - imported lazily by the table export

    from csat_research.report import analyse, narrative, outputs, plots, style, tables  # noqa: F401
    from csat_research.stats import cfa
    from csat_research.text import themes, tokenize

    tokenize.preload_segmenter()  # taken by the report's make_tokenizer (0.1 s of cpu saved)
    themes.tag_themes([""])  # compiles and caches the shipped lexicon
    cfa.import_semopy()
    plots.prepare_word_cloud_font(style.cjk_font_path())
