"""A household's economic status may be "not given" (未填), the default: a list without the
column, or a household recorded without it, no longer stores a guess of 一般 (average).

Django keeps a field's default and choices in Python only, so the database has nothing to
change; the state alone changes (SQLite would otherwise rebuild the households table)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0005_household_region_pattern_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="household",
                    name="economic_status",
                    field=models.CharField(
                        choices=[
                            ("well_off", "Well off"),
                            ("average", "Average"),
                            ("strained", "Tight"),
                            ("poor", "Hard up"),
                            ("unknown", "Not given"),
                        ],
                        default="unknown",
                        max_length=16,
                        verbose_name="economic status",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
