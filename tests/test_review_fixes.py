"""Defects a review of the trust/metrics change found, each pinned."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from interviewer.errors import UserInputError
from interviewer.evaluation.metrics import simbench
from interviewer.evaluation.scoring import read_matches
from interviewer.study.schema import Suite


def test_simbench_of_a_uniform_split_reached_by_rounding_is_undefined() -> None:
    # Weights 1.1 and 0.3 twice per option: shares of exactly 1/3, off by one ulp.
    w = [1.1, 0.3]
    total = 3 * 2 * sum(w)
    human = [2 * sum(w) / total] * 3
    assert math.isnan(simbench(human, [0.5, 0.3, 0.2]))


@pytest.mark.parametrize(("field", "value"), [("splits", 1), ("splits", 0), ("bootstrap", -5)])
def test_a_suite_file_refuses_what_the_flags_refuse(field: str, value: int) -> None:
    body = {"id": "x", "questionnaire": "q.yaml", "methods": [{"label": "a", "kind": "interview"}]}
    with pytest.raises(ValueError, match=field):
        Suite.model_validate(body | {field: value})


def test_a_match_file_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_bytes("respondent_id,persona_id\nK\xf6ln,p1\n".encode("latin-1"))
    with pytest.raises(UserInputError, match=r"m\.csv: not UTF-8 text"):
        read_matches(path)


def test_a_match_file_with_a_byte_order_mark_reads(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("\ufeffrespondent_id,persona_id\nh1,p1\nh2,p1\n", encoding="utf-8")
    assert read_matches(path) == ({"p1": 2.0}, {"p1": "h1"})


def test_validate_with_two_questionnaires_and_data_asks_which(tmp_path: Path) -> None:
    """The data's checks against a questionnaire were silently skipped."""
    from tests.test_cli import run_cli
    from tests.test_validate_parity import TRUST

    other = tmp_path / "other.yaml"
    other.write_text(TRUST.read_text().replace("id: trust", "id: other", 1))
    humans = tmp_path / "h.csv"
    humans.write_text("respondent_id,weight,q_other\nh1,1,1\n")
    result = run_cli("validate", str(TRUST), str(other), str(humans))
    assert result.returncode == 2
    assert (
        "2 questionnaires among the files" in result.stderr and "--questionnaire" in result.stderr
    )


def test_the_mean_log_weight_skips_zero_pairs_and_counts_them() -> None:
    import numpy as np

    from interviewer.matching import Matching

    pairs = np.arange(3)
    result = Matching(pairs, pairs, np.array([np.log(0.5), -np.inf, np.log(0.25)]))
    assert result.mean_log_weight == pytest.approx((np.log(0.5) + np.log(0.25)) / 2)
    assert result.zero_pairs == 1


def test_an_item_constant_where_weight_lies_is_degenerate() -> None:
    """Rows of weight 0 count for nothing, so they cannot give an item its variance."""
    import numpy as np

    from interviewer.evaluation.metrics import weighted_corr

    answers = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 0.0], [1.0, 1.0]])
    weights = np.array([1.0, 0.0, 0.0, 1.0])  # item 0 is 1 on both weighted rows
    for missing in ("complete", "pairwise"):
        corr = weighted_corr(answers, weights, missing)  # type: ignore[arg-type]
        assert corr.matrix[0, 1] == 0.0 and corr.degenerate == [0], (missing, corr)


def test_pairwise_lists_an_item_constant_on_one_pair_only() -> None:
    import numpy as np

    from interviewer.evaluation.metrics import weighted_corr

    nan = np.nan
    # Item 0 varies overall but is 5 on the two rows that also answered item 2.
    answers = np.array(
        [[1.0, 0.0, nan], [2.0, 1.0, nan], [3.0, 0.0, nan], [5.0, 1.0, 0.0], [5.0, 0.0, 1.0]]
    )
    corr = weighted_corr(answers, np.ones(5), "pairwise")
    assert corr.matrix[0, 2] == 0.0 and 0 in corr.degenerate


def test_the_refusal_names_no_flag_a_suite_user_never_gave(tmp_path: Path) -> None:
    """Suites resume by themselves: 'resume with --resume …' misled their users."""
    from interviewer.resume import refuse_other_config

    with pytest.raises(UserInputError) as caught:
        refuse_other_config(tmp_path, {"seed": 0}, {"seed": 5})
    message = str(caught.value)
    assert "--resume" not in message and "seed (0 in the run, 5 now)" in message
    assert "another --out" in message
