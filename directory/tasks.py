"""Background work of the directory."""

from celery import shared_task

from .linkcheck import organisation_page_check, pages_due_for_check

# Enough for a week's sweep at one check every few seconds; the rest wait for tomorrow.
PAGES_PER_RUN = 200


# Each check only records what it found, so a repeated run does no harm.
@shared_task(name="directory.check_public_pages", acks_late=True, time_limit=3600)
def check_public_pages() -> dict:
    checked = 0
    for organisation in pages_due_for_check()[:PAGES_PER_RUN]:
        organisation_page_check(organisation=organisation)
        checked += 1
    return {"checked": checked}
