from django.core.management.base import BaseCommand

from reviews.reminders import review_reminders_send_due


class Command(BaseCommand):
    help = (
        "Send the reviewer reminders due on or before today (7 and 3 days before a review is "
        "due, and on the day) and the weekly note to ITSS of overdue reviews. Safe to run at "
        "any time: nothing already sent is sent again."
    )

    def handle(self, *args, **options):
        result = review_reminders_send_due()
        self.stdout.write(
            f"Sent {result.sent} reviewer reminder(s) of {result.due} due, and "
            f"{result.notices} overdue notice(s)."
        )
