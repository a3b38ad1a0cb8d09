"""The demo generator's planted parameters and the instrument it simulates.

Everything :mod:`csat_research.demo.generator` plants and :mod:`csat_research.demo.truth`
records: the latent factor correlations (:data:`FACTOR_CORRELATION`), the models of
``overall_sat`` (:data:`OVERALL_WEIGHTS`), ``repurchase`` (:data:`REPURCHASE_LOGIT`), NPS and
repurchase intent, the item loadings and offsets, missing-answer rates, segment mixes and
shifts, careless-respondent rates, the ticket rules and the per-category parameters
(:data:`CATEGORY_PARAMS`: latent means, KPIs, issue mix, theme shares). Complaint themes and
open-answer templates are in :mod:`csat_research.demo.answers`.

:func:`load_instrument` reads the shipped default instrument for one category and checks that
it has what the simulation needs.
"""

from __future__ import annotations

import importlib.resources
from dataclasses import dataclass
from typing import Any

from csat_research.core.errors import CodebookError
from csat_research.core.schema import DIMENSIONS, METADATA_COLUMNS
from csat_research.io.yamlio import load_yaml

__all__ = [
    "AGE_LEVELS",
    "CARELESS_RATES",
    "CATEGORY_PARAMS",
    "CHANNELS",
    "CHANNEL_BY_AGE",
    "CLEAN_TRAP_FAIL_RATE",
    "DEFAULT_ITEM_PARAMS",
    "DEMO_CATEGORIES",
    "DEMO_WAVES",
    "DURATION_MODEL",
    "EXPECTED_REPLY_MEDIAN_BY_AGE",
    "EXPECTED_REPLY_SIGMA",
    "FACTOR_CORRELATION",
    "GENERATOR_VERSION",
    "HANDLERS",
    "INTENT_MODEL",
    "ISSUES",
    "ITEM_MISSING",
    "ITEM_PARAMS",
    "KPI_TARGETS",
    "MISSING_BASE",
    "MISSING_CATEGORY_ITEM",
    "MISSING_REVERSE",
    "NPS_MODEL",
    "OVERALL_INTERCEPT",
    "OVERALL_NOISE_SD",
    "OVERALL_WEIGHTS",
    "PREFERRED",
    "PREFERRED_BY_AGE",
    "REPURCHASE_LOGIT",
    "SAMPLING",
    "SCREENING_RULES",
    "SEGMENT_SHIFTS",
    "SEVERITY_HIGH_BY_ISSUE",
    "THRESHOLDS",
    "TICKET_COUNT_P",
    "TICKET_LINKS",
    "TICKET_RULES",
    "WAVE_MOVES",
    "Instrument",
    "load_instrument",
]

#: Version of the generating model (bump when the planted model changes).
GENERATOR_VERSION = 1

#: Correlations of the five latent factors (order of :data:`DIMENSIONS`).
FACTOR_CORRELATION = (
    (1.00, 0.55, 0.45, 0.40, 0.50),
    (0.55, 1.00, 0.60, 0.50, 0.40),
    (0.45, 0.60, 1.00, 0.45, 0.45),
    (0.40, 0.50, 0.45, 1.00, 0.40),
    (0.50, 0.40, 0.45, 0.40, 1.00),
)

#: Weights of the observed dimension scores in ``overall_sat`` (quality most important).
OVERALL_WEIGHTS = {
    "efficiency": 0.30,
    "quality": 0.40,
    "communication": 0.12,
    "after_sales": 0.10,
    "digital": 0.08,
}
OVERALL_INTERCEPT = 0.0
OVERALL_NOISE_SD = 0.45

#: Planted logit of ``repurchase`` on the observed dimension scores and customer type.
REPURCHASE_LOGIT = {
    "const": -9.6,
    "efficiency": 0.45,
    "quality": 0.85,
    "communication": 0.40,
    "after_sales": 0.60,
    "digital": 0.40,
    "customer_type[returning]": 0.90,
}

NPS_MODEL = {"const": 0.0, "overall_sat": 2.3, "noise_sd": 1.2}
INTENT_MODEL = {"const": 0.9, "overall_sat": 0.62, "customer_type[returning]": 0.35,
                "noise_sd": 0.65}


