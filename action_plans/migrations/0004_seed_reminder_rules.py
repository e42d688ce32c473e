from django.db import migrations

# The scheme's default reminders about a stage's deadline. Staff change them in the
# portal; this only seeds a new installation. Columns: name, milestone, amount, unit,
# direction, repeat every (months), to leads, to head, to ITSS, template.
RULES = [
    ("Window opens", "window_opens", 0, "day", "after", 0, True, False, False, "window_open"),
    ("Six months before", "due", 6, "month", "before", 0, True, False, False, "upcoming"),
    ("Twelve weeks before", "due", 12, "week", "before", 0, True, False, False, "upcoming"),
    ("Two weeks before", "due", 2, "week", "before", 0, True, False, False, "upcoming"),
    ("On the due date", "due", 0, "day", "before", 0, True, False, False, "due_today"),
    ("Two weeks overdue", "due", 2, "week", "after", 0, True, False, False, "overdue"),
    ("Monthly while overdue", "due", 1, "month", "after", 1, True, True, True, "escalation"),
]


def seed(apps, schema_editor):
    ReminderRule = apps.get_model("action_plans", "ReminderRule")
    for name, milestone, amount, unit, direction, repeat, leads, head, itss, template in RULES:
        ReminderRule.objects.get_or_create(
            name=name,
            defaults={
                "milestone": milestone,
                "amount": amount,
                "unit": unit,
                "direction": direction,
                "repeat_every_months": repeat,
                "to_leads": leads,
                "to_head": head,
                "to_itss": itss,
                "template": template,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("action_plans", "0003_reminders_and_packs")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
