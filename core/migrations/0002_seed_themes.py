from django.db import migrations

THEMES = [
    (
        "visibility",
        "Visibility",
        "All technicians are identifiable, and their contribution is visible within and beyond "
        "the institution.",
    ),
    (
        "recognition",
        "Recognition",
        "Technicians gain recognition for their work, notably through professional registration.",
    ),
    (
        "career-development",
        "Career development",
        "Technicians have clear, documented career pathways and opportunities to progress.",
    ),
    (
        "sustainability",
        "Sustainability",
        "The future of technical skills is safeguarded and technical expertise is fully used.",
    ),
]


def seed(apps, schema_editor):
    Theme = apps.get_model("core", "Theme")
    for position, (slug, name, commitment) in enumerate(THEMES, start=1):
        Theme.objects.update_or_create(
            slug=slug, defaults={"name": name, "commitment": commitment, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
