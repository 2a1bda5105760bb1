"""How many examples each property test draws, by Hypothesis profile.

The profile comes from ``SFNCHAIN_HYPOTHESIS_PROFILE`` (see tests/conftest.py): "ci"
(`.ci/run`) and the default draw the counts written in the tests; "explore" draws ten
times as many, to look for failures by hand.
"""

from __future__ import annotations

import os

PROFILE = os.environ.get("SFNCHAIN_HYPOTHESIS_PROFILE", "default")
SCALE = 10 if PROFILE == "explore" else 1


def examples(n: int) -> int:
    """``n`` examples, scaled by the profile."""
    return n * SCALE
