"""A monthly report's due date comes from the day the campaign's monthly-report rule checks
(Campaign.report_due_day), where it was taken from the program's cadence: the reports of a
campaign whose rule asks another day than its cadence are given the rule's day, as the check
has judged them. The same choice as Campaign.report_due_day, written out (a migration sees
the models as they were)."""

import datetime as dt

from django.db import migrations


def due_day(config: dict) -> int:
    for rule in config.get("rules", []):
        if rule.get("type") == "reports.monthly" and not rule.get("disabled"):
            return int(rule.get("params", {}).get("due_day", 5))
    return int(config.get("cadence", {}).get("monthly_report_due_day", 5))


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def forwards(apps, schema_editor):
    Campaign = apps.get_model("programs", "Campaign")
    MonthlyReport = apps.get_model("fieldwork", "MonthlyReport")
    for campaign in Campaign.objects.filter(monthly_reports__isnull=False).distinct():
        day = due_day(campaign.config or {})
        reports = MonthlyReport.objects.filter(campaign=campaign)
        for month in reports.order_by().values_list("month", flat=True).distinct():
            due = next_month(month).replace(day=day)
            reports.filter(month=month).exclude(due=due).update(due=due)


class Migration(migrations.Migration):
    dependencies = [
        ("fieldwork", "0008_visit_withdraw_and_changes"),
        ("programs", "0004_point_grades_as_keys"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
