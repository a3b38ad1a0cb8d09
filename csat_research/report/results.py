"""The results of a report: :class:`ReportResults` (every number of a report) and :class:`TextResults`.

Built by :func:`csat_research.report.analyse.analyse`; read by the tables, narrative, plots,
outputs, workbook and deck. Kept apart from :mod:`~csat_research.report.analyse` so that the
modules that read results do not depend on the module that computes them (the analysis of an
earlier wave, :mod:`csat_research.report.history`, writes that wave's outputs).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from csat_research.core.errors import CsatWarning
from csat_research.report.study import Study
from csat_research.stats import cfa, estimates, kpi, logit, ordinal, scoring
from csat_research.stats.change import ChangeResult
from csat_research.stats.crosstabs import CrosstabResult
from csat_research.text.topics import EmergingTopicsResult

__all__ = ["ReportResults", "TextResults"]


@dataclass(frozen=True)
class TextResults:
    """Open-answer analysis of the "what most needs improvement" question."""

    n_answers: int
    words: pd.DataFrame
    bigrams: pd.DataFrame
    tags: pd.DataFrame
    themes: pd.DataFrame
    themes_by_segment: pd.DataFrame
    contrast: pd.DataFrame
    quotes: pd.DataFrame
    lexicon: dict
    emerging: EmergingTopicsResult | None = None  # topics of negative answers that match no theme


@dataclass(frozen=True)
class ReportResults:
    """Every number of a report. Tables are tidy frames; models keep their result objects."""

    study: Study
    overall: scoring.OverallIndexResult
    csat_mean: estimates.MeanCIResult
    csat_top2box: estimates.Top2BoxResult
    nps: estimates.NPSResult
    scores: pd.DataFrame
    item_scores: pd.DataFrame
    reliability: pd.DataFrame
    item_total: pd.DataFrame
    cfa: cfa.CFAResult | None
    verdict: pd.DataFrame
    by_segment: pd.DataFrame
    segment_tests: pd.DataFrame
    logit_overall: logit.LogitResult | None
    logit_dimensions: logit.LogitResult | None
    ordered: ordinal.OrderedLogitResult | None
    repurchase_curve: pd.DataFrame
    drivers_satisfaction: pd.DataFrame
    drivers_repurchase: pd.DataFrame
    ipa: pd.DataFrame
    index_weights_by_method: pd.DataFrame  # expert / AHP / data-driven index weights side by side
    crosstabs: dict[tuple[str, str], CrosstabResult]
    text: TextResults | None
    kpis: pd.DataFrame | None
    kpi_trend: pd.DataFrame | None
    expectation: kpi.ExpectationGapResult | None
    satisfaction_by_wait: pd.DataFrame | None
    notes: tuple[str, ...] = field(default_factory=tuple)
    #: the notes that say what they counted (``CsatWarning.kind`` and ``facts``), for the
    #: report's own-language account of them (:mod:`csat_research.report.data_notes`)
    data_notes: tuple[CsatWarning, ...] = field(default_factory=tuple)
    #: change since the previous wave (params ``history``; None without an earlier wave): one row
    #: per metric - the dimensions, ``overall_index``, ``csat_top2box``, ``nps`` - adjusted over
    #: the family with params ``analysis.change_correction``
    changes: ChangeResult | None = None
    #: label of the wave ``changes`` compares with (None without an earlier wave)
    previous_wave: str | None = None
    #: one row per wave, oldest first, the current wave last: ``wave``, ``n_responses``,
    #: ``overall_index``, ``csat_top2box``, ``nps``, then one column per dimension (None without
    #: an earlier wave)
    trend: pd.DataFrame | None = None
    #: long format, one row per consecutive wave pair x metric: ``from_wave``, ``to_wave``,
    #: ``metric``, ``delta``, ``ci_low``, ``ci_high``, ``p_adjusted``, ``significant`` (adjusted
    #: within each pair; None without an earlier wave)
    trend_changes: pd.DataFrame | None = None
    #: change of each share KPI since the previous wave (tickets counted, Newcombe), its own family
    #: adjusted with ``analysis.change_correction`` (None without an earlier wave or KPIs)
    kpi_changes: ChangeResult | None = None

    @property
    def weakest_dimension(self) -> str:
        """Dimension with the lowest mean score."""
        return str(self.scores.sort_values("mean").iloc[0]["dimension"])

    @property
    def top_drivers(self) -> list[str]:
        """Dimensions ordered by their importance for repurchase (satisfaction if no model)."""
        d = self.drivers_repurchase if len(self.drivers_repurchase) else self.drivers_satisfaction
        return list(d.sort_values("importance", ascending=False).index)

    @property
    def top_themes(self) -> list[str]:
        """Service complaint themes ordered by share of answers (themes nobody mentioned left out)."""
        return self._top_themes("service")

    @property
    def top_product_themes(self) -> list[str]:
        """Product complaint themes (quality, fakes, not as described ...), reported apart."""
        return self._top_themes("product")

    def _top_themes(self, group: str) -> list[str]:
        if self.text is None:
            return []
        t = self.text.themes
        t = t[t["n_theme"] > 0] if "n_theme" in t else t
        if "group" in t:
            t = t[(t["group"] == "product") == (group == "product")]
        elif group == "product":
            return []
        return list(t.sort_values("share", ascending=False)["theme"])
