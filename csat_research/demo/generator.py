"""Synthetic demo study with a planted, documented truth.

:func:`generate_wave` simulates one survey wave of one product category (responses, the
service-ticket log and the planted truth) in memory; :func:`write_demo_study` writes one
folder per category::

    DIR/<category>/responses.csv     canonical survey frame (UTF-8, codebook column names)
    DIR/<category>/tickets.csv       service-ticket log (columns of schema.TICKET_COLUMNS)
    DIR/<category>/truth.json        every planted parameter and the realised check values
    DIR/<category>/truth_themes.csv  respondent_id, themes (planted complaint themes of
                                     open_improve, ";"-separated, "" for none)

Same seed, same bytes: every random draw comes from a :class:`numpy.random.SeedSequence` of
``(seed, category code, crc32(wave))``, the JSON is written with sorted keys and floats
rounded to 6 decimals, the CSVs with a fixed float format, and nothing depends on the clock.
Everything is vectorised (numpy); only the final assembly of a few open answers (PII, typos)
loops over the selected rows. The parts live beside this module:
:mod:`~csat_research.demo.config` (planted parameters, the instrument),
:mod:`~csat_research.demo.latent` (factors, items, scores, outcomes),
:mod:`~csat_research.demo.answers` (open answers), :mod:`~csat_research.demo.truth`
(``truth.json``) and :mod:`~csat_research.demo.csv_writer` (the CSV files).

Notes
-----
**Sample and segments.** ``customer_type`` returning with probability 0.60;
``frequency_band`` high with probability 0.45 (returning) / 0.12 (new); ``value_band`` high
0.20 in the sample (stratified: high-value customers are over-sampled from a population
share of 0.10, recorded under ``sampling``); ``age_group`` from a category-specific mix;
``channel`` (service channel used) and ``preferred_channel`` depend on age: post95/post00
prefer ``im`` (about 60 %) far more than post70 (20 %, who prefer ``phone``, 50 %).
``expected_reply_min`` is lognormal (sigma 0.6) with an age-specific median (post00 4.3 ...
post70 9.0 min; about 5.8 min overall).

**Timing.** ``submitted_at`` (naive local time, Asia/Shanghai) lies in the wave's quarter,
0.5-23.5 h after the order; ticket ``created_at`` lies between order and survey.

**Tickets.** 0-3 per respondent (probabilities 0.12, 0.55, 0.23, 0.10). Phone tickets go to a
human; other tickets start with the bot (8 % ask for a human at once, 40 % for high severity),
which settles a category-specific share (``bot_containment``, about 0.70) of normal-severity
tickets (0.20 of high-severity ones), else hands over (``bot_to_human``, ``handoff_min``
lognormal, median 5-12 min, sigma 0.9). ``first_response_min`` is lognormal with a
category-specific median (appliances 6.5, apparel 2.6, beauty 2.8, baby 12.3 min): the
"90 % within 5 minutes" target is met by apparel and beauty and missed by appliances and
baby. ``first_contact_resolution`` ~ Bernoulli(0.65-0.82 by category); resolution time is
lognormal (shorter after FCR), 3 % (FCR) / 10 % (no FCR) stay unresolved (NaN).

**Latent satisfaction.** Five correlated factors (one per dimension; correlations 0.40-0.60,
:data:`~csat_research.demo.config.FACTOR_CORRELATION`) ~ N(shift, R). Shifts: returning
+0.10 on every factor, high value -0.10 on efficiency, digital +0.15 (post00, post95),
-0.10 (post80), -0.30 (post70); efficiency -0.30 x clip(z, -2.5, 2.5) where z is the
standardised log of the respondent's slowest first response (0 without tickets); quality
-0.40 when one of the respondent's tickets was not resolved at the first contact or was repeated.
Item ``j`` of dimension ``d``: ``y* = mu[c, d] + offset_j + lambda_j F_d +
sqrt(1 - lambda_j^2) e`` (standardised loadings 0.60-0.85, recorded), discretised by the fixed
thresholds 1.5, 2.5, 3.5, 4.5 to codes 1-5; reverse-keyed items (agree5) are the mirror
``6 - y*``. ``mu[c, d]`` plants one weakest dimension per category (appliances: quality,
apparel: after_sales, beauty: communication, baby: efficiency). 2-6 % of item cells are
missing completely at random.

**Observed scores and outcomes.** Dimension score = mean of the answered items of the
dimension after reverse-keying (``6 - x``), NaN when fewer than half are answered (NaN scores
are replaced by the sample mean of that score when generating outcomes). ``overall_sat`` =
round(clip(0.30 eff + 0.40 qual + 0.12 comm + 0.10 after_sales + 0.08 digital + N(0, 0.45),
1, 5)): quality is the most important dimension. ``repurchase`` ~ Bernoulli(logistic(const +
sum_d b_d score_d + b_ret [returning])) with the coefficients of
:data:`~csat_research.demo.config.REPURCHASE_LOGIT` (repurchase rate 40-60 %);
``nps`` = round(clip(2.3 overall_sat + N(0, 1.2), 0, 10));
``repurchase_intent`` = round(clip(0.9 + 0.62 overall_sat + 0.35 [returning] + N(0, 0.65),
1, 5)).

**Careless respondents (8 %).** Straight-liners (2.5 %, one code on every item, so reverse
twins contradict; traps passed), trap failures (2.5 %, wrong trap answers, random items and
ratings), speeders (2.0 %, duration 0.08-0.28 x the planted median of 420 s, 35 % of item cells
random), duplicates (1.0 %, a customer answering a second time later in the quarter with a new
respondent id; the later response is recorded). Each type trips only its own rule. Clean
respondents pass the traps except a tiny recorded rate (0.1 %, ``clean_trap_fail``) and take
0.5 x 420 s or longer (lognormal, median 420 s, sigma 0.35, truncated). Behavioural
``repurchase`` of careless respondents follows the model from what their answers would have
been; their stated ratings do not.

**Open answers.** ``open_improve`` mentions complaint themes
(:data:`~csat_research.demo.answers.THEMES`); the probability of theme ``t`` is its planted
category share times ``exp(-0.8 (score_d - mean))`` of the theme's dimension (normalised
to mean 1: dissatisfied respondents complain more), at most three themes per answer.
Sentences come from varied templates (4 % English / mixed), with typos (5 %), short
non-answers, negated praise that is not a complaint ("没有问题",
"客服态度挺好的，没有不耐烦"), ~5 % PII (mobile numbers, e-mails, 16-19 digit order numbers,
"王先生") and a few ``<script>alert(1)</script>``. ``open_exceed`` is praise or empty / "没有".
Each category has a clear top-2 of themes (``top_themes`` in the truth).

Examples
--------
>>> wave = generate_wave("baby", n=200, seed=7, wave="2026Q3")
>>> wave.responses.shape[0], wave.truth["weakest_dimension"], wave.truth["top_themes"]
(200, 'efficiency', ['slow_reply', 'logistics_updates'])
>>> sorted(wave.truth["careless"])
['duplicate', 'speeder', 'straightliner', 'trap_failure']
"""

