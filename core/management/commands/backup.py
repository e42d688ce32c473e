from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backups import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump -Fc) and the public and private files into a new "
        "folder under DESTINATION. Keep DJANGO_SECRET_KEY apart: it is not in the backup."
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", type=Path, help="Folder the backup is made in.")

    def handle(self, *args, destination, **options):
        try:
            folder = backup_create(destination=destination)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(folder.as_posix())
