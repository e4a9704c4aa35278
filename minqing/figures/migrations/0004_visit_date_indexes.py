"""Covering indexes for the dashboard's visit reads, led by the date.

- figures_visit_date_campaign: the visits of a period by child region and by cadre, read from
  the index alone (a county's month on SQLite: ~100 ms to ~15 ms of CPU for each of the two
  counts). The dashboard's visit source writes its campaign condition as `campaign_id + 0`,
  which no index serves, so both databases range over the period's dates in this index instead
  of reading every visit of the campaign.
- figures_visit_date_household: the households visited in the last N days (the "not visited
  lately" figure) from the index alone (SQLite: ~120 ms to ~10 ms of CPU for a county).

Neither starts with the campaign, so the compliance counts per target keep probing their target
indexes (0003). SQLite plans by its statistics and an index without them looks cheaper than it
is, so on SQLite the new indexes are analysed here, sampled as the demo does."""

from django.db import migrations

INDEXES = {
    "figures_visit_date_campaign": "date, campaign_id, region_id, cadre_id",
    "figures_visit_date_household": "date, household_id",
}


def forwards(apps, schema_editor):
    for name, columns in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON fieldwork_visit ({columns})")
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("PRAGMA analysis_limit=1000")
        for name in INDEXES:
            schema_editor.execute(f"ANALYZE {name}")


def backwards(apps, schema_editor):
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False  # SQLite's PRAGMA and ANALYZE outside a transaction
    dependencies = [("figures", "0003_drop_visit_campaign_date_index")]

    operations = [migrations.RunPython(forwards, backwards)]
