from django.db import migrations

MOVED = ["organisation", "cohort"]


def _relabel(apps, schema_editor, old_label, new_label):
    """Move the register's content types to their new app label, so the activity log and
    the outbox, which point at an organisation through its content type, keep pointing at
    it. Where the new one already exists, what pointed at the old one is moved across."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ActivityLog = apps.get_model("core", "ActivityLog")
    OutboundEmail = apps.get_model("core", "OutboundEmail")
    for model in MOVED:
        old = ContentType.objects.filter(app_label=old_label, model=model).first()
        if old is None:
            continue
        new = ContentType.objects.filter(app_label=new_label, model=model).first()
        if new is None:
            old.app_label = new_label
            old.save(update_fields=["app_label"])
            continue
        ActivityLog.objects.filter(content_type=old).update(content_type=new)
        OutboundEmail.objects.filter(content_type=old).update(content_type=new)
        old.delete()


def forwards(apps, schema_editor):
    _relabel(apps, schema_editor, "directory", "organisations")


def backwards(apps, schema_editor):
    _relabel(apps, schema_editor, "organisations", "directory")


class Migration(migrations.Migration):
    # The tables take the register's own names; foreign keys follow a renamed table.
    dependencies = [
        ("organisations", "0001_register"),
        ("directory", "0006_register_moved"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0003_outbox_attachments_and_bounces"),
    ]

    operations = [
        migrations.AlterModelTable(name="cohort", table=None),
        migrations.AlterModelTable(name="organisation", table=None),
        migrations.RenameIndex(
            model_name="organisation",
            new_name="organisatio_kind_2ea953_idx",
            old_name="directory_o_kind_8f1a05_idx",
        ),
        migrations.RenameIndex(
            model_name="organisation",
            new_name="organisatio_region_a2530b_idx",
            old_name="directory_o_region_5263e4_idx",
        ),
        migrations.RunPython(forwards, backwards),
    ]
