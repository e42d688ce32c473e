"""The whole demo, seeded area by area from the bottom of the stack up."""

from django.db import transaction

from . import cycles, people, register, reviews


@transaction.atomic
def seed_demo() -> dict:
    """Create the demo network and people. Running it again changes nothing."""
    created = {"organisations": 0, "people": 0}
    register.seed_cohorts()
    staff, new = people.seed_person(*people.PEOPLE[0])
    created["people"] += new
    created["organisations"] += register.seed_organisations(staff)
    for person in people.PEOPLE[1:]:
        _, new = people.seed_person(*person)
        created["people"] += new
    cycles.seed_cycles()
    reviews.seed_reviews(staff)
    cycles.seed_lapse(staff)
    cycles.seed_reminders()
    return created
