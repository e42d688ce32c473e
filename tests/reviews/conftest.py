import pytest

from tests.conftest import with_totp

from .builders import review_round, reviewer, submitted_stage


@pytest.fixture
def autumn(db):
    return review_round()


@pytest.fixture
def stage(db):
    return submitted_stage("University of Testshire")


@pytest.fixture
def team(db):
    """Three trained reviewers with two-factor sign-in, each expert in one theme."""
    return [
        with_totp(reviewer(name=name, themes=[theme]))
        for name, theme in (
            ("Ana Ruiz", "visibility"),
            ("Ben Cole", "recognition"),
            ("Cara Diaz", "career-development"),
        )
    ]


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what waits for the commit (email delivery, the feedback report)."""
    return django_capture_on_commit_callbacks
