"""The demo's tracking waves: planted moves between waves and their population effects.

The demo study has three waves per category (:data:`~csat_research.demo.config.DEMO_WAVES`). The
latest wave is simulated with the category's parameters of
:data:`~csat_research.demo.config.CATEGORY_PARAMS`; an earlier wave with the latent dimension means
minus the moves planted after it (:data:`~csat_research.demo.config.WAVE_MOVES`). Everything else
(segments, tickets, loadings, outcome models, careless respondents, open answers) follows the same
model in every wave, with the wave's own random draws.

:func:`wave_params` gives a wave's category parameters; :func:`population_metrics` the population
value of every compared metric (dimension means, overall index, CSAT top-2-box, NPS) by simulating
a very large clean sample of the model; :func:`planted_wave_changes` the ``wave_changes`` of
``truth.json``: the population delta of every metric a planted move shifts by a detectable amount.

Population values come from one large sample per wave drawn with the *same* random numbers in every
wave (common random numbers): the waves differ only in the planted means, so a metric no move touches
has a delta of exactly 0 and a moved one its delta up to a Monte Carlo error far below the
sampling error of a 2,000-respondent wave (checked in the tests).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from csat_research.core.schema import DIMENSIONS
from csat_research.demo.config import (
    CATEGORY_PARAMS,
    DEMO_WAVES,
    WAVE_MOVES,
    load_instrument,
)
from csat_research.demo.draws import (  # the generator's own draws
    draw_segments,
    draw_tickets,
)
from csat_research.demo.latent import (
    dimension_scores,
    item_codes,
    latent_factors,
    outcomes,
)

__all__ = ["METRIC_NAMES", "planted_wave_changes", "population_metrics", "wave_change_table", "wave_params"]

#: the metrics compared between waves, besides the dimensions (summary.json ``changes.metrics``)
METRIC_NAMES = ("overall_index", "csat_top2box", "nps")
#: size of the simulated population sample of one wave
POPULATION_N = 200_000
#: a metric is listed in ``wave_changes`` when its population delta is at least this many standard
#: errors of the delta at :data:`DETECT_N` respondents per wave; below :data:`NEGLIGIBLE_SE` it is
#: not listed (and counts as "no change"); the planted moves are chosen so that no metric falls in
#: between (checked in the tests)
LISTED_SE = 5.0
NEGLIGIBLE_SE = 1.0
DETECT_N = 1800


def wave_params(category: str, wave: str) -> dict[str, Any]:
    """The planted category parameters of ``wave``: the latest wave's, with the latent means minus
    every move planted after ``wave`` (a wave not in :data:`DEMO_WAVES` counts as the latest)."""
    cp = dict(CATEGORY_PARAMS[category])
    if wave not in DEMO_WAVES:
        return cp
    means = dict(cp["latent_means"])
    later = DEMO_WAVES[DEMO_WAVES.index(wave) + 1:]
    for (_, to_wave), moves in WAVE_MOVES.get(category, {}).items():
        if to_wave in later:
            for dim, shift in moves.items():
                means[dim] -= shift
    cp["latent_means"] = {d: round(v, 10) for d, v in means.items()}
    return cp


def _population_sample(category: str, wave: str, *, n: int, seed: int) -> pd.DataFrame:
    """Dimension scores, ``overall_sat`` and ``nps`` of ``n`` clean respondents of the model."""
    cp = wave_params(category, wave)
    instrument = load_instrument(category)
    ss = np.random.SeedSequence([seed, cp["code"], 0xC0FFEE])
    rng_seg, rng_time, rng_tix, rng_lat, rng_item, rng_out = (np.random.default_rng(s) for s in ss.spawn(6))
    seg = draw_segments(rng_seg, n, cp)
    submitted = rng_time.integers(0, 90 * 86400, n).astype(np.int64)
    order_sec = submitted - np.round(rng_time.uniform(0.5, 23.5, n) * 3600).astype(np.int64)
    _, link = draw_tickets(rng_tix, n, cp, seg["channel"].codes, order_sec, submitted)
    factors = latent_factors(rng_lat, n, seg, link)
    codes, _ = item_codes(rng_item, instrument, cp, factors)
    scores = dimension_scores(codes, instrument)
    returning = seg["customer_type"].is_("returning").astype(float)
    out = outcomes(rng_out, scores, returning, seg["age_group"].codes)
    frame = pd.DataFrame(scores, columns=list(DIMENSIONS))
    frame["overall_sat"] = out["overall_sat"]
    frame["nps"] = out["nps"]
    return frame


def _index_weights(frame: pd.DataFrame) -> pd.Series:
    from csat_research.stats.index_weights import data_driven_weights

    return data_driven_weights(frame.dropna(), outcome="overall_sat", predictors=list(DIMENSIONS))


def _metrics(frame: pd.DataFrame, weights: pd.Series) -> dict[str, tuple[float, float]]:
    """metric -> (population value, standard deviation of one respondent's contribution)."""
    out = {}
    for d in DIMENSIONS:
        s = frame[d].dropna()
        out[d] = (float(s.mean()), float(s.std()))
    index = frame[list(DIMENSIONS)].dropna() @ weights.reindex(list(DIMENSIONS)).to_numpy()
    out["overall_index"] = (float(index.mean()), float(index.std()))
    top = (frame["overall_sat"] >= 4).mean()
    out["csat_top2box"] = (float(top), math.sqrt(top * (1 - top)))
    pro, det = (frame["nps"] >= 9).mean(), (frame["nps"] <= 6).mean()
    out["nps"] = (float(100 * (pro - det)), 100 * math.sqrt(pro + det - (pro - det) ** 2))
    return out


def population_metrics(category: str, waves: tuple[str, ...] = DEMO_WAVES, *, seed: int = 2026,
                       n: int = POPULATION_N) -> pd.DataFrame:
    """Population value of each compared metric in each wave of ``category``.

    Returns
    -------
    pandas.DataFrame
        One row per wave x metric: ``wave``, ``metric`` (the dimensions, ``overall_index``,
        ``csat_top2box``, ``nps``), ``value`` (mean 1-5; share 0-1; NPS points), ``sd`` (standard
        deviation per respondent, for the standard error at a sample size), ``index_wave`` (the
        wave whose data-driven index weights the overall index uses: the wave itself).

    Notes
    -----
    Each wave's sample uses the same random numbers (seed ``seed``), so only the planted means differ.
    The overall index of a *change* uses the later wave's weights for both waves (as
    :mod:`csat_research.report.history` compares), see :func:`planted_wave_changes`.
    """
    rows = []
    for wave in waves:
        frame = _population_sample(category, wave, n=n, seed=seed)
        for metric, (value, sd) in _metrics(frame, _index_weights(frame)).items():
            rows.append({"wave": wave, "metric": metric, "value": value, "sd": sd})
    return pd.DataFrame(rows)


def planted_wave_changes(category: str, *, seed: int = 2026, n: int = POPULATION_N,
                         detect_n: int = DETECT_N) -> list[dict[str, Any]]:
    """The ``wave_changes`` entries of ``category``: the rows of :func:`wave_change_table` whose
    population delta is at least :data:`LISTED_SE` standard errors (``se_ratio``)."""
    return [r for r in wave_change_table(category, seed=seed, n=n, detect_n=detect_n)
            if abs(r["se_ratio"]) >= LISTED_SE]


def wave_change_table(category: str, *, seed: int = 2026, n: int = POPULATION_N,
                      detect_n: int = DETECT_N) -> list[dict[str, Any]]:
    """Every metric of every consecutive pair of :data:`DEMO_WAVES` of ``category``: ``category``,
    ``metric``, ``from_wave``, ``to_wave``, ``delta`` (population, later - earlier) and ``se_ratio``
    (delta over its standard error at ``detect_n`` respondents per wave); the
    metrics it leaves out below :data:`NEGLIGIBLE_SE` by design (:func:`wave_change_table` has
    every metric).

    The overall index of both waves of a pair is computed with the later wave's population index
    weights (the change of the index at constant weights, as the report compares).
    """
    samples = {w: _population_sample(category, w, n=n, seed=seed) for w in DEMO_WAVES}
    out = []
    for from_wave, to_wave in zip(DEMO_WAVES, DEMO_WAVES[1:], strict=False):
        weights = _index_weights(samples[to_wave])
        before, after = _metrics(samples[from_wave], weights), _metrics(samples[to_wave], weights)
        for metric in (*DIMENSIONS, *METRIC_NAMES):
            delta = after[metric][0] - before[metric][0]
            se = math.sqrt(before[metric][1] ** 2 / detect_n + after[metric][1] ** 2 / detect_n)
            out.append({"category": category, "metric": metric, "from_wave": from_wave, "to_wave": to_wave,
                        "delta": delta, "se_ratio": delta / se if se > 0 else 0.0})
    return out
