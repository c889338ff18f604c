"""Errors speak the caller's language: parameters from Python, flags from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualkit.errors import InputError, ParameterError
from qualkit.outcomes import prepare_cohort
from qualkit.topics import TopicOptions

from .conftest import assert_user_error, cli

COHORT = Path(__file__).parent.parent / "outcomes_sample" / "lead_cohort.csv"
COVS = "sex,race,age"


def test_a_parameter_error_is_an_input_error_worded_either_way():
    exc = ParameterError("n_boot", "must be 0 or more, got -1", where="data.csv")
    assert isinstance(exc, InputError)
    assert str(exc) == "data.csv: n_boot must be 0 or more, got -1"
    assert exc.worded("--bootstrap") == "data.csv: --bootstrap must be 0 or more, got -1"


def test_library_calls_name_parameters_not_flags():
    with pytest.raises(ParameterError, match=r"^min_topic_size must be at least 2$"):
        TopicOptions(min_topic_size=1).check()
    with pytest.raises(ParameterError, match=r"treated_value 'maybe' is not a value") as info:
        prepare_cohort(str(COHORT), treatment="treated", covariates=COVS.split(","),
                       outcomes=["citations"], treated_value="maybe")
    assert "--" not in str(info.value)


def test_the_cli_names_the_flag_that_fed_the_parameter(tmp_path):
    # --treated-value feeds treated_value; --bootstrap feeds n_boot (another name entirely).
    result = cli("outcomes", "match", COHORT, "--treatment", "treated", "--covariates", COVS,
                 "--outcomes", "citations", "--treated-value", "maybe")
    assert_user_error(result, "--treated-value 'maybe' is not a value")
    project = tmp_path / "p.qualkit"
    assert cli("init", project).exit_code == 0
    assert_user_error(cli("agree", project, "--bootstrap", "-5"), "--bootstrap must be")
