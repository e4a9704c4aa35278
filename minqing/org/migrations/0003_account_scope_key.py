import uuid

from django.db import migrations, models


def fill(apps, schema_editor):
    Account = apps.get_model("org", "Account")
    for pk in Account.objects.values_list("pk", flat=True):
        Account.objects.filter(pk=pk).update(scope_key=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("org", "0002_account_password_policy")]

    operations = [
        migrations.AddField(model_name="account", name="scope_key", field=models.UUIDField(null=True, editable=False)),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="account",
            name="scope_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
    ]
