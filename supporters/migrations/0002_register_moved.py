from django.db import migrations


class Migration(migrations.Migration):
    # A proxy has no table: it is re-declared over the register's new home.
    dependencies = [
        ("supporters", "0001_initial"),
        ("organisations", "0001_register"),
    ]

    operations = [
        migrations.DeleteModel(name="Supporter"),
        migrations.CreateModel(
            name="Supporter",
            fields=[],
            options={
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("organisations.organisation",),
        ),
    ]
