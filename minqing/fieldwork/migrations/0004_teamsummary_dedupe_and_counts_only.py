"""Before a team can have only one summary per campaign: keep the latest of any duplicates, and
drop from the stored figures the lists that named residents and quoted visits (only counts are
kept with a summary now; the lists are computed when read, through the reader's scope)."""

from django.db import migrations
from django.db.models import F

LIST_KEYS = ("visit_list", "problem_list", "deed_list")


def forwards(apps, schema_editor):
    TeamSummary = apps.get_model("fieldwork", "TeamSummary")
    seen = set()
    for summary in TeamSummary.objects.order_by(
        "campaign_id", "team_id", F("submitted_on").desc(nulls_last=True), "-pk"
    ):
        key = (summary.campaign_id, summary.team_id)
        if key in seen:
            summary.delete()
            continue
        seen.add(key)
        figures = summary.figures or {}
        if any(k in figures for k in LIST_KEYS):
            summary.figures = {k: v for k, v in figures.items() if k not in LIST_KEYS}
            summary.save(update_fields=["figures"])


class Migration(migrations.Migration):
    dependencies = [
        ("fieldwork", "0003_photo_source_digest"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