AGE_LEVELS = ("post00", "post95", "post90", "post80", "post70")
CHANNELS = ("wechat", "app", "web", "phone")
PREFERRED = ("im", "phone", "self_service", "email")
PREFERRED_BY_AGE = {
    "post00": (0.64, 0.05, 0.25, 0.06),
    "post95": (0.60, 0.07, 0.27, 0.06),
    "post90": (0.48, 0.14, 0.28, 0.10),
    "post80": (0.36, 0.28, 0.24, 0.12),
    "post70": (0.20, 0.50, 0.15, 0.15),
}
CHANNEL_BY_AGE = {
    "post00": (0.30, 0.52, 0.10, 0.08),
    "post95": (0.32, 0.47, 0.11, 0.10),
    "post90": (0.35, 0.38, 0.14, 0.13),
    "post80": (0.36, 0.27, 0.15, 0.22),
    "post70": (0.30, 0.14, 0.14, 0.42),
}
EXPECTED_REPLY_MEDIAN_BY_AGE = {
    "post00": 4.3, "post95": 4.8, "post90": 5.8, "post80": 7.0, "post70": 9.0,
}
EXPECTED_REPLY_SIGMA = 0.6

SAMPLING = {
    "customer_type": {"returning": 0.60},
    "frequency_band": {"high_if_returning": 0.45, "high_if_new": 0.12},
    "value_band": {"sample_share_high": 0.20, "population_share_high": 0.10},
}

SEGMENT_SHIFTS = {
    "customer_type[returning]": {d: 0.10 for d in DIMENSIONS},
    "value_band[high]": {"efficiency": -0.10},
    "age_group[post00]": {"digital": 0.15},
    "age_group[post95]": {"digital": 0.15},
    "age_group[post80]": {"digital": -0.10},
    "age_group[post70]": {"digital": -0.30},
}
TICKET_LINKS = {
    "efficiency_per_sd_log_first_response": -0.30,
    "efficiency_z_clip": 2.5,
    "quality_if_unresolved_first_contact_or_repeat": -0.40,
}

THRESHOLDS = (1.5, 2.5, 3.5, 4.5)

#: Item id -> (standardised loading, offset of the latent item mean).
ITEM_PARAMS = {
    "eff_first_reply": (0.80, -0.10),
    "eff_order_notice": (0.65, 0.25),
    "eff_logistics_alert": (0.72, 0.00),
    "eff_aftersales_speed": (0.78, -0.15),
    "eff_wait_r": (0.62, 0.00),
    "apl_refund_qc": (0.70, -0.20),
    "qual_fcr": (0.82, -0.05),
    "qual_solution_fit": (0.78, 0.10),
    "qual_no_repeat": (0.75, 0.00),
    "qual_followup": (0.68, -0.15),
    "qual_repeat_r": (0.60, 0.00),
    "app_tech_support": (0.72, -0.10),
    "comm_script": (0.70, 0.15),
    "comm_knowledge": (0.78, -0.05),
    "comm_empathy": (0.74, 0.00),
    "comm_clarity": (0.85, 0.00),
    "comm_scenario": (0.66, -0.15),
    "aft_policy_clarity": (0.72, 0.15),
    "aft_return_convenience": (0.78, 0.00),
    "aft_warranty": (0.64, -0.10),
    "aft_member_priority": (0.60, -0.05),
    "app_spare_parts": (0.70, -0.25),
    "apl_exchange_flow": (0.76, -0.05),
    "bty_allergy_return": (0.70, 0.10),
    "baby_advisor": (0.68, 0.05),
    "dig_selfservice": (0.76, 0.00),
    "dig_consistency": (0.72, 0.05),
    "dig_bot_handoff": (0.70, -0.20),
    "dig_privacy": (0.62, 0.10),
}
DEFAULT_ITEM_PARAMS = (0.70, 0.0)
ITEM_MISSING = {"aft_warranty": 0.06, "aft_member_priority": 0.05}
MISSING_BASE, MISSING_REVERSE, MISSING_CATEGORY_ITEM = 0.02, 0.03, 0.04

CARELESS_RATES = {"straightliner": 0.025, "trap_failure": 0.025, "speeder": 0.020,
                  "duplicate": 0.010}
CLEAN_TRAP_FAIL_RATE = 0.001
DURATION_MODEL = {"median_sec": 420.0, "sigma": 0.35, "clean_floor_share": 0.5,
                  "speeder_share_low": 0.08, "speeder_share_high": 0.28, "long_tail_rate": 0.02}
SCREENING_RULES = {
    "trap": "trap answer not among the expected codes (trap_attention: 2; trap_rude: 1-3)",
    "straightline": "all grid items (every item of the category) identical",
    "speeder": "duration_sec < 0.35 x median duration",
    "repeat_customer": "same customer_id answered earlier within 182 days (later one flagged)",
}

TICKET_COUNT_P = (0.12, 0.55, 0.23, 0.10)
ISSUES = ("logistics", "refund", "return", "product", "other")
HANDLERS = ("bot", "bot_to_human", "human")
SEVERITY_HIGH_BY_ISSUE = {"logistics": 0.14, "refund": 0.06, "return": 0.06,
                          "product": 0.12, "other": 0.05}
