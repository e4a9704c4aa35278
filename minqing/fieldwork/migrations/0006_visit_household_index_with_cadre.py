"""A household's visits indexed with their cadre and campaign: whether a cadre visited a household
in a period is read from the index alone (the dashboard's "targets visited" asks it for each
pairing). The new index is made before the old one is dropped, both CONCURRENTLY on PostgreSQL
(uploads go on during the build)."""

from django.db import migrations, models

from minqing.core.migration_ops import AddIndexConcurrently, RemoveIndexConcurrently


class Migration(migrations.Migration):
    atomic = False  # CONCURRENTLY on PostgreSQL
    dependencies = [("fieldwork", "0005_teamsummary_one_per_team")]

    operations = [
        AddIndexConcurrently(
            model_name="visit",
            index=models.Index(fields=["household", "date", "cadre", "campaign"], name="fieldwork_visit_hh_cadre"),
        ),
        RemoveIndexConcurrently(model_name="visit", name="fieldwork_visit_household"),
    ]