from __future__ import annotations

import json
import math
import os
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from csat_research.core.errors import ParamsError
from csat_research.core.schema import (
    CATEGORY,
    CUSTOMER_ID,
    DURATION_SEC,
    ORDER_ID,
    RESPONDENT_ID,
    SUBMITTED_AT,
    TICKET_COLUMNS,
)
from csat_research.demo.answers import open_answers
from csat_research.demo.config import (
    CARELESS_RATES,
    CATEGORY_PARAMS,
    CLEAN_TRAP_FAIL_RATE,
    DEMO_CATEGORIES,
    DEMO_WAVES,
    DURATION_MODEL,
    WAVE_MOVES,
    Instrument,
    load_instrument,
)
from csat_research.demo.csv_writer import write_csv
from csat_research.demo.draws import Codes, draw_segments, draw_tickets
from csat_research.demo.latent import (
    dimension_scores,
    item_codes,
    latent_factors,
    outcomes,
)
from csat_research.demo.truth import jsonable, planted_truth
from csat_research.demo.waves import LISTED_SE, wave_change_table, wave_params

__all__ = ["DemoWave", "generate_wave", "write_demo_study"]


_WAVE_PATTERN = re.compile(r"^(\d{4})Q([1-4])$")
_RESPONSE_DECIMALS = {DURATION_SEC: 1, "expected_reply_min": 1}  # other floats: integer codes
_TICKET_DECIMALS = {"handoff_min": 2, "first_response_min": 2, "resolution_hours": 2}


