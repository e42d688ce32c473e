from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from demo.people import DEMO_PASSWORD, demo_sign_ins, demo_totp_secret
from demo.seed import seed_demo


class Command(BaseCommand):
    help = "Create the demo network and demo people (safe to run again: it changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--quiet-sign-ins", action="store_true", help="Do not print the demo sign-ins."
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help=(
                "Load the demo even under settings meant for real data (a throwaway "
                "installation, e.g. `make up DEMO=1`)."
            ),
        )

    def handle(self, *args, quiet_sign_ins=False, allow_production=False, **options):
        if not (settings.ALLOW_DEMO_DATA or allow_production):
            raise CommandError(
                "Not loading the demo: these settings are for real data, and every demo "
                f"account's password is published ({DEMO_PASSWORD}). Use the local settings, "
                "or, on a throwaway database only, pass --allow-production (`make up DEMO=1`)."
            )
        # The demo's own messages (e.g. "Stage 1 submitted") are kept in the
        # outbox, not printed or sent.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            created = seed_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready ({created['organisations']} organisations and "
                f"{created['people']} people added this time)."
            )
        )
        if quiet_sign_ins:
            return
        self.stdout.write("")
        self.stdout.write(
            "Demo sign-ins at http://127.0.0.1:8000/accounts/login/ "
            f"(every password: {DEMO_PASSWORD})"
        )
        for row in demo_sign_ins():
            self.stdout.write(f"  {row['email']:<38} {row['name']:<16} {row['roles']}")
        self.stdout.write("")
        self.stdout.write("Staff and reviewers sign in with a second factor. Get the current code:")
        self.stdout.write("  make totp EMAIL=itss.staff@example.org")
        self.stdout.write("or add the secret to an authenticator app:")
        for row in demo_sign_ins():
            if row["authenticator"]:
                self.stdout.write(f"  {row['email']:<38} {demo_totp_secret(row['email'])}")
        for row in demo_sign_ins():
            if row["two_factor"] and not row["authenticator"]:
                self.stdout.write(
                    f"{row['email']} has no authenticator yet: after the password, the portal "
                    "emails a link to confirm it is them (printed in this terminal), then "
                    "shows the code to add to an authenticator app."
                )
