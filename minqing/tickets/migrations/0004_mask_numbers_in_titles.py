"""Titles keep no phone or ID number: those already stored are masked. A title made from
the first line of a resident's text (the QR page's, Open311's) is made again from the
masked text, since its cut may have left part of a number that no longer looks like one."""

from django.db import migrations

from minqing.core.identity import mask_text_identifiers

BATCH = 2000


def mask_titles(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    changed = []
    rows = Ticket.objects.values_list("pk", "title", "description", "channel").order_by("pk")
    for pk, title, description, channel in rows.iterator(chunk_size=BATCH):
        first_line = (description or "").strip().splitlines()[:1]
        if channel in ("qr", "open311") and first_line and title == first_line[0][:40]:
            masked = mask_text_identifiers(description.strip()).splitlines()[0][:40]
        else:
            masked = mask_text_identifiers(title)[:120]
        if masked != title:
            changed.append(Ticket(pk=pk, title=masked))
    # Written after the read (SQLite reads in chunks from the open cursor); few titles change.
    Ticket.objects.bulk_update(changed, ["title"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0003_campaign_registered_index_in_model")]

    operations = [migrations.RunPython(mask_titles, migrations.RunPython.noop, elidable=True)]
