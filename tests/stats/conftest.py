"""Shared data of the statistics tests.

* ``make_survey``: a seeded synthetic survey with a planted repurchase logit (design, logit);
* ``likert``: seeded one-factor Likert data; ``hs``, ``hs_model``, ``hs_items``, ``hs_fit``:
  HolzingerSwineford1939 (shipped with semopy, 301 rows, identical to lavaan's), lavaan's
  ``HS.model`` and its CFA; ``pingouin_missing``: pingouin 0.7.0's ``cronbach_wide_missing``
  dataset (tests/fixtures, copied byte for byte) - for the scale statistics (item_moments,
  alpha, omega, validity, cfa, reliability).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import special

FIX = Path(__file__).resolve().parents[1] / "fixtures"


def _survey(n: int, seed: int, beta=(-6.0, 0.9, 0.5, 0.2), type_effect=0.4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "quality": rng.integers(1, 6, n).astype(float),
            "efficiency": rng.integers(1, 6, n).astype(float),
            "digital": rng.integers(1, 6, n).astype(float),
            "customer_type": rng.choice(["new", "returning"], n),
            "value_band": rng.choice(["normal", "high"], n, p=[0.8, 0.2]),
        }
    )
    eta = (
        beta[0] + beta[1] * df["quality"] + beta[2] * df["efficiency"] + beta[3] * df["digital"]
        + type_effect * (df["customer_type"] == "returning")
    )
    df["repurchase"] = (rng.random(n) < special.expit(eta)).astype(int)
    df["weight"] = rng.uniform(0.5, 2.0, n)
    return df


@pytest.fixture(scope="session")
def make_survey():
    """``make_survey(n, seed, beta=..., type_effect=...)``: ``n`` respondents with scores ``quality``,
    ``efficiency``, ``digital`` (1-5), text ``customer_type`` / ``value_band``, survey ``weight`` and
    ``repurchase`` 0/1 from a logit with intercept and slopes ``beta`` plus ``type_effect`` for
    returning customers. Session-scoped, so property tests (hypothesis) may use it too."""
    return _survey


def _likert(seed: int, n: int = 400, k: int = 5, loading: float = 0.7) -> pd.DataFrame:
    """Seeded one-factor Likert data (codes 1-5)."""
    rng = np.random.default_rng(seed)
    f = rng.standard_normal(n)
    latent = loading * f[:, None] + math.sqrt(1 - loading**2) * rng.standard_normal((n, k))
    codes = np.clip(np.round(latent * 1.1 + 3), 1, 5)
    return pd.DataFrame(codes, columns=[f"q{j + 1}" for j in range(k)])


@pytest.fixture(scope="session")
def likert():
    """``likert(seed, n=400, k=5, loading=0.7)``: seeded one-factor Likert data, columns q1..qk.
    Session-scoped, so property tests (hypothesis) may use it too."""
    return _likert


@pytest.fixture(scope="session")
def hs_model() -> dict[str, list[str]]:
    """lavaan's ``HS.model``: visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9."""
    return {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"], "speed": ["x7", "x8", "x9"]}


@pytest.fixture(scope="session")
def hs_items() -> list[str]:
    """The nine test scores x1..x9 of HolzingerSwineford1939."""
    return [f"x{i}" for i in range(1, 10)]


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    import semopy

    return semopy.examples.holzinger39.get_data()


@pytest.fixture(scope="module")
def hs_fit(hs, hs_model):
    from csat_research.stats.cfa import cfa

    return cfa(hs, hs_model)


@pytest.fixture(scope="module")
def pingouin_missing() -> pd.DataFrame:
    return pd.read_csv(FIX / "pingouin_cronbach_wide_missing.csv", encoding="utf-8-sig")
