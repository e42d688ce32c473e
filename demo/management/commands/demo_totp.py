from django.core.management.base import BaseCommand, CommandError

from demo.people import PEOPLE, demo_totp_code, has_demo_authenticator


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo account (demo data only)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        demo_emails = {p[0] for p in PEOPLE}
        if email.lower() not in demo_emails:
            raise CommandError(
                f"{email} is not a demo account. Demo accounts: " + ", ".join(sorted(demo_emails))
            )
        roles = next(p[2] for p in PEOPLE if p[0] == email.lower())
        if not has_demo_authenticator(roles):
            raise CommandError(
                f"{email} has no authenticator yet: it sets one up at its first sign-in."
            )
        self.stdout.write(demo_totp_code(email.lower()))
