"""A household's visits indexed with their cadre and campaign: whether a cadre visited a household
in a period is read from the index alone (the dashboard's "targets visited" asks it for each
pairing). The new index is made before the old one is dropped."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("fieldwork", "0005_teamsummary_one_per_team")]

    operations = [
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(
                fields=["household", "date", "cadre", "campaign"], name="fieldwork_visit_hh_cadre"
            ),
        ),
        migrations.RemoveIndex(model_name="visit", name="fieldwork_visit_household"),
    ]
