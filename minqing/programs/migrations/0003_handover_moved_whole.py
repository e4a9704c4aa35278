"""A handover keeps the pairings it moved whole (those begun on its day or to begin later),
so the predecessor's pages still list them as handed over. Handovers made before keep none:
which of their pairings changed hands whole was not recorded."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0002_team_dissolve_point_retire"),
    ]

    operations = [
        migrations.AddField(
            model_name="handover",
            name="moved_whole",
            field=models.ManyToManyField(
                blank=True,
                related_name="+",
                to="programs.pairing",
                verbose_name="pairings that changed hands whole",
            ),
        ),
    ]
