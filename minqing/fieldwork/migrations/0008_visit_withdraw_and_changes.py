"""A visit can be withdrawn (withdrawn_at; who and why in its VisitChange, with each correction),
and withdrawn visits stop counting.

The table Django made for Visit.others_present becomes the model VisitPresence (the same table,
columns and unique pair: the state changes alone, as Django's documentation does it), so that
the visit rules' reads of it can leave withdrawn visits out. withdrawn_at becomes the last column
of each composite index of the visits, so that the queries leaving withdrawn visits out are still
answered from the index alone; on SQLite the new indexes are analysed (see 0007)."""

import django.db.models.deletion
import django.db.models.manager
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def analyse(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("PRAGMA analysis_limit=1000")
        schema_editor.execute("ANALYZE fieldwork_visit")


class Migration(migrations.Migration):
    dependencies = [
        ("fieldwork", "0007_visit_indexes_in_model"),
        ("geo", "0001_initial"),
        ("org", "0003_account_scope_key"),
        ("people", "0005_household_region_pattern_index"),
        ("programs", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="visit",
            options={
                "default_manager_name": "objects",
                "ordering": ["-date", "-id"],
                "verbose_name": "visit",
                "verbose_name_plural": "visits",
            },
        ),
        migrations.CreateModel(
            name="VisitChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[("corrected", "Corrected"), ("withdrawn", "Withdrawn")],
                        max_length=10,
                        verbose_name="action",
                    ),
                ),
                ("version", models.PositiveIntegerField(verbose_name="version")),
                ("before", models.JSONField(blank=True, default=dict, verbose_name="before")),
                ("after", models.JSONField(blank=True, default=dict, verbose_name="after")),
                ("reason", models.CharField(blank=True, max_length=200, verbose_name="reason")),
                (
                    "changed_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="changed at"),
                ),
            ],
            options={
                "verbose_name": "visit change",
                "verbose_name_plural": "visit changes",
                "ordering": ["-changed_at", "-id"],
            },
        ),
        migrations.RemoveIndex(
            model_name="visit",
            name="fieldwork_visit_member",
        ),
        migrations.RemoveIndex(
            model_name="visit",
            name="fieldwork_visit_point",
        ),
        migrations.RemoveIndex(
            model_name="visit",
            name="fieldwork_visit_hh_cadre",
        ),
        migrations.RemoveIndex(
            model_name="visit",
            name="figures_visit_cadre_targets",
        ),
        migrations.RemoveIndex(
            model_name="visit",
            name="figures_visit_date_campaign",
        ),
        migrations.RemoveIndex(
            model_name="visit",
            name="figures_visit_date_household",
        ),
        migrations.AddField(
            model_name="visit",
            name="withdrawn_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="withdrawn at"),
        ),
        migrations.AddField(
            model_name="visitchange",
            name="changed_by",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="visitchange",
            name="visit",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="changes", to="fieldwork.visit"
            ),
        ),
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(
                fields=["household", "date", "cadre", "campaign", "withdrawn_at"],
                name="fieldwork_visit_hh_cadre",
            ),
        ),
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(fields=["member", "date", "withdrawn_at"], name="fieldwork_visit_member"),
        ),
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(fields=["point", "date", "withdrawn_at"], name="fieldwork_visit_point"),
        ),
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(
                fields=["campaign", "cadre", "date", "household", "member", "point", "withdrawn_at"],
                name="figures_visit_cadre_targets",
            ),
        ),
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(
                fields=["date", "campaign", "region", "cadre", "withdrawn_at"],
                name="figures_visit_date_campaign",
            ),
        ),
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(
                fields=["date", "household", "withdrawn_at"], name="figures_visit_date_household"
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="VisitPresence",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "fieldwork_visit_others_present",
                        "default_manager_name": "records",
                    },
                    managers=[
                        ("records", django.db.models.manager.Manager()),
                    ],
                ),
                migrations.AddField(
                    model_name="visitpresence",
                    name="cadre",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="org.cadre"),
                ),
                migrations.AddField(
                    model_name="visitpresence",
                    name="visit",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, to="fieldwork.visit"
                    ),
                ),
                migrations.AlterField(
                    model_name="visit",
                    name="others_present",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="visits_joined",
                        through="fieldwork.VisitPresence",
                        to="org.cadre",
                        verbose_name="cadres present",
                    ),
                ),
                migrations.AlterUniqueTogether(
                    name="visitpresence",
                    unique_together={("visit", "cadre")},
                ),
            ],
        ),
        migrations.RunPython(analyse, migrations.RunPython.noop),
    ]
