from django.db import migrations

# The reviewers' scale for each theme, and the outcomes a review suggests and feedback
# gives: defaults taken from comparable peer-review schemes, kept as data so the ITSS
# team can change the wording.
SCALE = [
    (
        1,
        "Poor",
        "The submission gives little or no evidence on this theme, or the actions would not "
        "change technicians' experience.",
    ),
    (
        2,
        "Fair",
        "Some evidence and relevant actions, but gaps in scope, ownership or measures of success.",
    ),
    (
        3,
        "Good",
        "Clear evidence of where the organisation stands, with specific, owned actions and "
        "measures that follow from it.",
    ),
    (
        4,
        "Excellent",
        "Thorough, candid evidence shaped with technicians, and ambitious actions others in "
        "the sector could learn from.",
    ),
]

OUTCOMES = [
    (
        "commended",
        "Commended",
        "An exemplary submission: accepted, and worth sharing with the network.",
    ),
    ("accepted", "Accepted", "The submission meets the Commitment's expectations."),
    (
        "accepted-with-recommendations",
        "Accepted with recommendations",
        "Accepted; the organisation should act on the recommendations before its next stage.",
    ),
    (
        "changes-required",
        "Changes required",
        "The submission needs changes and is to be submitted again.",
    ),
]


def seed(apps, schema_editor):
    ScoreLevel = apps.get_model("reviews", "ScoreLevel")
    Outcome = apps.get_model("reviews", "Outcome")
    for value, label, descriptor in SCALE:
        ScoreLevel.objects.get_or_create(
            value=value, defaults={"label": label, "descriptor": descriptor}
        )
    for position, (slug, label, description) in enumerate(OUTCOMES):
        Outcome.objects.get_or_create(
            slug=slug,
            defaults={"label": label, "description": description, "position": position},
        )


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_reviews")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