TICKET_RULES = {
    "direct_human_normal": 0.08,
    "direct_human_high": 0.40,
    "bot_settles_high": 0.20,
    "handoff_sigma": 0.9,
    "unresolved_if_fcr": 0.03,
    "unresolved_if_not_fcr": 0.10,
    "resolution_sigma": 0.9,
    "resolution_factor_fcr": 0.45,
    "resolution_factor_not_fcr": 1.6,
    "repeat_if_fcr": 0.04,
    "repeat_if_not_fcr": 0.45,
    "escalate_if_late": 0.65,
    "escalate_if_on_time": 0.03,
    "escalate_extra_high_severity": 0.15,
    "same_channel_as_survey": 0.80,
}

#: Category -> planted parameters (latent means, KPIs, themes, age mix).
CATEGORY_PARAMS: dict[str, dict[str, Any]] = {
    "appliances": {
        "code": 1, "prefix": "appl",
        "age_mix": (0.10, 0.17, 0.23, 0.28, 0.22),
        "latent_means": {"efficiency": 3.55, "quality": 2.95, "communication": 3.60,
                         "after_sales": 3.40, "digital": 3.55},
        "weakest_dimension": "quality",
        "first_response": {"median_min": 6.5, "sigma": 0.70},
        "handoff_median_min": 12.0,
        "bot_containment": 0.6,
        "fcr": 0.65,
        "resolution_median_h": 28.0,
        "issue_mix": (0.30, 0.08, 0.10, 0.42, 0.10),
        "theme_share": {"installation_repair": 0.24, "logistics_updates": 0.15},
        "top_themes": ("installation_repair", "logistics_updates"),
    },
    "apparel": {
        "code": 2, "prefix": "appa",
        "age_mix": (0.26, 0.28, 0.22, 0.15, 0.09),
        "latent_means": {"efficiency": 3.55, "quality": 3.60, "communication": 3.65,
                         "after_sales": 3.00, "digital": 3.60},
        "weakest_dimension": "after_sales",
        "first_response": {"median_min": 2.6, "sigma": 0.45},
        "handoff_median_min": 6.0,
        "bot_containment": 0.75,
        "fcr": 0.72,
        "resolution_median_h": 22.0,
        "issue_mix": (0.22, 0.25, 0.35, 0.08, 0.10),
        "theme_share": {"return_process": 0.24, "refund_slow": 0.15},
        "top_themes": ("return_process", "refund_slow"),
    },
    "beauty": {
        "code": 3, "prefix": "beau",
        "age_mix": (0.28, 0.30, 0.22, 0.13, 0.07),
        "latent_means": {"efficiency": 3.70, "quality": 3.65, "communication": 3.05,
                         "after_sales": 3.55, "digital": 3.50},
        "weakest_dimension": "communication",
        "first_response": {"median_min": 2.8, "sigma": 0.40},
        "handoff_median_min": 5.0,
        "bot_containment": 0.77,
        "fcr": 0.82,
        "resolution_median_h": 15.0,
        "issue_mix": (0.20, 0.12, 0.13, 0.40, 0.15),
        "theme_share": {"product_knowledge": 0.22, "bot_unhelpful": 0.15},
        "top_themes": ("product_knowledge", "bot_unhelpful"),
    },
    "baby": {
        "code": 4, "prefix": "baby",
        "age_mix": (0.06, 0.30, 0.38, 0.20, 0.06),
        "latent_means": {"efficiency": 2.95, "quality": 3.55, "communication": 3.60,
                         "after_sales": 3.50, "digital": 3.55},
        "weakest_dimension": "efficiency",
        "first_response": {"median_min": 12.3, "sigma": 0.55},
        "handoff_median_min": 7.0,
        "bot_containment": 0.64,
        "fcr": 0.76,
        "resolution_median_h": 18.0,
        "issue_mix": (0.40, 0.12, 0.13, 0.20, 0.15),
        "theme_share": {"slow_reply": 0.23, "logistics_updates": 0.15},
        "top_themes": ("slow_reply", "logistics_updates"),
    },
}


#: Categories the demo can simulate.
DEMO_CATEGORIES = tuple(CATEGORY_PARAMS)

#: The demo's tracking waves, oldest first; the latest is simulated with :data:`CATEGORY_PARAMS`.
DEMO_WAVES = ("2026Q1", "2026Q2", "2026Q3")

