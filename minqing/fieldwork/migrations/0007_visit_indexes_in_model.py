"""The visit and attendance indexes the dashboard reads by (made by figures 0002 and 0004 in plain
SQL) become the models' own, and a visit's single-column indexes that a composite index already
starts with are dropped (campaign, date, household, member, point, and the region foreign key's
beside fieldwork_visit_region), and fieldwork_visit_cadre (campaign, cadre, date), the start of
figures_visit_cadre_targets: each one was written on every upload.

The indexes are dropped by name, found in the database, so that SQLite does not rebuild the table
(an altered field remakes it there); the model state changes alone. On SQLite, 0006's index is
analysed. Once the figures indexes are in
the model state, a later rebuild of the table keeps them."""

import django.db.models.deletion
from django.db import migrations, models

SINGLE = ("campaign_id", "date", "household_id", "member_id", "point_id", "region_id")
DROPPED = "fieldwork_visit_cadre"  # (campaign, cadre, date): the start of figures_visit_cadre_targets
KEEP = {"fieldwork_visit_region"}  # the model's own index on region_id
FIGURES = {
    "figures_visit_cadre_targets": ("fieldwork_visit", "campaign_id, cadre_id, date, household_id, member_id, point_id"),
    "figures_visit_date_campaign": ("fieldwork_visit", "date, campaign_id, region_id, cadre_id"),
    "figures_visit_date_household": ("fieldwork_visit", "date, household_id"),
    "figures_attendance_point_date": ("fieldwork_attendanceday", "point_id, date, status, cadre_id"),
}


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    # Every step may be run again (IF [NOT] EXISTS), so a migration stopped half way is finished by
    # running migrate again; on PostgreSQL CONCURRENTLY, so uploads go on meanwhile.
    concurrently = " CONCURRENTLY" if connection.vendor == "postgresql" else ""
    for name, (table, columns) in FIGURES.items():
        schema_editor.execute(f"CREATE INDEX{concurrently} IF NOT EXISTS {name} ON {table} ({columns})")
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "fieldwork_visit")
    for name, info in sorted(constraints.items()):
        if name == DROPPED or (
            info["index"]
            and not info["unique"]
            and not info["primary_key"]
            and len(info["columns"]) == 1
            and info["columns"][0] in SINGLE
            and name not in KEEP
        ):
            schema_editor.execute(f"DROP INDEX{concurrently} IF EXISTS {schema_editor.quote_name(name)}")
    if connection.vendor == "sqlite":
        # SQLite plans by its statistics, and an index without them (0006's) looks cheaper than it
        # is: sampled as the demo does (figures 0004).
        schema_editor.execute("PRAGMA analysis_limit=1000")
        schema_editor.execute("ANALYZE fieldwork_visit_hh_cadre")


def backwards(apps, schema_editor):
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {DROPPED} ON fieldwork_visit (campaign_id, cadre_id, date)")
    for column in SINGLE:
        name = schema_editor._create_index_name("fieldwork_visit", [column])
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON fieldwork_visit ({column})")


class Migration(migrations.Migration):
    atomic = False  # CONCURRENTLY on PostgreSQL; each step may be run again
    dependencies = [
        ("fieldwork", "0006_visit_household_index_with_cadre"),
        ("figures", "0004_visit_date_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.RemoveIndex(model_name="visit", name=DROPPED),
                migrations.AlterField(
                    model_name="visit",
                    name="campaign",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="visits",
                        to="programs.campaign",
                        verbose_name="campaign",
                    ),
                ),
                migrations.AlterField(model_name="visit", name="date", field=models.DateField(verbose_name="date")),
                migrations.AlterField(
                    model_name="visit",
                    name="household",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="visits",
                        to="people.household",
                        verbose_name="household",
                    ),
                ),
                migrations.AlterField(
                    model_name="visit",
                    name="member",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="visits",
                        to="people.member",
                        verbose_name="member",
                    ),
                ),
                migrations.AlterField(
                    model_name="visit",
                    name="point",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="visits",
                        to="programs.liaisonpoint",
                        verbose_name="liaison point",
                    ),
                ),
                migrations.AlterField(
                    model_name="visit",
                    name="region",
                    field=models.ForeignKey(
                        db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="geo.region"
                    ),
                ),
                migrations.AddIndex(
                    model_name="attendanceday",
                    index=models.Index(fields=["point", "date", "status", "cadre"], name="figures_attendance_point_date"),
                ),
                migrations.AddIndex(
                    model_name="visit",
                    index=models.Index(
                        fields=["campaign", "cadre", "date", "household", "member", "point"],
                        name="figures_visit_cadre_targets",
                    ),
                ),
                migrations.AddIndex(
                    model_name="visit",
                    index=models.Index(fields=["date", "campaign", "region", "cadre"], name="figures_visit_date_campaign"),
                ),
                migrations.AddIndex(
                    model_name="visit",
                    index=models.Index(fields=["date", "household"], name="figures_visit_date_household"),
                ),
            ],
        )
    ]
