from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("fieldwork", "0004_teamsummary_dedupe_and_counts_only"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="teamsummary",
            constraint=models.UniqueConstraint(
                fields=("campaign", "team"), name="fieldwork_teamsummary_one_per_team"
            ),
        ),
    ]
