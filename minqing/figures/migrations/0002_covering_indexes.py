"""Indexes the figures read by: the dashboard groups a campaign's visits of a period by region and
cadre, tells for each pairing whether its cadre visited its target, and counts confirmed attendance days of a period by point and cadre. Covering indexes let both
databases answer from the index alone instead of reading every row of the period. They belong to
the tables of field work but exist for these reads, so they are kept here."""

from django.db import migrations

INDEXES = [
    ("figures_visit_campaign_date", "fieldwork_visit", "campaign_id, date, region_id, cadre_id"),
    # Whether a pairing's cadre visited its target in the period: one probe per pairing, answered
    # from the index.
    (
        "figures_visit_cadre_targets",
        "fieldwork_visit",
        "campaign_id, cadre_id, date, household_id, member_id, point_id",
    ),
    # Demands of a campaign registered in a period (else SQLite may walk the whole region's demands).
    ("figures_ticket_campaign_registered", "tickets_ticket", "campaign_id, registered_at"),
    ("figures_attendance_point_date", "fieldwork_attendanceday", "point_id, date, status, cadre_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("figures", "0001_initial"),
        ("fieldwork", "0001_initial"),
        ("tickets", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, table, columns in INDEXES
    ]
