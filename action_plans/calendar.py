"""An organisation's deadlines as an iCalendar feed, and the secret address it lives at.

Calendar apps fetch a subscribed feed without signing in, so the address
carries a signed token naming the organisation instead of a session."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from icalendar import Alarm, Calendar, Event

_SALT = "action_plans.calendar"


def calendar_token(organisation) -> str:
    return signing.Signer(salt=_SALT).sign(organisation.slug)


def organisation_slug_from(token: str) -> str | None:
    try:
        return signing.Signer(salt=_SALT).unsign(token)
    except signing.BadSignature:
        return None


def deadlines_calendar(organisation, stages) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Technician Commitment portal//Deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{organisation.display_name}: Technician Commitment deadlines")
    for stage in stages:
        event = Event()
        event.add("uid", f"stage-{stage.number}-{organisation.slug}@tc-portal")
        event.add("summary", f"Technician Commitment Stage {stage.number} due")
        event.add("dtstart", stage.due_at)
        event.add("dtend", stage.due_at + timedelta(minutes=30))
        event.add("dtstamp", stage.now)
        event.add(
            "description",
            f"{organisation.name}: Stage {stage.number} self-assessment and action plan "
            f"(window {stage.opens_on:%-d %B %Y} to {stage.closes_on:%-d %B %Y}). "
            f"{settings.SITE_URL}/organisations/{organisation.slug}/stages/{stage.number}/",
        )
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"Stage {stage.number} is due in two weeks")
        alarm.add("trigger", timedelta(days=-14))
        event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical()
