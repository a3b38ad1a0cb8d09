"""The demo's ground truth: every planted parameter and the realised check values, as JSON.

:func:`planted_truth` assembles ``truth.json`` of one simulated wave (model parameters from
:mod:`csat_research.demo.config` and :mod:`csat_research.demo.answers`, careless respondents,
realised shares, KPIs, themes, PII rows); :func:`jsonable` turns it into plain JSON types with
floats rounded to 6 digits, so that the same seed writes the same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr

from csat_research.core.schema import DIMENSIONS
from csat_research.demo.answers import (
    ENGLISH_RATE,
    MAX_THEMES,
    NEGATED_PRAISE,
    SCRIPT,
    THEME_DIMENSION,
    THEME_SCORE_SLOPE,
    THEMES,
    TYPOS,
    UNCOVERED_TEXTS,
    UNCOVERED_WORDS,
)
from csat_research.demo.config import (
    AGE_LEVELS,
    CARELESS_RATES,
    CHANNEL_BY_AGE,
    CHANNELS,
    CLEAN_TRAP_FAIL_RATE,
    DURATION_MODEL,
    EXPECTED_REPLY_MEDIAN_BY_AGE,
    EXPECTED_REPLY_SIGMA,
    FACTOR_CORRELATION,
    GENERATOR_VERSION,
    HANDLERS,
    INTENT_MODEL,
    ISSUES,
    KPI_TARGETS,
    NPS_MODEL,
    OVERALL_INTERCEPT,
    OVERALL_NOISE_SD,
    OVERALL_WEIGHTS,
    PREFERRED,
    PREFERRED_BY_AGE,
    REPURCHASE_LOGIT,
    SAMPLING,
    SCREENING_RULES,
    SEGMENT_SHIFTS,
    SEVERITY_HIGH_BY_ISSUE,
    THRESHOLDS,
    TICKET_COUNT_P,
    TICKET_LINKS,
    TICKET_RULES,
    Instrument,
)

__all__ = [
    "jsonable",
    "planted_truth",
]

_JSON_DIGITS = 6


def _share(mask: np.ndarray | pd.Series) -> float:
    arr = np.asarray(mask, dtype=bool)
    return float(arr.mean()) if arr.size else float("nan")


def _nps_value(x: np.ndarray) -> float:
    x = x[~np.isnan(x)]
    return float(100.0 * ((x >= 9).mean() - (x <= 6).mean()))


def planted_truth(*, category: str, n: int, seed: int, wave: str, cp: dict, instrument: Instrument,
                  item_meta: dict, kind: np.ndarray, rid: np.ndarray, responses: pd.DataFrame,
                  scores: np.ndarray, tickets: pd.DataFrame, text: dict, trap_fp: np.ndarray,
                  counts: dict, order: np.ndarray, n_tickets: np.ndarray, seg: dict) -> dict:
    """The truth of one simulated wave (JSON-ready; see :func:`jsonable` for writing)."""
    careless = {k: sorted(rid[kind == k].tolist()) for k in CARELESS_RATES}
    clean_gen = kind == ""
    clean = clean_gen[order]  # row order of ``responses``
    df = responses
    obs_means = {d: float(np.nanmean(scores[clean_gen, j])) for j, d in enumerate(DIMENSIONS)}
    rep = df["repurchase"].to_numpy()
    age_code = seg["age_group"].codes[order]
    pref_code = seg["preferred_channel"].codes[order]
    age_n = np.bincount(age_code, minlength=len(AGE_LEVELS))
    age_pref_n = np.bincount(age_code * len(PREFERRED) + pref_code,
                             minlength=len(AGE_LEVELS) * len(PREFERRED)).reshape(
        len(AGE_LEVELS), len(PREFERRED))

    # ticket KPIs
    frt = tickets["first_response_min"].to_numpy()
    res = tickets["resolution_hours"].to_numpy()
    by = {h: np.asarray(tickets["handled_by"] == h, dtype=bool) for h in HANDLERS}
    high = np.asarray(tickets["severity"] == "high", dtype=bool)
    bot_started = ~by["human"]
    handoff = tickets["handoff_min"].to_numpy()
    fr = cp["first_response"]
    expected_5 = float(ndtr(math.log(5.0 / fr["median_min"]) / fr["sigma"]))
    realised = {
        "n_tickets": int(len(tickets)),
        "first_reply_5min": _share(frt <= 5.0),
        "first_response_median_min": float(np.median(frt)) if frt.size else float("nan"),
        "resolved_24h": _share(res <= 24.0),
        "unresolved": _share(np.isnan(res)),
        "fcr": _share(tickets["first_contact_resolution"]),
        "bot_containment": _share(by["bot"][bot_started & ~high]),
        "bot_containment_all_bot_started": _share(by["bot"][bot_started]),
        "handoff_30min": _share(handoff[by["bot_to_human"]] <= 30.0),
        "repeat_contact": _share(tickets["repeat_contact"]),
        "escalated": _share(tickets["escalated"]),
        "severity_high": _share(high),
        "handled_by": {h: _share(by[h]) for h in HANDLERS},
        "respondents_with_ticket": _share(n_tickets > 0),
    }
    kpi = {
        "definitions": {
            "first_reply_5min": "share of tickets with first_response_min <= 5",
            "resolved_24h": "share of tickets with resolution_hours <= 24 (unresolved count as no)",
            "fcr": "share of tickets with first_contact_resolution",
            "bot_containment": "share handled_by == 'bot' among normal-severity tickets that "
                               "started with the bot (handled_by bot or bot_to_human)",
            "handoff_30min": "share of bot_to_human tickets with handoff_min <= 30",
        },
        "targets": dict(KPI_TARGETS),
        "planted": {
            "first_response_median_min": fr["median_min"],
            "first_response_sigma": fr["sigma"],
            "first_reply_5min_expected": expected_5,
            "fcr": cp["fcr"],
            "bot_containment": cp["bot_containment"],
            "handoff_median_min": cp["handoff_median_min"],
            "resolution_median_h": cp["resolution_median_h"],
            "issue_mix": dict(zip(ISSUES, cp["issue_mix"], strict=True)),
            "severity_high_by_issue": dict(SEVERITY_HIGH_BY_ISSUE),
            "ticket_count_probabilities": list(TICKET_COUNT_P),
            "rules": dict(TICKET_RULES),
        },
        "realised": realised,
        "target_met": {
            k: bool(realised[k] >= KPI_TARGETS[k]) for k in KPI_TARGETS
        },
    }

    kept = text["kept"]
    theme_realised = {t: float(kept[:, j].mean()) for j, t in enumerate(THEMES)}
    pii_ids = sorted(rid[text["pii_rows"]].tolist())
    script_ids = sorted(rid[text["script_rows"]].tolist())
    uncovered_ids = sorted(rid[text["uncovered_rows"]].tolist())

    exp_med = df["expected_reply_min"].to_numpy()
    pref_by_age = {
        a: {c: float(age_pref_n[i, j] / age_n[i]) if age_n[i] else None
            for j, c in enumerate(PREFERRED)}
        for i, a in enumerate(AGE_LEVELS)
    }
    truth = {
        "generator": {"module": "csat_research.demo.generator", "version": GENERATOR_VERSION},
        "category": category,
        "wave": wave,
        "seed": seed,
        "n": n,
        "columns": list(df.columns),
        "files": {
            "responses.csv": "canonical survey frame; item codes 1-5, empty cell = missing",
            "tickets.csv": "service-ticket log (csat_research.core.schema.TICKET_COLUMNS)",
            "truth_themes.csv": "respondent_id, themes: planted complaint themes of "
                                "open_improve, ';'-joined in the order of themes.ids, "
                                "empty for none",
        },
        "sampling": {
            "design": dict(SAMPLING),
            "age_mix": dict(zip(AGE_LEVELS, cp["age_mix"], strict=True)),
            "channel_by_age": {a: dict(zip(CHANNELS, p, strict=True))
                               for a, p in CHANNEL_BY_AGE.items()},
            "preferred_channel_by_age": {a: dict(zip(PREFERRED, p, strict=True))
                                         for a, p in PREFERRED_BY_AGE.items()},
            "realised_shares": {
                "customer_type[returning]": _share(seg["customer_type"].is_("returning")),
                "frequency_band[high]": _share(seg["frequency_band"].is_("high")),
                "value_band[high]": _share(seg["value_band"].is_("high")),
                "age_group": {a: float(age_n[i] / n) for i, a in enumerate(AGE_LEVELS)},
            },
            "realised_preferred_channel_by_age": pref_by_age,
        },
        "expected_reply_min": {
            "model": "lognormal, age-specific median, rounded to 0.1 min, clipped 0.5-1440",
            "median_by_age": dict(EXPECTED_REPLY_MEDIAN_BY_AGE),
            "sigma": EXPECTED_REPLY_SIGMA,
            "realised_median": float(np.median(exp_med)),
            "realised_median_by_age": {a: float(np.median(exp_med[age_code == i]))
                                       if age_n[i] else None
                                       for i, a in enumerate(AGE_LEVELS)},
        },
        "latent": {
            "dimensions": list(DIMENSIONS),
            "factor_correlation": [list(r) for r in FACTOR_CORRELATION],
            "category_means": dict(cp["latent_means"]),
            "segment_shifts": {k: dict(v) for k, v in SEGMENT_SHIFTS.items()},
            "ticket_links": dict(TICKET_LINKS),
            "item_model": "y* = latent_mean_j + loading_j * F_d + sqrt(1 - loading_j^2) * e, "
                          "e ~ N(0, 1); reverse items: 6 - y*; code = 1 + #(thresholds < y*)",
            "thresholds": list(THRESHOLDS),
            "items": item_meta,
            "reverse_items": [i["id"] for i in instrument.items if i["reverse"]],
        },
        "weakest_dimension": cp["weakest_dimension"],
        "dimension_score_definition": (
            "mean of the answered items of the dimension after reverse-keying (6 - x for "
            "reverse items); NaN when fewer than half of its items are answered"
        ),
        "dimension_items": {d: [i["id"] for i in instrument.items if i["dimension"] == d]
                            for d in DIMENSIONS},
        "observed_dimension_means_clean": obs_means,
        "overall_sat_model": {
            "formula": "overall_sat = round(clip(intercept + sum_d weight_d * score_d + "
                       "N(0, noise_sd), 1, 5)); NaN scores replaced by the sample mean",
            "intercept": OVERALL_INTERCEPT,
            "weights": dict(OVERALL_WEIGHTS),
            "noise_sd": OVERALL_NOISE_SD,
        },
        "most_important_dimension": max(OVERALL_WEIGHTS, key=OVERALL_WEIGHTS.get),
        "repurchase_logit": dict(REPURCHASE_LOGIT),
        "repurchase_model": "repurchase ~ Bernoulli(1 / (1 + exp(-(const + sum_d b_d score_d "
                            "+ b * [customer_type == returning])))), observed scores of the "
                            "model answers (also for careless respondents: behaviour)",
        "nps_model": dict(NPS_MODEL, formula="nps = round(clip(const + b * overall_sat + "
                                              "N(0, noise_sd), 0, 10))"),
        "repurchase_intent_model": dict(INTENT_MODEL),
        "realised": {
            "csat_mean_all": float(np.nanmean(df["overall_sat"])),
            "csat_mean_clean": float(np.nanmean(df["overall_sat"].to_numpy()[clean])),
            "csat_top2box_clean": _share(df["overall_sat"].to_numpy()[clean] >= 4),
            "repurchase_rate_all": float(np.mean(rep)),
            "repurchase_rate_clean": float(np.mean(rep[clean])),
            "nps_all": _nps_value(df["nps"].to_numpy()),
            "nps_clean": _nps_value(df["nps"].to_numpy()[clean]),
            "item_missing_share": float(np.isnan(
                df[[i["id"] for i in instrument.items]].to_numpy()).mean()),
        },
        "careless": careless,
        "careless_design": {
            "rates": dict(CARELESS_RATES),
            "counts": {k: int(v) for k, v in counts.items()},
            "duration": dict(DURATION_MODEL),
            "straightliner": "same code (3: 20 %, 4: 50 %, 5: 30 %) on every item, no missing; "
                             "traps passed; overall_sat = repurchase_intent = that code",
            "trap_failure": "trap_attention != 2 (60 %), trap_rude in 4-5 (25 %) or both "
                            "(15 %); items and ratings uniformly random",
            "speeder": "duration 0.08-0.28 x 420 s; 35 % of item cells random; traps passed",
            "duplicate": "same customer_id as an earlier clean respondent, submitted 3+ days "
                         "later in the quarter, new respondent_id and order_id; the later "
                         "response is listed",
            "clean_trap_fail_rate": CLEAN_TRAP_FAIL_RATE,
        },
        "clean_trap_fail": sorted(rid[trap_fp].tolist()),
        "screening_rules": dict(SCREENING_RULES),
        "themes": {
            "ids": list(THEMES),
            "dimension_of": dict(THEME_DIMENSION),
            "top_themes": list(cp["top_themes"]),
            "planted_share": text["planted_share"],
            "realised_share": theme_realised,
            "score_slope": THEME_SCORE_SLOPE,
            "max_per_answer": MAX_THEMES,
            "share_with_any_theme": _share(kept.any(axis=1)),
            "model": "P(theme t) = planted_share_t * m / mean(m), m = exp(-score_slope * "
                     "(score_d - mean score_d)) of the theme's dimension; straight-liners and "
                     "speeders mention none; trap failures at the planted shares",
        },
        "top_themes": list(cp["top_themes"]),
        "text": {
            "pii_respondent_ids": pii_ids,
            "pii_counts": text["pii_counts"],
            "script_respondent_ids": script_ids,
            "script": SCRIPT,
            "typo_pairs": [list(p) for p in TYPOS],
            "n_typos": text["n_typos"],
            "n_negated_praise": text["n_negated_praise"],
            "negated_praise_texts": list(NEGATED_PRAISE),
            "english_rate_per_sentence": ENGLISH_RATE,
            "n_english_sentences": text["n_english_sentences"],
            "uncovered_complaint": {
                "kind": "loyalty_points",
                "texts": list(UNCOVERED_TEXTS),
                "words": list(UNCOVERED_WORDS),
                "respondent_ids": uncovered_ids,
                "n": len(uncovered_ids),
                "model": "planted in answers left empty, with probability by overall satisfaction "
                         "1..5; matches no theme of the lexicon (found by the emerging topics)",
            },
        },
        "kpi": kpi,
    }
    return truth


def jsonable(obj: Any) -> Any:
    """Plain JSON types with floats rounded to a fixed number of digits (NaN -> None)."""
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        x = float(obj)
        if not math.isfinite(x):
            return None
        return round(x, _JSON_DIGITS) + 0.0
    if obj is None or isinstance(obj, str):
        return obj
    raise TypeError(f"cannot write {type(obj).__name__} to truth.json")
