"""Shared data of the statistics tests: a seeded synthetic survey with a planted repurchase logit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import special


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
