"""The register's extension points: "which organisations are lapsing" has one answer,
the submission cycle's, installed when the apps load."""

import pytest

from action_plans.register_hooks import lapsing_found
from organisations import hooks


def test_the_submission_cycle_answers_which_organisations_are_lapsing():
    with pytest.raises(ValueError, match="already answered"):
        hooks.lapsing_answer(lambda organisations: [])

    # The installed answer is the submission cycle's: giving it again changes nothing.
    hooks.lapsing_answer(lapsing_found)
