"""Point grades become a defined list (minqing.programs.grades): a grade stored as free text
that names one of the list (一类村, 二类, 复杂村, …) is stored as its key; any other is kept as
it was written and shown as such. Back: a key is written as the grade's Chinese name."""

from django.db import migrations

# As minqing.programs.grades.ALIASES when this was written (a migration keeps its own copy).
TO_KEY = {
    "一类": "first",
    "一类村": "first",
    "二类": "second",
    "二类村": "second",
    "三类": "third",
    "三类村": "third",
    "复杂": "complex",
    "复杂村": "complex",
}
TO_TEXT = {"first": "一类", "second": "二类", "third": "三类", "complex": "复杂"}


def _map(apps, mapping):
    LiaisonPoint = apps.get_model("programs", "LiaisonPoint")
    PointGrading = apps.get_model("programs", "PointGrading")
    for old, new in mapping.items():
        LiaisonPoint.objects.filter(grade=old).update(grade=new)
        PointGrading.objects.filter(grade=old).update(grade=new)
        PointGrading.objects.filter(previous_grade=old).update(previous_grade=new)


def forwards(apps, schema_editor):
    _map(apps, TO_KEY)


def backwards(apps, schema_editor):
    _map(apps, TO_TEXT)


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0003_handover_moved_whole"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