#: Planted moves of the latent dimension means between consecutive waves:
#: category -> (from_wave, to_wave) -> {dimension: shift of the latent mean}. An earlier wave's
#: means are the latest wave's minus the moves after it. Beauty does not move in the latest step.
#: A move either shifts the headline figures clearly (one dimension with a large weight: the
#: dimension, the overall index, CSAT top-2-box and NPS all change) or not at all (two moves whose
#: effects on the overall satisfaction and the index cancel): nothing in between, so that a
#: 2,000-respondent wave finds exactly the planted changes (see :mod:`csat_research.demo.waves`).
WAVE_MOVES: dict[str, dict[tuple[str, str], dict[str, float]]] = {
    "appliances": {("2026Q2", "2026Q3"): {"quality": 0.60}},
    "apparel": {("2026Q1", "2026Q2"): {"efficiency": -0.80},
                ("2026Q2", "2026Q3"): {"after_sales": 0.45, "digital": -0.55}},
    "beauty": {("2026Q1", "2026Q2"): {"quality": -0.60}},
    "baby": {("2026Q2", "2026Q3"): {"efficiency": 0.70}},
}

KPI_TARGETS = {"first_reply_5min": 0.90, "resolved_24h": 0.70, "fcr": 0.80,
               "bot_containment": 0.70, "handoff_30min": 0.90}


@dataclass(frozen=True)
class Instrument:
    """What the demo reads from the instrument: items, traps, outcomes, open questions, segments."""

    items: tuple[dict, ...]          # id, dimension, reverse (instrument order)
    traps: tuple[str, ...]
    trap_expected: dict
    outcomes: tuple[str, ...]
    open_ids: tuple[str, ...]
    segments: dict                   # id -> levels

    def columns(self) -> list[str]:
        return [*METADATA_COLUMNS, *(i["id"] for i in self.items), *self.traps,
                *self.outcomes, *self.open_ids, *self.segments]


def load_instrument(category: str) -> Instrument:
    """Read the shipped default instrument (package data) for ``category``."""
    ref = importlib.resources.files("csat_research") / "data" / "instrument_default.yaml"
    source = "csat_research/data/instrument_default.yaml"
    doc = load_yaml(ref.read_text(encoding="utf-8"))
    try:
        items = tuple(
            {"id": it["id"], "dimension": it["dimension"],
             "reverse": bool(it.get("reverse", False))}
            for it in doc["items"]
            if it.get("categories") is None or category in it["categories"]
        )
        traps = tuple(t["id"] for t in doc.get("traps", []))
        trap_expected = {t["id"]: [int(x) for x in t["expected"]] for t in doc.get("traps", [])}
        outcomes = {o["role"]: o["id"] for o in doc["outcomes"]}
        open_q = {q["role"]: q["id"] for q in doc["open_questions"]}
        segments = {s["id"]: list(s["levels"]) for s in doc["segments"]}
    except (KeyError, TypeError) as exc:
        raise CodebookError(f"{source}: cannot read the instrument: missing {exc}") from exc
    problems = []
    for it in items:
        if it["dimension"] not in DIMENSIONS:
            problems.append(f"items: {it['id']!r} has dimension {it['dimension']!r}; "
                            f"the demo simulates {', '.join(DIMENSIONS)}")
    need_traps = {"trap_attention": [2], "trap_rude": [1, 2, 3]}
    for tid, exp in need_traps.items():
        if trap_expected.get(tid) != exp:
            problems.append(f"traps: {tid!r} must exist with expected {exp}; "
                            f"got {trap_expected.get(tid)}")
    roles = ("overall", "nps", "repurchase_intent", "repurchase", "expected_reply")
    want_outcomes = dict(zip(roles, ("overall_sat", "nps", "repurchase_intent", "repurchase",
                                     "expected_reply_min"), strict=True))
    for role, oid in want_outcomes.items():
        if outcomes.get(role) != oid:
            problems.append(f"outcomes: role {role!r} must be {oid!r}; got {outcomes.get(role)!r}")
    if open_q.get("improve") != "open_improve" or open_q.get("exceed") != "open_exceed":
        problems.append("open_questions: need open_improve (improve) and open_exceed (exceed)")
    want_segments = {"customer_type": ["new", "returning"], "frequency_band": ["low", "high"],
                     "value_band": ["normal", "high"], "age_group": list(AGE_LEVELS),
                     "channel": list(CHANNELS), "preferred_channel": list(PREFERRED)}
    for sid, levels in want_segments.items():
        if sorted(segments.get(sid, [])) != sorted(levels):
            problems.append(f"segments: {sid!r} must have levels {levels}; "
                            f"got {segments.get(sid)}")
    if problems:
        raise CodebookError(f"{source}: " + "; ".join(problems))
    return Instrument(
        items=items, traps=traps, trap_expected=trap_expected,
        outcomes=tuple(o["id"] for o in doc["outcomes"]),
        open_ids=tuple(q["id"] for q in doc["open_questions"]),
        segments=segments,
    )
