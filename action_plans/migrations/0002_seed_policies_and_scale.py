from datetime import time

from django.db import migrations

# The scheme's published cadence: a signatory's first self-assessment 12 to 18
# months after its announcement, a supporter's action plan 6 to 12 months after;
# then every three years.
POLICIES = [
    ("signatory", 12, 18, 36, 6),
    ("supporter", 6, 12, 36, 6),
]

SCALE = [
    (
        1,
        "Beginning",
        "Little is in place yet: the organisation is finding out where it stands on this theme.",
    ),
    (
        2,
        "Developing",
        "Some practice is in place in parts of the organisation, but it is not yet consistent.",
    ),
    (
        3,
        "Established",
        "Practice is consistent across the organisation and its effect on technicians is evident.",
    ),
    (
        4,
        "Leading",
        "Practice is embedded, reviewed with technicians, and shared with others in the sector.",
    ),
]


def seed(apps, schema_editor):
    CyclePolicy = apps.get_model("action_plans", "CyclePolicy")
    RatingLevel = apps.get_model("action_plans", "RatingLevel")
    for kind, opens, closes, repeat, window in POLICIES:
        CyclePolicy.objects.get_or_create(
            kind=kind,
            defaults={
                "opens_after_months": opens,
                "closes_after_months": closes,
                "repeat_every_months": repeat,
                "later_window_months": window,
                "deadline_time": time(17, 0),
            },
        )
    for value, label, descriptor in SCALE:
        RatingLevel.objects.get_or_create(
            value=value, defaults={"label": label, "descriptor": descriptor}
        )


class Migration(migrations.Migration):
    dependencies = [("action_plans", "0001_submission_cycles")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
