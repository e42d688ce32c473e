"""Staff edit the reminder rules in the portal; bad rules are refused with a reason."""

from datetime import date

import pytest

from action_plans.models import Reminder, ReminderRule
from action_plans.reminders import reminders_send_due, rule_timing
from core.models import ActivityLog

from .builders import announced_organisation, lead_of
from .test_reminders import morning

pytestmark = pytest.mark.django_db

RULES_URL = "/staff/reminders/"

VALID = {
    "name": "Three days before",
    "amount": "3",
    "unit": "day",
    "direction": "before",
    "milestone": "due",
    "repeat_every_months": "0",
    "kind": "",
    "to_leads": "on",
    "template": "upcoming",
    "is_active": "on",
}


@pytest.mark.parametrize(
    ("name", "timing"),
    [
        ("Window opens", "On the day the stage's window opens"),
        ("Six months before", "6 months before the due date"),
        ("Twelve weeks before", "12 weeks before the due date"),
        ("On the due date", "On the due date"),
        ("Two weeks overdue", "2 weeks after the due date"),
        ("Monthly while overdue", "1 month after the due date, then every month until submitted"),
    ],
)
def test_each_default_rule_reads_in_words(name, timing):
    assert rule_timing(ReminderRule.objects.get(name=name)) == timing


def test_the_rules_page_lists_rules_in_words(staff_client):
    response = staff_client.get(RULES_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "2 weeks before the due date" in page
    assert "Head of organisation" in page
    assert "No reminders have been sent yet." in page


def test_staff_add_a_rule_and_it_is_recorded(staff_client, staff_user):
    response = staff_client.post(f"{RULES_URL}new/", VALID)

    assert response.status_code == 302
    rule = ReminderRule.objects.get(name="Three days before")
    assert (rule.amount, rule.unit, rule.direction, rule.to_leads) == (3, "day", "before", True)
    log = ActivityLog.objects.get(verb="reminder rule added")
    assert (log.actor, log.note) == (staff_user, "Three days before: 3 days before the due date.")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"repeat_every_months": "1"}, "Only a reminder after its milestone can repeat"),
        ({"to_leads": ""}, "Choose at least one recipient."),
        ({"amount": "-2"}, "Ensure this value is greater than or equal to 0."),
        ({"amount": "9999"}, "Ensure this value is less than or equal to 730."),
        ({"unit": "fortnight"}, "Select a valid choice."),
        ({"template": "../../settings"}, "Select a valid choice."),
        ({"name": "Two weeks before"}, "Reminder rule with this Name already exists."),
    ],
)
def test_a_bad_rule_is_refused_with_a_reason_and_nothing_changes(staff_client, change, message):
    before = list(ReminderRule.objects.values())
    data = {key: value for key, value in {**VALID, **change}.items() if value != ""}

    response = staff_client.post(f"{RULES_URL}new/", data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert list(ReminderRule.objects.values()) == before


def test_turning_a_rule_off_stops_it(staff_client):
    rule = ReminderRule.objects.get(name="Window opens")
    organisation = announced_organisation(announced_on=date(2024, 1, 10))
    lead_of(organisation)
    data = {**VALID, "name": rule.name, "milestone": "window_opens", "amount": "0"}
    data.pop("is_active")
    data["template"] = "window_open"

    response = staff_client.post(f"{RULES_URL}{rule.pk}/", data)
    reminders_send_due(now=morning(date(2025, 1, 10)))

    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.is_active is False
    # The six-month rule falls on the same day and goes instead.
    assert [r.rule.name for r in Reminder.objects.all()] == ["Six months before"]


def test_staff_start_the_sweep_by_hand(staff_client):
    organisation = announced_organisation(announced_on=date(2024, 1, 10))
    lead_of(organisation)

    response = staff_client.post(f"{RULES_URL}send/", follow=True)
    staff_client.post(f"{RULES_URL}send/")

    assert "The reminder sweep has been started." in response.content.decode()
    assert Reminder.objects.count() == 1


def test_the_rules_page_queries_do_not_grow_with_reminders(staff_client, django_assert_num_queries):
    def sent_for(count):
        for _ in range(count):
            lead_of(announced_organisation(announced_on=date(2024, 1, 10)))
        reminders_send_due(now=morning(date(2025, 1, 10)))

    sent_for(1)
    staff_client.get(RULES_URL)  # warm the session and content types
    with django_assert_num_queries(6) as small:
        staff_client.get(RULES_URL)
    sent_for(5)
    with django_assert_num_queries(len(small.captured_queries)):
        response = staff_client.get(RULES_URL)
    assert response.content.decode().count("Window opens") >= 6
