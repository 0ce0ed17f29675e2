"""inference.dispersion: spread of answers, human vs simulated, worked by hand."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from interviewer.errors import UserInputError
from interviewer.inference import UNDER_DISPERSED, dispersion
from interviewer.inference.dispersion import naive_coverage


def test_ordinal_by_hand() -> None:
    # People: ratings 1, 1, 2, 2 -> variance 0.25. Personas certain of 1 and of 2:
    # pooled (0.5, 0.5), variance 0.25, all of it between personas.
    d = dispersion([0, 0, 1, 1], [[1.0, 0.0], [0.0, 1.0]], "ordinal")
    assert (d.human, d.simulated, d.between, d.ratio) == pytest.approx((0.25, 0.25, 0.25, 1.0))
    assert d.warning() is None
    # Two identical diffuse personas: the same mixture variance, none between them.
    d = dispersion([0, 0, 1, 1], [[0.5, 0.5], [0.5, 0.5]], "ordinal")
    assert (d.simulated, d.between) == pytest.approx((0.25, 0.0))


def test_under_dispersed_personas_warn() -> None:
    # Personas at (0.9, 0.1): variance 0.09, ratio 0.36 < 0.5.
    d = dispersion([0, 0, 1, 1], [[0.9, 0.1], [0.9, 0.1]], "ordinal")
    assert d.ratio == pytest.approx(0.36)
    message = d.warning()
    assert message is not None and "0.36" in message and "\n" not in message
    # 2Φ(1.645·0.6) − 1 = 0.6763
    assert "68%" in message


def test_nominal_by_hand() -> None:
    # Gini–Simpson: people (0.5, 0.5) -> 0.5; certain personas split 50/50 -> 0.5,
    # between = mean ‖p_i − p̄‖² = 0.5.
    d = dispersion([0, 1], [[1.0, 0.0], [0.0, 1.0]], "nominal")
    assert (d.human, d.simulated, d.between) == pytest.approx((0.5, 0.5, 0.5))
    # Three options, people uniform: 1 − 3/9 = 2/3; personas all on option 0: 0.
    d = dispersion([0, 1, 2], [[1.0, 0.0, 0.0]] * 4, "nominal")
    assert (d.human, d.simulated, d.ratio) == pytest.approx((2 / 3, 0.0, 0.0))
    assert d.warning() is not None


def test_weights_count() -> None:
    # Weights 3 and 1 on ratings 1 and 2: (0.75, 0.25), variance 0.1875.
    d = dispersion([0, 1], [[0.5, 0.5]], "ordinal", human_weights=[3.0, 1.0])
    assert d.human == pytest.approx(0.1875)


def test_persona_weights_count() -> None:
    # Personas certain of 1 (weight 3) and of 2 (weight 1): pooled (0.75, 0.25),
    # variance 0.1875, all between personas; as if the first persona were 3 rows.
    weighted = dispersion([0, 1], [[1.0, 0.0], [0.0, 1.0]], "ordinal", persona_weights=[3, 1])
    repeated = dispersion([0, 1], [[1.0, 0.0]] * 3 + [[0.0, 1.0]], "ordinal")
    assert (weighted.simulated, weighted.between) == pytest.approx((0.1875, 0.1875))
    assert (weighted.simulated, weighted.between) == pytest.approx(
        (repeated.simulated, repeated.between)
    )
    nominal = dispersion([0, 1], [[1.0, 0.0], [0.0, 1.0]], "nominal", persona_weights=[3, 1])
    assert (nominal.simulated, nominal.between) == pytest.approx((0.375, 0.375))


def test_naive_coverage_at_the_threshold() -> None:
    assert naive_coverage(1.0) == pytest.approx(0.90)
    assert naive_coverage(UNDER_DISPERSED) == pytest.approx(0.7552, abs=1e-4)  # 2Φ(1.6449·√0.5) − 1


@settings(max_examples=50, deadline=None)
@given(
    st.integers(1, 6),
    st.integers(2, 5),
    st.integers(0, 2**31),
    st.sampled_from(["ordinal", "nominal"]),
)
def test_between_never_exceeds_the_mixture(
    personas: int, options: int, seed: int, scale: str
) -> None:
    # mixture = within + between with within ≥ 0 (the decompositions in the docstring)
    rng = np.random.default_rng(seed)
    probs = rng.dirichlet(np.ones(options), size=personas)
    d = dispersion([0, options - 1], probs, scale)  # type: ignore[arg-type]
    ratings = np.arange(1, options + 1)
    if scale == "ordinal":
        within = np.mean(probs @ ratings**2 - (probs @ ratings) ** 2)
    else:
        within = np.mean(1 - np.sum(probs**2, axis=1))
    assert d.simulated == pytest.approx(within + d.between, abs=1e-12)
    assert 0 <= d.between <= d.simulated + 1e-12


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([0, 1], [[0.5, 0.6]], "ordinal"), "row 0 sums to 1.1"),
        (([0, 1], [0.5, 0.5], "ordinal"), "personas × options"),
        (([0, 2], [[0.5, 0.5]], "ordinal"), "option indices 0..1"),
        (([0, 0.5], [[0.5, 0.5]], "ordinal"), "whole option indices"),
        (([0, 1], [[0.5, 0.5]], "interval"), "scale must be"),
    ],
)
def test_bad_input(args: tuple[object, ...], message: str) -> None:
    with pytest.raises(UserInputError, match=message):
        dispersion(*args)  # type: ignore[arg-type]
    with pytest.raises(UserInputError, match="human_weights must not be negative"):
        dispersion([0, 1], [[0.5, 0.5]], "ordinal", human_weights=[1.0, -1.0])
