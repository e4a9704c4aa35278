"""PostgreSQL's pattern index on the household's region (varchar_pattern_ops, for
region LIKE 'prefix%'), which 0004 kept: no query makes that LIKE (a region subtree is
a range, `prefix_q`, served by the indexes that lead with the region), and each household
written paid for its entry. SQLite never had it."""

from django.db import migrations

INDEX = "people_household_region_id_76b6d28a_like"


def drop(apps, schema_editor):
    schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "people_household" ("region_id" varchar_pattern_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [("people", "0004_household_region_index")]

    operations = [migrations.RunPython(drop, create)]
