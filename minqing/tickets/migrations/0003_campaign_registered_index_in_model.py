"""The index of a campaign's demands by registration time, made in plain SQL by figures 0002 for the
dashboard (figures_ticket_campaign_registered), becomes the model's own under a name within Django's
30 characters, so a table SQLite rebuilds keeps it: made under the new name, then the old one dropped
(CONCURRENTLY on PostgreSQL; each step may be run again)."""

from django.db import migrations, models

OLD, NEW = "figures_ticket_campaign_registered", "tickets_campaign_registered"


def forwards(apps, schema_editor):
    concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"CREATE INDEX{concurrently} IF NOT EXISTS {NEW} ON tickets_ticket (campaign_id, registered_at)")
    schema_editor.execute(f"DROP INDEX{concurrently} IF EXISTS {OLD}")


def backwards(apps, schema_editor):
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {OLD} ON tickets_ticket (campaign_id, registered_at)")
    schema_editor.execute(f"DROP INDEX IF EXISTS {NEW}")


class Migration(migrations.Migration):
    atomic = False  # CONCURRENTLY on PostgreSQL
    dependencies = [("tickets", "0002_response_seconds"), ("figures", "0002_covering_indexes")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.AddIndex(
                    model_name="ticket",
                    index=models.Index(fields=["campaign", "registered_at"], name=NEW),
                )
            ],
        )
    ]