@dataclass(frozen=True)
class DemoWave:
    """One simulated survey wave of one category.

    Attributes
    ----------
    category : str
        Product category.
    wave : str
        Wave id (``YYYYQn``).
    seed : int
        Seed of the study.
    responses : pandas.DataFrame
        Canonical survey frame: metadata columns, items / traps / outcomes as float codes
        (``NaN`` = not answered), open answers as text (``NaN`` = empty), segments as text,
        ``submitted_at`` as ``datetime64``. One row per respondent, ordered by submission.
    tickets : pandas.DataFrame
        Service-ticket log with the columns of :data:`csat_research.core.schema.TICKET_COLUMNS`.
    truth : dict
        The planted truth (JSON-ready): model parameters and realised check values.
    themes : pandas.DataFrame
        ``respondent_id``, ``themes``: planted complaint themes of ``open_improve``,
        ``";"``-joined in :data:`~csat_research.demo.answers.THEMES` order, ``""`` for none.
    """

    category: str
    wave: str
    seed: int
    responses: pd.DataFrame
    tickets: pd.DataFrame
    truth: dict
    themes: pd.DataFrame


# ============================================================================ public API
def generate_wave(
    category: str, *, n: int = 2000, seed: int = 2026, wave: str = "2026Q3"
) -> DemoWave:
    """Simulate one wave of one category with a planted truth (no file I/O).

    Parameters
    ----------
    category : {"appliances", "apparel", "beauty", "baby"}
        Product category; selects the category items of the default instrument and the
        planted category parameters.
    n : int, default 2000
        Number of responses (rows), careless and duplicate respondents included; at least 100.
    seed : int, default 2026
        Non-negative seed; the same ``(category, n, seed, wave)`` gives identical data.
    wave : str, default "2026Q3"
        Wave id ``YYYYQn``; ``submitted_at`` lies in that quarter.

    Returns
    -------
    DemoWave
        Frozen result with ``responses``, ``tickets``, ``truth`` and ``themes``.

    Raises
    ------
    TypeError
        If ``category``, ``wave``, ``n`` or ``seed`` has the wrong type.
    ParamsError
        If a value is not allowed (unknown category, ``n < 100``, negative seed, bad wave).
    CodebookError
        If the default instrument lacks something the simulation needs.

    Notes
    -----
    The model is described in the module docstring and recorded in ``truth``.

    Examples
    --------
    >>> w = generate_wave("beauty", n=150, seed=1, wave="2026Q1")
    >>> w.responses["submitted_at"].min() >= pd.Timestamp("2026-01-01")
    True
    >>> w.truth["repurchase_logit"]["quality"]
    0.85
    >>> list(w.tickets.columns) == list(TICKET_COLUMNS)
    True
    """
    category = _check_category(category)
    n = _check_int("n", n, minimum=100)
    seed = _check_int("seed", seed, minimum=0)
    start, end = _quarter_bounds(wave)
    instrument = load_instrument(category)
    return _simulate(category, n=n, seed=seed, wave=wave, start=start, end=end,
                     instrument=instrument)


