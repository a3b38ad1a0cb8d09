"""The demo generator's random draws of segments and service tickets, shared by the generator
(:mod:`csat_research.demo.generator`) and the population simulation of the tracking waves
(:mod:`csat_research.demo.waves`), so that both draw from one model."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from csat_research.demo.config import (
    AGE_LEVELS,
    CHANNEL_BY_AGE,
    CHANNELS,
    HANDLERS,
    ISSUES,
    PREFERRED,
    PREFERRED_BY_AGE,
    SAMPLING,
    SEVERITY_HIGH_BY_ISSUE,
    TICKET_COUNT_P,
    TICKET_RULES,
)

__all__ = ["Codes", "choice_rows", "draw_segments", "draw_tickets"]


@dataclass(frozen=True)
class Codes:
    """A categorical column as integer codes into ``levels`` (fast to draw, compare, write)."""

    codes: np.ndarray
    levels: tuple[str, ...]

    def is_(self, level: str) -> np.ndarray:
        return self.codes == self.levels.index(level)

    def to_array(self, order: np.ndarray | None = None) -> pd.api.extensions.ExtensionArray:
        codes = self.codes if order is None else self.codes[order]
        dictionary = pa.DictionaryArray.from_arrays(
            pa.array(codes.astype(np.int32)), pa.array(list(self.levels), type=pa.large_string()))
        return pd.array(dictionary.cast(pa.large_string()), dtype="str")


def choice_rows(rng: np.random.Generator, p_rows: np.ndarray) -> np.ndarray:
    """Row-wise categorical draw of codes: ``p_rows`` is (n, k) probabilities."""
    cum = np.cumsum(p_rows, axis=1)
    cum[:, -1] = 1.0
    return (rng.random(p_rows.shape[0])[:, None] > cum).sum(axis=1)


def draw_segments(rng: np.random.Generator, n: int, cp: dict) -> dict[str, Codes]:
    returning = rng.random(n) < SAMPLING["customer_type"]["returning"]
    p_high = np.where(returning, SAMPLING["frequency_band"]["high_if_returning"],
                      SAMPLING["frequency_band"]["high_if_new"])
    high_freq = rng.random(n) < p_high
    high_value = rng.random(n) < SAMPLING["value_band"]["sample_share_high"]
    age = rng.choice(len(AGE_LEVELS), size=n, p=cp["age_mix"])
    chan_p = np.array([CHANNEL_BY_AGE[a] for a in AGE_LEVELS])[age]
    pref_p = np.array([PREFERRED_BY_AGE[a] for a in AGE_LEVELS])[age]
    return {
        "customer_type": Codes(returning.astype(np.int64), ("new", "returning")),
        "frequency_band": Codes(high_freq.astype(np.int64), ("low", "high")),
        "value_band": Codes(high_value.astype(np.int64), ("normal", "high")),
        "age_group": Codes(age, AGE_LEVELS),
        "channel": Codes(choice_rows(rng, chan_p), CHANNELS),
        "preferred_channel": Codes(choice_rows(rng, pref_p), PREFERRED),
    }


def draw_tickets(rng: np.random.Generator, n: int, cp: dict, channel: np.ndarray,
             order_sec: np.ndarray, submitted: np.ndarray) -> tuple[dict, dict]:
    """Ticket log (per-ticket arrays) and per-respondent links to the latent model."""
    k = rng.choice(4, size=n, p=TICKET_COUNT_P)
    owner = np.repeat(np.arange(n), k)
    m = owner.size
    rules = TICKET_RULES
    same = rng.random(m) < rules["same_channel_as_survey"]
    other = rng.choice(len(CHANNELS), size=m, p=(0.33, 0.37, 0.13, 0.17))
    t_channel = np.where(same, channel[owner], other)
    issue = rng.choice(len(ISSUES), size=m, p=cp["issue_mix"])
    high = rng.random(m) < np.array([SEVERITY_HIGH_BY_ISSUE[i] for i in ISSUES])[issue]
    phone = t_channel == CHANNELS.index("phone")
    direct_human = rng.random(m) < np.where(high, rules["direct_human_high"],
                                            rules["direct_human_normal"])
    settles = rng.random(m) < np.where(high, rules["bot_settles_high"], cp["bot_containment"])
    handled = np.where(phone | direct_human, HANDLERS.index("human"),
                       np.where(settles, HANDLERS.index("bot"), HANDLERS.index("bot_to_human")))
    handoff = np.where(
        handled == HANDLERS.index("bot_to_human"),
        np.round(cp["handoff_median_min"]
                 * np.exp(rules["handoff_sigma"] * rng.standard_normal(m)), 2),
        np.nan,
    )
    fr = cp["first_response"]
    first_response = np.round(fr["median_min"] * np.exp(fr["sigma"] * rng.standard_normal(m)), 2)
    first_response = np.maximum(first_response, 0.05)
    fcr = rng.random(m) < cp["fcr"]
    unresolved = rng.random(m) < np.where(fcr, rules["unresolved_if_fcr"],
                                          rules["unresolved_if_not_fcr"])
    res_median = cp["resolution_median_h"] * np.where(fcr, rules["resolution_factor_fcr"],
                                                       rules["resolution_factor_not_fcr"])
    resolution = np.round(
        res_median * np.exp(rules["resolution_sigma"] * rng.standard_normal(m)), 2)
    resolution = np.where(unresolved, np.nan, np.maximum(resolution, 0.01))
    repeat = rng.random(m) < np.where(fcr, rules["repeat_if_fcr"], rules["repeat_if_not_fcr"])
    late = unresolved | (resolution > 24)
    p_esc = np.where(late, rules["escalate_if_late"], rules["escalate_if_on_time"])
    escalated = rng.random(m) < np.minimum(p_esc + high * rules["escalate_extra_high_severity"], 1)
    window = (submitted - order_sec)[owner] - np.ceil(first_response * 60).astype(np.int64) - 60
    created = order_sec[owner] + np.floor(rng.random(m) * np.maximum(window, 0)).astype(np.int64)

    # per-respondent links: slowest first response (standardised log), any non-FCR / repeat
    z = (np.log(first_response) - math.log(fr["median_min"])) / fr["sigma"]
    zmax = np.full(n, -np.inf)
    np.maximum.at(zmax, owner, z)
    zmax = np.where(np.isfinite(zmax), zmax, np.nan)
    bad = np.zeros(n, dtype=bool)
    np.logical_or.at(bad, owner, (~fcr) | repeat)
    tix = {
        "owner": owner, "created_sec": created, "channel": Codes(t_channel, CHANNELS),
        "issue_type": Codes(issue, ISSUES), "handled_by": Codes(handled, HANDLERS),
        "handoff_min": handoff, "first_response_min": first_response,
        "resolution_hours": resolution, "first_contact_resolution": fcr,
        "repeat_contact": repeat, "escalated": escalated,
        "severity": Codes(high.astype(np.int64), ("normal", "high")),
    }
    return tix, {"frt_z_max": zmax, "bad_ticket": bad, "n_tickets": k}
