from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    """The directory's typo- and accent-tolerant search on PostgreSQL (no-ops elsewhere)."""

    dependencies = [("directory", "0003_head_email_and_lapsing")]
    operations = [TrigramExtension(), UnaccentExtension()]