def write_demo_study(
    out: str | os.PathLike[str],
    *,
    seed: int = 2026,
    n: int = 2000,
    categories: Sequence[str] = ("appliances", "apparel", "beauty", "baby"),
    wave: str = "2026Q3",
    history: bool = False,
) -> dict[str, dict[str, Path]]:
    """Write the demo study: one folder per category with responses, tickets and truth.

    Parameters
    ----------
    out : str or os.PathLike
        Output folder (created if needed; existing demo files are overwritten).
    seed : int, default 2026
        Seed of the study; the same arguments write the same bytes.
    n : int, default 2000
        Responses per category (at least 100).
    categories : sequence of str, default all four
        Categories to write, each one of
        :data:`~csat_research.demo.config.DEMO_CATEGORIES`, without repeats.
    wave : str, default "2026Q3"
        Wave id ``YYYYQn``.
    history : bool, default False
        Also write the earlier tracking waves of
        :data:`~csat_research.demo.config.DEMO_WAVES` (``wave`` must then be the latest of them)
        to ``<category>/history/<wave>/responses.csv`` and ``tickets.csv``, and the planted changes
        between the waves to ``truth.json`` ``wave_changes`` (a list of ``category``, ``metric``,
        ``from_wave``, ``to_wave``, ``delta``: the population delta of every metric a planted move
        shifts, :func:`csat_research.demo.waves.planted_wave_changes`; the moves themselves under
        ``waves``).

    Returns
    -------
    dict
        ``{category: {"responses": Path, "tickets": Path, "truth": Path,
        "truth_themes": Path}}`` of the files written; with ``history`` also
        ``"history_<wave>_responses"`` and ``"history_<wave>_tickets"``.

    Raises
    ------
    TypeError
        If an argument has the wrong type (e.g. ``categories`` given as one string).
    ParamsError
        If a value is not allowed.

    Notes
    -----
    Files: ``responses.csv`` (UTF-8 without BOM, ``\\n`` line ends, codes as integers, empty
    cell = missing, floats ``%.1f``, ``submitted_at`` ``YYYY-MM-DDTHH:MM:SS``),
    ``tickets.csv`` (floats ``%.2f``, booleans ``True``/``False``), ``truth.json`` (sorted keys,
    floats rounded to 6 decimals) and ``truth_themes.csv`` (``respondent_id``, ``themes``).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     paths = write_demo_study(tmp, n=120, categories=["apparel"])
    ...     sorted(p.name for p in paths["apparel"].values())
    ['responses.csv', 'tickets.csv', 'truth.json', 'truth_themes.csv']
    """
    if not isinstance(out, (str, os.PathLike)):
        raise TypeError(f"out must be a path (str or os.PathLike); got {type(out).__name__}")
    if isinstance(categories, (str, bytes)) or not isinstance(categories, Sequence):
        raise TypeError(
            "categories must be a sequence of category names, e.g. ['beauty']; "
            f"got {type(categories).__name__} {categories!r}"
        )
    cats = [_check_category(c) for c in categories]
    if not cats:
        raise ParamsError(f"categories is empty; allowed: {', '.join(DEMO_CATEGORIES)}")
    dupes = sorted({c for c in cats if cats.count(c) > 1})
    if dupes:
        raise ParamsError(f"categories repeats {', '.join(dupes)}; give each category once")
    n = _check_int("n", n, minimum=100)
    seed = _check_int("seed", seed, minimum=0)
    _quarter_bounds(wave)
    if not isinstance(history, bool):
        raise TypeError(f"history must be a bool; got {type(history).__name__} {history!r}")
    if history and wave != DEMO_WAVES[-1]:
        raise ParamsError(f"wave must be {DEMO_WAVES[-1]!r}, the latest of the demo's waves "
                          f"{', '.join(DEMO_WAVES)}, when history is written; got {wave!r}")

    root = Path(out)
    written: dict[str, dict[str, Path]] = {}
    for cat in cats:
        demo = generate_wave(cat, n=n, seed=seed, wave=wave)
        folder = root / cat
        folder.mkdir(parents=True, exist_ok=True)
        paths = {
            "responses": folder / "responses.csv",
            "tickets": folder / "tickets.csv",
            "truth": folder / "truth.json",
            "truth_themes": folder / "truth_themes.csv",
        }
        write_csv(demo.responses, paths["responses"], decimals=_RESPONSE_DECIMALS)
        write_csv(demo.tickets, paths["tickets"], decimals=_TICKET_DECIMALS)
        write_csv(demo.themes, paths["truth_themes"], decimals={})
        truth = demo.truth
        if history:
            truth = {**truth, **_history(folder, cat, n=n, seed=seed, paths=paths)}
        text = json.dumps(jsonable(truth), ensure_ascii=False, sort_keys=True, indent=1)
        paths["truth"].write_text(text + "\n", encoding="utf-8", newline="\n")
        written[cat] = paths
    return written


