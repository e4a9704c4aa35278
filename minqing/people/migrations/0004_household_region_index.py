"""The household's region had an index of its own beside the (region, code) and (region,
hardship level) indexes that lead with it: every query it served, they serve, and each
household written paid for one more index entry. Dropped by name (the field's state says
db_index=False): Django would rebuild the whole table on SQLite to change the field.
PostgreSQL's pattern index on the region (for LIKE, which no query makes) is dropped by
0005."""

from django.db import migrations, models

INDEX = "people_household_region_id_76b6d28a"


def drop(apps, schema_editor):
    schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')


def create(apps, schema_editor):
    schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "people_household" ("region_id")')


class Migration(migrations.Migration):
    dependencies = [
        ("geo", "0001_initial"),
        ("people", "0003_householdchange"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="household",
                    name="region",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.deletion.PROTECT,
                        related_name="households",
                        to="geo.region",
                        verbose_name="region",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop, create)],
        ),
    ]
