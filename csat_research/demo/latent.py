"""The demo's latent satisfaction model: factors, item codes, dimension scores, outcomes.

:func:`latent_factors` draws the five correlated factors with their segment and ticket
shifts; :func:`item_codes` turns them into 1-5 item codes (loadings, offsets, thresholds,
reverse keying, answers missing at random); :func:`dimension_scores` computes the observed
scores as the study does; :func:`outcomes` draws ``overall_sat``, ``repurchase``, ``nps``,
``repurchase_intent`` and ``expected_reply_min`` from them. The parameters are in
:mod:`csat_research.demo.config`.
"""

from __future__ import annotations

import math

import numpy as np

from csat_research.core.schema import DIMENSIONS
from csat_research.demo.config import (
    AGE_LEVELS,
    DEFAULT_ITEM_PARAMS,
    EXPECTED_REPLY_MEDIAN_BY_AGE,
    EXPECTED_REPLY_SIGMA,
    FACTOR_CORRELATION,
    INTENT_MODEL,
    ITEM_MISSING,
    ITEM_PARAMS,
    MISSING_BASE,
    MISSING_CATEGORY_ITEM,
    MISSING_REVERSE,
    NPS_MODEL,
    OVERALL_INTERCEPT,
    OVERALL_NOISE_SD,
    OVERALL_WEIGHTS,
    REPURCHASE_LOGIT,
    SEGMENT_SHIFTS,
    THRESHOLDS,
    TICKET_LINKS,
    Instrument,
)

__all__ = ["dimension_scores", "item_codes", "latent_factors", "outcomes"]


def latent_factors(rng: np.random.Generator, n: int, seg: dict, link: dict) -> np.ndarray:
    """Correlated latent factors (one column per dimension) with segment and ticket shifts."""
    chol = np.linalg.cholesky(np.asarray(FACTOR_CORRELATION))
    f = rng.standard_normal((n, len(DIMENSIONS))) @ chol.T
    dim = {d: j for j, d in enumerate(DIMENSIONS)}
    for key, shifts in SEGMENT_SHIFTS.items():
        var, level = key[:-1].split("[")
        mask = seg[var].is_(level)
        for d, v in shifts.items():
            f[mask, dim[d]] += v
    z = np.clip(np.nan_to_num(link["frt_z_max"], nan=0.0), -TICKET_LINKS["efficiency_z_clip"],
                TICKET_LINKS["efficiency_z_clip"])
    f[:, dim["efficiency"]] += TICKET_LINKS["efficiency_per_sd_log_first_response"] * z
    f[link["bad_ticket"], dim["quality"]] += TICKET_LINKS[
        "quality_if_unresolved_first_contact_or_repeat"]
    return f


def item_codes(rng: np.random.Generator, instrument: Instrument, cp: dict,
               factors: np.ndarray) -> tuple[np.ndarray, dict]:
    """Item codes 1-5 (NaN = missing) from the factors, and each item's planted parameters."""
    n = factors.shape[0]
    k = len(instrument.items)
    dim = {d: j for j, d in enumerate(DIMENSIONS)}
    codes = np.empty((n, k))
    meta: dict[str, dict] = {}
    thresholds = np.asarray(THRESHOLDS)
    for j, it in enumerate(instrument.items):
        lam, offset = ITEM_PARAMS.get(it["id"], DEFAULT_ITEM_PARAMS)
        mu = cp["latent_means"][it["dimension"]] + offset
        ystar = mu + lam * factors[:, dim[it["dimension"]]] + math.sqrt(1 - lam**2) * \
            rng.standard_normal(n)
        if it["reverse"]:
            ystar = 6.0 - ystar
        codes[:, j] = 1.0 + np.searchsorted(thresholds, ystar, side="left")
        category_item = it["id"] not in _GENERIC_ITEM_IDS
        rate = ITEM_MISSING.get(it["id"], MISSING_REVERSE if it["reverse"] else (
            MISSING_CATEGORY_ITEM if category_item else MISSING_BASE))
        codes[rng.random(n) < rate, j] = np.nan
        meta[it["id"]] = {"dimension": it["dimension"], "loading": lam, "latent_mean": mu,
                          "reverse": it["reverse"], "missing_rate": rate}
    return codes, meta


_GENERIC_ITEM_IDS = frozenset(
    i for i in ITEM_PARAMS
    if not i.startswith(("app_", "apl_", "bty_", "baby_"))
)


def dimension_scores(codes: np.ndarray, instrument: Instrument) -> np.ndarray:
    """Observed dimension scores: mean of answered items after reverse-keying."""
    keyed = codes.copy()
    rev = np.array([it["reverse"] for it in instrument.items])
    keyed[:, rev] = 6.0 - keyed[:, rev]
    out = np.full((codes.shape[0], len(DIMENSIONS)), np.nan)
    for j, d in enumerate(DIMENSIONS):
        cols = [i for i, it in enumerate(instrument.items) if it["dimension"] == d]
        block = keyed[:, cols]
        answered = (~np.isnan(block)).sum(axis=1)
        total = np.nansum(block, axis=1)
        ok = answered >= 0.5 * len(cols)
        out[ok, j] = total[ok] / answered[ok]
    return out


def outcomes(rng: np.random.Generator, scores: np.ndarray, returning: np.ndarray,
             age: np.ndarray) -> dict[str, np.ndarray]:
    """``overall_sat``, ``repurchase``, ``nps``, ``repurchase_intent``, ``expected_reply_min``."""
    n = scores.shape[0]
    filled = np.where(np.isnan(scores), np.nanmean(scores, axis=0), scores)
    w = np.array([OVERALL_WEIGHTS[d] for d in DIMENSIONS])
    overall_cont = OVERALL_INTERCEPT + filled @ w + OVERALL_NOISE_SD * rng.standard_normal(n)
    overall = np.clip(np.round(overall_cont), 1, 5)
    b = np.array([REPURCHASE_LOGIT[d] for d in DIMENSIONS])
    eta = (REPURCHASE_LOGIT["const"] + filled @ b
           + REPURCHASE_LOGIT["customer_type[returning]"] * returning)
    repurchase = (rng.random(n) < 1.0 / (1.0 + np.exp(-eta))).astype(float)
    nps = np.clip(np.round(NPS_MODEL["const"] + NPS_MODEL["overall_sat"] * overall
                           + NPS_MODEL["noise_sd"] * rng.standard_normal(n)), 0, 10)
    intent = np.clip(np.round(INTENT_MODEL["const"] + INTENT_MODEL["overall_sat"] * overall
                              + INTENT_MODEL["customer_type[returning]"] * returning
                              + INTENT_MODEL["noise_sd"] * rng.standard_normal(n)), 1, 5)
    med = np.array([EXPECTED_REPLY_MEDIAN_BY_AGE[a] for a in AGE_LEVELS])[age]
    expected = np.clip(np.round(med * np.exp(EXPECTED_REPLY_SIGMA * rng.standard_normal(n)), 1),
                       0.5, 1440.0)
    return {"overall_sat": overall, "nps": nps, "repurchase_intent": intent,
            "repurchase": repurchase, "expected_reply_min": expected}
