from django.db import migrations


class Migration(migrations.Migration):
    # The register (Organisation, Cohort) now belongs to the organisations app, with every
    # row; the directory keeps only the public front, which has no tables of its own.
    dependencies = [
        ("directory", "0005_public_page_check"),
        ("organisations", "0001_register"),
        ("accounts", "0003_organisations_register"),
        ("action_plans", "0009_organisations_register"),
        ("reviews", "0004_organisations_register"),
        ("signatories", "0002_register_moved"),
        ("supporters", "0002_register_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(model_name="organisation", name="cohort"),
                migrations.DeleteModel(name="Cohort"),
                migrations.DeleteModel(name="Organisation"),
            ],
        ),
    ]
