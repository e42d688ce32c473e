"""A record saved exactly as it was stored is not a change: nothing is written or logged."""

import pytest

from action_plans.models import ReminderRule
from action_plans.reminders import reminder_rule_save
from core.models import Theme
from core.services import activity_for, instance_changed_fields
from reviews import services as review_services
from tests.factories import StaffFactory
from tests.reviews.builders import review_round, reviewer

pytestmark = pytest.mark.django_db


def _fresh(instance):
    """The stored row again, as a form bound to the page would hand it to a service."""
    return type(instance).objects.get(pk=instance.pk)


def _logged(subject) -> list[str]:
    return list(activity_for(subject).order_by("pk").values_list("verb", flat=True))


def test_a_new_record_has_every_field_to_store():
    rule = ReminderRule(name="A week before", amount=7, unit="day", direction="before")

    assert {"name", "amount", "unit", "direction"} <= set(instance_changed_fields(rule))


def test_the_fields_that_differ_from_the_stored_row_are_named():
    staff = StaffFactory()
    rule = reminder_rule_save(
        actor=staff,
        rule=ReminderRule(name="A week before", amount=7, template="upcoming"),
    )
    edited = _fresh(rule)
    edited.amount = 10

    assert instance_changed_fields(edited) == ["amount"]
    assert instance_changed_fields(_fresh(rule)) == []


def test_a_reminder_rule_saved_unchanged_logs_nothing():
    staff = StaffFactory()
    rule = reminder_rule_save(
        actor=staff,
        rule=ReminderRule(name="A week before", amount=7, template="upcoming"),
    )

    reminder_rule_save(actor=staff, rule=_fresh(rule))
    edited = _fresh(rule)
    edited.amount = 10
    reminder_rule_save(actor=staff, rule=edited)

    assert _logged(rule) == ["reminder rule added", "reminder rule changed"]


def test_a_reviewer_profile_saved_unchanged_logs_nothing():
    staff = StaffFactory()
    profile = reviewer(themes=["visibility"]).reviewer_profile
    themes = list(profile.themes.all())

    review_services.reviewer_profile_save(actor=staff, profile=_fresh(profile), themes=themes)
    assert _logged(profile) == []

    review_services.reviewer_profile_save(
        actor=staff,
        profile=_fresh(profile),
        themes=[*themes, Theme.objects.get(slug="recognition")],
    )
    assert _logged(profile) == ["reviewer profile changed"]


def test_a_review_round_saved_unchanged_logs_nothing():
    staff = StaffFactory()
    autumn = review_round()

    review_services.review_round_save(actor=staff, review_round=_fresh(autumn))
    edited = _fresh(autumn)
    edited.name = "Autumn 2025 (Cardiff)"
    review_services.review_round_save(actor=staff, review_round=edited)

    assert _logged(autumn) == ["review round changed"]
