"""Drop figures_visit_campaign_date: with it, SQLite answers the compliance engine's visit
counts per target (visits.per_target) by reading every visit of the campaign's window
instead of probing the (member, date) and (point, date) indexes — its statistics count the
many NULL members and points as one value, so the target indexes look unselective — which
made the county 下基层 campaign's compliance ~3 s slower. The dashboard's grouped counts
keep figures_visit_cadre_targets."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("figures", "0002_covering_indexes")]

    operations = [
        migrations.RunSQL(
            "DROP INDEX IF EXISTS figures_visit_campaign_date",
            reverse_sql=(
                "CREATE INDEX IF NOT EXISTS figures_visit_campaign_date "
                "ON fieldwork_visit (campaign_id, date, region_id, cadre_id)"
            ),
        )
    ]
