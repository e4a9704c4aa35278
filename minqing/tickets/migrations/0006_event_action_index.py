"""The index of demand events by action, for the tickets.deadlines rule (a campaign's escalations
and reopenings). Made CONCURRENTLY on PostgreSQL, where the events table of a province is large and
takes writes all day; each step may be run again."""

from django.db import migrations, models

NAME = "tickets_event_action"


def forwards(apps, schema_editor):
    concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f"CREATE INDEX{concurrently} IF NOT EXISTS {NAME} ON tickets_ticketevent (action, ticket_id)"
    )


def backwards(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    atomic = False  # CONCURRENTLY on PostgreSQL
    dependencies = [("tickets", "0005_deadline_extension")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.AddIndex(
                    model_name="ticketevent",
                    index=models.Index(fields=["action", "ticket"], name=NAME),
                )
            ],
        )
    ]
