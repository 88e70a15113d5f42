"""File earlier audit events under their case: the case itself, or the
``case_id`` its services already put in ``data``."""

from django.db import migrations

BATCH = 2000


def fill(apps, schema_editor):
    AuditEvent = apps.get_model("accounts", "AuditEvent")
    events = AuditEvent._base_manager.filter(case_id__isnull=True).order_by("pk")
    last = 0
    while True:
        batch = list(events.filter(pk__gt=last)[:BATCH])
        if not batch:
            return
        changed = []
        for event in batch:
            if event.object_type == "cases.absencecase":
                event.case_id = event.object_id
            elif isinstance((event.data or {}).get("case_id"), int):
                event.case_id = event.data["case_id"]
            else:
                continue
            changed.append(event)
        AuditEvent._base_manager.bulk_update(changed, ["case_id"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_membership_privacy_officer_auditevent_case")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
