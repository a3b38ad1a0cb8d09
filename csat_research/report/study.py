"""A study: params + codebook + imported data + screening + dimension scores + index weights.

:func:`load_study` is the one entry a notebook needs to get from a params file to analysable
data. It reads through the ingest layer (the only code that reads data files), screens the
respondents with the params' quality rules, scores the five dimensions, sets survey weights
(a column or raking to margins) and the overall-index weights (AHP, expert or data-driven).
Nothing is dropped silently: ``study.responses.exclusions`` holds the rows the import set aside
and ``study.screening.audit`` the respondents screening excluded.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from csat_research.core.errors import AnalysisError, CsatWarning, DataError, ParamsError
from csat_research.io.codebook import Codebook, load_codebook
from csat_research.io.ingest import IngestResult, read_responses, read_tickets
from csat_research.io.params import StudyParams, load_params
from csat_research.stats.index_weights import (
    AHPResult,
    aggregate_judgments,
    ahp_weights,
    data_driven_weights,
    expert_weights,
)
from csat_research.stats.quality import ScreeningResult, screen
from csat_research.stats.scoring import DimensionScoresResult, dimension_scores

WEIGHT = "weight"
#: a report needs at least this many analysed respondents (kept by the import and the screening)
#: with an overall-satisfaction answer; with fewer there is nothing to report: no headline figure
#: (mean with its interval, top-2-box, NPS, dimension scores) rests on a base worth showing
MIN_ANALYSED = 10


@dataclass(frozen=True)
class Study:
    """Everything a report or an exploration starts from.

    Attributes
    ----------
    params : StudyParams
        The validated params.
    codebook : Codebook
        The instrument.
    responses : IngestResult
        The import: counts, sources, ``exclusions``. Its ``frame`` has the canonical columns
        and no rows: the imported rows are ``screening.kept`` (kept respondents, as imported)
        and :attr:`excluded_rows` (the others), and :meth:`import_frame` puts them back together.
        (Holding the whole import beside the kept rows would double the study's memory, which
        a large study cannot afford: issue 17.)
    tickets : IngestResult or None
        The service-ticket log, when the params name one.
    screening : ScreeningResult
        Data-quality flags, summary and audit table.
    scores : DimensionScoresResult
        Dimension scores of the kept respondents (and their coverage).
    data : pandas.DataFrame
        Kept respondents with one column per dimension score (1-5) and, when the study has
        survey weights, a ``weight`` column.
    dimensions : dict
        Dimension id -> item ids for this category that the export has (optional items it
        lacks are left out; the codebook keeps two required items per dimension).
    index_weights : pandas.Series
        Weights of the overall index (sum to 1), indexed by dimension.
    ahp : AHPResult or None
        The AHP result when ``weighting.method`` is ``ahp``.
    weight_column : str or None
        ``"weight"`` when survey weights are in use.
    notes : tuple of CsatWarning
        What loading could not do as asked (e.g. index weights from the data not estimable,
        equal weights used), for the report's notes on the data.
    excluded_rows : pandas.DataFrame or None
        The imported rows of the respondents the screening excluded, as imported (canonical
        columns, the import's row labels); None for a Study built without them.
    """

    params: StudyParams
    codebook: Codebook
    responses: IngestResult
    tickets: IngestResult | None
    screening: ScreeningResult
    scores: DimensionScoresResult
    data: pd.DataFrame
    dimensions: dict[str, list[str]]
    index_weights: pd.Series
    ahp: AHPResult | None
    weight_column: str | None
    notes: tuple[CsatWarning, ...] = field(default_factory=tuple)
    excluded_rows: pd.DataFrame | None = None

    def import_frame(self, columns: list[str] | None = None) -> pd.DataFrame:
        """The imported rows (kept and screened out), as imported, in import order: what
        ``read_responses(...).frame`` returned, restricted to ``columns`` (default: all)."""
        cols = list(self.responses.frame.columns) if columns is None else list(columns)
        parts = [self.screening.kept[cols]]
        if self.excluded_rows is not None and len(self.excluded_rows):
            parts.append(self.excluded_rows[cols])
        out = pd.concat(parts) if len(parts) > 1 else parts[0].copy()
        return out.reindex(self.screening.flags.index)

    def import_blocks(self, columns: list[str], rows: int) -> Iterator[pd.DataFrame]:
        """:meth:`import_frame` of ``columns`` in consecutive blocks of at most ``rows`` imported
        rows (import order), so that a large study's rows can be written without a whole copy."""
        index = self.screening.flags.index
        cols = list(columns)
        frames = [f for f in (self.screening.kept, self.excluded_rows) if f is not None and len(f)]
        # each part's rows by their position in the import: a block takes its rows of each part,
        # column by column (a take of a frame's rows would copy all its columns)
        where = [(f, index.get_indexer(f.index)) for f in frames]
        for start in range(0, len(index), rows):
            stop = min(start + rows, len(index))
            parts = []
            for f, pos in where:
                take = np.flatnonzero((pos >= start) & (pos < stop))
                parts.append(pd.DataFrame({c: f[c].take(take) for c in cols}, index=f.index[take], columns=cols))
            out = pd.concat(parts) if len(parts) > 1 else parts[0]
            yield out.reindex(index[start:stop])

    @property
    def lang(self) -> str:
        """Report language (``zh`` or ``en``)."""
        return self.params.study.language

    @property
    def category(self) -> str:
        return self.params.study.category

    def label(self, id: str) -> str:  # noqa: A002 - mirrors Codebook.label
        """Display label of a question, dimension or segment in the report language."""
        return self.codebook.label(id, self.lang)

    def dimension_labels(self) -> dict[str, str]:
        """Dimension id -> display label, in instrument order."""
        return {d: self.label(d) for d in self.dimensions}

    @property
    def absent_items(self) -> list[str]:
        """Optional items of the instrument that the export lacks (left out of every analysis)."""
        present = {i for items in self.dimensions.values() for i in items}
        return [i for i in self.codebook.optional_items(self.category) if i not in present]

    @property
    def category_items(self) -> list[str]:
        """Items that only this category's instrument has (those in the export)."""
        present = {i for items in self.dimensions.values() for i in items}
        return [i.id for i in self.codebook.items_for(self.category)
                if i.categories and i.id in present]


def _codebook(params: StudyParams) -> Codebook:
    return load_codebook(None if params.instrument.codebook == "default" else params.instrument.codebook)


def _index_weights(params: StudyParams, data: pd.DataFrame, dims: list[str]) -> tuple[pd.Series, AHPResult | None]:
    w = params.weighting
    where = f"{params.source}: weighting"
    if w.method == "expert":
        unknown = sorted(set(w.expert) ^ set(dims))
        if unknown:
            raise ParamsError(f"{where}.expert: weights must name exactly the dimensions {dims}; differs in {unknown}")
        return expert_weights({d: w.expert[d] for d in dims}), None
    if w.method == "ahp":
        ahp = w.ahp
        if sorted(ahp.labels) != sorted(dims):
            raise ParamsError(f"{where}.ahp.labels: must be the dimensions {dims}; got {ahp.labels}")
        matrix = ahp.matrices[0] if len(ahp.matrices) == 1 else aggregate_judgments(ahp.matrices, labels=ahp.labels)
        try:
            result = ahp_weights(
                matrix, labels=ahp.labels, max_cr=ahp.max_cr, allow_inconsistent=ahp.allow_inconsistent
            )
        except ValueError as exc:
            raise ParamsError(f"{where}.ahp: {exc}") from exc
        return result.weights.reindex(dims), result
    # Fitted with the survey weights when the study has them, like every other estimate shown.
    weights = data_driven_weights(data, outcome="overall_sat", predictors=dims,
                                  survey_weights=WEIGHT if WEIGHT in data.columns else None)
    return weights.reindex(dims), None


def _nothing_to_report(params: StudyParams, n_read: int, n_import_excluded: int, screening: ScreeningResult,
                       data: pd.DataFrame) -> None:
    """Refuse a study with fewer than :data:`MIN_ANALYSED` analysed respondents with an overall
    satisfaction answer, saying where the others went."""
    n = int(data["overall_sat"].notna().sum()) if "overall_sat" in data.columns else 0
    if n >= MIN_ANALYSED:
        return
    raise DataError(
        f"{params.data.responses.path}: nothing to report: {n} analysed respondent(s) with an overall_sat answer, "
        f"a report needs at least {MIN_ANALYSED} ({n_read} rows read, {n_import_excluded} set aside by the import, "
        f"{screening.n_excluded} of {screening.n_total} excluded by the screening rules of params quality.rules, "
        f"{len(data) - n} without overall_sat); check the file, or set the screening rules that exclude most "
        "respondents to 'flag' (params quality.rules)"
    )


def _survey_weights(params: StudyParams, kept: pd.DataFrame) -> pd.Series | None:
    sw = params.survey_weights
    if sw.column:
        if sw.column not in kept.columns:
            raise ParamsError(
                f"{params.source}: survey_weights.column: no column {sw.column!r} in the responses "
                f"{params.data.responses.path}"
            )
        return kept[sw.column].astype(float)
    if sw.margins:
        from csat_research.stats.survey_weights import rake

        return rake(kept, sw.margins, trim=sw.trim)
    return None


def load_study(params: StudyParams | str | Path) -> Study:
    """Load, screen and score a study described by a params file.

    Parameters
    ----------
    params : StudyParams or path
        Validated params, or the path of a params YAML file.

    Returns
    -------
    Study

    Raises
    ------
    ParamsError, CodebookError, DataError
        With the file, the key / row / column and what was expected.
    """
    if not isinstance(params, StudyParams):
        params = load_params(params)
    codebook = _codebook(params)
    category = params.study.category
    src = params.data.responses
    responses = read_responses(
        src.path, codebook=codebook, category=category, format=src.format, encoding=src.encoding,
        column_map=src.column_map or None, value_maps=src.value_maps or None, on_invalid=src.on_invalid,
    )
    tickets = None
    if params.data.tickets is not None:
        t = params.data.tickets
        tickets = read_tickets(t.path, format=t.format, encoding=t.encoding, on_invalid=t.on_invalid)
    # items the export lacks (codebook `optional: true`) are left out everywhere: scores,
    # reliability, CFA, drivers and item tables work with the items present
    absent = set(codebook.optional_items(category)) - set(responses.column_sources)
    dims = {d: [i for i in items if i not in absent]
            for d, items in codebook.dimension_items(category).items()}
    grid = [i for items in dims.values() for i in items]
    q = params.quality
    screening = screen(
        responses.frame,
        traps=codebook.trap_expectations(),
        reverse_pairs=codebook.twins(category),
        grid=grid,
        speed_share=q.speed_share,
        duplicate_window_days=q.duplicate_window_days,
        contradiction_gap=q.contradiction_gap,
        actions=q.rules,
    )
    kept = screening.kept
    # the screened-out rows only: the kept ones are screening.kept (see Study.responses)
    excluded_rows = responses.frame.loc[~responses.frame.index.isin(kept.index)]
    responses = replace(responses, frame=pd.DataFrame(  # no rows; a 0-row slice would keep the buffers alive
        {c: pd.Series([], dtype=t) for c, t in responses.frame.dtypes.items()}, columns=responses.frame.columns))
    scores = dimension_scores(
        kept, dimensions=dims, reverse=codebook.reverse_items(category), min_answered=q.min_answered
    )
    data = kept.drop(columns=[c for c in dims if c in kept.columns]).join(scores.scores)
    _nothing_to_report(params, responses.n_rows_read, responses.n_excluded, screening, data)
    survey_w = _survey_weights(params, data)
    if survey_w is not None:
        data = data.assign(**{WEIGHT: survey_w})
    notes: list[CsatWarning] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)
        try:
            index_weights, ahp = _index_weights(params, data, list(dims))
        except AnalysisError as exc:
            if params.weighting.method != "data":
                raise
            # weights from the data need variation and enough complete rows: equal weights, noted
            index_weights, ahp = pd.Series(1.0 / len(dims), index=list(dims)), None
            notes.append(CsatWarning(
                f"index weights from the data (params weighting.method: data) not estimable: {exc}; "
                "equal weights used", kind="weights_fallback", method="data", reason=str(exc)))
    return Study(
        params=params, codebook=codebook, responses=responses, tickets=tickets, screening=screening,
        scores=scores, data=data, dimensions=dims, index_weights=index_weights, ahp=ahp,
        weight_column=WEIGHT if survey_w is not None else None, notes=tuple(notes), excluded_rows=excluded_rows,
    )

