from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup folder made by `backup` into the configured database and file "
        "folders, which must be new and empty. Run `migrate` afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="The backup folder (tc-portal-…).")

    def handle(self, *args, source, **options):
        try:
            manifest = backup_restore(source=source)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {manifest['made_at']} into "
                f"{settings.DATABASES['default']['NAME']}, {settings.MEDIA_ROOT} and "
                f"{settings.PRIVATE_MEDIA_ROOT}."
            )
        )
        self.stdout.write(
            "Start the portal with the same DJANGO_SECRET_KEY (and MFA_ENCRYPTION_KEY, if "
            "set) as the backed-up installation, or two-factor sign-in will fail for everyone."
        )
