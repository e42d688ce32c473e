from django.db import migrations


class Migration(migrations.Migration):
    # A proxy has no table: it is re-declared over the register's new home.
    dependencies = [
        ("signatories", "0001_initial"),
        ("organisations", "0001_register"),
    ]

    operations = [
        migrations.DeleteModel(name="Signatory"),
        migrations.CreateModel(
            name="Signatory",
            fields=[],
            options={
                "verbose_name_plural": "signatories",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("organisations.organisation",),
        ),
    ]