def _history(folder: Path, category: str, *, n: int, seed: int, paths: dict[str, Path]) -> dict[str, Any]:
    """Write the earlier waves of ``category`` under ``folder/history`` (adding their paths to
    ``paths``); return the truth's ``waves`` and ``wave_changes``."""
    for earlier in DEMO_WAVES[:-1]:
        demo = generate_wave(category, n=n, seed=seed, wave=earlier)
        sub = folder / "history" / earlier
        sub.mkdir(parents=True, exist_ok=True)
        paths[f"history_{earlier}_responses"] = sub / "responses.csv"
        paths[f"history_{earlier}_tickets"] = sub / "tickets.csv"
        write_csv(demo.responses, sub / "responses.csv", decimals=_RESPONSE_DECIMALS)
        write_csv(demo.tickets, sub / "tickets.csv", decimals=_TICKET_DECIMALS)
    table = wave_change_table(category, seed=seed)
    changes = [r for r in table if abs(r["se_ratio"]) >= LISTED_SE]
    return {
        "waves": {
            "labels": list(DEMO_WAVES),
            "files": {w: f"history/{w}/responses.csv, history/{w}/tickets.csv" for w in DEMO_WAVES[:-1]},
            "moves": [{"from_wave": a, "to_wave": b, "latent_mean_shift": dict(m)}
                      for (a, b), m in WAVE_MOVES.get(category, {}).items()],
            "latent_means": {w: wave_params(category, w)["latent_means"] for w in DEMO_WAVES},
            "model": "every wave follows the same model with its own random draws; an earlier wave's "
                     "latent dimension means are the latest wave's minus the moves planted after it",
            "wave_changes_rule": "a metric is listed when its population delta (a 200,000-respondent clean "
                                 "sample per wave with common random numbers; the overall index at the later "
                                 "wave's population data-driven index weights - at other weights it is "
                                 "sum_d weight_d x delta_d of the listed dimensions) is at least 5 standard "
                                 "errors at 1,800 respondents per wave; every other metric moves by less than "
                                 "1 standard error",
            "population_deltas": table,
        },
        "wave_changes": [{k: r[k] for k in ("category", "metric", "from_wave", "to_wave", "delta")}
                         for r in changes],
    }


# ============================================================================ validation
def _check_category(category: Any) -> str:
    if not isinstance(category, str):
        raise TypeError(f"category must be a str; got {type(category).__name__} {category!r}")
    if category not in CATEGORY_PARAMS:
        raise ParamsError(
            f"category {category!r} is not simulated by the demo; allowed: "
            f"{', '.join(DEMO_CATEGORIES)}"
        )
    return category


