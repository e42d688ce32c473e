from django.core.management.base import BaseCommand, CommandError

from action_plans.reminders import BATCH_SIZE, reminders_send_due


class Command(BaseCommand):
    help = (
        "Send every deadline reminder due on or before today that has not been sent. "
        "Safe to run at any time and as often as you like: a reminder already sent, by "
        "this command or by the daily scheduled run, is never sent again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would be sent, and send nothing.",
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args, dry_run, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        result = reminders_send_due(dry_run=dry_run, batch_size=batch_size)
        if dry_run:
            self.stdout.write(
                f"{result.due} reminder(s) due across {result.organisations} organisation(s); "
                "nothing sent (dry run)."
            )
            return
        self.stdout.write(
            f"Sent {result.sent} reminder(s) of {result.due} due, "
            f"across {result.organisations} organisation(s)."
        )