def _check_int(name: str, value: Any, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int; got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ParamsError(f"{name} must be >= {minimum}; got {value}")
    return int(value)


def _quarter_bounds(wave: Any) -> tuple[np.datetime64, np.datetime64]:
    if not isinstance(wave, str):
        raise TypeError(f"wave must be a str like '2026Q3'; got {type(wave).__name__} {wave!r}")
    match = _WAVE_PATTERN.match(wave)
    if match is None:
        raise ParamsError(
            f"wave must look like 'YYYYQn' with n in 1-4, e.g. '2026Q3'; got {wave!r}")
    year, quarter = int(match.group(1)), int(match.group(2))
    start = np.datetime64(f"{year:04d}-{3 * quarter - 2:02d}-01T00:00:00", "s")
    end_month = 3 * quarter + 1
    end = (np.datetime64(f"{year + 1:04d}-01-01T00:00:00", "s") if end_month > 12
           else np.datetime64(f"{year:04d}-{end_month:02d}-01T00:00:00", "s"))
    return start, end


# ============================================================================ simulation
def _simulate(category: str, *, n: int, seed: int, wave: str, start: np.datetime64,
              end: np.datetime64, instrument: Instrument) -> DemoWave:
    cp = wave_params(category, wave)
    ss = np.random.SeedSequence([seed, cp["code"], zlib.crc32(wave.encode("ascii"))])
    (rng_seg, rng_time, rng_care, rng_tix, rng_lat, rng_item, rng_out, rng_text,
     rng_ids, rng_dur) = (np.random.default_rng(s) for s in ss.spawn(10))

    # ---- segments
    seg = draw_segments(rng_seg, n, cp)

    # ---- careless types (disjoint) and timing
    counts = {k: max(1, round(r * n)) for k, r in CARELESS_RATES.items()}
    perm = rng_care.permutation(n)
    kind = np.full(n, "", dtype="<U13")
    pos = 0
    for k in ("straightliner", "trap_failure", "speeder", "duplicate"):
        kind[perm[pos:pos + counts[k]]] = k
        pos += counts[k]
    is_dup = kind == "duplicate"

    span = int((end - start) / np.timedelta64(1, "s"))
    submitted = _submission_seconds(rng_time, n, span)
    customer_num = rng_ids.choice(10**8, size=n, replace=False)
    # duplicates: a clean earlier respondent answers again later in the quarter
    early = np.flatnonzero((kind == "") & (submitted < 0.6 * span))
    originals = rng_care.choice(early, size=int(is_dup.sum()), replace=False)
    dup_rows = np.flatnonzero(is_dup)
    lo = submitted[originals] + 3 * 86400
    hi = span - 3600
    submitted[dup_rows] = lo + np.floor(rng_care.random(dup_rows.size) * (hi - lo)).astype(np.int64)
    customer_num[dup_rows] = customer_num[originals]
    for col in ("frequency_band", "value_band", "age_group", "channel", "preferred_channel"):
        seg[col].codes[dup_rows] = seg[col].codes[originals]
    seg["customer_type"].codes[dup_rows] = seg["customer_type"].levels.index("returning")
    order_lag = np.round(rng_time.uniform(0.5, 23.5, n) * 3600).astype(np.int64)
    order_sec = submitted - order_lag

    # ---- tickets
    tix, link = draw_tickets(rng_tix, n, cp, seg["channel"].codes, order_sec, submitted)

    # ---- latent factors and items
    factors = latent_factors(rng_lat, n, seg, link)
    codes, item_meta = item_codes(rng_item, instrument, cp, factors)
    scores = dimension_scores(codes, instrument)

    # ---- outcomes (from observed scores of the model answers)
    returning = seg["customer_type"].is_("returning").astype(float)
    out = outcomes(rng_out, scores, returning, seg["age_group"].codes)

    # ---- careless overrides of stated answers
    n_items = codes.shape[1]
    traps = _clean_traps(rng_care, n)
    sl = np.flatnonzero(kind == "straightliner")
    sl_value = rng_care.choice(np.array([3.0, 4.0, 5.0]), size=sl.size, p=(0.2, 0.5, 0.3))
    codes[sl] = sl_value[:, None]
    out["overall_sat"][sl] = sl_value
    out["repurchase_intent"][sl] = sl_value
    out["nps"][sl] = np.clip(2 * sl_value + rng_care.integers(-1, 1, sl.size, endpoint=True), 0, 10)

    tf = np.flatnonzero(kind == "trap_failure")
    random_codes = rng_care.integers(1, 5, size=(tf.size, n_items), endpoint=True).astype(float)
    codes[tf] = np.where(np.isnan(codes[tf]), np.nan, random_codes)
    # guard: a random grid is never constant (would also trip the straight-line rule)
    codes[tf, 0] = np.where(np.nanmax(codes[tf], axis=1) == np.nanmin(codes[tf], axis=1),
                            np.where(codes[tf, 0] == 1.0, 2.0, 1.0), codes[tf, 0])
    which = rng_care.choice(3, size=tf.size, p=(0.60, 0.25, 0.15))  # attention, rude, both
    bad_att = rng_care.choice(np.array([1.0, 3.0, 4.0, 5.0]), size=tf.size)
    bad_rude = rng_care.choice(np.array([4.0, 5.0]), size=tf.size)
    traps["trap_attention"][tf] = np.where(which != 1, bad_att, 2.0)
    traps["trap_rude"][tf] = np.where(which != 0, bad_rude, traps["trap_rude"][tf])
    out["overall_sat"][tf] = rng_care.integers(1, 5, tf.size, endpoint=True)
    out["repurchase_intent"][tf] = rng_care.integers(1, 5, tf.size, endpoint=True)
    out["nps"][tf] = rng_care.integers(0, 10, tf.size, endpoint=True)

    sp = np.flatnonzero(kind == "speeder")
    noise_cells = rng_care.random((sp.size, n_items)) < 0.35
    sp_random = rng_care.integers(1, 5, size=(sp.size, n_items), endpoint=True).astype(float)
    sp_codes = np.where(noise_cells & ~np.isnan(codes[sp]), sp_random, codes[sp])
    const_rows = np.nanmax(sp_codes, axis=1) == np.nanmin(sp_codes, axis=1)
    sp_codes[const_rows, 0] = np.where(sp_codes[const_rows, 0] == 1.0, 2.0, 1.0)
    codes[sp] = sp_codes

    # clean respondents who honestly fail a trap (recorded, not careless)
    clean_rows = np.flatnonzero(kind == "")
    n_trap_fp = int(rng_care.binomial(clean_rows.size, CLEAN_TRAP_FAIL_RATE))
    trap_fp = np.sort(rng_care.choice(clean_rows, size=n_trap_fp, replace=False))
    traps["trap_rude"][trap_fp] = 4.0

    duration = _durations(rng_dur, n, kind)

    # ---- open answers
    text = open_answers(rng_text, category, n, scores, out["overall_sat"], kind)

    # ---- assemble, order by submission time, assign ids
    order = np.argsort(submitted, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    prefix = cp["prefix"]
    width = max(6, len(str(n)))
    resp_ids = np.array([f"R-{prefix}-{i:0{width}d}" for i in range(1, n + 1)], dtype=object)
    rid = resp_ids[rank]  # respondent id of generation row i
    cust_ids = _prefixed(f"U{cp['code']}", customer_num, 8)
    order_ids = _order_ids(rng_ids, order_sec, start)

    sub_dt = start + submitted.astype("timedelta64[s]")
    cols: dict[str, Any] = {
        RESPONDENT_ID: rid,
        CUSTOMER_ID: cust_ids,
        ORDER_ID: order_ids,
        SUBMITTED_AT: sub_dt,
        DURATION_SEC: duration,
        CATEGORY: Codes(np.zeros(n, dtype=np.int64), (category,)),
    }
    for j, it in enumerate(instrument.items):
        cols[it["id"]] = codes[:, j]
    for t in instrument.traps:
        cols[t] = traps[t]
    for o in instrument.outcomes:
        cols[o] = out[o]
    cols["open_improve"] = text["open_improve"]
    cols["open_exceed"] = text["open_exceed"]
    for s in instrument.segments:
        cols[s] = seg[s]
    responses = _frame(cols, instrument.columns(), order)

    tickets = _ticket_frame(tix, cust_ids, order_ids, start, prefix)

    themes = pd.DataFrame({
        RESPONDENT_ID: pd.array(rid[order], dtype="str"),
        "themes": pd.array(text["theme_strings"][order], dtype="str"),
    })

    truth = planted_truth(
        category=category, n=n, seed=seed, wave=wave, cp=cp, instrument=instrument,
        item_meta=item_meta, kind=kind, rid=rid, responses=responses, scores=scores,
        tickets=tickets, text=text, trap_fp=trap_fp, counts=counts, order=order,
        n_tickets=link["n_tickets"], seg=seg,
    )
    return DemoWave(category=category, wave=wave, seed=seed, responses=responses,
                    tickets=tickets, truth=truth, themes=themes)


def _submission_seconds(rng: np.random.Generator, n: int, span: int) -> np.ndarray:
    """Seconds since the quarter start: uniform day, evening-heavy hour of day."""
    hour_w = np.array([1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.8, 1.5, 2.5, 3.5, 4, 4, 3.5, 3.5, 3.5, 3.5,
                       3.5, 3.5, 4, 4.5, 5, 5, 4, 2])
    n_days = span // 86400
    day = rng.integers(0, n_days, n)
    hour = rng.choice(24, size=n, p=hour_w / hour_w.sum())
    sec = rng.integers(0, 3600, n)
    return (day * 86400 + hour * 3600 + sec).astype(np.int64)


def _clean_traps(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    return {
        "trap_attention": np.full(n, 2.0),
        "trap_rude": rng.choice(np.array([1.0, 2.0, 3.0]), size=n, p=(0.45, 0.35, 0.20)),
    }


def _durations(rng: np.random.Generator, n: int, kind: np.ndarray) -> np.ndarray:
    d = DURATION_MODEL
    lo = ndtr(math.log(d["clean_floor_share"]) / d["sigma"])
    z = ndtri(lo + (1 - lo) * rng.random(n))
    dur = d["median_sec"] * np.exp(d["sigma"] * z)
    tail = rng.random(n) < d["long_tail_rate"]
    dur = np.where(tail, dur * rng.uniform(2, 6, n), dur)
    sp = kind == "speeder"
    dur[sp] = d["median_sec"] * rng.uniform(d["speeder_share_low"], d["speeder_share_high"],
                                            int(sp.sum()))
    return np.round(dur, 1)


# ============================================================================ frames
def _prefixed(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    s = pd.Series(numbers).astype(str).str.zfill(width)
    return (prefix + s).to_numpy(dtype=object)


def _order_ids(rng: np.random.Generator, order_sec: np.ndarray, start: np.datetime64) -> np.ndarray:
    """``O`` + yymmdd of the order + 8 unique digits."""
    day = (start + order_sec.astype("timedelta64[s]")).astype("datetime64[D]")
    ymd = pd.Series(np.datetime_as_string(day, unit="D")).str.replace("-", "", regex=False).str[2:]
    tail = rng.choice(10**8, size=order_sec.size, replace=False)
    return ("O" + ymd + pd.Series(tail).astype(str).str.zfill(8)).to_numpy(dtype=object)


def _column(values: Any, order: np.ndarray) -> Any:
    """One frame column in ``order``: text as the pandas string dtype, numbers as they are."""
    if isinstance(values, Codes):
        return values.to_array(order)
    v = np.asarray(values)[order]
    return pd.array(v, dtype="str") if v.dtype == object else v


def _frame(cols: dict[str, Any], columns: list[str], order: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({c: _column(cols[c], order) for c in columns}, columns=columns)


def _ticket_frame(tix: dict, cust_ids: np.ndarray, order_ids: np.ndarray,
                  start: np.datetime64, prefix: str) -> pd.DataFrame:
    order = np.lexsort((tix["owner"], tix["created_sec"]))
    m = order.size
    width = max(7, len(str(m)))
    owner = tix["owner"][order]
    data = {
        "ticket_id": pd.array([f"T-{prefix}-{i:0{width}d}" for i in range(1, m + 1)], dtype="str"),
        "customer_id": pd.array(cust_ids[owner], dtype="str"),
        "order_id": pd.array(order_ids[owner], dtype="str"),
        "created_at": start + tix["created_sec"][order].astype("timedelta64[s]"),
    }
    for c in TICKET_COLUMNS:
        if c in data:
            continue
        data[c] = _column(tix[c], order)
    return pd.DataFrame(data, columns=list(TICKET_COLUMNS))
